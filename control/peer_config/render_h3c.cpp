// H3C routers (Comware 7): an IPsec policy with one entry and one advanced
// ACL per SPD rule, an IKE profile and keychain (IKEv1) or IKEv2 profile and
// keyring. Paste in system view.
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

// Comware probes after `interval` idle seconds and retries `retry` seconds
// apart (twice) before it declares the peer dead.
std::string dpd_line(const DpdSettings& dpd) {
  uint32_t after_first_probe = dpd.timeout_s > dpd.delay_s ? dpd.timeout_s - dpd.delay_s : 0;
  uint32_t retry = std::clamp<uint32_t>((after_first_probe + 1) / 2, 1, 60);
  return fmt::format(" dpd interval {} retry {} periodic\n", std::min<uint32_t>(dpd.delay_s, 300),
                     retry);
}

std::string identity(const Identity& id) {
  return fmt::format("{} {}", id.is_ip() ? "address" : "fqdn", id.value);
}

std::string remote_identity(const Identity& id, std::string_view host_mask) {
  return id.is_ip() ? fmt::format("address {} {}", id.value, host_mask) : identity(id);
}

std::string ikev1_section(const CustomerView& v) {
  const IkePolicy& ike = v.ike();
  const std::string& id = v.tunnel.id;
  std::string out = "ike proposal 10\n";
  if (auto enc = h3c_ike_encryption(ike.encryption))
    out += fmt::format(" encryption-algorithm {}\n", *enc);
  else
    out += fmt::format(" # IKEv1 has no {} encryption\n", name_of(ike.encryption));
  out += fmt::format(" authentication-algorithm {}\n", h3c_ike_authentication(ike.integrity));
  out += " authentication-method pre-share\n";
  if (auto group = h3c_dh_group(ike.dh_group))
    out += fmt::format(" dh group{}\n", *group);
  else
    out += fmt::format(" # Comware has no DH group {}: this IKE proposal cannot be set\n",
                       name_of(ike.dh_group));
  out += fmt::format(" sa duration {}\n", ike.lifetime_s);
  out += "#\n";
  out += fmt::format("ike keychain {}\n", id);
  out += fmt::format(" pre-shared-key address {} 255.255.255.255 key simple {}\n",
                     v.remote_address.str(), v.tunnel.psk);
  out += "#\n";
  out += fmt::format("ike profile {}\n", id);
  out += fmt::format(" keychain {}\n", id);
  out += fmt::format(" exchange-mode {}\n", name_of(ike.mode));
  if (!v.local_id.empty()) out += fmt::format(" local-identity {}\n", identity(v.local_id));
  out += fmt::format(" match remote identity {}\n",
                     remote_identity(v.remote_id, "255.255.255.255"));
  out += " proposal 10\n";
  if (v.dpd().delay_s > 0) out += dpd_line(v.dpd());
  out += "#\n";
  return out;
}

std::string ikev2_section(const CustomerView& v) {
  const IkePolicy& ike = v.ike();
  const std::string& id = v.tunnel.id;
  std::string out = fmt::format("ikev2 proposal {}\n", id);
  out += fmt::format(" encryption {}\n", h3c_cipher(ike.encryption));
  if (!is_aead(ike.encryption)) out += fmt::format(" integrity {}\n", h3c_integrity(ike.integrity));
  out += fmt::format(" prf {}\n", h3c_integrity(ike.integrity));
  if (auto group = h3c_dh_group(ike.dh_group))
    out += fmt::format(" dh group{}\n", *group);
  else
    out += fmt::format(" # Comware has no DH group {}: this IKEv2 proposal cannot be set\n",
                       name_of(ike.dh_group));
  out += "#\n";
  out += fmt::format("ikev2 policy {}\n", id);
  out += fmt::format(" proposal {}\n", id);
  out += "#\n";
  out += fmt::format("ikev2 keyring {}\n", id);
  out += " peer vpngw\n";
  out += fmt::format("  address {} 32\n", v.remote_address.str());
  out += fmt::format("  identity {}\n", identity(v.remote_id));
  out += fmt::format("  pre-shared-key plaintext {}\n", v.tunnel.psk);
  out += "#\n";
  out += fmt::format("ikev2 profile {}\n", id);
  out += " authentication-method local pre-share\n";
  out += " authentication-method remote pre-share\n";
  out += fmt::format(" keyring {}\n", id);
  if (!v.local_id.empty()) out += fmt::format(" identity local {}\n", identity(v.local_id));
  out += fmt::format(" match remote identity {}\n", remote_identity(v.remote_id, "32"));
  out += fmt::format(" sa duration {}\n", ike.lifetime_s);
  if (v.dpd().delay_s > 0) out += dpd_line(v.dpd());
  out += "#\n";
  return out;
}

