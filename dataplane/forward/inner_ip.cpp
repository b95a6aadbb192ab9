#include "dataplane/forward/inner_ip.hpp"

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_tcp.h>

#include <array>

namespace vpngw::dataplane::forward {

namespace {

inline constexpr uint8_t kTcpOptionEnd = 0;
inline constexpr uint8_t kTcpOptionNop = 1;
inline constexpr uint8_t kTcpOptionMss = 2;
inline constexpr uint8_t kIpOptionEnd = 0;
inline constexpr uint8_t kIpOptionNop = 1;
inline constexpr uint8_t kIpOptionCopied = 0x80;  // RFC 791: copied into every fragment

uint16_t swap16(uint16_t v) { return static_cast<uint16_t>((v << 8) | (v >> 8)); }

bool is_icmp_error_type(uint8_t type) {
  // Destination unreachable, source quench, redirect, time exceeded,
  // parameter problem.
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

bool unicast_host(uint32_t addr_host) {
  const uint32_t first = addr_host >> 24;
  return addr_host != 0 && first != 127 && first < 224;
}

// The options of an IPv4 header that go into every fragment, padded with
// end-of-options to a multiple of 4. Returns their length.
uint32_t copied_options(const uint8_t* opts, uint32_t len, uint8_t* out) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < len;) {
    const uint8_t type = opts[i];
    if (type == kIpOptionEnd) break;
    if (type == kIpOptionNop) {
      ++i;
      continue;
    }
    if (i + 1 >= len) break;
    const uint8_t opt_len = opts[i + 1];
    if (opt_len < 2 || i + opt_len > len) break;
    if (type & kIpOptionCopied) {
      std::memcpy(out + n, opts + i, opt_len);
      n += opt_len;
    }
    i += opt_len;
  }
  while (n % 4 != 0) out[n++] = kIpOptionEnd;
  return n;
}

}  // namespace

bool is_tcp_syn(const rte_ipv4_hdr* ip, uint32_t len) noexcept {
  if (ip->next_proto_id != IPPROTO_TCP) return false;
  if ((rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0) return false;
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t total = std::min<uint32_t>(rte_be_to_cpu_16(ip->total_length), len);
  if (total < ihl + kTcpMinHeader) return false;
  const auto* tcp =
      reinterpret_cast<const rte_tcp_hdr*>(reinterpret_cast<const uint8_t*>(ip) + ihl);
  return (tcp->tcp_flags & RTE_TCP_SYN_FLAG) != 0;
}

bool clamp_tcp_mss(rte_ipv4_hdr* ip, uint32_t len, uint16_t max_mss) noexcept {
  if (!is_tcp_syn(ip, len)) return false;
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t total = std::min<uint32_t>(rte_be_to_cpu_16(ip->total_length), len);
  auto* tcp = reinterpret_cast<rte_tcp_hdr*>(reinterpret_cast<uint8_t*>(ip) + ihl);
  const uint32_t data_off = static_cast<uint32_t>(tcp->data_off >> 4) * 4;
  if (data_off < kTcpMinHeader || ihl + data_off > total) return false;
  auto* th = reinterpret_cast<uint8_t*>(tcp);
  for (uint32_t i = kTcpMinHeader; i < data_off;) {
    const uint8_t kind = th[i];
    if (kind == kTcpOptionEnd) return false;
    if (kind == kTcpOptionNop) {
      ++i;
      continue;
    }
    if (i + 1 >= data_off) return false;
    const uint8_t opt_len = th[i + 1];
    if (opt_len < 2 || i + opt_len > data_off) return false;
    if (kind == kTcpOptionMss && opt_len == 4) {
      uint8_t* field = th + i + 2;
      const uint16_t mss = static_cast<uint16_t>(field[0] << 8 | field[1]);
      if (mss <= max_mss) return false;
      uint16_t before;
      std::memcpy(&before, field, 2);
      field[0] = static_cast<uint8_t>(max_mss >> 8);
      field[1] = static_cast<uint8_t>(max_mss);
      uint16_t after;
      std::memcpy(&after, field, 2);
      // The checksum sums 16-bit words from the TCP header's start; a field
      // at an odd offset straddles two of them, which amounts to summing it
      // byte-swapped.
      if ((i + 2) % 2 != 0) {
        before = swap16(before);
        after = swap16(after);
      }
      tcp->cksum = checksum_update16(tcp->cksum, before, after);
      return true;
    }
    i += opt_len;
  }
  return false;
}

bool may_send_icmp_error(const rte_ipv4_hdr* ip) noexcept {
  if ((rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0) return false;
  if (!unicast_host(rte_be_to_cpu_32(ip->src_addr))) return false;
  const uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
  if (dst >> 28 == 0xe || dst == 0xffffffff) return false;
  if (ip->next_proto_id == IPPROTO_ICMP) {
    const uint32_t ihl = rte_ipv4_hdr_len(ip);
    if (rte_be_to_cpu_16(ip->total_length) < ihl + 1) return false;
    const uint8_t type = reinterpret_cast<const uint8_t*>(ip)[ihl];
    if (is_icmp_error_type(type)) return false;
  }
  return true;
}

rte_mbuf* make_icmp_error(rte_mempool* pool, const rte_ipv4_hdr* ip, uint32_t len, uint8_t type,
                          uint8_t code, uint16_t next_hop_mtu, uint32_t src_be,
                          uint8_t ttl) noexcept {
  constexpr uint32_t kHeaders = sizeof(rte_ipv4_hdr) + sizeof(rte_icmp_hdr);
  const uint32_t total = std::min<uint32_t>(rte_be_to_cpu_16(ip->total_length), len);
  const uint32_t quote = std::min(total, kIcmpErrorMaxLen - kHeaders);
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (m == nullptr) return nullptr;
  auto* frame = reinterpret_cast<uint8_t*>(
      rte_pktmbuf_append(m, static_cast<uint16_t>(sizeof(rte_ether_hdr) + kHeaders + quote)));
  if (frame == nullptr) {
    rte_pktmbuf_free(m);
    return nullptr;
  }
  auto* eth = reinterpret_cast<rte_ether_hdr*>(frame);
  std::memset(eth, 0, sizeof(*eth));
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

  auto* out = reinterpret_cast<rte_ipv4_hdr*>(frame + sizeof(rte_ether_hdr));
  out->version_ihl = RTE_IPV4_VHL_DEF;
  out->type_of_service = 0xc0;  // precedence "internetwork control", as hosts send ICMP errors
  out->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(kHeaders + quote));
  out->packet_id = 0;
  out->fragment_offset = 0;
  out->time_to_live = ttl;
  out->next_proto_id = IPPROTO_ICMP;
  out->hdr_checksum = 0;
  out->src_addr = src_be;
  out->dst_addr = ip->src_addr;
  out->hdr_checksum = rte_ipv4_cksum(out);

  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(out + 1);
  icmp->icmp_type = type;
  icmp->icmp_code = code;
  icmp->icmp_cksum = 0;
  // Type 3 code 4 carries the next-hop MTU in the low half of the second
  // word (RFC 1191); the rest of the word is unused (zero).
  icmp->icmp_ident = 0;
  icmp->icmp_seq_nb = type == kIcmpDestUnreachable && code == kIcmpFragNeeded
                          ? rte_cpu_to_be_16(next_hop_mtu)
                          : 0;
  std::memcpy(icmp + 1, ip, quote);
  icmp->icmp_cksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, sizeof(*icmp) + quote));
  return m;
}

