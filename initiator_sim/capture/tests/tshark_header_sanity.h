// Wireshark's iSCSI dissector checks the header at the start of every TCP
// segment (or reassembled run of segments) it is handed before it takes
// the bytes for iSCSI at all: reserved bits and bytes must be zero, flag
// combinations and enumerated values (TMF function, logout reason, reject
// reason, SCSI status, ...) must be ones it knows. A header that fails is
// not dissected, and neither is the rest of that segment: tshark shows
// those bytes as TCP payload. The checks exist to keep data blocks from
// being taken for headers; they also hide the deliberately malformed PDUs
// of conformance cases (a NOP-Out with reserved bytes set, a Text Request
// with both F and C, an undefined TMF function).
//
// This is that check, written from the dissector's documented rules
// (epan/dissectors/packet-iscsi.c, dissect_iscsi: "all reserved or
// undefined bits in iscsi must be set to zero"), so that the interop test
// can tell a PDU tshark legitimately refuses from a disagreement.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

namespace iscsi::capture::tshark_check {

namespace detail {

inline std::uint32_t word(const std::array<std::uint8_t, 48>& b, int at) {
  return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
         static_cast<std::uint32_t>(b[at + 2]) << 8 | b[at + 3];
}

inline bool zero_words(const std::array<std::uint8_t, 48>& b, std::initializer_list<int> at) {
  for (int a : at) {
    if (word(b, a) != 0) return false;
  }
  return true;
}

inline bool one_of(int v, std::initializer_list<int> known) {
  for (int k : known) {
    if (v == k) return true;
  }
  return false;
}

// Login Request/Response byte 1: T and C not both, reserved bits clear,
// CSG and NSG not 2, NSG not 0 with T.
inline bool login_flags_ok(std::uint8_t f) {
  if (!one_of(f & 0xf0, {0x80, 0x40, 0x00})) return false;
  if ((f & 0x03) == 0x02 || (f & 0x0c) == 0x08) return false;
  return !(f & 0x80) || (f & 0x03);
}

}  // namespace detail

// Whether tshark takes a segment that starts with this header for iSCSI.
inline bool tshark_takes_header(const std::array<std::uint8_t, 48>& b) {
  using detail::one_of;
  using detail::word;
  using detail::zero_words;
  const int opcode = b[0] & 0x3f;
  const bool bit7_clear = !(b[0] & 0x80);  // requests: only I may be set
  const bool top_clear = !(b[0] & 0xc0);   // responses: neither bit
  const bool bytes_2_3_zero = b[2] == 0 && b[3] == 0;
  switch (opcode) {
    case 0x00:  // NOP-Out: ITT and TTT non-zero (zeros mean a data block)
      return bit7_clear && b[1] == 0x80 && bytes_2_3_zero && word(b, 16) != 0 && word(b, 20) != 0 &&
             zero_words(b, {32, 36, 40, 44});
    case 0x20:  // NOP-In
      return top_clear && b[1] == 0x80 && bytes_2_3_zero;
    case 0x01:  // SCSI Command: LUN bytes 2-7 zero, transfer length under 16 MiB
      return bit7_clear && !(b[1] & 0x18) && bytes_2_3_zero && b[10] == 0 && b[11] == 0 &&
             b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0 && b[20] == 0;
    case 0x21:  // SCSI Response: a known status
      return top_clear && (b[1] & 0x80) && !(b[1] & 0x61) &&
             one_of(b[3], {0x00, 0x02, 0x04, 0x08, 0x10, 0x14, 0x18, 0x22, 0x28, 0x30, 0x40}) &&
             zero_words(b, {8, 12});
    case 0x02:  // TMF Request: a known function (1-8)
      return bit7_clear && (b[1] & 0x80) && one_of(b[1] & 0x7f, {1, 2, 3, 4, 5, 6, 7, 8}) &&
             bytes_2_3_zero && word(b, 4) == 0;
    case 0x22:  // TMF Response: response 0-6 or 255
      return top_clear && b[1] == 0x80 && (b[2] <= 6 || b[2] == 255) && b[3] == 0 &&
             zero_words(b, {4, 8, 12, 20, 36, 40, 44});
    case 0x03:  // Login Request: I set, as §10.12 requires
      return (b[0] & 0xc0) == 0x40 && detail::login_flags_ok(b[1]);
    case 0x23:  // Login Response
      return top_clear && detail::login_flags_ok(b[1]) && zero_words(b, {20, 40, 44}) &&
             b[38] == 0 && b[39] == 0;
    case 0x04:  // Text Request: exactly one of F and C
      return bit7_clear && one_of(b[1], {0x80, 0x40}) && bytes_2_3_zero &&
             zero_words(b, {32, 36, 40, 44});
    case 0x24:  // Text Response
      return top_clear && one_of(b[1], {0x80, 0x40}) && bytes_2_3_zero &&
             zero_words(b, {36, 40, 44});
    case 0x05:  // SCSI Data-Out
      return top_clear && !(b[1] & 0x7f) && bytes_2_3_zero && zero_words(b, {24, 32, 44});
    case 0x25:  // SCSI Data-In
      return top_clear && !(b[1] & 0x38) && b[2] == 0;
    case 0x06:  // Logout Request: a known reason (0-2)
      return bit7_clear && (b[1] & 0x80) && one_of(b[1] & 0x7f, {0, 1, 2}) && bytes_2_3_zero &&
             zero_words(b, {4, 8, 12, 32, 36, 40, 44});
    case 0x26:  // Logout Response: a known response (0-3)
      return top_clear && b[1] == 0x80 && b[2] <= 3 && b[3] == 0 &&
             zero_words(b, {4, 8, 12, 20, 36, 44});
    case 0x10: {  // SNACK Request: a known type (0-3)
      const int type = b[1] & 0x0f;
      if (!top_clear || (b[1] & 0xf0) != 0x80 || type > 3 || !bytes_2_3_zero) return false;
      if ((type == 1 || type == 2) && word(b, 16) != 0xffffffff) return false;
      if (type == 3 && (word(b, 20) == 0xffffffff || word(b, 20) == 0)) return false;
      return zero_words(b, {24, 32, 36});
    }
    case 0x31:  // R2T: DesiredDataTransferLength non-zero
      return top_clear && b[1] == 0x80 && bytes_2_3_zero && word(b, 4) == 0 && word(b, 44) != 0;
    case 0x32:  // Asynchronous Message
      return top_clear && b[1] == 0x80 && bytes_2_3_zero && zero_words(b, {20, 44}) &&
             word(b, 16) == 0xffffffff;
    case 0x3f:  // Reject: a known reason (1-12)
      return top_clear && b[1] == 0x80 && b[2] >= 1 && b[2] <= 0x0c && b[3] == 0 &&
             zero_words(b, {8, 12, 20, 40, 44}) && word(b, 16) == 0xffffffff;
    case 0x1c:
    case 0x1d:
    case 0x1e:
    case 0x3c:
    case 0x3d:
    case 0x3e:  // vendor specific
      return true;
    default:
      return false;
  }
}

}  // namespace iscsi::capture::tshark_check
