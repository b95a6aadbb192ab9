// Huawei AR routers (VRP, V200R008 and later): an IPsec policy with one
// entry and one advanced ACL per SPD rule, an IKE peer carrying the PSK,
// identities and DPD. Paste in system view.
#include <algorithm>

#include <fmt/format.h>

#include "control/peer_config/algorithm_names.hpp"
#include "control/peer_config/config_text.hpp"
#include "control/peer_config/renderers.hpp"

namespace vpngw {

namespace {

// ACL numbers are global on the device: 3101, 3102, ... are examples the
// header tells the customer to change if they are taken.
constexpr int kFirstAcl = 3101;

std::string ike_proposal(const CustomerView& v) {
  const IkePolicy& ike = v.ike();
  std::string out = "ike proposal 10\n";
  if (auto enc = huawei_cipher(ike.encryption))
    out += fmt::format(" encryption-algorithm {}\n", *enc);
  else
    out += fmt::format(" # VRP has no {} for IKE: this IKE proposal cannot be set\n",
                       name_of(ike.encryption));
  out += " authentication-method pre-share\n";
  if (v.ikev1()) {
    out += fmt::format(" authentication-algorithm {}\n", huawei_authentication(ike.integrity));
  } else {
    out += fmt::format(" integrity-algorithm {}\n", huawei_ikev2_integrity(ike.integrity));
    out += fmt::format(" prf {}\n", huawei_prf(ike.integrity));
  }
  if (auto group = huawei_dh_group(ike.dh_group))
    out += fmt::format(" dh group{}\n", *group);
  else
    out += fmt::format(" # VRP has no DH group {}: this IKE proposal cannot be set\n",
                       name_of(ike.dh_group));
  out += fmt::format(" sa duration {}\n", ike.lifetime_s);
  out += "#\n";
  return out;
}

std::string id_lines(std::string_view side, const Identity& id) {
  return fmt::format(" {0}-id-type {1}\n {0}-id {2}\n", side, id.is_ip() ? "ip" : "fqdn",
                     id.value);
}

std::string ike_peer(const CustomerView& v) {
  const std::string& id = v.tunnel.id;
  std::string out = fmt::format("ike peer {}\n", id);
  // Both versions are on by default; keep only the tunnel's.
  out += v.ikev1() ? " undo version 2\n" : " undo version 1\n";
  if (v.ikev1()) out += fmt::format(" exchange-mode {}\n", name_of(v.ike().mode));
  out += fmt::format(" pre-shared-key cipher {}\n", v.tunnel.psk);
  out += " ike-proposal 10\n";
  if (!v.local_id.empty()) out += id_lines("local", v.local_id);
  out += id_lines("remote", v.remote_id);
  out += fmt::format(" remote-address {}\n", v.remote_address.str());
  const DpdSettings& dpd = v.dpd();
  if (dpd.delay_s > 0) {
    // VRP probes after `idle-time`, retransmits `retransmit-interval`
    // seconds apart, and gives up after `retry-limit` retransmissions.
    uint32_t after_first_probe = dpd.timeout_s > dpd.delay_s ? dpd.timeout_s - dpd.delay_s : 0;
    uint32_t interval = std::clamp<uint32_t>((after_first_probe + 2) / 3, 2, 60);
    out += " dpd type periodic\n";
    out += fmt::format(" dpd idle-time {}\n", std::clamp<uint32_t>(dpd.delay_s, 10, 3600));
    if (dpd.delay_s < 10)
      out += fmt::format(" # vpngw probes every {} s; VRP allows no DPD idle time below 10 s\n",
                         dpd.delay_s);
    out += fmt::format(" dpd retransmit-interval {}\n", interval);
    out += " dpd retry-limit 3\n";
  }
  out += "#\n";
  return out;
}

std::string ipsec_section(const CustomerView& v) {
  const IpsecPolicy& ipsec = v.ipsec();
  const std::string& id = v.tunnel.id;
  auto children = customer_children(v, ChildSplit::per_rule);
  std::string out;
  for (size_t i = 0; i < children.size(); ++i) {
    out += fmt::format("acl number {}\n", kFirstAcl + static_cast<int>(i));
    int rule = 5;
    for (const Cidr& local : children[i].local) {
      out += fmt::format(" rule {} permit ip source {} {} destination {} {}\n", rule,
                         local.first().str(), wildcard_mask(local),
                         children[i].remote.first().str(), wildcard_mask(children[i].remote));
      rule += 5;
    }
    out += "#\n";
  }

  out += fmt::format("ipsec proposal {}\n", id);
  out += " transform esp\n";
  out += " encapsulation-mode tunnel\n";
  if (auto enc = huawei_cipher(ipsec.encryption)) {
    out += fmt::format(" esp encryption-algorithm {}\n", *enc);
    out += fmt::format(" esp authentication-algorithm {}\n",
                       huawei_authentication(ipsec.integrity));
  } else {
    out += fmt::format(" # VRP has no {} for ESP: this IPsec proposal cannot be set\n",
                       name_of(ipsec.encryption));
  }
  if (ipsec.esn)
    out += " # vpngw uses extended sequence numbers (ESN) on this tunnel: the SAs come\n"
           " # up only with a VRP release that negotiates ESN\n";
  out += "#\n";

  for (size_t i = 0; i < children.size(); ++i) {
    out += fmt::format("ipsec policy {} {} isakmp\n", id, (i + 1) * 10);
    out += fmt::format(" security acl {}\n", kFirstAcl + static_cast<int>(i));
    out += fmt::format(" ike-peer {}\n", id);
    out += fmt::format(" proposal {}\n", id);
    if (ipsec.pfs != DhGroup::none) {
      if (auto group = huawei_dh_group(ipsec.pfs))
        out += fmt::format(" pfs dh-group{}\n", *group);
      else
        out += fmt::format(" # VRP has no PFS group {}: this IPsec policy cannot be set\n",
                           name_of(ipsec.pfs));
    }
    out += fmt::format(" sa duration time-based {}\n", ipsec.lifetime_s);
    if (ipsec.lifetime_kb > 0)
      out += fmt::format(" sa duration traffic-based {}\n", ipsec.lifetime_kb);
    out += "#\n";
  }
  return out;
}

}  // namespace

std::string render_huawei(const CustomerView& v) {
  std::string out = header_comment(v, "Huawei AR (VRP V200R008 and later)", "#");
  out += "# Paste in system view ('system-view'). ACL numbers 3101 and up and the\n";
  out += "# interface name below are examples: change them if yours differ.\n";
  if (v.tunnel.start_action == StartAction::respond)
    out += "# vpngw only responds on this tunnel: the router initiates on the first packet\n"
           "# that matches one of the ACLs below.\n";
  out += "#\n";
  out += ike_proposal(v);
  out += ike_peer(v);
  out += ipsec_section(v);
  out += "# Apply the policy to the interface that faces the Internet, e.g.\n";
  out += "#   interface GigabitEthernet0/0/1\n";
  out += fmt::format("#    ipsec policy {}\n", v.tunnel.id);
  return out;
}

}  // namespace vpngw
