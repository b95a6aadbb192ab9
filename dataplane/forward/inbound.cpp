// Inbound: ESP and ESP-in-UDP from the public port become inner packets on
// the private port. As outbound, each step works on the whole burst and
// compacts the survivors.
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include <array>
#include <cstring>

#include "dataplane/esp_decap.hpp"
#include "dataplane/forward/stages.hpp"

namespace vpngw::dataplane::forward {

namespace {

inline constexpr uint16_t kNatTraversalPort = 4500;  // RFC 3948

struct InboundBurst {
  std::array<rte_mbuf*, kStageBurst> pkts;
  std::array<InboundKey, kStageBurst> keys;
  std::array<const InboundKey*, kStageBurst> key_ptrs;
  std::array<SaRef<InboundSa>, kStageBurst> refs;
  std::array<InboundSa*, kStageBurst> sas;
  uint16_t n = 0;
};

// Offset of the ESP header from the IPv4 header, or 0 when the packet is not
// ESP (proto 50) or ESP-in-UDP to port 4500 with room for the SPI. The I/O
// layer has already punted IKE (the non-ESP marker) to the control thread.
uint32_t esp_offset(const rte_ipv4_hdr* ip) {
  const uint32_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t total = rte_be_to_cpu_16(ip->total_length);
  uint32_t off = 0;
  if (ip->next_proto_id == IPPROTO_ESP) {
    off = ihl;
  } else if (ip->next_proto_id == IPPROTO_UDP && total >= ihl + sizeof(rte_udp_hdr)) {
    const auto* udp = reinterpret_cast<const rte_udp_hdr*>(
        reinterpret_cast<const uint8_t*>(ip) + ihl);
    if (udp->dst_port != rte_cpu_to_be_16(kNatTraversalPort)) return 0;
    off = ihl + sizeof(rte_udp_hdr);
  } else {
    return 0;
  }
  // The ESP core checks fragments and lengths with its own reasons; here
  // only the SPI must be readable.
  return off + sizeof(uint32_t) <= total ? off : 0;
}

// Ethernet off, ESP found, key built; survivors keep their order.
void parse(ForwardContext& ctx, rte_mbuf** in, uint16_t n, InboundBurst& b) {
  for (uint16_t i = 0; i < n; ++i) {
    if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(in[i + 1], void*));
    rte_mbuf* m = in[i];
    const rte_ipv4_hdr* ip = ipv4_after_ethernet(m);
    if (ip == nullptr) {
      drop_packet(ctx, ForwardDrop::not_ipv4, m);
      continue;
    }
    const uint32_t off = esp_offset(ip);
    if (off == 0) {
      drop_packet(ctx, ForwardDrop::not_esp, m);
      continue;
    }
    InboundKey& key = b.keys[b.n];
    std::memcpy(&key.spi_be, reinterpret_cast<const uint8_t*>(ip) + off, sizeof(key.spi_be));
    key.dst_be = ip->dst_addr;
    b.key_ptrs[b.n] = &key;
    strip_ethernet(m, ip);
    b.pkts[b.n++] = m;
  }
}

// (SPI, dst) -> SA; packets owned elsewhere are handed off.
void look_up(ForwardContext& ctx, io::WorkerContext& worker, InboundBurst& b) {
  ctx.shared->sas->inbound().lookup_burst(b.key_ptrs.data(), b.n, b.refs.data());
  uint16_t kept = 0;
  for (uint16_t i = 0; i < b.n; ++i) {
    rte_mbuf* m = b.pkts[i];
    const SaRef<InboundSa> ref = b.refs[i];
    if (!ref) {
      drop_packet(ctx, ForwardDrop::no_sa, m);
      continue;
    }
    if (ref.owner() != ctx.worker_id) {
      rte_pktmbuf_prepend(m, sizeof(rte_ether_hdr));  // the header is still there
      hand_off(ctx, worker, kPublicPort, ref.owner(), m);
      continue;
    }
    rte_prefetch0(ref.sa());
    b.pkts[kept] = m;
    b.sas[kept] = ref.sa();
    ++kept;
  }
  b.n = kept;
}

// ESP decap, then Ethernet on and out of the private port toward the inner
// destination (on-link) or the private next hop.
void decapsulate_and_send(ForwardContext& ctx, io::WorkerContext& worker, InboundBurst& b) {
  std::array<DropReason, kStageBurst> why;
  const uint16_t good = esp_decap_burst(*ctx.crypto, b.pkts.data(), b.sas.data(), b.n, why.data());
  for (uint16_t i = good; i < b.n; ++i) {
    ctx.counters.drop(why[i]);  // the SA counted it too
    rte_pktmbuf_free(b.pkts[i]);
  }
  const io::PortRuntime& port = worker.shared->ports[kPrivatePort];
  for (uint16_t i = 0; i < good; ++i) {
    rte_mbuf* m = b.pkts[i];
    const uint32_t dst_be = rte_pktmbuf_mtod(m, const rte_ipv4_hdr*)->dst_addr;
    const uint32_t next_hop = next_hop_toward(port, dst_be);
    if (next_hop == 0) {
      drop_packet(ctx, ForwardDrop::no_next_hop, m);
    } else if (!prepend_ethernet(m)) {
      drop_packet(ctx, ForwardDrop::no_headroom, m);
    } else if (io::send_to_next_hop(worker, kPrivatePort, next_hop, m)) {
      ++ctx.counters.decrypted;
    }
  }
}

}  // namespace

void forward_inbound(ForwardContext& ctx, io::WorkerContext& worker, rte_mbuf** pkts,
                     uint16_t n) {
  InboundBurst b;
  parse(ctx, pkts, n, b);
  if (b.n != 0) look_up(ctx, worker, b);
  if (b.n != 0) decapsulate_and_send(ctx, worker, b);
}

}  // namespace vpngw::dataplane::forward