std::string ipsec_section(const CustomerView& v) {
  const IpsecPolicy& ipsec = v.ipsec();
  const std::string& id = v.tunnel.id;
  auto children = customer_children(v, ChildSplit::per_rule);
  std::string out;
  for (size_t i = 0; i < children.size(); ++i) {
    out += fmt::format("acl advanced {}\n", kFirstAcl + static_cast<int>(i));
    for (const Cidr& local : children[i].local)
      out += fmt::format(" rule permit ip source {} {} destination {} {}\n", local.first().str(),
                         wildcard_mask(local), children[i].remote.first().str(),
                         wildcard_mask(children[i].remote));
    out += "#\n";
  }

  out += fmt::format("ipsec transform-set {}\n", id);
  out += " encapsulation-mode tunnel\n";
  out += " protocol esp\n";
  out += fmt::format(" esp encryption-algorithm {}\n", h3c_cipher(ipsec.encryption));
  if (!is_aead(ipsec.encryption))
    out += fmt::format(" esp authentication-algorithm {}\n", h3c_integrity(ipsec.integrity));
  if (ipsec.pfs != DhGroup::none) {
    if (auto group = h3c_dh_group(ipsec.pfs))
      out += fmt::format(" pfs dh-group{}\n", *group);
    else
      out += fmt::format(" # Comware has no PFS group {}: this transform set cannot be set\n",
                         name_of(ipsec.pfs));
  }
  if (ipsec.esn)
    out += " # vpngw uses extended sequence numbers (ESN) on this tunnel: the SAs come\n"
           " # up only with a Comware release that negotiates ESN\n";
  out += "#\n";

  for (size_t i = 0; i < children.size(); ++i) {
    out += fmt::format("ipsec policy {} {} isakmp\n", id, (i + 1) * 10);
    out += fmt::format(" transform-set {}\n", id);
    out += fmt::format(" security acl {}\n", kFirstAcl + static_cast<int>(i));
    out += fmt::format(" remote-address {}\n", v.remote_address.str());
    out += fmt::format(" {} {}\n", v.ikev1() ? "ike-profile" : "ikev2-profile", id);
    out += fmt::format(" sa duration time-based {}\n", ipsec.lifetime_s);
    if (ipsec.lifetime_kb > 0)
      out += fmt::format(" sa duration traffic-based {}\n", ipsec.lifetime_kb);
    out += "#\n";
  }
  return out;
}

}  // namespace

std::string render_h3c(const CustomerView& v) {
  std::string out = header_comment(v, "H3C (Comware 7)", "#");
  out += "# Paste in system view ('system-view'). ACL numbers 3101 and up and the\n";
  out += "# interface name below are examples: change them if yours differ.\n";
  if (v.tunnel.start_action == StartAction::respond)
    out += "# vpngw only responds on this tunnel: the router initiates on the first packet\n"
           "# that matches one of the ACLs below.\n";
  out += "#\n";
  out += v.ikev1() ? ikev1_section(v) : ikev2_section(v);
  out += ipsec_section(v);
  out += "# Apply the policy to the interface that faces the Internet, e.g.\n";
  out += "#   interface GigabitEthernet1/0/1\n";
  out += fmt::format("#    ipsec apply policy {}\n", v.tunnel.id);
  return out;
}

}  // namespace vpngw
