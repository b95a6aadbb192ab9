#include "tests/dataplane/sa_fixtures.hpp"

#include <gtest/gtest.h>

#include "tests/dataplane/packet_builder.hpp"

namespace vpngw::dataplane::test {

std::string Suite::name() const {
  std::string n = std::string(name_of(cipher));
  if (integrity != EspIntegrity::none) n += "_" + std::string(name_of(integrity));
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
}

std::vector<Suite> all_suites() {
  std::vector<Suite> out;
  for (EspCipher c : {EspCipher::des_cbc, EspCipher::des3_cbc, EspCipher::aes128_cbc,
                      EspCipher::aes192_cbc, EspCipher::aes256_cbc})
    for (EspIntegrity i :
         {EspIntegrity::hmac_md5_96, EspIntegrity::hmac_sha1_96, EspIntegrity::hmac_sha256_128})
      out.push_back({c, i});
  out.push_back({EspCipher::aes128_gcm, EspIntegrity::none});
  out.push_back({EspCipher::aes256_gcm, EspIntegrity::none});
  return out;
}

SaParams make_params(SaDirection dir, const Suite& suite, const SaOptions& o) {
  SaParams p;
  p.sa_id = o.spi;
  p.direction = dir;
  p.spi = o.spi;
  p.cipher = suite.cipher;
  p.integrity = suite.integrity;
  p.cipher_key_len = info_of(suite.cipher).key_len;
  p.auth_key_len = info_of(suite.integrity).key_len;
  // Distinct bytes everywhere: no DES weak key, no equal 3DES parts.
  for (size_t k = 0; k < p.cipher_key.size(); ++k)
    p.cipher_key[k] = static_cast<uint8_t>(0x3c + 7 * k + o.key_seed);
  for (size_t k = 0; k < p.auth_key.size(); ++k)
    p.auth_key[k] = static_cast<uint8_t>(0xa1 + 5 * k + o.key_seed);
  p.tunnel_src = Ipv4Addr{kOurPublic};
  p.tunnel_dst = Ipv4Addr{kPeerPublic};
  p.udp_encap = o.udp;
  p.esn = o.esn;
  p.replay_window = o.replay_window;
  p.start_seq = o.start_seq;
  p.max_bytes = o.max_bytes;
  p.max_packets = o.max_packets;
  if (dir == SaDirection::inbound) {
    p.local_count = 1;
    p.local[0] = Cidr{Ipv4Addr{0xC6130000}, 16};  // 198.19.0.0/16: where kRemoteHost lives
    p.peer_count = 2;
    p.peer[0] = Cidr{Ipv4Addr{0xCB007100}, 24};  // an unrelated prefix first
    p.peer[1] = Cidr{Ipv4Addr{0xC6120000}, 16};  // 198.18.0.0/16: kLocalHost
  }
  return p;
}

SaPair make_pair(const ImbManager& keys, const Suite& suite, const SaOptions& options) {
  SaPair pair;
  pair.out_params = make_params(SaDirection::outbound, suite, options);
  pair.in_params = make_params(SaDirection::inbound, suite, options);
  std::string error;
  pair.out = make_outbound_sa(pair.out_params, keys, &error);
  EXPECT_NE(pair.out, nullptr) << error;
  pair.in = make_inbound_sa(pair.in_params, keys, &error);
  EXPECT_NE(pair.in, nullptr) << error;
  return pair;
}

}  // namespace vpngw::dataplane::test
