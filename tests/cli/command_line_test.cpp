#include "control/cli/command_line.hpp"

#include <gtest/gtest.h>

#include "control/cli/command_table.hpp"
#include "control/cli/flag_table.hpp"

namespace vpngw::cli {
namespace {

TEST(CommandLine, GlobalOptionsWorkBeforeAndAfterTheCommand) {
  auto parsed = parse_command_line({"--socket", "/tmp/a.sock", "--json", "vpc", "list"});
  ASSERT_TRUE(parsed.invocation.has_value()) << parsed.err;
  EXPECT_EQ(parsed.invocation->socket, "/tmp/a.sock");
  EXPECT_TRUE(parsed.invocation->json);
  EXPECT_EQ(parsed.invocation->command.resource, "vpc");
  EXPECT_EQ(parsed.invocation->command.verb, "list");

  parsed = parse_command_line({"tunnel", "show", "t1", "--json", "--socket", "/tmp/b.sock"});
  ASSERT_TRUE(parsed.invocation.has_value()) << parsed.err;
  EXPECT_EQ(parsed.invocation->socket, "/tmp/b.sock");
  EXPECT_TRUE(parsed.invocation->json);
  EXPECT_EQ(parsed.invocation->command.id, "t1");
}

TEST(CommandLine, DefaultsAreNoSocketAndHumanOutput) {
  const auto parsed = parse_command_line({"info"});
  ASSERT_TRUE(parsed.invocation.has_value()) << parsed.err;
  EXPECT_EQ(parsed.invocation->socket, "");
  EXPECT_FALSE(parsed.invocation->json);
  EXPECT_EQ(parsed.invocation->command.resource, "info");
  EXPECT_EQ(parsed.invocation->command.verb, "");
}

TEST(CommandLine, CollectsRepeatedFlagsInOrderAndBareBooleansAsEmpty) {
  const auto parsed = parse_command_line({"tunnel", "modify", "t1", "--spd", "a=b", "--esn",
                                          "--spd", "c=d,e"});
  ASSERT_TRUE(parsed.invocation.has_value()) << parsed.err;
  const auto& flags = parsed.invocation->command.flags;
  EXPECT_EQ(flags.at("--spd"), (std::vector<std::string>{"a=b", "c=d,e"}));
  EXPECT_EQ(flags.at("--esn"), std::vector<std::string>{""});
  EXPECT_FALSE(flags.contains("--auto-route"));
}

TEST(CommandLine, HelpExitsZeroWithTheCommandsUsage) {
  const auto parsed = parse_command_line({"tunnel", "create", "--help"});
  EXPECT_FALSE(parsed.invocation.has_value());
  EXPECT_EQ(parsed.exit_code, 0);
  EXPECT_NE(parsed.out.find("vpngwctl tunnel create"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("--ike-dh GROUP"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("--spd LOCAL=PEER[,PEER...] ... REQUIRED"), std::string::npos)
      << parsed.out;
  EXPECT_EQ(parsed.err, "");
}

TEST(CommandLine, EveryTableFlagIsOfferedByItsCommand) {
  for (const auto& command : command_specs()) {
    std::vector<std::string> args{std::string(command.resource)};
    if (!command.verb.empty()) args.emplace_back(command.verb);
    args.emplace_back("--help");
    const auto parsed = parse_command_line(args);
    ASSERT_EQ(parsed.exit_code, 0) << command.op;
    for (const auto& use : command.flags)
      EXPECT_NE(parsed.out.find(std::string(use.flag) + " "), std::string::npos)
          << command.op << " help lacks " << use.flag;
  }
}

TEST(CommandLine, AMissingRequiredFlagIsAUsageErrorNamingIt) {
  const auto parsed = parse_command_line({"gateway", "create", "--name", "gw1", "--vpc", "prod",
                                          "--public-ip", "198.51.100.10"});
  EXPECT_FALSE(parsed.invocation.has_value());
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_NE(parsed.err.find("--bandwidth"), std::string::npos) << parsed.err;
  EXPECT_EQ(parsed.err.rfind("error: ", 0), 0u) << parsed.err;
}

TEST(CommandLine, AMissingIdIsAUsageError) {
  const auto parsed = parse_command_line({"tunnel", "status"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_NE(parsed.err.find("ID"), std::string::npos) << parsed.err;
}

TEST(CommandLine, UnknownFlagsAndFlagsOfOtherCommandsAreRejected) {
  auto parsed = parse_command_line({"vpc", "list", "--bogus"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_NE(parsed.err.find("--bogus"), std::string::npos) << parsed.err;

  parsed = parse_command_line({"route", "modify", "rtb-1", "--gateway", "gw", "--psk", "x"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_NE(parsed.err.find("--psk"), std::string::npos) << parsed.err;
}

TEST(CommandLine, AResourceWithoutAVerbListsTheVerbs) {
  const auto parsed = parse_command_line({"customer-gateway"});
  EXPECT_EQ(parsed.exit_code, 2);
  for (const char* verb : {"create", "list", "show", "modify", "delete"})
    EXPECT_NE(parsed.err.find(verb), std::string::npos) << parsed.err;
}

TEST(CommandLine, NoArgumentsListsTheResources) {
  const auto parsed = parse_command_line({});
  EXPECT_EQ(parsed.exit_code, 2);
  for (const char* resource : {"vpc", "gateway", "customer-gateway", "tunnel", "route", "info"})
    EXPECT_NE(parsed.err.find(resource), std::string::npos) << parsed.err;
}

TEST(CommandLine, AnUnknownWordBeforeTheResourceIsNamed) {
  const auto parsed = parse_command_line({"--bogus"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_EQ(parsed.err.rfind("error: not expected here: --bogus\n", 0), 0u) << parsed.err;
}

TEST(CommandLine, UnknownVerbIsRejected) {
  const auto parsed = parse_command_line({"vpc", "rename", "x"});
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_FALSE(parsed.invocation.has_value());
}

}  // namespace
}  // namespace vpngw::cli
