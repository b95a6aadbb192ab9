#include "control/cli/api_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace vpngw::cli {
namespace {

using Clock = std::chrono::steady_clock;

// A response bigger than this is not one the API produces; stop reading
// rather than exhaust memory on a misbehaving peer.
constexpr size_t kMaxResponseBytes = size_t{64} << 20;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

int remaining_ms(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits until `fd` is ready for `events`; false when the deadline passed.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return true;  // let the following read/write report the error
  }
}

std::string describe_timeout(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 == 0) return std::to_string(timeout.count() / 1000) + " s";
  return std::to_string(timeout.count()) + " ms";
}

}  // namespace

ApiClient::ApiClient(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

RoundTrip ApiClient::exchange(std::string_view request_line) const {
  const std::string where = "vpngwd at " + socket_path_;
  const auto deadline = Clock::now() + timeout_;
  const auto timed_out = [&] {
    return RoundTrip{{}, "no answer from " + where + " within " + describe_timeout(timeout_)};
  };

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.empty() || socket_path_.size() >= sizeof(addr.sun_path))
    return {{}, "cannot connect to " + where + ": the socket path must be 1-" +
                    std::to_string(sizeof(addr.sun_path) - 1) + " bytes"};
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());

  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return {{}, std::string("cannot create a socket: ") + std::strerror(errno)};

  // A Unix-socket connect either completes at once or, when the daemon's
  // accept backlog is full, fails with EAGAIN: retry that until the deadline.
  while (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      return {{}, "cannot connect to " + where + ": " + std::strerror(errno) +
                      " (is vpngwd running? see --socket and VPNGW_SOCKET)"};
    }
    if (remaining_ms(deadline) == 0) return timed_out();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  std::string out(request_line);
  out += '\n';
  size_t sent = 0;
  while (sent < out.size()) {
    if (!wait_for(fd.get(), POLLOUT, deadline)) return timed_out();
    const ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return {{}, "lost the connection to " + where + ": " + std::strerror(errno)};
    }
    sent += static_cast<size_t>(n);
  }

  std::string in;
  char buf[65536];
  while (true) {
    if (!wait_for(fd.get(), POLLIN, deadline)) return timed_out();
    const ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return {{}, "lost the connection to " + where + ": " + std::strerror(errno)};
    }
    if (n == 0) return {{}, where + " closed the connection without answering"};
    in.append(buf, static_cast<size_t>(n));
    if (const auto newline = in.find('\n'); newline != std::string::npos) {
      in.resize(newline);
      return {std::move(in), {}};
    }
    if (in.size() > kMaxResponseBytes)
      return {{}, "the response from " + where + " exceeds " +
                      std::to_string(kMaxResponseBytes >> 20) + " MiB"};
  }
}

}  // namespace vpngw::cli
