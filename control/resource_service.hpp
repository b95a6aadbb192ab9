// The resource model's front door: create/list/show/modify/delete for every
// kind, with every rule checked before anything is written, the change
// committed to the store before it is acknowledged, and the in-memory state
// updated only after the store accepted it. A rejected or failed request
// changes nothing.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "control/api_error.hpp"
#include "control/model.hpp"
#include "control/model_json.hpp"
#include "control/quotas.hpp"
#include "control/resource_params.hpp"
#include "control/store.hpp"

namespace vpngw {

// Told about every change that was committed, e.g. to program the dataplane
// or to start IKE. Called after the store commit, on the control thread.
class ResourceObserver {
 public:
  virtual ~ResourceObserver() = default;
  virtual void on_committed(const ChangeSet& changes) = 0;
};

class ResourceService {
 public:
  struct Deps {
    Store& store;
    Quotas quotas;
    std::function<int64_t()> now_unix;                         // created_at stamps
    std::function<std::string(std::string_view prefix)> new_id;  // "vpc" -> "vpc-1a2b3c4d"
  };

  explicit ResourceService(Deps deps);

  // Reads the store's contents into memory. Call once, before serving.
  Status load();
  void set_observer(ResourceObserver* observer) { observer_ = observer; }

  Result<Vpc> create_vpc(const Json& params);
  Result<Vpc> modify_vpc(const std::string& ref, const Json& params);
  Result<std::string> delete_vpc(const std::string& ref);
  Result<Vpc> find_vpc(const std::string& ref, const std::string& field = "id") const;

  Result<VpnGateway> create_gateway(const Json& params);
  Result<VpnGateway> modify_gateway(const std::string& ref, const Json& params);
  Result<std::string> delete_gateway(const std::string& ref);
  Result<VpnGateway> find_gateway(const std::string& ref, const std::string& field = "id") const;

  Result<CustomerGateway> create_customer_gateway(const Json& params);
  Result<CustomerGateway> modify_customer_gateway(const std::string& ref, const Json& params);
  Result<std::string> delete_customer_gateway(const std::string& ref);
  Result<CustomerGateway> find_customer_gateway(const std::string& ref,
                                                const std::string& field = "id") const;

  Result<Tunnel> create_tunnel(const Json& params);
  Result<Tunnel> modify_tunnel(const std::string& ref, const Json& params);
  Result<std::string> delete_tunnel(const std::string& ref);
  Result<Tunnel> find_tunnel(const std::string& ref, const std::string& field = "id") const;

  Result<Route> create_route(const Json& params);
  Result<Route> modify_route(const std::string& ref, const Json& params);
  Result<std::string> delete_route(const std::string& ref);
  Result<Route> find_route(const std::string& ref, const std::string& field = "id") const;

  Result<StaticSa> create_static_sa(const Json& params);
  Result<std::string> delete_static_sa(const std::string& ref);
  Result<StaticSa> find_static_sa(const std::string& ref, const std::string& field = "id") const;

  // Connection state reported by IKE. Automatic routes follow it: present
  // while the tunnel is connected, withdrawn otherwise.
  Status set_connection_status(const std::string& tunnel_id, ConnectionStatus status,
                               const std::string& reason);

  const ResourceSnapshot& state() const { return state_; }
  const Quotas& quotas() const { return quotas_; }

 private:
  Result<std::string> resolve(ResourceKind kind, const std::string& ref, const std::string& field) const;
  RefResolver resolver() const;
  Status commit(const ChangeSet& changes);
  // Automatic routes a tunnel should have now, as changes against the state.
  void sync_auto_routes(const Tunnel& tunnel, bool tunnel_deleted, ChangeSet& changes) const;
  std::string fresh_id(std::string_view prefix) const;

  Store& store_;
  Quotas quotas_;
  std::function<int64_t()> now_unix_;
  std::function<std::string(std::string_view)> new_id_;
  ResourceSnapshot state_;
  ResourceObserver* observer_ = nullptr;
};

// Random IDs: the prefix, a dash and 8 hex digits from libsodium's CSPRNG.
std::string random_resource_id(std::string_view prefix);

}  // namespace vpngw
