// The listening side shared by every event loop: each loop has the portals'
// listening sockets in its own epoll set (EPOLLEXCLUSIVE), so a new
// connection is accepted by the loop that will serve it, with no hand-off
// between threads. Admission control and the refusal log are shared, hence
// thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/admission.h"

namespace iscsi::server {

class Acceptor {
 public:
  Acceptor(std::vector<int> listeners, const ConnectionLimits& limits);

  struct Accepted {
    int fd;
    ConnectionSlot slot;
  };
  enum class Outcome {
    Accepted,  // `accepted` holds the connection
    Refused,   // over a limit: closed at once
    Empty,     // nothing to accept now
    Closed,    // the listener no longer listens (shutdown): stop watching it
  };

  // Accepts one connection from listener `portal` (an index into
  // listeners()), non-blocking.
  Outcome accept_one(std::size_t portal, std::optional<Accepted>& accepted);

  const std::vector<int>& listeners() const { return listeners_; }
  // Stops every listener: new connections are refused by the kernel and
  // every loop watching one is woken (accept then reports Closed).
  void stop();

 private:
  void refused(ConnectionLimiter::Verdict verdict, const std::string& address);

  std::vector<int> listeners_;
  ConnectionLimits limits_;
  ConnectionLimiter limiter_;
  std::mutex log_mutex_;
  std::chrono::steady_clock::time_point last_refusal_log_{};
  std::size_t refusals_unlogged_ = 0;
};

}  // namespace iscsi::server
