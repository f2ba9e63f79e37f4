// Byte buffers and big-endian field access. RFC 3720 §10: "All multi-byte
// integers that are specified in formats defined in this document are to be
// represented in network byte order (i.e., big endian)."
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace iscsi::wire {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

// Reads `width` bytes (1..8) at `p` as a big-endian unsigned integer.
inline std::uint64_t load_be(const std::uint8_t* p, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v = (v << 8) | p[i];
  return v;
}

// Writes the low `width` bytes (1..8) of `v` at `p`, most significant first.
inline void store_be(std::uint8_t* p, std::size_t width, std::uint64_t v) {
  for (std::size_t i = width; i-- > 0;) {
    p[i] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
}

inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(load_be(p, 2));
}
inline std::uint32_t load_be24(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(load_be(p, 3));
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(load_be(p, 4));
}
inline std::uint64_t load_be64(const std::uint8_t* p) {
  return load_be(p, 8);
}

inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  store_be(p, 2, v);
}
inline void store_be24(std::uint8_t* p, std::uint32_t v) {
  store_be(p, 3, v);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  store_be(p, 4, v);
}
inline void store_be64(std::uint8_t* p, std::uint64_t v) {
  store_be(p, 8, v);
}

// Number of zero bytes that pad `length` to a multiple of 4 (RFC 3720 §10.1).
constexpr std::size_t pad_length(std::size_t length) {
  return (4 - (length & 3)) & 3;
}

// Lower-case hex of `bytes` without separators ("0a1b...").
std::string to_hex(ByteView bytes);

// Parses hex digits (whitespace ignored, no prefix). Returns false on an odd
// digit count or a non-hex character.
bool from_hex(std::string_view text, Bytes& out);

inline Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

}  // namespace iscsi::wire
