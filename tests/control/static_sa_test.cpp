// Manually keyed SAs through the resource service and the API: key rules
// (the dataplane's), SPI rules, one outbound SA per tunnel, cascade on tunnel
// delete, and keys that never leave the daemon.
#include "control/api_dispatch.hpp"
#include <algorithm>

#include "control/static_sa.hpp"
#include "service_fixture.hpp"

namespace vpngw {
namespace {

constexpr const char* kAes128Key = "000102030405060708090a0b0c0d0e0f";
constexpr const char* kSha1Key = "101112131415161718191a1b1c1d1e1f20212223";

class StaticSaTest : public ServiceTest {
 protected:
  void SetUp() override {
    vpc_ = make_vpc("v", Json{"10.0.0.0/16"});
    gw_ = make_gateway(vpc_, "g", "203.0.113.10");
    cgw_ = make_cgw("c", "198.51.100.5");
    tunnel_ = ok(svc_.create_tunnel(tunnel_params(gw_, cgw_, "t"))).id;
  }
  Json sa(const char* direction, Json spi = 4096) {
    return Json{{"tunnel", "t"}, {"direction", direction}, {"spi", spi}, {"encryption", "aes128"},
                {"integrity", "sha1"}, {"enc_key", kAes128Key}, {"auth_key", kSha1Key}};
  }
  std::string vpc_, gw_, cgw_, tunnel_;
};

TEST_F(StaticSaTest, CreatesAndTranslatesForTheDataplane) {
  auto in = ok(svc_.create_static_sa(sa("in")));
  EXPECT_EQ(in.id.rfind("sa-", 0), 0u);
  EXPECT_TRUE(in.inbound);
  EXPECT_EQ(store_.snapshot().static_sas.size(), 1u);
  const auto& st = svc_.state();
  auto params = to_sa_params(in, st.tunnels[0], st.gateways[0], st.customer_gateways[0]);
  ASSERT_TRUE(params.ok()) << params.error().message;
  EXPECT_EQ(params->direction, dataplane::SaDirection::inbound);
  EXPECT_EQ(params->spi, 4096u);
  EXPECT_EQ(params->tunnel_dst.str(), "203.0.113.10");  // our gateway receives
  EXPECT_EQ(params->tunnel_src.str(), "198.51.100.5");
  EXPECT_EQ(params->cipher_key_len, 16);
  EXPECT_EQ(params->cipher_key[15], 0x0f);
  EXPECT_EQ(params->local_count, 1);
  EXPECT_EQ(params->local[0].str(), "10.0.1.0/24");
  EXPECT_EQ(params->peer[0].str(), "192.168.1.0/24");

  auto out = ok(svc_.create_static_sa(sa("out", "0x2000")));
  EXPECT_EQ(out.spi, 0x2000u);
  auto op = to_sa_params(out, st.tunnels[0], st.gateways[0], st.customer_gateways[0]);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->tunnel_src.str(), "203.0.113.10");
  EXPECT_EQ(op->tunnel_dst.str(), "198.51.100.5");
}

TEST_F(StaticSaTest, KeyAndSpiRules) {
  auto bad = [&](Json p, ErrorCode code, const char* field) {
    auto err = reject([&] { return svc_.create_static_sa(p); });
    EXPECT_EQ(err.code, code) << err.message;
    EXPECT_EQ(err.field, field) << err.message;
  };
  auto p = sa("in");
  p["enc_key"] = "0001";
  bad(p, ErrorCode::InvalidParameterValue, "enc_key");
  p = sa("in");
  p["enc_key"] = "zz";
  bad(p, ErrorCode::InvalidParameterValue, "enc_key");
  p = sa("in");
  p["auth_key"] = "00";
  bad(p, ErrorCode::InvalidParameterValue, "auth_key");
  p = sa("in");
  p["encryption"] = "des";
  p["enc_key"] = "0101010101010101";  // a weak DES key
  bad(p, ErrorCode::InvalidParameterValue, "enc_key");
  p = sa("in");
  p["encryption"] = "3des";  // K1 == K2: single DES in disguise
  p["enc_key"] = "0123456789abcdef0123456789abcdeffedcba9876543210";
  bad(p, ErrorCode::InvalidParameterValue, "enc_key");
  bad(sa("in", 255), ErrorCode::InvalidParameterValue, "spi");
  bad(sa("in", "12x"), ErrorCode::InvalidParameterValue, "spi");
  bad(sa("sideways"), ErrorCode::InvalidParameterValue, "direction");
  p = sa("in");
  p["encryption"] = "aes128gcm";  // GCM takes no integrity algorithm
  bad(p, ErrorCode::InvalidParameterValue, "integrity");
  p["integrity"] = "none";
  p["auth_key"] = "";
  p["enc_key"] = "000102030405060708090a0b0c0d0e0fdeadbeef";  // key + salt
  EXPECT_TRUE(svc_.create_static_sa(p).ok());
  p = sa("in");
  p["tunnel"] = "nope";
  bad(p, ErrorCode::ResourceNotFound, "tunnel");
}

TEST_F(StaticSaTest, ReplayWindowIsAnInboundOption) {
  // Default: the dataplane's 1024-packet window.
  auto in = ok(svc_.create_static_sa(sa("in")));
  EXPECT_EQ(in.replay_window, 1024u);
  const auto& st = svc_.state();
  auto params = to_sa_params(in, st.tunnels[0], st.gateways[0], st.customer_gateways[0]);
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->replay_window, 1024u);

