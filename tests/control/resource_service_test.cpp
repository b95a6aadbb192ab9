// Every validation rule of PRODUCT.md through the resource service: each
// with a rejected case (which must change nothing) and an accepted one.
#include "service_fixture.hpp"

namespace vpngw {
namespace {

#define EXPECT_ERR(err, code_, field_)                    \
  do {                                                    \
    EXPECT_EQ((err).code, ErrorCode::code_) << (err).message; \
    EXPECT_EQ((err).field, field_) << (err).message;      \
  } while (0)

// ---- VPC ----

TEST_F(ServiceTest, VpcCreateAssignsIdsAndRouteTable) {
  auto vpc = ok(svc_.create_vpc(Json{{"name", "TomVPC"}, {"cidrs", {"192.168.0.0/16", "10.0.0.0/16"}}}));
  EXPECT_EQ(vpc.id.rfind("vpc-", 0), 0u);
  EXPECT_EQ(vpc.route_table_id.rfind("rtb-", 0), 0u);
  EXPECT_EQ(vpc.cidrs.size(), 2u);
  EXPECT_EQ(store_.snapshot().vpcs.size(), 1u);
}

TEST_F(ServiceTest, VpcRejectsBadCidrs) {
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "v"}}); }), MissingParameter, "cidrs");
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "v"}, {"cidrs", {"10.0.0.0/33"}}}); }),
             InvalidParameterValue, "cidrs[0]");
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "v"}, {"cidrs", {"10.0.0.5/16"}}}); }),
             InvalidParameterValue, "cidrs[0]");
  EXPECT_ERR(reject([&] {
               return svc_.create_vpc(Json{{"name", "v"}, {"cidrs", {"10.0.0.0/16", "10.0.128.0/17"}}});
             }),
             InvalidParameterValue, "cidrs[1]");
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "v"}, {"cidrs", Json::array()}}); }),
             MissingParameter, "cidrs");
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "v"}, {"cidrs", "10.0.0.0/8"}}); }),
             InvalidParameterValue, "cidrs");
}

TEST_F(ServiceTest, NamesAreUniqueAndNotIdShaped) {
  make_vpc("TomVPC");
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "TomVPC"}, {"cidrs", {"10.9.0.0/16"}}}); }),
             ResourceInUse, "name");
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "vpc-0000abcd"}, {"cidrs", {"10.9.0.0/16"}}}); }),
             InvalidParameterValue, "name");
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "bad name"}, {"cidrs", {"10.9.0.0/16"}}}); }),
             InvalidParameterValue, "name");
}

TEST_F(ServiceTest, UnknownParametersAreRejected) {
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "v"}, {"cidrs", {"10.0.0.0/16"}}, {"cidr", 1}}); }),
             InvalidParameterValue, "cidr");
}

TEST_F(ServiceTest, VpcModifyMustKeepSpdRulesValid) {
  auto vpc = make_vpc("v", Json{"10.0.0.0/16", "172.16.0.0/16"});
  auto gw = make_gateway(vpc);
  auto cgw = make_cgw();
  ok(svc_.create_tunnel(tunnel_params(gw, cgw)));
  EXPECT_ERR(reject([&] { return svc_.modify_vpc(vpc, Json{{"cidrs", {"172.16.0.0/16"}}}); }),
             InvalidParameterValue, "cidrs");
  auto modified = ok(svc_.modify_vpc("v", Json{{"cidrs", {"10.0.0.0/16"}}, {"name", "v2"}}));
  EXPECT_EQ(modified.cidrs.size(), 1u);
  EXPECT_EQ(modified.name, "v2");
}

TEST_F(ServiceTest, VpcDeleteRefusedWhileGatewaysExist) {
  auto vpc = make_vpc();
  auto gw = make_gateway(vpc);
  EXPECT_ERR(reject([&] { return svc_.delete_vpc(vpc); }), ResourceInUse, "id");
  ok(svc_.delete_gateway(gw));
  EXPECT_EQ(ok(svc_.delete_vpc(vpc)), vpc);
  EXPECT_TRUE(store_.snapshot().vpcs.empty());
}

// ---- VPN gateway ----

