#include "control/bench_knobs.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <algorithm>
#include <chrono>

#include "control/static_sa.hpp"
#include "dataplane/tables/sa_tables.hpp"

namespace vpngw {

namespace {

namespace dp = dataplane;

// Synthetic churn SAs: SPIs from here up (no static SA in a benchmark uses
// them), and the top slots of the smallest outbound slot table
// DataplaneRuntime makes (SPD pairs take slots from 0 up, so these are
// free while a benchmark configures fewer than 960 pairs; the churn case
// configures one).
constexpr uint32_t kChurnSpiBase = 0x70000000;
constexpr uint32_t kChurnLive = 64;        // synthetic SAs of each direction alive at once
constexpr uint32_t kOutboundSlots = 1024;  // DataplaneRuntime's kMinOutboundSlots
constexpr uint32_t kChurnSlotBase = kOutboundSlots - kChurnLive;

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// aes128-cbc + hmac-sha1-96 with fixed keys: what a rekey installs, roughly.
dp::SaParams churn_params(dp::SaDirection direction, uint32_t spi) {
  dp::SaParams p;
  p.direction = direction;
  p.spi = spi;
  p.cipher = dp::EspCipher::aes128_cbc;
  p.integrity = dp::EspIntegrity::hmac_sha1_96;
  p.cipher_key_len = 16;
  p.auth_key_len = 20;
  for (uint8_t i = 0; i < 16; ++i) p.cipher_key[i] = static_cast<uint8_t>(0xa0 + i);
  for (uint8_t i = 0; i < 20; ++i) p.auth_key[i] = static_cast<uint8_t>(0xc0 + i);
  p.tunnel_src = *Ipv4Addr::parse("192.0.2.1");
  p.tunnel_dst = *Ipv4Addr::parse("192.0.2.2");
  p.local[0] = *Cidr::parse("198.19.254.0/24");
  p.peer[0] = *Cidr::parse("198.19.255.0/24");
  p.local_count = 1;
  p.peer_count = 1;
  return p;
}

}  // namespace

Status parse_bench_knobs(const std::string& toml_text, BenchKnobs& out) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error&) {
    return ApiError{ErrorCode::InvalidParameterValue, "bench", "not valid TOML"};
  }
  const toml::table* t = root["bench"].as_table();
  if (!t) return std::nullopt;
  struct Key {
    const char* name;
    uint32_t* field;
    uint32_t min, max;
  };
  const Key keys[] = {{"cap_mbps", &out.cap_mbps, 0, 400000},
                      {"churn_sas_per_s", &out.churn_sas_per_s, 0, 100000},
                      {"scale_inbound_sas", &out.scale_inbound_sas, 0, 1000000}};
  for (const auto& [key, node] : *t) {
    const Key* k = std::find_if(std::begin(keys), std::end(keys), [&](const Key& x) { return key.str() == x.name; });
    const std::string path = "bench." + std::string(key.str());
    if (k == std::end(keys)) return ApiError{ErrorCode::InvalidParameterValue, path, "unknown benchmark knob"};
    auto v = node.value<int64_t>();
    if (!v || *v < k->min || *v > k->max)
      return ApiError{ErrorCode::InvalidParameterValue, path,
                      "must be an integer " + std::to_string(k->min) + "-" + std::to_string(k->max)};
    *k->field = static_cast<uint32_t>(*v);
  }
  return std::nullopt;
}

uint32_t bench_inbound_capacity(const BenchKnobs& k, uint32_t base) {
  uint64_t need = base;
  if (k.scale_inbound_sas > 1) need += k.scale_inbound_sas;
  if (k.churn_sas_per_s) need += 2 * kChurnLive;
  return static_cast<uint32_t>(std::min<uint64_t>(need, 4u << 20));
}

BenchSaDriver::BenchSaDriver(const BenchKnobs& knobs, dp::SaTables* tables) : knobs_(knobs), tables_(tables) {
  if (knobs_.churn_sas_per_s)
    spdlog::warn("bench: installing and removing {} synthetic SAs a second (benchmark knob)", knobs_.churn_sas_per_s);
}

