// Valid SA parameters for the table tests and benchmarks: AES-128-GCM (the
// cheapest key expansion), with the key and selectors the validator wants.
#pragma once

#include <cstdint>

#include "common/net.hpp"
#include "dataplane/sa_params.hpp"

namespace vpngw::dataplane::test {

inline constexpr Ipv4Addr kTablesOurAddr{0xC6336401};   // 198.51.100.1
inline constexpr Ipv4Addr kTablesPeerAddr{0xCB00710A};  // 203.0.113.10

inline SaParams table_test_params(SaDirection dir, uint32_t spi, uint32_t sa_id) {
  SaParams p;
  p.sa_id = sa_id;
  p.direction = dir;
  p.spi = spi;
  p.cipher = EspCipher::aes128_gcm;
  p.integrity = EspIntegrity::none;
  p.cipher_key_len = info_of(p.cipher).key_len;
  for (size_t k = 0; k < p.cipher_key_len; ++k)
    p.cipher_key[k] = static_cast<uint8_t>(0x11 + 13 * k + spi);
  // Outbound goes from us to the peer; inbound arrives from the peer at us,
  // and the table keys it by that destination.
  p.tunnel_src = dir == SaDirection::outbound ? kTablesOurAddr : kTablesPeerAddr;
  p.tunnel_dst = dir == SaDirection::outbound ? kTablesPeerAddr : kTablesOurAddr;
  if (dir == SaDirection::inbound) {
    p.local_count = 1;
    p.local[0] = Cidr{Ipv4Addr{0xC6120000}, 16};
    p.peer_count = 1;
    p.peer[0] = Cidr{Ipv4Addr{0xC6130000}, 16};
  }
  return p;
}

}  // namespace vpngw::dataplane::test
