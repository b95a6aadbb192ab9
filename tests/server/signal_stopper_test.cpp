#include "control/server/signal_stopper.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "control/server/event_loop.hpp"

namespace vpngw {
namespace {

using namespace std::chrono_literals;

// Restores this thread's signal mask and SIGUSR1's action after a test.
class SignalStateGuard {
 public:
  SignalStateGuard() {
    pthread_sigmask(SIG_SETMASK, nullptr, &mask_);
    sigaction(SIGUSR1, nullptr, &usr1_);
  }
  ~SignalStateGuard() {
    sigaction(SIGUSR1, &usr1_, nullptr);
    pthread_sigmask(SIG_SETMASK, &mask_, nullptr);
  }

 private:
  sigset_t mask_{};
  struct sigaction usr1_ {};
};

// A signal handler can only reach the loop through a global; this is the
// pattern the daemon would use if it did not use SignalStopper.
std::atomic<EventLoop*> g_loop_for_handler{nullptr};
extern "C" void stop_loop_from_handler(int) {
  if (EventLoop* loop = g_loop_for_handler.load()) {
    loop->stop();
  }
}

TEST(SignalStopperTest, BlockedSignalStopsTheLoopThroughTheSignalfd) {
  SignalStateGuard guard;
  EventLoop loop;
  SignalStopper stopper(loop, {SIGUSR1});
  EXPECT_EQ(stopper.received_signal(), 0);
  int guard_fired = 0;
  loop.add_timer(5s, [&] {
    ++guard_fired;
    loop.stop();
  });
  // Thread-directed, to this thread which blocks it: the signalfd reads it.
  ASSERT_EQ(raise(SIGUSR1), 0);
  loop.run();
  EXPECT_EQ(stopper.received_signal(), SIGUSR1);
  EXPECT_EQ(guard_fired, 0);
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGUSR1)) << "the signalfd consumed it";
}

TEST(SignalStopperTest, StopIsSafeFromASignalHandlerInterruptingEpollWait) {
  SignalStateGuard guard;
  EventLoop loop;
  g_loop_for_handler = &loop;
  struct sigaction action {};
  action.sa_handler = stop_loop_from_handler;
  sigemptyset(&action.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &action, nullptr), 0);

  std::atomic<bool> running{false};
  std::thread runner([&] {
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
    running = true;
    loop.run();
  });
  while (!running) {
    std::this_thread::sleep_for(1ms);
  }
  std::this_thread::sleep_for(20ms);  // let it block in epoll_wait
  ASSERT_EQ(pthread_kill(runner.native_handle(), SIGUSR1), 0);
  runner.join();  // hangs if the handler's stop() did not end run()
  g_loop_for_handler = nullptr;
}

}  // namespace
}  // namespace vpngw
