#include "control/server/unix_listener.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vpngw {

namespace {

ApiError socket_error(const std::string& message) {
  return ApiError{ErrorCode::InternalError, "socket_path", message};
}

ApiError errno_error(const std::string& what, const std::string& path) {
  return socket_error(what + " " + path + ": " + std::strerror(errno));
}

std::optional<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // sun_path must hold the path and its terminating NUL.
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    return std::nullopt;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

// mkdir -p for the directories above the socket; created ones get 0755
// regardless of the umask so group members can reach the socket.
Status create_parent_directories(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (dir.back() == '/') {
      continue;  // "a//b": the empty component adds nothing
    }
    if (::mkdir(dir.c_str(), 0755) == 0) {
      ::chmod(dir.c_str(), 0755);
    } else if (errno != EEXIST) {
      return errno_error("cannot create directory", dir);
    }
  }
  return std::nullopt;
}

// Leaves `path` free for bind(), or says why it cannot.
Status clear_stale_socket(const std::string& path, const sockaddr_un& address) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? std::nullopt : Status(errno_error("cannot stat", path));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return socket_error(path + " exists and is not a socket; not removing it");
  }
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!probe) {
    return errno_error("cannot create a socket to probe", path);
  }
  // Non-blocking, so a live daemon with a full backlog answers EAGAIN
  // instead of making us wait.
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 ||
      errno == EAGAIN || errno == EINPROGRESS) {
    return ApiError{ErrorCode::ResourceInUse, "socket_path",
                    "another vpngwd is serving on " + path};
  }
  if (errno != ECONNREFUSED && errno != ENOENT) {
    return errno_error("cannot probe", path);
  }
  // Nobody listens: the file is left over from a daemon that did not exit
  // cleanly. (Two daemons starting at the same instant could both get here;
  // the loser's bind() then fails with EADDRINUSE.)
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return errno_error("cannot remove stale socket", path);
  }
  return std::nullopt;
}

}  // namespace

Result<UnixListener> listen_on_unix_path(const std::string& path, std::optional<gid_t> group,
                                         int backlog) {
  const std::optional<sockaddr_un> address = address_of(path);
  if (!address) {
    return socket_error("socket path must be 1 to " +
                        std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes: " + path);
  }
  if (Status status = create_parent_directories(path)) {
    return *status;
  }
  if (Status status = clear_stale_socket(path, *address)) {
    return *status;
  }

  UnixListener listener;
  listener.path = path;
  listener.fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener.fd) {
    return errno_error("cannot create socket for", path);
  }
  if (::bind(listener.fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) !=
      0) {
    return errno_error("cannot bind", path);
  }
  // Between bind() and chmod() the file has umask-derived permissions; that
  // is harmless because nothing is accepted before listen() and every peer's
  // credentials are checked anyway.
  auto fail_and_unlink = [&](const char* what) {
    ApiError error = errno_error(what, path);
    ::unlink(path.c_str());
    return error;
  };
  if (::chmod(path.c_str(), 0660) != 0) {
    return fail_and_unlink("cannot chmod");
  }
  if (group && ::chown(path.c_str(), static_cast<uid_t>(-1), *group) != 0) {
    return fail_and_unlink("cannot set the group of");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail_and_unlink("cannot stat");
  }
  listener.device = st.st_dev;
  listener.inode = st.st_ino;
  if (::listen(listener.fd.get(), backlog) != 0) {
    return fail_and_unlink("cannot listen on");
  }
  return listener;
}

void remove_socket_file(const UnixListener& listener) {
  struct stat st {};
  if (::lstat(listener.path.c_str(), &st) == 0 && st.st_dev == listener.device &&
      st.st_ino == listener.inode) {
    ::unlink(listener.path.c_str());
  }
}

}  // namespace vpngw
