// SA parameter validation as `vpngwctl sa create` will use it: every rule
// names the field and says what is wrong.
#include "dataplane/sa_params.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "dataplane/des_keys.hpp"
#include "dataplane/sa_runtime.hpp"
#include "tests/dataplane/sa_fixtures.hpp"

namespace vpngw::dataplane {
namespace {

using test::make_params;
using test::Suite;

std::optional<SaParamError> check(const SaParams& p) { return validate_sa_params(p); }

void expect_error(const SaParams& p, const std::string& field, const std::string& words) {
  const auto e = check(p);
  ASSERT_TRUE(e.has_value()) << "accepted, expected an error on " << field;
  EXPECT_EQ(e->field, field) << e->message;
  EXPECT_NE(e->message.find(words), std::string::npos) << e->message;
}

TEST(SaParams, EverySuiteInBothDirectionsIsValid) {
  for (const Suite& s : test::all_suites()) {
    EXPECT_FALSE(check(make_params(SaDirection::outbound, s)).has_value()) << s.name();
    EXPECT_FALSE(check(make_params(SaDirection::inbound, s)).has_value()) << s.name();
  }
}

TEST(SaParams, KeyLengthsFollowTheAlgorithm) {
  SaParams p =
      make_params(SaDirection::outbound, {EspCipher::aes128_cbc, EspIntegrity::hmac_sha1_96});
  p.cipher_key_len = 24;
  expect_error(p, "cipher_key", "16-byte");
  p = make_params(SaDirection::outbound, {EspCipher::aes128_gcm, EspIntegrity::none});
  p.cipher_key_len = 16;  // the salt is missing
  expect_error(p, "cipher_key", "20-byte key (key and 4-byte salt)");
  p = make_params(SaDirection::outbound, {EspCipher::aes256_cbc, EspIntegrity::hmac_sha256_128});
  p.auth_key_len = 20;
  expect_error(p, "auth_key", "32-byte");
  p = make_params(SaDirection::outbound, {EspCipher::des_cbc, EspIntegrity::hmac_md5_96});
  p.auth_key_len = 20;
  expect_error(p, "auth_key", "16-byte");
}

TEST(SaParams, GcmTakesNoIntegrityAndCbcNeedsOne) {
  SaParams p = make_params(SaDirection::outbound, {EspCipher::aes256_gcm, EspIntegrity::none});
  p.integrity = EspIntegrity::hmac_sha1_96;
  p.auth_key_len = 20;
  expect_error(p, "integrity", "integrity must be none");
  p = make_params(SaDirection::outbound, {EspCipher::aes128_cbc, EspIntegrity::hmac_sha1_96});
  p.integrity = EspIntegrity::none;
  p.auth_key_len = 0;
  expect_error(p, "integrity", "needs an integrity algorithm");
}

// FIPS 74: four weak keys and six pairs of semi-weak keys.
const std::array<uint64_t, 16> kWeak{
    0x0101010101010101, 0xFEFEFEFEFEFEFEFE, 0xE0E0E0E0F1F1F1F1, 0x1F1F1F1F0E0E0E0E,
    0x011F011F010E010E, 0x1F011F010E010E01, 0x01E001E001F101F1, 0xE001E001F101F101,
    0x01FE01FE01FE01FE, 0xFE01FE01FE01FE01, 0x1FE01FE00EF10EF1, 0xE01FE01FF10EF10E,
    0x1FFE1FFE0EFE0EFE, 0xFE1FFE1FFE0EFE0E, 0xE0FEE0FEF1FEF1FE, 0xFEE0FEE0FEF1FEF1};

std::array<uint8_t, 8> key_bytes(uint64_t k) {
  std::array<uint8_t, 8> b{};
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(k >> (56 - 8 * i));
  return b;
}

TEST(SaParams, DesWeakAndSemiWeakKeysAreRefusedWhateverTheParity) {
  for (uint64_t weak : kWeak) {
    SaParams p =
        make_params(SaDirection::outbound, {EspCipher::des_cbc, EspIntegrity::hmac_sha1_96});
    auto bytes = key_bytes(weak);
    std::memcpy(p.cipher_key.data(), bytes.data(), 8);
    expect_error(p, "cipher_key", "weak");
    // DES ignores the low bit of each byte: flipping parity is the same key.
    for (auto& b : bytes) b ^= 1;
    std::memcpy(p.cipher_key.data(), bytes.data(), 8);
    expect_error(p, "cipher_key", "weak");
  }
  // Keys next to weak ones are fine.
  const auto near = key_bytes(0x0101010101010103);
  EXPECT_FALSE(is_weak_des_key(std::span<const uint8_t, 8>(near.data(), 8)));
}

TEST(SaParams, TripleDesKeysThatCollapseToSingleDesAreRefused) {
  const Suite s{EspCipher::des3_cbc, EspIntegrity::hmac_sha1_96};
  SaParams p = make_params(SaDirection::outbound, s);
  std::memcpy(p.cipher_key.data() + 8, p.cipher_key.data(), 8);
  expect_error(p, "cipher_key", "K1 equals K2");
  p = make_params(SaDirection::outbound, s);
  std::memcpy(p.cipher_key.data() + 16, p.cipher_key.data() + 8, 8);
  p.cipher_key[16] ^= 1;  // differs only in a parity bit
  expect_error(p, "cipher_key", "K2 equals K3");
  p = make_params(SaDirection::outbound, s);
  std::memcpy(p.cipher_key.data() + 16, p.cipher_key.data(), 8);
  EXPECT_FALSE(check(p).has_value()) << "K1 == K3 is two-key 3DES, still allowed";
  p = make_params(SaDirection::outbound, s);
  const auto weak = key_bytes(kWeak[5]);
  std::memcpy(p.cipher_key.data() + 8, weak.data(), 8);
  expect_error(p, "cipher_key", "K2 is a weak");
}

TEST(SaParams, OtherRules) {
  const Suite s{EspCipher::aes128_cbc, EspIntegrity::hmac_sha1_96};
  SaParams p = make_params(SaDirection::inbound, s);
  p.spi = 255;
  expect_error(p, "spi", "256");
  p = make_params(SaDirection::inbound, s);
  p.replay_window = 16;
  expect_error(p, "replay_window", "32-4096");
  p.replay_window = 4097;
  expect_error(p, "replay_window", "32-4096");
  p.replay_window = 0;
  EXPECT_FALSE(check(p).has_value());
  p.replay_window = 4096;
  EXPECT_FALSE(check(p).has_value());
  p = make_params(SaDirection::inbound, s);
  p.local_count = 0;
  expect_error(p, "local", "at least one");
  p = make_params(SaDirection::inbound, s);
  p.peer_count = 65;
  expect_error(p, "peer", "at most 64");
  p = make_params(SaDirection::outbound, s);
  p.local_count = 0;
  p.peer_count = 0;
  EXPECT_FALSE(check(p).has_value()) << "outbound SAs need no selectors";
  p.tunnel_dst = Ipv4Addr{0};
  expect_error(p, "tunnel_dst", "0.0.0.0");
  p = make_params(SaDirection::outbound, s);
  p.tunnel_src = Ipv4Addr{0};
  expect_error(p, "tunnel_src", "0.0.0.0");
  p = make_params(SaDirection::inbound, s);
  p.tunnel_src = Ipv4Addr{0};  // a peer behind NAT: found by SPI, source unknown
  EXPECT_FALSE(check(p).has_value()) << "inbound SAs accept any peer address";
  p = make_params(SaDirection::outbound, s);
  p.start_seq = uint64_t{1} << 32;
  expect_error(p, "start_seq", "32 bits");
  p.esn = true;
  EXPECT_FALSE(check(p).has_value());
  p = make_params(SaDirection::outbound, s);
  p.udp_encap = true;
  p.udp_dst_port = 0;
  expect_error(p, "udp_port", "non-zero");
}

TEST(SaParams, RuntimeBuildersCheckDirectionAndValidity) {
  std::string error;
  auto keys = ImbManager::create(&error);
  ASSERT_TRUE(keys) << error;
  const Suite s{EspCipher::aes128_cbc, EspIntegrity::hmac_sha1_96};
  EXPECT_EQ(make_outbound_sa(make_params(SaDirection::inbound, s), *keys, &error), nullptr);
  EXPECT_NE(error.find("not an outbound SA"), std::string::npos) << error;
  EXPECT_EQ(make_inbound_sa(make_params(SaDirection::outbound, s), *keys, &error), nullptr);
  EXPECT_NE(error.find("not an inbound SA"), std::string::npos) << error;
  SaParams p = make_params(SaDirection::outbound, s);
  p.cipher_key_len = 5;
  EXPECT_EQ(make_outbound_sa(p, *keys, &error), nullptr);
  EXPECT_EQ(error.rfind("cipher_key: ", 0), 0u) << error;
}

TEST(SaParams, CopiesAsPlainBytes) {
  const SaParams p = make_params(SaDirection::inbound, {EspCipher::aes256_gcm, EspIntegrity::none});
  std::array<unsigned char, sizeof(SaParams)> raw{};
  std::memcpy(raw.data(), &p, sizeof p);
  SaParams q;
  std::memcpy(&q, raw.data(), sizeof q);
  EXPECT_EQ(q.spi, p.spi);
  EXPECT_EQ(q.cipher_key, p.cipher_key);
  EXPECT_EQ(q.peer[1], p.peer[1]);
  EXPECT_FALSE(check(q).has_value());
}

}  // namespace
}  // namespace vpngw::dataplane
