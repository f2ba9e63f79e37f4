#include "server/event_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "server/log.h"

namespace iscsi::server {

using Clock = session::TargetConnection::Clock;

namespace {
// How session::TargetConnection names the close after a Login reject.
constexpr std::string_view kLoginFailed = "login failed: ";
// Epoll keys: a connection or the wake-up eventfd is its descriptor; a
// listening socket is this bit with the portal's index.
constexpr std::uint64_t kListenerKey = 1ull << 32;
}  // namespace

EventLoop::EventLoop(const session::TargetConfig& config, session::SessionTable& sessions,
                     std::size_t max_pending_output, FailedLoginMonitor* failed_logins,
                     Acceptor* acceptor)
    : config_(config),
      sessions_(sessions),
      max_pending_output_(max_pending_output),
      failed_logins_(failed_logins),
      acceptor_(acceptor),
      read_buffer_(1u << 20) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ >= 0 && wake_fd_ >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_fd_;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  }
  if (epoll_fd_ >= 0 && acceptor_) {
    // Every loop watches every listener; EPOLLEXCLUSIVE wakes one idle loop
    // per new connection instead of all of them.
    const auto& listeners = acceptor_->listeners();
    for (std::size_t i = 0; i < listeners.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLEXCLUSIVE;
      ev.data.u64 = kListenerKey | i;
      if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listeners[i], &ev) == 0) watching_listeners_ = true;
    }
  }
}

EventLoop::~EventLoop() {
  for (auto& [fd, c] : conns_) ::close(fd);
  conns_.clear();
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void EventLoop::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::begin_shutdown(std::chrono::seconds wait) {
  shutdown_wait_ = wait;
  shutdown_requested_ = true;
  wake();
}

void EventLoop::accept_from(std::size_t portal) {
  // One connection per wake-up: the listener stays readable while more are
  // queued, and a loop busy with its connections leaves them to idle loops.
  std::optional<Acceptor::Accepted> accepted;
  const Acceptor::Outcome outcome = acceptor_->accept_one(portal, accepted);
  if (outcome == Acceptor::Outcome::Closed) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, acceptor_->listeners()[portal], nullptr);
    return;
  }
  if (outcome != Acceptor::Outcome::Accepted) return;
  const int fd = accepted->fd;  // TCP_NODELAY comes from the listener (listen_on)
  auto protocol = std::make_unique<session::TargetConnection>(config_, sessions_, Clock::now(),
                                                              [this] { wake(); });
  Conn c{fd, std::move(protocol)};
  c.slot = std::move(accepted->slot);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    ::close(fd);
    return;
  }
  auto [it, inserted] = conns_.emplace(fd, std::move(c));
  (void)inserted;
  // The initiator sends its Login Request right after connecting: it is
  // usually there already, and reading it now saves a wake-up.
  service(it->second, true);
}

