// The daemon's handle on the packet engine: starts the ports and one worker
// per worker lcore, keeps the public port's address set in step with the VPN
// gateways' public IPs, drains the punt ring and resolves next hops on the
// control thread, and reports counters. ESP forwarding plugs into the
// workers' hook as the dataplane issue proceeds.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "control/daemon_config.hpp"
#include "control/model_json.hpp"
#include "control/store.hpp"
#include "dataplane/sa_params.hpp"

namespace vpngw {

namespace dataplane {
class SaTables;
}

class DataplaneRuntime {
 public:
  DataplaneRuntime();
  ~DataplaneRuntime();
  DataplaneRuntime(const DataplaneRuntime&) = delete;
  DataplaneRuntime& operator=(const DataplaneRuntime&) = delete;

  // After the EAL is up. Returns "" on success or when the dataplane is
  // deliberately left down (no port addresses or no worker lcores: *why_down
  // says which), else the error.
  std::string start(const DaemonConfig& config, std::string* why_down);
  bool running() const;

  // Control thread: programs the workers from the resource model: the public
  // port answers ARP and ping for every gateway's public IP; VPC routes, SPD
  // rules, bandwidth caps and manually keyed SAs go into the forwarding
  // tables. Idempotent; SAs whose parameters did not change are left alone
  // (replacing one would restart its sequence numbers).
  void sync(const ResourceSnapshot& state);
  // Control thread, every few milliseconds: passes what the workers saw of
  // ARP and the addresses they need to the neighbour resolver (which sends
  // ARP, ages entries), and takes IKE packets off the punt ring, giving each
  // whole Ethernet frame to `on_ike_frame` (counted and freed when there is
  // none).
  using FrameHandler = std::function<void(std::span<const uint8_t> frame)>;
  void poll_control(const FrameHandler& on_ike_frame = {});

  // --- the IKE engine's side (control thread) ---
  using MacAddr = std::array<uint8_t, 6>;
  std::optional<MacAddr> public_mac() const;
  // The MAC to send to for `dst` on the public port (itself when on-link,
  // else the next hop). nullopt when not resolved yet: the neighbour
  // resolver asks for it and the caller tries later.
  std::optional<MacAddr> public_mac_toward(Ipv4Addr dst);
  // Queues a complete Ethernet frame on the public port's control TX path.
  bool send_public_frame(std::span<const uint8_t> frame);
  // An SPD pair of a tunnel: one of its rules' local CIDR and one of that
  // rule's peer CIDRs. Each pair has its own outbound SA slot.
  struct SpdPairRef {
    Cidr local;
    Cidr peer;
  };
  // SAs negotiated by IKE; kept apart from the static SAs that sync()
  // manages. An outbound SA goes into the slots of `pairs` (one object for
  // all: one sequence counter), replacing what each held; pairs not in the
  // tunnel's SPD are skipped, none left is an error. Inbound ignores pairs.
  bool install_negotiated(const std::string& tunnel_id, const std::vector<SpdPairRef>& pairs,
                          const dataplane::SaParams& params, std::string* error);
  // Removes a negotiated SA; for an outbound one only from the slots of
  // `pairs` that still hold it (all of them when `pairs` is empty).
  void remove_negotiated(const std::string& tunnel_id, dataplane::SaDirection direction, uint32_t spi,
                         const std::vector<SpdPairRef>& pairs = {});
  // Packets and bytes a negotiated SA carried so far (0 when not installed).
  std::pair<uint64_t, uint64_t> negotiated_usage(const std::string& tunnel_id, dataplane::SaDirection direction,
                                                 uint32_t spi) const;
  // Whether an inbound SPI is installed, static or negotiated.
  bool inbound_spi_in_use(uint32_t spi) const;
  // Lifetime events the workers raised on negotiated SAs since the last
  // call (each reported once): soft = time to rekey, hard = the SA stopped
  // (a byte/packet limit reached or sequence numbers exhausted).
  struct SaEventReport {
    std::string tunnel_id;
    uint32_t spi = 0;
    bool inbound = false;
    bool hard = false;
  };
  std::vector<SaEventReport> take_sa_events();
  // SPD pairs whose traffic found no outbound SA since the last call (each
  // once): start_action=trap tunnels negotiate that pair then.
  struct Acquire {
    std::string tunnel_id;
    SpdPairRef pair;
  };
  std::vector<Acquire> take_acquires();
  // Control thread, every few milliseconds: frees retired tables and SAs
  // whose grace period has passed.
  void reclaim();
  Json counters() const;
  // The neighbour (ARP) cache: {"items": [{port, ip, mac, state,
  // age_s, permanent}], "counters": {...}, "limits": {...}}.
  Json neighbours() const;
  // The SAs the workers hold for a tunnel, with their counters:
  // {"sas": [...], "in": {packets, bytes}, "out": {packets, bytes}, "drops": {...}}.
  Json tunnel_counters(const std::string& tunnel_id) const;
  void stop();
  // For the [bench] knobs' synthetic SAs (control/bench_knobs.hpp); null when down.
  dataplane::SaTables* sa_tables_for_bench();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace vpngw
