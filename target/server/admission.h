// Admission control of the TCP side: how many connections a portal and one
// initiator address may hold, and the rate of failed logins, which is
// logged without flooding the log. Thread-safe; time is passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace iscsi::server {

struct ConnectionLimits {
  // Open connections per listening portal, logged in or not.
  std::size_t per_portal = 1024;
  // Open connections from one initiator IP address, over all portals. Above
  // 100 so that a hundred idle connections from one host do not lock out a
  // well-behaved initiator on the same host before the login timeout
  // closes them.
  std::size_t per_address = 128;
  // Failed logins within `failed_login_window` above which the individual
  // failures are no longer logged, only their count.
  std::size_t failed_login_threshold = 10;
  std::chrono::seconds failed_login_window{60};
};

class ConnectionLimiter {
 public:
  enum class Verdict { Admitted, PortalFull, AddressFull };

  ConnectionLimiter(ConnectionLimits limits, std::size_t portals);

  // Counts a new connection on `portal` from `address` when both are under
  // their limits; the caller releases an admitted connection exactly once.
  Verdict admit(std::size_t portal, const std::string& address);
  void release(std::size_t portal, const std::string& address);

  std::size_t on_portal(std::size_t portal) const;
  std::size_t from_address(const std::string& address) const;

 private:
  ConnectionLimits limits_;
  mutable std::mutex mutex_;
  std::vector<std::size_t> per_portal_;
  std::map<std::string, std::size_t> per_address_;
};

// One admitted connection; releases its count when destroyed.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionLimiter* limiter, std::size_t portal, std::string address)
      : limiter_(limiter), portal_(portal), address_(std::move(address)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept { *this = std::move(other); }
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { reset(); }

  const std::string& address() const { return address_; }
  void reset();

 private:
  ConnectionLimiter* limiter_ = nullptr;
  std::size_t portal_ = 0;
  std::string address_;
};

class FailedLoginMonitor {
 public:
  using Clock = std::chrono::steady_clock;

  struct Report {
    bool log_failure = true;             // log this failure on its own line
    std::optional<std::string> summary;  // a rate warning to log as well
  };

  FailedLoginMonitor(std::size_t threshold, std::chrono::seconds window);

  // Records one failed login from `address` at `now`.
  Report record(Clock::time_point now, const std::string& address);
  std::size_t total() const;

 private:
  std::size_t threshold_;
  std::chrono::seconds window_;
  mutable std::mutex mutex_;
  Clock::time_point window_start_{};
  std::size_t in_window_ = 0;
  std::size_t total_ = 0;
  bool started_ = false;
};

}  // namespace iscsi::server
