// PRFs against published vectors, and prf+, SKEYSEED, the IKE and CHILD_SA
// keys, PSK AUTH and NAT detection hashes against ike_oracle.py's
// independent Python computation.
#include <gtest/gtest.h>

#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/key_derivation.hpp"
#include "ike/crypto/nat_detection.hpp"
#include "ike/crypto/prf.hpp"
#include "ike/crypto/psk_auth.hpp"
#include "ike/crypto/random.hpp"
#include "tests/ike/oracle.hpp"

namespace vpngw::ike::test {
namespace {

using nlohmann::json;

std::string prf_hex(Integrity alg, const Bytes& key, std::string_view data) {
  return hex(Prf(alg)(key, {as_bytes(data)}));
}

struct Kat {
  Integrity alg;
  Bytes key;
  std::string data;
  std::string mac;
};

// RFC 2202 (HMAC-MD5, HMAC-SHA1) test cases 1, 2 and 6; RFC 4231 (SHA-2)
// test cases 1, 2 and 6 (a key longer than the hash's block).
TEST(Prf, HmacKnownAnswers) {
  const std::string larger_key = "Test Using Larger Than Block-Size Key - Hash Key First";
  const std::vector<Kat> kats = {
      {Integrity::md5, Bytes(16, 0x0b), "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"},
      {Integrity::md5, Bytes{'J', 'e', 'f', 'e'}, "what do ya want for nothing?",
       "750c783e6ab0b503eaa86e310a5db738"},
      {Integrity::md5, Bytes(80, 0xaa), larger_key, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
      {Integrity::sha1, Bytes(20, 0x0b), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"},
      {Integrity::sha1, Bytes{'J', 'e', 'f', 'e'}, "what do ya want for nothing?",
       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {Integrity::sha1, Bytes(80, 0xaa), larger_key, "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
      {Integrity::sha256, Bytes(20, 0x0b), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {Integrity::sha256, Bytes{'J', 'e', 'f', 'e'}, "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {Integrity::sha256, Bytes(131, 0xaa), larger_key,
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {Integrity::sha384, Bytes(20, 0x0b), "Hi There",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
       "faea9ea9076ede7f4af152e8b2fa9cb6"},
      {Integrity::sha384, Bytes{'J', 'e', 'f', 'e'}, "what do ya want for nothing?",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
       "8e2240ca5e69e2c78b3239ecfab21649"},
      {Integrity::sha384, Bytes(131, 0xaa), larger_key,
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
       "0c2ef6ab4030fe8296248df163f44952"},
      {Integrity::sha512, Bytes(20, 0x0b), "Hi There",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
       "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
      {Integrity::sha512, Bytes{'J', 'e', 'f', 'e'}, "what do ya want for nothing?",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      {Integrity::sha512, Bytes(131, 0xaa), larger_key,
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
  };
  for (const Kat& k : kats) {
    SCOPED_TRACE(std::string(name_of(k.alg)) + " " + k.data);
    EXPECT_EQ(prf_hex(k.alg, k.key, k.data), k.mac);
    EXPECT_EQ(Prf(k.alg).size() * 2, k.mac.size());
  }
}

TEST(Prf, DataGivenInPartsEqualsConcatenation) {
  const Prf prf(Integrity::sha256);
  Bytes key(32, 7);
  std::string whole = "SKEYSEED input in three parts";
  SecretBytes one = prf(key, {as_bytes(whole)});
  SecretBytes three = prf(key, {as_bytes(whole.substr(0, 5)), as_bytes(whole.substr(5, 10)),
                                as_bytes(whole.substr(15))});
  EXPECT_TRUE(one.equals(three));
}

TEST(Prf, PrfPlusMatchesIndependentComputation) {
  SodiumRandom random;
  json cases = json::array();
  std::vector<std::string> ours;
  for (Integrity alg : {Integrity::md5, Integrity::sha1, Integrity::sha256, Integrity::sha384,
                        Integrity::sha512}) {
    // Lengths inside one block, on a block boundary and across many blocks.
    for (size_t length : {size_t{1}, Prf(alg).size(), Prf(alg).size() + 1, size_t{300}}) {
      Bytes key = random_nonce(random, 40);
      Bytes seed = random_nonce(random, 70);
      ours.push_back(hex(Prf(alg).plus(key, {seed}, length)));
      cases.push_back({{"alg", name_of(alg)}, {"key", hex(key)}, {"seed", hex(seed)}, {"length", length}});
    }
  }
  json answer = run_oracle("prf_plus", {{"cases", cases}});
  ASSERT_EQ(answer["outputs"].size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], answer["outputs"][i]) << cases[i].dump();
}

TEST(Prf, PrfPlusRefusesMoreThan255Blocks) {
  const Prf prf(Integrity::md5);
  Bytes key(16, 1);
  EXPECT_NO_THROW(prf.plus(key, {}, 255 * 16));
  EXPECT_THROW(prf.plus(key, {}, 255 * 16 + 1), CryptoError);
}

uint64_t spi_from(const Bytes& b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = v << 8 | x;
  return v;
}

TEST(KeyDerivation, IkeKeysMatchIndependentComputation) {
  SodiumRandom random;
  const std::vector<IkeSuite> suites = {
      {Cipher::aes128, Integrity::sha1, Integrity::sha1, DhGroup::modp1024},
      {Cipher::des3, Integrity::md5, Integrity::md5, DhGroup::modp768},
      {Cipher::des, Integrity::sha1, Integrity::md5, DhGroup::modp768},
      {Cipher::aes256, Integrity::sha256, Integrity::sha256, DhGroup::modp2048},
      {Cipher::aes192, Integrity::sha384, Integrity::sha384, DhGroup::ecp384},
      {Cipher::aes256, Integrity::sha512, Integrity::sha512, DhGroup::ecp521},
      {Cipher::aes128gcm, Integrity::sha256, std::nullopt, DhGroup::curve25519},
      {Cipher::aes256gcm, Integrity::sha512, std::nullopt, DhGroup::ecp256},
  };
  json cases = json::array();
  std::vector<IkeKeys> ours;
  std::vector<std::string> seeds;
  for (const IkeSuite& s : suites) {
    Bytes ni = random_nonce(random, 32), nr = random_nonce(random, 48);
    Bytes shared = random_nonce(random, 256);
    Bytes spi_i = random_nonce(random, 8), spi_r = random_nonce(random, 8);
    SecretBytes seed = initial_skeyseed(s.prf, ni, nr, shared);
    seeds.push_back(hex(seed));
    ours.push_back(derive_ike_keys(s, seed, ni, nr, spi_from(spi_i), spi_from(spi_r)));
    cases.push_back({{"prf", name_of(s.prf)},
                     {"integ", s.integrity ? json(name_of(*s.integrity)) : json(nullptr)},
                     {"encr", name_of(s.encryption)},
                     {"ni", hex(ni)}, {"nr", hex(nr)}, {"shared", hex(shared)},
                     {"spi_i", hex(spi_i)}, {"spi_r", hex(spi_r)}});
  }
  json answer = run_oracle("ike_keys", {{"cases", cases}});
  for (size_t i = 0; i < suites.size(); ++i) {
    SCOPED_TRACE(cases[i].dump());
    const json& want = answer["results"][i];
    EXPECT_EQ(seeds[i], want["skeyseed"]);
    EXPECT_EQ(hex(ours[i].sk_d), want["sk_d"]);
    EXPECT_EQ(hex(ours[i].sk_ai), want["sk_ai"]);
    EXPECT_EQ(hex(ours[i].sk_ar), want["sk_ar"]);
    EXPECT_EQ(hex(ours[i].sk_ei), want["sk_ei"]);
    EXPECT_EQ(hex(ours[i].sk_er), want["sk_er"]);
    EXPECT_EQ(hex(ours[i].sk_pi), want["sk_pi"]);
    EXPECT_EQ(hex(ours[i].sk_pr), want["sk_pr"]);
  }
  // Sizes a reader can check by eye: AES-128-CBC/SHA1 and AES-256-GCM/SHA512.
  EXPECT_EQ(ours[0].sk_d.size(), 20u);
  EXPECT_EQ(ours[0].sk_ai.size(), 20u);
  EXPECT_EQ(ours[0].sk_ei.size(), 16u);
  EXPECT_EQ(ours[7].sk_ai.size(), 0u);
  EXPECT_EQ(ours[7].sk_ei.size(), 36u);  // key + 4-byte salt
  EXPECT_EQ(ours[7].sk_pr.size(), 64u);
}

TEST(KeyDerivation, RekeyedSkeyseedUsesOldSkdAndNewSecret) {
  Bytes sk_d(32, 1), g(64, 2), ni(32, 3), nr(32, 4);
  SecretBytes seed = rekeyed_skeyseed(Integrity::sha256, sk_d, g, ni, nr);
  Bytes concatenated = g;
  append(concatenated, ni);
  append(concatenated, nr);
  EXPECT_TRUE(seed.equals(Prf(Integrity::sha256)(sk_d, {concatenated})));
  EXPECT_FALSE(seed.equals(initial_skeyseed(Integrity::sha256, ni, nr, g)));
}

TEST(KeyDerivation, ChildKeysMatchIndependentComputation) {
  SodiumRandom random;
  const std::vector<EspSuite> suites = {
      {Cipher::aes128, Integrity::sha1, DhGroup::none, false},
      {Cipher::des3, Integrity::md5, DhGroup::modp1024, false},
      {Cipher::des, Integrity::sha1, DhGroup::none, false},
      {Cipher::aes256, Integrity::sha256, DhGroup::modp2048, true},
      {Cipher::aes128gcm, std::nullopt, DhGroup::none, true},
      {Cipher::aes256gcm, std::nullopt, DhGroup::ecp256, false},
  };
  json cases = json::array();
  std::vector<ChildKeys> ours;
  for (const EspSuite& s : suites) {
    for (bool pfs : {false, true}) {
      Integrity prf = pfs ? Integrity::sha256 : Integrity::sha1;
      Bytes sk_d = random_nonce(random, Prf(prf).size());
      Bytes ni = random_nonce(random, 32), nr = random_nonce(random, 32);
      Bytes shared = pfs ? random_nonce(random, 128) : Bytes{};
      ours.push_back(derive_child_keys(s, prf, sk_d, ni, nr, shared));
      json c = {{"prf", name_of(prf)},
                {"integ", s.integrity ? json(name_of(*s.integrity)) : json(nullptr)},
                {"encr", name_of(s.encryption)}, {"sk_d", hex(sk_d)},
                {"ni", hex(ni)}, {"nr", hex(nr)}};
      if (pfs) c["pfs_shared"] = hex(shared);
      cases.push_back(c);
    }
  }
  json answer = run_oracle("child_keys", {{"cases", cases}});
  for (size_t i = 0; i < ours.size(); ++i) {
    SCOPED_TRACE(cases[i].dump());
    const json& want = answer["results"][i];
    EXPECT_EQ(hex(ours[i].encr_i), want["encr_i"]);
    EXPECT_EQ(hex(ours[i].integ_i), want["integ_i"]);
    EXPECT_EQ(hex(ours[i].encr_r), want["encr_r"]);
    EXPECT_EQ(hex(ours[i].integ_r), want["integ_r"]);
  }
  EXPECT_EQ(ours[0].encr_i.size(), 16u);
  EXPECT_EQ(ours[0].integ_i.size(), 20u);
  EXPECT_EQ(ours[8].encr_i.size(), 20u);  // AES-128-GCM: key + salt
  EXPECT_EQ(ours[8].integ_i.size(), 0u);
}

TEST(PskAuth, MatchesIndependentComputation) {
  SodiumRandom random;
  json cases = json::array();
  std::vector<std::string> ours;
  for (Integrity prf : {Integrity::md5, Integrity::sha1, Integrity::sha256, Integrity::sha512}) {
    for (IdType type : {IdType::ipv4_addr, IdType::fqdn}) {
      Bytes real_message = random_nonce(random, 300);
      Bytes nonce = random_nonce(random, 32);
      Bytes sk_p = random_nonce(random, Prf(prf).size());
      IdPayload id{PayloadType::idi, type,
                   type == IdType::ipv4_addr ? Bytes{203, 0, 113, 5} : Bytes{'g', 'w', '.', 'e', 'x'}};
      const std::string psk = "s3cr3t-Psk!";
      Bytes octets = signed_octets(prf, real_message, nonce, sk_p, id);
      Bytes auth = psk_auth_value(prf, as_bytes(psk), octets);
      ours.push_back(hex(auth));
      EXPECT_TRUE(verify_psk_auth(prf, as_bytes(psk), octets, auth));
      EXPECT_FALSE(verify_psk_auth(prf, as_bytes("s3cr3t-Psk?"), octets, auth));
      Bytes tampered = auth;
      tampered.back() ^= 1;
      EXPECT_FALSE(verify_psk_auth(prf, as_bytes(psk), octets, tampered));
      cases.push_back({{"prf", name_of(prf)}, {"psk", psk}, {"real_message", hex(real_message)},
                       {"nonce", hex(nonce)}, {"sk_p", hex(sk_p)},
                       {"id_type", static_cast<int>(type)}, {"id_data", hex(id.data)}});
    }
  }
  json answer = run_oracle("psk_auth", {{"cases", cases}});
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], answer["auth"][i]) << cases[i].dump();
}

TEST(NatDetection, HashMatchesIndependentComputation) {
  json cases = json::array();
  std::vector<std::string> ours;
  const uint64_t spi_i = 0x1122334455667788ull, spi_r = 0;
  const std::pair<const char*, uint16_t> endpoints[] = {{"192.0.2.1", 500}, {"198.51.100.200", 4500}};
  for (auto [ip, port] : endpoints) {
    ours.push_back(hex(nat_detection_hash(spi_i, spi_r, *Ipv4Addr::parse(ip), port)));
    cases.push_back({{"spi_i", "1122334455667788"}, {"spi_r", "0000000000000000"}, {"ip", ip}, {"port", port}});
  }
  json answer = run_oracle("nat_hash", {{"cases", cases}});
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], answer["hashes"][i]);
  EXPECT_NE(ours[0], ours[1]);
}

}  // namespace
}  // namespace vpngw::ike::test
