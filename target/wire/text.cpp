// Key=value text of Login and Text PDUs, RFC 3720 §5.1.
#include "wire/text.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "wire/text_value.h"

namespace iscsi::wire::text {

std::string_view text_errc_name(TextErrc code) {
  switch (code) {
    case TextErrc::MissingTerminator:
      return "missing NUL terminator";
    case TextErrc::MissingEquals:
      return "missing '='";
    case TextErrc::InvalidKeyName:
      return "invalid key name";
    case TextErrc::KeyTooLong:
      return "key name too long";
    case TextErrc::ValueTooLong:
      return "value too long";
    case TextErrc::TooManyPairs:
      return "too many pairs";
    case TextErrc::TooLarge:
      return "text too large";
    case TextErrc::ContinuationError:
      return "continuation error";
  }
  return "unknown text error";
}

namespace {

// Key bytes for an error detail: printable ASCII as is, anything else as
// \xNN, so a hostile key cannot put control bytes into logs.
std::string printable(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kDigits[u >> 4]);
      out.push_back(kDigits[u & 0x0f]);
    }
  }
  return out;
}

Unexpected<TextError> fail(TextErrc code, std::size_t index, std::string detail) {
  return Unexpected{TextError{code, index, std::move(detail)}};
}

}  // namespace

Result<std::vector<KeyValue>, TextError> parse(ByteView text, const ParseLimits& limits) {
  std::vector<KeyValue> pairs;
  const char* const base = reinterpret_cast<const char*>(text.data());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t index = pairs.size();
    const auto* nul = static_cast<const char*>(std::memchr(base + pos, '\0', text.size() - pos));
    // §5.1: "Every key=value pair, including the last or only pair in a
    // LTDS, MUST be followed by one null (0x00) delimiter."
    if (nul == nullptr) {
      return fail(TextErrc::MissingTerminator, index, "the last pair is not followed by a NUL");
    }
    const std::string_view pair(base + pos, static_cast<std::size_t>(nul - (base + pos)));
    pos += pair.size() + 1;

    // §5.1: "A key-name is whatever precedes the first = in the key=value
    // pair"; an empty pair (two NULs in a row) has no '=' either.
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return fail(TextErrc::MissingEquals, index,
                  pair.empty() ? "empty pair (consecutive NULs)" : "pair without '='");
    }
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    // §5.1: a key name "must not exceed 63 characters".
    if (key.size() > kMaxKeyNameLength) {
      return fail(TextErrc::KeyTooLong, index,
                  "key of " + std::to_string(key.size()) + " characters, limit 63");
    }
    // §5.1 standard-label, §12.22 extension keys.
    if (!is_key_name(key)) {
      return fail(TextErrc::InvalidKeyName, index, "key name '" + printable(key) + "'");
    }
    if (value.size() > limits.max_value_length) {
      return fail(TextErrc::ValueTooLong, index,
                  "value of " + std::to_string(value.size()) + " bytes for key " +
                      std::string(key) + ", limit " + std::to_string(limits.max_value_length));
    }
    if (pairs.size() >= limits.max_pairs) {
      return fail(TextErrc::TooManyPairs, index,
                  "more than " + std::to_string(limits.max_pairs) + " pairs");
    }
    pairs.push_back(KeyValue{std::string(key), std::string(value)});
  }
  return pairs;
}

Bytes encode(const std::vector<KeyValue>& pairs) {
  std::size_t total = 0;
  for (const auto& kv : pairs) total += kv.key.size() + kv.value.size() + 2;
  Bytes out;
  out.reserve(total);
  for (const auto& kv : pairs) {
    out.insert(out.end(), kv.key.begin(), kv.key.end());
    out.push_back('=');
    out.insert(out.end(), kv.value.begin(), kv.value.end());
    out.push_back(0);
  }
  return out;
}

Result<bool, TextError> Assembler::add(ByteView segment, bool continues) {
  if (complete_) {
    return fail(TextErrc::ContinuationError, 0,
                "segment after the final (C=0) segment of the sequence");
  }
  // Checked before anything is copied, so an over-long sequence never grows
  // the buffer past the limit.
  if (segment.size() > max_total_ - buffer_.size()) {
    return fail(TextErrc::TooLarge, 0,
                "text of more than " + std::to_string(max_total_) + " bytes");
  }
  buffer_.insert(buffer_.end(), segment.begin(), segment.end());
  complete_ = !continues;
  return complete_;
}

Bytes Assembler::take() {
  Bytes out = std::move(buffer_);
  reset();
  return out;
}

void Assembler::reset() {
  buffer_ = Bytes{};
  complete_ = false;
}

std::vector<Bytes> split(ByteView text, std::size_t max_segment) {
  std::vector<Bytes> segments;
  if (text.empty()) {
    segments.emplace_back();
    return segments;
  }
  if (max_segment == 0) return segments;
  segments.reserve((text.size() + max_segment - 1) / max_segment);
  for (std::size_t pos = 0; pos < text.size(); pos += max_segment) {
    const std::size_t n = std::min(max_segment, text.size() - pos);
    segments.emplace_back(text.begin() + static_cast<std::ptrdiff_t>(pos),
                          text.begin() + static_cast<std::ptrdiff_t>(pos + n));
  }
  return segments;
}

}  // namespace iscsi::wire::text
