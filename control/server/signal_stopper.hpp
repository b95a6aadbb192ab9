// Turns termination signals (SIGTERM, SIGINT...) into EventLoop::stop()
// through a signalfd, so the daemon shuts down from its own loop instead of
// doing work inside an asynchronous signal handler.
#pragma once

#include <initializer_list>

#include "control/server/event_loop.hpp"
#include "control/server/unique_fd.hpp"

namespace vpngw {

class SignalStopper {
 public:
  // Blocks `signals` in the calling thread and watches them on `loop`.
  // Construct it on the main thread before starting any other thread: new
  // threads inherit the mask, and a signal that some thread leaves unblocked
  // would be delivered there (default action) instead of to the signalfd.
  // The signals stay blocked after destruction: unblocking could deliver a
  // pending one with its default, fatal action. Throws std::system_error if
  // the signalfd cannot be created or watched.
  SignalStopper(EventLoop& loop, std::initializer_list<int> signals);
  ~SignalStopper();
  SignalStopper(const SignalStopper&) = delete;
  SignalStopper& operator=(const SignalStopper&) = delete;

  // The last signal that stopped the loop, 0 if none yet.
  int received_signal() const { return received_signal_; }

 private:
  void on_readable();

  EventLoop& loop_;
  UniqueFd signal_fd_;
  int received_signal_ = 0;
};

}  // namespace vpngw
