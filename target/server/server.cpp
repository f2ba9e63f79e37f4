#include "server/server.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "server/event_loop.h"
#include "server/log.h"

namespace iscsi::server {

Server::Server(const session::TargetConfig& config, ServerOptions options)
    : config_(config), options_(std::move(options)) {}

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
  const unsigned threads = std::max(1u, options_.threads);
  for (unsigned i = 0; i < threads; ++i) {
    auto loop = std::make_unique<EventLoop>(config_, sessions_, options_.max_pending_output);
    if (!loop->ok()) {
      error = "cannot create an event loop";
      return false;
    }
    loops_.push_back(std::move(loop));
  }
  return true;
}

void Server::shutdown() {
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void Server::run() {
  for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->run(); });
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  auto watch = [ep](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  };
  for (int fd : listeners_) watch(fd);
  watch(wake_fd_);
  std::size_t next = 0;
  epoll_event events[16];
  while (!stopping_) {
    const int n = epoll_wait(ep, events, 16, 1000);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n && !stopping_; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) continue;
      for (;;) {
        const int conn = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0) break;
        loops_[next++ % loops_.size()]->adopt(conn);
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
