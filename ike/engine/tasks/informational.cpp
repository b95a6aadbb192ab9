#include "ike/engine/tasks/informational.hpp"

#include <algorithm>

#include "ike/engine/tasks/child_create.hpp"
#include "ike/engine/tasks/payload_parts.hpp"

namespace vpngw::ike {

std::vector<Payload> DeleteIkeTask::build(EngineContext& ctx, IkeSa& sa, const TunnelConfig&) {
  sa_log(ctx, sa, "deleting IKE_SA " + describe_spis(sa));
  sa.state = IkeState::deleting;
  DeletePayload d;
  d.protocol = ProtocolId::ike;
  d.spi_size = 0;
  return {d};
}

TaskStatus DeleteIkeTask::process(EngineContext& ctx, IkeSa& sa, const TunnelConfig&,
                                  const Message&, ByteView) {
  sa_log(ctx, sa, "IKE_SA deleted");
  sa.state = IkeState::dead;
  return TaskStatus::done;
}

std::vector<Payload> DpdTask::build(EngineContext&, IkeSa&, const TunnelConfig&) { return {}; }

TaskStatus DpdTask::process(EngineContext&, IkeSa&, const TunnelConfig&, const Message&, ByteView) {
  return TaskStatus::done;
}

std::vector<Payload> DeleteChildTask::build(EngineContext& ctx, IkeSa& sa, const TunnelConfig&) {
  DeletePayload d;
  d.protocol = ProtocolId::esp;
  d.spi_size = 4;
  std::string list;
  // A rekey of these the peer sends meanwhile gets TEMPORARY_FAILURE.
  for (ChildSa& c : sa.children)
    if (c.state == "installed" && std::find(spis_in_.begin(), spis_in_.end(), c.spi_in) != spis_in_.end())
      c.state = "deleting";
  for (uint32_t spi : spis_in_) {
    d.spis.push_back(esp_spi_bytes(spi));
    list += " " + std::to_string(spi);
  }
  sa_log(ctx, sa, "sending DELETE for ESP CHILD_SA with SPI" + list);
  return {d};
}

TaskStatus DeleteChildTask::process(EngineContext& ctx, IkeSa& sa, const TunnelConfig& config,
                                    const Message&, ByteView) {
  // The peer's answer names its SPIs; ours are gone either way now. A
  // replacement whose outbound SA is still only registered (a rekey
  // collision we lost) takes over first.
  for (ChildSa& c : sa.children)
    if (c.pending_outbound && std::find(spis_in_.begin(), spis_in_.end(), c.spi_in) == spis_in_.end())
      install_pending_outbound(ctx, sa, config, c);
  for (uint32_t spi : spis_in_) {
    auto it = std::find_if(sa.children.begin(), sa.children.end(),
                           [&](const ChildSa& c) { return c.spi_in == spi; });
    if (it == sa.children.end()) continue;
    retire_child(ctx, sa, *it);
    sa.children.erase(it);
  }
  return TaskStatus::done;
}

std::vector<Payload> respond_informational(EngineContext& ctx, IkeSa& sa,
                                           const TunnelConfig* config, const Message& request) {
  std::vector<Payload> out;
  DeletePayload ours;
  ours.protocol = ProtocolId::esp;
  ours.spi_size = 4;
  for (const Payload& p : request.payloads) {
    const auto* d = std::get_if<DeletePayload>(&p);
    if (d == nullptr) continue;
    if (d->protocol == ProtocolId::ike) {
      sa_log(ctx, sa, "received DELETE for IKE_SA " + describe_spis(sa));
      sa.peer_deleted = true;
      continue;
    }
    if (d->protocol != ProtocolId::esp || d->spi_size != 4) continue;
    for (const Bytes& spi : d->spis) {
      if (spi.size() != 4) continue;
      const uint32_t out_spi = esp_spi_value(spi);
      auto it = std::find_if(sa.children.begin(), sa.children.end(),
                             [&](const ChildSa& c) { return c.spi_out == out_spi; });
      if (it == sa.children.end()) continue;
      sa_log(ctx, sa, "received DELETE for ESP CHILD_SA with SPI " + hex_spi(out_spi));
      ours.spis.push_back(esp_spi_bytes(it->spi_in));
      const uint32_t old_in = it->spi_in;
      // The rekey that replaced it is complete: its outbound SA goes live
      // before the old one goes (make-before-break).
      for (ChildSa& c : sa.children)
        if (c.rekey_of == old_in && c.pending_outbound && config != nullptr)
          install_pending_outbound(ctx, sa, *config, c);
      it = std::find_if(sa.children.begin(), sa.children.end(),
                        [&](const ChildSa& c) { return c.spi_in == old_in; });
      const bool replaced = it->state == "rekeyed";
      retire_child(ctx, sa, *it);
      sa.children.erase(it);
      if (sa.children.empty())
        sa.children_deleted_by_peer = true;
      else if (!replaced)
        // Pairs only it served are negotiated again (start tunnels) after
        // the usual retry delay.
        sa.fill_at = std::min(sa.fill_at, ctx.now + ctx.settings.retransmit_timeout);
    }
  }
  if (!ours.spis.empty()) out.push_back(ours);
  return out;
}

}  // namespace vpngw::ike
