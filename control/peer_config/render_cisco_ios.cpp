// Cisco IOS / IOS XE: a crypto map with one entry and one extended ACL per
// SPD rule (IOS negotiates one SA per ACL line), ISAKMP (IKEv1) or IKEv2
// profile with keyring. Paste in configuration mode.
#include <algorithm>

#include <fmt/format.h>

#include "control/peer_config/algorithm_names.hpp"
#include "control/peer_config/config_text.hpp"
#include "control/peer_config/renderers.hpp"

namespace vpngw {

namespace {

// IOS's DPD interval range; vpngw's default of 8 s is below it.
constexpr uint32_t kMinDpdInterval = 10;
constexpr uint32_t kMaxDpdInterval = 3600;
constexpr uint64_t kMinLifetimeKb = 2560;

// IOS declares a peer dead after 5 unanswered retries `retry` seconds apart;
// spread vpngw's remaining timeout over them, within IOS's 2-60 s.
uint32_t dpd_retry_interval(const DpdSettings& dpd) {
  uint32_t after_first_probe = dpd.timeout_s > dpd.delay_s ? dpd.timeout_s - dpd.delay_s : 0;
  return std::clamp<uint32_t>((after_first_probe + 4) / 5, 2, 60);
}

// Every object this file creates is named after the tunnel, so several
// tunnels' files can be pasted into one router.
struct Names {
  std::string keyring, ikev2_policy, profile, transform_set, map, acl_prefix;
  std::string acl(const CustomerChild& c) const { return acl_prefix + c.suffix; }
};

Names names_of(const CustomerView& v) {
  const std::string& id = v.tunnel.id;
  return {id + "-keyring", id + "-ikev2", id + "-profile", id + "-ts", id + "-map", id + "-rule"};
}

void dpd_lines(std::string& out, const CustomerView& v, bool ikev1) {
  const DpdSettings& dpd = v.dpd();
  if (dpd.delay_s == 0) return;
  uint32_t interval = std::clamp(dpd.delay_s, kMinDpdInterval, kMaxDpdInterval);
  if (interval != dpd.delay_s)
    out += fmt::format(" ! vpngw probes every {} s; IOS allows no DPD interval below {} s\n",
                       dpd.delay_s, kMinDpdInterval);
  if (ikev1)
    out += fmt::format(" keepalive {} retry {}\n", interval, dpd_retry_interval(dpd));
  else
    out += fmt::format(" dpd {} {} periodic\n", interval, dpd_retry_interval(dpd));
}

std::string ikev1_section(const CustomerView& v, const Names& n) {
  const IkePolicy& ike = v.ike();
  std::string out;
  out += fmt::format("crypto keyring {}\n", n.keyring);
  out += fmt::format(" pre-shared-key address {} key {}\n", v.remote_address.str(), v.tunnel.psk);
  out += "!\n";
  out += "! ISAKMP policies are global: use a free priority if 10 is taken.\n";
  out += "crypto isakmp policy 10\n";
  if (auto enc = cisco_isakmp_encryption(ike.encryption))
    out += fmt::format(" encryption {}\n", *enc);
  else
    out += fmt::format(" ! IKEv1 on IOS has no {} encryption\n", name_of(ike.encryption));
  out += fmt::format(" hash {}\n", cisco_isakmp_hash(ike.integrity));
  out += " authentication pre-share\n";
  if (auto group = cisco_dh_group(ike.dh_group))
    out += fmt::format(" group {}\n", *group);
  else
    out += fmt::format(" ! IOS has no DH group {}: this IKE policy cannot be set on IOS\n",
                       name_of(ike.dh_group));
  out += fmt::format(" lifetime {}\n", ike.lifetime_s);
  out += "!\n";
  out += fmt::format("crypto isakmp profile {}\n", n.profile);
  out += fmt::format(" keyring {}\n", n.keyring);
  if (v.local_id.is_ip()) {
    out += " self-identity address\n";
    if (!v.local_address || v.local_address->str() != v.local_id.value)
      out += fmt::format(
          " ! IOS sends its interface address as identity; vpngw expects {}\n", v.local_id.value);
  } else if (!v.local_id.empty()) {
    out += " self-identity fqdn\n";
    out += fmt::format(
        " ! IOS sends hostname.domain: set 'hostname' and 'ip domain name' to make it {}\n",
        v.local_id.value);
  }
  if (v.remote_id.is_ip())
    out += fmt::format(" match identity address {} 255.255.255.255\n", v.remote_id.value);
  else
    out += fmt::format(" match identity host {}\n", v.remote_id.value);
  dpd_lines(out, v, true);
  if (ike.mode == IkeMode::aggressive) out += " initiate mode aggressive\n";
  out += "!\n";
  return out;
}

std::string ikev2_section(const CustomerView& v, const Names& n) {
  const IkePolicy& ike = v.ike();
  std::string out;
  out += fmt::format("crypto ikev2 proposal {}\n", n.ikev2_policy);
  out += fmt::format(" encryption {}\n", cisco_ikev2_encryption(ike.encryption));
  // With AES-GCM there is no integrity transform, only the PRF.
  out += fmt::format(" {} {}\n", is_aead(ike.encryption) ? "prf" : "integrity",
                     cisco_ikev2_integrity(ike.integrity));
  if (auto group = cisco_dh_group(ike.dh_group))
    out += fmt::format(" group {}\n", *group);
  else
    out += fmt::format(" ! IOS has no DH group {}: this IKE policy cannot be set on IOS\n",
                       name_of(ike.dh_group));
  out += "!\n";
  out += fmt::format("crypto ikev2 policy {}\n", n.ikev2_policy);
  out += fmt::format(" proposal {}\n", n.ikev2_policy);
  out += "!\n";
  out += fmt::format("crypto ikev2 keyring {}\n", n.keyring);
  out += " peer vpngw\n";
  out += fmt::format("  address {}\n", v.remote_address.str());
  out += fmt::format("  pre-shared-key {}\n", v.tunnel.psk);
  out += "!\n";
  out += fmt::format("crypto ikev2 profile {}\n", n.profile);
  if (v.remote_id.is_ip())
    out += fmt::format(" match identity remote address {} 255.255.255.255\n", v.remote_id.value);
  else
    out += fmt::format(" match identity remote fqdn {}\n", v.remote_id.value);
  if (!v.local_id.empty())
    out += fmt::format(" identity local {} {}\n", v.local_id.is_ip() ? "address" : "fqdn",
                       v.local_id.value);
  out += " authentication remote pre-share\n";
  out += " authentication local pre-share\n";
  out += fmt::format(" keyring local {}\n", n.keyring);
  out += fmt::format(" lifetime {}\n", ike.lifetime_s);
  dpd_lines(out, v, false);
  out += "!\n";
  return out;
}

std::string ipsec_section(const CustomerView& v, const Names& n) {
  const IpsecPolicy& ipsec = v.ipsec();
  std::string out;
  std::string transforms(cisco_esp_encryption(ipsec.encryption));
  if (!is_aead(ipsec.encryption)) transforms += fmt::format(" {}", cisco_esp_integrity(ipsec.integrity));
  out += fmt::format("crypto ipsec transform-set {} {}\n", n.transform_set, transforms);
  out += " mode tunnel\n";
  if (ipsec.esn)
    out += " ! vpngw uses extended sequence numbers (ESN) on this tunnel; IOS has no ESN\n"
           " ! setting here: the tunnel comes up only if your image negotiates ESN\n";
  out += "!\n";

  auto children = customer_children(v, ChildSplit::per_rule);
  for (const CustomerChild& child : children) {
    out += fmt::format("ip access-list extended {}\n", n.acl(child));
    for (const Cidr& local : child.local)
      out += fmt::format(" permit ip {} {} {} {}\n", local.first().str(), wildcard_mask(local),
                         child.remote.first().str(), wildcard_mask(child.remote));
    out += "!\n";
  }

  if (v.tunnel.start_action == StartAction::respond)
    out += "! vpngw only responds on this tunnel: IOS initiates on the first packet that\n"
           "! matches one of the ACLs above.\n";
  uint32_t seq = 10;
  for (const CustomerChild& child : children) {
    out += fmt::format("crypto map {} {} ipsec-isakmp\n", n.map, seq);
    out += fmt::format(" set peer {}\n", v.remote_address.str());
    out += fmt::format(" set transform-set {}\n", n.transform_set);
    if (ipsec.pfs != DhGroup::none) {
      if (auto group = cisco_dh_group(ipsec.pfs))
        out += fmt::format(" set pfs group{}\n", *group);
      else
        out += fmt::format(" ! IOS has no PFS group {}: this IPsec policy cannot be set on IOS\n",
                           name_of(ipsec.pfs));
    }
    out += fmt::format(" set security-association lifetime seconds {}\n", ipsec.lifetime_s);
    if (ipsec.lifetime_kb > 0) {
      uint64_t kb = std::max(ipsec.lifetime_kb, kMinLifetimeKb);
      if (kb != ipsec.lifetime_kb)
        out += fmt::format(" ! vpngw rekeys after {} KB; IOS's smallest volume lifetime is {} KB\n",
                           ipsec.lifetime_kb, kMinLifetimeKb);
      out += fmt::format(" set security-association lifetime kilobytes {}\n", kb);
    }
    out += fmt::format(" set {} {}\n", v.ikev1() ? "isakmp-profile" : "ikev2-profile", n.profile);
    out += fmt::format(" match address {}\n", n.acl(child));
    out += "!\n";
    seq += 10;
  }
  return out;
}

}  // namespace

std::string render_cisco_ios(const CustomerView& v) {
  Names n = names_of(v);
  std::string out = header_comment(v, "Cisco IOS / IOS XE", "!");
  out += "! Paste in configuration mode ('configure terminal').\n";
  out += "!\n";
  out += v.ikev1() ? ikev1_section(v, n) : ikev2_section(v, n);
  out += ipsec_section(v, n);
  out += "! Apply the crypto map to the interface that faces the Internet (one crypto\n";
  out += "! map per interface: if it already has one, add the entries above to it), e.g.\n";
  out += "!   interface GigabitEthernet0/0/0\n";
  out += fmt::format("!    crypto map {}\n", n.map);
  if (v.dpd().delay_s > 0)
    out += "! On a dead peer IOS deletes the SAs; matching traffic brings the tunnel back.\n";
  return out;
}

}  // namespace vpngw
