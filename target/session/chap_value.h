// Decoding of the values of the CHAP keys (RFC 3720 §11.1.4, §5.1): the
// binary challenge and response, the identifier and the algorithm list.
// Every function is total: any input yields a value or a reason, and no
// output is larger than the bound it checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::session::chap {

// §11.1.4: "C and R are large-binary-values and their binary length (not
// the length of the character string that represents them in encoded form)
// MUST NOT exceed 1024 bytes."
inline constexpr std::size_t kMaxBinaryLength = 1024;

// A CHAP_C or CHAP_R value: a hex-constant ("0x"/"0X" and hex digits) or a
// base64-constant ("0b"/"0B" and RFC 2045 base64 with correct padding),
// decoding to 1..kMaxBinaryLength bytes. §5.1 gives a hex-constant of n
// digits a length of (n+1)/2 bytes, so an odd digit count is a leading zero
// nibble, not an error. Decimal is not admitted: §5.1 large-binary-values
// are hex or base64 only.
wire::Result<wire::Bytes, std::string> decode_binary(std::string_view value);

// The target's own encoding of binary values: "0x" and two lower-case hex
// digits per byte.
std::string encode_binary(wire::ByteView bytes);

// A CHAP_I value: RFC 1994's one-octet Identifier, written as an §5.1
// numerical value (decimal or hex) from 0 to 255.
wire::Result<std::uint8_t, std::string> decode_identifier(std::string_view value);

// Whether the CHAP_A list (§11.1.4 "CHAP_A=<A1,A2...>") proposes `algorithm`.
// Malformed lists (empty elements, non-numbers, values above 255) are an
// error: the exchange cannot go on from them.
wire::Result<bool, std::string> algorithms_include(std::string_view list, std::uint8_t algorithm);

}  // namespace iscsi::session::chap
