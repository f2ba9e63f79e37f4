#include "scsi/unit_attention.h"

namespace iscsi::scsi {

namespace {

bool is_reset_condition(const Sense& s) {
  return s.asc == 0x29;
}

}  // namespace

UnitAttentionTable::Entry& UnitAttentionTable::entry(NexusId nexus) {
  const auto found = entries_.find(nexus);
  if (found != entries_.end()) return found->second;
  while (entries_.size() >= max_tracked_ && !seen_order_.empty()) forget_oldest_seen();
  Entry& e = entries_[nexus];
  e.pending.push_back(sense::power_on_reset_or_bus_device_reset());
  e.seen_seq = next_seq_++;
  seen_order_.push_back(Mark{nexus, e.seen_seq});
  // Marks of erased entries are stale; drop them before they pile up.
  if (seen_order_.size() > 2 * max_tracked_ + 16) {
    std::deque<Mark> live;
    for (const Mark& m : seen_order_) {
      if (current_seen(m)) live.push_back(m);
    }
    seen_order_.swap(live);
  }
  return e;
}

void UnitAttentionTable::erase(NexusId nexus) {
  const auto it = entries_.find(nexus);
  if (it == entries_.end()) return;
  if (it->second.lost) --lost_count_;
  entries_.erase(it);
}

void UnitAttentionTable::forget_oldest_seen() {
  const Mark oldest = seen_order_.front();
  seen_order_.pop_front();
  if (current_seen(oldest)) erase(oldest.nexus);
}

bool UnitAttentionTable::current_seen(const Mark& m) const {
  const auto it = entries_.find(m.nexus);
  return it != entries_.end() && it->second.seen_seq == m.seq;
}

void UnitAttentionTable::enqueue(Entry& e, const Sense& condition) {
  if (is_reset_condition(condition)) {
    e.pending.clear();
    e.pending.push_back(condition);
    return;
  }
  for (const Sense& s : e.pending) {
    if (s.asc == condition.asc && s.ascq == condition.ascq) return;
  }
  if (e.pending.size() < kMaxQueued) e.pending.push_back(condition);
}

std::optional<Sense> UnitAttentionTable::take(NexusId nexus) {
  Entry& e = entry(nexus);
  if (e.lost) {
    e.lost = false;
    --lost_count_;
  }
  if (e.pending.empty()) return std::nullopt;
  Sense s = e.pending.front();
  e.pending.pop_front();
  return s;
}

std::optional<Sense> UnitAttentionTable::peek(NexusId nexus) const {
  const auto it = entries_.find(nexus);
  if (it == entries_.end()) return sense::power_on_reset_or_bus_device_reset();
  if (it->second.pending.empty()) return std::nullopt;
  return it->second.pending.front();
}

void UnitAttentionTable::establish_all(const Sense& condition, std::optional<NexusId> except) {
  for (auto& [id, e] : entries_) {
    if (except && *except == id) continue;
    enqueue(e, condition);
  }
}

void UnitAttentionTable::establish(NexusId nexus, const Sense& condition) {
  enqueue(entry(nexus), condition);
}

void UnitAttentionTable::clear(NexusId nexus, std::uint8_t asc, std::uint8_t ascq) {
  const auto it = entries_.find(nexus);
  if (it == entries_.end()) return;
  auto& q = it->second.pending;
  for (auto i = q.begin(); i != q.end(); ++i) {
    if (i->asc == asc && i->ascq == ascq) {
      q.erase(i);
      return;
    }
  }
}

void UnitAttentionTable::nexus_lost(NexusId nexus) {
  Entry& e = entry(nexus);
  enqueue(e, sense::i_t_nexus_loss_occurred());
  if (e.lost) return;  // already remembered at its first loss
  e.lost = true;
  e.lost_seq = next_seq_++;
  ++lost_count_;
  lost_order_.push_back(Mark{nexus, e.lost_seq});
  forget_old_lost();
}

bool UnitAttentionTable::current_loss(const Mark& m) const {
  const auto it = entries_.find(m.nexus);
  return it != entries_.end() && it->second.lost && it->second.lost_seq == m.seq;
}

void UnitAttentionTable::forget_old_lost() {
  while (lost_count_ > max_lost_ && !lost_order_.empty()) {
    const Mark oldest = lost_order_.front();
    lost_order_.pop_front();
    if (!current_loss(oldest)) continue;  // the nexus came back since
    erase(oldest.nexus);
  }
  // Losses of nexuses that came back are stale; drop them before they pile up.
  if (lost_order_.size() > 2 * max_lost_ + 16) {
    std::deque<Mark> live;
    for (const Mark& m : lost_order_) {
      if (current_loss(m)) live.push_back(m);
    }
    lost_order_.swap(live);
  }
}

}  // namespace iscsi::scsi
