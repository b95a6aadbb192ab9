#include "control/ike/ike_frames.hpp"

namespace vpngw::ike_glue {

namespace {

constexpr size_t kEthLen = 14;
constexpr size_t kIpLen = 20;
constexpr size_t kUdpLen = 8;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint8_t kProtoUdp = 17;
constexpr uint16_t kIkePort = 500;
constexpr size_t kMarkerLen = 4;

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}

// RFC 1071 one's-complement sum, folded at the end by finish().
uint32_t sum16(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (; n > 1; p += 2, n -= 2) sum += get16(p);
  if (n) sum += uint32_t{p[0]} << 8;
  return sum;
}
uint16_t finish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Ethernet + IPv4 + UDP around `payload` (already including any marker).
ike::Bytes build_udp_frame(const ike::Endpoint& src, const ike::Endpoint& dst, ike::ByteView payload,
                           const MacAddr& src_mac, const MacAddr& dst_mac, uint16_t ip_id) {
  const size_t udp_len = kUdpLen + payload.size();
  ike::Bytes f(kEthLen + kIpLen + udp_len);
  uint8_t* eth = f.data();
  std::copy(dst_mac.begin(), dst_mac.end(), eth);
  std::copy(src_mac.begin(), src_mac.end(), eth + 6);
  put16(eth + 12, kEtherTypeIpv4);

  uint8_t* ip = eth + kEthLen;
  ip[0] = 0x45;
  put16(ip + 2, static_cast<uint16_t>(kIpLen + udp_len));
  put16(ip + 4, ip_id);
  ip[8] = 64;
  ip[9] = kProtoUdp;
  put32(ip + 12, src.address.value);
  put32(ip + 16, dst.address.value);
  put16(ip + 10, finish(sum16(ip, kIpLen)));

  uint8_t* udp = ip + kIpLen;
  put16(udp, src.port);
  put16(udp + 2, dst.port);
  put16(udp + 4, static_cast<uint16_t>(udp_len));
  std::copy(payload.begin(), payload.end(), udp + kUdpLen);
  // Pseudo header (addresses, protocol, UDP length), then header and data.
  uint32_t sum = sum16(ip + 12, 8);
  sum += kProtoUdp + static_cast<uint32_t>(udp_len);
  uint16_t csum = finish(sum16(udp, udp_len, sum));
  put16(udp + 6, csum == 0 ? 0xffff : csum);
  return f;
}

}  // namespace

std::optional<ReceivedIke> parse_ike_frame(ike::ByteView frame) {
  if (frame.size() < kEthLen + kIpLen + kUdpLen) return std::nullopt;
  const uint8_t* eth = frame.data();
  if (get16(eth + 12) != kEtherTypeIpv4) return std::nullopt;
  const uint8_t* ip = eth + kEthLen;
  const size_t ip_room = frame.size() - kEthLen;
  if ((ip[0] >> 4) != 4) return std::nullopt;
  const size_t ihl = size_t{ip[0] & 0x0fu} * 4;
  const size_t total = get16(ip + 2);
  if (ihl < kIpLen || total < ihl + kUdpLen || total > ip_room) return std::nullopt;
  if (ip[9] != kProtoUdp) return std::nullopt;
  if ((get16(ip + 6) & 0x3fff) != 0) return std::nullopt;  // MF or an offset: a fragment
  const uint8_t* udp = ip + ihl;
  const size_t udp_len = get16(udp + 4);
  if (udp_len < kUdpLen || udp_len > total - ihl) return std::nullopt;

  ReceivedIke r;
  r.datagram.remote = {Ipv4Addr{get32(ip + 12)}, get16(udp)};
  r.datagram.local = {Ipv4Addr{get32(ip + 16)}, get16(udp + 2)};
  const uint8_t* body = udp + kUdpLen;
  size_t body_len = udp_len - kUdpLen;
  if (r.datagram.local.port != kIkePort) {
    if (body_len == 1 && body[0] == 0xff) {
      r.keepalive = true;
      return r;
    }
    if (body_len < kMarkerLen || get32(body) != 0) return std::nullopt;
    body += kMarkerLen;
    body_len -= kMarkerLen;
  }
  r.datagram.bytes.assign(body, body + body_len);
  return r;
}

ike::Bytes build_ike_frame(const ike::Datagram& d, const MacAddr& src_mac, const MacAddr& dst_mac, uint16_t ip_id) {
  if (d.local.port == kIkePort && d.remote.port == kIkePort)
    return build_udp_frame(d.local, d.remote, d.bytes, src_mac, dst_mac, ip_id);
  ike::Bytes payload(kMarkerLen, 0);
  ike::append(payload, d.bytes);
  return build_udp_frame(d.local, d.remote, payload, src_mac, dst_mac, ip_id);
}

ike::Bytes build_keepalive_frame(const ike::Endpoint& local, const ike::Endpoint& remote, const MacAddr& src_mac,
                                 const MacAddr& dst_mac, uint16_t ip_id) {
  const uint8_t one = 0xff;
  return build_udp_frame(local, remote, ike::ByteView(&one, 1), src_mac, dst_mac, ip_id);
}

}  // namespace vpngw::ike_glue
