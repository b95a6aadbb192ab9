// Building our SA offers from policies and choosing from a peer's offers.
#include <gtest/gtest.h>

#include "ike/sa/identity.hpp"
#include "ike/sa/proposal_builder.hpp"
#include "ike/sa/proposal_selector.hpp"
#include "ike/sa/transform_ids.hpp"

namespace vpngw::ike::test {
namespace {

Proposal proposal(uint8_t number, ProtocolId protocol, std::vector<Transform> transforms,
                  Bytes spi = {}) {
  Proposal p;
  p.number = number;
  p.protocol = protocol;
  p.spi = std::move(spi);
  p.transforms = std::move(transforms);
  return p;
}

TEST(TransformIds, PolicyEnumsMapToIanaNumbers) {
  EXPECT_EQ(encr_transform(Cipher::des).id, 2);
  EXPECT_EQ(encr_transform(Cipher::des3).id, 3);
  EXPECT_FALSE(encr_transform(Cipher::des3).key_bits.has_value());
  EXPECT_EQ(encr_transform(Cipher::aes192).id, 12);
  EXPECT_EQ(encr_transform(Cipher::aes192).key_bits, 192);
  EXPECT_EQ(encr_transform(Cipher::aes256gcm).id, 20);
  EXPECT_EQ(encr_transform(Cipher::aes256gcm).key_bits, 256);
  const std::pair<Integrity, std::pair<int, int>> ids[] = {
      {Integrity::md5, {1, 1}},     {Integrity::sha1, {2, 2}},     {Integrity::sha256, {5, 12}},
      {Integrity::sha384, {6, 13}}, {Integrity::sha512, {7, 14}}};
  for (auto [alg, want] : ids) {
    EXPECT_EQ(prf_transform(alg).id, want.first) << name_of(alg);
    EXPECT_EQ(integ_transform(alg).id, want.second) << name_of(alg);
    EXPECT_EQ(prf_of(prf_transform(alg)), alg);
    EXPECT_EQ(integ_of(integ_transform(alg)), alg);
  }
  for (const auto& entry : kDhGroupNames) {
    if (entry.value == DhGroup::none) continue;
    EXPECT_EQ(dh_transform(entry.value).id, dh_group_number(entry.value));
    EXPECT_EQ(dh_group_of(dh_transform(entry.value)), entry.value);
  }
  for (const auto& entry : kCipherNames) EXPECT_EQ(cipher_of(encr_transform(entry.value)), entry.value);
  // AES-CBC with a key length we do not implement maps to nothing.
  Transform odd = encr_transform(Cipher::aes128);
  odd.key_bits = 64;
  EXPECT_FALSE(cipher_of(odd).has_value());
}

TEST(TransformIds, NamesReadLikeStrongswanLogs) {
  Proposal p = ike_sa_offer(IkePolicy{}).proposals.front();
  EXPECT_EQ(describe(p), "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024");
  IpsecPolicy gcm;
  gcm.encryption = Cipher::aes256gcm;
  gcm.pfs = DhGroup::ecp256;
  gcm.esn = true;
  EXPECT_EQ(describe(esp_sa_offer(gcm, 0x1000, true).proposals.front()), "AES_GCM_16_256/ECP_256/EXT_SEQ");
  Transform unknown;
  unknown.type = static_cast<TransformType>(9);
  unknown.id = 3;
  EXPECT_EQ(transform_name(unknown), "TYPE9_3");
}

TEST(ProposalBuilder, IkeOfferFollowsThePolicy) {
  IkePolicy policy;
  policy.encryption = Cipher::aes256;
  policy.integrity = Integrity::sha256;
  policy.dh_group = DhGroup::modp2048;
  SaPayload sa = ike_sa_offer(policy);
  ASSERT_EQ(sa.proposals.size(), 1u);
  const Proposal& p = sa.proposals[0];
  EXPECT_EQ(p.number, 1);
  EXPECT_EQ(p.protocol, ProtocolId::ike);
  EXPECT_TRUE(p.spi.empty());
  EXPECT_EQ(p.transforms, (std::vector<Transform>{encr_transform(Cipher::aes256),
                                                  prf_transform(Integrity::sha256),
                                                  integ_transform(Integrity::sha256),
                                                  dh_transform(DhGroup::modp2048)}));
  // A rekey carries the new SPI; AES-GCM carries no integrity transform.
  policy.encryption = Cipher::aes128gcm;
  Bytes spi = {1, 2, 3, 4, 5, 6, 7, 8};
  sa = ike_sa_offer(policy, spi);
  EXPECT_EQ(sa.proposals[0].spi, spi);
  EXPECT_EQ(describe(sa.proposals[0]), "AES_GCM_16_128/PRF_HMAC_SHA2_256/MODP_2048");
}

TEST(ProposalBuilder, EspOfferFollowsThePolicy) {
  IpsecPolicy policy;  // aes128, sha1, PFS group 2, no ESN
  SaPayload sa = esp_sa_offer(policy, 0xC0FFEE01, true);
  const Proposal& p = sa.proposals[0];
  EXPECT_EQ(p.protocol, ProtocolId::esp);
  EXPECT_EQ(p.spi, (Bytes{0xC0, 0xFF, 0xEE, 0x01}));
  EXPECT_EQ(describe(p), "AES_CBC_128/HMAC_SHA1_96/MODP_1024/NO_EXT_SEQ");
  // IKE_AUTH: no KE, so no group; PFS disabled: no group either.
  EXPECT_EQ(describe(esp_sa_offer(policy, 1000, false).proposals[0]), "AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ");
  policy.pfs = DhGroup::none;
  EXPECT_EQ(describe(esp_sa_offer(policy, 1000, true).proposals[0]), "AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ");
}

// What strongSwan's default IKE proposal list looks like on the wire: AEAD
// and non-AEAD suites in separate proposals, several transforms per type.
SaPayload strongswan_like_offer() {
  return SaPayload{{
      proposal(1, ProtocolId::ike,
               {encr_transform(Cipher::aes128), encr_transform(Cipher::aes256),
                integ_transform(Integrity::sha256), integ_transform(Integrity::sha1),
                prf_transform(Integrity::sha256), prf_transform(Integrity::sha1),
                dh_transform(DhGroup::curve25519), dh_transform(DhGroup::modp2048)}),
      proposal(2, ProtocolId::ike,
               {encr_transform(Cipher::aes128gcm), encr_transform(Cipher::aes256gcm),
                prf_transform(Integrity::sha256), prf_transform(Integrity::sha512),
                dh_transform(DhGroup::curve25519), dh_transform(DhGroup::ecp256)}),
  }};
}

TEST(ProposalSelector, PicksTheFirstProposalThatFitsAndAnswersWithOneTransformPerType) {
  IkePolicy ours;
  ours.encryption = Cipher::aes256;
  ours.integrity = Integrity::sha1;
  ours.dh_group = DhGroup::modp2048;
  auto chosen = select_ike_proposal(strongswan_like_offer(), ours);
  ASSERT_TRUE(chosen.ok()) << chosen.error();
  EXPECT_EQ(chosen->accepted.number, 1);
  EXPECT_EQ(describe(chosen->accepted), "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048");
  EXPECT_EQ(chosen->suite, (IkeSuite{Cipher::aes256, Integrity::sha1, Integrity::sha1, DhGroup::modp2048}));

  ours.encryption = Cipher::aes256gcm;
  ours.integrity = Integrity::sha512;
  ours.dh_group = DhGroup::ecp256;
  chosen = select_ike_proposal(strongswan_like_offer(), ours);
  ASSERT_TRUE(chosen.ok()) << chosen.error();
  EXPECT_EQ(chosen->accepted.number, 2);
  EXPECT_EQ(describe(chosen->accepted), "AES_GCM_16_256/PRF_HMAC_SHA2_512/ECP_256");
  EXPECT_FALSE(chosen->suite.integrity.has_value());
}

TEST(ProposalSelector, ExplainsARefusal) {
  IkePolicy ours;  // aes128 / sha1 / group 2
  auto chosen = select_ike_proposal(strongswan_like_offer(), ours);
  ASSERT_FALSE(chosen.ok());
  EXPECT_EQ(chosen.error(),
            "peer offered AES_CBC_128,AES_CBC_256/HMAC_SHA2_256_128,HMAC_SHA1_96/"
            "PRF_HMAC_SHA2_256,PRF_HMAC_SHA1/CURVE_25519,MODP_2048, "
            "AES_GCM_16_128,AES_GCM_16_256/PRF_HMAC_SHA2_256,PRF_HMAC_SHA2_512/CURVE_25519,ECP_256; "
            "we want AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024");
}

TEST(ProposalSelector, SkipsProposalsWeCannotFullyUnderstand) {
  IkePolicy ours;
  Proposal fits = ike_sa_offer(ours).proposals[0];
  // 1: an extra transform type we do not know; 2: an unknown attribute on
  // the ENCR transform; 3: missing DH; 4: AH, not IKE; 5: fits.
  Proposal unknown_type = fits;
  Transform odd;
  odd.type = static_cast<TransformType>(250);
  unknown_type.transforms.push_back(odd);
  Proposal unknown_attribute = fits;
  unknown_attribute.transforms[0].other_attributes.push_back({99, true, {0, 1}});
  Proposal no_dh = fits;
  no_dh.transforms.pop_back();
  Proposal ah = fits;
  ah.protocol = ProtocolId::ah;
  SaPayload offer{{unknown_type, unknown_attribute, no_dh, ah, fits}};
  for (uint8_t i = 0; i < 5; ++i) offer.proposals[i].number = static_cast<uint8_t>(i + 1);
  auto chosen = select_ike_proposal(offer, ours);
  ASSERT_TRUE(chosen.ok()) << chosen.error();
  EXPECT_EQ(chosen->accepted.number, 5);
}

TEST(ProposalSelector, AeadRefusesARealIntegrityTransformButAcceptsNone) {
  IkePolicy ours;
  ours.encryption = Cipher::aes128gcm;
  Proposal p = ike_sa_offer(ours).proposals[0];
  p.transforms.push_back(integ_transform(Integrity::sha1));
  EXPECT_FALSE(select_ike_proposal(SaPayload{{p}}, ours).ok());
  p.transforms.back().id = integ_id::none;
  EXPECT_TRUE(select_ike_proposal(SaPayload{{p}}, ours).ok());
}

TEST(ProposalSelector, EspKeepsThePeersSpiAndChecksPfsAndEsn) {
  IpsecPolicy ours;  // aes128 / sha1 / PFS group 2 / no ESN
  SaPayload offer = esp_sa_offer(ours, 0x11223344, true);
  auto chosen = select_esp_proposal(offer, ours, true);
  ASSERT_TRUE(chosen.ok()) << chosen.error();
  EXPECT_EQ(chosen->peer_spi, 0x11223344u);
  EXPECT_EQ(chosen->accepted.spi, (Bytes{0x11, 0x22, 0x33, 0x44}));
  EXPECT_EQ(chosen->suite.pfs, DhGroup::modp1024);

  // The same offer in IKE_AUTH: the group is ignored and none is chosen.
  chosen = select_esp_proposal(offer, ours, false);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->suite.pfs, DhGroup::none);
  EXPECT_EQ(describe(chosen->accepted), "AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ");

