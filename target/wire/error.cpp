#include "wire/error.h"

namespace iscsi::wire {

std::string_view reject_reason_name(std::uint8_t reason) {
  switch (reason) {
    case 0x02:
      return "Data (payload) Digest Error";
    case 0x03:
      return "SNACK Reject";
    case 0x04:
      return "Protocol Error";
    case 0x05:
      return "Command not supported";
    case 0x06:
      return "Immediate Command Reject - too many immediate commands";
    case 0x07:
      return "Task in progress";
    case 0x08:
      return "Invalid Data ACK";
    case 0x09:
      return "Invalid PDU field";
    case 0x0a:
      return "Long Operation Reject - can't generate Target Transfer Tag";
    case 0x0b:
      return "Negotiation Reset";
    case 0x0c:
      return "Waiting for Logout";
    default:
      return "Reserved";
  }
}

std::string_view decode_errc_name(DecodeErrc code) {
  switch (code) {
    case DecodeErrc::Truncated:
      return "truncated";
    case DecodeErrc::ReservedOpcode:
      return "reserved-opcode";
    case DecodeErrc::VendorOpcode:
      return "vendor-opcode";
    case DecodeErrc::WrongDirection:
      return "wrong-direction";
    case DecodeErrc::AhsMalformed:
      return "ahs-malformed";
    case DecodeErrc::DataSegmentTooLong:
      return "data-segment-too-long";
    case DecodeErrc::HeaderDigestMismatch:
      return "header-digest-mismatch";
    case DecodeErrc::DataDigestMismatch:
      return "data-digest-mismatch";
  }
  return "unknown";
}

}  // namespace iscsi::wire
