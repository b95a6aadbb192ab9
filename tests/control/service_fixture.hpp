// A ResourceService over a MemoryStore with deterministic IDs and time, and
// helpers that assert a rejected request left the state untouched.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>

#include "control/resource_service.hpp"

namespace vpngw {

inline Json dump_snapshot(const ResourceSnapshot& s) {
  Json tunnels = Json::array();
  for (const auto& t : s.tunnels) {
    Json j = t;
    j["psk"] = t.psk;
    tunnels.push_back(j);
  }
  return Json{{"vpcs", s.vpcs}, {"gateways", s.gateways}, {"cgws", s.customer_gateways},
              {"tunnels", tunnels}, {"routes", s.routes}};
}

class ServiceTest : public ::testing::Test {
 protected:
  explicit ServiceTest(Quotas quotas = {})
      : svc_({.store = store_,
              .quotas = quotas,
              .now_unix = [] { return int64_t{1700000000}; },
              .new_id = [this](std::string_view prefix) {
                char hex[9];
                std::snprintf(hex, sizeof(hex), "%08x", ++next_id_);
                return std::string(prefix) + "-" + hex;
              }}) {}

  // Runs a request that must fail; checks that neither the service's state
  // nor the store changed, and returns the error.
  template <typename F>
  ApiError reject(F request) {
    const Json before_state = dump_snapshot(svc_.state());
    const Json before_store = dump_snapshot(store_.snapshot());
    auto result = request();
    EXPECT_FALSE(result.ok()) << "request unexpectedly succeeded";
    EXPECT_EQ(dump_snapshot(svc_.state()), before_state) << "rejected request changed the state";
    EXPECT_EQ(dump_snapshot(store_.snapshot()), before_store) << "rejected request changed the store";
    return result.ok() ? ApiError{} : result.error();
  }

  template <typename T>
  static T ok(Result<T> r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
    if (!r.ok()) throw std::runtime_error("unexpected error: " + r.error().message);
    return std::move(*r);
  }

  std::string make_vpc(const char* name = "TomVPC", Json cidrs = Json{"10.0.0.0/16"}) {
    return ok(svc_.create_vpc(Json{{"name", name}, {"cidrs", cidrs}})).id;
  }
  std::string make_gateway(const std::string& vpc, const char* name = "TomVPNGw",
                           const char* ip = "203.0.113.10", int bw = 100) {
    return ok(svc_.create_gateway(Json{{"name", name}, {"vpc", vpc}, {"public_ip", ip}, {"bandwidth", bw}})).id;
  }
  std::string make_cgw(const char* name = "TomVPNUserGw", const char* ip = "198.51.100.5") {
    return ok(svc_.create_customer_gateway(Json{{"name", name}, {"public_ip", ip}})).id;
  }
  Json tunnel_params(const std::string& gw, const std::string& cgw, const char* name = "TomVPNConn",
                     Json spd = Json::parse(R"([{"local":"10.0.1.0/24","peers":["192.168.1.0/24"]}])")) {
    return Json{{"name", name}, {"gateway", gw}, {"customer_gateway", cgw}, {"psk", "123456"}, {"spd", spd}};
  }

  MemoryStore store_;
  uint32_t next_id_ = 0;
  ResourceService svc_;
};

}  // namespace vpngw