  // CREATE_CHILD_SA without the group we insist on.
  SaPayload no_pfs = esp_sa_offer(ours, 0x11223344, false);
  auto refused = select_esp_proposal(no_pfs, ours, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(),
            "peer offered AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ; "
            "we want AES_CBC_128/HMAC_SHA1_96/MODP_1024/NO_EXT_SEQ");

  // We want ESN, the peer offers only 32-bit sequence numbers.
  IpsecPolicy esn = ours;
  esn.esn = true;
  EXPECT_FALSE(select_esp_proposal(offer, esn, true).ok());
  // PFS disabled: an offer with a group but also NONE is fine.
  IpsecPolicy without = ours;
  without.pfs = DhGroup::none;
  SaPayload both = offer;
  both.proposals[0].transforms.push_back(dh_transform(DhGroup::none));
  EXPECT_TRUE(select_esp_proposal(both, without, true).ok());
  EXPECT_FALSE(select_esp_proposal(offer, without, true).ok());
}

TEST(ProposalSelector, EspNeedsAFourByteSpi) {
  IpsecPolicy ours;
  SaPayload offer = esp_sa_offer(ours, 0x11223344, false);
  offer.proposals[0].spi.pop_back();
  EXPECT_FALSE(select_esp_proposal(offer, ours, false).ok());
}

TEST(ProposalSelector, InitiatorChecksTheAnswerWithTheSameRules) {
  IkePolicy ours;
  auto chosen = select_ike_proposal(ike_sa_offer(ours), ours);
  ASSERT_TRUE(chosen.ok());
  SaPayload answer{{chosen->accepted}};
  EXPECT_TRUE(select_ike_proposal(answer, ours).ok());
  answer.proposals[0].transforms[0] = encr_transform(Cipher::aes256);  // not what we offered
  EXPECT_FALSE(select_ike_proposal(answer, ours).ok());
}

TEST(Identity, PoliciesBecomeIdPayloads) {
  Ipv4Addr gw = *Ipv4Addr::parse("203.0.113.1");
  IdPayload def = id_payload(PayloadType::idi, Identity{}, gw);
  EXPECT_EQ(def.id_type, IdType::ipv4_addr);
  EXPECT_EQ(def.data, (Bytes{203, 0, 113, 1}));
  EXPECT_EQ(describe(def), "203.0.113.1");
  IdPayload fqdn = id_payload(PayloadType::idr, Identity{"vpn.example.com"}, gw);
  EXPECT_EQ(fqdn.type, PayloadType::idr);
  EXPECT_EQ(fqdn.id_type, IdType::fqdn);
  EXPECT_EQ(describe(fqdn), "vpn.example.com");
  EXPECT_TRUE(matches(fqdn, Identity{"vpn.example.com"}, gw));
  EXPECT_FALSE(matches(fqdn, Identity{"other.example.com"}, gw));
  EXPECT_TRUE(matches(def, Identity{"203.0.113.1"}, *Ipv4Addr::parse("198.51.100.1")));
  EXPECT_FALSE(matches(def, Identity{}, *Ipv4Addr::parse("198.51.100.1")));
}

}  // namespace
}  // namespace vpngw::ike::test
