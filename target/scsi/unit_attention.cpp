#include "scsi/unit_attention.h"

namespace iscsi::scsi {

namespace {

bool is_reset_condition(const Sense& s) { return s.asc == 0x29; }

}  // namespace

UnitAttentionTable::Entry& UnitAttentionTable::entry(NexusId nexus) {
  auto [it, inserted] = entries_.try_emplace(nexus);
  if (inserted) it->second.pending.push_back(sense::power_on_reset_or_bus_device_reset());
  return it->second;
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
  lost_order_.push_back(Loss{nexus, e.lost_seq});
  forget_old_lost();
}

bool UnitAttentionTable::current(const Loss& l) const {
  const auto it = entries_.find(l.nexus);
  return it != entries_.end() && it->second.lost && it->second.lost_seq == l.seq;
}

void UnitAttentionTable::forget_old_lost() {
  while (lost_count_ > max_lost_ && !lost_order_.empty()) {
    const Loss oldest = lost_order_.front();
    lost_order_.pop_front();
    if (!current(oldest)) continue;  // the nexus came back since
    entries_.erase(oldest.nexus);
    --lost_count_;
  }
  // Losses of nexuses that came back are stale; drop them before they pile up.
  if (lost_order_.size() > 2 * max_lost_ + 16) {
    std::deque<Loss> live;
    for (const Loss& l : lost_order_) {
      if (current(l)) live.push_back(l);
    }
    lost_order_.swap(live);
  }
}

}  // namespace iscsi::scsi
