// Creates the API's listening Unix socket file, taking care not to steal the
// path from a daemon that is still serving on it, and removes it again on
// shutdown only if the file is still the one we created.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "control/api_error.hpp"
#include "control/server/unique_fd.hpp"

namespace vpngw {

struct UnixListener {
  UniqueFd fd;  // listening, non-blocking, close-on-exec
  std::string path;
  dev_t device = 0;  // identity of the socket file we bound
  ino_t inode = 0;
};

// Creates missing parent directories (mode 0755); if `path` already exists
// and is a socket, connects to it: a listener there means another daemon is
// serving (error), a refused connection means a stale file, which is removed.
// Anything else at `path` is left alone (error). Then binds, sets mode 0660,
// sets the group when `group` is given (the owner stays the daemon's user,
// root in production), and listens.
Result<UnixListener> listen_on_unix_path(const std::string& path, std::optional<gid_t> group,
                                         int backlog);

// Unlinks the socket file if it is still the one `listener` bound, so a
// daemon that replaced ours is not cut off by our shutdown.
void remove_socket_file(const UnixListener& listener);

}  // namespace vpngw
