#include "control/server/api_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>

#include "control/server/line_framer.hpp"

namespace vpngw {

namespace {

using Clock = EventLoop::Clock;

constexpr size_t kReadChunkBytes = 64 * 1024;
// Requests are not processed while this much output is pending: a client
// that pipelines faster than it reads waits (its input stays in the kernel
// buffers) instead of growing our output buffer.
constexpr size_t kPauseInputAbovePendingBytes = 1 << 20;
// accept() bursts are bounded so a connection storm cannot starve the
// clients already connected.
constexpr int kAcceptsPerWakeup = 64;
// After EMFILE/ENFILE the listener stays readable; retrying at once would spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

std::string error_line(std::string_view code, std::string_view message) {
  // ordered_json keeps "version" first, as in docs/api.md.
  nlohmann::ordered_json line = {
      {"version", 1},
      {"error", {{"code", code}, {"field", ""}, {"message", message}}},
  };
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

struct ApiServer::Client {
  Client(UniqueFd socket, const PeerCred& cred, size_t max_line_bytes)
      : fd(std::move(socket)), peer(cred), input(max_line_bytes) {}

  size_t pending_output() const { return output.size() - output_sent; }
  bool reading() const { return (interest & EPOLLIN) != 0; }

  UniqueFd fd;
  PeerCred peer;
  LineFramer input;
  std::string output;
  size_t output_sent = 0;
  bool input_ended = false;  // the peer shut down its sending side
  bool closing = false;      // answered an overlong line: flush, then close
  bool closed = false;
  uint32_t interest = 0;     // epoll events currently requested
  Clock::time_point last_input;            // last byte received
  Clock::time_point last_output_progress;  // last byte sent, or output became pending
  EventLoop::TimerId deadline_timer = 0;
  Clock::time_point deadline_timer_due;  // the deadline the timer was armed for
};

ApiServer::ApiServer(EventLoop& loop, ApiServerOptions options, RequestHandler handler)
    : loop_(loop),
      options_(std::move(options)),
      handler_(std::move(handler)),
      daemon_uid_(::geteuid()),
      read_buffer_(kReadChunkBytes) {}

ApiServer::~ApiServer() { stop(); }

Status ApiServer::start() {
  if (listener_) {
    return ApiError{ErrorCode::InternalError, "", "the API server is already started"};
  }
  Result<UnixListener> listener =
      listen_on_unix_path(options_.socket_path, options_.allowed_group, SOMAXCONN);
  if (!listener) {
    return listener.error();
  }
  listener_.emplace(std::move(listener.value()));
  if (!loop_.add_fd(listener_->fd.get(), EPOLLIN, [this](uint32_t) { on_listener_ready(); })) {
    ApiError error{ErrorCode::InternalError, "",
                   std::string("cannot watch the API socket: ") + std::strerror(errno)};
    remove_socket_file(*listener_);
    listener_.reset();
    return error;
  }
  return std::nullopt;
}

void ApiServer::stop() {
  if (accept_resume_timer_ != 0) {
    loop_.cancel_timer(accept_resume_timer_);
    accept_resume_timer_ = 0;
  }
  if (listener_) {
    loop_.remove_fd(listener_->fd.get());
    remove_socket_file(*listener_);
    listener_.reset();
  }
  std::vector<ClientPtr> clients;
  clients.reserve(clients_.size());
  for (const auto& [fd, client] : clients_) {
    clients.push_back(client);
  }
  for (const ClientPtr& client : clients) {
    close_client(*client);
  }
}

void ApiServer::on_listener_ready() {
  for (int i = 0; i < kAcceptsPerWakeup && listener_; ++i) {
    const int fd = ::accept4(listener_->fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      admit(UniqueFd(fd));
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    }
    if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) {
      continue;  // that one connection is gone; others may be waiting
    }
    pause_accepting();  // out of fds or memory: the backlog waits for us
    return;
  }
}

void ApiServer::pause_accepting() {
  if (!listener_ || accept_resume_timer_ != 0 || !loop_.modify_fd(listener_->fd.get(), 0)) {
    return;
  }
  accept_resume_timer_ = loop_.add_timer(kAcceptRetryDelay, [this] {
    accept_resume_timer_ = 0;
    if (listener_) {
      // Should this fail the listener stays paused; nothing better to do.
      [[maybe_unused]] bool resumed = loop_.modify_fd(listener_->fd.get(), EPOLLIN);
    }
  });
}

void ApiServer::admit(UniqueFd fd) {
  if (clients_.size() >= options_.max_clients) {
    ++stats_.refused_capacity;
    refuse(fd.get(), "LimitExceeded",
           "too many API clients (at most " + std::to_string(options_.max_clients) + ")");
    return;
  }
  const std::optional<PeerCred> peer = read_peer_cred(fd.get());
  if (!peer || !peer_allowed(*peer, daemon_uid_, options_.allowed_group)) {
    ++stats_.refused_credentials;
    refuse(fd.get(), "AccessDenied",
           peer ? "uid " + std::to_string(peer->uid) + " may not use the vpngwd API"
                : std::string("cannot read the peer's credentials"));
    return;
  }
  auto client = std::make_shared<Client>(std::move(fd), *peer, options_.max_line_bytes);
  const int fd_number = client->fd.get();
  if (!loop_.add_fd(fd_number, EPOLLIN,
                    [this, client](uint32_t events) { on_client_event(client, events); })) {
    return;  // the socket closes with `client`
  }
  client->interest = EPOLLIN;
  client->last_input = client->last_output_progress = Clock::now();
  clients_.emplace(fd_number, client);
  ++stats_.accepted;
  arm_deadline(client);
}

void ApiServer::refuse(int fd, std::string_view code, std::string_view message) {
  // Best effort: the socket buffer of a fresh connection is empty, so this
  // one short line always fits; if the peer is already gone, so be it.
  const std::string line = error_line(code, message) + "\n";
  [[maybe_unused]] ssize_t n = ::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void ApiServer::on_client_event(ClientPtr client, uint32_t events) {
  // `client` is held by value: close_client() may drop the map's reference.
  Client& c = *client;
  if (c.closed) {
    return;
  }
  if (events & EPOLLERR) {
    close_client(c);
    return;
  }
  if (events & EPOLLIN) {
    read_input(c);
  } else if (events & EPOLLHUP) {
    close_client(c);  // gone, with nothing left to read: responses cannot arrive
    return;
  }
  if (c.closed) {
    return;
  }
  serve(c);
  if (c.closed) {
    return;
  }
  settle(client);
}

void ApiServer::read_input(Client& c) {
  const ssize_t n = ::recv(c.fd.get(), read_buffer_.data(), read_buffer_.size(), MSG_DONTWAIT);
  if (n > 0) {
    c.last_input = Clock::now();
    c.input.append(std::string_view(read_buffer_.data(), static_cast<size_t>(n)));
    return;
  }
  if (n == 0) {
    c.input_ended = true;
    return;
  }
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    close_client(c);
  }
}

void ApiServer::serve(Client& c) {
  // Answer, send, and answer more while the client keeps up. Ends because
  // the client stops taking output or the buffered input runs out.
  for (;;) {
    const bool held_back = answer_buffered_lines(c);
    if (c.closed) {
      return;
    }
    flush_output(c);
    if (c.closed || !held_back || c.pending_output() >= kPauseInputAbovePendingBytes) {
      return;
    }
  }
}

bool ApiServer::answer_buffered_lines(Client& c) {
  while (!c.closing) {
    if (c.pending_output() >= kPauseInputAbovePendingBytes) {
      c.input.compact();
      return true;  // more lines may be waiting for the output to drain
    }
    std::string_view line;
    LineFramer::Next next = c.input.next(line);
    if (next == LineFramer::Next::need_more && c.input_ended) {
      next = c.input.take_unterminated(line);
    }
    if (next == LineFramer::Next::need_more) {
      break;
    }
    if (next == LineFramer::Next::overlong) {
      ++stats_.dropped_overlong;
      queue_output(c, error_line("MalformedRequest", "request line exceeds " +
                                                         std::to_string(options_.max_line_bytes) +
                                                         " bytes"));
      // The rest of the stream cannot be framed any more: flush and close.
      c.closing = true;
      break;
    }
    if (line.empty()) {
      continue;
    }
    answer(c, line);
    if (c.closed) {
      return false;
    }
  }
  c.input.compact();
  return false;
}

void ApiServer::answer(Client& c, std::string_view line) {
  ++stats_.requests;
  std::string response;
  try {
    response = handler_(line, c.peer);
  } catch (const std::exception& e) {
    response = error_line("InternalError", e.what());
  } catch (...) {
    response = error_line("InternalError", "the request handler failed");
  }
  if (!c.closed) {  // the handler may have stopped the server
    queue_output(c, response);
  }
}

void ApiServer::queue_output(Client& c, std::string_view response) {
  if (c.pending_output() == 0) {
    // The stall clock starts when the client has something to read.
    c.last_output_progress = Clock::now();
  }
  const size_t start = c.output.size();
  c.output.append(response);
  std::replace(c.output.begin() + static_cast<std::ptrdiff_t>(start), c.output.end(), '\n', ' ');
  c.output.push_back('\n');
  if (c.pending_output() > options_.max_pending_output) {
    ++stats_.dropped_output_cap;
    close_client(c);
  }
}

void ApiServer::flush_output(Client& c) {
  while (c.pending_output() > 0) {
    const ssize_t n = ::send(c.fd.get(), c.output.data() + c.output_sent, c.pending_output(),
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.output_sent += static_cast<size_t>(n);
      c.last_output_progress = Clock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;  // EPOLLOUT will tell us when there is room
    }
    close_client(c);  // EPIPE, ECONNRESET: the reader is gone
    return;
  }
  if (c.output_sent == c.output.size()) {
    c.output.clear();
    c.output_sent = 0;
  } else if (c.output_sent >= c.output.size() / 2) {
    c.output.erase(0, c.output_sent);
    c.output_sent = 0;
  }
}

void ApiServer::settle(const ClientPtr& client) {
  Client& c = *client;
  const bool input_done = c.closing || (c.input_ended && !c.input.has_buffered());
  if (input_done && c.pending_output() == 0) {
    close_client(c);
    return;
  }
  uint32_t wanted = 0;
  if (!c.closing && !c.input_ended && c.pending_output() < kPauseInputAbovePendingBytes) {
    wanted |= EPOLLIN;
  }
  if (c.pending_output() > 0) {
    wanted |= EPOLLOUT;
  }
  if (wanted != c.interest) {
    if (!loop_.modify_fd(c.fd.get(), wanted)) {
      close_client(c);
      return;
    }
    c.interest = wanted;
  }
  arm_deadline(client);
}

Clock::time_point ApiServer::deadline_of(const Client& c) const {
  Clock::time_point deadline =
      std::max(c.last_input, c.last_output_progress) + options_.idle_timeout;
  // Mid-line: only while we are reading, so a client is not blamed for input
  // we left in the kernel buffer ourselves.
  if (c.reading() && c.input.has_buffered()) {
    deadline = std::min(deadline, c.last_input + options_.client_timeout);
  }
  if (c.pending_output() > 0) {
    deadline = std::min(deadline, c.last_output_progress + options_.client_timeout);
  }
  return deadline;
}

void ApiServer::arm_deadline(const ClientPtr& client) {
  Client& c = *client;
  const Clock::time_point due = deadline_of(c);
  if (c.deadline_timer != 0) {
    if (c.deadline_timer_due <= due) {
      return;  // fires no later than needed; on_deadline() re-checks then
    }
    loop_.cancel_timer(c.deadline_timer);
  }
  const auto delay = std::max(std::chrono::milliseconds(0),
                              std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now()));
  std::weak_ptr<Client> weak = client;
  c.deadline_timer = loop_.add_timer(delay, [this, weak] {
    if (ClientPtr locked = weak.lock()) {
      on_deadline(locked);
    }
  });
  c.deadline_timer_due = due;
}

void ApiServer::on_deadline(const ClientPtr& client) {
  Client& c = *client;
  c.deadline_timer = 0;
  if (c.closed) {
    return;
  }
  if (Clock::now() < deadline_of(c)) {
    arm_deadline(client);  // there was activity since the timer was armed
    return;
  }
  const bool stalled = c.pending_output() > 0 || (c.reading() && c.input.has_buffered());
  ++(stalled ? stats_.dropped_stalled : stats_.dropped_idle);
  close_client(c);
}

void ApiServer::close_client(Client& c) {
  if (c.closed) {
    return;
  }
  c.closed = true;
  if (c.deadline_timer != 0) {
    loop_.cancel_timer(c.deadline_timer);
    c.deadline_timer = 0;
  }
  const int fd = c.fd.get();
  loop_.remove_fd(fd);
  c.fd.reset();
  // Callers hold their own ClientPtr, so `c` outlives this erase.
  clients_.erase(fd);
}

}  // namespace vpngw
