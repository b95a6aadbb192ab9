// Juniper SRX (Junos): route-based VPN on a secure-tunnel interface with one
// traffic selector per subnet pair (a Junos traffic selector holds one local
// and one remote prefix), in `set` form for 'load set terminal'.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "control/peer_config/algorithm_names.hpp"
#include "control/peer_config/config_text.hpp"
#include "control/peer_config/renderers.hpp"

namespace vpngw {

namespace {

// Placeholders the customer adapts: the Internet-facing interface and a
// free st0 unit (unit 0 below). Named once so the comment and the lines agree.
constexpr std::string_view kExternalInterface = "ge-0/0/0.0";
constexpr std::string_view kTunnelInterface = "st0.0";

// Junos fixes the PRF of an AES-GCM IKE proposal (no prf-algorithm may be
// set with an AEAD cipher): SHA-256 for 128-bit keys, SHA-384 for 256-bit.
Integrity junos_gcm_prf(Cipher c) {
  return c == Cipher::aes256gcm ? Integrity::sha384 : Integrity::sha256;
}

std::string ike_lines(const CustomerView& v) {
  const IkePolicy& ike = v.ike();
  const std::string& id = v.tunnel.id;
  std::string prop = "set security ike proposal " + id + "-ike ";
  std::string out;
  out += prop + "authentication-method pre-shared-keys\n";
  if (auto group = junos_dh_group(ike.dh_group))
    out += prop + fmt::format("dh-group {}\n", *group);
  else
    out += fmt::format("# Junos has no DH group {}: this IKE proposal cannot be set on an SRX\n",
                       name_of(ike.dh_group));
  if (is_aead(ike.encryption)) {
    if (junos_gcm_prf(ike.encryption) != ike.integrity)
      out += fmt::format(
          "# Junos pairs {} with a {} PRF, but this tunnel's PRF is {}: the IKE SA\n"
          "# cannot come up with an SRX unless the tunnel's ike.integrity is changed\n",
          junos_encryption(ike.encryption), name_of(junos_gcm_prf(ike.encryption)),
          name_of(ike.integrity));
  } else {
    out += prop + fmt::format("authentication-algorithm {}\n",
                              junos_ike_authentication(ike.integrity));
  }
  out += prop + fmt::format("encryption-algorithm {}\n", junos_encryption(ike.encryption));
  out += prop + fmt::format("lifetime-seconds {}\n", ike.lifetime_s);

  std::string pol = "set security ike policy " + id + "-ike ";
  if (v.ikev1()) out += pol + fmt::format("mode {}\n", name_of(ike.mode));
  out += pol + "proposals " + id + "-ike\n";
  out += pol + "pre-shared-key ascii-text " + backslash_quoted(v.tunnel.psk) + "\n";

  std::string gw = "set security ike gateway " + id + " ";
  out += gw + "ike-policy " + id + "-ike\n";
  out += gw + fmt::format("address {}\n", v.remote_address.str());
  out += gw + fmt::format("external-interface {}\n", kExternalInterface);
  if (!v.local_id.empty())
    out += gw + fmt::format("local-identity {} {}\n", v.local_id.is_ip() ? "inet" : "hostname",
                            v.local_id.value);
  out += gw + fmt::format("remote-identity {} {}\n", v.remote_id.is_ip() ? "inet" : "hostname",
                          v.remote_id.value);
  const DpdSettings& dpd = v.dpd();
  if (dpd.delay_s > 0) {
    // Junos: probes `interval` apart, peer dead after `threshold` misses.
    uint32_t interval = std::clamp<uint32_t>(dpd.delay_s, 2, 60);
    if (interval != dpd.delay_s)
      out += fmt::format("# vpngw probes every {} s; Junos allows 2-60 s\n", dpd.delay_s);
    uint32_t threshold = std::clamp<uint32_t>((dpd.timeout_s + interval - 1) / interval, 1, 5);
    out += gw + "dead-peer-detection always-send\n";
    out += gw + fmt::format("dead-peer-detection interval {}\n", interval);
    out += gw + fmt::format("dead-peer-detection threshold {}\n", threshold);
  }
  out += gw + (v.ikev1() ? "version v1-only\n" : "version v2-only\n");
  return out;
}

std::string ipsec_lines(const CustomerView& v) {
  const IpsecPolicy& ipsec = v.ipsec();
  const std::string& id = v.tunnel.id;
  std::string out;
  std::string prop = "set security ipsec proposal " + id + "-esp ";
  out += prop + "protocol esp\n";
  if (!is_aead(ipsec.encryption))
    out += prop + fmt::format("authentication-algorithm {}\n",
                              junos_esp_authentication(ipsec.integrity));
  out += prop + fmt::format("encryption-algorithm {}\n", junos_encryption(ipsec.encryption));
  out += prop + fmt::format("lifetime-seconds {}\n", ipsec.lifetime_s);
  if (ipsec.lifetime_kb > 0) out += prop + fmt::format("lifetime-kilobytes {}\n", ipsec.lifetime_kb);

  std::string pol = "set security ipsec policy " + id + "-esp ";
  if (ipsec.pfs != DhGroup::none) {
    if (auto group = junos_dh_group(ipsec.pfs))
      out += pol + fmt::format("perfect-forward-secrecy keys {}\n", *group);
    else
      out += fmt::format("# Junos has no PFS group {}: this IPsec policy cannot be set on an SRX\n",
                         name_of(ipsec.pfs));
  }
  out += pol + "proposals " + id + "-esp\n";
  if (ipsec.esn)
    out += "# vpngw uses extended sequence numbers (ESN) on this tunnel: the SA comes up\n"
           "# only with a Junos release that negotiates ESN\n";

  std::string vpn = "set security ipsec vpn " + id + " ";
  out += vpn + fmt::format("bind-interface {}\n", kTunnelInterface);
  out += vpn + "ike gateway " + id + "\n";
  out += vpn + "ike ipsec-policy " + id + "-esp\n";
  for (const CustomerChild& child : customer_children(v, ChildSplit::per_pair)) {
    std::string ts = vpn + "traffic-selector ts-" + child.suffix + " ";
    out += ts + "local-ip " + child.local.front().str() + "\n";
    out += ts + "remote-ip " + child.remote.str() + "\n";
  }
  out += vpn + (v.start_action == StartAction::trap ? "establish-tunnels on-traffic\n"
                                                    : "establish-tunnels immediately\n");
  return out;
}

}  // namespace

std::string render_juniper_srx(const CustomerView& v) {
  std::string out = header_comment(v, "Juniper SRX (Junos)", "#");
  out += "# In configuration mode: 'load set terminal', paste, then 'commit'.\n";
  out += fmt::format("# {} (your Internet-facing interface) and {} (a free secure-tunnel\n",
                     kExternalInterface, kTunnelInterface);
  out += "# unit) are examples: replace them if yours differ. Security policies between\n";
  out += "# your LAN zone and zone 'vpn' must permit the traffic.\n";
  out += "set interfaces st0 unit 0 family inet\n";
  out += fmt::format("set security zones security-zone vpn interfaces {}\n", kTunnelInterface);
  out += fmt::format(
      "set security zones security-zone untrust interfaces {} host-inbound-traffic "
      "system-services ike\n",
      kExternalInterface);
  out += ike_lines(v);
  out += ipsec_lines(v);
  std::set<Cidr> routed;
  for (const CustomerSelector& sel : v.selectors)
    if (routed.insert(sel.remote).second)
      out += fmt::format("set routing-options static route {} next-hop {}\n", sel.remote.str(),
                         kTunnelInterface);
  return out;
}

}  // namespace vpngw