TEST_F(ServiceTest, GatewayBandwidthTiers) {
  auto vpc = make_vpc();
  int n = 0;
  for (int bw : {5, 10, 20, 50, 100, 200, 500, 1000}) {
    std::string name = "gw" + std::to_string(n);
    std::string ip = "203.0.113." + std::to_string(10 + n++);
    if (n > 8) break;
    auto gw = svc_.create_gateway(Json{{"name", name}, {"vpc", vpc}, {"public_ip", ip}, {"bandwidth", bw}});
    ASSERT_TRUE(gw.ok()) << bw;
    EXPECT_EQ(gw->bandwidth_mbps, static_cast<uint32_t>(bw));
    EXPECT_EQ(gw->status, ResourceStatus::running);
  }
  for (Json bw : {Json(7), Json(0), Json(2000), Json(-5), Json("100"), Json(100.5)})
    EXPECT_ERR(reject([&] {
                 return svc_.create_gateway(
                     Json{{"name", "x"}, {"vpc", vpc}, {"public_ip", "203.0.113.99"}, {"bandwidth", bw}});
               }),
               InvalidParameterValue, "bandwidth");
}

TEST_F(ServiceTest, GatewayModifyBandwidthAndImmutableFields) {
  auto vpc = make_vpc();
  auto gw = make_gateway(vpc, "g");
  EXPECT_EQ(ok(svc_.modify_gateway("g", Json{{"bandwidth", 1000}})).bandwidth_mbps, 1000u);
  EXPECT_EQ(store_.snapshot().gateways[0].bandwidth_mbps, 1000u);
  EXPECT_ERR(reject([&] { return svc_.modify_gateway(gw, Json{{"bandwidth", 300}}); }), InvalidParameterValue,
             "bandwidth");
  EXPECT_ERR(reject([&] { return svc_.modify_gateway(gw, Json{{"public_ip", "203.0.113.77"}}); }),
             InvalidParameterValue, "public_ip");
  EXPECT_ERR(reject([&] { return svc_.modify_gateway("nope", Json{{"bandwidth", 5}}); }), ResourceNotFound, "id");
}

TEST_F(ServiceTest, GatewayAddressAndReferenceRules) {
  auto vpc = make_vpc();
  make_gateway(vpc, "g1", "203.0.113.10");
  auto create = [&](const char* ip, const std::string& v) {
    return svc_.create_gateway(Json{{"name", "g2"}, {"vpc", v}, {"public_ip", ip}, {"bandwidth", 5}});
  };
  EXPECT_ERR(reject([&] { return create("203.0.113.10", vpc); }), ResourceInUse, "public_ip");
  EXPECT_ERR(reject([&] { return create("127.0.0.1", vpc); }), InvalidParameterValue, "public_ip");
  EXPECT_ERR(reject([&] { return create("0.0.0.0", vpc); }), InvalidParameterValue, "public_ip");
  EXPECT_ERR(reject([&] { return create("300.1.1.1", vpc); }), InvalidParameterValue, "public_ip");
  EXPECT_ERR(reject([&] { return create("203.0.113.11", "vpc-ffffffff"); }), ResourceNotFound, "vpc");
  EXPECT_ERR(reject([&] {
               return svc_.create_gateway(Json{{"name", "g2"}, {"vpc", vpc}, {"public_ip", "203.0.113.11"}});
             }),
             MissingParameter, "bandwidth");
  // A VPC may be referenced by name.
  EXPECT_TRUE(create("203.0.113.11", "TomVPC").ok());
}

// ---- customer gateway ----

TEST_F(ServiceTest, CustomerGatewayAddressRules) {
  make_cgw("c1", "202.108.22.5");
  EXPECT_ERR(reject([&] { return svc_.create_customer_gateway(Json{{"name", "c2"}, {"public_ip", "202.108.22.5"}}); }),
             ResourceInUse, "public_ip");
  for (const char* bad : {"224.0.0.5", "127.0.0.1", "169.254.1.1", "10.0.0.0", "172.16.255.255", "192.168.1.255",
                          "0.1.1.1", "255.255.255.255", "250.1.1.1"})
    EXPECT_ERR(reject([&] { return svc_.create_customer_gateway(Json{{"name", "c2"}, {"public_ip", bad}}); }),
               InvalidParameterValue, "public_ip");
  // "Any address" may be used by several customer gateways.
  make_cgw("any1", "0.0.0.0");
  make_cgw("any2", "0.0.0.0");
  EXPECT_EQ(ok(svc_.modify_customer_gateway("any2", Json{{"name", "roaming"}})).name, "roaming");
  EXPECT_ERR(reject([&] { return svc_.modify_customer_gateway("roaming", Json{{"public_ip", "198.51.100.9"}}); }),
             InvalidParameterValue, "public_ip");
}

