#include "server/acceptor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

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

Acceptor::Acceptor(std::vector<int> listeners, const ConnectionLimits& limits)
    : listeners_(std::move(listeners)), limits_(limits), limiter_(limits, listeners_.size()) {}

Acceptor::Outcome Acceptor::accept_one(std::size_t portal, std::optional<Accepted>& accepted) {
  if (portal >= listeners_.size()) return Outcome::Closed;
  sockaddr_storage addr{};
  socklen_t length = sizeof addr;
  const int conn = accept4(listeners_[portal], reinterpret_cast<sockaddr*>(&addr), &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (conn < 0) {
    // EINVAL: the listener was shut down (stop()). Anything else (EAGAIN,
    // a connection reset before it was accepted, a full descriptor table)
    // leaves the listener as it is.
    return errno == EINVAL ? Outcome::Closed : Outcome::Empty;
  }
  std::string address = peer_address(addr);
  const auto verdict = limiter_.admit(portal, address);
  if (verdict != ConnectionLimiter::Verdict::Admitted) {
    // Over a limit: closed before a byte is read, so a flood of connections
    // costs the target a file descriptor for an instant.
    ::close(conn);
    refused(verdict, address);
    return Outcome::Refused;
  }
  accepted.emplace(Accepted{conn, ConnectionSlot(&limiter_, portal, std::move(address))});
  return Outcome::Accepted;
}

void Acceptor::stop() {
  // shutdown() of a listening socket ends the listen state: pending and new
  // connections are refused, and epoll waiters are woken.
  for (int fd : listeners_) ::shutdown(fd, SHUT_RDWR);
}

void Acceptor::refused(ConnectionLimiter::Verdict verdict, const std::string& address) {
  // At most one line per 10 s, with the count of the refusals it covers.
  std::lock_guard lock(log_mutex_);
  ++refusals_unlogged_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ < std::chrono::seconds(10)) return;
  log(LogLevel::Warn,
      "refused " + std::to_string(refusals_unlogged_) + " connection(s); latest from " + address +
          (verdict == ConnectionLimiter::Verdict::PortalFull
               ? ": the portal has " + std::to_string(limits_.per_portal) + " connections"
               : ": that address has " + std::to_string(limits_.per_address) + " connections"));
  refusals_unlogged_ = 0;
  last_refusal_log_ = now;
}

}  // namespace iscsi::server
