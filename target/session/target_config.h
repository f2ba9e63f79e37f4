// Configuration of the target node(s) a portal serves and the limits the
// session layer enforces and offers in negotiation.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "negotiation/policy.h"
#include "session/scsi_port.h"

namespace iscsi::session {

struct TargetNode {
  std::string name;   // iSCSI name, e.g. iqn.2025-12.local:storage.disk1
  std::string alias;  // TargetAlias, empty for none
  std::uint16_t portal_group_tag = 1;
  ScsiPort* scsi = nullptr;
};

struct TargetLimits {
  // Declared by the target (§12.12): what it receives in one PDU.
  std::uint32_t max_recv_data_segment_length = 262144;
  // Offered ceilings of the negotiated values (§12.13, §12.14, §12.17).
  std::uint32_t max_burst_length = 1048576;
  std::uint32_t first_burst_length = 262144;
  std::uint16_t max_outstanding_r2t = 1;
  // What the target accepts for §12.10/§12.11 (the initiator's offer decides
  // within these: InitialR2T is OR, ImmediateData is AND).
  bool initial_r2t = false;
  bool immediate_data = true;
  // Commands the initiator may have queued beyond ExpCmdSN (MaxCmdSN - ExpCmdSN + 1).
  std::uint32_t cmd_window = 64;
  // Largest assembled text of one login or text negotiation.
  std::size_t max_text_bytes = 65536;
  std::chrono::milliseconds login_timeout{15000};
  // Target-initiated NOP-In pings in full feature phase; 0 = none.
  std::chrono::milliseconds nop_in_interval{0};
  // A ping unanswered for this long ends the connection.
  std::chrono::milliseconds nop_in_timeout{30000};
};

struct TargetConfig {
  std::vector<TargetNode> targets;
  // "host:port" of every portal, for SendTargets TargetAddress records.
  std::vector<std::string> portal_addresses;
  TargetLimits limits;

  const TargetNode* find(std::string_view name) const {
    for (const TargetNode& t : targets) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
};

// The negotiation policy a target derives from its limits (RFC 3720 §12).
negotiation::Policy target_policy(const TargetConfig& config, const TargetNode* node);

}  // namespace iscsi::session
