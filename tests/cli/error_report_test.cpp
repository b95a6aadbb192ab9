#include "control/cli/error_report.hpp"

#include <gtest/gtest.h>

#include "control/cli/command_table.hpp"
#include "control/cli/flag_table.hpp"

namespace vpngw::cli {
namespace {

TEST(FlagForField, NamesTheFlagOfAPolicyField) {
  EXPECT_EQ(flag_for_field("ike.dh_group"), "--ike-dh");
  EXPECT_EQ(flag_for_field("ike.encryption"), "--ike-enc");
  EXPECT_EQ(flag_for_field("ike.integrity"), "--ike-auth");
  EXPECT_EQ(flag_for_field("ipsec.pfs"), "--pfs");
  EXPECT_EQ(flag_for_field("ipsec.lifetime_kb"), "--esp-lifetime-kb");
  EXPECT_EQ(flag_for_field("dpd.timeout"), "--dpd-timeout");
  EXPECT_EQ(flag_for_field("start_action"), "--start-action");
  EXPECT_EQ(flag_for_field("auto_route"), "--auto-route");
}

TEST(FlagForField, CountsRepeatedFlagsFromOne) {
  EXPECT_EQ(flag_for_field("spd[1].local"), "--spd #2");
  EXPECT_EQ(flag_for_field("spd[0].peers[3]"), "--spd #1");
  EXPECT_EQ(flag_for_field("spd[9]"), "--spd #10");
  EXPECT_EQ(flag_for_field("cidrs[0]"), "--cidr #1");
  EXPECT_EQ(flag_for_field("spd"), "--spd");
  EXPECT_EQ(flag_for_field("cidrs"), "--cidr");
}

TEST(FlagForField, NamesResourceReferencesAndTheIdArgument) {
  EXPECT_EQ(flag_for_field("public_ip"), "--public-ip");
  EXPECT_EQ(flag_for_field("customer_gateway"), "--customer-gateway");
  EXPECT_EQ(flag_for_field("gateway"), "--gateway");
  EXPECT_EQ(flag_for_field("vpc"), "--vpc");
  EXPECT_EQ(flag_for_field("bandwidth"), "--bandwidth");
  EXPECT_EQ(flag_for_field("vendor"), "--vendor");
  EXPECT_EQ(flag_for_field("id"), "ID");
}

TEST(FlagForField, IsEmptyWhenNoFlagFillsTheField) {
  EXPECT_EQ(flag_for_field(""), "");
  EXPECT_EQ(flag_for_field("ike"), "");
  EXPECT_EQ(flag_for_field("version"), "");
  EXPECT_EQ(flag_for_field("op"), "");
}

// Every flag that sends a param is found again from that param: the error
// report and the request builder read the same table.
TEST(FlagForField, RoundTripsEveryFlagOfEveryCommand) {
  for (const auto& command : command_specs()) {
    for (const auto& use : command.flags) {
      const FlagSpec* flag = find_flag(use.flag);
      ASSERT_NE(flag, nullptr) << command.op << " uses unknown flag " << use.flag;
      if (flag->kind == FlagKind::local) continue;
      EXPECT_EQ(flag_for_field(flag->param), flag->name) << command.op;
    }
  }
}

TEST(FormatApiError, ShowsCodeFieldMessageAndFlag) {
  EXPECT_EQ(format_api_error("InvalidParameterValue", "ike.dh_group", "7 is not a DH group"),
            "error: InvalidParameterValue: ike.dh_group: 7 is not a DH group (flag --ike-dh)");
  EXPECT_EQ(format_api_error("InvalidParameterValue", "spd[1].local",
                             "10.9.0.0/24 is not inside any CIDR of vpc-1a2b3c4d (10.0.0.0/16)"),
            "error: InvalidParameterValue: spd[1].local: 10.9.0.0/24 is not inside any CIDR of "
            "vpc-1a2b3c4d (10.0.0.0/16) (flag --spd #2)");
  EXPECT_EQ(format_api_error("ResourceNotFound", "id", "no tunnel named t9"),
            "error: ResourceNotFound: id: no tunnel named t9 (argument ID)");
}

TEST(FormatApiError, LeavesOutWhatIsNotThere) {
  EXPECT_EQ(format_api_error("InternalError", "", "the store failed"),
            "error: InternalError: the store failed");
  EXPECT_EQ(format_api_error("LimitExceeded", "quota", "too many"),
            "error: LimitExceeded: quota: too many");
}

TEST(FormatUsageError, NamesTheFlag) {
  EXPECT_EQ(format_usage_error({"--spd #2", "expected LOCAL=PEER[,PEER...], got 'x'"}),
            "error: --spd #2: expected LOCAL=PEER[,PEER...], got 'x'");
  EXPECT_EQ(format_usage_error({"", "unknown command 'x'"}), "error: unknown command 'x'");
}

}  // namespace
}  // namespace vpngw::cli
