// vpngwctl end to end against a scripted fake daemon: what goes on the wire,
// what is printed, and the exit status.
#include "control/cli/vpngwctl.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "control/cli/api_client.hpp"
#include "tests/cli/fake_daemon.hpp"

namespace vpngw::cli {
namespace {

using nlohmann::json;
using testing::FakeDaemon;
using Behaviour = FakeDaemon::Behaviour;

struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

Run run(const std::vector<std::string>& args, const Environment& env = {}) {
  std::ostringstream out;
  std::ostringstream err;
  Run result;
  result.status = run_vpngwctl(args, env, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

std::vector<std::string> with_socket(const FakeDaemon& daemon, std::vector<std::string> args) {
  args.insert(args.begin(), {"--socket", daemon.socket_path()});
  return args;
}

TEST(Vpngwctl, PrintsTheResultAndExitsZero) {
  FakeDaemon daemon({{Behaviour::answer,
                      R"({"version":1,"result":{"items":[{"id":"vpc-1a2b3c4d","name":"prod",
                          "cidrs":["10.0.0.0/16"],"route_table_id":"rtb-1"}]}})"}});
  const auto r = run(with_socket(daemon, {"vpc", "list"}));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out,
            "ID            NAME  CIDRS        ROUTE-TABLE\n"
            "vpc-1a2b3c4d  prod  10.0.0.0/16  rtb-1\n");
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(daemon.requests().size(), 1u);
  EXPECT_EQ(json::parse(daemon.requests()[0]), json::parse(R"({"version":1,"op":"vpc.list"})"));
}

TEST(Vpngwctl, SendsOneCompactRequestLine) {
  FakeDaemon daemon({{Behaviour::answer, R"({"version":1,"result":{"id":"gw1","name":"gw1"}})"}});
  const auto r = run(with_socket(daemon, {"gateway", "create", "--name", "gw1", "--vpc", "prod",
                                          "--public-ip", "198.51.100.10", "--bandwidth", "50"}));
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(daemon.requests().size(), 1u);
  const std::string line = daemon.requests()[0];
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(json::parse(line), json::parse(R"({"version":1,"op":"gateway.create","params":{
      "name":"gw1","vpc":"prod","public_ip":"198.51.100.10","bandwidth":50}})"));
}

