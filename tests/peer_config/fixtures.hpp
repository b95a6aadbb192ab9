// Tunnels the peer-config tests render: the seed-like default and several
// non-default ones. Shared by the unit tests and by the writer that feeds
// swanctl_load_test.sh, whose expectations are written against these values.
#pragma once

#include <string>
#include <vector>

#include "control/model.hpp"
#include "control/peer_config/peer_config.hpp"

namespace vpngw::peer_test {

struct PeerFixture {
  std::string label;  // also the swanctl writer's file name: <label>.swanctl.conf
  VpnGateway gateway;
  CustomerGateway customer_gateway;
  Tunnel tunnel;
  PeerConfigInput input() const { return {tunnel, gateway, customer_gateway}; }
};

Cidr cidr(const char* text);

// All policies at their defaults (aes128-sha1-modp1024, IKEv2, 86400 s, DPD
// 8/13 hold, start), one SPD rule, IP identities: seed 004's example.
PeerFixture seed_fixture();
// IKEv1 aggressive, aes256-sha256-modp2048, PFS 14, FQDN identities, two SPD
// rules (the first with two peer CIDRs), volume lifetime, DPD restart, trap.
PeerFixture ikev1_aggressive_fixture();
// Customer behind NAT (0.0.0.0), IKEv2 AES-GCM with ECP-256, ESN, two rules
// with two peers each, vpngw only responds.
PeerFixture gcm_nat_fixture();
// IKEv1 main mode, 3des-md5-modp1536, DES ESP without PFS, DPD off, a PSK
// full of characters that need quoting.
PeerFixture legacy_fixture();
// IKEv2 aes256-sha512-curve25519, GCM ESP with curve25519 PFS, a PSK that
// starts like a hex literal.
PeerFixture curve25519_fixture();

std::vector<PeerFixture> all_fixtures();

}  // namespace vpngw::peer_test
