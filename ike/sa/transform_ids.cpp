#include "ike/sa/transform_ids.hpp"

#include <array>

namespace vpngw::ike {

namespace {

struct DhName {
  uint16_t id;
  const char* name;
};

constexpr std::array<DhName, 13> kDhNames{{
    {0, "DH_NONE"}, {1, "MODP_768"}, {2, "MODP_1024"}, {5, "MODP_1536"}, {14, "MODP_2048"},
    {15, "MODP_3072"}, {16, "MODP_4096"}, {24, "MODP_2048_256"}, {19, "ECP_256"},
    {20, "ECP_384"}, {21, "ECP_521"}, {31, "CURVE_25519"}, {32, "CURVE_448"},
}};

Transform make(TransformType type, uint16_t id, std::optional<uint16_t> key_bits = std::nullopt) {
  Transform t;
  t.type = type;
  t.id = id;
  t.key_bits = key_bits;
  return t;
}

std::string with_bits(const char* name, const Transform& t) {
  return t.key_bits ? std::string(name) + "_" + std::to_string(*t.key_bits) : std::string(name);
}

std::string encr_name(const Transform& t) {
  switch (t.id) {
    case encr_id::des: return "DES";
    case encr_id::des3: return "3DES";
    case encr_id::null: return "NULL";
    case encr_id::aes_cbc: return with_bits("AES_CBC", t);
    case encr_id::aes_ctr: return with_bits("AES_CTR", t);
    case encr_id::aes_gcm_8: return with_bits("AES_GCM_8", t);
    case encr_id::aes_gcm_12: return with_bits("AES_GCM_12", t);
    case encr_id::aes_gcm_16: return with_bits("AES_GCM_16", t);
    case encr_id::chacha20_poly1305: return "CHACHA20_POLY1305";
    default: return with_bits(("ENCR_" + std::to_string(t.id)).c_str(), t);
  }
}

std::string prf_name(uint16_t id) {
  switch (id) {
    case prf_id::hmac_md5: return "PRF_HMAC_MD5";
    case prf_id::hmac_sha1: return "PRF_HMAC_SHA1";
    case prf_id::aes128_xcbc: return "PRF_AES128_XCBC";
    case prf_id::hmac_sha2_256: return "PRF_HMAC_SHA2_256";
    case prf_id::hmac_sha2_384: return "PRF_HMAC_SHA2_384";
    case prf_id::hmac_sha2_512: return "PRF_HMAC_SHA2_512";
    default: return "PRF_" + std::to_string(id);
  }
}

std::string integ_name(uint16_t id) {
  switch (id) {
    case integ_id::none: return "NONE";
    case integ_id::hmac_md5_96: return "HMAC_MD5_96";
    case integ_id::hmac_sha1_96: return "HMAC_SHA1_96";
    case integ_id::aes_xcbc_96: return "AES_XCBC_96";
    case integ_id::hmac_sha2_256_128: return "HMAC_SHA2_256_128";
    case integ_id::hmac_sha2_384_192: return "HMAC_SHA2_384_192";
    case integ_id::hmac_sha2_512_256: return "HMAC_SHA2_512_256";
    default: return "INTEG_" + std::to_string(id);
  }
}

std::string dh_name(uint16_t id) {
  for (const DhName& d : kDhNames)
    if (d.id == id) return d.name;
  return "DH_" + std::to_string(id);
}

}  // namespace

Transform encr_transform(Cipher cipher) {
  switch (cipher) {
    case Cipher::des: return make(TransformType::encr, encr_id::des);
    case Cipher::des3: return make(TransformType::encr, encr_id::des3);
    case Cipher::aes128: return make(TransformType::encr, encr_id::aes_cbc, 128);
    case Cipher::aes192: return make(TransformType::encr, encr_id::aes_cbc, 192);
    case Cipher::aes256: return make(TransformType::encr, encr_id::aes_cbc, 256);
    case Cipher::aes128gcm: return make(TransformType::encr, encr_id::aes_gcm_16, 128);
    case Cipher::aes256gcm: return make(TransformType::encr, encr_id::aes_gcm_16, 256);
  }
  return make(TransformType::encr, 0);
}

Transform prf_transform(Integrity prf) {
  switch (prf) {
    case Integrity::md5: return make(TransformType::prf, prf_id::hmac_md5);
    case Integrity::sha1: return make(TransformType::prf, prf_id::hmac_sha1);
    case Integrity::sha256: return make(TransformType::prf, prf_id::hmac_sha2_256);
    case Integrity::sha384: return make(TransformType::prf, prf_id::hmac_sha2_384);
    case Integrity::sha512: return make(TransformType::prf, prf_id::hmac_sha2_512);
  }
  return make(TransformType::prf, 0);
}

Transform integ_transform(Integrity integ) {
  switch (integ) {
    case Integrity::md5: return make(TransformType::integ, integ_id::hmac_md5_96);
    case Integrity::sha1: return make(TransformType::integ, integ_id::hmac_sha1_96);
    case Integrity::sha256: return make(TransformType::integ, integ_id::hmac_sha2_256_128);
    case Integrity::sha384: return make(TransformType::integ, integ_id::hmac_sha2_384_192);
    case Integrity::sha512: return make(TransformType::integ, integ_id::hmac_sha2_512_256);
  }
  return make(TransformType::integ, 0);
}

Transform dh_transform(DhGroup group) {
  return make(TransformType::dh, static_cast<uint16_t>(dh_group_number(group)));
}

Transform esn_transform(bool esn) {
  return make(TransformType::esn, esn ? esn_id::on : esn_id::off);
}

std::optional<Cipher> cipher_of(const Transform& t) {
  if (t.type != TransformType::encr) return std::nullopt;
  for (const auto& entry : kCipherNames)
    if (encr_transform(entry.value) == t) return entry.value;
  return std::nullopt;
}

std::optional<Integrity> prf_of(const Transform& t) {
  for (const auto& entry : kIntegrityNames)
    if (prf_transform(entry.value) == t) return entry.value;
  return std::nullopt;
}

std::optional<Integrity> integ_of(const Transform& t) {
  for (const auto& entry : kIntegrityNames)
    if (integ_transform(entry.value) == t) return entry.value;
  return std::nullopt;
}

std::optional<DhGroup> dh_group_of(const Transform& t) {
  for (const auto& entry : kDhGroupNames)
    if (entry.value != DhGroup::none && dh_transform(entry.value) == t) return entry.value;
  return std::nullopt;
}

std::string transform_name(const Transform& t) {
  switch (t.type) {
    case TransformType::encr: return encr_name(t);
    case TransformType::prf: return prf_name(t.id);
    case TransformType::integ: return integ_name(t.id);
    case TransformType::dh: return dh_name(t.id);
    case TransformType::esn: return t.id == esn_id::on ? "EXT_SEQ" : "NO_EXT_SEQ";
  }
  return "TYPE" + std::to_string(static_cast<unsigned>(t.type)) + "_" + std::to_string(t.id);
}

std::string describe(const Proposal& proposal) {
  // The order IKE implementations log in: ENCR/INTEG/PRF/DH/ESN, then others.
  constexpr std::array<TransformType, 5> kOrder{TransformType::encr, TransformType::integ,
                                                TransformType::prf, TransformType::dh,
                                                TransformType::esn};
  auto known = [&](TransformType type) {
    for (TransformType k : kOrder)
      if (k == type) return true;
    return false;
  };
  std::string out;
  auto add_group = [&](auto&& belongs) {
    std::string group;
    for (const Transform& t : proposal.transforms) {
      if (!belongs(t)) continue;
      if (!group.empty()) group += ",";
      group += transform_name(t);
    }
    if (group.empty()) return;
    if (!out.empty()) out += "/";
    out += group;
  };
  for (TransformType type : kOrder) add_group([&](const Transform& t) { return t.type == type; });
  add_group([&](const Transform& t) { return !known(t.type); });
  return out.empty() ? "(no transforms)" : out;
}

}  // namespace vpngw::ike
