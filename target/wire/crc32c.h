// CRC32C (Castagnoli), the iSCSI header and data digest, RFC 3720 §12.1 and
// Appendix B.4. The implementation (SSE4.2 `crc32` instruction or portable
// slicing-by-8) is chosen at run time from what the CPU supports.
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/bytes.h"

namespace iscsi::wire {

// CRC32C of `data` as it appears in a digest field. Digests are sent in the
// byte order the RFC's Appendix B.4 examples show (see crc32c.cpp).
std::uint32_t crc32c(ByteView data);

// Incremental form: start with kCrc32cInit, feed chunks, then finish.
constexpr std::uint32_t kCrc32cInit = 0xffffffffu;
std::uint32_t crc32c_update(std::uint32_t state, ByteView data);
constexpr std::uint32_t crc32c_finish(std::uint32_t state) {
  return state ^ 0xffffffffu;
}

// Writes/reads a digest value to/from the 4 bytes of a digest field.
void store_digest(std::uint8_t* p, std::uint32_t crc);
std::uint32_t load_digest(const std::uint8_t* p);

// Which implementation crc32c() uses on this machine: "sse4.2" or "slicing-by-8".
std::string_view crc32c_implementation();

// The portable implementation, always available (tests compare both).
std::uint32_t crc32c_update_portable(std::uint32_t state, ByteView data);

}  // namespace iscsi::wire
