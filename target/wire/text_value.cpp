// Value syntax of the iSCSI text format, RFC 3720 §5.1 (RFC 7143 §6.1 keeps
// the same definitions).
#include "wire/text_value.h"

#include <array>
#include <limits>

namespace iscsi::wire::text {

namespace {

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return is_upper(c) || is_lower(c);
}

// §5.1 standard-label characters: letters, digits, dot, minus, plus,
// commercial at, underscore.
bool is_label_char(char c) {
  return is_letter(c) || is_digit(c) || c == '.' || c == '-' || c == '+' || c == '@' || c == '_';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_lower_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f');
}

// The base64 alphabet of RFC 2045 §6.8 (Table 1).
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_base64_decode() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < kBase64Alphabet.size(); ++i) {
    t[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return t;
}
constexpr std::array<std::int8_t, 256> kBase64Decode = make_base64_decode();

int base64_value(char c) {
  return kBase64Decode[static_cast<unsigned char>(c)];
}

// §5.1 hex-constant: "0x" or "0X" followed by one or more hex digits.
// Returns the digits, or nullopt when `s` is not a hex-constant.
std::optional<std::string_view> hex_digits(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  std::string_view digits = s.substr(2);
  for (char c : digits) {
    if (hex_value(c) < 0) return std::nullopt;
  }
  return digits;
}

bool has_base64_prefix(std::string_view s) {
  return s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B');
}

// Validates the characters after "0b" as base64 (RFC 2045 §6.8): groups of
// four alphabet characters, '=' only as padding in the last group (at most
// two), no whitespace. RFC 4648 §3.5 lets a decoder reject non-zero pad bits;
// a strict receiver does, so every byte string has exactly one encoding.
// Returns the decoded length, or nullopt.
std::optional<std::size_t> base64_decoded_length(std::string_view body) {
  if (body.empty() || body.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (body.back() == '=') pad = (body[body.size() - 2] == '=') ? 2 : 1;
  for (std::size_t i = 0; i < body.size() - pad; ++i) {
    if (base64_value(body[i]) < 0) return std::nullopt;
  }
  if (pad > 0) {
    const int last = base64_value(body[body.size() - pad - 1]);
    // With two '=' the last symbol carries 2 data bits (low 4 unused); with
    // one '=' it carries 4 (low 2 unused).
    const int unused_mask = (pad == 2) ? 0x0f : 0x03;
    if ((last & unused_mask) != 0) return std::nullopt;
  }
  return body.size() / 4 * 3 - pad;
}

// Decodes a body already checked by base64_decoded_length, calling
// `emit(byte)` for each byte.
template <class Emit>
void base64_decode(std::string_view body, Emit emit) {
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<std::uint32_t>(base64_value(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      emit(static_cast<std::uint8_t>((acc >> bits) & 0xffu));
    }
  }
}

// §5.1 decimal-constant: "0", or a digit 1-9 followed by digits. (The RFC's
// wording "followed by one or more digits" would exclude "1".."9", which
// every numeric key uses; the intent is "zero or more".) Values >= 2^64 are
// rejected: numerical-value is "always less than 2**64".
std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s[0] == '0') {
    if (s.size() == 1) return 0;
    return std::nullopt;  // leading zero
  }
  std::uint64_t v = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (kMax - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<std::uint64_t> parse_hex_number(std::string_view s) {
  const auto digits = hex_digits(s);
  if (!digits) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : *digits) {
    if ((v >> 60) != 0) return std::nullopt;  // a further digit would pass 2^64
    v = (v << 4) | static_cast<std::uint64_t>(hex_value(c));
  }
  return v;
}

std::optional<std::uint64_t> parse_base64_number(std::string_view s) {
  if (!has_base64_prefix(s)) return std::nullopt;
  const std::string_view body = s.substr(2);
  if (!base64_decoded_length(body)) return std::nullopt;
  std::uint64_t v = 0;
  bool overflow = false;
  base64_decode(body, [&](std::uint8_t b) {
    if ((v >> 56) != 0) overflow = true;
    v = (v << 8) | b;
  });
  if (overflow) return std::nullopt;
  return v;
}

// eui. and naa. identifiers: exactly `n` lower-case hex digits (upper case is
// mapped away by stringprep, so it never appears in a valid name).
bool all_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!is_lower_hex_digit(c)) return false;
  }
  return true;
}

