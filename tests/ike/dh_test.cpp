// Diffie-Hellman: our two endpoints agree for every group, agree with an
// independent implementation (Python's cryptography, with group parameters
// from scapy's and OpenSSL's own tables), and refuse bad peer values.
#include <gtest/gtest.h>

#include <openssl/bn.h>

#include "ike/crypto/crypto_error.hpp"
#include "ike/crypto/dh.hpp"
#include "ike/crypto/modp_params.hpp"
#include "tests/ike/oracle.hpp"

namespace vpngw::ike::test {
namespace {

using nlohmann::json;

const DhGroup kAllGroups[] = {DhGroup::modp768,  DhGroup::modp1024,     DhGroup::modp1536,
                              DhGroup::modp2048, DhGroup::modp2048s256, DhGroup::ecp256,
                              DhGroup::ecp384,   DhGroup::ecp521,       DhGroup::curve25519};
const DhGroup kModpGroups[] = {DhGroup::modp768, DhGroup::modp1024, DhGroup::modp1536,
                               DhGroup::modp2048, DhGroup::modp2048s256};

std::string group_name(DhGroup g) { return "group " + std::to_string(dh_group_number(g)); }

// p as big-endian bytes of the group's size, plus or minus a small number.
Bytes prime_plus(DhGroup g, long delta) {
  BIGNUM* p = nullptr;
  BN_hex2bn(&p, modp_params(g)->p);
  if (delta >= 0) BN_add_word(p, static_cast<BN_ULONG>(delta));
  else BN_sub_word(p, static_cast<BN_ULONG>(-delta));
  Bytes out(public_value_size(g));
  BN_bn2binpad(p, out.data(), static_cast<int>(out.size()));
  BN_free(p);
  return out;
}

Bytes small_value(DhGroup g, uint8_t v) {
  Bytes out(public_value_size(g), 0);
  out.back() = v;
  return out;
}

TEST(DiffieHellman, TwoEndpointsAgreeInEveryGroup) {
  for (DhGroup g : kAllGroups) {
    SCOPED_TRACE(group_name(g));
    ASSERT_TRUE(is_supported(g));
    auto a = make_diffie_hellman(g);
    auto b = make_diffie_hellman(g);
    EXPECT_EQ(a->group(), g);
    EXPECT_EQ(a->public_value().size(), public_value_size(g));
    EXPECT_FALSE(std::equal(a->public_value().begin(), a->public_value().end(),
                            b->public_value().begin()));  // fresh keys
    auto ab = a->shared_secret(b->public_value());
    auto ba = b->shared_secret(a->public_value());
    ASSERT_TRUE(ab.ok()) << name_of(ab.error());
    ASSERT_TRUE(ba.ok()) << name_of(ba.error());
    EXPECT_TRUE(ab->equals(*ba));
    // MODP secrets are as long as the prime, ECP ones as a coordinate.
    const size_t want = g == DhGroup::ecp256 ? 32 : g == DhGroup::ecp384 ? 48
                        : g == DhGroup::ecp521 ? 66 : public_value_size(g);
    EXPECT_EQ(ab->size(), want);
  }
}

TEST(DiffieHellman, AgreesWithPythonCryptography) {
  std::vector<std::unique_ptr<DiffieHellman>> ours;
  json cases = json::array();
  for (DhGroup g : kAllGroups) {
    ours.push_back(make_diffie_hellman(g));
    cases.push_back({{"group", dh_group_number(g)}, {"public", hex(ours.back()->public_value())}});
  }
  json answer = run_oracle("dh", {{"cases", cases}});
  for (size_t i = 0; i < ours.size(); ++i) {
    SCOPED_TRACE(group_name(ours[i]->group()));
    const json& theirs = answer["results"][i];
    auto shared = ours[i]->shared_secret(unhex(theirs["public"]));
    ASSERT_TRUE(shared.ok()) << name_of(shared.error());
    EXPECT_EQ(hex(*shared), theirs["shared"]);
  }
}

TEST(DiffieHellman, WrongLengthIsRefused) {
  for (DhGroup g : kAllGroups) {
    SCOPED_TRACE(group_name(g));
    auto a = make_diffie_hellman(g);
    auto b = make_diffie_hellman(g);
    Bytes longer(b->public_value().begin(), b->public_value().end());
    longer.insert(longer.begin(), 0);  // a leading zero does not make it valid
    Bytes shorter(b->public_value().begin() + 1, b->public_value().end());
    EXPECT_EQ(a->shared_secret(longer).error(), DhError::bad_length);
    EXPECT_EQ(a->shared_secret(shorter).error(), DhError::bad_length);
    EXPECT_EQ(a->shared_secret({}).error(), DhError::bad_length);
  }
}

TEST(DiffieHellman, ModpValuesOutOfRangeAreRefused) {
  for (DhGroup g : kModpGroups) {
    SCOPED_TRACE(group_name(g));
    auto a = make_diffie_hellman(g);
    for (const Bytes& bad : {small_value(g, 0), small_value(g, 1), prime_plus(g, -1),
                             prime_plus(g, 0), prime_plus(g, 1), Bytes(public_value_size(g), 0xFF)})
      EXPECT_EQ(a->shared_secret(bad).error(), DhError::out_of_range);
    EXPECT_TRUE(a->shared_secret(small_value(g, 4)).ok() ||
                a->shared_secret(small_value(g, 4)).error() == DhError::not_in_subgroup);
  }
}

TEST(DiffieHellman, ModpValuesOutsideTheSubgroupAreRefused) {
  // p - 2 = -2 is a quadratic non-residue modulo the safe primes (p = 7 mod
  // 8), so it lies outside the order-q subgroup; 2 is outside group 24's
  // 256-bit subgroup.
  for (DhGroup g : {DhGroup::modp768, DhGroup::modp1024, DhGroup::modp1536, DhGroup::modp2048}) {
    auto a = make_diffie_hellman(g);
    EXPECT_EQ(a->shared_secret(prime_plus(g, -2)).error(), DhError::not_in_subgroup) << group_name(g);
    EXPECT_TRUE(a->shared_secret(small_value(g, 2)).ok()) << group_name(g);  // g itself is fine
  }
  auto a = make_diffie_hellman(DhGroup::modp2048s256);
  EXPECT_EQ(a->shared_secret(small_value(DhGroup::modp2048s256, 2)).error(), DhError::not_in_subgroup);
}

TEST(DiffieHellman, EcpPointsOffTheCurveAreRefused) {
  for (DhGroup g : {DhGroup::ecp256, DhGroup::ecp384, DhGroup::ecp521}) {
    SCOPED_TRACE(group_name(g));
    auto a = make_diffie_hellman(g);
    auto b = make_diffie_hellman(g);
    Bytes moved(b->public_value().begin(), b->public_value().end());
    moved.back() ^= 1;  // y changed: (x, y') is not on the curve
    EXPECT_EQ(a->shared_secret(moved).error(), DhError::not_on_curve);
    EXPECT_EQ(a->shared_secret(Bytes(public_value_size(g), 0)).error(), DhError::not_on_curve);
    // Coordinates at or above the field prime (all 0xFF for the NIST primes).
    Bytes big(public_value_size(g), 0xFF);
    if (g == DhGroup::ecp521) big[0] = big[66] = 0x01;  // 521 bits: the top byte holds one bit
    EXPECT_EQ(a->shared_secret(big).error(), DhError::not_on_curve);
  }
}

TEST(DiffieHellman, X25519LowOrderPointsAreRefused) {
  auto a = make_diffie_hellman(DhGroup::curve25519);
  Bytes zero(32, 0);
  Bytes one(32, 0);
  one[0] = 1;  // little-endian u = 1
  EXPECT_EQ(a->shared_secret(zero).error(), DhError::degenerate_secret);
  EXPECT_EQ(a->shared_secret(one).error(), DhError::degenerate_secret);
}

TEST(DiffieHellman, UnsupportedGroupsAreRejectedUpFront) {
  EXPECT_FALSE(is_supported(DhGroup::none));
  EXPECT_THROW(make_diffie_hellman(DhGroup::none), CryptoError);
  EXPECT_THROW(public_value_size(DhGroup::none), CryptoError);
}

}  // namespace
}  // namespace vpngw::ike::test
