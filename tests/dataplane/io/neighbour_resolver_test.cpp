// NeighbourResolver: what it asks for, learns, ages and refuses, with a fake
// clock and the ARP it sends recorded (no ports). The table it writes is the
// one the workers read, so every expectation on the table is what a worker
// would see.
#include <gtest/gtest.h>
#include <rte_byteorder.h>

#include <chrono>
#include <random>
#include <vector>

#include "dataplane/io/neighbour_resolver.hpp"
#include "dataplane/io/neighbour_table.hpp"

namespace vpngw::dataplane::io::test {
namespace {

using namespace std::chrono_literals;
using Clock = NeighbourResolver::Clock;

Ipv4Addr ip(const char* s) { return *Ipv4Addr::parse(s); }
constexpr rte_ether_addr kMacA{{0x02, 0, 0, 0, 0, 0x0a}};
constexpr rte_ether_addr kMacB{{0x02, 0, 0, 0, 0, 0x0b}};
constexpr uint16_t kPublic = 0;
constexpr uint16_t kPrivate = 1;

struct SentArp {
  uint16_t port;
  Ipv4Addr target;
  bool unicast;
};

class NeighbourResolverTest : public ::testing::Test {
 protected:
  NeighbourResolverTest() {
    gateway_ips_.add(ip("198.51.100.10"));
    make();
  }

  void make(NeighbourConfig config = {}) {
    table_ = std::make_unique<NeighbourTable>();
    resolver_ = std::make_unique<NeighbourResolver>(
        *table_,
        std::vector<NeighbourPort>{{ip("198.51.100.1"), 24, Ipv4Addr{}, &gateway_ips_},
                                   {ip("198.18.1.1"), 16, Ipv4Addr{}}},
        [this](uint16_t port, Ipv4Addr target, const rte_ether_addr* to) {
          sent_.push_back({port, target, to != nullptr});
          return true;
        },
        config);
  }

  ArpObservation seen(uint16_t port, const char* sender, const rte_ether_addr& mac, ArpKind kind) {
    return {rte_cpu_to_be_32(ip(sender).value), mac, static_cast<uint8_t>(port), kind};
  }
  bool in_table(const char* addr, rte_ether_addr* mac = nullptr) {
    rte_ether_addr got{};
    const bool found = table_->lookup(ip(addr), &got, false);
    if (mac != nullptr) *mac = got;
    return found;
  }
  const NeighbourView* view(const char* addr) {
    views_ = resolver_->list(now_);
    for (const auto& v : views_)
      if (v.ip == ip(addr)) return &v;
    return nullptr;
  }
  // Advances the clock in 100 ms ticks, as the daemon does.
  void run_for(std::chrono::milliseconds d) {
    for (auto end = now_ + d; now_ < end;) {
      now_ += 100ms;
      resolver_->tick(now_);
    }
  }

  AddressSet gateway_ips_;  // the VPN gateways' public IPs on the public port
  std::unique_ptr<NeighbourTable> table_;
  std::unique_ptr<NeighbourResolver> resolver_;
  std::vector<SentArp> sent_;
  std::vector<NeighbourView> views_;
  Clock::time_point now_ = Clock::time_point{} + 1000s;
};

TEST_F(NeighbourResolverTest, WantedAddressIsAskedForByBroadcastAndLearnedFromTheReply) {
  resolver_->want(kPrivate, ip("198.18.1.10"), now_);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].port, kPrivate);
  EXPECT_EQ(sent_[0].target, ip("198.18.1.10"));
  EXPECT_FALSE(sent_[0].unicast);
  ASSERT_NE(view("198.18.1.10"), nullptr);
  EXPECT_EQ(view("198.18.1.10")->state, NeighbourState::incomplete);
  EXPECT_FALSE(in_table("198.18.1.10"));
  resolver_->want(kPrivate, ip("198.18.1.10"), now_);  // a second packet: no second request
  EXPECT_EQ(sent_.size(), 1u);

  const uint64_t generation = table_->generation();
  resolver_->on_arp(seen(kPrivate, "198.18.1.10", kMacA, ArpKind::reply), now_ + 5ms);
  rte_ether_addr mac;
  ASSERT_TRUE(in_table("198.18.1.10", &mac));
  EXPECT_TRUE(rte_is_same_ether_addr(&mac, &kMacA));
  EXPECT_NE(table_->generation(), generation);  // workers holding packets look again
  EXPECT_EQ(view("198.18.1.10")->state, NeighbourState::reachable);
  EXPECT_EQ(resolver_->counters().learned, 1u);
}

