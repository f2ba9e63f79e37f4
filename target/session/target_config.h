// Configuration of the target node(s) a portal serves and the limits the
// session layer enforces and offers in negotiation.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "negotiation/policy.h"
#include "session/chap_authenticator.h"
#include "session/chap_credentials.h"
#include "session/fault.h"
#include "session/scsi_port.h"

namespace iscsi::session {

struct TargetNode {
  std::string name;   // iSCSI name, e.g. iqn.2025-12.local:storage.disk1
  std::string alias;  // TargetAlias, empty for none
  std::uint16_t portal_group_tag = 1;
  ScsiPort* scsi = nullptr;
  // Authentication of normal sessions to this target.
  AuthSettings auth;
  // The initiator names (IQN, EUI or NAA) admitted; empty admits every
  // initiator. Others are refused with 0x0202 (§10.13.5 "Authorization
  // failure") and not listed by SendTargets.
  std::vector<std::string> allowed_initiators;

  bool allows(std::string_view initiator_name) const;
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
  // Bounds on one whole login phase, all its Login Requests together:
  // requests, data-segment bytes and keys. A login past any of them ends
  // with 0x0302 (Out of resources). The defaults are far above what any
  // real initiator sends (a handful of requests, a few KiB, about 20 keys).
  std::size_t max_login_requests = 128;
  std::size_t max_login_bytes = 262144;
  std::size_t max_login_keys = 2048;
  // Bytes of Data-Out the connection holds buffers for (all its write
  // commands together). A write that would pass it while others are pending
  // ends with TASK SET FULL; one write alone is always admitted (the SCSI
  // layer bounds it by its MAXIMUM TRANSFER LENGTH).
  std::size_t max_pending_write_bytes = 64u << 20;
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
  // Authentication of discovery sessions, configured apart from every
  // target's (§12.21 discovery sessions name no target).
  AuthSettings discovery_auth;
  // The random source of CHAP identifiers and challenges; empty means
  // OpenSSL's CSPRNG. Tests pin it to reproduce published vectors.
  RandomSource random;
  // Rules broken on purpose, to test the conformance suite (see fault.h).
  // Empty except when a fault is asked for by name.
  FaultSet faults;

  const TargetNode* find(std::string_view name) const {
    for (const TargetNode& t : targets) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
};

// The authentication a login must pass: the target's for a normal session,
// the discovery settings for a discovery session.
const AuthSettings& auth_for(const TargetConfig& config, const TargetNode* node,
                             negotiation::SessionType type);

// The negotiation policy a target derives from its limits (RFC 3720 §12)
// and from the authentication the session requires (§11.1).
negotiation::Policy target_policy(const TargetConfig& config, const TargetNode* node,
                                  const AuthSettings& auth = AuthSettings{});

// Checks the authentication settings of the whole configuration against
// RFC 3720 §8.2.1 (secret lengths, one secret per direction).
CredentialCheck check_auth(const TargetConfig& config);

}  // namespace iscsi::session
