#include "control/server/signal_stopper.hpp"

#include <signal.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <system_error>

namespace vpngw {

SignalStopper::SignalStopper(EventLoop& loop, std::initializer_list<int> signals) : loop_(loop) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int signal_number : signals) {
    sigaddset(&mask, signal_number);
  }
  if (int rc = ::pthread_sigmask(SIG_BLOCK, &mask, nullptr); rc != 0) {
    throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
  }
  signal_fd_.reset(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signal_fd_) {
    throw std::system_error(errno, std::generic_category(), "signalfd");
  }
  if (!loop_.add_fd(signal_fd_.get(), EPOLLIN, [this](uint32_t) { on_readable(); })) {
    throw std::system_error(errno, std::generic_category(), "epoll_ctl(signalfd)");
  }
}

SignalStopper::~SignalStopper() { loop_.remove_fd(signal_fd_.get()); }

void SignalStopper::on_readable() {
  signalfd_siginfo info{};
  bool any = false;
  // Reads every queued signal so level-triggered epoll does not fire again.
  while (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    received_signal_ = static_cast<int>(info.ssi_signo);
    any = true;
  }
  if (any) {
    loop_.stop();
  }
}

}  // namespace vpngw
