#include "tests/server/server_test_support.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace vpngw::server_test {

TempDir::TempDir() {
  char pattern[] = "/tmp/vpngw-server-test-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  }
  path_ = pattern;
  ::chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

UniqueFd connect_unix(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (!fd || path.size() >= sizeof address.sun_path) {
    return UniqueFd();
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return UniqueFd();
  }
  return fd;
}

bool TestClient::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TestClient::fill(std::chrono::milliseconds timeout) {
  pollfd pfd{fd_.get(), POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) {
    return false;
  }
  char chunk[65536];
  const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
  if (n <= 0) {
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> TestClient::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !fill(left)) {
      return std::nullopt;
    }
  }
}

std::string TestClient::request(std::string_view line) {
  if (!send_all(std::string(line) + "\n")) {
    return "<send failed>";
  }
  return read_line().value_or("<none>");
}

bool TestClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd pfd{fd_.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      return false;
    }
    char chunk[65536];
    const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
      return true;  // EOF, or ECONNRESET when our unread input was discarded
    }
  }
}

std::string echo_handler(std::string_view line, const PeerCred& peer) {
  if (line == "throw") {
    throw std::runtime_error("handler exploded");
  }
  if (line == "newline") {
    return "a\nb";
  }
  if (line.starts_with("repeat:")) {
    return std::string(std::stoul(std::string(line.substr(7))), 'x');
  }
  return expected_echo(line.size(), peer.uid);
}

std::string expected_echo(size_t length, uid_t uid) {
  return "{\"echo\":" + std::to_string(length) + ",\"uid\":" + std::to_string(uid) + "}";
}

ServerThread::ServerThread(ApiServerOptions options)
    : socket_path_(options.socket_path),
      server_(loop_, std::move(options), [this](std::string_view line, const PeerCred& peer) {
        if (line == "stop-server") {
          server_.stop();
          return std::string("stopped");
        }
        return echo_handler(line, peer);
      }) {}

ServerThread::~ServerThread() {
  if (thread_.joinable()) {
    loop_.stop();
    thread_.join();
  }
}

Status ServerThread::start() {
  Status status = server_.start();
  if (!status) {
    thread_ = std::thread([this] { loop_.run(); });
  }
  return status;
}

bool ServerThread::wait_client_count(size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (client_count() != count) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace vpngw::server_test
