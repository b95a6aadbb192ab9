// Fortinet FortiGate (FortiOS CLI): a route-based tunnel interface
// (phase1-interface), one phase 2 selector per subnet pair (a FortiOS phase 2
// holds one source and one destination subnet) and static routes into the
// tunnel.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "control/peer_config/algorithm_names.hpp"
#include "control/peer_config/config_text.hpp"
#include "control/peer_config/renderers.hpp"

namespace vpngw {

namespace {

// Placeholder for the customer's Internet-facing port; named once so the
// comment and the line agree.
constexpr std::string_view kWanInterface = "wan1";
constexpr uint64_t kMinLifetimeKb = 5120;

std::string phase1(const CustomerView& v) {
  const IkePolicy& ike = v.ike();
  std::string out = "config vpn ipsec phase1-interface\n";
  out += fmt::format("    edit \"{}\"\n", v.tunnel.id);
  auto set = [&out](std::string text) { out += "        set " + text + "\n"; };
  set(fmt::format("interface \"{}\"", kWanInterface));
  set(fmt::format("ike-version {}", v.ikev1() ? 1 : 2));
  if (v.ikev1()) set(fmt::format("mode {}", name_of(ike.mode)));
  set("authmethod psk");
  set(fmt::format("proposal {}", fortinet_phase1_proposal(ike)));
  if (auto group = fortinet_dh_group(ike.dh_group))
    set(fmt::format("dhgrp {}", *group));
  else
    out += fmt::format("        # FortiOS has no DH group {}: this phase 1 cannot be set up\n",
                       name_of(ike.dh_group));
  set(fmt::format("keylife {}", ike.lifetime_s));
  set(fmt::format("remote-gw {}", v.remote_address.str()));
  // Without localid FortiOS sends its interface address, which is only
  // right when that address is the identity vpngw expects.
  bool default_id_fits = v.local_id.empty() ||
                         (v.local_address && v.local_address->str() == v.local_id.value);
  if (!default_id_fits) {
    set(fmt::format("localid-type {}", v.local_id.is_ip() ? "address" : "fqdn"));
    set(fmt::format("localid \"{}\"", v.local_id.value));
  }
  if (v.remote_id.is_ip()) {
    set("peertype any");
  } else {
    set("peertype one");
    set(fmt::format("peerid \"{}\"", v.remote_id.value));
  }
  set("net-device disable");
  set(fmt::format("psksecret {}", backslash_quoted(v.tunnel.psk)));
  const DpdSettings& dpd = v.dpd();
  if (dpd.delay_s == 0) {
    set("dpd disable");
  } else {
    // FortiOS probes after `retryinterval` idle seconds and gives up after
    // `retrycount` unanswered probes.
    set("dpd on-idle");
    set(fmt::format("dpd-retryinterval {}", dpd.delay_s));
    set(fmt::format("dpd-retrycount {}",
                    std::clamp<uint32_t>((dpd.timeout_s + dpd.delay_s - 1) / dpd.delay_s, 1, 10)));
  }
  out += "    next\nend\n";
  return out;
}

std::string phase2(const CustomerView& v) {
  const IpsecPolicy& ipsec = v.ipsec();
  std::string out = "config vpn ipsec phase2-interface\n";
  for (const CustomerChild& child : customer_children(v, ChildSplit::per_pair)) {
    out += fmt::format("    edit \"{}-{}\"\n", v.tunnel.id, child.suffix);
    auto set = [&out](std::string text) { out += "        set " + text + "\n"; };
    set(fmt::format("phase1name \"{}\"", v.tunnel.id));
    set(fmt::format("proposal {}", fortinet_phase2_proposal(ipsec)));
    if (ipsec.pfs == DhGroup::none) {
      set("pfs disable");
    } else if (auto group = fortinet_dh_group(ipsec.pfs)) {
      set("pfs enable");
      set(fmt::format("dhgrp {}", *group));
    } else {
      out += fmt::format("        # FortiOS has no PFS group {}: this phase 2 cannot be set up\n",
                         name_of(ipsec.pfs));
    }
    if (ipsec.lifetime_kb > 0) {
      uint64_t kb = std::max(ipsec.lifetime_kb, kMinLifetimeKb);
      if (kb != ipsec.lifetime_kb)
        out += fmt::format(
            "        # vpngw rekeys after {} KB; FortiOS's smallest volume lifetime is {} KB\n",
            ipsec.lifetime_kb, kMinLifetimeKb);
      set("keylife-type both");
      set(fmt::format("keylifekbs {}", kb));
    } else {
      set("keylife-type seconds");
    }
    set(fmt::format("keylifeseconds {}", ipsec.lifetime_s));
    set(fmt::format("auto-negotiate {}",
                    v.start_action == StartAction::trap ? "disable" : "enable"));
    Cidr local = child.local.front();
    set(fmt::format("src-subnet {} {}", local.first().str(), netmask(local)));
    set(fmt::format("dst-subnet {} {}", child.remote.first().str(), netmask(child.remote)));
    out += "    next\n";
  }
  out += "end\n";
  return out;
}

std::string routes(const CustomerView& v) {
  std::string out = "config router static\n";
  std::set<Cidr> routed;
  for (const CustomerSelector& sel : v.selectors) {
    if (!routed.insert(sel.remote).second) continue;
    out += "    edit 0\n";
    out += fmt::format("        set dst {} {}\n", sel.remote.first().str(), netmask(sel.remote));
    out += fmt::format("        set device \"{}\"\n", v.tunnel.id);
    out += "    next\n";
  }
  out += "end\n";
  return out;
}

}  // namespace

std::string render_fortinet(const CustomerView& v) {
  std::string out = header_comment(v, "Fortinet FortiGate (FortiOS)", "#");
  out += "# Paste into the FortiGate CLI. \"" + std::string(kWanInterface) +
         "\" is an example: use your Internet-facing\n";
  out += "# port. Firewall policies between your LAN and the tunnel interface \"" +
         v.tunnel.id + "\"\n";
  out += "# must permit the traffic.\n";
  if (v.ipsec().esn)
    out += "# vpngw uses extended sequence numbers (ESN) on this tunnel: the phase 2 SAs\n"
           "# come up only with a FortiOS release that negotiates ESN.\n";
  out += phase1(v);
  out += phase2(v);
  out += routes(v);
  return out;
}

}  // namespace vpngw