TEST_F(NeighbourResolverTest, UnansweredResolutionIsRetriedThenGivenUp) {
  resolver_->want(kPublic, ip("198.51.100.7"), now_);
  run_for(2900ms);
  EXPECT_EQ(sent_.size(), 3u);  // at 0, 1 and 2 s
  EXPECT_NE(view("198.51.100.7"), nullptr);
  run_for(200ms);
  EXPECT_EQ(view("198.51.100.7"), nullptr);
  EXPECT_EQ(resolver_->counters().resolve_failed, 1u);
  // A new packet starts over.
  resolver_->want(kPublic, ip("198.51.100.7"), now_);
  EXPECT_EQ(sent_.size(), 4u);
}

TEST_F(NeighbourResolverTest, ReachableGoesStaleThenAUsedEntryIsProbedByUnicast) {
  resolver_->want(kPrivate, ip("198.18.1.10"), now_);
  resolver_->on_arp(seen(kPrivate, "198.18.1.10", kMacA, ArpKind::reply), now_);
  sent_.clear();
  run_for(30s);
  EXPECT_EQ(view("198.18.1.10")->state, NeighbourState::stale);
  EXPECT_TRUE(in_table("198.18.1.10"));  // stale MACs are still used
  EXPECT_TRUE(sent_.empty());
  // A worker uses it: it is re-validated by a unicast request.
  rte_ether_addr mac;
  ASSERT_TRUE(table_->lookup(ip("198.18.1.10"), &mac));
  run_for(100ms);
  EXPECT_EQ(view("198.18.1.10")->state, NeighbourState::probe);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_TRUE(sent_[0].unicast);
  resolver_->on_arp(seen(kPrivate, "198.18.1.10", kMacA, ArpKind::reply), now_);
  EXPECT_EQ(view("198.18.1.10")->state, NeighbourState::reachable);
  EXPECT_EQ(view("198.18.1.10")->age, 0ms);
}

TEST_F(NeighbourResolverTest, ProbedEntryThatStopsAnsweringIsRemoved) {
  resolver_->want(kPrivate, ip("198.18.1.10"), now_);
  resolver_->on_arp(seen(kPrivate, "198.18.1.10", kMacA, ArpKind::reply), now_);
  run_for(30s);
  rte_ether_addr mac;
  ASSERT_TRUE(table_->lookup(ip("198.18.1.10"), &mac));
  sent_.clear();
  run_for(3500ms);
  EXPECT_EQ(sent_.size(), 3u);
  EXPECT_EQ(view("198.18.1.10"), nullptr);
  EXPECT_FALSE(in_table("198.18.1.10"));
  EXPECT_EQ(resolver_->counters().probe_failed, 1u);
}

TEST_F(NeighbourResolverTest, UnusedStaleEntryExpires) {
  resolver_->want(kPrivate, ip("198.18.1.10"), now_);
  resolver_->on_arp(seen(kPrivate, "198.18.1.10", kMacA, ArpKind::reply), now_);
  run_for(30s + 59s);
  EXPECT_NE(view("198.18.1.10"), nullptr);
  run_for(2s);
  EXPECT_EQ(view("198.18.1.10"), nullptr);
  EXPECT_FALSE(in_table("198.18.1.10"));
  EXPECT_EQ(resolver_->counters().expired, 1u);
}

