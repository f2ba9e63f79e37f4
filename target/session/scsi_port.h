// What the iSCSI session layer needs from the SCSI layer: plan a command
// (direction and length from the CDB), execute it, and apply task
// management. The reference target implements it over scsi::ScsiTarget;
// tests use fakes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "wire/bytes.h"

namespace iscsi::session {

enum class DataDirection : std::uint8_t { None, Read, Write };

using ScsiTime = std::chrono::steady_clock::time_point;

struct ScsiOutcome {
  std::uint8_t status = 0;  // SAM status: GOOD 0x00, CHECK CONDITION 0x02, ...
  wire::Bytes sense;        // fixed-format sense data, when status is CHECK CONDITION
  wire::Bytes data_in;      // at most the capacity execute() was given
  // Set when the command's status follows later: it started a long
  // operation of the logical unit (SANITIZE with IMMED 0). The fields above
  // are not meaningful yet; call poll() with `token` from `ready_at` on.
  struct Deferred {
    std::uint64_t token = 0;
    ScsiTime ready_at{};
  };
  std::optional<Deferred> deferred;
};

struct ScsiPlan {
  DataDirection direction = DataDirection::None;
  // Bytes the CDB transfers (SCSI's own transfer length or allocation length).
  std::uint32_t transfer_length = 0;
  // Set when the command ends without any data transfer (bad CDB, unknown
  // LUN, unit attention, ...).
  std::optional<ScsiOutcome> early;
};

enum class ResetKind : std::uint8_t { LogicalUnit, TargetWarm, TargetCold };

class ScsiPort {
 public:
  virtual ~ScsiPort() = default;
  // `lun` is the 8-byte LUN field of the PDU; `nexus` identifies the I_T
  // nexus; `expected_data_out` is the Expected Data Transfer Length of a
  // command with the W bit (RFC 3720 §10.3.4), 0 without it.
  virtual ScsiPlan plan(std::uint64_t lun, wire::ByteView cdb, std::uint64_t nexus,
                        std::uint32_t expected_data_out) = 0;
  virtual ScsiOutcome execute(std::uint64_t lun, wire::ByteView cdb, std::uint64_t nexus,
                              wire::ByteView data_out, std::uint32_t data_in_capacity) = 0;
  virtual bool lun_exists(std::uint64_t lun) const = 0;
  // Time passes for the logical units, so long operations whose time has
  // come complete. Called with the connection's current time before plan()
  // and execute() and before poll().
  virtual void advance(ScsiTime now) { (void)now; }
  // The outcome of a deferred command of `lun`: final, or deferred again
  // with a new ready_at.
  virtual ScsiOutcome poll(std::uint64_t lun, std::uint64_t token) {
    (void)lun;
    (void)token;
    return ScsiOutcome{0x40, {}, {}, std::nullopt};  // TASK ABORTED: nothing to wait for
  }
  // Nobody waits for that deferred command any more (aborted, connection
  // gone); the operation it started continues.
  virtual void forget(std::uint64_t lun, std::uint64_t token) {
    (void)lun;
    (void)token;
  }
  virtual void reset(ResetKind kind, std::uint64_t lun, std::uint64_t nexus) = 0;
  // The session of `nexus` ended (logout, connection loss, reinstatement).
  virtual void nexus_lost(std::uint64_t nexus) { (void)nexus; }
  // A nexus entered full feature phase from the initiator port named by
  // InitiatorName and ISID (RFC 3720 §3.4.2), which persistent reservations
  // report in TransportIDs.
  virtual void register_nexus(std::uint64_t nexus, const std::string& initiator_name,
                              std::uint64_t isid) {
    (void)nexus;
    (void)initiator_name;
    (void)isid;
  }
};

}  // namespace iscsi::session
