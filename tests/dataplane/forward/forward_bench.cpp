#include "tests/dataplane/forward/forward_bench.hpp"

#include <arpa/inet.h>
#include <rte_bus_vdev.h>
#include <rte_eth_ring.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <cstring>

#include "dataplane/io/port.hpp"
#include "tests/dataplane/test_env.hpp"

namespace vpngw::dataplane::forward::test {

namespace {
int g_bench_number = 0;  // DPDK object names must be unique per EAL
}

uint64_t ForwardBench::clock_ = 0;

uint64_t ForwardBench::now() { return clock_; }

Ipv4Addr ip(const char* dotted) { return *Ipv4Addr::parse(dotted); }

uint32_t be(const char* dotted) { return rte_cpu_to_be_32(ip(dotted).value); }

SaParams ForwardBench::outbound_params(uint32_t spi, const char* peer, bool gcm_udp) const {
  SaParams p;
  p.sa_id = spi;
  p.direction = SaDirection::outbound;
  p.spi = spi;
  if (gcm_udp) {
    p.cipher = EspCipher::aes128_gcm;
    p.integrity = EspIntegrity::none;
    p.udp_encap = true;
  } else {
    p.cipher = EspCipher::aes128_cbc;
    p.integrity = EspIntegrity::hmac_sha1_96;
  }
  p.cipher_key_len = info_of(p.cipher).key_len;
  p.auth_key_len = info_of(p.integrity).key_len;
  for (size_t k = 0; k < p.cipher_key_len; ++k) p.cipher_key[k] = static_cast<uint8_t>(3 + k + spi);
  for (size_t k = 0; k < p.auth_key_len; ++k) p.auth_key[k] = static_cast<uint8_t>(0x40 + k);
  p.tunnel_src = ip("192.0.2.1");
  p.tunnel_dst = ip(peer);
  return p;
}

SaParams ForwardBench::inbound_params() const {
  SaParams p = outbound_params(kSpiInbound, "192.0.2.1", false);
  p.direction = SaDirection::inbound;
  p.tunnel_src = ip("203.0.113.2");
  p.tunnel_dst = ip("192.0.2.1");
  p.local_count = 1;
  p.local[0] = Cidr{ip("198.18.0.0"), 16};
  p.peer_count = 1;
  p.peer[0] = Cidr{ip("198.19.0.0"), 16};
  return p;
}

void ForwardBench::SetUp() {
  const std::string n = std::to_string(g_bench_number++);
  clock_ = uint64_t{1} << 40;

  // Ports on rings.
  const std::array<io::PortConfig, 2> configs{{
      {0, ip("192.0.2.1"), 24, ip("192.0.2.254"), 1500, false},
      {0, ip("198.18.1.1"), 16, Ipv4Addr{}, 1500, false},
  }};
  for (uint16_t p = 0; p < 2; ++p) {
    const std::string suffix = n + "_" + std::to_string(p);
    rx_[p] = rte_ring_create(("fwdtest_rx" + suffix).c_str(), 256, SOCKET_ID_ANY,
                             RING_F_SP_ENQ | RING_F_SC_DEQ);
    tx_[p] = rte_ring_create(("fwdtest_tx" + suffix).c_str(), 256, SOCKET_ID_ANY,
                             RING_F_SP_ENQ | RING_F_SC_DEQ);
    ASSERT_NE(rx_[p], nullptr);
    ASSERT_NE(tx_[p], nullptr);
    // The ring PMD derives longer names from this one: keep it short.
    names_[p] = "net_ring_f" + suffix;
    const int port_id = rte_eth_from_rings(names_[p].c_str(), &rx_[p], 1, &tx_[p], 1, 0);
    ASSERT_GE(port_id, 0) << rte_strerror(rte_errno);
    io::PortConfig config = configs[p];
    config.port_id = static_cast<uint16_t>(port_id);
    ASSERT_EQ(io::port_start(config, 1, dataplane::test::test_pool(), &io_.ports[p]), "");
  }
  io_.port_count = 2;
  io_.neighbours = &neighbours_;
  ASSERT_TRUE(neighbours_.learn(ip("192.0.2.254"), kPublicNextHopMac));
  ASSERT_TRUE(neighbours_.learn(ip("192.0.2.50"), kOnLinkPeerMac));
  ASSERT_TRUE(neighbours_.learn(ip("198.18.1.10"), kPrivateHostMac));

  // SA tables: two workers, so one SA can belong to the other.
  std::string error;
  SaTablesConfig sa_config;
  sa_config.name = "fwdtest_sa" + n;
  sa_config.workers = 2;
  sa_config.inbound_capacity = 64;
  sa_config.outbound_slots = 16;
  sas_ = SaTables::create(sa_config, &error);
  ASSERT_NE(sas_, nullptr) << error;
  ASSERT_TRUE(sas_->install_outbound(kSlotGw0, outbound_params(kSpiGw0, "203.0.113.2", false),
                                     0, &error)) << error;
  ASSERT_TRUE(sas_->install_outbound(kSlotGw1, outbound_params(kSpiGw1, "192.0.2.50", true), 0,
                                     &error)) << error;
  ASSERT_TRUE(sas_->install_outbound(kSlotOther,
                                     outbound_params(kSpiOther, "203.0.113.2", false), 1,
                                     &error)) << error;
  ASSERT_TRUE(sas_->install_inbound(inbound_params(), 0, &error)) << error;

  // Routes and SPD.
  const std::array<RouteSpec, 3> routes{{
      {Cidr{ip("198.19.0.0"), 16}, 0},
      {Cidr{ip("198.22.0.0"), 16}, 0},
      {Cidr{ip("198.20.0.0"), 16}, 1},
  }};
  auto route_table = RouteTable::build(routes, &error);
  ASSERT_NE(route_table, nullptr) << error;
  routes_ = std::make_unique<PublishedTable<RouteTable>>(sas_->rcu().get(),
                                                         std::move(route_table));
  const Cidr vpc{ip("198.18.0.0"), 16};
  const std::array<SpdRuleSpec, 4> rules{{
      {0, vpc, Cidr{ip("198.19.9.0"), 24}, kSlotEmpty},  // first match wins
      {0, vpc, Cidr{ip("198.19.0.0"), 16}, kSlotGw0},
      {0, vpc, Cidr{ip("198.22.0.0"), 16}, kSlotOther},
      {1, vpc, Cidr{ip("198.20.0.0"), 16}, kSlotGw1},
  }};
  auto classifier = SpdClassifier::build(rules, &error);
  ASSERT_NE(classifier, nullptr) << error;
  spd_ = std::make_unique<PublishedTable<SpdClassifier>>(sas_->rcu().get(),
                                                          std::move(classifier));

  // Caps: a fake 1 GHz clock; gateway 0 fast, gateway 1 at 5 Mbps.
  caps_ = std::make_unique<qos::GatewayCapTable>(1'000'000'000);
  ASSERT_TRUE(caps_->install(0, qos::mbps_to_bps(1000)));
  ASSERT_TRUE(caps_->install(1, qos::mbps_to_bps(5)));

  handoff_ = HandoffRings::create("fwdtest_ho" + n, 2, 64, SOCKET_ID_ANY, &error);
  ASSERT_NE(handoff_, nullptr) << error;

  shared_.routes = routes_.get();
  shared_.spd = spd_.get();
  shared_.sas = sas_.get();
  shared_.caps = caps_.get();
  shared_.handoff = handoff_.get();
  shared_.now = &ForwardBench::now;
  for (uint32_t id = 0; id < 2; ++id) {
    crypto_[id] = CryptoCtx::create({.check_jobs = true}, &error);
    ASSERT_NE(crypto_[id], nullptr) << error;
    ctx_[id] = std::make_unique<ForwardContext>();
    ctx_[id]->shared = &shared_;
    ctx_[id]->worker_id = id;
    ctx_[id]->crypto = crypto_[id].get();
    reassembly_[id] = OuterReassembly::create(1'000'000'000, SOCKET_ID_ANY, &error);
    ASSERT_NE(reassembly_[id], nullptr) << error;
    ctx_[id]->reassembly = reassembly_[id].get();
    workers_[id] = std::make_unique<io::WorkerContext>(&io_, io::WorkerConfig{}, &io_counters_);
  }
}

void ForwardBench::TearDown() {
  for (auto& w : workers_) w.reset();
  for (auto& r : reassembly_) r.reset();  // frees the fragments it still holds
  handoff_.reset();  // frees what is still queued
  routes_.reset();
  spd_.reset();
  sas_.reset();
  for (uint16_t p = 0; p < 2; ++p) {
    if (io_.ports[p].control_tx != nullptr) {
      io::port_stop(&io_.ports[p]);
      rte_vdev_uninit(names_[p].c_str());
    }
    for (rte_ring* r : {rx_[p], tx_[p]}) {
      if (r == nullptr) continue;
      void* m = nullptr;
      while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      rte_ring_free(r);
    }
  }
}

rte_mbuf* ForwardBench::frame(uint16_t port_index, const Bytes& ip_packet) const {
  Bytes f(sizeof(rte_ether_hdr) + ip_packet.size());
  rte_ether_hdr eth{};
  eth.dst_addr = io_.ports[port_index].mac;
  eth.src_addr = port_index == kPublicPort ? kPublicNextHopMac : kPrivateHostMac;
  eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  std::memcpy(f.data(), &eth, sizeof(eth));
  std::memcpy(f.data() + sizeof(eth), ip_packet.data(), ip_packet.size());
  return dataplane::test::mbuf_from(f);
}

void ForwardBench::forward(uint32_t id, uint16_t port_index, std::vector<rte_mbuf*> frames) {
  forward_burst(*ctx_[id], *workers_[id], port_index, frames.data(),
                static_cast<uint16_t>(frames.size()));
  // The stages stream: what the crypto queues still hold goes out on flush.
  forward_flush(*ctx_[id], *workers_[id]);
  EXPECT_EQ(forward_in_flight(*ctx_[id]), 0u);
  io::tx_flush(*workers_[id]);
}

std::vector<Bytes> ForwardBench::transmitted(uint16_t port_index) {
  std::vector<Bytes> out;
  void* m = nullptr;
  while (rte_ring_dequeue(tx_[port_index], &m) == 0) {
    auto* mbuf = static_cast<rte_mbuf*>(m);
    out.push_back(dataplane::test::bytes_of(mbuf));
    rte_pktmbuf_free(mbuf);
  }
  return out;
}

}  // namespace vpngw::dataplane::forward::test
