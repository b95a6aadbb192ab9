#include "control/cli/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vpngw::cli {

std::string write_private_file(const std::string& path, std::string_view content) {
  const auto failure = [&](const char* what) {
    return std::string("cannot ") + what + " " + path + ": " + std::strerror(errno);
  };
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return failure("create");
  std::string error;
  // open() keeps the mode of a file that already exists.
  if (::fchmod(fd, 0600) != 0) error = failure("restrict the mode of");
  size_t written = 0;
  while (error.empty() && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = failure("write");
    else written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 && error.empty()) error = failure("write");
  return error;
}

}  // namespace vpngw::cli
