#include "capture/bhs_check.h"

#include "wire/pdu.h"
#include "wire/pdu_codec.h"

namespace iscsi::capture {

using wire::Opcode;

std::string_view header_fault_text(HeaderFault fault) {
  switch (fault) {
    case HeaderFault::None:
      return "plausible";
    case HeaderFault::ShortHeader:
      return "fewer than 48 bytes";
    case HeaderFault::Bit7Set:
      return "byte 0 bit 7 is set";
    case HeaderFault::UndefinedOpcode:
      return "the opcode is not a defined PDU";
    case HeaderFault::OtherSide:
      return "an opcode of the other side";
    case HeaderFault::ReservedBits:
      return "reserved bits are set";
    case HeaderFault::FixedBitsClear:
      return "bits fixed at 1 are clear";
    case HeaderFault::Ahs:
      return "AHS on a PDU other than a SCSI Command";
    case HeaderFault::DataTooLong:
      return "DataSegmentLength over the limit";
    case HeaderFault::UnexpectedData:
      return "a data segment on a PDU that defines none";
    case HeaderFault::ShortReject:
      return "a Reject without the rejected header";
  }
  return "?";
}

HeaderFault check_header(wire::ByteView bhs, std::optional<wire::Sender> sender,
                         std::uint32_t max_data_segment, bool loose) {
  if (bhs.size() < wire::kBhsLength) return HeaderFault::ShortHeader;
  const std::uint8_t op = bhs[0] & wire::kOpcodeMask;
  if (bhs[0] & 0x80) return HeaderFault::Bit7Set;
  if (wire::classify_opcode(op) != wire::OpcodeClass::Defined) return HeaderFault::UndefinedOpcode;
  if (!loose && sender && wire::sender_of(op) != *sender) return HeaderFault::OtherSide;
  const std::uint8_t ahs_words = bhs[4];
  const std::uint32_t data = wire::load_be24(bhs.data() + 5);
  const auto opcode = static_cast<Opcode>(op);
  if (ahs_words != 0 && opcode != Opcode::ScsiCommand) return HeaderFault::Ahs;
  if (data > max_data_segment) return HeaderFault::DataTooLong;
  switch (opcode) {
    case Opcode::ReadyToTransfer:
    case Opcode::LogoutRequest:
    case Opcode::LogoutResponse:
    case Opcode::TaskManagementRequest:
    case Opcode::TaskManagementResponse:
    case Opcode::SnackRequest:
      if (data != 0) return HeaderFault::UnexpectedData;
      break;
    case Opcode::Reject:
      if (data < wire::kBhsLength) return HeaderFault::ShortReject;
      break;
    default:
      break;
  }
  if (loose) return HeaderFault::None;
  // The costlier checks last.
  if (wire::has_reserved_bits_set(bhs)) return HeaderFault::ReservedBits;
  if (wire::has_fixed_bits_clear(bhs)) return HeaderFault::FixedBitsClear;
  return HeaderFault::None;
}

std::uint64_t pdu_wire_length(wire::ByteView bhs, bool header_digest, bool data_digest) {
  const std::uint64_t data = wire::load_be24(bhs.data() + 5);
  std::uint64_t n = wire::kBhsLength + static_cast<std::uint64_t>(bhs[4]) * 4;
  if (header_digest) n += wire::kDigestLength;
  if (data > 0) n += data + wire::pad_length(data) + (data_digest ? wire::kDigestLength : 0);
  return n;
}

}  // namespace iscsi::capture
