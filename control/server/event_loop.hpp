// The control thread's event loop: one epoll instance that dispatches fd
// readiness callbacks and millisecond timers on a single thread, so everything
// it runs (API clients, IKE sockets, housekeeping) needs no locks.
//
// Threading: every member except stop() and post() must be called on the
// thread that runs the loop (or before run() starts). stop() may be called
// from any thread or from a signal handler; post() from any thread.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "control/server/unique_fd.hpp"

namespace vpngw {

class EventLoop {
 public:
  // Monotonic: timers are unaffected by wall-clock steps (NTP, operator).
  using Clock = std::chrono::steady_clock;
  using FdCallback = std::function<void(uint32_t epoll_events)>;
  using TimerCallback = std::function<void()>;
  using TimerId = uint64_t;  // never 0, so 0 can mean "no timer"

  // Throws std::system_error if the kernel refuses an epoll fd or eventfd:
  // without them the daemon cannot run at all.
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches `fd` (level-triggered unless EPOLLET is given). The caller keeps
  // ownership of the fd and must remove_fd() it before closing it. Returns
  // false with errno set when epoll refuses it (e.g. already watched).
  [[nodiscard]] bool add_fd(int fd, uint32_t epoll_events, FdCallback callback);
  [[nodiscard]] bool modify_fd(int fd, uint32_t epoll_events);
  // Safe at any time, including from inside a callback and for the fd whose
  // callback is running: that callback finishes normally (its captures stay
  // alive until it returns) and no further event is delivered for the
  // removed registration, even one already fetched in the same epoll batch.
  void remove_fd(int fd);
  bool is_watched(int fd) const { return watches_.contains(fd); }

  // Calls `callback` after `delay`, and then every `delay` when periodic
  // (a periodic delay below 1 ms is raised to 1 ms). A periodic timer that
  // falls behind skips the missed ticks instead of firing in a burst.
  TimerId add_timer(std::chrono::milliseconds delay, TimerCallback callback,
                    bool periodic = false);
  // Returns false if the timer already fired (one-shot) or was cancelled.
  // Safe from inside any callback, including the timer's own.
  bool cancel_timer(TimerId id);
  size_t timer_count() const { return timers_.size(); }

  // Dispatches events until stop(). A stop() that arrives before run() makes
  // the next run() return at once; each stop() ends exactly one run().
  void run();
  // Async-signal-safe: an atomic store and an eventfd write.
  void stop() noexcept;
  // Runs `task` on the loop thread at its next iteration. Thread-safe, not
  // async-signal-safe (it takes a mutex).
  void post(std::function<void()> task);

 private:
  struct Watch {
    uint32_t generation = 0;  // tells a stale event from a reused fd number
    std::shared_ptr<FdCallback> callback;
  };
  struct Timer {
    Clock::time_point due;
    std::chrono::milliseconds period{0};  // 0: one-shot
    std::shared_ptr<TimerCallback> callback;
  };

  void wait_and_dispatch();
  void dispatch(const epoll_event& event);
  void run_due_timers();
  void run_posted_tasks();
  int ms_until_next_timer() const;

  UniqueFd epoll_fd_;
  UniqueFd wake_fd_;  // eventfd: stop() and post() write it to end epoll_wait
  std::atomic<bool> stop_requested_{false};

  std::unordered_map<int, Watch> watches_;
  uint32_t next_generation_ = 1;

  std::map<TimerId, Timer> timers_;
  std::set<std::pair<Clock::time_point, TimerId>> timer_queue_;  // earliest first
  TimerId next_timer_id_ = 1;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;  // guarded by posted_mutex_
};

}  // namespace vpngw
