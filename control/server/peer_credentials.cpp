#include "control/server/peer_credentials.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vpngw {

std::optional<PeerCred> read_peer_cred(int socket_fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) {
    return std::nullopt;
  }
  return PeerCred{cred.pid, cred.uid, cred.gid};
}

namespace {

// Settles the cases that need no user-database lookup.
std::optional<bool> decide_without_groups(const PeerCred& peer, uid_t daemon_uid,
                                          std::optional<gid_t> group) {
  if (peer.uid == 0 || peer.uid == daemon_uid) {
    return true;
  }
  if (!group) {
    return false;
  }
  if (peer.gid == *group) {
    return true;
  }
  return std::nullopt;
}

}  // namespace

bool peer_allowed(const PeerCred& peer, uid_t daemon_uid, std::optional<gid_t> group,
                  std::span<const gid_t> peer_groups) {
  if (auto decided = decide_without_groups(peer, daemon_uid, group)) {
    return *decided;
  }
  return std::find(peer_groups.begin(), peer_groups.end(), *group) != peer_groups.end();
}

bool peer_allowed(const PeerCred& peer, uid_t daemon_uid, std::optional<gid_t> group) {
  if (auto decided = decide_without_groups(peer, daemon_uid, group)) {
    return *decided;
  }
  const std::vector<gid_t> groups = groups_of_user(peer.uid);
  return peer_allowed(peer, daemon_uid, group, groups);
}

std::vector<gid_t> groups_of_user(uid_t uid) {
  long size_hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size_hint > 0 ? static_cast<size_t>(size_hint) : 4096);
  passwd entry{};
  passwd* found = nullptr;
  for (;;) {
    const int rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || found == nullptr) {
      return {};
    }
    break;
  }
  // getgrouplist reports the real count when the array is too small.
  constexpr int kMaxGroups = 65536;  // the kernel's NGROUPS_MAX
  int count = 32;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  while (::getgrouplist(entry.pw_name, entry.pw_gid, groups.data(), &count) < 0) {
    if (count <= static_cast<int>(groups.size())) {
      count = static_cast<int>(groups.size()) * 2;  // defensive: always grow
    }
    if (count > kMaxGroups) {
      return {};
    }
    groups.resize(static_cast<size_t>(count));
  }
  groups.resize(static_cast<size_t>(count));
  return groups;
}

}  // namespace vpngw
