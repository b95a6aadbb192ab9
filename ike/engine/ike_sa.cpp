#include "ike/engine/ike_sa.hpp"

#include <cstdio>

#include "ike/engine/tasks/task.hpp"

namespace vpngw::ike {

IkeSa::IkeSa() = default;
IkeSa::~IkeSa() = default;

std::string_view name_of(IkeState state) {
  switch (state) {
    case IkeState::connecting: return "connecting";
    case IkeState::established: return "established";
    case IkeState::deleting: return "deleting";
    case IkeState::dead: return "dead";
  }
  return "?";
}

void sa_log(EngineContext& ctx, IkeSa& sa, const std::string& line) {
  if (sa.tunnel_id.empty())
    sa.pending_log.push_back(line);
  else
    ctx.observer.on_log(sa.tunnel_id, line);
}

std::string describe_spis(const IkeSa& sa) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016llx_i %016llx_r", static_cast<unsigned long long>(sa.spi_i),
                static_cast<unsigned long long>(sa.spi_r));
  return buf;
}

}  // namespace vpngw::ike
