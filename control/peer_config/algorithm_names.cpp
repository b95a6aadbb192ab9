#include "control/peer_config/algorithm_names.hpp"

namespace vpngw {

std::string_view strongswan_cipher(Cipher c) {
  switch (c) {
    case Cipher::des: return "des";
    case Cipher::des3: return "3des";
    case Cipher::aes128: return "aes128";
    case Cipher::aes192: return "aes192";
    case Cipher::aes256: return "aes256";
    // The 16 is the ICV length in bytes: RFC 4106's only length we offer.
    case Cipher::aes128gcm: return "aes128gcm16";
    case Cipher::aes256gcm: return "aes256gcm16";
  }
  return "?";
}

std::string_view strongswan_integrity(Integrity i) {
  switch (i) {
    case Integrity::md5: return "md5";
    case Integrity::sha1: return "sha1";
    case Integrity::sha256: return "sha256";
    case Integrity::sha384: return "sha384";
    case Integrity::sha512: return "sha512";
  }
  return "?";
}

std::string_view strongswan_prf(Integrity i) {
  switch (i) {
    case Integrity::md5: return "prfmd5";
    case Integrity::sha1: return "prfsha1";
    case Integrity::sha256: return "prfsha256";
    case Integrity::sha384: return "prfsha384";
    case Integrity::sha512: return "prfsha512";
  }
  return "?";
}

std::string_view strongswan_dh(DhGroup g) {
  switch (g) {
    case DhGroup::none: return "";
    case DhGroup::modp768: return "modp768";
    case DhGroup::modp1024: return "modp1024";
    case DhGroup::modp1536: return "modp1536";
    case DhGroup::modp2048: return "modp2048";
    case DhGroup::modp2048s256: return "modp2048s256";
    case DhGroup::ecp256: return "ecp256";
    case DhGroup::ecp384: return "ecp384";
    case DhGroup::ecp521: return "ecp521";
    case DhGroup::curve25519: return "curve25519";
  }
  return "?";
}

namespace {

void append_keyword(std::string& proposal, std::string_view keyword) {
  if (keyword.empty()) return;
  if (!proposal.empty()) proposal += '-';
  proposal += keyword;
}

}  // namespace

std::string strongswan_ike_proposal(const IkePolicy& ike) {
  std::string p;
  append_keyword(p, strongswan_cipher(ike.encryption));
  // An AEAD cipher needs no integrity algorithm, but IKE still needs a PRF,
  // which strongSwan otherwise derives from the integrity keyword.
  append_keyword(p, is_aead(ike.encryption) ? strongswan_prf(ike.integrity)
                                            : strongswan_integrity(ike.integrity));
  append_keyword(p, strongswan_dh(ike.dh_group));
  return p;
}

std::string strongswan_esp_proposal(const IpsecPolicy& ipsec) {
  std::string p;
  append_keyword(p, strongswan_cipher(ipsec.encryption));
  if (!is_aead(ipsec.encryption)) append_keyword(p, strongswan_integrity(ipsec.integrity));
  append_keyword(p, strongswan_dh(ipsec.pfs));
  if (ipsec.esn) append_keyword(p, "esn");
  return p;
}

std::optional<std::string_view> cisco_isakmp_encryption(Cipher c) {
  switch (c) {
    case Cipher::des: return "des";
    case Cipher::des3: return "3des";
    case Cipher::aes128: return "aes";
    case Cipher::aes192: return "aes 192";
    case Cipher::aes256: return "aes 256";
    case Cipher::aes128gcm:
    case Cipher::aes256gcm: return std::nullopt;  // IKEv1 has no AEAD ciphers
  }
  return std::nullopt;
}

std::string_view cisco_isakmp_hash(Integrity i) {
  switch (i) {
    case Integrity::md5: return "md5";
    case Integrity::sha1: return "sha";
    case Integrity::sha256: return "sha256";
    case Integrity::sha384: return "sha384";
    case Integrity::sha512: return "sha512";
  }
  return "?";
}

std::string_view cisco_ikev2_encryption(Cipher c) {
  switch (c) {
    case Cipher::des: return "des";
    case Cipher::des3: return "3des";
    case Cipher::aes128: return "aes-cbc-128";
    case Cipher::aes192: return "aes-cbc-192";
    case Cipher::aes256: return "aes-cbc-256";
    case Cipher::aes128gcm: return "aes-gcm-128";
    case Cipher::aes256gcm: return "aes-gcm-256";
  }
  return "?";
}

std::string_view cisco_ikev2_integrity(Integrity i) {
  switch (i) {
    case Integrity::md5: return "md5";
    case Integrity::sha1: return "sha1";
    case Integrity::sha256: return "sha256";
    case Integrity::sha384: return "sha384";
    case Integrity::sha512: return "sha512";
  }
  return "?";
}

std::optional<int> cisco_dh_group(DhGroup g) {
  switch (g) {
    case DhGroup::none: return std::nullopt;
    case DhGroup::modp768:
    case DhGroup::modp1024:
    case DhGroup::modp1536:
    case DhGroup::modp2048:
    case DhGroup::modp2048s256:
    case DhGroup::ecp256:
    case DhGroup::ecp384:
    case DhGroup::ecp521: return dh_group_number(g);
    case DhGroup::curve25519: return std::nullopt;  // not in classic IOS crypto
  }
  return std::nullopt;
}

std::string_view cisco_esp_encryption(Cipher c) {
  switch (c) {
    case Cipher::des: return "esp-des";
    case Cipher::des3: return "esp-3des";
    case Cipher::aes128: return "esp-aes";
    case Cipher::aes192: return "esp-aes 192";
    case Cipher::aes256: return "esp-aes 256";
    case Cipher::aes128gcm: return "esp-gcm";
    case Cipher::aes256gcm: return "esp-gcm 256";
  }
  return "?";
}

std::string_view cisco_esp_integrity(Integrity i) {
  switch (i) {
    case Integrity::md5: return "esp-md5-hmac";
    case Integrity::sha1: return "esp-sha-hmac";
    case Integrity::sha256: return "esp-sha256-hmac";
    case Integrity::sha384: return "esp-sha384-hmac";
    case Integrity::sha512: return "esp-sha512-hmac";
  }
  return "?";
}

std::string_view junos_encryption(Cipher c) {
  switch (c) {
    case Cipher::des: return "des-cbc";
    case Cipher::des3: return "3des-cbc";
    case Cipher::aes128: return "aes-128-cbc";
    case Cipher::aes192: return "aes-192-cbc";
    case Cipher::aes256: return "aes-256-cbc";
    case Cipher::aes128gcm: return "aes-128-gcm";
    case Cipher::aes256gcm: return "aes-256-gcm";
  }
  return "?";
}

std::string_view junos_ike_authentication(Integrity i) {
  switch (i) {
    case Integrity::md5: return "md5";
    case Integrity::sha1: return "sha1";
    case Integrity::sha256: return "sha-256";
    case Integrity::sha384: return "sha-384";
    case Integrity::sha512: return "sha-512";
  }
  return "?";
}

std::string_view junos_esp_authentication(Integrity i) {
  switch (i) {
    case Integrity::md5: return "hmac-md5-96";
    case Integrity::sha1: return "hmac-sha1-96";
    case Integrity::sha256: return "hmac-sha-256-128";
    case Integrity::sha384: return "hmac-sha-384-192";
    case Integrity::sha512: return "hmac-sha-512-256";
  }
  return "?";
}

std::optional<std::string_view> junos_dh_group(DhGroup g) {
  switch (g) {
    case DhGroup::none: return std::nullopt;
    case DhGroup::modp768: return "group1";
    case DhGroup::modp1024: return "group2";
    case DhGroup::modp1536: return "group5";
    case DhGroup::modp2048: return "group14";
    case DhGroup::modp2048s256: return "group24";
    case DhGroup::ecp256: return "group19";
    case DhGroup::ecp384: return "group20";
    case DhGroup::ecp521: return "group21";
    case DhGroup::curve25519: return std::nullopt;  // SRX offers no X25519 group
  }
  return std::nullopt;
}

namespace {

// FortiOS names ciphers like strongSwan but spells GCM without the ICV length.
std::string_view fortinet_cipher(Cipher c) {
  switch (c) {
    case Cipher::aes128gcm: return "aes128gcm";
    case Cipher::aes256gcm: return "aes256gcm";
    default: return strongswan_cipher(c);
  }
}

}  // namespace

std::string fortinet_phase1_proposal(const IkePolicy& ike) {
  std::string p(fortinet_cipher(ike.encryption));
  p += is_aead(ike.encryption) ? "-prf" : "-";
  return p + std::string(strongswan_integrity(ike.integrity));
}

std::string fortinet_phase2_proposal(const IpsecPolicy& ipsec) {
  std::string p(fortinet_cipher(ipsec.encryption));
  if (!is_aead(ipsec.encryption)) p += "-" + std::string(strongswan_integrity(ipsec.integrity));
  return p;
}

std::optional<int> fortinet_dh_group(DhGroup g) {
  switch (g) {
    case DhGroup::none: return std::nullopt;
    case DhGroup::modp2048s256: return std::nullopt;  // FortiOS offers no group 24
    case DhGroup::modp768:
    case DhGroup::modp1024:
    case DhGroup::modp1536:
    case DhGroup::modp2048:
    case DhGroup::ecp256:
    case DhGroup::ecp384:
    case DhGroup::ecp521:
    case DhGroup::curve25519: return dh_group_number(g);
  }
  return std::nullopt;
}

std::optional<std::string_view> h3c_ike_encryption(Cipher c) {
  if (is_aead(c)) return std::nullopt;
  return h3c_cipher(c);
}

std::string_view h3c_ike_authentication(Integrity i) {
  return i == Integrity::sha1 ? "sha" : h3c_integrity(i);
}

std::string_view h3c_cipher(Cipher c) {
  switch (c) {
    case Cipher::des: return "des-cbc";
    case Cipher::des3: return "3des-cbc";
    case Cipher::aes128: return "aes-cbc-128";
    case Cipher::aes192: return "aes-cbc-192";
    case Cipher::aes256: return "aes-cbc-256";
    case Cipher::aes128gcm: return "aes-gcm-128";
    case Cipher::aes256gcm: return "aes-gcm-256";
  }
  return "?";
}

std::string_view h3c_integrity(Integrity i) { return strongswan_integrity(i); }

std::optional<int> h3c_dh_group(DhGroup g) {
  switch (g) {
    case DhGroup::modp768:
    case DhGroup::modp1024:
    case DhGroup::modp1536:
    case DhGroup::modp2048:
    case DhGroup::modp2048s256:
    case DhGroup::ecp256:
    case DhGroup::ecp384: return dh_group_number(g);
    case DhGroup::none:
    case DhGroup::ecp521:
    case DhGroup::curve25519: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string_view> huawei_cipher(Cipher c) {
  switch (c) {
    case Cipher::des: return "des";
    case Cipher::des3: return "3des";
    case Cipher::aes128: return "aes-128";
    case Cipher::aes192: return "aes-192";
    case Cipher::aes256: return "aes-256";
    case Cipher::aes128gcm:
    case Cipher::aes256gcm: return std::nullopt;
  }
  return std::nullopt;
}

std::string_view huawei_authentication(Integrity i) {
  switch (i) {
    case Integrity::md5: return "md5";
    case Integrity::sha1: return "sha1";
    case Integrity::sha256: return "sha2-256";
    case Integrity::sha384: return "sha2-384";
    case Integrity::sha512: return "sha2-512";
  }
  return "?";
}

std::string_view huawei_ikev2_integrity(Integrity i) {
  switch (i) {
    case Integrity::md5: return "hmac-md5-96";
    case Integrity::sha1: return "hmac-sha1-96";
    case Integrity::sha256: return "hmac-sha2-256";
    case Integrity::sha384: return "hmac-sha2-384";
    case Integrity::sha512: return "hmac-sha2-512";
  }
  return "?";
}

std::string_view huawei_prf(Integrity i) {
  switch (i) {
    case Integrity::md5: return "hmac-md5";
    case Integrity::sha1: return "hmac-sha1";
    case Integrity::sha256: return "hmac-sha2-256";
    case Integrity::sha384: return "hmac-sha2-384";
    case Integrity::sha512: return "hmac-sha2-512";
  }
  return "?";
}

std::optional<int> huawei_dh_group(DhGroup g) {
  switch (g) {
    case DhGroup::modp768:
    case DhGroup::modp1024:
    case DhGroup::modp1536:
    case DhGroup::modp2048:
    case DhGroup::ecp256:
    case DhGroup::ecp384:
    case DhGroup::ecp521: return dh_group_number(g);
    case DhGroup::none:
    case DhGroup::modp2048s256:
    case DhGroup::curve25519: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace vpngw
