#include "control/server/event_loop.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace vpngw {
namespace {

using namespace std::chrono_literals;
using Clock = EventLoop::Clock;

// A pipe whose read end is readable until drained.
struct Pipe {
  Pipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
      throw std::runtime_error("pipe2");
    }
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  void make_readable() { ASSERT_EQ(::write(write_end.get(), "x", 1), 1); }
  UniqueFd read_end;
  UniqueFd write_end;
};

// Guards every test against a loop that would never stop.
void stop_after(EventLoop& loop, std::chrono::milliseconds delay) {
  loop.add_timer(delay, [&loop] { loop.stop(); });
}

TEST(EventLoopTest, OneShotTimerFiresOnceAfterItsDelay) {
  EventLoop loop;
  const auto start = Clock::now();
  int fired = 0;
  Clock::duration fired_after{};
  loop.add_timer(30ms, [&] {
    ++fired;
    fired_after = Clock::now() - start;
  });
  stop_after(loop, 150ms);
  loop.run();
  EXPECT_EQ(fired, 1);
  EXPECT_GE(fired_after, 30ms);
  EXPECT_EQ(loop.timer_count(), 0u);
}

TEST(EventLoopTest, PeriodicTimerFiresRepeatedlyAtItsPeriod) {
  EventLoop loop;
  const auto start = Clock::now();
  std::vector<Clock::duration> fire_times;
  loop.add_timer(
      10ms,
      [&] {
        fire_times.push_back(Clock::now() - start);
        if (fire_times.size() == 5) {
          loop.stop();
        }
      },
      /*periodic=*/true);
  stop_after(loop, 5s);
  loop.run();
  ASSERT_EQ(fire_times.size(), 5u);
  for (size_t i = 0; i < fire_times.size(); ++i) {
    EXPECT_GE(fire_times[i], 10ms * static_cast<int>(i + 1)) << "tick " << i;
  }
  EXPECT_EQ(loop.timer_count(), 2u);  // the periodic timer lives on, plus the guard
}

TEST(EventLoopTest, TimersFireInDeadlineOrder) {
  EventLoop loop;
  std::string order;
  loop.add_timer(30ms, [&] { order += "c"; });
  loop.add_timer(10ms, [&] { order += "a"; });
  loop.add_timer(20ms, [&] { order += "b"; });
  loop.add_timer(0ms, [&] { order += "0"; });
  stop_after(loop, 60ms);
  loop.run();
  EXPECT_EQ(order, "0abc");
}

TEST(EventLoopTest, CancelledTimerNeverFires) {
  EventLoop loop;
  int fired = 0;
  const EventLoop::TimerId victim = loop.add_timer(30ms, [&] { ++fired; });
  bool first_cancel = false;
  bool second_cancel = true;
  loop.add_timer(5ms, [&] {
    first_cancel = loop.cancel_timer(victim);
    second_cancel = loop.cancel_timer(victim);
  });
  stop_after(loop, 80ms);
  loop.run();
  EXPECT_EQ(fired, 0);
  EXPECT_TRUE(first_cancel);
  EXPECT_FALSE(second_cancel);
}

TEST(EventLoopTest, PeriodicTimerCanCancelItselfFromItsCallback) {
  EventLoop loop;
  int fired = 0;
  EventLoop::TimerId id = 0;
  id = loop.add_timer(
      5ms,
      [&] {
        if (++fired == 3) {
          EXPECT_TRUE(loop.cancel_timer(id));
        }
      },
      /*periodic=*/true);
  stop_after(loop, 100ms);
  loop.run();
  EXPECT_EQ(fired, 3);
}

TEST(EventLoopTest, CancellingAFiredOneShotTimerReturnsFalse) {
  EventLoop loop;
  const EventLoop::TimerId id = loop.add_timer(1ms, [] {});
  stop_after(loop, 20ms);
  loop.run();
  EXPECT_FALSE(loop.cancel_timer(id));
}

TEST(EventLoopTest, FdCallbackGetsReadinessEvents) {
  EventLoop loop;
  Pipe pipe;
  uint32_t seen = 0;
  std::string data;
  ASSERT_TRUE(loop.add_fd(pipe.read_end.get(), EPOLLIN, [&](uint32_t events) {
    seen |= events;
    char buf[16];
    const ssize_t n = ::read(pipe.read_end.get(), buf, sizeof buf);
    data.append(buf, static_cast<size_t>(n > 0 ? n : 0));
    loop.stop();
  }));
  ASSERT_EQ(::write(pipe.write_end.get(), "hi", 2), 2);
  stop_after(loop, 5s);
  loop.run();
  EXPECT_TRUE(seen & EPOLLIN);
  EXPECT_EQ(data, "hi");
}

TEST(EventLoopTest, AddingTheSameFdTwiceFails) {
  EventLoop loop;
  Pipe pipe;
  ASSERT_TRUE(loop.add_fd(pipe.read_end.get(), EPOLLIN, [](uint32_t) {}));
  EXPECT_FALSE(loop.add_fd(pipe.read_end.get(), EPOLLIN, [](uint32_t) {}));
  EXPECT_TRUE(loop.is_watched(pipe.read_end.get()));
  loop.remove_fd(pipe.read_end.get());
  EXPECT_FALSE(loop.is_watched(pipe.read_end.get()));
}