// ---- tunnel ----

TEST_F(ServiceTest, TunnelDefaultsFollowProductMd) {
  auto gw = make_gateway(make_vpc());
  auto t = ok(svc_.create_tunnel(tunnel_params(gw, make_cgw())));
  EXPECT_EQ(t.ike.version, IkeVersion::ikev2);
  EXPECT_EQ(t.ike.mode, IkeMode::main);
  EXPECT_EQ(t.ike.encryption, Cipher::aes128);
  EXPECT_EQ(t.ike.integrity, Integrity::sha1);
  EXPECT_EQ(t.ike.dh_group, DhGroup::modp1024);
  EXPECT_EQ(t.ike.lifetime_s, 86400u);
  EXPECT_EQ(t.ipsec.encryption, Cipher::aes128);
  EXPECT_EQ(t.ipsec.integrity, Integrity::sha1);
  EXPECT_EQ(t.ipsec.pfs, DhGroup::modp1024);
  EXPECT_EQ(t.ipsec.lifetime_s, 86400u);
  EXPECT_EQ(t.ipsec.lifetime_kb, 0u);
  EXPECT_EQ(t.dpd.delay_s, 8u);
  EXPECT_EQ(t.dpd.timeout_s, 13u);
  EXPECT_EQ(t.dpd.action, DpdAction::hold);
  EXPECT_EQ(t.start_action, StartAction::start);
  EXPECT_FALSE(t.auto_route);
  EXPECT_EQ(t.status, ResourceStatus::running);
  EXPECT_EQ(t.connection, ConnectionStatus::connecting);
  EXPECT_EQ(t.id.rfind("vpnx-", 0), 0u);
}

TEST_F(ServiceTest, Seed001SpdExampleIsAccepted) {
  auto gw = make_gateway(make_vpc("v", Json{"10.0.0.0/16"}));
  auto spd = Json::parse(R"([
    {"local":"10.0.0.0/24","peers":["192.168.0.0/24","192.168.1.0/24"]},
    {"local":"10.0.1.0/24","peers":["192.168.2.0/24"]},
    {"local":"10.0.2.0/24","peers":["192.168.2.0/24"]}])");
  auto t = ok(svc_.create_tunnel(tunnel_params(gw, make_cgw(), "seed001", spd)));
  ASSERT_EQ(t.spd.size(), 3u);
  EXPECT_EQ(t.spd[0].peers.size(), 2u);
}

TEST_F(ServiceTest, Seed000DuplicatedPolicyIsRejected) {
  // Seed 000's "correct instance" repeats policy 2 as policy 3: same local CIDR.
  auto gw = make_gateway(make_vpc("v", Json{"10.0.0.0/16"}));
  auto spd = Json::parse(R"([
    {"local":"10.0.0.0/24","peers":["192.168.0.0/24","192.168.1.0/24"]},
    {"local":"10.0.2.0/24","peers":["192.168.2.0/24"]},
    {"local":"10.0.2.0/24","peers":["192.168.2.0/24"]}])");
  auto cgw = make_cgw();
  EXPECT_ERR(reject([&] { return svc_.create_tunnel(tunnel_params(gw, cgw, "t", spd)); }), InvalidParameterValue,
             "spd[2].local");
}

