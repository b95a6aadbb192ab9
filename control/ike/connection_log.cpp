#include "control/ike/connection_log.hpp"

#include <ctime>
#include <set>

#include <fmt/format.h>

namespace vpngw::ike_glue {

ConnectionLogBook::ConnectionLogBook(std::function<int64_t()> now_unix_ms, size_t lines_per_tunnel)
    : now_(std::move(now_unix_ms)), cap_(lines_per_tunnel == 0 ? 1 : lines_per_tunnel) {}

void ConnectionLogBook::add(const std::string& tunnel_id, std::string line) {
  auto& log = logs_[tunnel_id];
  log.push_back({now_(), next_seq_++, std::move(line)});
  while (log.size() > cap_) log.pop_front();
}

std::vector<LogEntry> ConnectionLogBook::lines(const std::string& tunnel_id, size_t limit, uint64_t after_seq) const {
  std::vector<LogEntry> out;
  auto it = logs_.find(tunnel_id);
  if (it == logs_.end()) return out;
  for (const auto& e : it->second)
    if (e.seq > after_seq) out.push_back(e);
  if (limit != 0 && out.size() > limit) out.erase(out.begin(), out.end() - static_cast<ptrdiff_t>(limit));
  return out;
}

void ConnectionLogBook::retain(const std::vector<std::string>& live) {
  const std::set<std::string> keep(live.begin(), live.end());
  for (auto it = logs_.begin(); it != logs_.end();) it = keep.count(it->first) ? std::next(it) : logs_.erase(it);
}

std::string format_utc(int64_t unix_ms) {
  const time_t secs = static_cast<time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
}

}  // namespace vpngw::ike_glue
