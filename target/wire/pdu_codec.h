// Exact encoding and decoding of the typed PDUs of pdu.h (RFC 3720 §10).
#pragma once

#include <array>
#include <optional>

#include "wire/bytes.h"
#include "wire/error.h"
#include "wire/pdu.h"
#include "wire/result.h"

namespace iscsi::wire {

// Digests in force on a connection (HeaderDigest / DataDigest, §12.1).
struct DigestSettings {
  bool header = false;
  bool data = false;
  bool operator==(const DigestSettings&) const = default;
};

// The whole PDU: BHS, AHS, header digest, data segment, padding, data digest.
Bytes encode(const Pdu& pdu, DigestSettings digests = {});
// Appends the encoding to `out`.
void encode_append(const Pdu& pdu, DigestSettings digests, Bytes& out);
// The 48-byte BHS alone, with TotalAHSLength and DataSegmentLength filled in
// from the PDU's AHS and data (for scatter-gather senders).
std::array<std::uint8_t, kBhsLength> encode_bhs(const Pdu& pdu);
// Bytes the full encoding takes.
std::size_t encoded_size(const Pdu& pdu, DigestSettings digests = {});

// Decodes one PDU from its parts as the framer delivers them (digests
// already checked and stripped, padding removed).
Result<Pdu, DecodeError> decode_parts(ByteView bhs, ByteView ahs, ByteView data);

// Decodes exactly one complete PDU held in `bytes` (digests included when
// `digests` says so). Trailing bytes are an error.
Result<Pdu, DecodeError> decode(ByteView bytes, DigestSettings digests = {});

// Parses the AHS area (TotalAHSLength * 4 bytes) into entries.
Result<std::vector<Ahs>, DecodeError> decode_ahs(ByteView area);

// The bits and bytes of a BHS that a given opcode leaves reserved (1 = reserved).
// Bytes 4-7 (lengths) and the opcode bits are never reserved.
const std::array<std::uint8_t, kBhsLength>& reserved_mask(Opcode op);
// True when any reserved bit of `bhs` (of a defined opcode) is set. Receivers
// ignore these (§10); conformance reports show them.
bool has_reserved_bits_set(ByteView bhs);

// True when a bit the PDU's figure fixes at 1 is 0 in `bhs` (e.g. byte 1
// bit 7 of a NOP-Out, the I bit of a Login Request). Decoding ignores these
// bits like reserved ones; conformance reports show them.
bool has_fixed_bits_clear(ByteView bhs);

// For ScsiCommand: the full CDB (the 16 bytes of the BHS followed by the
// Extended CDB AHS, §10.2.2.3), and the bidirectional read length (§10.2.2.4).
Bytes full_cdb(const ScsiCommand& cmd);
std::optional<std::uint32_t> bidi_read_expected_length(const ScsiCommand& cmd);

}  // namespace iscsi::wire
