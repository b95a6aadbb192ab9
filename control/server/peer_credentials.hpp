// Who is on the other end of an API connection, and whether they may use the
// API: root, the daemon's own user, or a member of the configured group.
// The socket file's mode (0660, group = that group) is the first gate; this
// check is the second, so a mistaken chmod cannot open the API to everyone.
#pragma once

#include <sys/types.h>

#include <optional>
#include <span>
#include <vector>

namespace vpngw {

struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// SO_PEERCRED of a connected Unix socket: the credentials the peer had when
// it called connect(). nullopt if the kernel cannot tell (not a Unix socket).
std::optional<PeerCred> read_peer_cred(int socket_fd);

// The pure decision. `peer_groups` are the peer user's supplementary groups;
// they are only consulted when a group is configured.
bool peer_allowed(const PeerCred& peer, uid_t daemon_uid, std::optional<gid_t> group,
                  std::span<const gid_t> peer_groups);

// The same decision, looking up the peer's supplementary groups in the user
// database (getpwuid_r + getgrouplist) only when uid, gid and group alone do
// not settle it. That lookup may block on NSS; it happens once per accepted
// connection of a non-root user outside the group's primary gid.
bool peer_allowed(const PeerCred& peer, uid_t daemon_uid, std::optional<gid_t> group);

// Supplementary groups of `uid` per the user database (including the primary
// group); empty if the uid has no passwd entry.
std::vector<gid_t> groups_of_user(uid_t uid);

}  // namespace vpngw
