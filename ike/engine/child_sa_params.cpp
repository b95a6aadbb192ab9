#include "ike/engine/child_sa_params.hpp"

#include <algorithm>
#include <stdexcept>

#include "ike/sa/transform_ids.hpp"

namespace vpngw::ike {

bool dataplane_supports(const EspSuite& suite) {
  return !suite.integrity || *suite.integrity == Integrity::md5 ||
         *suite.integrity == Integrity::sha1 || *suite.integrity == Integrity::sha256;
}

dataplane::EspCipher esp_cipher(Cipher cipher) {
  using dataplane::EspCipher;
  switch (cipher) {
    case Cipher::des: return EspCipher::des_cbc;
    case Cipher::des3: return EspCipher::des3_cbc;
    case Cipher::aes128: return EspCipher::aes128_cbc;
    case Cipher::aes192: return EspCipher::aes192_cbc;
    case Cipher::aes256: return EspCipher::aes256_cbc;
    case Cipher::aes128gcm: return EspCipher::aes128_gcm;
    case Cipher::aes256gcm: return EspCipher::aes256_gcm;
  }
  throw std::logic_error("unknown cipher");
}

dataplane::EspIntegrity esp_integrity(std::optional<Integrity> integrity) {
  using dataplane::EspIntegrity;
  if (!integrity) return EspIntegrity::none;
  switch (*integrity) {
    case Integrity::md5: return EspIntegrity::hmac_md5_96;
    case Integrity::sha1: return EspIntegrity::hmac_sha1_96;
    case Integrity::sha256: return EspIntegrity::hmac_sha256_128;
    default: break;  // sha384/512 are not ESP integrity algorithms of the dataplane
  }
  throw std::logic_error("integrity algorithm the dataplane does not implement");
}

dataplane::SaParams make_sa_params(dataplane::SaDirection direction, const EspSuite& suite,
                                   const ChildSaSide& keys, const ChildSaAddressing& addressing,
                                   const std::vector<Cidr>& local, const std::vector<Cidr>& peer,
                                   uint64_t lifetime_kb) {
  dataplane::SaParams p;
  p.direction = direction;
  p.spi = keys.spi;
  p.cipher = esp_cipher(suite.encryption);
  p.integrity = esp_integrity(suite.integrity);
  p.cipher_key_len = static_cast<uint8_t>(std::min(keys.encryption_key.size(), p.cipher_key.size()));
  std::copy_n(keys.encryption_key.begin(), p.cipher_key_len, p.cipher_key.begin());
  p.auth_key_len = static_cast<uint8_t>(std::min(keys.integrity_key.size(), p.auth_key.size()));
  std::copy_n(keys.integrity_key.begin(), p.auth_key_len, p.auth_key.begin());
  const bool outbound = direction == dataplane::SaDirection::outbound;
  p.tunnel_src = outbound ? addressing.gateway_ip : addressing.peer_ip;
  p.tunnel_dst = outbound ? addressing.peer_ip : addressing.gateway_ip;
  p.udp_encap = addressing.udp_encap;
  if (p.udp_encap) {
    p.udp_src_port = outbound ? addressing.our_port : addressing.peer_port;
    p.udp_dst_port = outbound ? addressing.peer_port : addressing.our_port;
  }
  p.esn = suite.esn;
  p.replay_window = 1024;
  p.max_bytes = lifetime_kb * 1024;
  p.local_count = static_cast<uint8_t>(std::min(local.size(), p.local.size()));
  std::copy_n(local.begin(), p.local_count, p.local.begin());
  p.peer_count = static_cast<uint8_t>(std::min(peer.size(), p.peer.size()));
  std::copy_n(peer.begin(), p.peer_count, p.peer.begin());
  return p;
}

std::string describe(const EspSuite& suite) {
  std::string out = transform_name(encr_transform(suite.encryption));
  if (suite.integrity) out += "/" + transform_name(integ_transform(*suite.integrity));
  if (suite.pfs != DhGroup::none) out += "/" + transform_name(dh_transform(suite.pfs));
  if (suite.esn) out += "/ESN";
  return out;
}

std::string describe(const IkeSuite& suite) {
  std::string out = transform_name(encr_transform(suite.encryption));
  if (suite.integrity) out += "/" + transform_name(integ_transform(*suite.integrity));
  out += "/" + transform_name(prf_transform(suite.prf));
  out += "/" + transform_name(dh_transform(suite.dh));
  return out;
}

}  // namespace vpngw::ike
