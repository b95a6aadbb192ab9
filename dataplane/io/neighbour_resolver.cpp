#include "dataplane/io/neighbour_resolver.hpp"

#include <rte_byteorder.h>

#include <algorithm>

namespace vpngw::dataplane::io {

std::string_view name_of(NeighbourState s) {
  switch (s) {
    case NeighbourState::incomplete: return "incomplete";
    case NeighbourState::reachable: return "reachable";
    case NeighbourState::stale: return "stale";
    case NeighbourState::probe: return "probe";
    case NeighbourState::fixed: return "static";
  }
  return "unknown";
}

NeighbourResolver::NeighbourResolver(NeighbourTable& table, std::vector<NeighbourPort> ports, SendArp send,
                                     NeighbourConfig config)
    : table_(table), ports_(std::move(ports)), send_(std::move(send)), config_(config) {
  config_.max_entries = std::min<uint32_t>(config_.max_entries, NeighbourTable::kMaxEntries);
  config_.max_unsolicited = std::min(config_.max_unsolicited, config_.max_entries);
  buckets_.resize(ports_.size());
  for (auto& b : buckets_) b.tokens = config_.arp_per_second;
}

// An address worth an entry on the port: its next hop, or a host address of
// its subnet other than our own (not the subnet's network or broadcast
// address, which no host answers for).
bool NeighbourResolver::valid_neighbour(uint16_t port_index, Ipv4Addr ip) const {
  if (port_index >= ports_.size() || ip.is_unspecified()) return false;
  const NeighbourPort& port = ports_[port_index];
  if (ip == port.address || (port.extra_addresses != nullptr && port.extra_addresses->contains(ip))) return false;
  if (!port.next_hop.is_unspecified() && ip == port.next_hop) return true;
  const Cidr subnet{port.address, port.prefix_len};
  if (!subnet.contains(ip)) return false;
  return port.prefix_len >= 31 || (ip != subnet.first() && ip != subnet.last());
}

bool NeighbourResolver::send_request(uint16_t port_index, Ipv4Addr ip, const Entry& e, Clock::time_point now) {
  Bucket& b = buckets_[port_index];
  const double rate = config_.arp_per_second;
  const double elapsed = std::chrono::duration<double>(now - b.refilled).count();
  b.tokens = std::min(rate, b.tokens + std::max(0.0, elapsed) * rate);
  b.refilled = now;
  if (b.tokens < 1.0) {
    ++counters_.rate_limited;
    return false;
  }
  b.tokens -= 1.0;
  const bool unicast = e.state == NeighbourState::probe && e.mac.has_value();
  ++(unicast ? counters_.probes_sent : counters_.requests_sent);
  send_(port_index, ip, unicast ? &*e.mac : nullptr);
  return true;
}

void NeighbourResolver::set_state(Entry& e, NeighbourState s, Clock::time_point now) {
  if (e.state == NeighbourState::incomplete) --incomplete_;
  if (s == NeighbourState::incomplete) ++incomplete_;
  e.state = s;
  e.since = now;
}

void NeighbourResolver::start_resolving(uint16_t port_index, Ipv4Addr ip, Entry& e, Clock::time_point now) {
  set_state(e, NeighbourState::incomplete, now);
  e.sent = 0;
  e.next_send = now;
  if (send_request(port_index, ip, e, now)) {
    e.sent = 1;
    e.next_send = now + config_.retransmit;
  }
}

void NeighbourResolver::set_mac(Ipv4Addr ip, Entry& e, const rte_ether_addr& mac) {
  if (!e.mac) {
    ++counters_.learned;
  } else if (!rte_is_same_ether_addr(&*e.mac, &mac)) {
    ++counters_.mac_changed;
  }
  e.mac = mac;
  if (!table_.learn(ip, mac)) ++counters_.table_full;
}

void NeighbourResolver::remove(std::map<uint32_t, Entry>::iterator it) {
  const Entry& e = it->second;
  if (e.state == NeighbourState::incomplete) --incomplete_;
  if (e.unsolicited) --unsolicited_;
  table_.forget(Ipv4Addr{it->first});
  entries_.erase(it);
}

// Frees one entry for a new one: the stale entry unused the longest,
// those a request created before those we resolved.
bool NeighbourResolver::make_room(Clock::time_point) {
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const Entry& e = it->second;
    if (e.permanent || e.state != NeighbourState::stale) continue;
    if (victim == entries_.end() || std::make_pair(!e.unsolicited, e.since) <
                                        std::make_pair(!victim->second.unsolicited, victim->second.since))
      victim = it;
  }
  if (victim == entries_.end()) return false;
  ++counters_.evicted;
  remove(victim);
  return true;
}

void NeighbourResolver::add_permanent(uint16_t port_index, Ipv4Addr ip, Clock::time_point now) {
  if (auto it = entries_.find(ip.value); it != entries_.end()) {
    it->second.permanent = true;
    return;
  }
  if (!valid_neighbour(port_index, ip)) {
    ++counters_.invalid_ignored;
    return;
  }
  Entry& e = entries_[ip.value];
  e.port_index = port_index;
  e.permanent = true;
  e.confirmed = now;
  start_resolving(port_index, ip, e, now);
}

