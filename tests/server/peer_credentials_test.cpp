#include "control/server/peer_credentials.hpp"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "tests/server/server_test_support.hpp"

namespace vpngw {
namespace {

using server_test::ServerThread;
using server_test::TempDir;

constexpr uid_t kDaemonUid = 0;
constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;
// A group with no /etc/group entry, so no user has it as a supplementary group.
constexpr gid_t kApiGroup = 54321;

TEST(PeerAllowedTest, RootIsAlwaysAllowed) {
  EXPECT_TRUE(peer_allowed(PeerCred{1, 0, 0}, 1000, std::nullopt, {}));
  EXPECT_TRUE(peer_allowed(PeerCred{1, 0, 5}, 1000, kApiGroup, {}));
}

TEST(PeerAllowedTest, TheDaemonsOwnUserIsAllowed) {
  EXPECT_TRUE(peer_allowed(PeerCred{1, 1000, 1000}, 1000, std::nullopt, {}));
}

TEST(PeerAllowedTest, OtherUsersAreRefusedWhenNoGroupIsConfigured) {
  const std::vector<gid_t> groups{kApiGroup};
  EXPECT_FALSE(peer_allowed(PeerCred{1, 1001, kApiGroup}, 1000, std::nullopt, groups));
}

TEST(PeerAllowedTest, PrimaryGroupMatchIsAllowed) {
  EXPECT_TRUE(peer_allowed(PeerCred{1, 1001, kApiGroup}, kDaemonUid, kApiGroup, {}));
}

TEST(PeerAllowedTest, SupplementaryGroupMatchIsAllowed) {
  const std::vector<gid_t> groups{100, kApiGroup, 200};
  EXPECT_TRUE(peer_allowed(PeerCred{1, 1001, 100}, kDaemonUid, kApiGroup, groups));
}

TEST(PeerAllowedTest, UserOutsideTheGroupIsRefused) {
  const std::vector<gid_t> groups{100, 200};
  EXPECT_FALSE(peer_allowed(PeerCred{1, 1001, 100}, kDaemonUid, kApiGroup, groups));
}

TEST(PeerAllowedTest, UserDatabaseLookupRefusesNobodyAndAdmitsRoot) {
  EXPECT_FALSE(peer_allowed(PeerCred{1, kNobody, kNogroup}, kDaemonUid, kApiGroup));
  EXPECT_TRUE(peer_allowed(PeerCred{1, 0, 0}, 1000, kApiGroup));
}

TEST(GroupsOfUserTest, ListsThePrimaryGroupAndIsEmptyForUnknownUsers) {
  const std::vector<gid_t> root_groups = groups_of_user(0);
  EXPECT_NE(std::find(root_groups.begin(), root_groups.end(), gid_t{0}), root_groups.end());
  EXPECT_TRUE(groups_of_user(3999999).empty());
}

TEST(ReadPeerCredTest, ReportsTheConnectingProcess) {
  std::array<int, 2> pair{};
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair.data()), 0);
  UniqueFd a(pair[0]);
  UniqueFd b(pair[1]);
  const std::optional<PeerCred> cred = read_peer_cred(a.get());
  ASSERT_TRUE(cred.has_value());
  EXPECT_EQ(cred->pid, ::getpid());
  EXPECT_EQ(cred->uid, ::geteuid());
  EXPECT_EQ(cred->gid, ::getegid());
}

// What a forked child saw when it connected as nobody.
struct ChildOutcome {
  int exit_code = -1;    // 0 connected and read; 13 connect refused by the kernel
  std::string received;  // everything the server sent
};

// Forks a child that drops to uid nobody with the given groups, connects to
// `socket_path`, sends one request and reports what came back. The child
// makes only system calls: the parent is multi-threaded.
ChildOutcome connect_as_nobody(const std::string& socket_path, gid_t gid,
                               std::vector<gid_t> supplementary) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  std::array<int, 2> report{};
  if (::pipe2(report.data(), O_CLOEXEC) != 0) {
    return {};
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    ::alarm(5);  // never outlive a broken test
    if (::setgroups(supplementary.size(), supplementary.data()) != 0) {
      ::_exit(10);
    }
    if (::setgid(gid) != 0) {
      ::_exit(11);
    }
    if (::setuid(kNobody) != 0) {
      ::_exit(12);
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::_exit(13);
    }
    ::send(fd, "hello\n", 6, MSG_NOSIGNAL);
    char buffer[4096];
    ssize_t n = 0;
    // One response line is all either outcome produces.
    while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
      [[maybe_unused]] ssize_t written = ::write(report[1], buffer, static_cast<size_t>(n));
      if (std::memchr(buffer, '\n', static_cast<size_t>(n)) != nullptr) {
        break;
      }
    }
    ::_exit(0);
  }
  ::close(report[1]);
  ChildOutcome outcome;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(report[0], buffer, sizeof buffer)) > 0) {
    outcome.received.append(buffer, static_cast<size_t>(n));
  }
  ::close(report[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
  return outcome;
}

class PeerCredentialsEndToEndTest : public ::testing::Test {
 protected:
  void start_server(std::optional<gid_t> group) {
    ApiServerOptions options;
    options.socket_path = dir_.file("api.sock");
    options.allowed_group = group;
    server_ = std::make_unique<ServerThread>(options);
    ASSERT_FALSE(server_->start());
  }

  TempDir dir_;
  std::unique_ptr<ServerThread> server_;
};

TEST_F(PeerCredentialsEndToEndTest, UserOutsideTheGroupIsRefusedAfterConnecting) {
  start_server(kApiGroup);
  // The supplementary group gets the child past the socket file's 0660
  // mode, but the daemon looks the user up and finds it is not a member.
  const ChildOutcome outcome = connect_as_nobody(server_->socket_path(), kNogroup, {kApiGroup});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.received;
  EXPECT_NE(outcome.received.find("\"code\":\"AccessDenied\""), std::string::npos)
      << outcome.received;
  EXPECT_EQ(outcome.received.find("echo"), std::string::npos) << "the request was not served";
  EXPECT_EQ(server_->stats().refused_credentials, 1u);
  EXPECT_EQ(server_->stats().requests, 0u);
  EXPECT_EQ(server_->client_count(), 0u);
}

TEST_F(PeerCredentialsEndToEndTest, MemberOfTheGroupIsServed) {
  start_server(kApiGroup);
  const ChildOutcome outcome = connect_as_nobody(server_->socket_path(), kApiGroup, {});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.received;
  EXPECT_EQ(outcome.received, server_test::expected_echo(5, kNobody) + "\n");
  EXPECT_EQ(server_->stats().refused_credentials, 0u);
}

TEST_F(PeerCredentialsEndToEndTest, WithoutAGroupOthersCannotEvenConnect) {
  start_server(std::nullopt);
  const ChildOutcome outcome = connect_as_nobody(server_->socket_path(), kNogroup, {});
  EXPECT_EQ(outcome.exit_code, 13) << "connect() must fail on the 0660 root:root socket";
}

}  // namespace
}  // namespace vpngw