// The iqn. form, §3.2.6.3.1: "iqn." + yyyy-mm + "." + reversed domain name,
// optionally followed by ":" and a string of the naming authority's choice.
bool is_iqn(std::string_view s) {
  // "iqn." + "yyyy-mm" + "." + at least one domain character.
  if (s.size() < 13) return false;
  const std::string_view date = s.substr(4, 7);
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u}) {
    if (!is_digit(date[i])) return false;
  }
  // "All four digits in the year must be present. Both digits of the month
  // must be present, with January == "01" and December == "12". The dash
  // must be included."
  if (date[4] != '-') return false;
  const int month = (date[5] - '0') * 10 + (date[6] - '0');
  if (month < 1 || month > 12) return false;
  if (s[11] != '.') return false;
  std::string_view rest = s.substr(12);
  const std::size_t colon = rest.find(':');
  const std::string_view domain = rest.substr(0, colon);
  // The reversed domain name: dot-separated, non-empty labels of letters,
  // digits and '-' (lower case after stringprep).
  if (domain.empty() || domain.front() == '.' || domain.back() == '.') return false;
  char prev = '.';
  for (char c : domain) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!(is_lower(c) || is_digit(c) || c == '-')) {
      return false;
    }
    prev = c;
  }
  return true;
}

}  // namespace

bool is_standard_label(std::string_view s) {
  // §5.1: "A standard-label MUST begin with a capital letter and must not
  // exceed 63 characters."
  if (s.empty() || s.size() > kMaxKeyNameLength || !is_upper(s[0])) return false;
  for (char c : s) {
    if (!is_label_char(c)) return false;
  }
  return true;
}

bool is_key_name(std::string_view s) {
  // §12.22: extension keys start with "X-" (private) or "X#" (public, IANA
  // registered); "the part of key-name following X- and X# MUST conform to
  // the format for key-name". The RFC's own example,
  // "X-reversed.vendor.dns_name.do_something", starts that part with a
  // lower-case letter, so only the character set and a non-empty remainder
  // are required of it, not the leading capital. The 63-character limit
  // applies to the whole key.
  if (s.size() >= 2 && s[0] == 'X' && (s[1] == '-' || s[1] == '#')) {
    if (s.size() == 2 || s.size() > kMaxKeyNameLength) return false;
    for (char c : s.substr(2)) {
      if (!is_label_char(c)) return false;
    }
    return true;
  }
  return is_standard_label(s);
}

bool is_text_value(std::string_view s) {
  for (char c : s) {
    if (!(is_label_char(c) || c == '/' || c == '[' || c == ']' || c == ':')) return false;
  }
  return true;
}

bool is_iscsi_name_value(std::string_view s) {
  // §3.2.6.2: "The UTF-8 encoding of the name is not larger than 223 bytes."
  constexpr std::size_t kMaxIscsiNameLength = 223;
  if (s.size() > kMaxIscsiNameLength) return false;
  // §3.2.6.2: a name holds only what the iSCSI stringprep profile (RFC 3722)
  // outputs. Of ASCII that is lower-case letters, digits, '-', '.' and ':';
  // upper case is mapped to lower case by the profile, so it cannot appear.
  // Non-ASCII output of the profile is not accepted here.
  for (char c : s) {
    if (!(is_lower(c) || is_digit(c) || c == '-' || c == '.' || c == ':')) return false;
  }
  if (s.starts_with("iqn.")) return is_iqn(s);
  // §3.2.6.3.2: "eui." followed by an EUI-64 identifier, 16 hex digits.
  if (s.starts_with("eui.")) return s.size() == 4 + 16 && all_lower_hex(s.substr(4));
  // RFC 3980 §2 (RFC 7143 §4.2.7.3): "naa." followed by a 64-bit or 128-bit
  // NAA identifier, 16 or 32 hex digits.
  if (s.starts_with("naa.")) {
    const std::string_view id = s.substr(4);
    return (id.size() == 16 || id.size() == 32) && all_lower_hex(id);
  }
  return false;
}

