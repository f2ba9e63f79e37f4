// The block commands of a logical unit: READ CAPACITY, READ, WRITE, VERIFY
// and SYNCHRONIZE CACHE (SBC-3 §5).
#include <algorithm>
#include <cstring>
#include <vector>

#include "scsi/logical_unit.h"

namespace iscsi::scsi {

namespace {

// Bytes read per step when VERIFY checks the medium.
constexpr std::size_t kVerifyChunk = 1024 * 1024;

// The Data-Out bytes a block command may use: all `expected` bytes, or fewer
// whole blocks when the initiator's ExpectedDataTransferLength was shorter.
// A trailing partial block → INVALID FIELD IN COMMAND INFORMATION UNIT, and
// nothing is written (see logical_unit.h).
wire::Result<std::size_t, Sense> usable_data_out(wire::ByteView data_out, std::uint32_t expected,
                                                 std::uint32_t block_size) {
  const std::size_t n = std::min<std::size_t>(data_out.size(), expected);
  if (n < expected && n % block_size != 0) {
    return wire::Unexpected(sense::invalid_field_in_command_information_unit());
  }
  return n;
}

// Offset (from the start of the verified range) of the first byte of
// `medium[0, n)`, which starts `done` bytes into the range, that differs from
// the Data-Out buffer: the buffer itself (BYTCHK 01b) or its first block
// repeated (BYTCHK 11b).
std::optional<std::uint64_t> first_difference(const std::uint8_t* medium, std::size_t n,
                                              wire::ByteView data_out, std::uint64_t done,
                                              bool repeat_block, std::uint32_t bs) {
  std::size_t i = 0;
  while (i < n) {
    const std::uint64_t at = done + i;
    const std::size_t src = static_cast<std::size_t>(repeat_block ? at % bs : at);
    const std::size_t len = std::min<std::size_t>(n - i, repeat_block ? bs - src : n - i);
    if (std::memcmp(medium + i, data_out.data() + src, len) != 0) {
      for (std::size_t k = 0; k < len; ++k) {
        if (medium[i + k] != data_out[src + k]) return at + k;
      }
    }
    i += len;
  }
  return std::nullopt;
}

}  // namespace

Result LogicalUnit::read_capacity_10(const Request& rq) const {
  // SBC-3 READ CAPACITY(10) parameter data: RETURNED LOGICAL BLOCK ADDRESS
  // (FFFFFFFFh when the last LBA does not fit: use READ CAPACITY(16)) and
  // LOGICAL BLOCK LENGTH IN BYTES.
  wire::Bytes d(8, 0);
  const std::uint64_t last = capacity_ - 1;
  wire::store_be32(&d[0], last >= 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(last));
  wire::store_be32(&d[4], limits_.block_size);
  return Result::good(truncate_to(std::move(d), 8, rq.data_in_capacity));
}

Result LogicalUnit::read_capacity_16(const ParsedCdb& p, const Request& rq) const {
  // SBC-3 READ CAPACITY(16) parameter data, 32 bytes.
  wire::Bytes d(32, 0);
  wire::store_be64(&d[0], capacity_ - 1);  // RETURNED LOGICAL BLOCK ADDRESS
  wire::store_be32(&d[8], limits_.block_size);
  // Byte 12: P_TYPE 0, PROT_EN 0 (no protection information).
  // Byte 13: P_I_EXPONENT 0, LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT 0.
  // Byte 14: LBPME and LBPRZ for thin provisioned units: unmapped blocks
  // read back as zeros on every backend.
  if (options_.thin) d[14] = 0x80 | 0x40;
  return Result::good(truncate_to(std::move(d), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::read(const ParsedCdb& p, const Request& rq) {
  const std::uint32_t n = std::min(p.transfer_length, rq.data_in_capacity);
  wire::Bytes data(n);
  if (n > 0) {
    const wire::MutableByteView dst[1] = {wire::MutableByteView(data)};
    const IoStatus st = device_->read(p.lba * limits_.block_size, dst);
    if (!st.ok()) return Result::check_condition(sense_for_io_error(st, p.lba));
  }
  return Result::good(std::move(data));
}

Result LogicalUnit::write(const ParsedCdb& p, const Request& rq) {
  const auto usable = usable_data_out(rq.data_out, p.transfer_length, limits_.block_size);
  if (!usable) return Result::check_condition(usable.error());
  if (*usable == 0) return Result::good();
  const wire::ByteView src[1] = {rq.data_out.first(*usable)};
  const IoStatus st = device_->write(p.lba * limits_.block_size, src, p.fua);
  if (!st.ok()) return Result::check_condition(sense_for_io_error(st, p.lba));
  return Result::good();
}

Result LogicalUnit::verify(const ParsedCdb& p, const Request& rq) {
  const std::uint32_t bs = limits_.block_size;
  std::size_t compare_bytes = 0;
  if (p.bytchk != 0) {
    const auto usable = usable_data_out(rq.data_out, p.transfer_length, bs);
    if (!usable) return Result::check_condition(usable.error());
    compare_bytes = *usable;
  }
  // BYTCHK 00b: verify the medium by reading every block of the range.
  // BYTCHK 01b: compare the Data-Out buffer with the blocks it covers.
  // BYTCHK 11b: compare the single Data-Out block with every block.
  std::uint64_t medium_bytes = static_cast<std::uint64_t>(p.blocks) * bs;
  if (p.bytchk == 0x01) medium_bytes = compare_bytes;
  if (p.bytchk == 0x03 && compare_bytes == 0) medium_bytes = 0;

  std::vector<std::uint8_t> buf(std::min<std::uint64_t>(medium_bytes, kVerifyChunk));
  const std::uint64_t base = p.lba * bs;
  for (std::uint64_t done = 0; done < medium_bytes;) {
    const std::size_t step =
        static_cast<std::size_t>(std::min<std::uint64_t>(medium_bytes - done, buf.size()));
    const wire::MutableByteView dst[1] = {wire::MutableByteView(buf.data(), step)};
    const IoStatus st = device_->read(base + done, dst);
    if (!st.ok()) return Result::check_condition(sense_for_io_error(st, p.lba + done / bs));
    if (p.bytchk != 0) {
      if (auto at = first_difference(buf.data(), step, rq.data_out, done, p.bytchk == 0x03, bs)) {
        // SBC-3 VERIFY: MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION; the
        // INFORMATION field holds the offset of the first differing byte.
        return Result::check_condition(sense::miscompare_during_verify(*at));
      }
    }
    done += step;
  }
  return Result::good();
}

Result LogicalUnit::synchronize_cache() {
  // SBC-3 SYNCHRONIZE CACHE: the whole device is flushed, which covers any
  // range; GOOD only once the data is durable.
  const IoStatus st = device_->flush();
  if (!st.ok()) return Result::check_condition(sense_for_io_error(st));
  return Result::good();
}

}  // namespace iscsi::scsi