uint16_t fragment_ipv4(rte_mbuf* m, uint32_t max_len, rte_mbuf** out,
                       uint16_t max_fragments) noexcept {
  auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t total = rte_be_to_cpu_16(ip->total_length);
  if (total <= max_len || max_len < ihl + 8) return 0;
  std::array<uint8_t, 40> options{};
  const uint32_t later_options =
      copied_options(reinterpret_cast<const uint8_t*>(ip + 1), ihl - kIpv4MinHeader,
                     options.data());
  const uint32_t later_ihl = kIpv4MinHeader + later_options;
  const uint32_t first_data = (max_len - ihl) & ~7u;
  const uint32_t later_data = (max_len - later_ihl) & ~7u;
  const uint32_t payload = total - ihl;
  const uint32_t count = 1 + (payload - first_data + later_data - 1) / later_data;
  if (count > max_fragments) return 0;

  const uint16_t field = rte_be_to_cpu_16(ip->fragment_offset);
  const uint16_t base_offset = field & RTE_IPV4_HDR_OFFSET_MASK;  // in 8-byte units
  const bool more_after = (field & RTE_IPV4_HDR_MF_FLAG) != 0;
  const uint8_t* data = reinterpret_cast<const uint8_t*>(ip) + ihl;

  // The later fragments first, copied out of the packet before it is cut
  // down to the first fragment.
  uint32_t offset = first_data;
  for (uint32_t k = 1; k < count; ++k) {
    const uint32_t size = std::min(later_data, payload - offset);
    rte_mbuf* f = rte_pktmbuf_alloc(m->pool);
    uint8_t* bytes =
        f != nullptr ? reinterpret_cast<uint8_t*>(
                           rte_pktmbuf_append(f, static_cast<uint16_t>(later_ihl + size)))
                     : nullptr;
    if (bytes == nullptr) {
      rte_pktmbuf_free(f);
      for (uint32_t j = 1; j < k; ++j) rte_pktmbuf_free(out[j]);
      return 0;
    }
    auto* h = reinterpret_cast<rte_ipv4_hdr*>(bytes);
    std::memcpy(h, ip, kIpv4MinHeader);
    std::memcpy(h + 1, options.data(), later_options);
    h->version_ihl = static_cast<uint8_t>(0x40 | (later_ihl / 4));
    h->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(later_ihl + size));
    const bool last = k + 1 == count;
    h->fragment_offset = rte_cpu_to_be_16(static_cast<uint16_t>(
        (base_offset + offset / 8) | (!last || more_after ? RTE_IPV4_HDR_MF_FLAG : 0)));
    h->hdr_checksum = 0;
    h->hdr_checksum = rte_ipv4_cksum(h);
    std::memcpy(bytes + later_ihl, data + offset, size);
    out[k] = f;
    offset += size;
  }

  ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(ihl + first_data));
  ip->fragment_offset = rte_cpu_to_be_16(static_cast<uint16_t>(base_offset | RTE_IPV4_HDR_MF_FLAG));
  ip->hdr_checksum = 0;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  rte_pktmbuf_trim(m, static_cast<uint16_t>(rte_pktmbuf_pkt_len(m) - (ihl + first_data)));
  out[0] = m;
  return static_cast<uint16_t>(count);
}

}  // namespace vpngw::dataplane::forward
