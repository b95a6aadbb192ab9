#include "control/cli/output_format.hpp"

#include <gtest/gtest.h>

#include "control/cli/text_table.hpp"

namespace vpngw::cli {
namespace {

OrderedJson parse(const char* text) { return OrderedJson::parse(text); }

TEST(RenderTable, PadsEachColumnToItsWidestCellAndNotTheLast) {
  EXPECT_EQ(render_table({"ID", "NAME", "STATUS"},
                         {{"vpngw-1a2b3c4d", "gw1", "running"}, {"vpngw-2", "gateway-two", "x"}}),
            "ID              NAME         STATUS\n"
            "vpngw-1a2b3c4d  gw1          running\n"
            "vpngw-2         gateway-two  x\n");
}

TEST(RenderTable, LeavesNoTrailingBlanksWhenTheLastCellIsShort) {
  EXPECT_EQ(render_table({"A", "B"}, {{"1", ""}}), "A  B\n1\n");
}

TEST(RenderTable, AlignsByCharactersNotBytes) {
  EXPECT_EQ(display_width("z\u00fcrich"), 6u);
  EXPECT_EQ(render_table({"NAME", "X"}, {{"z\u00fcrich", "1"}, {"a", "2"}}),
            "NAME    X\n"
            "z\u00fcrich  1\n"
            "a       2\n");
}

TEST(RenderKeyValues, AlignsValuesAndKeepsContinuationLines) {
  EXPECT_EQ(render_key_values({{"id", "vpnx-1"}, {"spd", "a -> b"}, {"", "c -> d"},
                               {"ike.version", "ikev2"}}),
            "id           vpnx-1\n"
            "spd          a -> b\n"
            "             c -> d\n"
            "ike.version  ikev2\n");
}

TEST(FormatHuman, GatewayListIsATableOfTheKeyColumns) {
  const auto result = parse(R"({"items":[
      {"id":"vpngw-1a2b3c4d","name":"gw1","vpc_id":"vpc-00000001","public_ip":"198.51.100.10",
       "bandwidth":100,"status":"running","created_at":1700000000},
      {"id":"vpngw-00000002","name":"edge-gateway","vpc_id":"vpc-00000001",
       "public_ip":"198.51.100.11","bandwidth":1000,"status":"creating","created_at":1}]})");
  EXPECT_EQ(format_human("gateway.list", result),
            "ID              NAME          VPC           PUBLIC-IP      BANDWIDTH  STATUS\n"
            "vpngw-1a2b3c4d  gw1           vpc-00000001  198.51.100.10  100 Mbps   running\n"
            "vpngw-00000002  edge-gateway  vpc-00000001  198.51.100.11  1000 Mbps  creating\n");
}

TEST(FormatHuman, VpcListJoinsCidrsAndMarksMissingFields) {
  const auto result = parse(R"({"items":[
      {"id":"vpc-1","name":"prod","cidrs":["10.0.0.0/16","10.1.0.0/16"]}]})");
  EXPECT_EQ(format_human("vpc.list", result),
            "ID     NAME  CIDRS                    ROUTE-TABLE\n"
            "vpc-1  prod  10.0.0.0/16,10.1.0.0/16  -\n");
}

TEST(FormatHuman, OtherListsUseTheirOwnColumns) {
  EXPECT_EQ(format_human("customer_gateway.list",
                         parse(R"({"items":[{"id":"cgw-1","name":"b","public_ip":"0.0.0.0"}]})")),
            "ID     NAME  PUBLIC-IP\n"
            "cgw-1  b     0.0.0.0\n");
  EXPECT_EQ(format_human("tunnel.list", parse(R"({"items":[{"id":"vpnx-1","name":"t1",
                "gateway_id":"vpngw-1","customer_gateway_id":"cgw-1","status":"running",
                "connection_status":"phase1_failed","psk":"********"}]})")),
            "ID      NAME  GATEWAY  CUSTOMER-GATEWAY  STATUS   CONNECTION\n"
            "vpnx-1  t1    vpngw-1  cgw-1             running  phase1_failed\n");
  EXPECT_EQ(format_human("route.list", parse(R"({"items":[{"id":"rtb-1","vpc_id":"vpc-1",
                "destination":"192.168.0.0/24","gateway_id":"vpngw-1","tunnel_id":"",
                "origin":"static"}]})")),
            "ID     VPC    DESTINATION     GATEWAY  ORIGIN\n"
            "rtb-1  vpc-1  192.168.0.0/24  vpngw-1  static\n");
}

