// Vendor spellings of our policy enums.
#include "control/peer_config/algorithm_names.hpp"

#include <gtest/gtest.h>

namespace vpngw {
namespace {

IkePolicy ike(Cipher c, Integrity i, DhGroup g) {
  IkePolicy p;
  p.encryption = c;
  p.integrity = i;
  p.dh_group = g;
  return p;
}

IpsecPolicy esp(Cipher c, Integrity i, DhGroup pfs, bool esn = false) {
  IpsecPolicy p;
  p.encryption = c;
  p.integrity = i;
  p.pfs = pfs;
  p.esn = esn;
  return p;
}

TEST(StrongswanProposals, Ike) {
  EXPECT_EQ(strongswan_ike_proposal(IkePolicy{}), "aes128-sha1-modp1024");
  EXPECT_EQ(strongswan_ike_proposal(ike(Cipher::des3, Integrity::md5, DhGroup::modp1536)),
            "3des-md5-modp1536");
  EXPECT_EQ(strongswan_ike_proposal(ike(Cipher::aes256, Integrity::sha256, DhGroup::modp2048)),
            "aes256-sha256-modp2048");
  EXPECT_EQ(strongswan_ike_proposal(ike(Cipher::des, Integrity::sha1, DhGroup::modp768)),
            "des-sha1-modp768");
  EXPECT_EQ(strongswan_ike_proposal(ike(Cipher::aes192, Integrity::sha384, DhGroup::modp2048s256)),
            "aes192-sha384-modp2048s256");
  // AEAD: the integrity slot carries the PRF.
  EXPECT_EQ(strongswan_ike_proposal(ike(Cipher::aes128gcm, Integrity::sha256, DhGroup::ecp256)),
            "aes128gcm16-prfsha256-ecp256");
  EXPECT_EQ(strongswan_ike_proposal(ike(Cipher::aes256gcm, Integrity::sha512, DhGroup::ecp521)),
            "aes256gcm16-prfsha512-ecp521");
  EXPECT_EQ(strongswan_ike_proposal(ike(Cipher::aes256, Integrity::sha384, DhGroup::curve25519)),
            "aes256-sha384-curve25519");
  EXPECT_EQ(strongswan_ike_proposal(ike(Cipher::aes128, Integrity::sha1, DhGroup::ecp384)),
            "aes128-sha1-ecp384");
}

TEST(StrongswanProposals, Esp) {
  EXPECT_EQ(strongswan_esp_proposal(IpsecPolicy{}), "aes128-sha1-modp1024");
  // PFS disabled: no DH keyword at all.
  EXPECT_EQ(strongswan_esp_proposal(esp(Cipher::aes128, Integrity::sha1, DhGroup::none)),
            "aes128-sha1");
  EXPECT_EQ(strongswan_esp_proposal(esp(Cipher::aes256, Integrity::sha256, DhGroup::modp2048)),
            "aes256-sha256-modp2048");
  // GCM carries its own integrity, whatever integrity is stored.
  EXPECT_EQ(strongswan_esp_proposal(esp(Cipher::aes128gcm, Integrity::md5, DhGroup::none)),
            "aes128gcm16");
  EXPECT_EQ(strongswan_esp_proposal(esp(Cipher::aes256gcm, Integrity::sha1, DhGroup::ecp256, true)),
            "aes256gcm16-ecp256-esn");
  EXPECT_EQ(strongswan_esp_proposal(esp(Cipher::des, Integrity::md5, DhGroup::modp768)),
            "des-md5-modp768");
}

TEST(CiscoNames, Ike) {
  EXPECT_EQ(cisco_isakmp_encryption(Cipher::aes128), "aes");
  EXPECT_EQ(cisco_isakmp_encryption(Cipher::aes256), "aes 256");
  EXPECT_EQ(cisco_isakmp_encryption(Cipher::des3), "3des");
  EXPECT_FALSE(cisco_isakmp_encryption(Cipher::aes128gcm).has_value());
  EXPECT_EQ(cisco_isakmp_hash(Integrity::sha1), "sha");
  EXPECT_EQ(cisco_isakmp_hash(Integrity::sha256), "sha256");
  EXPECT_EQ(cisco_ikev2_encryption(Cipher::aes192), "aes-cbc-192");
  EXPECT_EQ(cisco_ikev2_encryption(Cipher::aes256gcm), "aes-gcm-256");
  EXPECT_EQ(cisco_ikev2_integrity(Integrity::sha1), "sha1");
}

TEST(CiscoNames, DhGroupsByNumberExceptCurve25519) {
  for (const auto& [group, name] : kDhGroupNames) {
    if (group == DhGroup::none || group == DhGroup::curve25519) {
      EXPECT_FALSE(cisco_dh_group(group).has_value()) << name;
    } else {
      EXPECT_EQ(std::to_string(cisco_dh_group(group).value()), name);
    }
  }
}

TEST(CiscoNames, Esp) {
  EXPECT_EQ(cisco_esp_encryption(Cipher::aes128), "esp-aes");
  EXPECT_EQ(cisco_esp_encryption(Cipher::aes256), "esp-aes 256");
  EXPECT_EQ(cisco_esp_encryption(Cipher::des), "esp-des");
  EXPECT_EQ(cisco_esp_encryption(Cipher::aes128gcm), "esp-gcm");
  EXPECT_EQ(cisco_esp_encryption(Cipher::aes256gcm), "esp-gcm 256");
  EXPECT_EQ(cisco_esp_integrity(Integrity::sha1), "esp-sha-hmac");
  EXPECT_EQ(cisco_esp_integrity(Integrity::md5), "esp-md5-hmac");
  EXPECT_EQ(cisco_esp_integrity(Integrity::sha256), "esp-sha256-hmac");
}

TEST(JunosNames, All) {
  EXPECT_EQ(junos_encryption(Cipher::aes128), "aes-128-cbc");
  EXPECT_EQ(junos_encryption(Cipher::des3), "3des-cbc");
  EXPECT_EQ(junos_encryption(Cipher::aes256gcm), "aes-256-gcm");
  EXPECT_EQ(junos_ike_authentication(Integrity::sha1), "sha1");
  EXPECT_EQ(junos_ike_authentication(Integrity::sha256), "sha-256");
  EXPECT_EQ(junos_esp_authentication(Integrity::sha1), "hmac-sha1-96");
  EXPECT_EQ(junos_esp_authentication(Integrity::md5), "hmac-md5-96");
  EXPECT_EQ(junos_esp_authentication(Integrity::sha256), "hmac-sha-256-128");
  for (const auto& [group, name] : kDhGroupNames) {
    if (group == DhGroup::none || group == DhGroup::curve25519)
      EXPECT_FALSE(junos_dh_group(group).has_value()) << name;
    else
      EXPECT_EQ(junos_dh_group(group).value(), "group" + std::string(name));
  }
}

TEST(FortinetNames, Proposals) {
  EXPECT_EQ(fortinet_phase1_proposal(IkePolicy{}), "aes128-sha1");
  EXPECT_EQ(fortinet_phase1_proposal(ike(Cipher::des3, Integrity::md5, DhGroup::modp1536)),
            "3des-md5");
  EXPECT_EQ(fortinet_phase1_proposal(ike(Cipher::aes256gcm, Integrity::sha384, DhGroup::ecp384)),
            "aes256gcm-prfsha384");
  EXPECT_EQ(fortinet_phase2_proposal(IpsecPolicy{}), "aes128-sha1");
  EXPECT_EQ(fortinet_phase2_proposal(esp(Cipher::aes192, Integrity::sha256, DhGroup::none)),
            "aes192-sha256");
  EXPECT_EQ(fortinet_phase2_proposal(esp(Cipher::aes128gcm, Integrity::sha1, DhGroup::none)),
            "aes128gcm");
  EXPECT_EQ(fortinet_dh_group(DhGroup::curve25519), 31);
  EXPECT_EQ(fortinet_dh_group(DhGroup::modp1024), 2);
  EXPECT_FALSE(fortinet_dh_group(DhGroup::modp2048s256).has_value());
  EXPECT_FALSE(fortinet_dh_group(DhGroup::none).has_value());
}

TEST(H3cNames, All) {
  EXPECT_EQ(h3c_ike_encryption(Cipher::aes192), "aes-cbc-192");
  EXPECT_EQ(h3c_ike_encryption(Cipher::des), "des-cbc");
  EXPECT_FALSE(h3c_ike_encryption(Cipher::aes128gcm).has_value());
  EXPECT_EQ(h3c_ike_authentication(Integrity::sha1), "sha");
  EXPECT_EQ(h3c_ike_authentication(Integrity::sha512), "sha512");
  EXPECT_EQ(h3c_cipher(Cipher::aes256gcm), "aes-gcm-256");
  EXPECT_EQ(h3c_integrity(Integrity::sha1), "sha1");
  EXPECT_EQ(h3c_dh_group(DhGroup::modp2048s256), 24);
  EXPECT_FALSE(h3c_dh_group(DhGroup::ecp521).has_value());
  EXPECT_FALSE(h3c_dh_group(DhGroup::curve25519).has_value());
}

TEST(HuaweiNames, All) {
  EXPECT_EQ(huawei_cipher(Cipher::aes128), "aes-128");
  EXPECT_EQ(huawei_cipher(Cipher::des3), "3des");
  EXPECT_FALSE(huawei_cipher(Cipher::aes256gcm).has_value());
  EXPECT_EQ(huawei_authentication(Integrity::sha256), "sha2-256");
  EXPECT_EQ(huawei_ikev2_integrity(Integrity::sha1), "hmac-sha1-96");
  EXPECT_EQ(huawei_prf(Integrity::sha384), "hmac-sha2-384");
  EXPECT_EQ(huawei_dh_group(DhGroup::ecp521), 21);
  EXPECT_FALSE(huawei_dh_group(DhGroup::modp2048s256).has_value());
  EXPECT_FALSE(huawei_dh_group(DhGroup::curve25519).has_value());
}

}  // namespace
}  // namespace vpngw
