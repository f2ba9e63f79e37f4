// PDU opcodes, RFC 3720 §10.2.1.2.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace iscsi::wire {

enum class Opcode : std::uint8_t {
  // Initiator opcodes.
  NopOut = 0x00,
  ScsiCommand = 0x01,
  TaskManagementRequest = 0x02,
  LoginRequest = 0x03,
  TextRequest = 0x04,
  ScsiDataOut = 0x05,
  LogoutRequest = 0x06,
  SnackRequest = 0x10,
  // Target opcodes.
  NopIn = 0x20,
  ScsiResponse = 0x21,
  TaskManagementResponse = 0x22,
  LoginResponse = 0x23,
  TextResponse = 0x24,
  ScsiDataIn = 0x25,
  LogoutResponse = 0x26,
  ReadyToTransfer = 0x31,
  AsyncMessage = 0x32,
  Reject = 0x3f,
};

// Who sends a PDU: initiator opcodes are 0x00-0x1f, target opcodes 0x20-0x3f.
enum class Sender : std::uint8_t { Initiator, Target };

enum class OpcodeClass : std::uint8_t {
  Defined,         // one of the 18 PDUs of §10
  VendorSpecific,  // 0x1c-0x1e (initiator) and 0x3c-0x3e (target)
  Reserved,        // everything else
};

constexpr std::uint8_t kOpcodeMask = 0x3f;    // byte 0, bits 0-5
constexpr std::uint8_t kImmediateBit = 0x40;  // byte 0, bit 6 ("I")

constexpr Sender sender_of(std::uint8_t opcode) {
  return (opcode & 0x20) ? Sender::Target : Sender::Initiator;
}

OpcodeClass classify_opcode(std::uint8_t opcode);

// The RFC's name of the PDU ("SCSI Command", "R2T", ...), or nullopt when the
// opcode is not one of the 18 defined PDUs.
std::optional<std::string_view> opcode_name(std::uint8_t opcode);

inline std::string_view opcode_name(Opcode op) {
  return *opcode_name(static_cast<std::uint8_t>(op));
}

}  // namespace iscsi::wire
