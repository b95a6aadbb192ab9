// The IKE engine inside vpngwd: connects ike::IkeEngine to the dataplane
// (IKE datagrams through the punt ring and the control TX path, negotiated
// SAs into the SA tables) and to the control plane (connection status with
// its automatic routes, the per-tunnel connection log, tunnel status).
// Control thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "control/dataplane_runtime.hpp"
#include "control/ike/connection_log.hpp"
#include "control/model_json.hpp"
#include "control/resource_service.hpp"
#include "ike/engine/engine.hpp"

namespace vpngw::ike_glue {

class IkeRuntime final : public ike::PacketSender, public ike::SaInstaller, public ike::TunnelObserver {
 public:
  IkeRuntime(ResourceService& service, DataplaneRuntime& dataplane);
  ~IkeRuntime() override;

  // The resource model changed (or at start): tunnels start, reconnect or go.
  // Tunnels with manually keyed SAs are left to those SAs (no IKE).
  void configure();
  // Every few milliseconds: received IKE packets, due timers, frames waiting
  // for ARP, then the connection-status changes the engine reported.
  void poll();

  Json tunnel_ike(const std::string& tunnel_id) const;  // the IKE part of tunnel.status
  Json tunnel_logs(const std::string& tunnel_id, size_t limit) const;
  Json counters() const;

  // ike::PacketSender
  void send(const ike::Datagram& datagram) override;
  void send_keepalive(const ike::Endpoint& local, const ike::Endpoint& remote) override;
  // ike::SaInstaller
  uint32_t allocate_spi() override;
  bool add_inbound(const std::string& tunnel_id, const dataplane::SaParams& params, std::string* error) override;
  bool set_outbound(const std::string& tunnel_id, const std::vector<ike::SpdPair>& pairs,
                    const dataplane::SaParams& params, std::string* error) override;
  void remove_inbound(const std::string& tunnel_id, uint32_t spi) override;
  void remove_outbound(const std::string& tunnel_id, const std::vector<ike::SpdPair>& pairs,
                       uint32_t spi) override;
  ike::SaUsage inbound_usage(const std::string& tunnel_id, uint32_t spi) override;
  // ike::TunnelObserver
  void on_connection(const std::string& tunnel_id, ConnectionStatus status, const std::string& reason) override;
  void on_log(const std::string& tunnel_id, const std::string& line) override;

 private:
  struct PendingFrame {
    ike::Datagram datagram;
    bool keepalive = false;
    ike::TimePoint give_up;
  };
  struct ConnectionEvent {
    std::string tunnel_id;
    ConnectionStatus status;
    std::string reason;
  };

  bool transmit(const ike::Datagram& datagram, bool keepalive);
  void flush_pending(ike::TimePoint now);
  void apply_connection_events();

  ResourceService& service_;
  DataplaneRuntime& dataplane_;
  ike::SodiumRandom random_;
  ConnectionLogBook logs_;
  std::unique_ptr<ike::IkeEngine> engine_;
  std::vector<PendingFrame> pending_;        // waiting for the next hop's MAC
  std::vector<ConnectionEvent> events_;      // applied after the engine returns
  uint16_t ip_id_ = 1;
  uint64_t frames_in_ = 0;
  uint64_t frames_bad_ = 0;
  uint64_t keepalives_in_ = 0;
  uint64_t frames_out_ = 0;
  uint64_t frames_unresolved_ = 0;
};

}  // namespace vpngw::ike_glue
