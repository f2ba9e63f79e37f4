#include "scsi/ram_device.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
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
    : base_(base),
      bytes_(bytes),
      blocks_(bytes / block_size),
      block_size_(block_size),
      mapped_(static_cast<std::size_t>((blocks_ + 63) / 64)) {}

void RamDevice::mark(std::uint64_t first_block, std::uint64_t end_block, bool mapped) {
  std::uint64_t b = first_block;
  while (b < end_block) {
    const std::uint64_t word = b / 64;
    const unsigned bit = static_cast<unsigned>(b % 64);
    const std::uint64_t n = std::min<std::uint64_t>(64 - bit, end_block - b);
    const std::uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << bit;
    auto& w = mapped_[static_cast<std::size_t>(word)];
    if (mapped) {
      w.fetch_or(mask, std::memory_order_relaxed);
    } else {
      w.fetch_and(~mask, std::memory_order_relaxed);
    }
    b += n;
  }
}

bool RamDevice::is_mapped(std::uint64_t block) const {
  const std::uint64_t w =
      mapped_[static_cast<std::size_t>(block / 64)].load(std::memory_order_relaxed);
  return (w >> (block % 64)) & 1u;
}

Allocation RamDevice::allocation(std::uint64_t offset, std::uint64_t length) const {
  if (length == 0 || !in_range(offset, length)) return Allocation{true, length};
  const std::uint64_t first = offset / block_size_;
  const std::uint64_t end = (offset + length + block_size_ - 1) / block_size_;
  const bool state = is_mapped(first);
  std::uint64_t b = first + 1;
  while (b < end) {
    // Whole words of the same state are skipped at once.
    if (b % 64 == 0 && end - b >= 64) {
      const std::uint64_t w =
          mapped_[static_cast<std::size_t>(b / 64)].load(std::memory_order_relaxed);
      if (w == (state ? ~0ull : 0ull)) {
        b += 64;
        continue;
      }
    }
    if (is_mapped(b) != state) break;
    ++b;
  }
  const std::uint64_t run_end = std::min(b * block_size_, offset + length);
  return Allocation{state, run_end - offset};
}

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
  // Every block the write touched now has content.
  if (pos > offset) mark(offset / block_size_, (pos + block_size_ - 1) / block_size_, true);
  return IoStatus::success();
}

IoStatus RamDevice::unmap(std::uint64_t offset, std::uint64_t length) {
  if (!in_range(offset, length)) return IoStatus::failure(IoErrc::OutOfRange);
  if (length == 0) return IoStatus::success();
  // Only whole blocks become deallocated; a partial block keeps its status.
  const std::uint64_t first_whole = (offset + block_size_ - 1) / block_size_;
  const std::uint64_t end_whole = (offset + length) / block_size_;
  if (first_whole < end_whole) mark(first_whole, end_whole, false);
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
