// Every resource and verb, and every tunnel flag, mapped to its exact request.
#include "control/cli/request_builder.hpp"

#include <gtest/gtest.h>

#include "tests/cli/request_test_support.hpp"

namespace vpngw::cli {
namespace {

using nlohmann::json;
using testing::request_for;
using testing::usage_error_for;

json expected(const char* text) { return json::parse(text); }

// ---- VPC ----

TEST(RequestBuilder, VpcCreateSendsNameAndEveryCidrInOrder) {
  EXPECT_EQ(request_for({"vpc", "create", "--name", "prod", "--cidr", "10.0.0.0/16", "--cidr",
                         "10.1.0.0/16"}),
            expected(R"({"version":1,"op":"vpc.create",
                         "params":{"name":"prod","cidrs":["10.0.0.0/16","10.1.0.0/16"]}})"));
}

TEST(RequestBuilder, VpcListSendsNoParams) {
  EXPECT_EQ(request_for({"vpc", "list"}), expected(R"({"version":1,"op":"vpc.list"})"));
}

TEST(RequestBuilder, VpcShowAndDeletePassThePositionalAsId) {
  EXPECT_EQ(request_for({"vpc", "show", "prod"}),
            expected(R"({"version":1,"op":"vpc.show","params":{"id":"prod"}})"));
  EXPECT_EQ(request_for({"vpc", "delete", "vpc-1a2b3c4d"}),
            expected(R"({"version":1,"op":"vpc.delete","params":{"id":"vpc-1a2b3c4d"}})"));
}

TEST(RequestBuilder, VpcModifySendsOnlyTheFlagsGiven) {
  EXPECT_EQ(request_for({"vpc", "modify", "prod", "--cidr", "10.0.0.0/15"}),
            expected(R"({"version":1,"op":"vpc.modify",
                         "params":{"id":"prod","cidrs":["10.0.0.0/15"]}})"));
  EXPECT_EQ(request_for({"vpc", "modify", "prod", "--name", "production"}),
            expected(R"({"version":1,"op":"vpc.modify",
                         "params":{"id":"prod","name":"production"}})"));
  EXPECT_EQ(request_for({"vpc", "modify", "prod"}),
            expected(R"({"version":1,"op":"vpc.modify","params":{"id":"prod"}})"));
}

// ---- VPN gateway ----

TEST(RequestBuilder, GatewayCreateSendsBandwidthAsANumber) {
  EXPECT_EQ(request_for({"gateway", "create", "--name", "gw1", "--vpc", "prod", "--public-ip",
                         "198.51.100.10", "--bandwidth", "100"}),
            expected(R"({"version":1,"op":"gateway.create",
                         "params":{"name":"gw1","vpc":"prod","public_ip":"198.51.100.10",
                                   "bandwidth":100}})"));
}

TEST(RequestBuilder, GatewayListFiltersByVpcOnlyWhenAsked) {
  EXPECT_EQ(request_for({"gateway", "list"}), expected(R"({"version":1,"op":"gateway.list"})"));
  EXPECT_EQ(request_for({"gateway", "list", "--vpc", "prod"}),
            expected(R"({"version":1,"op":"gateway.list","params":{"vpc":"prod"}})"));
}

TEST(RequestBuilder, GatewayShowModifyDelete) {
  EXPECT_EQ(request_for({"gateway", "show", "gw1"}),
            expected(R"({"version":1,"op":"gateway.show","params":{"id":"gw1"}})"));
  EXPECT_EQ(request_for({"gateway", "modify", "gw1", "--bandwidth", "200", "--name", "gw2"}),
            expected(R"({"version":1,"op":"gateway.modify",
                         "params":{"id":"gw1","bandwidth":200,"name":"gw2"}})"));
  EXPECT_EQ(request_for({"gateway", "delete", "gw1"}),
            expected(R"({"version":1,"op":"gateway.delete","params":{"id":"gw1"}})"));
}

// ---- Customer gateway: the CLI word has a dash, the op an underscore ----

TEST(RequestBuilder, CustomerGatewayVerbsMapToCustomerGatewayOps) {
  EXPECT_EQ(request_for({"customer-gateway", "create", "--name", "branch", "--public-ip",
                         "203.0.113.7"}),
            expected(R"({"version":1,"op":"customer_gateway.create",
                         "params":{"name":"branch","public_ip":"203.0.113.7"}})"));
  EXPECT_EQ(request_for({"customer-gateway", "list"}),
            expected(R"({"version":1,"op":"customer_gateway.list"})"));
  EXPECT_EQ(request_for({"customer-gateway", "show", "branch"}),
            expected(R"({"version":1,"op":"customer_gateway.show","params":{"id":"branch"}})"));
  EXPECT_EQ(request_for({"customer-gateway", "modify", "branch", "--name", "branch2"}),
            expected(R"({"version":1,"op":"customer_gateway.modify",
                         "params":{"id":"branch","name":"branch2"}})"));
  EXPECT_EQ(request_for({"customer-gateway", "delete", "cgw-00000001"}),
            expected(R"({"version":1,"op":"customer_gateway.delete",
                         "params":{"id":"cgw-00000001"}})"));
}

// ---- Tunnel ----

TEST(RequestBuilder, TunnelCreateWithRequiredFlagsOnly) {
  EXPECT_EQ(request_for({"tunnel", "create", "--name", "t1", "--gateway", "gw1",
                         "--customer-gateway", "branch", "--psk", "s3cret!", "--spd",
                         "10.0.0.0/24=192.168.0.0/24,192.168.1.0/24"}),
            expected(R"({"version":1,"op":"tunnel.create",
                         "params":{"name":"t1","gateway":"gw1","customer_gateway":"branch",
                                   "psk":"s3cret!",
                                   "spd":[{"local":"10.0.0.0/24",
                                           "peers":["192.168.0.0/24","192.168.1.0/24"]}]}})"));
}

TEST(RequestBuilder, TunnelCreateWithEveryFlagFillsTheNestedPolicies) {
  EXPECT_EQ(
      request_for({"tunnel", "create", "--name", "t1", "--gateway", "gw1",
                   "--customer-gateway", "branch", "--psk", "k",
                   "--spd", "10.0.0.0/24=192.168.0.0/24,192.168.1.0/24",
                   "--spd", "10.0.1.0/24=192.168.2.0/24",
                   "--ike-version", "ikev1", "--ike-mode", "aggressive", "--ike-enc", "aes256",
                   "--ike-auth", "sha256", "--ike-dh", "14", "--ike-lifetime", "28800",
                   "--local-id", "vpn.example.com", "--remote-id", "203.0.113.7",
                   "--esp-enc", "aes128gcm", "--esp-auth", "sha1", "--pfs", "disable",
                   "--esp-lifetime", "3600", "--esp-lifetime-kb", "4294967295", "--esn",
                   "--dpd-delay", "10", "--dpd-timeout", "30", "--dpd-action", "restart",
                   "--start-action", "trap", "--auto-route"}),
      expected(R"({"version":1,"op":"tunnel.create","params":{
          "name":"t1","gateway":"gw1","customer_gateway":"branch","psk":"k",
          "spd":[{"local":"10.0.0.0/24","peers":["192.168.0.0/24","192.168.1.0/24"]},
                 {"local":"10.0.1.0/24","peers":["192.168.2.0/24"]}],
          "ike":{"version":"ikev1","mode":"aggressive","encryption":"aes256",
                 "integrity":"sha256","dh_group":"14","lifetime":28800,
                 "local_id":"vpn.example.com","remote_id":"203.0.113.7"},
          "ipsec":{"encryption":"aes128gcm","integrity":"sha1","pfs":"disable",
                   "lifetime":3600,"lifetime_kb":4294967295,"esn":true},
          "dpd":{"delay":10,"timeout":30,"action":"restart"},
          "start_action":"trap","auto_route":true}})"));
}

// One tunnel flag at a time, through `tunnel modify`: each lands in exactly
// one param with the right JSON type, and nothing else is sent.
struct FlagCase {
  std::vector<std::string> flag_args;
  const char* params;  // the expected params besides "id"
};

class TunnelFlag : public ::testing::TestWithParam<FlagCase> {};

TEST_P(TunnelFlag, ModifySendsJustThatParam) {
  std::vector<std::string> args{"tunnel", "modify", "t1"};
  args.insert(args.end(), GetParam().flag_args.begin(), GetParam().flag_args.end());
  json params = json::parse(GetParam().params);
  params["id"] = "t1";
  EXPECT_EQ(request_for(args), (json{{"version", 1}, {"op", "tunnel.modify"}, {"params", params}}));
}

INSTANTIATE_TEST_SUITE_P(
    EveryFlag, TunnelFlag,
    ::testing::Values(
        FlagCase{{"--name", "t2"}, R"({"name":"t2"})"},
        FlagCase{{"--psk", "n3w-key"}, R"({"psk":"n3w-key"})"},
        FlagCase{{"--spd", "10.0.2.0/24=192.168.2.0/24"},
                 R"({"spd":[{"local":"10.0.2.0/24","peers":["192.168.2.0/24"]}]})"},
        FlagCase{{"--ike-version", "ikev2"}, R"({"ike":{"version":"ikev2"}})"},
        FlagCase{{"--ike-mode", "main"}, R"({"ike":{"mode":"main"}})"},
        FlagCase{{"--ike-enc", "3des"}, R"({"ike":{"encryption":"3des"}})"},
        FlagCase{{"--ike-auth", "md5"}, R"({"ike":{"integrity":"md5"}})"},
        FlagCase{{"--ike-dh", "24"}, R"({"ike":{"dh_group":"24"}})"},
        FlagCase{{"--ike-lifetime", "86400"}, R"({"ike":{"lifetime":86400}})"},
        FlagCase{{"--local-id", "198.51.100.10"}, R"({"ike":{"local_id":"198.51.100.10"}})"},
        FlagCase{{"--remote-id", "peer.example.net"},
                 R"({"ike":{"remote_id":"peer.example.net"}})"},
        FlagCase{{"--esp-enc", "aes192"}, R"({"ipsec":{"encryption":"aes192"}})"},
        FlagCase{{"--esp-auth", "sha256"}, R"({"ipsec":{"integrity":"sha256"}})"},
        FlagCase{{"--pfs", "5"}, R"({"ipsec":{"pfs":"5"}})"},
        FlagCase{{"--esp-lifetime", "7200"}, R"({"ipsec":{"lifetime":7200}})"},
        FlagCase{{"--esp-lifetime-kb", "0"}, R"({"ipsec":{"lifetime_kb":0}})"},
        FlagCase{{"--esn"}, R"({"ipsec":{"esn":true}})"},
        FlagCase{{"--esn", "false"}, R"({"ipsec":{"esn":false}})"},
        FlagCase{{"--esn=false"}, R"({"ipsec":{"esn":false}})"},
        FlagCase{{"--esn=true"}, R"({"ipsec":{"esn":true}})"},
        FlagCase{{"--dpd-delay", "0"}, R"({"dpd":{"delay":0}})"},
        FlagCase{{"--dpd-timeout", "120"}, R"({"dpd":{"timeout":120}})"},
        FlagCase{{"--dpd-action", "clear"}, R"({"dpd":{"action":"clear"}})"},
        FlagCase{{"--start-action", "respond"}, R"({"start_action":"respond"})"},
        FlagCase{{"--auto-route"}, R"({"auto_route":true})"},
        FlagCase{{"--auto-route=false"}, R"({"auto_route":false})"},
        FlagCase{{"--auto-route", "true"}, R"({"auto_route":true})"},
        // Values the daemon will judge are passed through untouched.
        FlagCase{{"--dpd-delay", "-1"}, R"({"dpd":{"delay":-1}})"},
        FlagCase{{"--ike-dh", "modp2048"}, R"({"ike":{"dh_group":"modp2048"}})"}));

TEST(RequestBuilder, TunnelModifyMergesSeveralFlagsIntoOneNestedObject) {
  EXPECT_EQ(request_for({"tunnel", "modify", "t1", "--ike-dh", "14", "--ike-enc", "aes256",
                         "--dpd-delay", "5"}),
            expected(R"({"version":1,"op":"tunnel.modify","params":{"id":"t1",
                         "ike":{"dh_group":"14","encryption":"aes256"},"dpd":{"delay":5}}})"));
}

