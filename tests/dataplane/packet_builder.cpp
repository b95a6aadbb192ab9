#include "tests/dataplane/packet_builder.hpp"

#include <cstring>
#include <stdexcept>

#include "tests/dataplane/test_env.hpp"

namespace vpngw::dataplane::test {

uint16_t ipv4_checksum(std::span<const uint8_t> header) {
  uint32_t sum = 0;
  for (size_t k = 0; k + 1 < header.size(); k += 2) sum += uint32_t(header[k] << 8 | header[k + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

void set_ipv4_checksum(Bytes& p, size_t off) {
  const size_t ihl = (p[off] & 0x0f) * 4u;
  p[off + 10] = 0;
  p[off + 11] = 0;
  const uint16_t c = ipv4_checksum({p.data() + off, ihl});
  p[off + 10] = static_cast<uint8_t>(c >> 8);
  p[off + 11] = static_cast<uint8_t>(c);
}

Bytes make_inner_packet(uint32_t src, uint32_t dst, uint16_t total_len, uint32_t seed, uint8_t tos,
                        bool dont_fragment) {
  if (total_len < 28) throw std::invalid_argument("inner packet shorter than IPv4 + UDP");
  Bytes p(total_len, 0);
  p[0] = 0x45;
  p[1] = tos;
  p[2] = static_cast<uint8_t>(total_len >> 8);
  p[3] = static_cast<uint8_t>(total_len);
  p[4] = static_cast<uint8_t>(seed >> 8);
  p[5] = static_cast<uint8_t>(seed);
  p[6] = dont_fragment ? 0x40 : 0;
  p[8] = 63;
  p[9] = 17;
  for (int k = 0; k < 4; ++k) {
    p[12 + k] = static_cast<uint8_t>(src >> (24 - 8 * k));
    p[16 + k] = static_cast<uint8_t>(dst >> (24 - 8 * k));
  }
  set_ipv4_checksum(p);
  const uint16_t udp_len = static_cast<uint16_t>(total_len - 20);
  p[20] = 0x30;
  p[21] = 0x39;  // 12345
  p[22] = 0x1f;
  p[23] = 0x90;  // 8080
  p[24] = static_cast<uint8_t>(udp_len >> 8);
  p[25] = static_cast<uint8_t>(udp_len);
  // UDP checksum 0 (none); the payload is a seed-dependent pattern.
  uint32_t x = seed * 2654435761u + 1;
  for (size_t k = 28; k < p.size(); ++k) {
    x = x * 1103515245u + 12345u;
    p[k] = static_cast<uint8_t>(x >> 16);
  }
  return p;
}

std::string hex(std::span<const uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

Bytes unhex(const std::string& text) {
  if (text.size() % 2 != 0) throw std::invalid_argument("odd-length hex");
  Bytes out(text.size() / 2);
  for (size_t k = 0; k < out.size(); ++k)
    out[k] = static_cast<uint8_t>(std::stoul(text.substr(2 * k, 2), nullptr, 16));
  return out;
}

rte_mbuf* mbuf_from(std::span<const uint8_t> bytes) {
  rte_mbuf* m = rte_pktmbuf_alloc(test_pool());
  if (m == nullptr) throw std::runtime_error("mbuf pool exhausted");
  char* data = rte_pktmbuf_append(m, static_cast<uint16_t>(bytes.size()));
  if (data == nullptr) {
    rte_pktmbuf_free(m);
    throw std::runtime_error("packet larger than an mbuf");
  }
  std::memcpy(data, bytes.data(), bytes.size());
  return m;
}

Bytes bytes_of(const rte_mbuf* m) {
  const uint8_t* data = rte_pktmbuf_mtod(m, const uint8_t*);
  return Bytes(data, data + m->data_len);
}

MbufOwner::~MbufOwner() {
  for (rte_mbuf* m : owned_) rte_pktmbuf_free(m);
}

}  // namespace vpngw::dataplane::test
