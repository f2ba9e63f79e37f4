// Value codecs of the iSCSI text format, RFC 3720 §5.1: the syntax of key
// names and of text, iSCSI-name, boolean, numerical, range, binary and list
// values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/bytes.h"

namespace iscsi::wire::text {

// §5.1: "If not otherwise specified, the maximum length of a simple-value
// (not its encoded representation) is 255 bytes".
constexpr std::size_t kMaxSimpleValueLength = 255;
// §5.1: a standard-label "must not exceed 63 characters".
constexpr std::size_t kMaxKeyNameLength = 63;

// standard-label: letters, digits, '.', '-', '+', '@', '_'; begins with a
// capital letter; at most 63 characters.
bool is_standard_label(std::string_view s);
// A key name: a standard-label, or a private/public extension key
// ("X-reversed.vendor.dns..." / "X#...", §12.22).
bool is_key_name(std::string_view s);
// text-value: letters, digits, '.', '-', '+', '@', '_', '/', '[', ']', ':'
// (possibly empty).
bool is_text_value(std::string_view s);
// iSCSI-name-value (§3.2.6): "iqn.", "eui." or "naa." names, lower case
// after stringprep, at most 223 bytes. Only the ASCII subset of the
// stringprep output (a-z, 0-9, '-', '.', ':') is accepted.
bool is_iscsi_name_value(std::string_view s);

// boolean-value: exactly "Yes" or "No".
std::optional<bool> parse_boolean(std::string_view s);
std::string_view format_boolean(bool v);

// numerical-value: decimal-constant (no leading zeros except "0") or
// hex-constant ("0x"/"0X" + 1..16 hex digits after leading zeros), < 2^64.
// Base64 is accepted only where `allow_base64` (large-numerical-value).
std::optional<std::uint64_t> parse_numerical(std::string_view s, bool allow_base64 = false);
std::string format_numerical(std::uint64_t v);  // decimal

// numerical-range: "a~b" with a <= b.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(std::string_view s);

// binary-value: hex-constant ("0x..." whose byte length is (digits+1)/2, an
// odd digit count meaning a leading zero nibble) or base64-constant ("0b...",
// RFC 2045 alphabet with correct '=' padding); for regular-binary-values a
// decimal-constant too (< 2^64, returned as its shortest big-endian bytes,
// one byte for 0; the key definition gives the real length, §5.1). Returns
// nullopt on any invalid character, bad padding, non-zero base64 pad bits,
// or a decoded length over `max_bytes`.
std::optional<Bytes> parse_binary(std::string_view s, std::size_t max_bytes,
                                  bool allow_decimal = false);
// "0x" + lower-case hex, two digits per byte. Empty input gives "0x", which
// is not a valid hex-constant: a binary value has at least one byte.
std::string format_hex(ByteView bytes);
std::string format_base64(ByteView bytes);  // "0b" + base64

// list-of-values: comma-separated; empty elements are kept so callers can
// detect them ("" gives one empty element, "a," gives "a" and "").
std::vector<std::string_view> split_list(std::string_view s);

}  // namespace iscsi::wire::text