void EventLoop::unwatch_listeners() {
  if (!watching_listeners_) return;
  watching_listeners_ = false;
  for (int fd : acceptor_->listeners()) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::drop(int fd) {
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;
  const std::string& reason = it->second.protocol->close_reason();
  const std::string& peer = it->second.slot.address();
  if (reason.rfind(kLoginFailed, 0) == 0) {
    // A refused login is logged with its status and reason (never a
    // secret), and counted, so a guessing attack shows in the log as a rate.
    FailedLoginMonitor::Report report;
    if (failed_logins_) report = failed_logins_->record(Clock::now(), peer);
    if (report.log_failure) {
      log(LogLevel::Warn, (peer.empty() ? std::string() : peer + ": ") + reason);
    }
    if (report.summary) log(LogLevel::Warn, "failed-login rate: " + *report.summary);
  } else if (!reason.empty() && log_enabled(LogLevel::Debug)) {
    log(LogLevel::Debug,
        "closing connection" + (peer.empty() ? std::string() : " from " + peer) + ": " + reason);
  }
  // Closing the socket also takes it out of the epoll set (it is never
  // duplicated).
  ::close(fd);
  conns_.erase(it);
}

void EventLoop::update_events(Conn& c) {
  epoll_event ev{};
  ev.events = EPOLLRDHUP | (c.reading ? EPOLLIN : 0u) | (c.want_write ? EPOLLOUT : 0u);
  ev.data.fd = c.fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void EventLoop::flush(Conn& c) {
  for (;;) {
    const auto out = c.protocol->pending_output();
    if (out.empty()) break;
    const ssize_t n = ::send(c.fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.protocol->consume_output(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    c.protocol->request_close();  // the peer is gone
    return;
  }
  const bool pending = !c.protocol->pending_output().empty();
  const bool reading = c.protocol->pending_output().size() < max_pending_output_;
  if (pending != c.want_write || reading != c.reading) {
    c.want_write = pending;
    c.reading = reading;
    update_events(c);
  }
}

void EventLoop::service(Conn& c, bool readable) {
  if (readable && c.reading) {
    // Bounded per wake-up so one busy connection cannot starve the others.
    for (int round = 0; round < 16; ++round) {
      const ssize_t n = ::recv(c.fd, read_buffer_.data(), read_buffer_.size(), MSG_DONTWAIT);
      if (n > 0) {
        c.protocol->receive(wire::ByteView(read_buffer_.data(), static_cast<std::size_t>(n)),
                            Clock::now());
        if (c.protocol->wants_close() ||
            c.protocol->pending_output().size() >= max_pending_output_) {
          break;
        }
        // A short read emptied the socket: asking again would only return
        // EAGAIN, and epoll reports whatever arrives next.
        if (static_cast<std::size_t>(n) < read_buffer_.size()) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      c.protocol->request_close();  // EOF or error
      break;
    }
  }
  flush(c);
}

void EventLoop::run() {
  std::vector<epoll_event> events(64);
  for (;;) {
    if (shutdown_requested_ && !shutting_down_) {
      shutting_down_ = true;
      unwatch_listeners();
      shutdown_deadline_ = Clock::now() + shutdown_wait_;
      for (auto& [fd, c] : conns_) {
        c.protocol->request_logout(shutdown_wait_, Clock::now());
        flush(c);
      }
    }
    if (shutting_down_ && (conns_.empty() || Clock::now() >= shutdown_deadline_)) break;

    auto now = Clock::now();
    int timeout_ms = 1000;
    for (auto& [fd, c] : conns_) {
      if (auto d = c.protocol->next_deadline()) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*d - now).count();
        timeout_ms = static_cast<int>(std::clamp<long long>(ms + 1, 0, timeout_ms));
      }
    }
    if (shutting_down_) timeout_ms = std::min(timeout_ms, 100);
    const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) {
      log(LogLevel::Error, "epoll_wait failed");
      break;
    }
    for (int i = 0; i < n; ++i) {
      const std::uint64_t key = events[i].data.u64;
      if (key & kListenerKey) {
        if (!shutting_down_) accept_from(static_cast<std::size_t>(key & ~kListenerKey));
        continue;
      }
      const int fd = static_cast<int>(key);
      if (fd == wake_fd_) {
        // One read returns and clears the eventfd's whole count.
        std::uint64_t v;
        [[maybe_unused]] auto r = ::read(wake_fd_, &v, sizeof v);
        continue;
      }
      auto it = conns_.find(fd);
      if (it == conns_.end()) continue;
      const bool readable = events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
      service(it->second, readable);
      // A connection that ended is torn down before the rest of the batch:
      // its session's end (I_T nexus loss: reservations released, unit
      // attentions queued) comes before what other connections sent after
      // it, as epoll reports events in the order they arrived.
      if (it->second.protocol->wants_close() && it->second.protocol->pending_output().empty()) {
        drop(fd);
      }
    }
    now = Clock::now();
    std::vector<int> closing;
    for (auto& [fd, c] : conns_) {
      if (auto d = c.protocol->next_deadline(); d && *d <= now) {
        c.protocol->on_timer(now);
        flush(c);
      }
      if (c.protocol->wants_close() && c.protocol->pending_output().empty()) closing.push_back(fd);
    }
    for (int fd : closing) drop(fd);
  }
  std::vector<int> fds;
  for (auto& [fd, c] : conns_) fds.push_back(fd);
  for (int fd : fds) drop(fd);
}

}  // namespace iscsi::server
