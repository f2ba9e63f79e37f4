// The target's sessions: TSIH allocation, lookup by initiator port, and
// session reinstatement (RFC 3720 §5.3.5). Shared by every connection of the
// target and guarded here; everything else in the session layer is owned by
// one connection.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "negotiation/types.h"

namespace iscsi::session {

// An initiator port on a target: §3.4.2 "the I_T nexus is identified by the
// conjunction of the initiator port and target port names", the initiator
// port being the InitiatorName plus the ISID.
struct SessionKey {
  std::string initiator_name;
  std::uint64_t isid = 0;
  std::string target_name;  // empty for discovery sessions
  auto operator<=>(const SessionKey&) const = default;
};

struct SessionInfo {
  std::uint16_t tsih = 0;
  SessionKey key;
  negotiation::SessionType type = negotiation::SessionType::Normal;
  std::uint64_t nexus_id = 0;  // opaque id the SCSI layer keys unit attentions by
  // Asks the connection(s) of the session to close; called by reinstatement
  // from another connection's context, so it must be thread-safe.
  std::function<void()> close;
};

class SessionTable {
 public:
  // Registers a new session for `key`. When a session with the same key
  // exists (§5.3.5 session reinstatement: "the target ... MUST ... close the
  // old session"), its close() is called, it is replaced and `*reinstated`
  // is set. Returns the new TSIH, or nullopt when no TSIH is free.
  std::optional<std::uint16_t> create(const SessionKey& key, negotiation::SessionType type,
                                      std::function<void()> close, std::uint64_t* nexus_id,
                                      bool* reinstated = nullptr);

  // Removes the session (at logout or connection loss), unless `tsih` was
  // already replaced by a reinstatement. Returns true when the I_T nexus
  // ended with it, false when another live session of the same initiator
  // port and target carries it on (a reinstatement, or a new login that
  // completed before the old connection was torn down).
  bool remove(std::uint16_t tsih);

  std::optional<SessionInfo> find(std::uint16_t tsih) const;
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t nexus_for(const SessionKey& key);

  std::map<std::uint16_t, SessionInfo> by_tsih_;
  std::map<SessionKey, std::uint16_t> by_key_;
  // The I_T nexus of an initiator port outlives its sessions (SAM-5: the
  // nexus is the initiator port and target port pair), so a re-login of the
  // same port finds the same id. Bounded: the oldest idle entries go first.
  std::map<SessionKey, std::uint64_t> nexus_ids_;
  std::deque<SessionKey> nexus_order_;
  static constexpr std::size_t kMaxRememberedNexuses = 4096;
  std::uint16_t next_tsih_ = 1;
  std::uint64_t next_nexus_ = 1;
};

}  // namespace iscsi::session
