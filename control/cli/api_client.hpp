// The client side of the API framing (docs/api.md): connect to vpngwd's Unix
// socket, send one request line, read one response line, all within a
// deadline so a wedged daemon cannot hang a script.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace vpngw::cli {

struct RoundTrip {
  std::string response;  // the response line, without its '\n'
  std::string failure;   // why there is no response (names the socket); empty on success
  bool ok() const { return failure.empty(); }
};

class ApiClient {
 public:
  ApiClient(std::string socket_path, std::chrono::milliseconds timeout);

  // One request line out (a '\n' is appended), one response line back. The
  // timeout covers the whole exchange. Fails on: no socket or no listener,
  // the daemon closing the connection before a full line, the deadline.
  RoundTrip exchange(std::string_view request_line) const;

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace vpngw::cli
