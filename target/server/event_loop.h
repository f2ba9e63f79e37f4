// One event-loop thread: the connections it accepts and owns, their sockets,
// timers and output. Nothing here is shared with other loops except the
// listening sockets (through the Acceptor).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "server/acceptor.h"
#include "server/admission.h"
#include "session/connection.h"
#include "session/session_table.h"
#include "session/target_config.h"

namespace iscsi::server {

class EventLoop {
 public:
  // `failed_logins` (optional) counts and rate-limits the login failure log;
  // `acceptor` (optional) gives the listening sockets this loop accepts from.
  EventLoop(const session::TargetConfig& config, session::SessionTable& sessions,
            std::size_t max_pending_output, FailedLoginMonitor* failed_logins = nullptr,
            Acceptor* acceptor = nullptr);
  ~EventLoop();

  bool ok() const { return epoll_fd_ >= 0 && wake_fd_ >= 0; }
  // Thread-safe: asks every connection to log out, then stops when all are
  // gone or `wait` has passed.
  void begin_shutdown(std::chrono::seconds wait);
  // Thread-safe: wakes the loop.
  void wake();
  void run();

 private:
  struct Conn {
    int fd;
    std::unique_ptr<session::TargetConnection> protocol;
    bool want_write = false;
    bool reading = true;
    ConnectionSlot slot;
  };

  void accept_from(std::size_t portal);
  void unwatch_listeners();
  void service(Conn& c, bool readable);
  void flush(Conn& c);
  void update_events(Conn& c);
  void drop(int fd);

  const session::TargetConfig& config_;
  session::SessionTable& sessions_;
  std::size_t max_pending_output_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  FailedLoginMonitor* failed_logins_;
  Acceptor* acceptor_;
  bool watching_listeners_ = false;
  std::atomic<bool> shutdown_requested_{false};
  std::chrono::seconds shutdown_wait_{0};
  bool shutting_down_ = false;
  session::TargetConnection::TimePoint shutdown_deadline_;
  std::map<int, Conn> conns_;
  std::vector<std::uint8_t> read_buffer_;
};

}  // namespace iscsi::server
