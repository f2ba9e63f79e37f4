#include "scsi/null_device.h"

#include <cstring>

namespace iscsi::scsi {

wire::Result<std::unique_ptr<NullDevice>, std::string> NullDevice::create(
    std::uint64_t capacity_bytes, std::uint32_t block_size) {
  using Err = wire::Unexpected<std::string>;
  if (block_size != 512 && block_size != 4096) {
    return Err("block size " + std::to_string(block_size) + " is not 512 or 4096");
  }
  if (capacity_bytes == 0 || capacity_bytes % block_size != 0) {
    return Err("null size " + std::to_string(capacity_bytes) +
               " is not a positive multiple of the block size " + std::to_string(block_size));
  }
  return std::unique_ptr<NullDevice>(new NullDevice(capacity_bytes / block_size, block_size));
}

IoStatus NullDevice::read(std::uint64_t offset, std::span<const wire::MutableByteView> dst) {
  if (!in_range(offset, total_length(dst))) return IoStatus::failure(IoErrc::OutOfRange);
  for (const auto& b : dst) {
    if (!b.empty()) std::memset(b.data(), 0, b.size());
  }
  return IoStatus::success();
}

IoStatus NullDevice::write(std::uint64_t offset, std::span<const wire::ByteView> src,
                           bool /*fua*/) {
  if (!in_range(offset, total_length(src))) return IoStatus::failure(IoErrc::OutOfRange);
  return IoStatus::success();
}

IoStatus NullDevice::unmap(std::uint64_t offset, std::uint64_t length) {
  if (!in_range(offset, length)) return IoStatus::failure(IoErrc::OutOfRange);
  return IoStatus::success();
}

}  // namespace iscsi::scsi
