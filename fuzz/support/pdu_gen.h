// PDUs built from fuzz input.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>

#include "wire/pdu.h"

namespace iscsi::fuzz {

// A PDU of opcode `op` (one of the 18) whose BHS fields all come from the
// input, with up to `max_data` bytes of data segment.
wire::Pdu fuzz_pdu_of(FuzzedDataProvider& in, wire::Opcode op, std::size_t max_data);

// Any of the 18 opcodes, initiator opcodes more often.
wire::Opcode fuzz_opcode(FuzzedDataProvider& in);

// A raw PDU: a 48-byte BHS from the input (any opcode, reserved and vendor
// ones included), a consistent or inconsistent DataSegmentLength, and data.
wire::Bytes fuzz_raw_pdu(FuzzedDataProvider& in, std::size_t max_data);

}  // namespace iscsi::fuzz
