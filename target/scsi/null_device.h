// Null backend: a device of any size that stores nothing. Reads return zeros
// and writes are discarded; useful for protocol tests and throughput runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "scsi/block_device.h"
#include "wire/result.h"

namespace iscsi::scsi {

class NullDevice final : public BlockDevice {
 public:
  // `capacity_bytes` must be a positive multiple of `block_size` (512 or 4096).
  static wire::Result<std::unique_ptr<NullDevice>, std::string> create(std::uint64_t capacity_bytes,
                                                                       std::uint32_t block_size);

  std::uint64_t capacity_blocks() const override { return blocks_; }
  std::uint32_t block_size() const override { return block_size_; }

  IoStatus read(std::uint64_t offset, std::span<const wire::MutableByteView> dst) override;
  IoStatus write(std::uint64_t offset, std::span<const wire::ByteView> src, bool fua) override;
  IoStatus flush() override { return IoStatus::success(); }
  IoStatus unmap(std::uint64_t offset, std::uint64_t length) override;

 private:
  NullDevice(std::uint64_t blocks, std::uint32_t block_size)
      : blocks_(blocks), block_size_(block_size) {}

  std::uint64_t blocks_;
  std::uint32_t block_size_;
};

}  // namespace iscsi::scsi
