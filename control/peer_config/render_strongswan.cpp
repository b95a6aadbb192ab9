// strongSwan ipsec.conf: the form of seed 004's "Download Tunnel
// Configuration", with left = the customer's device and right = vpngw.
// Keywords strongSwan 5 no longer reads (pfs=, leftnexthop=) are left out:
// PFS is the DH group in esp=, and charon routes by itself.
#include <fmt/format.h>

#include "control/peer_config/algorithm_names.hpp"
#include "control/peer_config/config_text.hpp"
#include "control/peer_config/renderers.hpp"

namespace vpngw {

namespace {

std::string_view auto_keyword(StartAction a) {
  switch (a) {
    case StartAction::start: return "start";
    case StartAction::trap: return "route";
    case StartAction::respond: return "add";
  }
  return "start";
}

std::string_view dpd_keyword(DpdAction a) {
  switch (a) {
    case DpdAction::clear: return "clear";
    case DpdAction::hold: return "hold";
    case DpdAction::restart: return "restart";
  }
  return "hold";
}

// One conn section in seed 004's keyword order. `child` is null for the base
// conn that several child conns include with also=.
std::string conn_section(const CustomerView& v, std::string_view name,
                         const CustomerChildSa* child, std::string_view auto_value) {
  std::string s = fmt::format("\nconn {}\n", name);
  auto line = [&s](std::string text) { s += "    " + text + "\n"; };
  line("keyingtries=3");
  line("authby=psk");
  line(fmt::format("auto={}", auto_value));
  line("type=tunnel");
  line(fmt::format("keyexchange={}", name_of(v.ike().version)));
  if (v.ikev1() && v.ike().mode == IkeMode::aggressive) line("aggressive=yes");
  line(fmt::format("esp={}!", strongswan_esp_proposal(v.ipsec())));
  line(fmt::format("ike={}!", strongswan_ike_proposal(v.ike())));
  line(fmt::format("ikelifetime={}s", v.ike().lifetime_s));
  line(fmt::format("lifetime={}s", v.ipsec().lifetime_s));
  if (v.ipsec().lifetime_kb > 0) {
    uint64_t bytes = v.ipsec().lifetime_kb * 1024;
    line(fmt::format("lifebytes={}", bytes));
    // Rekey at 90 % of the volume, as margintime does for the time limit.
    line(fmt::format("marginbytes={}", bytes / 10));
  }
  line(fmt::format("left={}", v.local_address ? v.local_address->str() : "%any"));
  if (!v.local_id.empty()) line(fmt::format("leftid={}", v.local_id.value));
  if (child) line(fmt::format("leftsubnet={}", join_cidrs(child->local, ",")));
  line(fmt::format("right={}", v.remote_address.str()));
  line(fmt::format("rightid={}", v.remote_id.value));
  if (child) line(fmt::format("rightsubnet={}", join_cidrs(child->remote, ",")));
  if (v.dpd().delay_s == 0) {
    line("dpdaction=none");
  } else {
    line(fmt::format("dpdaction={}", dpd_keyword(v.dpd().action)));
    line(fmt::format("dpddelay={}s", v.dpd().delay_s));
    line(fmt::format("dpdtimeout={}s", v.dpd().timeout_s));
  }
  return s;
}

std::string secrets_line(const CustomerView& v) {
  std::string selectors = v.local_id.empty() ? v.remote_id.value
                                             : v.local_id.value + " " + v.remote_id.value;
  return fmt::format("{} : PSK {}", selectors, strongswan_secret(v.tunnel.psk));
}

}  // namespace

std::string render_strongswan_ipsec_conf(const CustomerView& v) {
  std::string out = header_comment(v, "strongSwan (ipsec.conf)", "#");
  out += "# left = your device (local), right = the vpngw VPN gateway (remote).\n";
  out += "# Add the conn sections to /etc/ipsec.conf and the secret at the end to\n";
  out += "# /etc/ipsec.secrets, then run 'ipsec reload'.\n";

  // IKEv2: one conn whose leftsubnet/rightsubnet lists carry every SPD rule,
  // as vpngw's one CHILD_SA does. IKEv1 quick mode negotiates one subnet pair
  // per SA, so there it is one conn per pair.
  auto children = customer_child_sas(v);
  std::string_view start = auto_keyword(v.start_action);
  if (children.size() == 1) {
    out += conn_section(v, v.tunnel.id, &children[0], start);
  } else {
    // IKEv1 with several subnet pairs: a base conn with everything but the
    // subnets, never started itself, and one conn per pair that includes it. Equal endpoints, identities and
    // IKE proposal make charon carry all of them over one IKE SA.
    out += conn_section(v, v.tunnel.id, nullptr, "ignore");
    for (const CustomerChildSa& child : children) {
      out += fmt::format("\nconn {}-{}\n", v.tunnel.id, child.suffix);
      out += fmt::format("    also={}\n", v.tunnel.id);
      out += fmt::format("    auto={}\n", start);
      out += fmt::format("    leftsubnet={}\n", join_cidrs(child.local, ","));
      out += fmt::format("    rightsubnet={}\n", join_cidrs(child.remote, ","));
    }
  }

  out += "\n# ---- /etc/ipsec.secrets: add this line without the leading '# ' ----\n";
  out += "# " + secrets_line(v) + "\n";
  return out;
}

}  // namespace vpngw
