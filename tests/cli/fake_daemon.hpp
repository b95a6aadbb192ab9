// A stand-in for vpngwd in the CLI tests: listens on a Unix socket in a
// fresh temporary directory and answers each connection's request line with
// the next scripted reply. It records every request line so a test can
// assert exactly what vpngwctl sent.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vpngw::cli::testing {

class FakeDaemon {
 public:
  enum class Behaviour {
    answer,                // write `line` + '\n'
    answer_in_two_writes,  // the same, split in two writes with a pause between
    close_silently,        // read the request, close without answering
    stay_silent,           // read the request, hold the connection open
  };
  struct Reply {
    Behaviour behaviour = Behaviour::answer;
    std::string line;
  };

  explicit FakeDaemon(std::vector<Reply> replies);
  ~FakeDaemon();
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  const std::string& socket_path() const { return socket_path_; }
  const std::string& directory() const { return dir_; }
  // The request lines received so far, without their '\n'.
  std::vector<std::string> requests() const;

 private:
  void serve();
  void handle(int fd, const Reply& reply);
  bool read_line(int fd, std::string& line);

  std::vector<Reply> replies_;
  std::string dir_;
  std::string socket_path_;
  int listen_fd_ = -1;
  std::vector<int> held_fds_;  // stay_silent connections, closed on destruction
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace vpngw::cli::testing
