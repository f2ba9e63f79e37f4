#include "server/server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "server/event_loop.h"

namespace iscsi::server {

Server::Server(const session::TargetConfig& config, ServerOptions options)
    : config_(config),
      options_(std::move(options)),
      failed_logins_(options_.connection_limits.failed_login_threshold,
                     options_.connection_limits.failed_login_window) {}

Server::~Server() {
  // The loops (and every connection's admission slot) go first.
  loops_.clear();
  acceptor_.reset();
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
  acceptor_ = std::make_unique<Acceptor>(listeners_, options_.connection_limits);
  const unsigned threads = std::max(1u, options_.threads);
  for (unsigned i = 0; i < threads; ++i) {
    auto loop = std::make_unique<EventLoop>(config_, sessions_, options_.max_pending_output,
                                            &failed_logins_, acceptor_.get());
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
  // The loops accept and serve; this thread only waits for shutdown().
  for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->run(); });
  while (!stopping_) {
    pollfd p{wake_fd_, POLLIN, 0};
    if (::poll(&p, 1, 1000) < 0 && errno != EINTR) break;
  }
  // Stop accepting, ask every initiator to log out, drain, then exit.
  acceptor_->stop();
  for (auto& loop : loops_) loop->begin_shutdown(options_.logout_wait);
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace iscsi::server
