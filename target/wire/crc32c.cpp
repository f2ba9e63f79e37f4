// CRC32C (Castagnoli), RFC 3720 §12.1 and Appendix B.4: the generator
// polynomial 0x1EDC6F41, processed least-significant bit first (the reflected
// form 0x82F63B78), initial value all ones and final complement.
#include "wire/crc32c.h"

#include <array>
#include <cstddef>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace iscsi::wire {

namespace {

constexpr std::uint32_t kReflectedPoly = 0x82F63B78u;

// kTables[0] is the byte-at-a-time table; kTables[k][b] is the register
// contribution of byte b followed by k zero bytes, which lets eight bytes be
// folded with eight independent lookups (slicing-by-8).
using SliceTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr SliceTables make_tables() {
  SliceTables t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t r = b;
    for (int bit = 0; bit < 8; ++bit) r = (r & 1u) ? (r >> 1) ^ kReflectedPoly : r >> 1;
    t[0][b] = r;
  }
  for (std::size_t k = 1; k < t.size(); ++k) {
    for (std::size_t b = 0; b < 256; ++b) {
      const std::uint32_t prev = t[k - 1][b];
      t[k][b] = (prev >> 8) ^ t[0][prev & 0xffu];
    }
  }
  return t;
}

constexpr SliceTables kTables = make_tables();

// Guards the generated tables against a silent generator error: the
// byte-wise table entry for 0x80 of the reflected polynomial is the
// polynomial shifted right by 7 with the feedback applied, a value listed in
// every CRC32C reference table.
static_assert(kTables[0][1] == 0xF26B8303u);
static_assert(kTables[0][128] == kReflectedPoly);

std::uint32_t load_le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::uint32_t update_slicing8(std::uint32_t crc, const std::uint8_t* p, std::size_t n) {
  while (n >= 8) {
    const std::uint32_t lo = crc ^ load_le32(p);
    const std::uint32_t hi = load_le32(p + 4);
    crc = kTables[7][lo & 0xffu] ^ kTables[6][(lo >> 8) & 0xffu] ^ kTables[5][(lo >> 16) & 0xffu] ^
          kTables[4][lo >> 24] ^ kTables[3][hi & 0xffu] ^ kTables[2][(hi >> 8) & 0xffu] ^
          kTables[1][(hi >> 16) & 0xffu] ^ kTables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xffu];
  return crc;
}

#if defined(__x86_64__)
// The SSE4.2 `crc32` instruction computes exactly this CRC (Castagnoli,
// reflected), so the register state is interchangeable with the portable one.
__attribute__((target("sse4.2"))) std::uint32_t update_sse42(std::uint32_t crc,
                                                             const std::uint8_t* p, std::size_t n) {
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
    crc = _mm_crc32_u8(crc, *p++);
    --n;
  }
  std::uint64_t wide = crc;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    wide = _mm_crc32_u64(wide, word);
    p += 8;
    n -= 8;
  }
  crc = static_cast<std::uint32_t>(wide);
  while (n-- > 0) crc = _mm_crc32_u8(crc, *p++);
  return crc;
}
#endif

using UpdateFn = std::uint32_t (*)(std::uint32_t, const std::uint8_t*, std::size_t);

struct Implementation {
  UpdateFn update;
  std::string_view name;
};

Implementation choose() {
#if defined(__x86_64__)
  // Needed when this runs from a static constructor of another translation
  // unit, before the runtime has initialised the CPU model.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse4.2")) return {update_sse42, "sse4.2"};
#endif
  return {update_slicing8, "slicing-by-8"};
}

const Implementation& implementation() {
  static const Implementation impl = choose();
  return impl;
}

}  // namespace

std::uint32_t crc32c_update(std::uint32_t state, ByteView data) {
  if (data.empty()) return state;
  return implementation().update(state, data.data(), data.size());
}

std::uint32_t crc32c_update_portable(std::uint32_t state, ByteView data) {
  if (data.empty()) return state;
  return update_slicing8(state, data.data(), data.size());
}

std::uint32_t crc32c(ByteView data) {
  return crc32c_finish(crc32c_update(kCrc32cInit, data));
}

std::string_view crc32c_implementation() {
  return implementation().name;
}

// Digest byte order. RFC 3720 Appendix B.4 gives the CRC of 32 zero bytes as
// the digest bytes "aa 36 91 8a" (byte 0..3), while the conventional CRC-32C
// value of that input is 0x8a9136aa: the digest field carries the value least
// significant byte first. Unlike the integer fields of §10, which are big
// endian, the digest is not byte-swapped for the wire.
void store_digest(std::uint8_t* p, std::uint32_t crc) {
  p[0] = static_cast<std::uint8_t>(crc & 0xffu);
  p[1] = static_cast<std::uint8_t>((crc >> 8) & 0xffu);
  p[2] = static_cast<std::uint8_t>((crc >> 16) & 0xffu);
  p[3] = static_cast<std::uint8_t>((crc >> 24) & 0xffu);
}

std::uint32_t load_digest(const std::uint8_t* p) {
  return load_le32(p);
}

}  // namespace iscsi::wire
