// The vocabulary between the iSCSI session layer and the SCSI layer: what a
// command asks for (CommandInfo), what the session hands over (Request) and
// what comes back (Result). Nothing here knows about PDUs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

#include "scsi/sense.h"
#include "wire/bytes.h"

namespace iscsi::scsi {

// Opaque identifier of an I_T nexus, assigned by the session layer per
// initiator port (InitiatorName + ISID) and target port (SAM-5 I_T nexus).
using NexusId = std::uint64_t;

// A point in time as the caller passes it in (LogicalUnit::advance); the
// SCSI layer never reads a clock.
using TimePoint = std::chrono::steady_clock::time_point;

enum class DataDirection : std::uint8_t { None, Read, Write };

struct Result {
  Status status = Status::Good;
  std::optional<Sense> sense;  // set exactly when status is CHECK CONDITION
  wire::Bytes data_in;         // never longer than the request's data_in_capacity
  // Set when the status follows later: the command started a long operation
  // of the logical unit (SANITIZE with IMMED 0, SBC-3 §4.11) and ends when
  // it does. The other fields are not meaningful yet; ask the unit again
  // (LogicalUnit::poll) with `operation`, not before `ready_at`.
  struct Pending {
    std::uint64_t operation = 0;
    TimePoint ready_at{};
    bool operator==(const Pending&) const = default;
  };
  std::optional<Pending> pending;

  static Result good(wire::Bytes data = {}) {
    Result r;
    r.data_in = std::move(data);
    return r;
  }
  static Result check_condition(Sense s) {
    Result r;
    r.status = Status::CheckCondition;
    r.sense = std::move(s);
    return r;
  }
  // A status without sense data (RESERVATION CONFLICT, CONDITION MET).
  static Result with_status(Status s) {
    Result r;
    r.status = s;
    return r;
  }
  bool operator==(const Result&) const = default;
};

// What a CDB asks for, before any data moves.
struct CommandInfo {
  DataDirection direction = DataDirection::None;
  // Bytes the CDB itself transfers: TRANSFER LENGTH x block size for block
  // commands, the ALLOCATION LENGTH for commands returning parameter data.
  // The session layer transfers min(ExpectedDataTransferLength, this) and
  // reports the difference as a residual (RFC 3720 §10.4.5).
  std::uint32_t transfer_length = 0;
  // Set when the command is already complete: answer with this and transfer
  // no data (unsupported opcode, invalid field, LBA out of range, unit
  // attention, not ready, ...).
  std::optional<Result> early;
};

struct Request {
  wire::ByteView cdb;
  NexusId nexus = 0;
  // The Data-Out bytes received. Shorter than CommandInfo::transfer_length
  // when ExpectedDataTransferLength was shorter (residual overflow).
  wire::ByteView data_out;
  // Most Data-In bytes the session will send (ExpectedDataTransferLength);
  // longer parameter data is truncated as an allocation length would.
  std::uint32_t data_in_capacity = 0;
};

// Task management functions that reset state (RFC 3720 §10.5.1, SAM-5 §7).
enum class ResetKind : std::uint8_t { LogicalUnit, TargetWarm, TargetCold };

}  // namespace iscsi::scsi