TEST(Vpngwctl, JsonPrintsTheResultObject) {
  FakeDaemon daemon({{Behaviour::answer,
                      R"({"version":1,"result":{"id":"cgw-1","name":"b","public_ip":"0.0.0.0"},
                          "request_id":"x"})"}});
  const auto r = run(with_socket(daemon, {"customer-gateway", "show", "b", "--json"}));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(json::parse(r.out), json::parse(R"({"id":"cgw-1","name":"b","public_ip":"0.0.0.0"})"));
}

TEST(Vpngwctl, ARejectedRequestExitsTwoNamingCodeFieldAndFlag) {
  FakeDaemon daemon({{Behaviour::answer,
                      R"({"version":1,"error":{"code":"InvalidParameterValue",
                          "field":"ike.dh_group","message":"7 is not a DH group"}})"}});
  const auto r = run(with_socket(daemon, {"tunnel", "modify", "t1", "--ike-dh", "7"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: InvalidParameterValue: ike.dh_group: 7 is not a DH group (flag --ike-dh)\n");
}

TEST(Vpngwctl, ASpdErrorNamesTheOccurrenceOfTheFlag) {
  FakeDaemon daemon({{Behaviour::answer,
                      R"({"version":1,"error":{"code":"InvalidParameterValue",
                          "field":"spd[1].local","message":"not inside the VPC"}})"}});
  const auto r = run(with_socket(daemon, {"tunnel", "create", "--name", "t1", "--gateway", "g",
                                          "--customer-gateway", "c", "--psk", "k", "--spd",
                                          "10.0.0.0/24=192.168.0.0/24", "--spd",
                                          "10.9.0.0/24=192.168.1.0/24"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "error: InvalidParameterValue: spd[1].local: not inside the VPC (flag --spd #2)\n");
}

TEST(Vpngwctl, NeverPrintsThePskItSent) {
  const std::string psk = "Sup3r-s3cret";
  FakeDaemon daemon(
      {{Behaviour::answer, R"({"version":1,"error":{"code":"InvalidParameterValue","field":"psk",
                              "message":"')" + psk + R"(' is not allowed"}})"},
       {Behaviour::answer, R"({"version":1,"result":{"id":"vpnx-1","name":"t1","psk":")" + psk +
                               R"("}})"}});
  auto r = run(with_socket(daemon, {"tunnel", "modify", "t1", "--psk", psk}));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.find(psk), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'********' is not allowed (flag --psk)"), std::string::npos) << r.err;

  r = run(with_socket(daemon, {"--json", "tunnel", "modify", "t1", "--psk", psk}));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.find(psk), std::string::npos) << r.out;
  EXPECT_EQ(json::parse(r.out)["psk"], "********");
}

TEST(Vpngwctl, AUsageErrorExitsTwoWithoutContactingTheDaemon) {
  FakeDaemon daemon({{Behaviour::answer, R"({"version":1,"result":{}})"}});
  const auto r = run(with_socket(daemon, {"tunnel", "modify", "t1", "--spd", "10.0.0.0/24"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "error: --spd #1: expected LOCAL=PEER[,PEER...], got '10.0.0.0/24'\n");
  EXPECT_TRUE(daemon.requests().empty());
}

TEST(Vpngwctl, NoSocketExitsOneNamingThePath) {
  const std::string path = "/tmp/vpngwctl-test-no-such-dir/vpngw.sock";
  const auto r = run({"--socket", path, "info"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("cannot connect to vpngwd at " + path), std::string::npos) << r.err;
}

TEST(Vpngwctl, AConnectionClosedWithoutAnswerExitsOne) {
  FakeDaemon daemon({{Behaviour::close_silently, ""}});
  const auto r = run(with_socket(daemon, {"info"}));
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "error: vpngwd at " + daemon.socket_path() +
                       " closed the connection without answering\n");
}

TEST(Vpngwctl, ASilentDaemonTimesOutAndExitsOne) {
  FakeDaemon daemon({{Behaviour::stay_silent, ""}});
  Environment env;
  env.timeout = std::chrono::milliseconds(200);
  const auto started = std::chrono::steady_clock::now();
  const auto r = run(with_socket(daemon, {"info"}), env);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "error: no answer from vpngwd at " + daemon.socket_path() +
                       " within 200 ms\n");
  EXPECT_GE(took, std::chrono::milliseconds(190));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(Vpngwctl, AResponseArrivingInPiecesIsReadWhole) {
  FakeDaemon daemon({{Behaviour::answer_in_two_writes,
                      R"({"version":1,"result":{"id":"vpc-1","deleted":true}})"}});
  const auto r = run(with_socket(daemon, {"vpc", "delete", "vpc-1"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "deleted vpc-1\n");
}

TEST(Vpngwctl, AGarbledResponseExitsOne) {
  FakeDaemon daemon({{Behaviour::answer, "this is not json"},
                     {Behaviour::answer, R"({"version":1})"},
                     {Behaviour::answer, R"({"version":2,"result":{}})"}});
  auto r = run(with_socket(daemon, {"info"}));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("not a JSON object"), std::string::npos) << r.err;
  r = run(with_socket(daemon, {"info"}));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("neither result nor error"), std::string::npos) << r.err;
  r = run(with_socket(daemon, {"info"}));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("API version 2"), std::string::npos) << r.err;
}

TEST(Vpngwctl, TheEnvironmentSocketIsUsedWithoutTheFlag) {
  FakeDaemon daemon({{Behaviour::answer, R"({"version":1,"result":{"version":"0.1.0"}})"}});
  Environment env;
  env.socket_env = daemon.socket_path();
  const auto r = run({"info"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "version  0.1.0\n");
}

TEST(Vpngwctl, TheSocketFlagWinsOverTheEnvironment) {
  FakeDaemon daemon({{Behaviour::answer, R"({"version":1,"result":{"version":"0.1.0"}})"}});
  Environment env;
  env.socket_env = "/tmp/vpngwctl-test-no-such-dir/env.sock";
  const auto r = run(with_socket(daemon, {"info"}), env);
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(Vpngwctl, SocketPathPrecedence) {
  EXPECT_EQ(resolve_socket_path("", ""), "/run/vpngw/vpngw.sock");
  EXPECT_EQ(resolve_socket_path("", "/env.sock"), "/env.sock");
  EXPECT_EQ(resolve_socket_path("/flag.sock", "/env.sock"), "/flag.sock");
}

TEST(Vpngwctl, TunnelConfigPrintsTheConfigurationText) {
  FakeDaemon daemon({{Behaviour::answer, R"({"version":1,"result":{"vendor":"cisco-ios",
                          "filename":"t1.cfg","config":"crypto ikev2 keyring k\n"}})"}});
  const auto r = run(with_socket(daemon, {"tunnel", "config", "t1", "--vendor", "cisco-ios"}));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "crypto ikev2 keyring k\n");
}

TEST(Vpngwctl, TunnelConfigOutputWritesAPrivateFile) {
  FakeDaemon daemon({{Behaviour::answer, R"({"version":1,"result":{"vendor":"strongswan",
                          "filename":"ipsec.conf","config":"conn t1\n  psk=Sup3r\n"}})"},
                     {Behaviour::answer, R"({"version":1,"result":{"vendor":"strongswan",
                          "filename":"ipsec.conf","config":"second\n"}})"}});
  const std::string file = daemon.directory() + "/t1.conf";
  auto r = run(with_socket(daemon, {"tunnel", "config", "t1", "--vendor", "strongswan",
                                    "--output", file}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "wrote the strongswan configuration to " + file + "\n");
  std::ifstream in(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "conn t1\n  psk=Sup3r\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // --json with --output: the note, not the secret, goes to stdout; an
  // existing file is overwritten.
  ::chmod(file.c_str(), 0644);
  r = run(with_socket(daemon, {"--json", "tunnel", "config", "t1", "--vendor", "strongswan",
                               "--output", file}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), (json{{"vendor", "strongswan"}, {"filename", "ipsec.conf"},
                                      {"output", file}}));
  std::ifstream again(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(again), {}), "second\n");
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ::unlink(file.c_str());
}

TEST(ApiClient, ExchangesOneLine) {
  FakeDaemon daemon({{Behaviour::answer, R"({"version":1,"result":{}})"}});
  const ApiClient client(daemon.socket_path(), std::chrono::seconds(5));
  const RoundTrip trip = client.exchange(R"({"version":1,"op":"daemon.info"})");
  ASSERT_TRUE(trip.ok()) << trip.failure;
  EXPECT_EQ(trip.response, R"({"version":1,"result":{}})");
  EXPECT_EQ(daemon.requests(), std::vector<std::string>{R"({"version":1,"op":"daemon.info"})"});
}

TEST(ApiClient, RejectsASocketPathTooLongForUnixSockets) {
  const ApiClient client("/tmp/" + std::string(200, 'x'), std::chrono::seconds(1));
  const RoundTrip trip = client.exchange("{}");
  EXPECT_FALSE(trip.ok());
  EXPECT_NE(trip.failure.find("socket path must be 1-107 bytes"), std::string::npos)
      << trip.failure;
}

}  // namespace
}  // namespace vpngw::cli
