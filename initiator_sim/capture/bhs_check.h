// Does a 48-byte header look like the Basic Header Segment of a real PDU?
// Used to find PDU boundaries in a stream whose framing was lost (a capture
// gap, garbage bytes, a capture that starts mid-connection). The checks are
// the format rules of RFC 3720 §10 that a compliant sender always follows,
// so that a false match in random bytes is very unlikely:
// - byte 0 bit 7 is 0 and the opcode is one of the 18 defined PDUs of the
//   side that sends on this direction (§10.2.1.2);
// - no reserved bit is set and every bit the figure fixes at 1 is 1 (§10:
//   reserved fields are sent as 0);
// - only a SCSI Command carries AHS (§10.2.2), and within 255 words;
// - PDUs for which §10 defines no data segment announce none (R2T §10.8,
//   Logout §10.14/§10.15, TMF §10.5/§10.6, SNACK §10.16), and a Reject
//   carries at least the 48-byte header it rejects (§10.17.3);
// - the data segment is within `max_data_segment` bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "wire/bytes.h"
#include "wire/opcode.h"

namespace iscsi::capture {

enum class HeaderFault : std::uint8_t {
  None,
  ShortHeader,      // fewer than 48 bytes
  Bit7Set,          // byte 0 bit 7
  UndefinedOpcode,  // reserved or vendor-specific opcode
  OtherSide,        // an opcode of the side that does not send on this stream
  ReservedBits,
  FixedBitsClear,
  Ahs,             // AHS on a PDU other than a SCSI Command
  DataTooLong,     // DataSegmentLength over the limit
  UnexpectedData,  // a data segment on a PDU that defines none
  ShortReject,     // a Reject without the rejected header
};

std::string_view header_fault_text(HeaderFault fault);

// Why `bhs` (at least 48 bytes) is not a plausible header for a PDU sent by
// `sender` (either side when nullopt), or HeaderFault::None when it is.
// A `loose` check leaves out the sender and the reserved and fixed bits
// (which a faulty peer may get wrong while still framing its PDUs right);
// it serves to confirm a header by the one that follows it.
HeaderFault check_header(wire::ByteView bhs, std::optional<wire::Sender> sender,
                         std::uint32_t max_data_segment, bool loose = false);

// Bytes a PDU with this header spans: header, AHS, optional header digest,
// padded data segment and optional data digest.
std::uint64_t pdu_wire_length(wire::ByteView bhs, bool header_digest, bool data_digest);

}  // namespace iscsi::capture
