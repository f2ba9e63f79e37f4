#include "server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "server/event_loop.h"
#include "server/log.h"

namespace iscsi::server {

namespace {

// The initiator's IP address, without the port: connections are limited per
// host, not per socket.
std::string peer_address(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) return text;
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text)) return text;
  }
  return "unknown";
}

}  // namespace

Server::Server(const session::TargetConfig& config, ServerOptions options)
    : config_(config),
      options_(std::move(options)),
      failed_logins_(options_.connection_limits.failed_login_threshold,
                     options_.connection_limits.failed_login_window) {}

Server::~Server() {
  for (int fd : listeners_) ::close(fd);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool Server::start(std::string& error) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    error = "eventfd failed";
    return false;
  }
  for (PortalAddress& p : options_.portals) {
    const int fd = listen_on(p, error);
    if (fd < 0) return false;
    listeners_.push_back(fd);
  }
  limiter_ = std::make_unique<ConnectionLimiter>(options_.connection_limits, listeners_.size());
  const unsigned threads = std::max(1u, options_.threads);
  for (unsigned i = 0; i < threads; ++i) {
    auto loop = std::make_unique<EventLoop>(config_, sessions_, options_.max_pending_output,
                                            &failed_logins_);
    if (!loop->ok()) {
      error = "cannot create an event loop";
      return false;
    }
    loops_.push_back(std::move(loop));
  }
  return true;
}

void Server::refused(ConnectionLimiter::Verdict verdict, const std::string& address) {
  // At most one line per 10 s, with the count of the refusals it covers.
  ++refusals_unlogged_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ < std::chrono::seconds(10)) return;
  const auto& l = options_.connection_limits;
  log(LogLevel::Warn,
      "refused " + std::to_string(refusals_unlogged_) + " connection(s); latest from " + address +
          (verdict == ConnectionLimiter::Verdict::PortalFull
               ? ": the portal has " + std::to_string(l.per_portal) + " connections"
               : ": that address has " + std::to_string(l.per_address) + " connections"));
  refusals_unlogged_ = 0;
  last_refusal_log_ = now;
}

void Server::shutdown() {
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void Server::run() {
  for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->run(); });
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, listeners_[i], &ev);
  }
  {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = listeners_.size();  // past every portal index: the wake-up
    epoll_ctl(ep, EPOLL_CTL_ADD, wake_fd_, &ev);
  }
  std::size_t next = 0;
  epoll_event events[16];
  while (!stopping_) {
    const int n = epoll_wait(ep, events, 16, 1000);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n && !stopping_; ++i) {
      const std::size_t portal = events[i].data.u64;
      if (portal >= listeners_.size()) continue;
      for (;;) {
        sockaddr_storage addr{};
        socklen_t length = sizeof addr;
        const int conn = accept4(listeners_[portal], reinterpret_cast<sockaddr*>(&addr), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0) break;
        std::string address = peer_address(addr);
        const auto verdict = limiter_->admit(portal, address);
        if (verdict != ConnectionLimiter::Verdict::Admitted) {
          // Over a limit: closed before a byte is read, so a flood of
          // connections costs the target a file descriptor for an instant.
          ::close(conn);
          refused(verdict, address);
          continue;
        }
        loops_[next++ % loops_.size()]->adopt(
            conn, ConnectionSlot(limiter_.get(), portal, std::move(address)));
      }
    }
  }
  ::close(ep);
  // Stop accepting, ask every initiator to log out, drain, then exit.
  for (int fd : listeners_) ::close(fd);
  listeners_.clear();
  for (auto& loop : loops_) loop->begin_shutdown(options_.logout_wait);
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace iscsi::server
