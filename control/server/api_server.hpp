// The API's transport: a Unix stream socket on the control thread's
// EventLoop, one request per '\n'-terminated line, one response line each, in
// order (docs/api.md "Framing"). It only moves lines; what a line means is up
// to the RequestHandler. No client behaviour can block the loop or crash the
// daemon: input and output are bounded, slow and stalled clients are dropped,
// and peers are vetted by their kernel-reported credentials.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "control/api_error.hpp"
#include "control/server/event_loop.hpp"
#include "control/server/peer_credentials.hpp"
#include "control/server/unix_listener.hpp"

namespace vpngw {

struct ApiServerOptions {
  std::string socket_path;
  // Members of this group may use the API besides root and the daemon's own
  // user; nullopt admits only those two.
  std::optional<gid_t> allowed_group;
  size_t max_line_bytes = 1 << 20;  // 1 MiB
  // A client that stops mid-line, or stops reading the responses it asked
  // for, for this long is dropped.
  std::chrono::milliseconds client_timeout{10000};
  // A client with nothing in flight may idle, but not forever: each idle
  // connection holds an fd and a slot of max_clients, so an abandoned one
  // (a crashed script that left its socket open) is closed after this.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
  size_t max_clients = 1024;
  // Responses queued for a client that reads too slowly; beyond this it is
  // dropped rather than letting it grow the daemon's memory.
  size_t max_pending_output = size_t{16} << 20;
};

// Returns the response line (without '\n') for one request line. A '\n' in
// the response would break the framing and is replaced by a space (valid
// JSON only has raw newlines as whitespace). An exception becomes an
// InternalError response. The handler may call ApiServer::stop(), but must
// not destroy the ApiServer.
using RequestHandler = std::function<std::string(std::string_view line, const PeerCred& peer)>;

// What happened to connections so far; for monitoring and tests.
struct ApiServerStats {
  uint64_t accepted = 0;             // admitted connections
  uint64_t refused_credentials = 0;  // peer not root, daemon user or group member
  uint64_t refused_capacity = 0;     // max_clients reached
  uint64_t requests = 0;             // lines handed to the handler
  uint64_t dropped_overlong = 0;     // line over max_line_bytes
  uint64_t dropped_stalled = 0;      // mid-line or unread output past client_timeout
  uint64_t dropped_idle = 0;         // nothing in flight past idle_timeout
  uint64_t dropped_output_cap = 0;   // pending output over max_pending_output
};

// Lives on the loop's thread: every member is called there (or before the
// loop runs), and the EventLoop must outlive the ApiServer.
class ApiServer {
 public:
  ApiServer(EventLoop& loop, ApiServerOptions options, RequestHandler handler);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Creates the socket (see listen_on_unix_path) and starts accepting. Fails
  // with ResourceInUse "another vpngwd is serving on PATH" when a live daemon
  // owns the path, InternalError for system errors.
  Status start();
  // Closes the listener and every client and removes the socket file (if it
  // is still ours). Safe to call twice and from inside the handler.
  void stop();

  size_t client_count() const { return clients_.size(); }
  const ApiServerStats& stats() const { return stats_; }
  const ApiServerOptions& options() const { return options_; }

 private:
  struct Client;
  using ClientPtr = std::shared_ptr<Client>;

  void on_listener_ready();
  void pause_accepting();
  void admit(UniqueFd fd);
  void refuse(int fd, std::string_view code, std::string_view message);

  void on_client_event(ClientPtr client, uint32_t events);
  void read_input(Client& client);
  void serve(Client& client);
  // Answers complete lines until the input runs out (false) or the pending
  // output reaches the pause threshold (true: lines may be left).
  bool answer_buffered_lines(Client& client);
  void answer(Client& client, std::string_view line);
  void queue_output(Client& client, std::string_view response);
  void flush_output(Client& client);
  void settle(const ClientPtr& client);
  void arm_deadline(const ClientPtr& client);
  void on_deadline(const ClientPtr& client);
  EventLoop::Clock::time_point deadline_of(const Client& client) const;
  void close_client(Client& client);

  EventLoop& loop_;
  ApiServerOptions options_;
  RequestHandler handler_;
  uid_t daemon_uid_;

  std::optional<UnixListener> listener_;
  EventLoop::TimerId accept_resume_timer_ = 0;
  std::unordered_map<int, ClientPtr> clients_;
  std::vector<char> read_buffer_;  // shared by all clients: one read at a time
  ApiServerStats stats_;
};

}  // namespace vpngw