bool NeighbourResolver::add_static(uint16_t port_index, Ipv4Addr ip, const rte_ether_addr& mac,
                                   Clock::time_point now) {
  if (!valid_neighbour(port_index, ip) || !rte_is_valid_assigned_ether_addr(&mac)) return false;
  if (auto it = entries_.find(ip.value); it != entries_.end()) remove(it);
  if (entries_.size() >= config_.max_entries && !make_room(now)) return false;
  Entry& e = entries_[ip.value];
  e.port_index = port_index;
  set_state(e, NeighbourState::fixed, now);
  e.permanent = true;
  e.confirmed = now;
  e.mac = mac;
  return table_.learn(ip, mac);
}

void NeighbourResolver::want(uint16_t port_index, Ipv4Addr ip, Clock::time_point now) {
  if (entries_.count(ip.value) != 0) return;  // known or being resolved
  if (!valid_neighbour(port_index, ip)) {
    ++counters_.invalid_ignored;
    return;
  }
  if (incomplete_ >= config_.max_incomplete ||
      (entries_.size() >= config_.max_entries && !make_room(now))) {
    ++counters_.table_full;
    return;
  }
  Entry& e = entries_[ip.value];
  e.port_index = port_index;
  e.confirmed = now;
  start_resolving(port_index, ip, e, now);
}

void NeighbourResolver::on_arp(const ArpObservation& seen, Clock::time_point now) {
  const Ipv4Addr ip{rte_be_to_cpu_32(seen.sender_ip_be)};
  const uint16_t port_index = seen.port_index;
  if (!valid_neighbour(port_index, ip) || !rte_is_valid_assigned_ether_addr(&seen.sender_mac)) {
    ++counters_.invalid_ignored;
    return;
  }
  auto it = entries_.find(ip.value);
  if (it == entries_.end()) {
    if (seen.kind != ArpKind::request_for_us) {
      ++counters_.unsolicited_ignored;
      return;
    }
    if (unsolicited_ >= config_.max_unsolicited) {
      ++counters_.unsolicited_refused;
      return;
    }
    if (entries_.size() >= config_.max_entries && !make_room(now)) {
      ++counters_.table_full;
      return;
    }
    // The sender talks to us, so we will likely answer it: known, but
    // not confirmed reachable (as Linux: stale).
    Entry& e = entries_[ip.value];
    e.port_index = port_index;
    e.confirmed = now;  // state: stale, since now (a new entry's)
    e.since = now;
    e.unsolicited = true;
    ++unsolicited_;
    set_mac(ip, e, seen.sender_mac);
    return;
  }
  Entry& e = it->second;
  if (e.port_index != port_index) {
    ++counters_.invalid_ignored;
    return;
  }
  if (e.state == NeighbourState::fixed) {
    if (!rte_is_same_ether_addr(&*e.mac, &seen.sender_mac)) ++counters_.static_kept;
    return;
  }
  set_mac(ip, e, seen.sender_mac);
  if (seen.kind == ArpKind::other) {
    // Heard, not asked: a new MAC to verify before trusting it for long.
    set_state(e, NeighbourState::stale, now);
    return;
  }
  ++counters_.confirmed;
  set_state(e, NeighbourState::reachable, now);
  e.confirmed = now;
}

void NeighbourResolver::tick(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Ipv4Addr ip{it->first};
    Entry& e = it->second;
    switch (e.state) {
      case NeighbourState::reachable:
        if (now - e.confirmed >= config_.reachable) {
          set_state(e, NeighbourState::stale, now);
          table_.take_used(ip);  // "used since it went stale" starts now
        }
        break;
      case NeighbourState::stale:
        if (e.permanent || table_.take_used(ip)) {
          set_state(e, NeighbourState::probe, now);
          e.sent = 0;
          e.next_send = now;
        } else if (now - e.since >= config_.stale_expiry) {
          ++counters_.expired;
          remove(it++);
          continue;
        }
        break;
      case NeighbourState::incomplete:
      case NeighbourState::probe:
      case NeighbourState::fixed:
        break;
    }
    if ((e.state == NeighbourState::incomplete || e.state == NeighbourState::probe) && now >= e.next_send) {
      if (e.sent >= config_.probes) {
        if (e.state == NeighbourState::incomplete) {
          ++counters_.resolve_failed;
        } else {
          ++counters_.probe_failed;
        }
        if (!e.permanent) {
          remove(it++);
          continue;
        }
        // A configured next hop is never given up: its MAC is withdrawn
        // and it is asked for again by broadcast.
        if (e.mac) table_.forget(ip);
        e.mac.reset();
        start_resolving(e.port_index, ip, e, now);
      } else if (send_request(e.port_index, ip, e, now)) {
        ++e.sent;
        e.next_send = now + config_.retransmit;
      }
    }
    ++it;
  }
}

std::vector<NeighbourView> NeighbourResolver::list(Clock::time_point now) const {
  std::vector<NeighbourView> out;
  out.reserve(entries_.size());
  for (const auto& [ip, e] : entries_)
    out.push_back({e.port_index, Ipv4Addr{ip}, e.mac, e.state,
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - e.confirmed), e.permanent});
  return out;
}

}  // namespace vpngw::dataplane::io
