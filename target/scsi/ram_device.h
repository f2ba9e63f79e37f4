// RAM backend: one anonymous private mapping with MAP_NORESERVE, so an
// unwritten (or unmapped) range costs no memory. A 1 GiB LUN that is never
// written stays at a few resident pages.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scsi/block_device.h"
#include "wire/result.h"

namespace iscsi::scsi {

class RamDevice final : public BlockDevice {
 public:
  // `capacity_bytes` must be a positive multiple of `block_size` (512 or
  // 4096); the error names the problem or the failing mmap.
  static wire::Result<std::unique_ptr<RamDevice>, std::string> create(std::uint64_t capacity_bytes,
                                                                      std::uint32_t block_size);

  ~RamDevice() override;
  RamDevice(const RamDevice&) = delete;
  RamDevice& operator=(const RamDevice&) = delete;

  std::uint64_t capacity_blocks() const override { return blocks_; }
  std::uint32_t block_size() const override { return block_size_; }

  IoStatus read(std::uint64_t offset, std::span<const wire::MutableByteView> dst) override;
  IoStatus write(std::uint64_t offset, std::span<const wire::ByteView> src, bool fua) override;
  // Memory is the medium: nothing to make durable.
  IoStatus flush() override { return IoStatus::success(); }
  // Zeroes the range; whole pages inside it go back to the kernel
  // (MADV_DONTNEED on a private anonymous mapping reads back as zeros).
  IoStatus unmap(std::uint64_t offset, std::uint64_t length) override;

  std::optional<wire::ByteView> view(std::uint64_t offset, std::uint64_t length) const override;
  Allocation allocation(std::uint64_t offset, std::uint64_t length) const override;

 private:
  RamDevice(std::uint8_t* base, std::uint64_t bytes, std::uint32_t block_size);

  std::uint8_t* base_;
  std::uint64_t bytes_;
  std::uint64_t blocks_;
  std::uint32_t block_size_;
  // Bit b of word b / 64: block b is mapped. Atomic words, since calls may
  // come from several threads.
  std::vector<std::atomic<std::uint64_t>> mapped_;

  void mark(std::uint64_t first_block, std::uint64_t end_block, bool mapped);
  bool is_mapped(std::uint64_t block) const;
};

}  // namespace iscsi::scsi
