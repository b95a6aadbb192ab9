#include "ike/engine/traffic_selectors.hpp"

#include <algorithm>

namespace vpngw::ike {

std::vector<TrafficSelector> selectors_of(const std::vector<Cidr>& cidrs) {
  std::vector<TrafficSelector> out;
  for (const Cidr& c : cidrs) out.push_back(TrafficSelector::ipv4(c));
  return out;
}

std::vector<TrafficSelector> narrow(const std::vector<TrafficSelector>& offered,
                                    const std::vector<Cidr>& ours) {
  std::vector<TrafficSelector> out;
  for (const TrafficSelector& ts : offered) {
    auto start = ts.ipv4_start();
    auto end = ts.ipv4_end();
    if (!start || !end || ts.start_port > ts.end_port) continue;
    for (const Cidr& c : ours) {
      Ipv4Addr first = std::max(*start, c.first());
      Ipv4Addr last = std::min(*end, c.last());
      if (first > last) continue;
      TrafficSelector n = TrafficSelector::ipv4_range(first, last, ts.ip_protocol, ts.start_port,
                                                      ts.end_port);
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
  }
  return out;
}

std::vector<Cidr> range_to_cidrs(Ipv4Addr first, Ipv4Addr last) {
  std::vector<Cidr> out;
  uint64_t at = first.value;
  const uint64_t end = last.value;
  while (at <= end) {
    // The largest aligned block starting at `at` that does not pass `end`.
    uint8_t len = 32;
    while (len > 0) {
      uint64_t size = uint64_t{1} << (32 - (len - 1));
      if (at % size != 0 || at + size - 1 > end) break;
      --len;
    }
    out.push_back(Cidr{Ipv4Addr{static_cast<uint32_t>(at)}, len});
    at += uint64_t{1} << (32 - len);
  }
  return out;
}

std::vector<Cidr> cidrs_of(const std::vector<TrafficSelector>& selectors) {
  std::vector<Cidr> out;
  for (const TrafficSelector& ts : selectors) {
    auto start = ts.ipv4_start();
    auto end = ts.ipv4_end();
    if (!start || !end || *start > *end) continue;
    for (const Cidr& c : range_to_cidrs(*start, *end))
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

namespace {

bool overlaps(const std::vector<TrafficSelector>& selectors, const Cidr& cidr) {
  return !narrow(selectors, {cidr}).empty();
}

bool contains(const std::vector<SpdPair>& pairs, const SpdPair& p) {
  return std::find(pairs.begin(), pairs.end(), p) != pairs.end();
}

}  // namespace

std::vector<SpdPair> pairs_served(const std::vector<TrafficSelector>& local_ts,
                                  const std::vector<TrafficSelector>& remote_ts,
                                  const std::vector<SpdPair>& pairs) {
  std::vector<SpdPair> out;
  for (const SpdPair& p : pairs)
    if (overlaps(local_ts, p.local) && overlaps(remote_ts, p.peer)) out.push_back(p);
  return out;
}

std::vector<Cidr> locals_of(const std::vector<SpdPair>& pairs) {
  std::vector<Cidr> out;
  for (const SpdPair& p : pairs)
    if (std::find(out.begin(), out.end(), p.local) == out.end()) out.push_back(p.local);
  return out;
}

std::vector<Cidr> peers_of(const std::vector<SpdPair>& pairs) {
  std::vector<Cidr> out;
  for (const SpdPair& p : pairs)
    if (std::find(out.begin(), out.end(), p.peer) == out.end()) out.push_back(p.peer);
  return out;
}

std::vector<SpdPair> rectangle(const std::vector<SpdPair>& candidates,
                               const std::vector<SpdPair>& spd) {
  std::vector<SpdPair> chosen;
  for (const SpdPair& c : candidates) {
    if (contains(chosen, c)) continue;
    if (chosen.empty()) {
      chosen.push_back(c);
      continue;
    }
    std::vector<SpdPair> trial = chosen;
    trial.push_back(c);
    bool inside = true;
    for (const Cidr& l : locals_of(trial))
      for (const Cidr& p : peers_of(trial)) inside = inside && contains(spd, SpdPair{l, p});
    if (!inside) continue;
    // The cross product is in the SPD: every pair of it is carried.
    chosen.clear();
    for (const Cidr& l : locals_of(trial))
      for (const Cidr& p : peers_of(trial)) chosen.push_back(SpdPair{l, p});
  }
  return chosen;
}

bool narrow_to_pairs(const std::vector<TrafficSelector>& peer_side,
                     const std::vector<TrafficSelector>& our_side,
                     const std::vector<SpdPair>& spd, std::vector<TrafficSelector>* local_ts,
                     std::vector<TrafficSelector>* remote_ts) {
  std::vector<SpdPair> first, rest;
  for (const SpdPair& p : spd) {
    if (!overlaps(our_side, p.local) || !overlaps(peer_side, p.peer)) continue;
    const bool holds_first = !our_side.empty() && !peer_side.empty() &&
                             overlaps({our_side.front()}, p.local) &&
                             overlaps({peer_side.front()}, p.peer);
    (holds_first ? first : rest).push_back(p);
  }
  first.insert(first.end(), rest.begin(), rest.end());
  if (first.empty()) return false;
  const std::vector<SpdPair> carried = rectangle(first, spd);
  *local_ts = narrow(our_side, locals_of(carried));
  *remote_ts = narrow(peer_side, peers_of(carried));
  return !local_ts->empty() && !remote_ts->empty();
}

std::string describe(const TrafficSelector& ts) {
  auto start = ts.ipv4_start();
  auto end = ts.ipv4_end();
  std::string out;
  if (!start || !end) {
    out = "(IPv6 selector)";
  } else {
    std::vector<Cidr> cidrs = range_to_cidrs(*start, *end);
    if (cidrs.size() == 1)
      out = cidrs.front().str();
    else
      out = start->str() + ".." + end->str();
  }
  if (ts.ip_protocol != 0) out += " proto " + std::to_string(ts.ip_protocol);
  if (ts.start_port != 0 || ts.end_port != 0xFFFF)
    out += " ports " + std::to_string(ts.start_port) + "-" + std::to_string(ts.end_port);
  return out;
}

std::string describe(const std::vector<TrafficSelector>& selectors) {
  std::string out;
  for (const TrafficSelector& ts : selectors) out += (out.empty() ? "" : " ") + describe(ts);
  return out.empty() ? "(none)" : out;
}

}  // namespace vpngw::ike
