// The API envelope and op routing: what a client sees on the socket.
#include "control/api_dispatch.hpp"
#include "service_fixture.hpp"

namespace vpngw {
namespace {

class DispatchTest : public ServiceTest {
 protected:
  Json call(const std::string& op, Json params = Json::object()) {
    Json req{{"version", 1}, {"op", op}, {"params", params}};
    return Json::parse(api_.handle(req.dump()));
  }
  Json result(const std::string& op, Json params = Json::object()) {
    Json r = call(op, params);
    EXPECT_TRUE(r.contains("result")) << op << ": " << r.dump();
    return r.value("result", Json());
  }
  ApiDispatcher api_{svc_, [] { return Json{{"version", "test"}}; }};
};

TEST_F(DispatchTest, EnvelopeErrors) {
  auto err = [&](std::string_view line) { return Json::parse(api_.handle(line)).at("error"); };
  EXPECT_EQ(err("{not json").at("code"), "MalformedRequest");
  EXPECT_EQ(err("[1,2]").at("code"), "MalformedRequest");
  EXPECT_EQ(err(R"({"op":"vpc.list"})").at("field"), "version");
  EXPECT_EQ(err(R"({"version":2,"op":"vpc.list"})").at("code"), "UnsupportedOperation");
  EXPECT_EQ(err(R"({"version":1})").at("field"), "op");
  EXPECT_EQ(err(R"({"version":1,"op":"vpc.explode"})").at("code"), "UnsupportedOperation");
  EXPECT_EQ(err(R"({"version":1,"op":"vpc.list","params":[1]})").at("field"), "params");
  EXPECT_EQ(err(R"({"version":1,"op":"vpc.show","params":{}})").at("code"), "MissingParameter");
  EXPECT_EQ(err("\xff\xfe garbage").at("code"), "MalformedRequest");
  Json ok = Json::parse(api_.handle(R"({"version":1,"op":"vpc.list","request_id":"abc"})"));
  EXPECT_EQ(ok.at("request_id"), "abc");
  EXPECT_EQ(ok.at("version"), 1);
  EXPECT_TRUE(ok.at("result").at("items").empty());
}

TEST_F(DispatchTest, Seed001QuickStartThroughTheApi) {
  auto vpc = result("vpc.create", {{"name", "TomVPC"}, {"cidrs", {"192.168.0.0/16"}}});
  auto gw = result("gateway.create",
                   {{"name", "TomVPNGw"}, {"vpc", "TomVPC"}, {"public_ip", "203.0.113.82"}, {"bandwidth", 100}});
  EXPECT_EQ(gw.at("status"), "running");
  EXPECT_EQ(gw.at("vpc_id"), vpc.at("id"));
  auto cgw = result("customer_gateway.create", {{"name", "TomVPNUserGw"}, {"public_ip", "198.51.100.5"}});
  auto t = result("tunnel.create", {{"name", "TomVPNConn"},
                                    {"gateway", "TomVPNGw"},
                                    {"customer_gateway", "TomVPNUserGw"},
                                    {"psk", "123456"},
                                    {"spd", {{{"local", "192.168.1.0/24"}, {"peers", {"10.0.1.0/24"}}}}}});
  EXPECT_EQ(t.at("psk"), kMaskedPsk);
  EXPECT_EQ(t.at("ike").at("dh_group"), "2");
  EXPECT_EQ(t.at("connection_status"), "connecting");
  auto route = result("route.create", {{"vpc", "TomVPC"}, {"destination", "10.0.1.0/24"}, {"gateway", "TomVPNGw"}});
  EXPECT_EQ(route.at("origin"), "static");

  EXPECT_EQ(result("tunnel.list").at("items").size(), 1u);
  EXPECT_EQ(result("tunnel.list", {{"gateway", "TomVPNGw"}}).at("items")[0].at("psk"), kMaskedPsk);
  EXPECT_EQ(result("gateway.list", {{"vpc", "TomVPC"}}).at("items").size(), 1u);
  EXPECT_EQ(result("route.list", {{"vpc", "TomVPC"}}).at("items").size(), 1u);
  EXPECT_EQ(result("tunnel.show", {{"id", "TomVPNConn"}}).at("id"), t.at("id"));

  auto status = result("tunnel.status", {{"id", t.at("id")}});
  EXPECT_EQ(status.at("connection_status"), "connecting");

  // Nothing but the configuration export contains the PSK.
  for (const auto& op : {"tunnel.list", "gateway.list", "vpc.list", "route.list", "customer_gateway.list"})
    EXPECT_EQ(call(op).dump().find("123456"), std::string::npos) << op;
  auto conf = result("tunnel.config", {{"id", "TomVPNConn"}, {"vendor", "swanctl"}});
  EXPECT_NE(conf.at("config").get<std::string>().find("123456"), std::string::npos);
  auto bad_vendor = call("tunnel.config", {{"id", "TomVPNConn"}, {"vendor", "nokia-7750"}});
  EXPECT_EQ(bad_vendor.at("error").at("field"), "vendor");

  auto modified = result("gateway.modify", {{"id", "TomVPNGw"}, {"bandwidth", 500}});
  EXPECT_EQ(modified.at("bandwidth"), 500);
  auto in_use = call("gateway.delete", {{"id", "TomVPNGw"}});
  EXPECT_EQ(in_use.at("error").at("code"), "ResourceInUse");
  EXPECT_EQ(result("route.delete", {{"id", route.at("id")}}).at("deleted"), true);
  EXPECT_EQ(result("tunnel.delete", {{"id", "TomVPNConn"}}).at("deleted"), true);
  EXPECT_EQ(result("gateway.delete", {{"id", "TomVPNGw"}}).at("id"), gw.at("id"));
}

TEST_F(DispatchTest, ErrorsNameTheField) {
  result("vpc.create", {{"name", "v"}, {"cidrs", {"10.0.0.0/16"}}});
  auto r = call("gateway.create", {{"name", "g"}, {"vpc", "v"}, {"public_ip", "203.0.113.1"}, {"bandwidth", 30}});
  EXPECT_EQ(r.at("error").at("code"), "InvalidParameterValue");
  EXPECT_EQ(r.at("error").at("field"), "bandwidth");
  EXPECT_NE(r.at("error").at("message").get<std::string>().find("1000"), std::string::npos);
}

TEST_F(DispatchTest, TunnelLogsAndIkeStatusComeFromTheEngine) {
  result("vpc.create", {{"name", "v"}, {"cidrs", {"192.168.0.0/16"}}});
  result("gateway.create", {{"name", "g"}, {"vpc", "v"}, {"public_ip", "203.0.113.82"}, {"bandwidth", 5}});
  result("customer_gateway.create", {{"name", "c"}, {"public_ip", "198.51.100.5"}});
  auto t = result("tunnel.create", {{"name", "t"}, {"gateway", "g"}, {"customer_gateway", "c"}, {"psk", "123456"},
                                    {"spd", {{{"local", "192.168.1.0/24"}, {"peers", {"10.0.1.0/24"}}}}}});
  const std::string id = t.at("id");
  // Without an engine: an empty log, no IKE SA.
  EXPECT_TRUE(result("tunnel.logs", {{"id", "t"}}).at("lines").empty());
  EXPECT_TRUE(result("tunnel.status", {{"id", "t"}}).at("ike_sa").is_null());

  std::string asked_for;
  size_t asked_limit = 99;
  api_.set_tunnel_logs([&](const std::string& tid, size_t limit) {
    asked_for = tid;
    asked_limit = limit;
    return Json::array({{{"time", "2026-11-25T16:00:00.000Z"}, {"seq", 1}, {"line", "sending IKE_SA_INIT"}}});
  });
  api_.set_tunnel_ike([&](const std::string& tid) { return Json{{"state", "established"}, {"tid", tid}}; });
  auto logs = result("tunnel.logs", {{"id", "t"}, {"limit", 5}});
  EXPECT_EQ(asked_for, id);  // the name was resolved to the ID
  EXPECT_EQ(asked_limit, 5u);
  EXPECT_EQ(logs.at("id"), id);
  EXPECT_EQ(logs.at("lines")[0].at("line"), "sending IKE_SA_INIT");
  EXPECT_EQ(result("tunnel.status", {{"id", "t"}}).at("ike_sa").at("state"), "established");

  // gateway show sums its tunnels' dataplane counters.
  EXPECT_FALSE(result("gateway.show", {{"id", "g"}}).contains("counters"));  // no dataplane
  api_.set_tunnel_counters([&](const std::string&) {
    return Json{{"sas", Json::array()},
                {"in", {{"packets", 3}, {"bytes", 300}}},
                {"out", {{"packets", 4}, {"bytes", 400}}},
                {"drops", {{"replay", 2}}}};
  });
  auto gw = result("gateway.show", {{"id", "g"}});
  EXPECT_EQ(gw.at("counters").at("tunnels"), 1);
  EXPECT_EQ(gw.at("counters").at("in").at("bytes"), 300);
  EXPECT_EQ(gw.at("counters").at("out").at("packets"), 4);
  EXPECT_EQ(gw.at("counters").at("drops").at("replay"), 2);

  EXPECT_EQ(call("tunnel.logs", {{"id", "t"}, {"limit", -1}}).at("error").at("field"), "limit");
  EXPECT_EQ(call("tunnel.logs", {{"id", "t"}, {"limit", "all"}}).at("error").at("field"), "limit");
  EXPECT_EQ(call("tunnel.logs", {{"id", "nope"}}).at("error").at("code"), "ResourceNotFound");
  EXPECT_EQ(call("tunnel.logs").at("error").at("code"), "MissingParameter");
}

}  // namespace
}  // namespace vpngw
