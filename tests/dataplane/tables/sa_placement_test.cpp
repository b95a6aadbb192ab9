// SaPlacement: a tunnel's SAs stay on one worker, new tunnels go to the
// least loaded one, and a tunnel whose SAs are all gone is placed afresh.
#include <gtest/gtest.h>

#include <string>

#include "dataplane/tables/sa_placement.hpp"

namespace vpngw::dataplane {
namespace {

TEST(SaPlacement, TunnelsSpreadOverWorkersAndKeepTheirSasTogether) {
  SaPlacement p(2);
  // Tunnel a: an inbound and an outbound SA, on one worker.
  const uint32_t a = p.place("vpnx-a");
  EXPECT_EQ(p.place("vpnx-a"), a);
  // Tunnel b goes to the other worker, with both its SAs.
  const uint32_t b = p.place("vpnx-b");
  EXPECT_NE(b, a);
  EXPECT_EQ(p.place("vpnx-b"), b);
  EXPECT_EQ(p.load(0), 2u);
  EXPECT_EQ(p.load(1), 2u);
  // A rekey of a (make-before-break: the new pair comes before the old
  // goes) stays on a's worker, even though that makes it the busier one.
  EXPECT_EQ(p.place("vpnx-a"), a);
  EXPECT_EQ(p.place("vpnx-a"), a);
  EXPECT_EQ(p.load(a), 4u);
  p.release("vpnx-a");
  p.release("vpnx-a");
  EXPECT_EQ(p.load(a), 2u);
  // Many tunnels: each worker gets half of them.
  for (int i = 0; i < 100; ++i) {
    const std::string t = "vpnx-" + std::to_string(i);
    p.place(t);
    p.place(t);
  }
  EXPECT_EQ(p.load(0), p.load(1));
}

TEST(SaPlacement, ATunnelWithoutSasIsPlacedAfreshOnTheLeastLoadedWorker) {
  SaPlacement p(3);
  for (const char* t : {"t0", "t1", "t2"}) p.place(t);
  EXPECT_EQ(p.load(0), 1u);
  EXPECT_EQ(p.load(1), 1u);
  EXPECT_EQ(p.load(2), 1u);
  p.place("t3");  // worker 0 again (lowest id on a tie)
  EXPECT_EQ(p.load(0), 2u);
  // t1 reconnects: its last SA goes, and its next one lands where there is
  // least to do (worker 1, now empty).
  p.release("t1");
  EXPECT_EQ(p.load(1), 0u);
  EXPECT_EQ(p.place("t0-new"), 1u);
  p.release("unknown");  // harmless
  p.clear();
  EXPECT_EQ(p.load(0), 0u);
  EXPECT_EQ(p.workers(), 3u);
}

TEST(SaPlacement, OneWorkerOwnsEverything) {
  SaPlacement p(1);
  EXPECT_EQ(p.place("a"), 0u);
  EXPECT_EQ(p.place("b"), 0u);
  EXPECT_EQ(SaPlacement(0).workers(), 1u);
}

}  // namespace
}  // namespace vpngw::dataplane
