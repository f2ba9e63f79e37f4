#include "session/session_table.h"

namespace iscsi::session {

std::optional<std::uint16_t> SessionTable::create(const SessionKey& key,
                                                  negotiation::SessionType type,
                                                  std::function<void()> close,
                                                  std::uint64_t* nexus_id, bool* reinstated) {
  std::function<void()> close_old;
  std::uint16_t tsih = 0;
  if (reinstated) *reinstated = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = by_key_.find(key); it != by_key_.end()) {
      auto old = by_tsih_.find(it->second);
      if (old != by_tsih_.end()) {
        close_old = std::move(old->second.close);
        by_tsih_.erase(old);
        if (reinstated) *reinstated = true;
      }
      by_key_.erase(it);
    }
    // §10.12.6: TSIH 0 is reserved for "new session"; pick the next free one.
    for (std::uint32_t tries = 0; tries < 0xffff; ++tries) {
      const std::uint16_t candidate = next_tsih_;
      next_tsih_ = static_cast<std::uint16_t>(next_tsih_ == 0xffff ? 1 : next_tsih_ + 1);
      if (!by_tsih_.contains(candidate)) {
        tsih = candidate;
        break;
      }
    }
    if (tsih != 0) {
      SessionInfo info{tsih, key, type, nexus_for(key), std::move(close)};
      if (nexus_id) *nexus_id = info.nexus_id;
      by_key_[key] = tsih;
      by_tsih_.emplace(tsih, std::move(info));
    }
  }
  // Outside the lock: close() may call back into remove().
  if (close_old) close_old();
  if (tsih == 0) return std::nullopt;
  return tsih;
}

std::uint64_t SessionTable::nexus_for(const SessionKey& key) {
  if (auto it = nexus_ids_.find(key); it != nexus_ids_.end()) return it->second;
  while (nexus_ids_.size() >= kMaxRememberedNexuses && !nexus_order_.empty()) {
    const SessionKey oldest = nexus_order_.front();
    nexus_order_.pop_front();
    if (!by_key_.contains(oldest)) {
      nexus_ids_.erase(oldest);
    } else {
      nexus_order_.push_back(oldest);  // still in use: keep it
      if (nexus_order_.size() <= by_key_.size()) break;
    }
  }
  const std::uint64_t id = next_nexus_++;
  nexus_ids_.emplace(key, id);
  nexus_order_.push_back(key);
  return id;
}

bool SessionTable::remove(std::uint16_t tsih) {
  std::lock_guard lock(mutex_);
  auto it = by_tsih_.find(tsih);
  // Gone already: a reinstatement replaced it, and the new session carries
  // the nexus on.
  if (it == by_tsih_.end()) return false;
  const SessionKey key = it->second.key;
  auto k = by_key_.find(key);
  if (k != by_key_.end() && k->second == tsih) by_key_.erase(k);
  by_tsih_.erase(it);
  return !by_key_.contains(key);
}

std::optional<SessionInfo> SessionTable::find(std::uint16_t tsih) const {
  std::lock_guard lock(mutex_);
  auto it = by_tsih_.find(tsih);
  if (it == by_tsih_.end()) return std::nullopt;
  SessionInfo copy = it->second;
  return copy;
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mutex_);
  return by_tsih_.size();
}

}  // namespace iscsi::session
