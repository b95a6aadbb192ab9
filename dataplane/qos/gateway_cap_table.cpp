#include "dataplane/qos/gateway_cap_table.hpp"

namespace vpngw::dataplane::qos {

bool GatewayCapTable::install(uint32_t gateway, uint64_t rate_bps) {
  const CapRate r = make_cap_rate(rate_bps, tsc_hz_);
  if (gateway >= kMaxGateways || !r.configured()) return false;
  buckets_[gateway].reset(r);
  return true;
}

bool GatewayCapTable::set_bandwidth(uint32_t gateway, uint64_t rate_bps) {
  const CapRate r = make_cap_rate(rate_bps, tsc_hz_);
  if (gateway >= kMaxGateways || !r.configured()) return false;
  buckets_[gateway].set_rate(r);
  return true;
}

void GatewayCapTable::remove(uint32_t gateway) {
  if (gateway < kMaxGateways) buckets_[gateway].set_rate(CapRate{});
}

}  // namespace vpngw::dataplane::qos