TEST(EventLoopTest, ModifyFdChangesTheEventsWatched) {
  EventLoop loop;
  Pipe pipe;
  int calls = 0;
  // The write end is always writable, but nothing is asked for yet.
  ASSERT_TRUE(loop.add_fd(pipe.write_end.get(), 0, [&](uint32_t events) {
    EXPECT_TRUE(events & EPOLLOUT);
    ++calls;
    loop.remove_fd(pipe.write_end.get());
  }));
  loop.add_timer(20ms, [&] {
    EXPECT_EQ(calls, 0);
    EXPECT_TRUE(loop.modify_fd(pipe.write_end.get(), EPOLLOUT));
  });
  stop_after(loop, 60ms);
  loop.run();
  EXPECT_EQ(calls, 1);
}

TEST(EventLoopTest, RemovingTheDispatchedFdInsideItsCallbackIsSafe) {
  EventLoop loop;
  Pipe pipe;
  pipe.make_readable();  // never drained: level-triggered would fire forever
  auto state = std::make_shared<std::string>("alive");
  int calls = 0;
  std::string seen_after_remove;
  ASSERT_TRUE(loop.add_fd(pipe.read_end.get(), EPOLLIN, [&, state](uint32_t) {
    ++calls;
    loop.remove_fd(pipe.read_end.get());
    // The callback object (and `state`) must still be alive here.
    seen_after_remove = *state;
  }));
  state.reset();  // the registration holds the only reference now
  stop_after(loop, 50ms);
  loop.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen_after_remove, "alive");
}

TEST(EventLoopTest, FdRemovedByAnEarlierCallbackOfTheSameBatchIsNotDispatched) {
  EventLoop loop;
  Pipe a;
  Pipe b;
  a.make_readable();
  b.make_readable();
  // Both are ready before run(), so one epoll_wait reports both; whichever
  // runs first removes both registrations.
  int calls = 0;
  auto remove_both = [&](uint32_t) {
    ++calls;
    loop.remove_fd(a.read_end.get());
    loop.remove_fd(b.read_end.get());
  };
  ASSERT_TRUE(loop.add_fd(a.read_end.get(), EPOLLIN, remove_both));
  ASSERT_TRUE(loop.add_fd(b.read_end.get(), EPOLLIN, remove_both));
  stop_after(loop, 50ms);
  loop.run();
  EXPECT_EQ(calls, 1);
}

TEST(EventLoopTest, FdReaddedInsideACallbackGetsOnlyItsOwnEvents) {
  EventLoop loop;
  Pipe a;
  Pipe b;
  a.make_readable();
  b.make_readable();
  int old_calls = 0;
  int new_calls = 0;
  // Whichever fires first drops its own registration and replaces the
  // other's with one that asks for no events at all, so any call of the new
  // callback could only come from the stale event of the same batch.
  auto take_over = [&](int self, int other) {
    ++old_calls;
    loop.remove_fd(self);
    loop.remove_fd(other);
    EXPECT_TRUE(loop.add_fd(other, 0, [&](uint32_t) { ++new_calls; }));
  };
  const int fd_a = a.read_end.get();
  const int fd_b = b.read_end.get();
  ASSERT_TRUE(loop.add_fd(fd_a, EPOLLIN, [&](uint32_t) { take_over(fd_a, fd_b); }));
  ASSERT_TRUE(loop.add_fd(fd_b, EPOLLIN, [&](uint32_t) { take_over(fd_b, fd_a); }));
  stop_after(loop, 50ms);
  loop.run();
  EXPECT_EQ(old_calls, 1);
  EXPECT_EQ(new_calls, 0);
}

TEST(EventLoopTest, StopFromAnotherThreadEndsRun) {
  EventLoop loop;
  std::thread runner([&] { loop.run(); });
  std::this_thread::sleep_for(20ms);
  loop.stop();
  runner.join();  // hangs (and the suite times out) if stop() did not wake the loop
  SUCCEED();
}

TEST(EventLoopTest, StopBeforeRunMakesRunReturnOnceAndIsConsumed) {
  EventLoop loop;
  loop.stop();
  loop.run();  // returns at once
  int fired = 0;
  loop.add_timer(20ms, [&] {
    ++fired;
    loop.stop();
  });
  loop.run();  // the earlier stop() was consumed: this run waits for the timer
  EXPECT_EQ(fired, 1);
}

TEST(EventLoopTest, StopInsideACallbackSkipsTheRestOfTheBatch) {
  EventLoop loop;
  int fired = 0;
  loop.add_timer(0ms, [&] {
    ++fired;
    loop.stop();
  });
  loop.add_timer(0ms, [&] { ++fired; });
  loop.run();
  EXPECT_EQ(fired, 1);
  loop.add_timer(0ms, [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(fired, 2);  // the second timer was still pending, not lost
}

TEST(EventLoopTest, PostedTasksRunOnTheLoopThreadInOrder) {
  EventLoop loop;
  std::thread::id loop_thread;
  std::vector<int> order;
  std::thread::id task_thread;
  std::thread runner([&] {
    loop_thread = std::this_thread::get_id();
    loop.run();
  });
  std::thread poster([&] {
    for (int i = 0; i < 3; ++i) {
      loop.post([&order, i] { order.push_back(i); });
    }
    loop.post([&] {
      task_thread = std::this_thread::get_id();
      loop.stop();
    });
  });
  poster.join();
  runner.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(task_thread, loop_thread);
}

}  // namespace
}  // namespace vpngw
