// The TCP side of the target: listening portals, event-loop threads (epoll)
// that each accept and own their connections outright, timers, and an
// orderly shutdown. The protocol itself lives in session::TargetConnection.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/acceptor.h"
#include "server/admission.h"
#include "server/portal.h"
#include "session/session_table.h"
#include "session/target_config.h"

namespace iscsi::server {

class EventLoop;

struct ServerOptions {
  std::vector<PortalAddress> portals;
  unsigned threads = 2;
  // How long a shutdown waits for initiators to log out (AsyncEvent 1).
  std::chrono::seconds logout_wait{2};
  // A connection whose unsent output exceeds this is not read from until
  // it drains (the peer is not reading).
  std::size_t max_pending_output = 64u << 20;
  // Connections per portal and per initiator address, failed-login logging.
  ConnectionLimits connection_limits;
};

class Server {
 public:
  Server(const session::TargetConfig& config, ServerOptions options);
  ~Server();

  // Binds every portal; false with `error` set when one cannot be bound.
  bool start(std::string& error);
  // Accepts and serves until shutdown() has completed its drain.
  void run();
  // The portals as bound (a port 0 replaced by the port the kernel chose).
  const std::vector<PortalAddress>& portals() const { return options_.portals; }
  // Async-signal-safe: begins the shutdown.
  void shutdown();

 private:
  const session::TargetConfig& config_;
  ServerOptions options_;
  session::SessionTable sessions_;
  FailedLoginMonitor failed_logins_;
  std::vector<int> listeners_;
  // Before the loops: their connections hold admission slots of it.
  std::unique_ptr<Acceptor> acceptor_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::thread> threads_;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
};

}  // namespace iscsi::server
