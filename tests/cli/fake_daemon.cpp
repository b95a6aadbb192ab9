#include "tests/cli/fake_daemon.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace vpngw::cli::testing {
namespace {

constexpr int kPollMs = 20;  // how often the serving thread checks for shutdown

void write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;  // the client went away; the test will notice
    done += static_cast<size_t>(n);
  }
}

}  // namespace

FakeDaemon::FakeDaemon(std::vector<Reply> replies) : replies_(std::move(replies)) {
  // Tests write scripted JSON across several lines for reading; on the wire
  // a response is one line, and a raw newline is plain whitespace to JSON.
  for (auto& reply : replies_) std::replace(reply.line.begin(), reply.line.end(), '\n', ' ');
  char dir_template[] = "/tmp/vpngwctl-test-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = dir_template;
  socket_path_ = dir_ + "/vpngw.sock";

  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof(addr.sun_path) - 1);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 8) != 0)
    throw std::runtime_error(std::string("cannot listen on ") + socket_path_);
  thread_ = std::thread([this] { serve(); });
}

FakeDaemon::~FakeDaemon() {
  stop_ = true;
  thread_.join();
  for (int fd : held_fds_) ::close(fd);
  ::close(listen_fd_);
  ::unlink(socket_path_.c_str());
  ::rmdir(dir_.c_str());
}

std::vector<std::string> FakeDaemon::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void FakeDaemon::serve() {
  size_t next = 0;
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (next >= replies_.size()) {  // unscripted connection: refuse it
      ::close(fd);
      continue;
    }
    handle(fd, replies_[next++]);
  }
}

bool FakeDaemon::read_line(int fd, std::string& line) {
  char c = 0;
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    if (::recv(fd, &c, 1, 0) != 1) return false;
    if (c == '\n') return true;
    line += c;
  }
  return false;
}

void FakeDaemon::handle(int fd, const Reply& reply) {
  std::string line;
  if (read_line(fd, line)) {
    std::lock_guard lock(mutex_);
    requests_.push_back(line);
  }
  switch (reply.behaviour) {
    case Behaviour::answer:
      write_all(fd, reply.line + "\n");
      break;
    case Behaviour::answer_in_two_writes: {
      const std::string whole = reply.line + "\n";
      write_all(fd, whole.substr(0, whole.size() / 2));
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      write_all(fd, whole.substr(whole.size() / 2));
      break;
    }
    case Behaviour::close_silently:
      break;
    case Behaviour::stay_silent:
      held_fds_.push_back(fd);
      return;
  }
  ::close(fd);
}

}  // namespace vpngw::cli::testing
