// The per-tunnel connection log (`vpngwctl tunnel logs ID`): every IKE event
// the engine reports, with a wall-clock timestamp, kept in memory as a
// bounded ring per tunnel. Not persisted: after a restart a tunnel's log
// starts again with its new negotiation. Lines never contain secrets (the
// engine's contract); the book does not look at them.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vpngw::ike_glue {

struct LogEntry {
  int64_t unix_ms = 0;
  uint64_t seq = 0;  // increases by one per line across the whole book
  std::string line;
};

class ConnectionLogBook {
 public:
  // `now_unix_ms` is injected so tests control timestamps.
  explicit ConnectionLogBook(std::function<int64_t()> now_unix_ms, size_t lines_per_tunnel = 2000);

  void add(const std::string& tunnel_id, std::string line);
  // The newest `limit` lines (0 = all kept) with seq > after_seq, oldest first.
  std::vector<LogEntry> lines(const std::string& tunnel_id, size_t limit = 0, uint64_t after_seq = 0) const;
  // Drops the logs of tunnels not in `live` (deleted tunnels).
  void retain(const std::vector<std::string>& live);

 private:
  std::function<int64_t()> now_;
  size_t cap_;
  uint64_t next_seq_ = 1;
  std::map<std::string, std::deque<LogEntry>> logs_;
};

// "2026-11-25T16:40:01.123Z" for a unix-ms timestamp.
std::string format_utc(int64_t unix_ms);

}  // namespace vpngw::ike_glue
