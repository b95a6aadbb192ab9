// kill -9 while committing: every commit the store acknowledged must be
// there after a reopen, and the state must be one that some prefix of the
// commits produced (a commit lands whole or not at all).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <random>

#include "control/store/sqlite_store.hpp"
#include "tests/store/store_test_support.hpp"

namespace vpngw::test {
namespace {

std::string numbered(const char* prefix, uint32_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "%s-%08x", prefix, n);
  return text;
}

std::string psk_of(uint32_t n) { return "psk-of-commit-" + std::to_string(n); }

// Commit n adds VPC n and tunnel n, and sets the counter to n.
ChangeSet commit_number(uint32_t n) {
  ChangeSet change;
  change.puts = {sample_vpc(numbered("vpc", n), "vpc-" + std::to_string(n)),
                 sample_tunnel(numbered("vpnx", n), psk_of(n)),
                 sample_customer_gateway("cgw-c0c0c0c0", std::to_string(n))};
  return change;
}

// The child: commits forever, reporting each acknowledged commit's number.
[[noreturn]] void commit_until_killed(const std::string& state_dir, int ack_fd) {
  auto store = SqliteStore::open(state_dir);
  if (!store.ok()) ::_exit(2);
  for (uint32_t n = 1;; ++n) {
    if ((*store)->commit(commit_number(n)).has_value()) ::_exit(3);
    if (::write(ack_fd, &n, sizeof n) != static_cast<ssize_t>(sizeof n)) ::_exit(4);
  }
}

// Reads acknowledgements until `count` arrived or the pipe closed; false on
// a 10 s stall, which means the child hung.
bool read_acks(int fd, uint32_t count, uint32_t& last) {
  for (uint32_t got = 0; got < count;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) return false;
    uint32_t n = 0;
    ssize_t r = ::read(fd, &n, sizeof n);
    if (r == 0) return true;  // the child is gone
    if (r != static_cast<ssize_t>(sizeof n)) return false;
    last = n;
    ++got;
  }
  return true;
}

void kill_while_committing(std::mt19937& rng) {
  TempDir dir;
  const uint32_t kill_after = std::uniform_int_distribution<uint32_t>(1, 120)(rng);
  const int extra_delay_us = std::uniform_int_distribution<int>(0, 3000)(rng);
  SCOPED_TRACE("kill after " + std::to_string(kill_after) + " acks + " +
               std::to_string(extra_delay_us) + " us");

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    commit_until_killed(dir.path(), fds[1]);
  }
  ::close(fds[1]);

  uint32_t last_ack = 0;
  bool responsive = read_acks(fds[0], kill_after, last_ack);
  // Past the ack, the child is somewhere inside its next commit.
  ::usleep(static_cast<useconds_t>(extra_delay_us));
  ::kill(child, SIGKILL);
  // Acks written before the kill are still in the pipe: they count too.
  if (responsive) responsive = read_acks(fds[0], UINT32_MAX, last_ack);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(responsive) << "the committing child stalled";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child exited by itself with status " << WEXITSTATUS(status);
  ASSERT_GE(last_ack, kill_after);

  auto store = open_store(dir);
  ASSERT_NE(store, nullptr);
  auto snapshot = store->load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;

  // The state after commits 1..n, where n covers every ack and at most the
  // one commit that was in flight when the child died.
  const size_t n = snapshot->vpcs.size();
  EXPECT_GE(n, last_ack);
  EXPECT_LE(n, last_ack + 1u);
  ASSERT_EQ(snapshot->tunnels.size(), n);
  for (uint32_t i = 1; i <= n; ++i) {
    EXPECT_EQ(snapshot->vpcs[i - 1].id, numbered("vpc", i));
    EXPECT_EQ(snapshot->tunnels[i - 1].id, numbered("vpnx", i));
    EXPECT_EQ(snapshot->tunnels[i - 1].psk, psk_of(i));
  }
  ASSERT_EQ(snapshot->customer_gateways.size(), 1u);
  EXPECT_EQ(snapshot->customer_gateways[0].name, std::to_string(n));

  // The recovered database accepts the next commit.
  EXPECT_FALSE(store->commit(commit_number(static_cast<uint32_t>(n) + 1)).has_value());
}

TEST(SqliteStoreCrash, AcknowledgedCommitsSurviveKill9) {
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    kill_while_committing(rng);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace vpngw::test
