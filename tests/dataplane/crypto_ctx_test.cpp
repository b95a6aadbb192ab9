// The per-worker crypto context: managers come up on this CPU, and the CBC
// IV generator never repeats and differs between workers.
#include "dataplane/crypto_ctx.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vpngw::dataplane {
namespace {

TEST(CryptoCtx, CreatesManagersForBothDirections) {
  std::string error;
  auto ctx = CryptoCtx::create({}, &error);
  ASSERT_TRUE(ctx) << error;
  EXPECT_NE(ctx->outbound().mgr(), ctx->inbound().mgr());
  EXPECT_EQ(ctx->outbound().in_flight(), 0u);
  EXPECT_NE(ctx->arch_name(), "unknown");
  RecordProperty("ipsec_mb_arch", std::string(ctx->arch_name()));
}

TEST(IvGenerator, NeverRepeatsAcrossRefillsAndDiffersPerWorker) {
  std::string error;
  auto a = CryptoCtx::create({}, &error);
  auto b = CryptoCtx::create({}, &error);
  ASSERT_TRUE(a && b) << error;
  std::set<std::array<uint8_t, 16>> seen;
  std::array<uint8_t, 16> iv{};
  // 20000 IVs span hundreds of 1 KB keystream refills; mixing 8- and
  // 16-byte draws exercises the refill boundary.
  for (int k = 0; k < 20000; ++k) {
    iv.fill(0);
    a->iv().next(iv.data(), k % 3 == 0 ? 8 : 16);
    if (k % 3 != 0) {
      EXPECT_TRUE(seen.insert(iv).second) << "repeated IV at draw " << k;
    }
  }
  for (int k = 0; k < 1000; ++k) {
    b->iv().next(iv.data(), 16);
    EXPECT_EQ(seen.count(iv), 0u) << "two workers produced the same IV";
  }
  // Not a constant stream: roughly half the bits of consecutive IVs differ.
  std::array<uint8_t, 16> x{}, y{};
  a->iv().next(x.data(), 16);
  a->iv().next(y.data(), 16);
  int differing = 0;
  for (size_t k = 0; k < 16; ++k) differing += __builtin_popcount(x[k] ^ y[k]);
  EXPECT_GT(differing, 24);
  EXPECT_LT(differing, 104);
}

}  // namespace
}  // namespace vpngw::dataplane
