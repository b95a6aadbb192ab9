#include "control/server/event_loop.hpp"

#include <sys/eventfd.h>

#include <cerrno>
#include <climits>
#include <system_error>

namespace vpngw {

namespace {

// stop() runs in signal handlers; a lock-based atomic would not be safe there.
static_assert(std::atomic<bool>::is_always_lock_free);

constexpr int kMaxEventsPerWait = 64;

// The epoll data word carries the fd and the generation of its registration.
uint64_t pack(int fd, uint32_t generation) {
  return (uint64_t{generation} << 32) | static_cast<uint32_t>(fd);
}
int fd_of(uint64_t data) { return static_cast<int>(static_cast<uint32_t>(data)); }
uint32_t generation_of(uint64_t data) { return static_cast<uint32_t>(data >> 32); }

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

EventLoop::EventLoop()
    : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!epoll_fd_) {
    throw_errno("epoll_create1");
  }
  if (!wake_fd_) {
    throw_errno("eventfd");
  }
  const bool added = add_fd(wake_fd_.get(), EPOLLIN, [this](uint32_t) {
    uint64_t count = 0;
    // Drains the counter; EAGAIN only means another wake-up beat us to it.
    [[maybe_unused]] ssize_t n = ::read(wake_fd_.get(), &count, sizeof count);
    run_posted_tasks();
  });
  if (!added) {
    throw_errno("epoll_ctl(eventfd)");
  }
}

EventLoop::~EventLoop() = default;

bool EventLoop::add_fd(int fd, uint32_t epoll_events, FdCallback callback) {
  if (watches_.contains(fd)) {
    errno = EEXIST;
    return false;
  }
  const uint32_t generation = next_generation_++;
  epoll_event event{};
  event.events = epoll_events;
  event.data.u64 = pack(fd, generation);
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
    return false;
  }
  watches_[fd] = Watch{generation, std::make_shared<FdCallback>(std::move(callback))};
  return true;
}

bool EventLoop::modify_fd(int fd, uint32_t epoll_events) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) {
    errno = ENOENT;
    return false;
  }
  epoll_event event{};
  event.events = epoll_events;
  event.data.u64 = pack(fd, it->second.generation);
  return ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, fd, &event) == 0;
}

void EventLoop::remove_fd(int fd) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) {
    return;
  }
  // Fails harmlessly (EBADF) if the caller already closed the fd: the kernel
  // dropped the registration with the last close.
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
  watches_.erase(it);
}

EventLoop::TimerId EventLoop::add_timer(std::chrono::milliseconds delay,
                                        TimerCallback callback, bool periodic) {
  if (delay.count() < 0) {
    delay = std::chrono::milliseconds(0);
  }
  if (periodic && delay.count() == 0) {
    // A zero period would fire forever without ever returning to epoll.
    delay = std::chrono::milliseconds(1);
  }
  const TimerId id = next_timer_id_++;
  const Clock::time_point due = Clock::now() + delay;
  timers_[id] = Timer{due, periodic ? delay : std::chrono::milliseconds(0),
                      std::make_shared<TimerCallback>(std::move(callback))};
  timer_queue_.emplace(due, id);
  return id;
}

bool EventLoop::cancel_timer(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) {
    return false;
  }
  timer_queue_.erase({it->second.due, id});
  timers_.erase(it);
  return true;
}

void EventLoop::run() {
  // exchange() consumes the request, so one stop() ends one run().
  while (!stop_requested_.exchange(false, std::memory_order_acq_rel)) {
    wait_and_dispatch();
  }
}

void EventLoop::stop() noexcept {
  // A signal handler must leave errno as it found it.
  const int saved_errno = errno;
  stop_requested_.store(true, std::memory_order_release);
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
  errno = saved_errno;
}

void EventLoop::post(std::function<void()> task) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(task));
  }
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
}

void EventLoop::wait_and_dispatch() {
  epoll_event events[kMaxEventsPerWait];
  const int n = ::epoll_wait(epoll_fd_.get(), events, kMaxEventsPerWait, ms_until_next_timer());
  if (n < 0) {
    if (errno == EINTR) {
      return;
    }
    // Only a programming error (bad epoll fd, bad buffer) gets here.
    throw_errno("epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    dispatch(events[i]);
    if (stop_requested_.load(std::memory_order_acquire)) {
      return;
    }
  }
  run_due_timers();
}

void EventLoop::dispatch(const epoll_event& event) {
  auto it = watches_.find(fd_of(event.data.u64));
  if (it == watches_.end() || it->second.generation != generation_of(event.data.u64)) {
    return;  // removed (and maybe re-added) by an earlier callback of this batch
  }
  // Our own reference keeps the callback and its captures alive even if it
  // removes its own registration while running.
  const std::shared_ptr<FdCallback> callback = it->second.callback;
  (*callback)(event.events);
}

void EventLoop::run_due_timers() {
  // Timers that come due while these callbacks run wait for the next
  // iteration, so fd events are never starved by a busy timer.
  const Clock::time_point now = Clock::now();
  while (!timer_queue_.empty() && timer_queue_.begin()->first <= now) {
    const TimerId id = timer_queue_.begin()->second;
    const Clock::time_point due = timer_queue_.begin()->first;
    timer_queue_.erase(timer_queue_.begin());
    auto it = timers_.find(id);
    const std::shared_ptr<TimerCallback> callback = it->second.callback;
    if (it->second.period.count() > 0) {
      Clock::time_point next = due + it->second.period;
      if (next <= now) {
        next = now + it->second.period;
      }
      it->second.due = next;
      timer_queue_.emplace(next, id);
    } else {
      timers_.erase(it);
    }
    (*callback)();
    if (stop_requested_.load(std::memory_order_acquire)) {
      return;
    }
  }
}

void EventLoop::run_posted_tasks() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(posted_mutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) {
    task();
  }
}

int EventLoop::ms_until_next_timer() const {
  if (timer_queue_.empty()) {
    return -1;
  }
  const auto remaining = timer_queue_.begin()->first - Clock::now();
  if (remaining <= Clock::duration::zero()) {
    return 0;
  }
  // Rounded up: waking early would only spin until the deadline.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(remaining).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace vpngw
