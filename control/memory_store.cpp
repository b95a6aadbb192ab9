#include <algorithm>

#include "control/store.hpp"

namespace vpngw {

namespace {

template <typename T>
void put(std::vector<T>& list, const T& item) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.id == item.id; });
  if (it == list.end())
    list.push_back(item);
  else
    *it = item;
}

template <typename T>
void erase(std::vector<T>& list, const std::string& id) {
  std::erase_if(list, [&](const T& x) { return x.id == id; });
}

}  // namespace

void apply_change_set(ResourceSnapshot& snapshot, const ChangeSet& changes) {
  for (const auto& item : changes.puts) {
    std::visit(
        [&](const auto& r) {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<T, Vpc>) put(snapshot.vpcs, r);
          if constexpr (std::is_same_v<T, VpnGateway>) put(snapshot.gateways, r);
          if constexpr (std::is_same_v<T, CustomerGateway>) put(snapshot.customer_gateways, r);
          if constexpr (std::is_same_v<T, Tunnel>) put(snapshot.tunnels, r);
          if constexpr (std::is_same_v<T, Route>) put(snapshot.routes, r);
          if constexpr (std::is_same_v<T, StaticSa>) put(snapshot.static_sas, r);
        },
        item);
  }
  for (const auto& [kind, id] : changes.deletes) {
    switch (kind) {
      case ResourceKind::vpc: erase(snapshot.vpcs, id); break;
      case ResourceKind::gateway: erase(snapshot.gateways, id); break;
      case ResourceKind::customer_gateway: erase(snapshot.customer_gateways, id); break;
      case ResourceKind::tunnel: erase(snapshot.tunnels, id); break;
      case ResourceKind::route: erase(snapshot.routes, id); break;
      case ResourceKind::static_sa: erase(snapshot.static_sas, id); break;
    }
  }
}

Status MemoryStore::commit(const ChangeSet& changes) {
  if (fail_next_) {
    fail_next_ = false;
    return ApiError{ErrorCode::InternalError, "", "store: injected commit failure"};
  }
  apply_change_set(snapshot_, changes);
  return std::nullopt;
}

}  // namespace vpngw