TEST(FormatHuman, AnEmptyListPrintsTheHeaderOnly) {
  EXPECT_EQ(format_human("route.list", parse(R"({"items":[]})")),
            "ID  VPC  DESTINATION  GATEWAY  ORIGIN\n");
}

TEST(FormatHuman, TunnelShowFlattensPoliciesAndPrintsOneSpdRulePerLine) {
  // The daemon's JSON objects come sorted by key; the listing reads in the
  // order an operator thinks of a tunnel.
  const auto tunnel = parse(R"({
      "auto_route":true,"connection_reason":"","connection_status":"connected",
      "created_at":0,"customer_gateway_id":"cgw-1",
      "dpd":{"action":"hold","delay":8,"timeout":13},"gateway_id":"vpngw-1",
      "id":"vpnx-1a2b3c4d",
      "ike":{"dh_group":"14","encryption":"aes128","integrity":"sha1","lifetime":86400,
             "local_id":"","mode":"main","remote_id":"peer.example.net","version":"ikev2"},
      "ipsec":{"encryption":"aes256","esn":false,"integrity":"sha1","lifetime":3600,
               "lifetime_kb":0,"pfs":"disable"},
      "name":"t1","psk":"********",
      "spd":[{"local":"10.0.0.0/24","peers":["192.168.0.0/24","192.168.1.0/24"]},
             {"local":"10.0.1.0/24","peers":["192.168.2.0/24"]}],
      "start_action":"start","status":"running"})");
  EXPECT_EQ(format_human("tunnel.show", tunnel),
            "id                   vpnx-1a2b3c4d\n"
            "name                 t1\n"
            "status               running\n"
            "connection_status    connected\n"
            "connection_reason    -\n"
            "gateway_id           vpngw-1\n"
            "customer_gateway_id  cgw-1\n"
            "psk                  ********\n"
            "spd                  10.0.0.0/24 -> 192.168.0.0/24, 192.168.1.0/24\n"
            "                     10.0.1.0/24 -> 192.168.2.0/24\n"
            "ike.version          ikev2\n"
            "ike.mode             main\n"
            "ike.encryption       aes128\n"
            "ike.integrity        sha1\n"
            "ike.dh_group         14\n"
            "ike.lifetime         86400\n"
            "ike.local_id         -\n"
            "ike.remote_id        peer.example.net\n"
            "ipsec.encryption     aes256\n"
            "ipsec.integrity      sha1\n"
            "ipsec.pfs            disable\n"
            "ipsec.lifetime       3600\n"
            "ipsec.lifetime_kb    0\n"
            "ipsec.esn            false\n"
            "dpd.delay            8\n"
            "dpd.timeout          13\n"
            "dpd.action           hold\n"
            "start_action         start\n"
            "auto_route           true\n"
            "created_at           1970-01-01 00:00:00 UTC\n");
}

TEST(FormatHuman, GatewayShowPutsIdentityFirstAndAgeLast) {
  EXPECT_EQ(format_human("gateway.show", parse(R"({"bandwidth":20,"created_at":1700000000,
                "id":"vpngw-1","name":"gw1","public_ip":"198.51.100.10","status":"running",
                "vpc_id":"vpc-1"})")),
            "id          vpngw-1\n"
            "name        gw1\n"
            "status      running\n"
            "vpc_id      vpc-1\n"
            "public_ip   198.51.100.10\n"
            "bandwidth   20 Mbps\n"
            "created_at  2023-11-14 22:13:20 UTC\n");
}