TEST(RequestBuilder, TunnelListShowDeleteStatus) {
  EXPECT_EQ(request_for({"tunnel", "list"}), expected(R"({"version":1,"op":"tunnel.list"})"));
  EXPECT_EQ(request_for({"tunnel", "list", "--gateway", "gw1"}),
            expected(R"({"version":1,"op":"tunnel.list","params":{"gateway":"gw1"}})"));
  EXPECT_EQ(request_for({"tunnel", "show", "t1"}),
            expected(R"({"version":1,"op":"tunnel.show","params":{"id":"t1"}})"));
  EXPECT_EQ(request_for({"tunnel", "delete", "t1"}),
            expected(R"({"version":1,"op":"tunnel.delete","params":{"id":"t1"}})"));
  EXPECT_EQ(request_for({"tunnel", "status", "t1"}),
            expected(R"({"version":1,"op":"tunnel.status","params":{"id":"t1"}})"));
  EXPECT_EQ(request_for({"tunnel", "logs", "t1"}),
            expected(R"({"version":1,"op":"tunnel.logs","params":{"id":"t1"}})"));
  EXPECT_EQ(request_for({"tunnel", "logs", "t1", "--limit", "20"}),
            expected(R"({"version":1,"op":"tunnel.logs","params":{"id":"t1","limit":20}})"));
}

