// Logical block provisioning commands of a logical unit: UNMAP and GET LBA
// STATUS (SBC-3 §5, thin provisioned units only).
#include <algorithm>
#include <cstring>
#include <vector>

#include "scsi/logical_unit.h"

namespace iscsi::scsi {

namespace {

constexpr std::size_t kUnmapHeader = 8;
constexpr std::size_t kUnmapDescriptor = 16;
// Most LBA status descriptors one GET LBA STATUS returns.
constexpr std::size_t kMaxLbaStatusDescriptors = 64;

}  // namespace

Result LogicalUnit::unmap(const ParsedCdb& p, const Request& rq) {
  // SBC-3 UNMAP: a PARAMETER LIST LENGTH of zero is not an error.
  if (p.parameter_list_length == 0) return Result::good();
  const wire::ByteView list =
      rq.data_out.first(std::min<std::size_t>(rq.data_out.size(), p.parameter_list_length));
  // "If the PARAMETER LIST LENGTH ... is greater than zero and less than
  // eight, ... PARAMETER LIST LENGTH ERROR."
  if (list.size() < kUnmapHeader)
    return Result::check_condition(sense::parameter_list_length_error());
  // UNMAP parameter list: UNMAP DATA LENGTH bytes 0-1, UNMAP BLOCK
  // DESCRIPTOR DATA LENGTH bytes 2-3, then 16-byte descriptors (LBA bytes
  // 0-7, NUMBER OF LOGICAL BLOCKS bytes 8-11). A partial trailing
  // descriptor is ignored; descriptors beyond the list are not read.
  const std::size_t declared = wire::load_be16(&list[2]);
  const std::size_t count = std::min(declared, list.size() - kUnmapHeader) / kUnmapDescriptor;
  // Above MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT → INVALID FIELD IN PARAMETER
  // LIST.
  if (count > block_limits::kMaxUnmapDescriptors) {
    return Result::check_condition(sense::invalid_field_in_parameter_list(2));
  }
  // Every descriptor is checked before anything is deallocated.
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = kUnmapHeader + i * kUnmapDescriptor;
    const std::uint64_t lba = wire::load_be64(&list[at]);
    const std::uint32_t n = wire::load_be32(&list[at + 8]);
    if (!lba_range_ok(lba, n, capacity_)) return Result::check_condition(sense::lba_out_of_range());
    total += n;
    // Above MAXIMUM UNMAP LBA COUNT → INVALID FIELD IN PARAMETER LIST.
    if (total > block_limits::kMaxUnmapLbaCount) {
      return Result::check_condition(
          sense::invalid_field_in_parameter_list(static_cast<std::uint16_t>(at + 8)));
    }
  }
  std::shared_lock<std::shared_mutex> io(io_mutex_);
  const std::uint32_t bs = limits_.block_size;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = kUnmapHeader + i * kUnmapDescriptor;
    const std::uint64_t lba = wire::load_be64(&list[at]);
    const std::uint32_t n = wire::load_be32(&list[at + 8]);
    if (n == 0) continue;
    const IoStatus st = device_->unmap(lba * bs, static_cast<std::uint64_t>(n) * bs);
    if (!st.ok()) return Result::check_condition(sense_for_io_error(st, lba));
  }
  return Result::good();
}

Result LogicalUnit::get_lba_status(const ParsedCdb& p, const Request& rq) const {
  // SBC-3 GET LBA STATUS parameter data: PARAMETER DATA LENGTH (bytes 0-3,
  // the bytes that follow it), 4 reserved bytes, then LBA status
  // descriptors (LBA bytes 0-7, NUMBER OF LOGICAL BLOCKS bytes 8-11,
  // PROVISIONING STATUS byte 12: 0h mapped, 1h deallocated). The first
  // descriptor starts at the STARTING LOGICAL BLOCK ADDRESS; no more are
  // built than the allocation length can hold (at least one).
  const std::size_t fit = p.allocation_length >= 24 ? (p.allocation_length - 8) / 16 : 1;
  const std::size_t max = std::min(fit, kMaxLbaStatusDescriptors);
  const std::uint32_t bs = limits_.block_size;
  wire::Bytes d(8, 0);
  std::shared_lock<std::shared_mutex> io(io_mutex_);
  std::uint64_t lba = p.lba;
  for (std::size_t i = 0; i < max && lba < capacity_; ++i) {
    const std::uint64_t span = std::min<std::uint64_t>(capacity_ - lba, 0xffffffffu);
    const Allocation a = device_->allocation(lba * bs, span * bs);
    const std::uint64_t blocks = std::clamp<std::uint64_t>((a.length + bs - 1) / bs, 1, span);
    const std::size_t at = d.size();
    d.resize(at + 16, 0);
    wire::store_be64(&d[at], lba);
    wire::store_be32(&d[at + 8], static_cast<std::uint32_t>(blocks));
    d[at + 12] = a.mapped ? 0x00 : 0x01;
    lba += blocks;
  }
  wire::store_be32(&d[0], static_cast<std::uint32_t>(d.size() - 4));
  return Result::good(truncate_to(std::move(d), p.allocation_length, rq.data_in_capacity));
}

}  // namespace iscsi::scsi