TEST_F(ServiceTest, SpdRules) {
  auto vpc = make_vpc("v", Json{"10.0.0.0/16"});
  auto gw = make_gateway(vpc);
  auto cgw = make_cgw();
  auto attempt = [&](const char* spd) {
    return svc_.create_tunnel(tunnel_params(gw, cgw, "t", Json::parse(spd)));
  };
  // local CIDR lies inside a VPC CIDR
  EXPECT_ERR(reject([&] { return attempt(R"([{"local":"10.1.0.0/24","peers":["192.168.0.0/24"]}])"); }),
             InvalidParameterValue, "spd[0].local");
  EXPECT_ERR(reject([&] { return attempt(R"([{"local":"10.0.0.0/8","peers":["192.168.0.0/24"]}])"); }),
             InvalidParameterValue, "spd[0].local");
  // no peer CIDR overlaps a VPC CIDR
  EXPECT_ERR(reject([&] { return attempt(R"([{"local":"10.0.1.0/24","peers":["192.168.0.0/24","10.0.200.0/24"]}])"); }),
             InvalidParameterValue, "spd[0].peers[1]");
  // peer CIDRs of one rule do not overlap each other
  EXPECT_ERR(reject([&] { return attempt(R"([{"local":"10.0.1.0/24","peers":["192.168.0.0/16","192.168.4.0/24"]}])"); }),
             InvalidParameterValue, "spd[0].peers[1]");
  // local and peer do not overlap
  EXPECT_ERR(reject([&] { return attempt(R"([{"local":"10.0.1.0/24","peers":["10.0.1.0/25"]}])"); }),
             InvalidParameterValue, "spd[0].peers[0]");
  // at least one rule, at least one peer, well-formed
  EXPECT_ERR(reject([&] { return attempt(R"([])"); }), MissingParameter, "spd");
  EXPECT_ERR(reject([&] { return attempt(R"([{"local":"10.0.1.0/24","peers":[]}])"); }), MissingParameter,
             "spd[0].peers");
  EXPECT_ERR(reject([&] { return attempt(R"([{"local":"10.0.1.0/24"}])"); }), MissingParameter, "spd[0].peers");
  EXPECT_ERR(reject([&] { return attempt(R"([{"local":"10.0.1.1/24","peers":["192.168.0.0/24"]}])"); }),
             InvalidParameterValue, "spd[0].local");
  EXPECT_ERR(reject([&] { return attempt(R"(["10.0.1.0/24=192.168.0.0/24"])"); }), InvalidParameterValue, "spd[0]");
  // Peer CIDRs may repeat across rules (seed 001 policies 2 and 3).
  EXPECT_TRUE(attempt(R"([{"local":"10.0.1.0/24","peers":["192.168.2.0/24"]},
                          {"local":"10.0.2.0/24","peers":["192.168.2.0/24"]}])").ok());
}

TEST_F(ServiceTest, LocalCidrsOfAllTunnelsOfAGatewayDoNotOverlap) {
  auto vpc = make_vpc("v", Json{"10.0.0.0/16"});
  auto gw1 = make_gateway(vpc, "gw1", "203.0.113.10");
  auto gw2 = make_gateway(vpc, "gw2", "203.0.113.11");
  auto c1 = make_cgw("c1", "198.51.100.5");
  auto c2 = make_cgw("c2", "198.51.100.6");
  ok(svc_.create_tunnel(tunnel_params(gw1, c1, "t1", Json::parse(R"([{"local":"10.0.0.0/23","peers":["192.168.0.0/24"]}])"))));
  EXPECT_ERR(reject([&] {
               return svc_.create_tunnel(tunnel_params(
                   gw1, c2, "t2", Json::parse(R"([{"local":"10.0.1.0/24","peers":["192.168.9.0/24"]}])")));
             }),
             InvalidParameterValue, "spd[0].local");
  // The same local CIDR under another gateway is fine.
  EXPECT_TRUE(svc_.create_tunnel(tunnel_params(gw2, c2, "t2", Json::parse(R"([{"local":"10.0.1.0/24","peers":["192.168.9.0/24"]}])"))).ok());
  // Modifying a tunnel does not collide with itself.
  EXPECT_TRUE(svc_.modify_tunnel("t1", Json{{"spd", Json::parse(R"([{"local":"10.0.0.0/24","peers":["192.168.0.0/24"]}])")}}).ok());
}

TEST_F(ServiceTest, PskRules) {
  auto gw = make_gateway(make_vpc());
  auto cgw = make_cgw();
  for (const char* bad : {"", "has space", "why?", "caf\xc3\xa9"}) {
    auto p = tunnel_params(gw, cgw);
    p["psk"] = bad;
    EXPECT_ERR(reject([&] { return svc_.create_tunnel(p); }), InvalidParameterValue, "psk");
  }
  auto p = tunnel_params(gw, cgw);
  p["psk"] = std::string(129, 'x');
  EXPECT_ERR(reject([&] { return svc_.create_tunnel(p); }), InvalidParameterValue, "psk");
  p["psk"] = std::string(128, 'x');
  EXPECT_TRUE(svc_.create_tunnel(p).ok());
}

