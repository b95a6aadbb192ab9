#include "control/cli/flag_syntax.hpp"

#include <gtest/gtest.h>

namespace vpngw::cli {
namespace {

TEST(ParseInteger, AcceptsWholeSignedDecimals) {
  EXPECT_EQ(parse_integer("0"), 0);
  EXPECT_EQ(parse_integer("86400"), 86400);
  EXPECT_EQ(parse_integer("-1"), -1);
  EXPECT_EQ(parse_integer("4294967295"), 4294967295LL);
}

TEST(ParseInteger, RejectsAnythingElse) {
  EXPECT_EQ(parse_integer(""), std::nullopt);
  EXPECT_EQ(parse_integer("12x"), std::nullopt);
  EXPECT_EQ(parse_integer("x12"), std::nullopt);
  EXPECT_EQ(parse_integer(" 12"), std::nullopt);
  EXPECT_EQ(parse_integer("+5"), std::nullopt);
  EXPECT_EQ(parse_integer("1.5"), std::nullopt);
  EXPECT_EQ(parse_integer("99999999999999999999"), std::nullopt);
}

TEST(ParseBoolean, BareFlagMeansTrue) {
  EXPECT_EQ(parse_boolean(""), true);
  EXPECT_EQ(parse_boolean("true"), true);
  EXPECT_EQ(parse_boolean("false"), false);
  EXPECT_EQ(parse_boolean("yes"), std::nullopt);
  EXPECT_EQ(parse_boolean("False"), std::nullopt);
}

TEST(ParseSpdRule, SplitsLocalAndPeers) {
  const auto rule = parse_spd_rule("10.0.0.0/24=192.168.0.0/24,192.168.1.0/24");
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule->local, "10.0.0.0/24");
  EXPECT_EQ(rule->peers, (std::vector<std::string>{"192.168.0.0/24", "192.168.1.0/24"}));
}

TEST(ParseSpdRule, IgnoresBlanksAroundItems) {
  const auto rule = parse_spd_rule(" 10.0.0.0/24 = 192.168.0.0/24 , 192.168.1.0/24 ");
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule->local, "10.0.0.0/24");
  EXPECT_EQ(rule->peers, (std::vector<std::string>{"192.168.0.0/24", "192.168.1.0/24"}));
}

TEST(ParseSpdRule, LeavesCidrSyntaxToTheDaemon) {
  // Only the shape is the CLI's business; "not-a-cidr" is the daemon's to refuse.
  const auto rule = parse_spd_rule("not-a-cidr=also-not");
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule->local, "not-a-cidr");
  EXPECT_EQ(rule->peers, std::vector<std::string>{"also-not"});
}

TEST(ParseSpdRule, RejectsMalformedShapes) {
  for (const char* bad : {"", "10.0.0.0/24", "10.0.0.0/24=", "=192.168.0.0/24",
                          "10.0.0.0/24=192.168.0.0/24,", "10.0.0.0/24=,192.168.0.0/24",
                          "10.0.0.0/24=192.168.0.0/24,,192.168.1.0/24",
                          "10.0.0.0/24=192.168.0.0/24=192.168.1.0/24", " = "})
    EXPECT_EQ(parse_spd_rule(bad).has_value(), false) << "'" << bad << "'";
}

}  // namespace
}  // namespace vpngw::cli
