// The plug-in point for storage: a fixed-size array of blocks with a
// synchronous, scatter-gather interface. Users implement BlockDevice to serve
// their own storage; the target ships RAM, file and null backends.
//
// Contract for every implementation:
// - Offsets and lengths are in bytes and need not be block aligned (a read
//   truncated to a short Data-In buffer ends inside a block). A range outside
//   [0, capacity_blocks() * block_size()) is rejected with IoErrc::OutOfRange.
// - The buffers of one call are processed in order as one contiguous range.
// - Errors are values; no exception leaves a backend.
// - Calls may come from several threads at once. Overlapping concurrent writes
//   leave unspecified (but block-for-block one of the writers') content, as on
//   a disk; callers order overlapping I/O themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "scsi/sense.h"
#include "wire/bytes.h"

namespace iscsi::scsi {

enum class IoErrc : std::uint8_t {
  Ok,
  OutOfRange,  // range outside the device (a caller bug)
  ReadError,   // the medium could not be read
  WriteError,  // the medium could not be written (or made durable)
  NoSpace,     // backing store exhausted (ENOSPC on a thin file)
  ReadOnly,    // write to a device opened read-only
  Internal,    // anything else (bad descriptor, EINVAL, ...)
};

struct IoStatus {
  IoErrc code = IoErrc::Ok;
  int sys_errno = 0;  // errno of the failing call, 0 when none
  bool ok() const { return code == IoErrc::Ok; }
  static IoStatus success() { return {}; }
  static IoStatus failure(IoErrc c, int e = 0) { return IoStatus{c, e}; }
};

std::string io_status_text(const IoStatus& s);

// The sense a logical unit reports for a failed I/O. `lba` is the first block
// of the failing range, reported in the INFORMATION field of medium errors
// when known (SBC-3 error reporting: the INFORMATION field holds the LBA of
// the first logical block in error).
Sense sense_for_io_error(const IoStatus& s, std::optional<std::uint64_t> lba = std::nullopt);

// Provisioning status of a run of bytes (SBC-3 logical block provisioning:
// a mapped block has storage; a deallocated one has none and reads as
// zeros).
struct Allocation {
  bool mapped = true;
  std::uint64_t length = 0;  // bytes from the queried offset with this status
  bool operator==(const Allocation&) const = default;
};

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;

  virtual std::uint64_t capacity_blocks() const = 0;
  virtual std::uint32_t block_size() const = 0;  // 512 or 4096

  // Fills `dst` (in order) from the device starting at `offset`.
  virtual IoStatus read(std::uint64_t offset, std::span<const wire::MutableByteView> dst) = 0;
  // Stores `src` (in order) starting at `offset`. With `fua` the data is on
  // stable storage when the call returns (SBC-3, WRITE(10) FUA bit: the
  // device server writes to the medium before returning GOOD).
  virtual IoStatus write(std::uint64_t offset, std::span<const wire::ByteView> src, bool fua) = 0;
  // Makes every completed write durable.
  virtual IoStatus flush() = 0;
  // Deallocates a range; it reads back as zeros afterwards.
  virtual IoStatus unmap(std::uint64_t offset, std::uint64_t length) = 0;

  // Status of the bytes at `offset` and how far it extends: at least one
  // byte and at most `length` (which must be positive and in range).
  // Backends without provisioning report everything mapped.
  virtual Allocation allocation(std::uint64_t /*offset*/, std::uint64_t length) const {
    return Allocation{true, length};
  }

  // Direct read-only view of the device's memory for zero-copy Data-In, for
  // backends that keep their data in memory. The view stays valid for the
  // life of the device; its content changes with later writes.
  virtual std::optional<wire::ByteView> view(std::uint64_t /*offset*/,
                                             std::uint64_t /*length*/) const {
    return std::nullopt;
  }

  std::uint64_t capacity_bytes() const { return capacity_blocks() * block_size(); }

 protected:
  // True when [offset, offset + length) lies inside the device.
  bool in_range(std::uint64_t offset, std::uint64_t length) const {
    const std::uint64_t cap = capacity_bytes();
    return offset <= cap && length <= cap - offset;
  }
};

// Total byte count of a buffer list.
std::uint64_t total_length(std::span<const wire::MutableByteView> bufs);
std::uint64_t total_length(std::span<const wire::ByteView> bufs);

}  // namespace iscsi::scsi