TEST_F(ServiceTest, IkePolicyValues) {
  auto gw = make_gateway(make_vpc());
  auto cgw = make_cgw();
  auto with_ike = [&](Json ike) {
    auto p = tunnel_params(gw, cgw);
    p["ike"] = ike;
    return p;
  };
  struct Bad {
    Json ike;
    const char* field;
  };
  const Bad bad[] = {
      {{{"version", "ikev3"}}, "ike.version"},
      {{{"encryption", "aes512"}}, "ike.encryption"},
      {{{"integrity", "sha3"}}, "ike.integrity"},
      {{{"dh_group", "3"}}, "ike.dh_group"},
      {{{"dh_group", "disable"}}, "ike.dh_group"},
      {{{"lifetime", 3599}}, "ike.lifetime"},
      {{{"lifetime", 86401}}, "ike.lifetime"},
      {{{"mode", "aggressive"}}, "ike.mode"},  // IKEv2 has no aggressive mode
      {{{"version", "ikev1"}, {"encryption", "aes128gcm"}}, "ike.encryption"},
      {{{"local_id", "not an id"}}, "ike.local_id"},
      {{{"remote_id", "1.2.3"}}, "ike.remote_id"},
      {{{"keylife", 5}}, "ike.keylife"},
  };
  for (const auto& b : bad)
    EXPECT_ERR(reject([&] { return svc_.create_tunnel(with_ike(b.ike)); }), InvalidParameterValue, b.field);

  auto t = ok(svc_.create_tunnel(with_ike({{"version", "ikev1"}, {"mode", "aggressive"}, {"encryption", "3des"},
                                           {"integrity", "md5"}, {"dh_group", 5}, {"lifetime", 3600},
                                           {"local_id", "vpn.example.com"}, {"remote_id", "idc.example.com"}})));
  EXPECT_EQ(t.ike.version, IkeVersion::ikev1);
  EXPECT_EQ(t.ike.mode, IkeMode::aggressive);
  EXPECT_EQ(t.ike.encryption, Cipher::des3);
  EXPECT_EQ(t.ike.integrity, Integrity::md5);
  EXPECT_EQ(t.ike.dh_group, DhGroup::modp1536);
  EXPECT_EQ(t.ike.remote_id.value, "idc.example.com");
}

TEST_F(ServiceTest, EveryAlgorithmOfProductMdIsAccepted) {
  auto vpc = make_vpc("v", Json{"10.0.0.0/8"});
  auto gw = make_gateway(vpc);
  auto cgw = make_cgw();
  auto t = ok(svc_.create_tunnel(tunnel_params(gw, cgw)));
  for (const char* enc : {"des", "3des", "aes128", "aes192", "aes256", "aes128gcm", "aes256gcm"}) {
    EXPECT_TRUE(svc_.modify_tunnel(t.id, Json{{"ike", {{"encryption", enc}}}, {"ipsec", {{"encryption", enc}}}}).ok()) << enc;
  }
  for (const char* integ : {"md5", "sha1", "sha256"})
    EXPECT_TRUE(svc_.modify_tunnel(t.id, Json{{"ike", {{"integrity", integ}}}, {"ipsec", {{"integrity", integ}}}}).ok());
  for (const char* integ : {"sha384", "sha512"}) {
    EXPECT_TRUE(svc_.modify_tunnel(t.id, Json{{"ike", {{"integrity", integ}}}}).ok());
    EXPECT_ERR(reject([&] { return svc_.modify_tunnel(t.id, Json{{"ipsec", {{"integrity", integ}}}}); }),
               InvalidParameterValue, "ipsec.integrity");
  }
  for (const char* g : {"1", "2", "5", "14", "24", "19", "20", "21", "31"})
    EXPECT_TRUE(svc_.modify_tunnel(t.id, Json{{"ike", {{"dh_group", g}}}, {"ipsec", {{"pfs", g}}}}).ok()) << g;
  auto no_pfs = ok(svc_.modify_tunnel(t.id, Json{{"ipsec", {{"pfs", "disable"}}}}));
  EXPECT_EQ(no_pfs.ipsec.pfs, DhGroup::none);
}

