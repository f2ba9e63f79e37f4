// Decode errors and the reaction RFC 3720 prescribes for each.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace iscsi::wire {

// Reject reasons, §10.17.1.
enum class RejectReason : std::uint8_t {
  DataDigestError = 0x02,
  SnackReject = 0x03,
  ProtocolError = 0x04,
  CommandNotSupported = 0x05,
  ImmediateCommandReject = 0x06,
  TaskInProgress = 0x07,
  InvalidDataAck = 0x08,
  InvalidPduField = 0x09,
  LongOperationReject = 0x0a,
  NegotiationReset = 0x0b,
  WaitingForLogout = 0x0c,
};

std::string_view reject_reason_name(std::uint8_t reason);

// What the receiver of a bad PDU does about it.
enum class Reaction : std::uint8_t {
  // Answer with a Reject PDU carrying `reject_reason` and the bad header; the
  // framing is intact and the connection goes on.
  Reject,
  // Close the connection: the stream can no longer be framed or trusted
  // (§6.6 format errors, §6.7 header digest errors at ErrorRecoveryLevel 0).
  DropConnection,
};

enum class DecodeErrc : std::uint8_t {
  Truncated,           // fewer bytes than the header announces
  ReservedOpcode,      // opcode not defined by §10.2.1.2
  VendorOpcode,        // vendor-specific opcode we do not implement
  WrongDirection,      // a target opcode sent to a target, or vice versa
  AhsMalformed,        // AHS entries do not fill TotalAHSLength exactly, or a bad AHS
  DataSegmentTooLong,  // DataSegmentLength over the receiver's MaxRecvDataSegmentLength
  HeaderDigestMismatch,
  DataDigestMismatch,
};

std::string_view decode_errc_name(DecodeErrc code);

struct DecodeError {
  DecodeErrc code;
  Reaction reaction;
  RejectReason reject_reason;  // meaningful when reaction == Reject
  std::string detail;          // human-readable, for logs and reports
};

}  // namespace iscsi::wire