BenchSaDriver::~BenchSaDriver() {
  if (knobs_.churn_sas_per_s)
    spdlog::warn("bench: churn installed {} and removed {} SAs, {} failures", installs_, removals_, failures_);
}

void BenchSaDriver::install_scale(const ResourceSnapshot& state) {
  if (scaled_ || knobs_.scale_inbound_sas <= 1 || !tables_) return;
  if (std::none_of(state.static_sas.begin(), state.static_sas.end(), [](const StaticSa& s) { return s.inbound; }))
    return;
  scaled_ = true;
  const auto t0 = now_ns();
  uint64_t clones = 0;
  for (const auto& sa : state.static_sas) {
    if (!sa.inbound) continue;
    auto t = std::find_if(state.tunnels.begin(), state.tunnels.end(), [&](const Tunnel& x) { return x.id == sa.tunnel_id; });
    if (t == state.tunnels.end()) continue;
    auto g = std::find_if(state.gateways.begin(), state.gateways.end(), [&](const VpnGateway& x) { return x.id == t->gateway_id; });
    auto c = std::find_if(state.customer_gateways.begin(), state.customer_gateways.end(),
                          [&](const CustomerGateway& x) { return x.id == t->customer_gateway_id; });
    if (g == state.gateways.end() || c == state.customer_gateways.end()) continue;
    auto params = to_sa_params(sa, *t, *g, *c);
    if (!params) continue;
    for (uint32_t i = 1; i < knobs_.scale_inbound_sas; ++i) {
      dp::SaParams p = *params;
      p.spi = sa.spi + i;
      std::string error;
      if (tables_->install_inbound(p, 0, &error)) {
        ++clones;
      } else {
        spdlog::error("bench: scale clone SPI {} not installed: {}", p.spi, error);
        break;
      }
    }
  }
  spdlog::warn("bench: installed {} inbound SA clones in {} ms (benchmark knob)", clones, (now_ns() - t0) / 1000000);
}

void BenchSaDriver::churn_step() {
  // One install and one removal, alternating directions; after the first
  // kChurnLive of a direction, every install is matched by a removal.
  std::string error;
  const bool inbound = (steps_ & 1) == 0;
  if (inbound) {
    if (live_in_.size() >= kChurnLive) {
      if (tables_->remove_inbound(live_in_.front(), *Ipv4Addr::parse("192.0.2.2"))) ++removals_;
      else ++failures_;
      live_in_.pop_front();
    }
    const uint32_t spi = kChurnSpiBase + (next_spi_++ % (1u << 24));
    if (tables_->install_inbound(churn_params(dp::SaDirection::inbound, spi), 0, &error)) {
      ++installs_;
      live_in_.push_back(spi);
    } else {
      ++failures_;
    }
  } else {
    if (live_out_.size() >= kChurnLive) {
      if (tables_->remove_outbound(live_out_.front())) ++removals_;
      else ++failures_;
      live_out_.pop_front();
    }
    const uint32_t slot = kChurnSlotBase + (next_slot_++ % kChurnLive);
    if (tables_->install_outbound(slot, churn_params(dp::SaDirection::outbound, kChurnSpiBase + slot), 0, &error)) {
      ++installs_;
      live_out_.push_back(slot);
    } else {
      ++failures_;
    }
  }
  ++steps_;
}

void BenchSaDriver::tick(const ResourceSnapshot& state) {
  install_scale(state);
  if (!knobs_.churn_sas_per_s || !tables_) return;
  const uint64_t now = now_ns();
  if (start_ns_ == 0) start_ns_ = last_log_ns_ = now;
  if (now - last_log_ns_ >= 1000000000) {
    last_log_ns_ = now;
    spdlog::warn("bench: churn totals installed={} removed={} failed={} t_ms={}", installs_, removals_, failures_,
                 (now - start_ns_) / 1000000);
  }
  // Installs due by now at the configured rate; catch up, but never more
  // than a second's worth in one tick.
  const uint64_t due = (now - start_ns_) * knobs_.churn_sas_per_s / 1000000000;
  for (uint32_t n = 0; steps_ < due && n < knobs_.churn_sas_per_s; ++n) churn_step();
}

}  // namespace vpngw
