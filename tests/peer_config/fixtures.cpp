#include "tests/peer_config/fixtures.hpp"

#include <stdexcept>

namespace vpngw::peer_test {

Cidr cidr(const char* text) {
  auto c = Cidr::parse(text);
  if (!c) throw std::invalid_argument(std::string("bad CIDR in fixture: ") + text);
  return *c;
}

namespace {

Ipv4Addr ip(const char* text) {
  auto a = Ipv4Addr::parse(text);
  if (!a) throw std::invalid_argument(std::string("bad address in fixture: ") + text);
  return *a;
}

VpnGateway our_gateway() {
  VpnGateway g;
  g.id = "vpngw-0a0b0c0d";
  g.name = "gw-main";
  g.vpc_id = "vpc-01020304";
  g.public_ip = ip("198.51.100.10");
  g.bandwidth_mbps = 100;
  g.status = ResourceStatus::running;
  return g;
}

CustomerGateway customer(const char* id, const char* name, const char* address) {
  CustomerGateway c;
  c.id = id;
  c.name = name;
  c.public_ip = ip(address);
  return c;
}

Tunnel tunnel(const char* id, const char* name, const char* psk, std::vector<SpdRule> spd) {
  Tunnel t;
  t.id = id;
  t.name = name;
  t.gateway_id = "vpngw-0a0b0c0d";
  t.psk = psk;
  t.spd = std::move(spd);
  return t;
}

}  // namespace

PeerFixture seed_fixture() {
  PeerFixture f{"seed", our_gateway(), customer("cgw-11223344", "branch-office", "203.0.113.5"),
                tunnel("vpnx-1a2b3c4d", "office-1", "s3cretKey-01",
                       {{cidr("198.18.0.0/20"), {cidr("192.0.2.0/24")}}})};
  f.tunnel.customer_gateway_id = f.customer_gateway.id;
  return f;
}

PeerFixture ikev1_aggressive_fixture() {
  PeerFixture f{"ikev1-aggressive", our_gateway(), customer("cgw-55667788", "hq", "203.0.113.77"),
                tunnel("vpnx-2b3c4d5e", "hq-legacy.v1", "Aggr3ssive_Key",
                       {{cidr("198.18.16.0/24"), {cidr("192.0.2.0/25"), cidr("198.19.1.0/24")}},
                        {cidr("198.18.17.0/24"), {cidr("198.19.2.0/24")}}})};
  Tunnel& t = f.tunnel;
  t.customer_gateway_id = f.customer_gateway.id;
  t.ike.version = IkeVersion::ikev1;
  t.ike.mode = IkeMode::aggressive;
  t.ike.encryption = Cipher::aes256;
  t.ike.integrity = Integrity::sha256;
  t.ike.dh_group = DhGroup::modp2048;
  t.ike.local_id = Identity{"vpn.gateway.example"};
  t.ike.remote_id = Identity{"hq.customer.example"};
  t.ike.lifetime_s = 28800;
  t.ipsec.encryption = Cipher::aes256;
  t.ipsec.integrity = Integrity::sha256;
  t.ipsec.pfs = DhGroup::modp2048;
  t.ipsec.lifetime_s = 3600;
  t.ipsec.lifetime_kb = 4608000;
  t.dpd = {10, 30, DpdAction::restart};
  t.start_action = StartAction::trap;
  return f;
}

PeerFixture gcm_nat_fixture() {
  PeerFixture f{"gcm-nat", our_gateway(), customer("cgw-99aabbcc", "roaming", "0.0.0.0"),
                tunnel("vpnx-3c4d5e6f", "roaming-gcm", "gcm-Key_2024",
                       {{cidr("198.18.32.0/24"), {cidr("192.0.2.128/26"), cidr("192.0.2.192/26")}},
                        {cidr("198.18.33.0/24"), {cidr("198.19.32.0/24"), cidr("198.19.33.0/24")}}})};
  Tunnel& t = f.tunnel;
  t.customer_gateway_id = f.customer_gateway.id;
  t.ike.encryption = Cipher::aes128gcm;
  t.ike.integrity = Integrity::sha256;
  t.ike.dh_group = DhGroup::ecp256;
  t.ike.remote_id = Identity{"branch7.customer.example"};
  t.ipsec.encryption = Cipher::aes256gcm;
  t.ipsec.pfs = DhGroup::ecp256;
  t.ipsec.esn = true;
  t.ipsec.lifetime_s = 28800;
  t.dpd = {8, 13, DpdAction::clear};
  t.start_action = StartAction::respond;
  return f;
}

PeerFixture legacy_fixture() {
  PeerFixture f{"legacy", our_gateway(), customer("cgw-ddeeff00", "old-router", "203.0.113.200"),
                tunnel("vpnx-4d5e6f70", "legacy-3des", "q\"w\\e$r#t0",
                       {{cidr("198.18.48.0/24"), {cidr("198.19.48.0/24")}}})};
  Tunnel& t = f.tunnel;
  t.customer_gateway_id = f.customer_gateway.id;
  t.ike.version = IkeVersion::ikev1;
  t.ike.encryption = Cipher::des3;
  t.ike.integrity = Integrity::md5;
  t.ike.dh_group = DhGroup::modp1536;
  t.ipsec.encryption = Cipher::des;
  t.ipsec.integrity = Integrity::md5;
  t.ipsec.pfs = DhGroup::none;
  t.ipsec.lifetime_kb = 1024;
  t.dpd = {0, 13, DpdAction::hold};
  return f;
}

PeerFixture curve25519_fixture() {
  PeerFixture f{"curve25519", our_gateway(), customer("cgw-0f0e0d0c", "modern", "203.0.113.50"),
                tunnel("vpnx-5e6f7081", "modern-x25519", "0xDEADBEEFcafe",
                       {{cidr("198.18.64.0/24"), {cidr("198.19.64.0/24")}}})};
  Tunnel& t = f.tunnel;
  t.customer_gateway_id = f.customer_gateway.id;
  t.ike.encryption = Cipher::aes256;
  t.ike.integrity = Integrity::sha512;
  t.ike.dh_group = DhGroup::curve25519;
  t.ipsec.encryption = Cipher::aes128gcm;
  t.ipsec.pfs = DhGroup::curve25519;
  t.dpd = {30, 120, DpdAction::hold};
  return f;
}

std::vector<PeerFixture> all_fixtures() {
  return {seed_fixture(), ikev1_aggressive_fixture(), gcm_nat_fixture(), legacy_fixture(),
          curve25519_fixture()};
}

}  // namespace vpngw::peer_test
