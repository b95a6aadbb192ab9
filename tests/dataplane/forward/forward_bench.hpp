// A test bench for the forwarding hook: a public and a private port backed by
// rte_rings (as in tests/dataplane/io), real route/SPD/SA/cap tables with two
// gateways, and one ForwardContext per worker. Tests feed frames to
// forward_burst (or through the worker loop) and read what each port sent.
//
// Addresses (RFC 5737 / RFC 2544 ranges):
//   public port 192.0.2.1/24, next hop 192.0.2.254; private 198.18.1.1/16.
//   gateway 0: peer 203.0.113.2 (off-link), routes 198.19/16 and 198.22/16;
//   gateway 1: peer 192.0.2.50 (on-link, ESP-in-UDP), route 198.20/16.
#pragma once

#include <gtest/gtest.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/forward/forward_context.hpp"
#include "dataplane/io/neighbour_table.hpp"
#include "dataplane/io/worker.hpp"
#include "dataplane/sa_params.hpp"
#include "tests/dataplane/packet_builder.hpp"

namespace vpngw::dataplane::forward::test {

using dataplane::test::Bytes;

inline constexpr rte_ether_addr kPublicNextHopMac{{0x02, 0, 0, 0, 0x01, 0xfe}};
inline constexpr rte_ether_addr kOnLinkPeerMac{{0x02, 0, 0, 0, 0x01, 0x32}};
inline constexpr rte_ether_addr kPrivateHostMac{{0x02, 0, 0, 0, 0x02, 0x0a}};

// Outbound SA slots and SPIs the bench installs.
inline constexpr uint32_t kSlotGw0 = 0;       // owner worker 0, CBC + HMAC-SHA1
inline constexpr uint32_t kSlotGw1 = 1;       // owner worker 0, GCM, ESP-in-UDP
inline constexpr uint32_t kSlotOther = 2;     // owner worker 1 (handoff)
inline constexpr uint32_t kSlotEmpty = 5;     // an SPD rule points here, no SA
inline constexpr uint32_t kSpiGw0 = 0x1001;
inline constexpr uint32_t kSpiGw1 = 0x1002;
inline constexpr uint32_t kSpiOther = 0x1003;
inline constexpr uint32_t kSpiInbound = 0x2001;

Ipv4Addr ip(const char* dotted);
uint32_t be(const char* dotted);

class ForwardBench : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // An Ethernet frame (to the port's MAC) around `ip_packet`, as an mbuf.
  rte_mbuf* frame(uint16_t port_index, const Bytes& ip_packet) const;
  // Runs worker `id`'s hook on the frames, then flushes its TX buffers.
  void forward(uint32_t id, uint16_t port_index, std::vector<rte_mbuf*> frames);
  // Everything the port transmitted so far, as bytes (the mbufs are freed).
  std::vector<Bytes> transmitted(uint16_t port_index);

  SaParams outbound_params(uint32_t spi, const char* peer, bool gcm_udp) const;
  SaParams inbound_params() const;

  // The fake clock the caps read; the bench starts it well past zero so
  // every bucket is full.
  static uint64_t now();
  static uint64_t clock_;

  std::array<rte_ring*, 2> rx_{};
  std::array<rte_ring*, 2> tx_{};
  std::array<std::string, 2> names_;
  io::IoShared io_;
  io::NeighbourTable neighbours_;
  io::WorkerIoCounters io_counters_;
  std::array<std::unique_ptr<io::WorkerContext>, 2> workers_;

  std::unique_ptr<SaTables> sas_;
  std::unique_ptr<PublishedTable<RouteTable>> routes_;
  std::unique_ptr<PublishedTable<SpdClassifier>> spd_;
  std::unique_ptr<qos::GatewayCapTable> caps_;
  std::unique_ptr<HandoffRings> handoff_;
  ForwardShared shared_;
  std::array<std::unique_ptr<CryptoCtx>, 2> crypto_;
  std::array<std::unique_ptr<OuterReassembly>, 2> reassembly_;  // on the fake clock
  std::array<std::unique_ptr<ForwardContext>, 2> ctx_;
};

}  // namespace vpngw::dataplane::forward::test
