// Helpers shared by the store tests: a temporary state directory, raw file
// access, sample resources with every field away from its default, and
// field-by-field comparisons.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/store.hpp"
#include "control/store/sqlite_db.hpp"
#include "control/store/sqlite_store.hpp"

namespace vpngw::test {

// A fresh directory under /tmp, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/vpngw-store-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string db() const { return file(SqliteStore::kDatabaseFile); }
  std::string key() const { return file(SqliteStore::kKeyFile); }

 private:
  std::string path_;
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline bool exists(const std::string& path) { return std::filesystem::exists(path); }

// Opens the store and fails the test (returning null) if that fails.
inline std::unique_ptr<SqliteStore> open_store(const TempDir& dir) {
  auto store = SqliteStore::open(dir.path());
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
  return store.ok() ? std::move(*store) : nullptr;
}

// Runs SQL on the database through a connection of its own, as an operator's
// sqlite3 shell would.
inline void exec_sql(const std::string& db_path, const std::string& sql) {
  auto db = SqliteDb::open(db_path, SqliteDb::Mode::create);
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto err = db->exec(sql);
  ASSERT_FALSE(err.has_value()) << err->message;
}

inline Cidr cidr(const char* text) { return *Cidr::parse(text); }
inline Ipv4Addr ip(const char* text) { return *Ipv4Addr::parse(text); }

inline Vpc sample_vpc(std::string id = "vpc-0a1b2c3d", std::string name = "prod-vpc") {
  Vpc v;
  v.id = std::move(id);
  v.name = std::move(name);
  v.cidrs = {cidr("10.0.0.0/16"), cidr("172.16.0.0/20")};
  v.route_table_id = "rtb-0a1b2c3d";
  v.created_at = 1700000001;
  return v;
}

inline VpnGateway sample_gateway() {
  VpnGateway g;
  g.id = "vpngw-1a2b3c4d";
  g.name = "gw-east";
  g.vpc_id = "vpc-0a1b2c3d";
  g.public_ip = ip("203.0.113.10");
  g.bandwidth_mbps = 200;
  g.status = ResourceStatus::running;
  g.created_at = 1700000002;
  return g;
}

inline CustomerGateway sample_customer_gateway(std::string id = "cgw-5e6f7a8b",
                                               std::string name = "branch-office") {
  CustomerGateway c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.public_ip = ip("198.51.100.7");
  c.created_at = 1700000003;
  return c;
}

// Every policy field differs from its default, so a field the store dropped
// would come back as the default and fail the comparison.
inline Tunnel sample_tunnel(std::string id = "vpnx-9c8d7e6f",
                            std::string psk = "s3cret-PSK/with+symbols!") {
  Tunnel t;
  t.id = std::move(id);
  t.name = "to-branch";
  t.gateway_id = "vpngw-1a2b3c4d";
  t.customer_gateway_id = "cgw-5e6f7a8b";
  t.psk = std::move(psk);
  t.spd = {{cidr("10.0.0.0/24"), {cidr("192.168.0.0/24"), cidr("192.168.1.0/24")}},
           {cidr("10.0.1.0/24"), {cidr("192.168.2.0/24")}}};
  t.ike.version = IkeVersion::ikev1;
  t.ike.mode = IkeMode::aggressive;
  t.ike.encryption = Cipher::aes256;
  t.ike.integrity = Integrity::sha256;
  t.ike.dh_group = DhGroup::modp2048;
  t.ike.local_id.value = "gw.example.net";
  t.ike.remote_id.value = "198.51.100.7";
  t.ike.lifetime_s = 28800;
  t.ipsec.encryption = Cipher::aes256gcm;
  t.ipsec.integrity = Integrity::sha512;
  t.ipsec.pfs = DhGroup::none;
  t.ipsec.lifetime_s = 7200;
  t.ipsec.lifetime_kb = 4096000;
  t.ipsec.esn = true;
  t.dpd.delay_s = 20;
  t.dpd.timeout_s = 60;
  t.dpd.action = DpdAction::restart;
  t.start_action = StartAction::trap;
  t.auto_route = true;
  t.status = ResourceStatus::deleting;
  t.connection = ConnectionStatus::phase2_failed;
  t.connection_reason = "NO_PROPOSAL_CHOSEN: peer offered aes128-sha1";
  t.created_at = 1700000004;
  return t;
}

inline Route sample_route() {
  Route r;
  r.id = "rt-4d3c2b1a";
  r.vpc_id = "vpc-0a1b2c3d";
  r.destination = cidr("192.168.0.0/24");
  r.gateway_id = "vpngw-1a2b3c4d";
  r.tunnel_id = "vpnx-9c8d7e6f";
  r.created_at = 1700000005;
  return r;
}

inline void expect_same(const Vpc& a, const Vpc& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.cidrs, b.cidrs);
  EXPECT_EQ(a.route_table_id, b.route_table_id);
  EXPECT_EQ(a.created_at, b.created_at);
}

inline void expect_same(const VpnGateway& a, const VpnGateway& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.vpc_id, b.vpc_id);
  EXPECT_EQ(a.public_ip, b.public_ip);
  EXPECT_EQ(a.bandwidth_mbps, b.bandwidth_mbps);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.created_at, b.created_at);
}

inline void expect_same(const CustomerGateway& a, const CustomerGateway& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.public_ip, b.public_ip);
  EXPECT_EQ(a.created_at, b.created_at);
}

inline void expect_same(const Tunnel& a, const Tunnel& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.gateway_id, b.gateway_id);
  EXPECT_EQ(a.customer_gateway_id, b.customer_gateway_id);
  EXPECT_EQ(a.psk, b.psk);
  EXPECT_EQ(a.spd, b.spd);
  EXPECT_EQ(a.ike, b.ike);
  EXPECT_EQ(a.ipsec, b.ipsec);
  EXPECT_EQ(a.dpd, b.dpd);
  EXPECT_EQ(a.start_action, b.start_action);
  EXPECT_EQ(a.auto_route, b.auto_route);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.connection, b.connection);
  EXPECT_EQ(a.connection_reason, b.connection_reason);
  EXPECT_EQ(a.created_at, b.created_at);
}

inline void expect_same(const Route& a, const Route& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.vpc_id, b.vpc_id);
  EXPECT_EQ(a.destination, b.destination);
  EXPECT_EQ(a.gateway_id, b.gateway_id);
  EXPECT_EQ(a.tunnel_id, b.tunnel_id);
  EXPECT_EQ(a.created_at, b.created_at);
}

template <typename T>
void expect_same(const std::vector<T>& a, const std::vector<T>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) expect_same(a[i], b[i]);
}

inline void expect_same(const ResourceSnapshot& a, const ResourceSnapshot& b) {
  expect_same(a.vpcs, b.vpcs);
  expect_same(a.gateways, b.gateways);
  expect_same(a.customer_gateways, b.customer_gateways);
  expect_same(a.tunnels, b.tunnels);
  expect_same(a.routes, b.routes);
}

// One of each kind, as a change set and as the snapshot it should produce.
inline ChangeSet one_of_each() {
  ChangeSet c;
  c.puts = {sample_vpc(), sample_gateway(), sample_customer_gateway(), sample_tunnel(),
            sample_route()};
  return c;
}

inline ResourceSnapshot one_of_each_snapshot() {
  ResourceSnapshot s;
  s.vpcs = {sample_vpc()};
  s.gateways = {sample_gateway()};
  s.customer_gateways = {sample_customer_gateway()};
  s.tunnels = {sample_tunnel()};
  s.routes = {sample_route()};
  return s;
}

}  // namespace vpngw::test
