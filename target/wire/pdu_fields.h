// Where each field of each PDU lives in the Basic Header Segment (RFC 3720
// §10). One table per PDU type drives the encoder, the decoder, the reserved
// bit masks, field access by name (scenario overrides and matchers) and
// field-by-field dumps.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "wire/opcode.h"
#include "wire/pdu.h"

namespace iscsi::wire {

enum class FieldKind : std::uint8_t {
  Flag,   // one bit: `mask` in byte `offset`
  Bits,   // a bit field: `mask` in byte `offset`, value shifted down
  Uint,   // `size` bytes at `offset`, big-endian
  Bytes,  // `size` raw bytes at `offset` (the CDB)
};

struct FieldInfo {
  std::string_view name;  // the RFC's name without spaces: "CmdSN", "InitiatorTaskTag", "F"
  FieldKind kind;
  std::uint8_t offset;
  std::uint8_t size;  // bytes (Uint/Bytes); 1 for Flag/Bits
  std::uint8_t mask;  // Flag/Bits only
};

// A bit the RFC's figure fixes at 1 (e.g. byte 1 bit 7 of a NOP-Out).
struct FixedBit {
  std::uint8_t offset;
  std::uint8_t mask;
};

// The fields of `op`'s BHS, in offset order. Empty for undefined opcodes.
std::span<const FieldInfo> bhs_fields(Opcode op);
std::span<const FixedBit> fixed_bits(Opcode op);
const FieldInfo* find_field(Opcode op, std::string_view name);

// Numeric access to a field by name (Flag: 0/1; Bits/Uint: the value). The CDB
// is not numeric: use the struct. nullopt / false when the PDU has no such field.
std::optional<std::uint64_t> get_field(const Pdu& pdu, std::string_view name);
bool set_field(Pdu& pdu, std::string_view name, std::uint64_t value);

// Writes/reads every field of `pdu` into/from a BHS (reserved bytes untouched
// on write; the caller starts from zeros).
void write_fields(const Pdu& pdu, std::uint8_t* bhs);
// Builds the typed PDU of opcode `op` from `bhs`'s fields (no AHS/data).
Pdu read_fields(Opcode op, const std::uint8_t* bhs);

}  // namespace iscsi::wire