TEST_F(ServiceTest, IpsecAndDpdRanges) {
  auto gw = make_gateway(make_vpc());
  auto t = ok(svc_.create_tunnel(tunnel_params(gw, make_cgw())));
  auto bad = [&](Json p, const char* field) {
    EXPECT_ERR(reject([&] { return svc_.modify_tunnel(t.id, p); }), InvalidParameterValue, field);
  };
  bad({{"ipsec", {{"lifetime", 100}}}}, "ipsec.lifetime");
  bad({{"ipsec", {{"lifetime", 90000}}}}, "ipsec.lifetime");
  bad({{"ipsec", {{"lifetime_kb", 100}}}}, "ipsec.lifetime_kb");
  bad({{"ipsec", {{"lifetime_kb", -1}}}}, "ipsec.lifetime_kb");
  bad({{"ipsec", {{"pfs", "7"}}}}, "ipsec.pfs");
  bad({{"ipsec", {{"esn", "yes"}}}}, "ipsec.esn");
  bad({{"dpd", {{"delay", 10}, {"timeout", 10}}}}, "dpd.timeout");
  bad({{"dpd", {{"delay", 4000}}}}, "dpd.delay");
  bad({{"dpd", {{"action", "explode"}}}}, "dpd.action");
  bad({{"start_action", "auto"}}, "start_action");
  bad({{"auto_route", "yes"}}, "auto_route");
  auto m = ok(svc_.modify_tunnel(t.id, Json{{"ipsec", {{"lifetime_kb", 1048576}, {"esn", true}}},
                                            {"dpd", {{"delay", 0}, {"action", "restart"}}}}));
  EXPECT_EQ(m.ipsec.lifetime_kb, 1048576u);
  EXPECT_TRUE(m.ipsec.esn);
  EXPECT_EQ(m.dpd.delay_s, 0u);
  EXPECT_EQ(m.dpd.action, DpdAction::restart);
}

TEST_F(ServiceTest, ModifyMergesNestedPoliciesFieldByField) {
  auto gw = make_gateway(make_vpc());
  auto t = ok(svc_.create_tunnel(tunnel_params(gw, make_cgw())));
  ok(svc_.modify_tunnel(t.id, Json{{"ike", {{"encryption", "aes256"}}}}));
  auto m = ok(svc_.modify_tunnel(t.id, Json{{"ike", {{"dh_group", "14"}}}, {"psk", "n3w-secret"}}));
  EXPECT_EQ(m.ike.encryption, Cipher::aes256);
  EXPECT_EQ(m.ike.dh_group, DhGroup::modp2048);
  EXPECT_EQ(m.psk, "n3w-secret");
  EXPECT_EQ(store_.snapshot().tunnels[0].psk, "n3w-secret");
  EXPECT_ERR(reject([&] { return svc_.modify_tunnel(t.id, Json{{"gateway", gw}}); }), InvalidParameterValue,
             "gateway");
}

TEST_F(ServiceTest, AnyAddressCustomerGatewayOnlyResponds) {
  auto gw = make_gateway(make_vpc());
  auto any = make_cgw("roaming", "0.0.0.0");
  auto p = tunnel_params(gw, any);
  EXPECT_ERR(reject([&] { return svc_.create_tunnel(p); }), MissingParameter, "ike.remote_id");
  p["ike"] = {{"remote_id", "branch.example.com"}};
  p["start_action"] = "start";
  EXPECT_ERR(reject([&] { return svc_.create_tunnel(p); }), InvalidParameterValue, "start_action");
  p.erase("start_action");
  auto t = ok(svc_.create_tunnel(p));
  EXPECT_EQ(t.start_action, StartAction::respond);
}

TEST_F(ServiceTest, OneTunnelPerGatewayAndCustomerGateway) {
  auto vpc = make_vpc();
  auto gw = make_gateway(vpc);
  auto cgw = make_cgw();
  ok(svc_.create_tunnel(tunnel_params(gw, cgw, "t1")));
  auto p = tunnel_params(gw, cgw, "t2", Json::parse(R"([{"local":"10.0.9.0/24","peers":["192.168.9.0/24"]}])"));
  EXPECT_ERR(reject([&] { return svc_.create_tunnel(p); }), ResourceInUse, "customer_gateway");
  EXPECT_ERR(reject([&] { return svc_.create_tunnel(tunnel_params(gw, "cgw-ffffffff", "t3")); }), ResourceNotFound,
             "customer_gateway");
}

TEST_F(ServiceTest, DeleteProtection) {
  auto vpc = make_vpc();
  auto gw = make_gateway(vpc);
  auto cgw = make_cgw();
  auto t = ok(svc_.create_tunnel(tunnel_params(gw, cgw)));
  EXPECT_ERR(reject([&] { return svc_.delete_gateway(gw); }), ResourceInUse, "id");
  EXPECT_ERR(reject([&] { return svc_.delete_customer_gateway(cgw); }), ResourceInUse, "id");
  ok(svc_.delete_tunnel("TomVPNConn"));
  EXPECT_TRUE(svc_.delete_customer_gateway(cgw).ok());
  EXPECT_TRUE(svc_.delete_gateway(gw).ok());
  EXPECT_ERR(reject([&] { return svc_.delete_tunnel(t.id); }), ResourceNotFound, "id");
}