TEST_F(NeighbourResolverTest, ConfiguredNextHopIsPermanentAndReResolvedWhenItStopsAnswering) {
  make();
  resolver_ = std::make_unique<NeighbourResolver>(
      *table_, std::vector<NeighbourPort>{{ip("198.51.100.1"), 24, ip("198.51.100.254")}},
      [this](uint16_t port, Ipv4Addr target, const rte_ether_addr* to) {
        sent_.push_back({port, target, to != nullptr});
        return true;
      });
  resolver_->add_permanent(kPublic, ip("198.51.100.254"), now_);
  ASSERT_EQ(sent_.size(), 1u);
  run_for(10s);  // unanswered: never given up
  EXPECT_NE(view("198.51.100.254"), nullptr);
  EXPECT_GE(sent_.size(), 10u);
  resolver_->on_arp(seen(kPublic, "198.51.100.254", kMacA, ArpKind::reply), now_);
  EXPECT_TRUE(view("198.51.100.254")->permanent);
  // Unused, yet re-validated once stale (a unicast probe), and answered.
  sent_.clear();
  run_for(30100ms);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_TRUE(sent_[0].unicast);
  resolver_->on_arp(seen(kPublic, "198.51.100.254", kMacA, ArpKind::reply), now_);
  EXPECT_EQ(view("198.51.100.254")->state, NeighbourState::reachable);
  // It stops answering: the MAC is withdrawn, the address asked for again
  // by broadcast, and the entry stays.
  run_for(30s + 3500ms);
  EXPECT_FALSE(in_table("198.51.100.254"));
  ASSERT_NE(view("198.51.100.254"), nullptr);
  EXPECT_EQ(view("198.51.100.254")->state, NeighbourState::incomplete);
  EXPECT_FALSE(sent_.back().unicast);
  EXPECT_EQ(resolver_->counters().probe_failed, 1u);
}

TEST_F(NeighbourResolverTest, StaticEntryIsNeverAskedForAgedOrChangedByArp) {
  ASSERT_TRUE(resolver_->add_static(kPublic, ip("198.51.100.2"), kMacA, now_));
  EXPECT_FALSE(resolver_->add_static(kPublic, ip("203.0.113.2"), kMacA, now_));  // not on the link
  rte_ether_addr mac;
  ASSERT_TRUE(in_table("198.51.100.2", &mac));
  resolver_->on_arp(seen(kPublic, "198.51.100.2", kMacB, ArpKind::reply), now_);
  resolver_->on_arp(seen(kPublic, "198.51.100.2", kMacB, ArpKind::other), now_);
  EXPECT_EQ(resolver_->counters().static_kept, 2u);
  ASSERT_TRUE(table_->lookup(ip("198.51.100.2"), &mac));  // used, too
  run_for(300s);
  ASSERT_TRUE(in_table("198.51.100.2", &mac));
  EXPECT_TRUE(rte_is_same_ether_addr(&mac, &kMacA));
  EXPECT_EQ(view("198.51.100.2")->state, NeighbourState::fixed);
  EXPECT_EQ(name_of(NeighbourState::fixed), "static");
  EXPECT_TRUE(sent_.empty());
}

TEST_F(NeighbourResolverTest, RequestToUsTeachesTheSenderAndAMacChangeIsFollowed) {
  resolver_->on_arp(seen(kPrivate, "198.18.1.20", kMacA, ArpKind::request_for_us), now_);
  rte_ether_addr mac;
  ASSERT_TRUE(in_table("198.18.1.20", &mac));
  EXPECT_TRUE(rte_is_same_ether_addr(&mac, &kMacA));
  EXPECT_EQ(view("198.18.1.20")->state, NeighbourState::stale);
  // The host moved to another NIC (or a standby took its address over).
  resolver_->on_arp(seen(kPrivate, "198.18.1.20", kMacB, ArpKind::other), now_);
  ASSERT_TRUE(in_table("198.18.1.20", &mac));
  EXPECT_TRUE(rte_is_same_ether_addr(&mac, &kMacB));
  EXPECT_EQ(resolver_->counters().mac_changed, 1u);
}

TEST_F(NeighbourResolverTest, UnsolicitedRepliesOffSubnetSendersAndBadMacsAreIgnored) {
  resolver_->on_arp(seen(kPrivate, "198.18.1.30", kMacA, ArpKind::reply), now_);
  EXPECT_FALSE(in_table("198.18.1.30"));
  EXPECT_EQ(resolver_->counters().unsolicited_ignored, 1u);
  resolver_->on_arp(seen(kPrivate, "203.0.113.9", kMacA, ArpKind::request_for_us), now_);
  resolver_->on_arp(seen(kPublic, "198.18.1.31", kMacA, ArpKind::request_for_us), now_);  // wrong port
  resolver_->on_arp(seen(kPrivate, "198.18.1.1", kMacA, ArpKind::request_for_us), now_);   // our own
  resolver_->on_arp(seen(kPublic, "198.51.100.10", kMacA, ArpKind::request_for_us), now_);  // a gateway IP
  resolver_->on_arp(seen(kPrivate, "198.18.255.255", kMacA, ArpKind::request_for_us), now_);
  constexpr rte_ether_addr kMulticast{{0x01, 0, 0x5e, 0, 0, 1}};
  resolver_->on_arp(seen(kPrivate, "198.18.1.32", kMulticast, ArpKind::request_for_us), now_);
  EXPECT_EQ(resolver_->counters().invalid_ignored, 6u);
  EXPECT_EQ(table_->size(), 0u);
  resolver_->want(kPrivate, ip("203.0.113.9"), now_);  // not on the link: never asked for
  resolver_->want(kPrivate, ip("198.18.0.0"), now_);
  EXPECT_TRUE(sent_.empty());
}

