// Helpers for the server tests: a temp directory, a blocking test client with
// timeouts (a broken server fails the test instead of hanging it), and an
// ApiServer running on its own loop thread with an echo handler.
#pragma once

#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "control/server/api_server.hpp"
#include "control/server/event_loop.hpp"
#include "control/server/unique_fd.hpp"

namespace vpngw::server_test {

using namespace std::chrono_literals;

// A fresh directory under /tmp, mode 0755 so a setuid()'d child can reach
// sockets inside; removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

UniqueFd connect_unix(const std::string& path);

class TestClient {
 public:
  explicit TestClient(const std::string& socket_path) : fd_(connect_unix(socket_path)) {}
  bool connected() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }

  // Blocking send of everything; false if the server closed the connection.
  bool send_all(std::string_view bytes);
  // The next '\n'-terminated line without the '\n'; nullopt on timeout,
  // EOF or error.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 5s);
  // Sends `line` + '\n' and returns the response line ("<none>" if none).
  std::string request(std::string_view line);
  // Reads (and discards) until the server closes the connection; true if it
  // did within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout = 5s);
  void close() { fd_.reset(); }

 private:
  // Reads what is available within `timeout`; false on EOF/error/timeout.
  bool fill(std::chrono::milliseconds timeout);

  UniqueFd fd_;
  std::string buffer_;
};

// The handler every server test uses:
//   "throw"        -> the handler throws
//   "newline"      -> returns "a\nb"
//   "repeat:N"     -> returns N 'x' bytes
//   anything else  -> {"echo":<line length>,"uid":<peer uid>}
std::string echo_handler(std::string_view line, const PeerCred& peer);
std::string expected_echo(size_t length, uid_t uid = 0);

// An EventLoop + ApiServer on a background thread. The line "stop-server"
// makes the handler stop the server from inside itself.
class ServerThread {
 public:
  explicit ServerThread(ApiServerOptions options);
  ~ServerThread();
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  // Starts the server (on this thread, before the loop runs) and, when that
  // worked, the loop thread.
  Status start();

  // Runs `f` on the loop thread and returns its result.
  template <typename F>
  auto on_loop(F f) -> decltype(f()) {
    using R = decltype(f());
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
    std::future<R> result = task->get_future();
    loop_.post([task] { (*task)(); });
    if (result.wait_for(5s) != std::future_status::ready) {
      throw std::runtime_error("the loop thread did not answer within 5 s");
    }
    return result.get();
  }

  ApiServerStats stats() {
    return on_loop([this] { return server_.stats(); });
  }
  size_t client_count() {
    return on_loop([this] { return server_.client_count(); });
  }
  // Polls client_count() until it equals `count`; false after `timeout`.
  bool wait_client_count(size_t count, std::chrono::milliseconds timeout = 5s);
  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  EventLoop loop_;
  ApiServer server_;
  std::thread thread_;
};

}  // namespace vpngw::server_test