TEST(RequestBuilder, TunnelConfigSendsVendorButKeepsOutputLocal) {
  EXPECT_EQ(request_for({"tunnel", "config", "t1", "--vendor", "cisco-ios"}),
            expected(R"({"version":1,"op":"tunnel.config",
                         "params":{"id":"t1","vendor":"cisco-ios"}})"));
  EXPECT_EQ(request_for({"tunnel", "config", "t1", "--vendor", "swanctl", "--output",
                         "/tmp/t1.conf"}),
            expected(R"({"version":1,"op":"tunnel.config",
                         "params":{"id":"t1","vendor":"swanctl"}})"));
}

// ---- Route and daemon ----

TEST(RequestBuilder, RouteVerbs) {
  EXPECT_EQ(request_for({"route", "create", "--vpc", "prod", "--destination", "192.168.0.0/24",
                         "--gateway", "gw1"}),
            expected(R"({"version":1,"op":"route.create",
                         "params":{"vpc":"prod","destination":"192.168.0.0/24",
                                   "gateway":"gw1"}})"));
  EXPECT_EQ(request_for({"route", "list"}), expected(R"({"version":1,"op":"route.list"})"));
  EXPECT_EQ(request_for({"route", "list", "--vpc", "prod"}),
            expected(R"({"version":1,"op":"route.list","params":{"vpc":"prod"}})"));
  EXPECT_EQ(request_for({"route", "show", "rtb-1"}),
            expected(R"({"version":1,"op":"route.show","params":{"id":"rtb-1"}})"));
  EXPECT_EQ(request_for({"route", "modify", "rtb-1", "--gateway", "gw2"}),
            expected(R"({"version":1,"op":"route.modify",
                         "params":{"id":"rtb-1","gateway":"gw2"}})"));
  EXPECT_EQ(request_for({"route", "delete", "rtb-1"}),
            expected(R"({"version":1,"op":"route.delete","params":{"id":"rtb-1"}})"));
}

