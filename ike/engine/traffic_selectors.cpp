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
