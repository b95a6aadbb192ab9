// The daemon's handle on the packet engine: starts the ports and one worker
// per worker lcore, keeps the public port's address set in step with the VPN
// gateways' public IPs, drains the punt ring and resolves next hops on the
// control thread, and reports counters. ESP forwarding plugs into the
// workers' hook as the dataplane issue proceeds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "control/daemon_config.hpp"
#include "control/model_json.hpp"
#include "control/store.hpp"

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
  // Control thread, every few milliseconds: learns ARP replies and takes IKE
  // packets off the punt ring (counted and freed until the IKE engine lands).
  void poll_control();
  // Control thread, every few milliseconds: frees retired tables and SAs
  // whose grace period has passed.
  void reclaim();
  // Control thread, every second: ARP for next hops not resolved yet.
  void resolve_next_hops();
  Json counters() const;
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