TEST(RequestBuilder, SaCreateSendsTheReplayWindowAsANumber) {
  EXPECT_EQ(request_for({"sa", "create", "--tunnel", "t1", "--direction", "in", "--spi", "0x1000",
                         "--enc", "aes128", "--enc-key", "00", "--replay-window", "0"}),
            expected(R"({"version":1,"op":"sa.create",
                         "params":{"tunnel":"t1","direction":"in","spi":"0x1000",
                                   "encryption":"aes128","enc_key":"00","replay_window":0}})"));
  const auto error = usage_error_for({"sa", "create", "--tunnel", "t1", "--direction", "in", "--spi",
                                      "4096", "--enc", "aes128", "--enc-key", "00",
                                      "--replay-window", "off"});
  EXPECT_EQ(error.flag, "--replay-window");
  EXPECT_EQ(error.message, "expected an integer, got 'off'");
}

TEST(RequestBuilder, InfoAsksForDaemonInfo) {
  EXPECT_EQ(request_for({"info"}), expected(R"({"version":1,"op":"daemon.info"})"));
}

// ---- Syntax errors: exit 2, naming the flag ----

TEST(RequestBuilder, NonIntegerValuesAreRejectedNamingTheFlag) {
  auto error = usage_error_for({"gateway", "modify", "gw1", "--bandwidth", "100M"});
  EXPECT_EQ(error.flag, "--bandwidth");
  EXPECT_EQ(error.message, "expected an integer, got '100M'");

  error = usage_error_for({"tunnel", "modify", "t1", "--ike-lifetime", "1h"});
  EXPECT_EQ(error.flag, "--ike-lifetime");
  error = usage_error_for({"tunnel", "modify", "t1", "--esp-lifetime-kb", "99999999999999999999"});
  EXPECT_EQ(error.flag, "--esp-lifetime-kb");
  error = usage_error_for({"tunnel", "modify", "t1", "--dpd-timeout", ""});
  EXPECT_EQ(error.flag, "--dpd-timeout");
}

