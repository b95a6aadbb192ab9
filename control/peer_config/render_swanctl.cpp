// strongSwan swanctl.conf: one connection for the tunnel, one child carrying
// all its SPD rules' selectors (one per subnet pair with IKEv1), and the PSK
// in a secrets section. Loads unmodified with `swanctl --load-all -f FILE`
// (tests/peer_config checks that against a real charon).
#include <fmt/format.h>

#include "control/peer_config/algorithm_names.hpp"
#include "control/peer_config/config_text.hpp"
#include "control/peer_config/renderers.hpp"

namespace vpngw {

namespace {

std::string_view dpd_action_keyword(DpdAction a) {
  switch (a) {
    case DpdAction::clear: return "clear";
    case DpdAction::hold: return "trap";  // hold: catch traffic, renegotiate on demand
    case DpdAction::restart: return "restart";
  }
  return "trap";
}

std::string_view start_action_keyword(StartAction a) {
  switch (a) {
    case StartAction::start: return "start";
    case StartAction::trap: return "trap";
    case StartAction::respond: return "none";
  }
  return "start";
}

// Our lifetimes are hard limits. strongSwan's rekey_time is when it starts
// to rekey, so it rekeys at 90 % and the remaining 10 % is the hard margin.
uint64_t rekey_point(uint64_t lifetime) { return lifetime - lifetime / 10; }

class Writer {
 public:
  void open(std::string_view name) {
    line(fmt::format("{} {{", name));
    ++depth_;
  }
  void close() {
    --depth_;
    line("}");
  }
  void set(std::string_view key, std::string_view value) {
    line(fmt::format("{} = {}", key, value));
  }
  void line(std::string_view text) {
    out_.append(static_cast<size_t>(depth_) * 4, ' ');
    out_ += text;
    out_ += '\n';
  }
  std::string& text() { return out_; }

 private:
  std::string out_;
  int depth_ = 0;
};

void write_child(Writer& w, const CustomerView& v, const CustomerChildSa& child) {
  const IpsecPolicy& ipsec = v.ipsec();
  w.open(fmt::format("{}-{}", v.tunnel.id, child.suffix));
  w.set("mode", "tunnel");
  w.set("local_ts", join_cidrs(child.local, ", "));
  w.set("remote_ts", join_cidrs(child.remote, ", "));
  w.set("esp_proposals", strongswan_esp_proposal(ipsec));
  w.set("rekey_time", fmt::format("{}s", rekey_point(ipsec.lifetime_s)));
  w.set("life_time", fmt::format("{}s", ipsec.lifetime_s));
  if (ipsec.lifetime_kb > 0) {
    uint64_t bytes = ipsec.lifetime_kb * 1024;
    w.set("rekey_bytes", std::to_string(rekey_point(bytes)));
    w.set("life_bytes", std::to_string(bytes));
  }
  if (v.dpd().delay_s > 0) w.set("dpd_action", dpd_action_keyword(v.dpd().action));
  w.set("start_action", start_action_keyword(v.start_action));
  w.close();
}

}  // namespace

std::string render_swanctl_conf(const CustomerView& v) {
  const IkePolicy& ike = v.ike();
  Writer w;
  w.text() = header_comment(v, "strongSwan (swanctl.conf)", "#");
  w.line("# Save as /etc/swanctl/conf.d/" + v.tunnel.id + ".conf, then run 'swanctl --load-all'.");
  w.line(fmt::format("# vpngw's SAs live {} s (IKE) and {} s (ESP); this side rekeys at 90 %.",
                     ike.lifetime_s, v.ipsec().lifetime_s));
  if (!v.ikev1() && v.dpd().delay_s > 0)
    w.line("# IKEv2: strongSwan declares the peer dead when its retransmissions time out.");
  w.line("");

  w.open("connections");
  w.open(v.tunnel.id);
  w.set("version", v.ikev1() ? "1" : "2");
  w.set("local_addrs", v.local_address ? v.local_address->str() : "%any");
  w.set("remote_addrs", v.remote_address.str());
  w.set("proposals", strongswan_ike_proposal(ike));
  // IKEv1 has no IKE SA rekeying; strongSwan reauthenticates instead.
  w.set(v.ikev1() ? "reauth_time" : "rekey_time", fmt::format("{}s", rekey_point(ike.lifetime_s)));
  w.set("over_time", fmt::format("{}s", ike.lifetime_s - rekey_point(ike.lifetime_s)));
  w.set("keyingtries", "3");
  if (v.ikev1() && ike.mode == IkeMode::aggressive) w.set("aggressive", "yes");
  if (v.dpd().delay_s > 0) {
    w.set("dpd_delay", fmt::format("{}s", v.dpd().delay_s));
    if (v.ikev1()) w.set("dpd_timeout", fmt::format("{}s", v.dpd().timeout_s));
  }
  w.open("local");
  w.set("auth", "psk");
  if (!v.local_id.empty()) w.set("id", v.local_id.value);
  w.close();
  w.open("remote");
  w.set("auth", "psk");
  w.set("id", v.remote_id.value);
  w.close();
  w.open("children");
  for (const CustomerChildSa& child : customer_child_sas(v)) write_child(w, v, child);
  w.close();  // children
  w.close();  // connection
  w.close();  // connections
  w.line("");

  w.open("secrets");
  w.open("ike-" + v.tunnel.id);
  if (!v.local_id.empty()) w.set("id-local", v.local_id.value);
  w.set("id-remote", v.remote_id.value);
  w.set("secret", strongswan_secret(v.tunnel.psk));
  w.close();
  w.close();
  return std::move(w.text());
}

}  // namespace vpngw
