// File backend: a regular file (or a block device node) holds the blocks.
// preadv/pwritev move the data; FUA writes use pwritev2(RWF_DSYNC) and fall
// back to fdatasync; flush is fdatasync, so SYNCHRONIZE CACHE is durable
// before it returns GOOD; unmap punches a hole and falls back to writing
// zeros where the file system cannot.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "scsi/block_device.h"
#include "wire/result.h"

namespace iscsi::scsi {

class FileDevice final : public BlockDevice {
 public:
  // Opens `path` (creating it unless `read_only`). With `size`, a smaller
  // regular file is extended to it with ftruncate; a larger one is refused
  // rather than truncated, and a read-only file must already have that size.
  // The resulting size must be a positive multiple of `block_size` (512 or
  // 4096). The error message names the path and the problem.
  static wire::Result<std::unique_ptr<FileDevice>, std::string> open(
      const std::string& path, std::optional<std::uint64_t> size, std::uint32_t block_size,
      bool read_only);

  ~FileDevice() override;
  FileDevice(const FileDevice&) = delete;
  FileDevice& operator=(const FileDevice&) = delete;

  std::uint64_t capacity_blocks() const override { return blocks_; }
  std::uint32_t block_size() const override { return block_size_; }

  IoStatus read(std::uint64_t offset, std::span<const wire::MutableByteView> dst) override;
  IoStatus write(std::uint64_t offset, std::span<const wire::ByteView> src, bool fua) override;
  IoStatus flush() override;
  IoStatus unmap(std::uint64_t offset, std::uint64_t length) override;
  // Holes of a sparse file are deallocated (SEEK_DATA / SEEK_HOLE), at the
  // file system's allocation granularity.
  Allocation allocation(std::uint64_t offset, std::uint64_t length) const override;

 private:
  FileDevice(int fd, std::uint64_t blocks, std::uint32_t block_size, bool read_only)
      : fd_(fd), blocks_(blocks), block_size_(block_size), read_only_(read_only) {}

  IoStatus write_zeros(std::uint64_t offset, std::uint64_t length);

  int fd_;
  std::uint64_t blocks_;
  std::uint32_t block_size_;
  bool read_only_;
  // Cleared the first time the kernel or file system rejects RWF_DSYNC.
  std::atomic<bool> dsync_flag_works_{true};
};

}  // namespace iscsi::scsi