TEST_F(ServiceTest, StoreFailureAppliesNothing) {
  auto vpc = make_vpc();
  store_.fail_next_commit();
  auto err = reject([&] {
    return svc_.create_gateway(Json{{"name", "g"}, {"vpc", vpc}, {"public_ip", "203.0.113.1"}, {"bandwidth", 5}});
  });
  EXPECT_EQ(err.code, ErrorCode::InternalError);
  EXPECT_TRUE(svc_.state().gateways.empty());
}

// ---- routes ----

TEST_F(ServiceTest, RouteRules) {
  auto vpc = make_vpc("v", Json{"10.0.0.0/16"});
  auto other = make_vpc("w", Json{"172.16.0.0/16"});
  auto gw = make_gateway(vpc, "g");
  auto gw_other = make_gateway(other, "h", "203.0.113.20");
  auto create = [&](const char* dest, const std::string& via) {
    return svc_.create_route(Json{{"vpc", "v"}, {"destination", dest}, {"gateway", via}});
  };
  auto r = ok(create("10.1.0.0/24", gw));
  EXPECT_EQ(r.id.rfind("rt-", 0), 0u);
  EXPECT_FALSE(r.is_automatic());
  EXPECT_ERR(reject([&] { return create("10.1.0.0/24", gw); }), ResourceInUse, "destination");
  EXPECT_ERR(reject([&] { return create("10.0.5.0/24", gw); }), InvalidParameterValue, "destination");
  EXPECT_ERR(reject([&] { return create("10.2.0.0/24", gw_other); }), InvalidParameterValue, "gateway");
  EXPECT_ERR(reject([&] { return create("10.2.0.1/24", gw); }), InvalidParameterValue, "destination");
  EXPECT_ERR(reject([&] { return svc_.delete_gateway(gw); }), ResourceInUse, "id");
  EXPECT_ERR(reject([&] { return svc_.delete_vpc(vpc); }), ResourceInUse, "id");
  EXPECT_ERR(reject([&] { return svc_.modify_route(r.id, Json{{"destination", "10.3.0.0/24"}}); }),
             InvalidParameterValue, "destination");
  EXPECT_TRUE(svc_.delete_route(r.id).ok());
  EXPECT_TRUE(store_.snapshot().routes.empty());
}

TEST_F(ServiceTest, AutomaticRoutesFollowTheConnection) {
  auto vpc = make_vpc("v", Json{"10.0.0.0/16"});
  auto gw = make_gateway(vpc, "g");
  auto p = tunnel_params(gw, make_cgw(), "t",
                         Json::parse(R"([{"local":"10.0.1.0/24","peers":["192.168.1.0/24","192.168.2.0/24"]},
                                         {"local":"10.0.2.0/24","peers":["192.168.3.0/24"]}])"));
  p["auto_route"] = true;
  auto t = ok(svc_.create_tunnel(p));
  // An operator's static route for one destination wins over the automatic one.
  ok(svc_.create_route(Json{{"vpc", vpc}, {"destination", "192.168.3.0/24"}, {"gateway", gw}}));
  EXPECT_EQ(svc_.state().routes.size(), 1u);  // nothing automatic before connected

  ASSERT_FALSE(svc_.set_connection_status(t.id, ConnectionStatus::connected, ""));
  std::vector<std::string> auto_dests;
  for (const auto& r : store_.snapshot().routes)
    if (r.is_automatic()) {
      auto_dests.push_back(r.destination.str());
      EXPECT_EQ(r.gateway_id, gw);
      EXPECT_EQ(r.tunnel_id, t.id);
    }
  std::sort(auto_dests.begin(), auto_dests.end());
  EXPECT_EQ(auto_dests, (std::vector<std::string>{"192.168.1.0/24", "192.168.2.0/24"}));

  const Route* automatic = nullptr;
  for (const auto& r : svc_.state().routes)
    if (r.is_automatic()) automatic = &r;
  ASSERT_NE(automatic, nullptr);
  const std::string auto_id = automatic->id;
  EXPECT_EQ(reject([&] { return svc_.delete_route(auto_id); }).code, ErrorCode::UnsupportedOperation);

  ASSERT_FALSE(svc_.set_connection_status(t.id, ConnectionStatus::phase1_failed, "peer unreachable"));
  EXPECT_EQ(svc_.state().routes.size(), 1u);
  EXPECT_EQ(svc_.state().tunnels[0].connection_reason, "peer unreachable");

  ASSERT_FALSE(svc_.set_connection_status(t.id, ConnectionStatus::connected, ""));
  EXPECT_EQ(svc_.state().routes.size(), 3u);
  ok(svc_.delete_tunnel(t.id));
  EXPECT_EQ(store_.snapshot().routes.size(), 1u);
  EXPECT_FALSE(store_.snapshot().routes[0].is_automatic());
}

