#include "scsi/block_device.h"

#include <cstring>

namespace iscsi::scsi {

std::string io_status_text(const IoStatus& s) {
  const char* what = "ok";
  switch (s.code) {
    case IoErrc::Ok:
      what = "ok";
      break;
    case IoErrc::OutOfRange:
      what = "range outside the device";
      break;
    case IoErrc::ReadError:
      what = "read error";
      break;
    case IoErrc::WriteError:
      what = "write error";
      break;
    case IoErrc::NoSpace:
      what = "no space left on the backing store";
      break;
    case IoErrc::ReadOnly:
      what = "device is read-only";
      break;
    case IoErrc::Internal:
      what = "internal error";
      break;
  }
  std::string out = what;
  if (s.sys_errno != 0) {
    out += ": ";
    out += std::strerror(s.sys_errno);
  }
  return out;
}

Sense sense_for_io_error(const IoStatus& s, std::optional<std::uint64_t> lba) {
  switch (s.code) {
    case IoErrc::Ok:
      return sense::no_sense();
    case IoErrc::OutOfRange:
      return sense::lba_out_of_range();
    case IoErrc::ReadError:
      return sense::unrecovered_read_error(lba);
    case IoErrc::WriteError:
      return sense::write_error(lba);
    case IoErrc::NoSpace:
      // SBC-3 thin provisioning, permanent resource exhaustion: DATA
      // PROTECT, SPACE ALLOCATION FAILED WRITE PROTECT.
      return sense::space_allocation_failed_write_protect();
    case IoErrc::ReadOnly:
      return sense::write_protected();
    case IoErrc::Internal:
      return sense::internal_target_failure();
  }
  return sense::internal_target_failure();
}

std::uint64_t total_length(std::span<const wire::MutableByteView> bufs) {
  std::uint64_t n = 0;
  for (const auto& b : bufs) n += b.size();
  return n;
}

std::uint64_t total_length(std::span<const wire::ByteView> bufs) {
  std::uint64_t n = 0;
  for (const auto& b : bufs) n += b.size();
  return n;
}

}  // namespace iscsi::scsi
