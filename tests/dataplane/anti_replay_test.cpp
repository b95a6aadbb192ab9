// The sliding window of RFC 4303 §3.4.3 / Appendix A, including ESN
// inference (A2) across the 2^32 boundary, checked case by case and against
// a brute-force model on random traffic.
#include "dataplane/anti_replay.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>

namespace vpngw::dataplane {
namespace {

// Accepts (and records) a packet the way the decap path does: check,
// then, as if the ICV verified, re-check and update.
ReplayVerdict receive(ReplayWindow& w, uint32_t seq_low, uint64_t* full = nullptr) {
  const ReplayCheck c = w.check(seq_low);
  if (full != nullptr) *full = c.seq;
  if (c.verdict != ReplayVerdict::ok) return c.verdict;
  const ReplayVerdict again = w.accepts(c.seq);
  if (again == ReplayVerdict::ok) w.update(c.seq);
  return again;
}

std::unique_ptr<ReplayWindow> window(uint32_t size, bool esn, uint64_t top = 0) {
  auto w = std::make_unique<ReplayWindow>();
  w->reset(size, esn, top);
  return w;
}

TEST(ReplayWindow, FirstPacketsAndDuplicates) {
  auto w = window(64, false);
  EXPECT_EQ(receive(*w, 0), ReplayVerdict::outside_window) << "numbering starts at 1";
  EXPECT_EQ(receive(*w, 1), ReplayVerdict::ok);
  EXPECT_EQ(receive(*w, 1), ReplayVerdict::replay);
  EXPECT_EQ(receive(*w, 3), ReplayVerdict::ok);
  EXPECT_EQ(receive(*w, 2), ReplayVerdict::ok) << "late but new";
  EXPECT_EQ(receive(*w, 2), ReplayVerdict::replay);
  EXPECT_EQ(w->top(), 3u);
}

TEST(ReplayWindow, CheckAloneChangesNothing) {
  auto w = window(64, false);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(w->check(10).verdict, ReplayVerdict::ok);
  EXPECT_EQ(w->top(), 0u);
  w->update(10);
  EXPECT_EQ(w->check(10).verdict, ReplayVerdict::replay);
}

TEST(ReplayWindow, LeftEdgeIsExact) {
  for (uint32_t size : {32u, 64u, 1000u, 1024u, 4096u}) {
    auto w = window(size, false);
    ASSERT_EQ(receive(*w, 10000), ReplayVerdict::ok);
    EXPECT_EQ(w->check(10000 - size).verdict, ReplayVerdict::outside_window) << size;
    EXPECT_EQ(w->check(10000 - size + 1).verdict, ReplayVerdict::ok) << size;
  }
}

TEST(ReplayWindow, AdvancingForgetsOnlyWhatLeftTheWindow) {
  auto w = window(1024, false);
  for (uint32_t s = 1; s <= 3000; s += 2) ASSERT_EQ(receive(*w, s), ReplayVerdict::ok);
  // Odd numbers inside the window are replays, even ones are new.
  EXPECT_EQ(w->check(2999).verdict, ReplayVerdict::replay);
  EXPECT_EQ(w->check(2998).verdict, ReplayVerdict::ok);
  EXPECT_EQ(w->check(1975).verdict, ReplayVerdict::outside_window);
  EXPECT_EQ(w->check(1977).verdict, ReplayVerdict::replay);
  EXPECT_EQ(w->check(1976).verdict, ReplayVerdict::ok) << "the left edge, never received";
  // A jump of more than the whole bitmap clears it.
  ASSERT_EQ(receive(*w, 3000 + 100000), ReplayVerdict::ok);
  EXPECT_EQ(w->check(103000 - 1).verdict, ReplayVerdict::ok);
  EXPECT_EQ(w->check(103000 - 64).verdict, ReplayVerdict::ok);
  // Jumps of one word and of a few words.
  ASSERT_EQ(receive(*w, 103064), ReplayVerdict::ok);
  ASSERT_EQ(receive(*w, 103300), ReplayVerdict::ok);
  EXPECT_EQ(w->check(103064).verdict, ReplayVerdict::replay);
  EXPECT_EQ(w->check(103000).verdict, ReplayVerdict::replay);
  EXPECT_EQ(w->check(103001).verdict, ReplayVerdict::ok);
}

TEST(ReplayWindow, StartingFromAKnownTopTreatsEverythingBelowAsSeen) {
  auto w = window(1024, false, 500);
  EXPECT_EQ(w->check(500).verdict, ReplayVerdict::replay);
  EXPECT_EQ(w->check(450).verdict, ReplayVerdict::replay);
  EXPECT_EQ(receive(*w, 501), ReplayVerdict::ok);
  EXPECT_EQ(receive(*w, 503), ReplayVerdict::ok);
  EXPECT_EQ(receive(*w, 502), ReplayVerdict::ok) << "above the old top: really new";
  auto aligned = window(1024, false, 639);  // top at the end of a bitmap word
  EXPECT_EQ(aligned->check(639).verdict, ReplayVerdict::replay);
  EXPECT_EQ(receive(*aligned, 641), ReplayVerdict::ok);
  EXPECT_EQ(receive(*aligned, 640), ReplayVerdict::ok);
}

TEST(ReplayWindow, EsnCaseAWithinOneBlock) {
  // RFC 4303 A2.1 case A: Tl >= W - 1.
  auto w = window(1024, true, (uint64_t{5} << 32) | 2000);
  EXPECT_EQ(w->check(1500).seq, (uint64_t{5} << 32) | 1500);
  EXPECT_EQ(w->check(977).seq, (uint64_t{5} << 32) | 977);
  EXPECT_EQ(w->check(976).seq, (uint64_t{6} << 32) | 976) << "below the window: the next block";
  EXPECT_EQ(w->check(100).verdict, ReplayVerdict::ok);
  EXPECT_EQ(w->check(2001).seq, (uint64_t{5} << 32) | 2001);
}

TEST(ReplayWindow, EsnCaseBStraddlingABlockBoundary) {
  // Case B: Tl < W - 1, the window reaches back into the previous block.
  auto w = window(1024, true, (uint64_t{5} << 32) | 10);
  const ReplayCheck old_block = w->check(0xFFFFFF00u);
  EXPECT_EQ(old_block.seq, (uint64_t{4} << 32) | 0xFFFFFF00u);
  EXPECT_EQ(old_block.verdict, ReplayVerdict::replay) << "everything below a restored top is seen";
  EXPECT_EQ(w->check(5).seq, (uint64_t{5} << 32) | 5);
  EXPECT_EQ(w->check(0xFFFFFC0Bu).seq, (uint64_t{4} << 32) | 0xFFFFFC0Bu) << "left edge";
  EXPECT_EQ(w->check(0xFFFFFC0Au).seq, (uint64_t{5} << 32) | 0xFFFFFC0Au)
      << "just left of the window: read as far ahead";
}

TEST(ReplayWindow, EsnWrapCarriesIntoTheHighHalf) {
  auto w = window(1024, true);
  uint64_t full = 0;
  ASSERT_EQ(receive(*w, 0xFFFFFFF0u, &full), ReplayVerdict::outside_window)
      << "a fresh SA does not jump back to the end of block -1";
  for (uint64_t s = 1; s < 20; ++s)
    ASSERT_EQ(receive(*w, static_cast<uint32_t>(s)), ReplayVerdict::ok);
  w->update(0xFFFFFFF0u);  // fast-forward as if the traffic had flowed
  ASSERT_EQ(receive(*w, 0xFFFFFFFFu, &full), ReplayVerdict::ok);
  EXPECT_EQ(full, 0xFFFFFFFFu);
  ASSERT_EQ(receive(*w, 0x00000000u, &full), ReplayVerdict::ok);
  EXPECT_EQ(full, uint64_t{1} << 32) << "low half 0 after the wrap is 2^32";
  ASSERT_EQ(receive(*w, 0x00000010u, &full), ReplayVerdict::ok);
  EXPECT_EQ(full, (uint64_t{1} << 32) | 0x10);
  // A late packet from before the wrap is still recognised (case B).
  ASSERT_EQ(receive(*w, 0xFFFFFFF5u, &full), ReplayVerdict::ok);
  EXPECT_EQ(full, 0xFFFFFFF5u);
  EXPECT_EQ(receive(*w, 0xFFFFFFF5u), ReplayVerdict::replay);
  EXPECT_EQ(receive(*w, 0x00000010u), ReplayVerdict::replay);
}

TEST(ReplayWindow, EsnWithoutWindowStillInfersTheHighHalf) {
  auto w = window(0, true, 0xFFFFFFF0u);
  uint64_t full = 0;
  EXPECT_EQ(receive(*w, 3, &full), ReplayVerdict::ok);
  EXPECT_EQ(full, (uint64_t{1} << 32) | 3);
  EXPECT_EQ(receive(*w, 3, &full), ReplayVerdict::ok) << "no window: replays are not checked";
  EXPECT_EQ(receive(*w, 0xFFFFFFF8u, &full), ReplayVerdict::ok);
  EXPECT_EQ(full, 0xFFFFFFF8u) << "closest to the top wins";
}

// Random traffic (in order, reordered, duplicated, far jumps) against a
// model that remembers every accepted number in a set. With ESN a packet
// from left of the window is read as one from the next block (RFC 4303
// A2.1); its ICV, computed with the wrong high half, then fails. The
// harness plays that part: a wrong inference counts as refused.
TEST(ReplayWindow, AgreesWithABruteForceModel) {
  std::mt19937_64 rng(20261125);
  for (uint32_t size : {32u, 64u, 1024u, 4000u, 4096u}) {
    for (bool esn : {false, true}) {
      const uint64_t start = esn ? 0xFFFFF000u : 0;
      auto w = window(size, esn, start);
      std::set<uint64_t> accepted;
      uint64_t top = start;
      for (int step = 0; step < 100000; ++step) {
        uint64_t seq;
        const uint64_t r = rng() % 100;
        if (r < 60) {
          seq = top + 1 + rng() % 4;
        } else if (r < 95) {
          const uint64_t back = rng() % (size + size / 2);
          seq = top > back ? top - back : 1;
        } else {
          seq = top + rng() % 9000;
        }
        if (!esn && seq > UINT32_MAX) continue;
        ReplayVerdict model;
        if (seq > top) {
          model = ReplayVerdict::ok;
        } else if (top - seq >= size) {
          model = ReplayVerdict::outside_window;
        } else if (accepted.count(seq) || seq <= start) {
          model = ReplayVerdict::replay;
        } else {
          model = ReplayVerdict::ok;
        }
        const ReplayCheck c = w->check(static_cast<uint32_t>(seq));
        ReplayVerdict got = c.verdict;
        if (got == ReplayVerdict::ok) {
          if (c.seq != seq) {
            got = ReplayVerdict::outside_window;  // the ICV would fail
          } else {
            got = w->accepts(c.seq);
            if (got == ReplayVerdict::ok) w->update(c.seq);
          }
        }
        ASSERT_EQ(got, model) << "size " << size << " esn " << esn << " seq " << seq << " top "
                              << top;
        if (got == ReplayVerdict::ok) {
          accepted.insert(seq);
          top = std::max(top, seq);
        }
      }
      EXPECT_GT(top, start + 50000) << "the walk moved";
      if (esn) {
        EXPECT_GT(top >> 32, 0u) << "the walk crossed 2^32";
      }
    }
  }
}

}  // namespace
}  // namespace vpngw::dataplane
