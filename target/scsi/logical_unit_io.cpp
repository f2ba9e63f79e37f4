// The block commands of a logical unit: READ CAPACITY, READ, WRITE (and
// WRITE AND VERIFY, WRITE ATOMIC), VERIFY, SYNCHRONIZE CACHE, WRITE SAME,
// COMPARE AND WRITE and ORWRITE (SBC-3 §5).
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
  // LOWEST ALIGNED LOGICAL BLOCK ADDRESS 0 (bytes 14-15, low bits).
  return Result::good(truncate_to(std::move(d), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::read(const ParsedCdb& p, const Request& rq) {
  const std::uint32_t n = std::min(p.transfer_length, rq.data_in_capacity);
  wire::Bytes data(n);
  if (n > 0) {
    std::shared_lock<std::shared_mutex> io(io_mutex_);
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
  std::shared_lock<std::shared_mutex> io(io_mutex_, std::defer_lock);
  // WRITE ATOMIC holds the lock exclusively already.
  if (p.command != Command::WriteAtomic) io.lock();
  return write_blocks(p.lba, rq.data_out.first(*usable), p.fua, p.verify_after_write);
}

Result LogicalUnit::write_blocks(std::uint64_t lba, wire::ByteView data, bool fua, bool verify) {
  // SBC-3 Caching mode page: with WCE 0 the write completes on the medium
  // before status, as FUA asks.
  const bool through = fua || !mode_values().wce;
  const wire::ByteView src[1] = {data};
  const IoStatus st = device_->write(lba * limits_.block_size, src, through);
  if (!st.ok()) return Result::check_condition(sense_for_io_error(st, lba));
  if (!verify) return Result::good();
  // WRITE AND VERIFY with BYTCHK 1: the blocks written are read back and
  // compared with the Data-Out buffer (MISCOMPARE on a difference).
  std::vector<std::uint8_t> buf(std::min<std::size_t>(data.size(), kVerifyChunk));
  for (std::size_t done = 0; done < data.size();) {
    const std::size_t step = std::min(data.size() - done, buf.size());
    const wire::MutableByteView dst[1] = {wire::MutableByteView(buf.data(), step)};
    const IoStatus rs = device_->read(lba * limits_.block_size + done, dst);
    if (!rs.ok())
      return Result::check_condition(sense_for_io_error(rs, lba + done / limits_.block_size));
    if (auto at = first_difference(buf.data(), step, data, done, false, limits_.block_size)) {
      return Result::check_condition(sense::miscompare_during_verify(*at));
    }
    done += step;
  }
  return Result::good();
}

Result LogicalUnit::fill_blocks(std::uint64_t lba, std::uint64_t blocks, wire::ByteView block) {
  const std::uint32_t bs = limits_.block_size;
  // One buffer of whole copies of the block, at most kVerifyChunk bytes,
  // written as often as needed: bounded memory for any length.
  const std::uint64_t per_step = std::max<std::uint64_t>(1, kVerifyChunk / bs);
  const std::uint64_t first = std::min(blocks, per_step);
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(first * bs));
  for (std::uint64_t i = 0; i < first; ++i) std::memcpy(buf.data() + i * bs, block.data(), bs);
  const bool through = !mode_values().wce;
  for (std::uint64_t done = 0; done < blocks;) {
    const std::uint64_t n = std::min(blocks - done, first);
    const wire::ByteView src[1] = {wire::ByteView(buf.data(), static_cast<std::size_t>(n * bs))};
    const IoStatus st = device_->write((lba + done) * bs, src, through);
    if (!st.ok()) return Result::check_condition(sense_for_io_error(st, lba + done));
    done += n;
  }
  return Result::good();
}

Result LogicalUnit::write_same(const ParsedCdb& p, const Request& rq) {
  const std::uint32_t bs = limits_.block_size;
  // SBC-3: UNMAP set on a unit without logical block provisioning
  // management (LBPWS 0) → INVALID FIELD IN CDB. Checked here, after write
  // protection, so a write-protected unit reports DATA PROTECT first.
  if (p.unmap && !options_.thin) return Result::check_condition(sense::invalid_field_in_cdb(1, 3));
  std::vector<std::uint8_t> zeros;
  wire::ByteView block;
  if (p.ndob) {
    zeros.assign(bs, 0);
    block = wire::ByteView(zeros);
  } else {
    // The single block of data must have arrived whole.
    if (rq.data_out.size() < bs) {
      return Result::check_condition(sense::invalid_field_in_command_information_unit());
    }
    block = rq.data_out.first(bs);
  }
  std::unique_lock<std::shared_mutex> io(io_mutex_);
  const bool zero_block =
      std::all_of(block.begin(), block.end(), [](std::uint8_t b) { return b == 0; });
  // SBC-3 WRITE SAME with UNMAP: the blocks are deallocated when that leaves
  // the data the command asks for, i.e. the block is all zeros and
  // deallocated blocks read as zeros (LBPRZ 1); otherwise they are written.
  if (p.unmap && options_.thin && zero_block) {
    const IoStatus st = device_->unmap(p.lba * bs, static_cast<std::uint64_t>(p.blocks) * bs);
    if (!st.ok()) return Result::check_condition(sense_for_io_error(st, p.lba));
    return Result::good();
  }
  return fill_blocks(p.lba, p.blocks, block);
}

Result LogicalUnit::compare_and_write(const ParsedCdb& p, const Request& rq) {
  // SBC-3 COMPARE AND WRITE: NUMBER OF LOGICAL BLOCKS 0 transfers and
  // compares nothing and is not an error.
  if (p.blocks == 0) return Result::good();
  const std::size_t half = static_cast<std::size_t>(p.blocks) * limits_.block_size;
  // Both halves are needed; a short Data-Out buffer cannot be compared.
  if (rq.data_out.size() < 2 * half) {
    return Result::check_condition(sense::invalid_field_in_command_information_unit());
  }
  // The read, compare and write form one atomic operation with respect to
  // every other command (SBC-3: "as an uninterrupted series of actions").
  std::unique_lock<std::shared_mutex> io(io_mutex_);
  std::vector<std::uint8_t> current(half);
  const wire::MutableByteView dst[1] = {wire::MutableByteView(current)};
  const IoStatus st = device_->read(p.lba * limits_.block_size, dst);
  if (!st.ok()) return Result::check_condition(sense_for_io_error(st, p.lba));
  if (auto at = first_difference(current.data(), half, rq.data_out.first(half), 0, false,
                                 limits_.block_size)) {
    // MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION; INFORMATION: the
    // offset of the first byte that differs. Nothing is written.
    return Result::check_condition(sense::miscompare_during_verify(*at));
  }
  return write_blocks(p.lba, rq.data_out.subspan(half, half), p.fua, false);
}

Result LogicalUnit::orwrite(const ParsedCdb& p, const Request& rq) {
  const auto usable = usable_data_out(rq.data_out, p.transfer_length, limits_.block_size);
  if (!usable) return Result::check_condition(usable.error());
  if (*usable == 0) return Result::good();
  // SBC-3 ORWRITE(16): each block becomes the bitwise OR of its content and
  // the Data-Out block, atomically with respect to other commands.
  std::unique_lock<std::shared_mutex> io(io_mutex_);
  std::vector<std::uint8_t> merged(*usable);
  const wire::MutableByteView dst[1] = {wire::MutableByteView(merged)};
  const IoStatus st = device_->read(p.lba * limits_.block_size, dst);
  if (!st.ok()) return Result::check_condition(sense_for_io_error(st, p.lba));
  for (std::size_t i = 0; i < merged.size(); ++i) merged[i] |= rq.data_out[i];
  return write_blocks(p.lba, wire::ByteView(merged), p.fua, false);
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