std::optional<bool> parse_boolean(std::string_view s) {
  // §5.1 boolean-value: 'The string "Yes" or "No".' Keys are case sensitive.
  if (s == "Yes") return true;
  if (s == "No") return false;
  return std::nullopt;
}

std::string_view format_boolean(bool v) {
  return v ? "Yes" : "No";
}

std::optional<std::uint64_t> parse_numerical(std::string_view s, bool allow_base64) {
  if (hex_digits(s)) return parse_hex_number(s);
  if (has_base64_prefix(s)) {
    // §5.1: numerical-value is a decimal- or hex-constant; base64 only for
    // large-numerical-value.
    if (!allow_base64) return std::nullopt;
    return parse_base64_number(s);
  }
  return parse_decimal(s);
}

std::string format_numerical(std::uint64_t v) {
  return std::to_string(v);
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(std::string_view s) {
  // §5.1 numerical-range: "Two numerical-values separated by a tilde where
  // the value to the right of tilde must not be lower than the value to the
  // left."
  const std::size_t tilde = s.find('~');
  if (tilde == std::string_view::npos) return std::nullopt;
  const auto low = parse_numerical(s.substr(0, tilde));
  const auto high = parse_numerical(s.substr(tilde + 1));
  if (!low || !high || *high < *low) return std::nullopt;
  return std::pair{*low, *high};
}

std::optional<Bytes> parse_binary(std::string_view s, std::size_t max_bytes, bool allow_decimal) {
  if (const auto digits = hex_digits(s)) {
    // §5.1: "a hex-constant of n hexadecimal digits has a byte-length of
    // (the integer part of) (n+1)/2" -- an odd count has an implicit leading
    // zero nibble.
    const std::size_t n = digits->size();
    const std::size_t length = n / 2 + n % 2;
    if (length > max_bytes) return std::nullopt;
    Bytes out;
    out.reserve(length);
    std::size_t i = 0;
    if (n % 2 != 0) out.push_back(static_cast<std::uint8_t>(hex_value((*digits)[i++])));
    for (; i < n; i += 2) {
      out.push_back(
          static_cast<std::uint8_t>((hex_value((*digits)[i]) << 4) | hex_value((*digits)[i + 1])));
    }
    return out;
  }
  if (has_base64_prefix(s)) {
    const std::string_view body = s.substr(2);
    const auto length = base64_decoded_length(body);
    if (!length || *length > max_bytes) return std::nullopt;
    Bytes out;
    out.reserve(*length);
    base64_decode(body, [&](std::uint8_t b) { out.push_back(b); });
    return out;
  }
  if (!allow_decimal) return std::nullopt;
  // §5.1 regular-binary-value: at most 64 bits, and decimal only where the
  // key defines the length. The value is returned in its shortest big-endian
  // form (one byte for 0); the caller widens it to the key's length.
  const auto v = parse_decimal(s);
  if (!v) return std::nullopt;
  std::size_t length = 1;
  while (length < 8 && (*v >> (8 * length)) != 0) ++length;
  if (length > max_bytes) return std::nullopt;
  Bytes out(length);
  store_be(out.data(), length, *v);
  return out;
}

std::string format_hex(ByteView bytes) {
  return "0x" + to_hex(bytes);
}

std::string format_base64(ByteView bytes) {
  std::string out = "0b";
  out.reserve(2 + (bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v =
        (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kBase64Alphabet[(v >> shift) & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(kBase64Alphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
}

}  // namespace iscsi::wire::text