TEST(RequestBuilder, BooleanFlagsTakeOnlyTrueOrFalse) {
  const auto error = usage_error_for({"tunnel", "modify", "t1", "--esn=yes"});
  EXPECT_EQ(error.flag, "--esn");
  EXPECT_EQ(error.message, "expected true or false, got 'yes'");
  EXPECT_EQ(usage_error_for({"tunnel", "modify", "t1", "--auto-route=0"}).flag, "--auto-route");
}

TEST(RequestBuilder, MalformedSpdIsRejectedNamingWhichOccurrence) {
  const auto error = usage_error_for({"tunnel", "modify", "t1", "--spd", "10.0.0.0/24=10.9.0.0/24",
                                      "--spd", "10.0.1.0/24"});
  EXPECT_EQ(error.flag, "--spd #2");
  EXPECT_EQ(error.message, "expected LOCAL=PEER[,PEER...], got '10.0.1.0/24'");
  EXPECT_EQ(usage_error_for({"tunnel", "modify", "t1", "--spd", "=192.168.0.0/24"}).flag,
            "--spd #1");
}

TEST(RequestBuilder, ASingleValueFlagGivenTwiceIsRejected) {
  const auto error = usage_error_for({"vpc", "create", "--name", "a", "--name", "b", "--cidr",
                                      "10.0.0.0/16"});
  EXPECT_EQ(error.flag, "--name");
  EXPECT_EQ(error.message, "given 2 times; give it once");
}

TEST(RequestBuilder, HandBuiltCommandsAreCheckedAgainstTheCommandTable) {
  Command wrong_flag{"vpc", "create", "", {{"--name", {"a"}}, {"--cidr", {"10.0.0.0/16"}},
                                            {"--psk", {"x"}}}};
  auto outcome = build_request(wrong_flag);
  ASSERT_TRUE(std::holds_alternative<UsageError>(outcome));
  EXPECT_EQ(std::get<UsageError>(outcome).flag, "--psk");
  EXPECT_EQ(std::get<UsageError>(outcome).message, "not a flag of 'vpc create'");

  Command missing{"route", "modify", "rtb-1", {}};
  outcome = build_request(missing);
  ASSERT_TRUE(std::holds_alternative<UsageError>(outcome));
  EXPECT_EQ(std::get<UsageError>(outcome).flag, "--gateway");

  Command no_id{"vpc", "show", "", {}};
  outcome = build_request(no_id);
  ASSERT_TRUE(std::holds_alternative<UsageError>(outcome));
  EXPECT_EQ(std::get<UsageError>(outcome).flag, "ID");

  outcome = build_request(Command{"vpc", "rename", "", {}});
  ASSERT_TRUE(std::holds_alternative<UsageError>(outcome));
  EXPECT_EQ(std::get<UsageError>(outcome).message, "unknown command 'vpc rename'");
}

}  // namespace
}  // namespace vpngw::cli
