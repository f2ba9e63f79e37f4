#include "server/admission.h"

namespace iscsi::server {

ConnectionLimiter::ConnectionLimiter(ConnectionLimits limits, std::size_t portals)
    : limits_(limits), per_portal_(portals, 0) {}

ConnectionLimiter::Verdict ConnectionLimiter::admit(std::size_t portal,
                                                    const std::string& address) {
  std::lock_guard lock(mutex_);
  if (portal >= per_portal_.size()) return Verdict::PortalFull;
  if (per_portal_[portal] >= limits_.per_portal) return Verdict::PortalFull;
  auto it = per_address_.find(address);
  const std::size_t from = it == per_address_.end() ? 0 : it->second;
  if (from >= limits_.per_address) return Verdict::AddressFull;
  ++per_portal_[portal];
  ++per_address_[address];
  return Verdict::Admitted;
}

void ConnectionLimiter::release(std::size_t portal, const std::string& address) {
  std::lock_guard lock(mutex_);
  if (portal < per_portal_.size() && per_portal_[portal] > 0) --per_portal_[portal];
  auto it = per_address_.find(address);
  if (it == per_address_.end()) return;
  // Addresses without connections are forgotten, so the map stays as large
  // as the set of connected hosts.
  if (--it->second == 0) per_address_.erase(it);
}

std::size_t ConnectionLimiter::on_portal(std::size_t portal) const {
  std::lock_guard lock(mutex_);
  return portal < per_portal_.size() ? per_portal_[portal] : 0;
}

std::size_t ConnectionLimiter::from_address(const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    reset();
    limiter_ = other.limiter_;
    portal_ = other.portal_;
    address_ = std::move(other.address_);
    other.limiter_ = nullptr;
  }
  return *this;
}

void ConnectionSlot::reset() {
  if (limiter_) limiter_->release(portal_, address_);
  limiter_ = nullptr;
}

FailedLoginMonitor::FailedLoginMonitor(std::size_t threshold, std::chrono::seconds window)
    : threshold_(threshold), window_(window) {}

FailedLoginMonitor::Report FailedLoginMonitor::record(Clock::time_point now,
                                                      const std::string& address) {
  std::lock_guard lock(mutex_);
  Report r;
  ++total_;
  if (!started_ || now - window_start_ >= window_) {
    if (started_ && in_window_ > threshold_) {
      r.summary = std::to_string(in_window_) + " failed logins in the previous " +
                  std::to_string(window_.count()) + " s";
    }
    started_ = true;
    window_start_ = now;
    in_window_ = 0;
  }
  ++in_window_;
  if (in_window_ == threshold_) {
    r.summary = std::to_string(in_window_) + " failed logins within " +
                std::to_string(window_.count()) + " s (latest from " + address +
                "); further failures in this period are counted, not logged";
  }
  r.log_failure = in_window_ <= threshold_;
  return r;
}

std::size_t FailedLoginMonitor::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

}  // namespace iscsi::server
