// The [bench] knobs of the daemon config (scripts/bench only): parsing,
// errors that name the key, and what they change.
#include <gtest/gtest.h>

#include "control/bench_knobs.hpp"
#include "control/daemon_config.hpp"

namespace vpngw {
namespace {

TEST(BenchKnobs, OffWithoutTheTable) {
  auto cfg = parse_daemon_config("[workers]\nbusy_poll = true\n");
  ASSERT_TRUE(cfg.ok());
  EXPECT_FALSE(cfg->bench.any());
  EXPECT_EQ(bench_cap_mbps(cfg->bench, 100), 100u);
  EXPECT_EQ(bench_inbound_capacity(cfg->bench, 4096), 4096u);
}

TEST(BenchKnobs, EveryKnob) {
  auto cfg = parse_daemon_config("[bench]\ncap_mbps = 100000\nchurn_sas_per_s = 1000\nscale_inbound_sas = 100000\n");
  ASSERT_TRUE(cfg.ok()) << cfg.error().field << ": " << cfg.error().message;
  EXPECT_TRUE(cfg->bench.any());
  EXPECT_EQ(bench_cap_mbps(cfg->bench, 5), 100000u);  // every tier
  EXPECT_EQ(cfg->bench.churn_sas_per_s, 1000u);
  // Room for the clones and the synthetic churn SAs on top of the base.
  EXPECT_GE(bench_inbound_capacity(cfg->bench, 4096), 4096u + 100000u + 64u);
}

TEST(BenchKnobs, ErrorsNameTheKey) {
  auto bad = [](const char* text, const char* field) {
    auto cfg = parse_daemon_config(text);
    ASSERT_FALSE(cfg.ok()) << text;
    EXPECT_EQ(cfg.error().field, field) << cfg.error().message;
  };
  bad("[bench]\ncap_mbps = -1\n", "bench.cap_mbps");
  bad("[bench]\ncap_mbps = 400001\n", "bench.cap_mbps");
  bad("[bench]\nchurn_sas_per_s = \"fast\"\n", "bench.churn_sas_per_s");
  bad("[bench]\nscale_inbound_sas = 1000001\n", "bench.scale_inbound_sas");
  bad("[bench]\nuncapped = true\n", "bench.uncapped");
}

}  // namespace
}  // namespace vpngw