  // 0 turns anti-replay off (benchmarks replaying one capture); it reaches
  // the dataplane's SaParams and survives the store.
  auto p = sa("in", 5000);
  p["replay_window"] = 0;
  auto off = ok(svc_.create_static_sa(p));
  EXPECT_EQ(off.replay_window, 0u);
  params = to_sa_params(off, st.tunnels[0], st.gateways[0], st.customer_gateways[0]);
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->replay_window, 0u);
  const auto stored = store_.snapshot().static_sas;
  auto it = std::find_if(stored.begin(), stored.end(), [&](const StaticSa& s) { return s.id == off.id; });
  ASSERT_NE(it, stored.end());
  EXPECT_EQ(it->replay_window, 0u);

  p = sa("in", 5001);
  p["replay_window"] = 4096;
  EXPECT_EQ(ok(svc_.create_static_sa(p)).replay_window, 4096u);

  for (Json bad : {Json(1), Json(31), Json(4097), Json(-1), Json("64")}) {
    p = sa("in", 6000);
    p["replay_window"] = bad;
    auto err = reject([&] { return svc_.create_static_sa(p); });
    EXPECT_EQ(err.code, ErrorCode::InvalidParameterValue) << bad.dump();
    EXPECT_EQ(err.field, "replay_window") << bad.dump();
  }
  p = sa("out");
  p["replay_window"] = 0;
  auto err = reject([&] { return svc_.create_static_sa(p); });
  EXPECT_EQ(err.field, "replay_window");
}

TEST_F(StaticSaTest, RowsWithoutAReplayWindowReadAsTheDefault) {
  StaticSa sa;
  sa.id = "sa-00000001";
  sa.tunnel_id = tunnel_;
  sa.inbound = true;
  sa.spi = 4096;
  Json j = sa;
  EXPECT_EQ(j.at("replay_window"), 1024);
  j.erase("replay_window");  // as written before the field existed
  EXPECT_EQ(j.get<StaticSa>().replay_window, 1024u);
}

TEST_F(StaticSaTest, DuplicatesAndOneOutboundPerTunnel) {
  ok(svc_.create_static_sa(sa("in")));
  auto err = reject([&] { return svc_.create_static_sa(sa("in")); });
  EXPECT_EQ(err.code, ErrorCode::ResourceInUse);
  EXPECT_EQ(err.field, "spi");
  ok(svc_.create_static_sa(sa("out")));  // the same SPI the other way is fine
  err = reject([&] { return svc_.create_static_sa(sa("out", 8192)); });
  EXPECT_EQ(err.code, ErrorCode::ResourceInUse);
  EXPECT_EQ(err.field, "direction");
}

TEST_F(StaticSaTest, OutboundNeedsAPeerAddress) {
  auto any = make_cgw("roaming", "0.0.0.0");
  auto p = tunnel_params(gw_, any, "t2", Json::parse(R"([{"local":"10.0.9.0/24","peers":["192.168.9.0/24"]}])"));
  p["ike"] = {{"remote_id", "branch.example.com"}};
  ok(svc_.create_tunnel(p));
  auto out = sa("out");
  out["tunnel"] = "t2";
  auto err = reject([&] { return svc_.create_static_sa(out); });
  EXPECT_EQ(err.field, "tunnel");
  auto in = sa("in", 7777);
  in["tunnel"] = "t2";
  EXPECT_TRUE(svc_.create_static_sa(in).ok());
}

TEST_F(StaticSaTest, TunnelDeleteTakesItsSas) {
  ok(svc_.create_static_sa(sa("in")));
  ok(svc_.create_static_sa(sa("out")));
  ok(svc_.delete_tunnel("t"));
  EXPECT_TRUE(svc_.state().static_sas.empty());
  EXPECT_TRUE(store_.snapshot().static_sas.empty());
}

TEST_F(StaticSaTest, KeysNeverLeaveThroughTheApi) {
  ApiDispatcher api(svc_, [] { return Json::object(); });
  auto call = [&](const std::string& op, Json params) {
    return Json::parse(api.handle(Json{{"version", 1}, {"op", op}, {"params", params}}.dump()));
  };
  auto created = call("sa.create", sa("in"));
  ASSERT_TRUE(created.contains("result")) << created.dump();
  const std::string id = created["result"]["id"];
  for (const Json& r : {created, call("sa.list", {{"tunnel", "t"}}), call("sa.show", {{"id", id}})}) {
    EXPECT_EQ(r.dump().find(kAes128Key), std::string::npos);
    EXPECT_EQ(r.dump().find(kSha1Key), std::string::npos);
  }
  EXPECT_EQ(call("sa.list", {{"tunnel", "t"}})["result"]["items"].size(), 1u);
  EXPECT_EQ(call("sa.delete", {{"id", id}})["result"]["deleted"], true);
  EXPECT_TRUE(call("sa.list", Json::object())["result"]["items"].empty());
}

}  // namespace
}  // namespace vpngw