// A flood of spoofed requests to us, each from a new address of the /16:
// the entries it creates stay under max_unsolicited, what we resolve still
// gets in, and an entry resolved before the flood is untouched.
TEST_F(NeighbourResolverTest, SpoofedArpFloodStaysWithinTheBounds) {
  resolver_->want(kPrivate, ip("198.18.1.10"), now_);
  resolver_->on_arp(seen(kPrivate, "198.18.1.10", kMacA, ArpKind::reply), now_);
  std::mt19937 rng(7);
  const NeighbourConfig& c = resolver_->config();
  for (int i = 0; i < 100000; ++i) {
    const uint32_t host = ip("198.18.0.0").value | (rng() & 0xffff);
    // Claiming a real neighbour's address is ARP spoofing, which ARP cannot
    // prevent (docs/forward.md); this checks the bounds, not that.
    if (host == ip("198.18.1.10").value || host == ip("198.18.2.2").value) continue;
    rte_ether_addr mac{{0x02, 0x66, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                        static_cast<uint8_t>(i), 1}};
    const ArpKind kind = i % 3 == 0 ? ArpKind::reply : i % 3 == 1 ? ArpKind::request_for_us : ArpKind::other;
    resolver_->on_arp({rte_cpu_to_be_32(host), mac, kPrivate, kind}, now_);
    if (i % 1000 == 0) run_for(100ms);
  }
  EXPECT_LE(resolver_->size(), c.max_unsolicited + 1u);
  EXPECT_LE(table_->size(), c.max_unsolicited + 1u);
  EXPECT_GT(resolver_->counters().unsolicited_refused, 0u);
  rte_ether_addr mac;
  ASSERT_TRUE(in_table("198.18.1.10", &mac));
  EXPECT_TRUE(rte_is_same_ether_addr(&mac, &kMacA));
  // A destination the workers need still gets resolved.
  sent_.clear();
  resolver_->want(kPrivate, ip("198.18.2.2"), now_);
  ASSERT_EQ(sent_.size(), 1u);
  resolver_->on_arp(seen(kPrivate, "198.18.2.2", kMacB, ArpKind::reply), now_);
  EXPECT_TRUE(in_table("198.18.2.2"));
}

// Wanted addresses flood (traffic to every host of a /16): at most
// max_incomplete resolutions at once, ARP within arp_per_second, and the
// table never beyond max_entries however long it goes on.
TEST_F(NeighbourResolverTest, ResolutionFloodIsRateLimitedAndBounded) {
  NeighbourConfig config;
  config.max_entries = 300;
  make(config);
  uint32_t host = ip("198.18.3.0").value;
  for (int second = 0; second < 20; ++second) {
    for (int i = 0; i < 1000; ++i) resolver_->want(kPrivate, Ipv4Addr{++host}, now_);
    // Some of them answer, and become stale entries nobody uses.
    for (const auto& v : resolver_->list(now_))
      if (v.state == NeighbourState::incomplete && v.ip.value % 2 == 0)
        resolver_->on_arp({rte_cpu_to_be_32(v.ip.value), kMacA, kPrivate, ArpKind::reply}, now_);
    run_for(1s);
    EXPECT_LE(resolver_->size(), config.max_entries);
    EXPECT_LE(table_->size(), config.max_entries);
  }
  const auto& c = resolver_->counters();
  EXPECT_LE(c.requests_sent + c.probes_sent, 100u * 21);  // arp_per_second over 20 s (+ a full bucket)
  EXPECT_GT(c.table_full, 0u);
  EXPECT_GT(c.rate_limited + c.table_full, 0u);
  size_t incomplete = 0;
  for (const auto& v : resolver_->list(now_)) incomplete += v.state == NeighbourState::incomplete;
  EXPECT_LE(incomplete, resolver_->config().max_incomplete);
}

}  // namespace
}  // namespace vpngw::dataplane::io::test
