#include "scsi/ram_device.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace iscsi::scsi {

namespace {

bool valid_block_size(std::uint32_t bs) {
  return bs == 512 || bs == 4096;
}

std::uint64_t page_size() {
  const long p = ::sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<std::uint64_t>(p) : 4096;
}

}  // namespace

wire::Result<std::unique_ptr<RamDevice>, std::string> RamDevice::create(
    std::uint64_t capacity_bytes, std::uint32_t block_size) {
  using Err = wire::Unexpected<std::string>;
  if (!valid_block_size(block_size)) {
    return Err("block size " + std::to_string(block_size) + " is not 512 or 4096");
  }
  if (capacity_bytes == 0 || capacity_bytes % block_size != 0) {
    return Err("ram size " + std::to_string(capacity_bytes) +
               " is not a positive multiple of the block size " + std::to_string(block_size));
  }
  if (capacity_bytes > static_cast<std::uint64_t>(SIZE_MAX)) {
    return Err("ram size " + std::to_string(capacity_bytes) + " does not fit the address space");
  }
  void* p = ::mmap(nullptr, static_cast<std::size_t>(capacity_bytes), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    return Err("mmap of " + std::to_string(capacity_bytes) +
               " bytes failed: " + std::strerror(errno));
  }
  return std::unique_ptr<RamDevice>(
      new RamDevice(static_cast<std::uint8_t*>(p), capacity_bytes, block_size));
}

RamDevice::RamDevice(std::uint8_t* base, std::uint64_t bytes, std::uint32_t block_size)
    : base_(base), bytes_(bytes), blocks_(bytes / block_size), block_size_(block_size) {}

RamDevice::~RamDevice() {
  ::munmap(base_, static_cast<std::size_t>(bytes_));
}

IoStatus RamDevice::read(std::uint64_t offset, std::span<const wire::MutableByteView> dst) {
  if (!in_range(offset, total_length(dst))) return IoStatus::failure(IoErrc::OutOfRange);
  std::uint64_t pos = offset;
  for (const auto& b : dst) {
    if (!b.empty()) std::memcpy(b.data(), base_ + pos, b.size());
    pos += b.size();
  }
  return IoStatus::success();
}

IoStatus RamDevice::write(std::uint64_t offset, std::span<const wire::ByteView> src, bool /*fua*/) {
  if (!in_range(offset, total_length(src))) return IoStatus::failure(IoErrc::OutOfRange);
  std::uint64_t pos = offset;
  for (const auto& b : src) {
    if (!b.empty()) std::memcpy(base_ + pos, b.data(), b.size());
    pos += b.size();
  }
  return IoStatus::success();
}

IoStatus RamDevice::unmap(std::uint64_t offset, std::uint64_t length) {
  if (!in_range(offset, length)) return IoStatus::failure(IoErrc::OutOfRange);
  if (length == 0) return IoStatus::success();
  const std::uint64_t page = page_size();
  const std::uint64_t end = offset + length;
  // Whole pages strictly inside the range are released; the partial pages at
  // either edge are zeroed in place.
  const std::uint64_t first_page = (offset + page - 1) / page * page;
  const std::uint64_t last_page = end / page * page;
  if (first_page >= last_page) {
    std::memset(base_ + offset, 0, static_cast<std::size_t>(length));
    return IoStatus::success();
  }
  std::memset(base_ + offset, 0, static_cast<std::size_t>(first_page - offset));
  std::memset(base_ + last_page, 0, static_cast<std::size_t>(end - last_page));
  if (::madvise(base_ + first_page, static_cast<std::size_t>(last_page - first_page),
                MADV_DONTNEED) != 0) {
    // The pages stay allocated; zero them so the range still reads as zeros.
    std::memset(base_ + first_page, 0, static_cast<std::size_t>(last_page - first_page));
  }
  return IoStatus::success();
}

std::optional<wire::ByteView> RamDevice::view(std::uint64_t offset, std::uint64_t length) const {
  if (!in_range(offset, length)) return std::nullopt;
  return wire::ByteView(base_ + offset, static_cast<std::size_t>(length));
}

}  // namespace iscsi::scsi
