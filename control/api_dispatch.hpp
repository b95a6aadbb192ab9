// Turns one API request line into one response line: parses the envelope,
// routes the op to the resource service, and renders results and errors as
// docs/api.md describes. Never throws; never echoes a PSK except through
// tunnel.config.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "control/model_json.hpp"
#include "control/resource_service.hpp"

namespace vpngw {

inline constexpr int kApiVersion = 1;

class ApiDispatcher {
 public:
  // info: the daemon's self-description for daemon.info (version, ports...).
  ApiDispatcher(ResourceService& service, std::function<Json()> info);

  std::string handle(std::string_view line);

  // Live dataplane state of a tunnel (SAs and counters), when a dataplane runs.
  void set_tunnel_counters(std::function<Json(const std::string& tunnel_id)> f) { tunnel_counters_ = std::move(f); }
  // The dataplane's neighbour (ARP) cache, when a dataplane runs.
  void set_neighbours(std::function<Json()> f) { neighbours_ = std::move(f); }
  // The IKE engine's view of a tunnel (IKE SA, child SAs) and its log.
  void set_tunnel_ike(std::function<Json(const std::string& tunnel_id)> f) { tunnel_ike_ = std::move(f); }
  void set_tunnel_logs(std::function<Json(const std::string& tunnel_id, size_t limit)> f) {
    tunnel_logs_ = std::move(f);
  }

  // For callers that already hold parsed JSON (tests).
  Json handle_json(const Json& request);

 private:
  Result<Json> dispatch(const std::string& op, const Json& params);
  Result<Json> tunnel_config(const Json& params);
  Result<Json> tunnel_status(const Json& params);
  Result<Json> tunnel_logs(const Json& params);
  Json gateway_counters(const std::string& gateway_id);

  ResourceService& service_;
  std::function<Json()> info_;
  std::function<Json(const std::string&)> tunnel_counters_;
  std::function<Json(const std::string&)> tunnel_ike_;
  std::function<Json()> neighbours_;
  std::function<Json(const std::string&, size_t)> tunnel_logs_;
};

Json error_json(const ApiError& error);
// The API form of a tunnel: the model's JSON plus a masked PSK.
Json tunnel_view(const Tunnel& tunnel);

}  // namespace vpngw
