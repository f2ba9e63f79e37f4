#include "session/chap_value.h"

#include "wire/text_value.h"

namespace iscsi::session::chap {

namespace txt = wire::text;
using wire::Unexpected;

wire::Result<wire::Bytes, std::string> decode_binary(std::string_view value) {
  if (value.size() < 2 || value[0] != '0' ||
      (value[1] != 'x' && value[1] != 'X' && value[1] != 'b' && value[1] != 'B')) {
    return Unexpected(std::string("not a hex (0x) or base64 (0b) constant"));
  }
  // The encoded form of 1024 bytes is at most 2 + 2048 characters (hex);
  // anything longer is over the limit whatever it holds, and is refused
  // before it is decoded.
  if (value.size() > 2 + 2 * kMaxBinaryLength) {
    return Unexpected(std::string("longer than 1024 bytes (RFC 3720 §11.1.4)"));
  }
  auto bytes = txt::parse_binary(value, kMaxBinaryLength);
  if (!bytes) {
    // parse_binary refuses both malformed and over-long values; telling
    // them apart only needs a decode without the bound (the input is at
    // most a few KiB here).
    if (txt::parse_binary(value, value.size())) {
      return Unexpected(std::string("longer than 1024 bytes (RFC 3720 §11.1.4)"));
    }
    return Unexpected(std::string("malformed hex or base64 constant (RFC 3720 §5.1)"));
  }
  if (bytes->empty()) return Unexpected(std::string("empty value"));
  return std::move(*bytes);
}

std::string encode_binary(wire::ByteView bytes) {
  return txt::format_hex(bytes);
}

wire::Result<std::uint8_t, std::string> decode_identifier(std::string_view value) {
  const auto n = txt::parse_numerical(value);
  if (!n) return Unexpected(std::string("not a numerical value (RFC 3720 §5.1)"));
  // RFC 1994 §4.1: "The Identifier field is one octet".
  if (*n > 255) return Unexpected(std::string("identifier above 255 (RFC 1994 §4.1)"));
  return static_cast<std::uint8_t>(*n);
}

wire::Result<bool, std::string> algorithms_include(std::string_view list, std::uint8_t algorithm) {
  bool found = false;
  for (std::string_view e : txt::split_list(list)) {
    const auto n = txt::parse_numerical(e);
    if (!n || *n > 255) {
      return Unexpected(std::string("CHAP_A element is not a number from 0 to 255"));
    }
    if (*n == algorithm) found = true;
  }
  return found;
}

}  // namespace iscsi::session::chap