TEST(FormatHuman, AnEmptyResultPrintsNothing) {
  EXPECT_EQ(format_human("gateway.modify", parse("{}")), "");
}

TEST(FormatHuman, NeverShowsAPskInClearEvenIfTheDaemonSendsOne) {
  const auto text = format_human("tunnel.modify",
                                 parse(R"({"id":"vpnx-1","name":"t1","psk":"hunter22"})"));
  EXPECT_EQ(text.find("hunter22"), std::string::npos);
  EXPECT_NE(text.find("psk   ********"), std::string::npos) << text;
}

TEST(FormatHuman, StatusFlattensSasAndCounters) {
  const auto status = parse(R"({"id":"vpnx-1","name":"t1","status":"running",
      "connection_status":"connected","connection_reason":"",
      "ike_sa":{"state":"established","spi_i":"0a0b"},
      "child_sas":[{"spi_in":"c0000001","spi_out":"c0000002"}],
      "counters":{"bytes_in":1200,"packets_in":10}})");
  EXPECT_EQ(format_human("tunnel.status", status),
            "id                    vpnx-1\n"
            "name                  t1\n"
            "status                running\n"
            "connection_status     connected\n"
            "connection_reason     -\n"
            "ike_sa.state          established\n"
            "ike_sa.spi_i          0a0b\n"
            "child_sas[0].spi_in   c0000001\n"
            "child_sas[0].spi_out  c0000002\n"
            "counters.bytes_in     1200\n"
            "counters.packets_in   10\n");
}

TEST(FormatHuman, LogsAreOneLinePerEventWithItsTime) {
  const auto logs = parse(R"({"id":"vpnx-1","lines":[
      {"time":"2026-11-25T16:00:00.000Z","seq":1,"line":"sending IKE_SA_INIT request 0 [ SA KE No ]"},
      {"time":"2026-11-25T16:00:00.010Z","seq":2,"line":"IKE SA established"}]})");
  EXPECT_EQ(format_human("tunnel.logs", logs),
            "2026-11-25T16:00:00.000Z  sending IKE_SA_INIT request 0 [ SA KE No ]\n"
            "2026-11-25T16:00:00.010Z  IKE SA established\n");
  EXPECT_EQ(format_human("tunnel.logs", parse(R"({"id":"vpnx-1","lines":[]})")), "");
}

TEST(FormatHuman, DeleteConfirmsTheId) {
  EXPECT_EQ(format_human("vpc.delete", parse(R"({"id":"vpc-1a2b3c4d","deleted":true})")),
            "deleted vpc-1a2b3c4d\n");
}

TEST(FormatHuman, TunnelConfigIsTheConfigurationTextItself) {
  EXPECT_EQ(format_human("tunnel.config", parse(R"({"vendor":"strongswan",
                "filename":"ipsec.conf","config":"conn t1\n  left=%defaultroute"})")),
            "conn t1\n  left=%defaultroute\n");
}

TEST(FormatHuman, InfoFlattensNestedObjects) {
  EXPECT_EQ(format_human("daemon.info", parse(R"({"version":"0.1.0","api_version":1,
                "ports":{"public":"0000:01:00.0","private":"0000:01:00.1"},"empty":{},
                "list":[]})")),
            "version        0.1.0\n"
            "api_version    1\n"
            "ports.public   0000:01:00.0\n"
            "ports.private  0000:01:00.1\n"
            "empty          -\n"
            "list           -\n");
}

TEST(FormatJson, PrettyPrintsTheResultInTheDaemonsOrder) {
  EXPECT_EQ(format_json(parse(R"({"items":[{"name":"b","id":"vpc-1"}]})")),
            "{\n"
            "  \"items\": [\n"
            "    {\n"
            "      \"name\": \"b\",\n"
            "      \"id\": \"vpc-1\"\n"
            "    }\n"
            "  ]\n"
            "}\n");
}

}  // namespace
}  // namespace vpngw::cli
