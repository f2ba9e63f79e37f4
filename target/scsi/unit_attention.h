// Pending unit attention conditions per I_T nexus (SAM-5, unit attention
// conditions). Not thread-safe; the logical unit guards it.
//
// Rules implemented:
// - A nexus the table has never seen has a POWER ON, RESET, OR BUS DEVICE
//   RESET OCCURRED (29/00) condition pending: the unit powered on before the
//   nexus existed and nothing has reported that yet.
// - Conditions queue per nexus and are reported oldest first, one per
//   command; a 29h condition (power on or reset) replaces everything queued
//   before it, since a reset supersedes the events it wipes out.
// - The queue is bounded; when full, new conditions other than 29h ones are
//   dropped (the initiator still learns of the most important event).
// - A lost nexus (session ended) keeps I_T NEXUS LOSS OCCURRED (29/07)
//   pending in case it comes back. At most `max_lost` lost nexuses are
//   remembered; the oldest beyond that are forgotten and, if they return,
//   get 29/00 like a new nexus.
// - At most `max_tracked` nexuses are tracked at all, so a session layer
//   that hands out a fresh id per session cannot grow the table without
//   bound; beyond that the longest-known nexus is forgotten (and would see
//   29/00 again, a spurious but harmless condition).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "scsi/command.h"
#include "scsi/sense.h"

namespace iscsi::scsi {

class UnitAttentionTable {
 public:
  static constexpr std::size_t kMaxQueued = 8;

  explicit UnitAttentionTable(std::size_t max_lost = 256, std::size_t max_tracked = 4096)
      : max_lost_(max_lost), max_tracked_(max_tracked < 1 ? 1 : max_tracked) {}

  // The condition to report to `nexus` next, removed from its queue. Marks
  // the nexus as seen (and no longer lost).
  std::optional<Sense> take(NexusId nexus);
  // The condition `nexus` would get next, without consuming it.
  std::optional<Sense> peek(NexusId nexus) const;

  // Queues `condition` for every nexus seen so far except `except`.
  void establish_all(const Sense& condition, std::optional<NexusId> except = std::nullopt);
  // Queues `condition` for one nexus (which becomes seen).
  void establish(NexusId nexus, const Sense& condition);
  // Removes a pending condition with this ASC/ASCQ from the queue of
  // `nexus` (e.g. REPORTED LUNS DATA HAS CHANGED once REPORT LUNS ran).
  void clear(NexusId nexus, std::uint8_t asc, std::uint8_t ascq);

  void nexus_lost(NexusId nexus);

  std::size_t tracked() const { return entries_.size(); }

 private:
  struct Entry {
    std::deque<Sense> pending;
    bool lost = false;
    std::uint64_t lost_seq = 0;  // which entry of lost_order_ is current
    std::uint64_t seen_seq = 0;  // which entry of seen_order_ is current
  };
  // A position in lost_order_ or seen_order_; stale once the entry's
  // sequence number no longer matches.
  struct Mark {
    NexusId nexus;
    std::uint64_t seq;
  };

  Entry& entry(NexusId nexus);  // creates a seen entry with 29/00 pending
  static void enqueue(Entry& e, const Sense& condition);
  void forget_old_lost();

  std::unordered_map<NexusId, Entry> entries_;
  bool current_loss(const Mark& m) const;
  bool current_seen(const Mark& m) const;
  void forget_oldest_seen();
  void erase(NexusId nexus);

  std::deque<Mark> lost_order_;  // oldest first; may hold stale marks
  std::deque<Mark> seen_order_;  // oldest first; may hold stale marks
  std::uint64_t next_seq_ = 0;
  std::size_t lost_count_ = 0;
  std::size_t max_lost_;
  std::size_t max_tracked_;
};

}  // namespace iscsi::scsi