// ---- quotas ----

class SmallQuotaTest : public ServiceTest {
 protected:
  static Quotas small() {
    Quotas q;
    q.vpcs = 2;
    q.gateways_per_vpc = 1;
    q.customer_gateways = 2;
    q.tunnels_per_gateway = 1;
    q.tunnels_per_customer_gateway = 1;
    q.spd_rules_per_tunnel = 2;
    q.peer_cidrs_per_rule = 2;
    q.routes_per_vpc = 1;
    return q;
  }
  SmallQuotaTest() : ServiceTest(small()) {}
};

TEST_F(SmallQuotaTest, EveryQuotaIsEnforced) {
  auto vpc = make_vpc("v", Json{"10.0.0.0/16"});
  make_vpc("w", Json{"10.1.0.0/16"});
  EXPECT_ERR(reject([&] { return svc_.create_vpc(Json{{"name", "x"}, {"cidrs", {"10.2.0.0/16"}}}); }),
             LimitExceeded, "name");
  auto gw = make_gateway(vpc, "g1", "203.0.113.1");
  EXPECT_ERR(reject([&] {
               return svc_.create_gateway(Json{{"name", "g2"}, {"vpc", vpc}, {"public_ip", "203.0.113.2"}, {"bandwidth", 5}});
             }),
             LimitExceeded, "vpc");
  auto c1 = make_cgw("c1", "198.51.100.1");
  auto c2 = make_cgw("c2", "198.51.100.2");
  EXPECT_ERR(reject([&] { return svc_.create_customer_gateway(Json{{"name", "c3"}, {"public_ip", "198.51.100.3"}}); }),
             LimitExceeded, "name");
  EXPECT_ERR(reject([&] {
               return svc_.create_tunnel(tunnel_params(gw, c1, "t", Json::parse(R"([
                 {"local":"10.0.1.0/24","peers":["192.168.1.0/24"]},{"local":"10.0.2.0/24","peers":["192.168.2.0/24"]},
                 {"local":"10.0.3.0/24","peers":["192.168.3.0/24"]}])")));
             }),
             LimitExceeded, "spd");
  EXPECT_ERR(reject([&] {
               return svc_.create_tunnel(tunnel_params(gw, c1, "t", Json::parse(R"([
                 {"local":"10.0.1.0/24","peers":["192.168.1.0/24","192.168.2.0/24","192.168.3.0/24"]}])")));
             }),
             LimitExceeded, "spd[0].peers");
  ok(svc_.create_tunnel(tunnel_params(gw, c1, "t1")));
  EXPECT_ERR(reject([&] {
               return svc_.create_tunnel(tunnel_params(gw, c2, "t2", Json::parse(R"([{"local":"10.0.9.0/24","peers":["192.168.9.0/24"]}])")));
             }),
             LimitExceeded, "gateway");
  ok(svc_.create_route(Json{{"vpc", vpc}, {"destination", "172.16.0.0/16"}, {"gateway", gw}}));
  EXPECT_ERR(reject([&] { return svc_.create_route(Json{{"vpc", vpc}, {"destination", "172.17.0.0/16"}, {"gateway", gw}}); }),
             LimitExceeded, "vpc");
}

TEST_F(SmallQuotaTest, TunnelsPerCustomerGateway) {
  auto v1 = make_vpc("v", Json{"10.0.0.0/16"});
  auto v2 = make_vpc("w", Json{"10.1.0.0/16"});
  auto g1 = make_gateway(v1, "g1", "203.0.113.1");
  auto g2 = make_gateway(v2, "g2", "203.0.113.2");
  auto c = make_cgw();
  ok(svc_.create_tunnel(tunnel_params(g1, c, "t1")));
  EXPECT_ERR(reject([&] {
               return svc_.create_tunnel(tunnel_params(g2, c, "t2", Json::parse(R"([{"local":"10.1.1.0/24","peers":["192.168.9.0/24"]}])")));
             }),
             LimitExceeded, "customer_gateway");
}

}  // namespace
}  // namespace vpngw
