#include "scsi/lun_address.h"

#include "scsi/lun_spec.h"

namespace iscsi::scsi {

namespace {

// ADDRESS METHOD, the top two bits of the first byte (SAM-5, LUN structure).
constexpr std::uint8_t kPeripheral = 0x0;  // 00b
constexpr std::uint8_t kFlatSpace = 0x1;   // 01b

}  // namespace

std::optional<std::uint16_t> decode_lun(std::uint64_t lun_field) {
  // Single level: the second through fourth levels (bytes 2-7) are zero.
  if ((lun_field & 0x0000ffffffffffffull) != 0) return std::nullopt;
  const auto b0 = static_cast<std::uint8_t>(lun_field >> 56);
  const auto b1 = static_cast<std::uint8_t>(lun_field >> 48);
  switch (b0 >> 6) {
    case kPeripheral:
      // BUS IDENTIFIER 0: the logical unit itself; other buses do not exist.
      if ((b0 & 0x3f) != 0) return std::nullopt;
      return b1;
    case kFlatSpace:
      return static_cast<std::uint16_t>(((b0 & 0x3f) << 8) | b1);
    default:
      return std::nullopt;
  }
}

std::uint64_t encode_lun(std::uint16_t lun) {
  if (lun > kMaxLunNumber) lun = kMaxLunNumber;  // callers pass validated numbers
  if (lun < 256) return static_cast<std::uint64_t>(lun) << 48;
  const std::uint64_t first = (static_cast<std::uint64_t>(kFlatSpace) << 6) | (lun >> 8);
  return (first << 56) | (static_cast<std::uint64_t>(lun & 0xff) << 48);
}

}  // namespace iscsi::scsi
