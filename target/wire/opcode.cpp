#include "wire/opcode.h"

namespace iscsi::wire {

OpcodeClass classify_opcode(std::uint8_t opcode) {
  opcode &= kOpcodeMask;
  if (opcode_name(opcode)) return OpcodeClass::Defined;
  if ((opcode >= 0x1c && opcode <= 0x1e) || (opcode >= 0x3c && opcode <= 0x3e)) {
    return OpcodeClass::VendorSpecific;
  }
  return OpcodeClass::Reserved;
}

std::optional<std::string_view> opcode_name(std::uint8_t opcode) {
  switch (static_cast<Opcode>(opcode & kOpcodeMask)) {
    case Opcode::NopOut:
      return "NOP-Out";
    case Opcode::ScsiCommand:
      return "SCSI Command";
    case Opcode::TaskManagementRequest:
      return "Task Management Function Request";
    case Opcode::LoginRequest:
      return "Login Request";
    case Opcode::TextRequest:
      return "Text Request";
    case Opcode::ScsiDataOut:
      return "SCSI Data-Out";
    case Opcode::LogoutRequest:
      return "Logout Request";
    case Opcode::SnackRequest:
      return "SNACK Request";
    case Opcode::NopIn:
      return "NOP-In";
    case Opcode::ScsiResponse:
      return "SCSI Response";
    case Opcode::TaskManagementResponse:
      return "Task Management Function Response";
    case Opcode::LoginResponse:
      return "Login Response";
    case Opcode::TextResponse:
      return "Text Response";
    case Opcode::ScsiDataIn:
      return "SCSI Data-In";
    case Opcode::LogoutResponse:
      return "Logout Response";
    case Opcode::ReadyToTransfer:
      return "R2T";
    case Opcode::AsyncMessage:
      return "Asynchronous Message";
    case Opcode::Reject:
      return "Reject";
  }
  return std::nullopt;
}

}  // namespace iscsi::wire
