// Peer-configuration export: the configuration an operator downloads for the
// CUSTOMER's IPsec device (`vpngwctl tunnel config ID --vendor V`). It is
// written from the customer's side: their device is local/left, our VPN
// gateway is remote/right. This is the only output that carries the PSK in
// clear text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "control/api_error.hpp"
#include "control/model.hpp"

namespace vpngw {

struct PeerConfigInput {
  const Tunnel& tunnel;
  const VpnGateway& gateway;                 // the tunnel's gateway
  const CustomerGateway& customer_gateway;   // the tunnel's customer gateway
};

struct RenderedConfig {
  std::string vendor;    // as requested, e.g. "swanctl"
  std::string filename;  // suggested download name, e.g. "vpnx-1a2b3c4d-swanctl.conf"
  std::string text;      // the configuration, ready to paste or load
};

// Vendors: see peer_config_vendors(). An unknown vendor is rejected with
// InvalidParameterValue on field "vendor".
Result<RenderedConfig> render_peer_config(const PeerConfigInput& in, std::string_view vendor);

// The vendor names render_peer_config accepts, in the order the API lists them.
std::vector<std::string> peer_config_vendors();

}  // namespace vpngw
