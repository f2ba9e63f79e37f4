// Block commands at the CDB level (SBC-3): READ CAPACITY(10)/(16), READ and
// WRITE 6/10/12/16, VERIFY 10/12/16, SYNCHRONIZE CACHE 10/16, range and
// write-protect checks, short Data-Out / Data-In buffers, backend errors.
#include <gtest/gtest.h>

#include <numeric>

#include "cdb_builders.h"
#include "lu_fixture.h"
#include "scsi/file_device.h"
#include "scsi/logical_unit.h"
#include "scsi/null_device.h"
#include "temp_dir.h"

namespace iscsi::scsi {
namespace {

using namespace testing;  // NOLINT: builders and fixtures

void expect_check(const Result& r, const Sense& s) {
  EXPECT_EQ(r.status, Status::CheckCondition);
  EXPECT_EQ(r.sense, s) << (r.sense ? r.sense->describe() : "no sense") << " vs " << s.describe();
  EXPECT_TRUE(r.data_in.empty());
}

void expect_good(const Result& r) {
  EXPECT_EQ(r.status, Status::Good) << (r.sense ? r.sense->describe() : "");
  EXPECT_FALSE(r.sense.has_value());
}

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  std::iota(b.begin(), b.end(), seed);
  return b;
}

const Bytes kReadCapacity10 = {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0};

class BlockIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lu_ = make_unit(1u << 20, 512);  // 2048 blocks
    ASSERT_TRUE(lu_);
    clear_power_on(*lu_);
  }
  Bytes read_blocks(std::uint32_t lba, std::uint16_t n) {
    const Result r = run(*lu_, cdb10(0x28, lba, n));
    EXPECT_EQ(r.status, Status::Good);
    return r.data_in;
  }
  std::unique_ptr<LogicalUnit> lu_;
};

TEST_F(BlockIoTest, ReadCapacity10) {
  // RETURNED LOGICAL BLOCK ADDRESS 2047 (000007FFh), BLOCK LENGTH 512.
  const Result r = run(*lu_, kReadCapacity10);
  expect_good(r);
  EXPECT_EQ(r.data_in, (Bytes{0x00, 0x00, 0x07, 0xff, 0x00, 0x00, 0x02, 0x00}));
}

TEST_F(BlockIoTest, ReadCapacity16) {
  const Result r = run(*lu_, read_capacity16(32));
  expect_good(r);
  Bytes e(32, 0);
  e[6] = 0x07;
  e[7] = 0xff;   // RETURNED LOGICAL BLOCK ADDRESS 2047
  e[10] = 0x02;  // LOGICAL BLOCK LENGTH 512
  // Bytes 12-15: no protection, LBPPBE 0, LBPME 0, LBPRZ 0 (not thin).
  EXPECT_EQ(r.data_in, e);
  EXPECT_EQ(run(*lu_, read_capacity16(12)).data_in, Bytes(e.begin(), e.begin() + 12));
  EXPECT_EQ(run(*lu_, read_capacity16(0)).data_in, Bytes{});
}

TEST(ReadCapacityThin, Lbpme_Lbprz) {
  auto lu = make_unit(1u << 20, 4096, LunOptions{.thin = true});
  ASSERT_TRUE(lu);
  clear_power_on(*lu);
  const Result r = run(*lu, read_capacity16(32));
  expect_good(r);
  Bytes e(32, 0);
  e[7] = 0xff;   // 256 blocks: last LBA 255
  e[10] = 0x10;  // 4096
  e[14] = 0xc0;  // LBPME | LBPRZ
  EXPECT_EQ(r.data_in, e);
  // LBPME promises the Logical Block Provisioning VPD page.
  const Result b2 = run(*lu, inquiry(true, 0xb2, 255));
  expect_good(b2);
  EXPECT_EQ(b2.data_in, (Bytes{0x00, 0xb2, 0x00, 0x04, 0x00, 0xe4, 0x02, 0x00}));
}

TEST(ReadCapacityLarge, TenSaturatesSixteenDoesNot) {
  // 4 TiB of 512-byte blocks: 2^33 blocks, last LBA 1FFFFFFFFh.
  auto dev = NullDevice::create(4ull << 40, 512);
  ASSERT_TRUE(dev);
  LogicalUnit lu(std::move(dev).value(), LunOptions{}, test_identity());
  clear_power_on(lu);
  EXPECT_EQ(run(lu, kReadCapacity10).data_in,
            (Bytes{0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x02, 0x00}));
  const Result r16 = run(lu, read_capacity16(12));
  EXPECT_EQ(r16.data_in,
            (Bytes{0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x02, 0x00}));
  // READ(16) far beyond 2^32 blocks works.
  expect_good(run(lu, cdb16(0x88, (1ull << 33) - 1, 1)));
  expect_check(run(lu, cdb16(0x88, 1ull << 33, 1)), sense::lba_out_of_range());
}

TEST_F(BlockIoTest, WriteThenReadBackEveryCdbSize) {
  const Bytes a = pattern(1024, 1);
  expect_good(run(*lu_, cdb6_rw(0x0a, 10, 2), 1, a));
  EXPECT_EQ(run(*lu_, cdb6_rw(0x08, 10, 2)).data_in, a);

  const Bytes b = pattern(1536, 7);
  expect_good(run(*lu_, cdb10(0x2a, 100, 3), 1, b));
  EXPECT_EQ(run(*lu_, cdb10(0x28, 100, 3)).data_in, b);

  const Bytes c = pattern(512, 9);
  expect_good(run(*lu_, cdb12(0xaa, 2047, 1), 1, c));
  EXPECT_EQ(run(*lu_, cdb12(0xa8, 2047, 1)).data_in, c);

  const Bytes d = pattern(4096, 3);
  expect_good(run(*lu_, cdb16(0x8a, 500, 8, 0x08), 1, d));     // FUA
  EXPECT_EQ(run(*lu_, cdb16(0x88, 500, 8, 0x18)).data_in, d);  // DPO | FUA on a read

  // The blocks around stayed zero.
  EXPECT_EQ(read_blocks(99, 1), Bytes(512, 0));
  EXPECT_EQ(read_blocks(103, 1), Bytes(512, 0));
}

TEST_F(BlockIoTest, Read6LengthZeroReads256Blocks) {
  const Result r = run(*lu_, cdb6_rw(0x08, 0, 0));
  expect_good(r);
  EXPECT_EQ(r.data_in.size(), 256u * 512);
}

TEST_F(BlockIoTest, ZeroLengthTransfersDoNothing) {
  expect_good(run(*lu_, cdb10(0x2a, 0, 0)));
  const Result r = run(*lu_, cdb16(0x88, 5, 0));
  expect_good(r);
  EXPECT_TRUE(r.data_in.empty());
  // LBA + 0 equal to the capacity is not beyond it; one more is.
  expect_good(run(*lu_, cdb10(0x28, 2048, 0)));
  expect_check(run(*lu_, cdb10(0x28, 2049, 0)), sense::lba_out_of_range());
}

TEST_F(BlockIoTest, BeyondTheEndIsLbaOutOfRange) {
  const Sense oob = sense::lba_out_of_range();
  expect_check(run(*lu_, cdb10(0x28, 2048, 1)), oob);
  expect_check(run(*lu_, cdb10(0x28, 2047, 2)), oob);
  expect_check(run(*lu_, cdb10(0x28, 0x80000000u, 1)), oob);
  expect_check(run(*lu_, cdb10(0x28, 0xffffffffu, 1)), oob);
  expect_check(run(*lu_, cdb16(0x88, UINT64_MAX, 1)), oob);
  expect_check(run(*lu_, cdb16(0x8a, 1ull << 63, 1), 1, Bytes(512)), oob);
  expect_check(run(*lu_, cdb12(0xaa, 2040, 9), 1, Bytes(9 * 512)), oob);
  expect_check(run(*lu_, cdb6_rw(0x08, 2000, 49)), oob);
  expect_check(run(*lu_, cdb10(0x2f, 2048, 1)), oob);  // VERIFY
  expect_check(run(*lu_, cdb10(0x35, 2049, 0)), oob);  // SYNCHRONIZE CACHE
  expect_check(run(*lu_, cdb16(0x91, 2000, 49)), oob);
  // Nothing was written by the rejected writes.
  EXPECT_EQ(read_blocks(2040, 8), Bytes(8 * 512, 0));
}

TEST_F(BlockIoTest, TransferLongerThanTheMaximumIsAnInvalidField) {
  expect_check(run(*lu_, cdb10(0x28, 0, 16385)), sense::invalid_field_in_cdb(7));
  expect_check(run(*lu_, cdb16(0x8a, 0, 16385), 1, {}), sense::invalid_field_in_cdb(10));
}

TEST_F(BlockIoTest, ShortDataOutWritesTheWholeBlocksReceived) {
  // WRITE(10) of two blocks with one block of Data-Out (EDTL one block):
  // the first block is written, the second keeps its content, GOOD.
  expect_good(run(*lu_, cdb10(0x2a, 0, 2), 1, Bytes(1024, 'a')));
  expect_good(run(*lu_, cdb10(0x2a, 0, 2), 1, Bytes(512, 'b')));
  Bytes expected(512, 'b');
  expected.insert(expected.end(), 512, 'a');
  EXPECT_EQ(read_blocks(0, 2), expected);

  // No Data-Out at all (EDTL 0): nothing written, GOOD.
  expect_good(run(*lu_, cdb10(0x2a, 0, 1), 1, {}));
  EXPECT_EQ(read_blocks(0, 1), Bytes(512, 'b'));
}

TEST_F(BlockIoTest, PartialBlockOfDataOutWritesNothing) {
  expect_good(run(*lu_, cdb10(0x2a, 0, 2), 1, Bytes(1024, 'a')));
  // 200 bytes for a one-block WRITE: CHECK CONDITION, ILLEGAL REQUEST,
  // INVALID FIELD IN COMMAND INFORMATION UNIT (0E/03); medium unchanged.
  expect_check(run(*lu_, cdb10(0x2a, 0, 1), 1, Bytes(200, 'c')),
               sense::invalid_field_in_command_information_unit());
  expect_check(run(*lu_, cdb10(0x2a, 0, 2), 1, Bytes(700, 'c')),
               sense::invalid_field_in_command_information_unit());
  EXPECT_EQ(read_blocks(0, 2), Bytes(1024, 'a'));
}

TEST_F(BlockIoTest, DataOutBeyondTheCdbLengthIsNotWritten) {
  expect_good(run(*lu_, cdb10(0x2a, 0, 1), 1, Bytes(1024, 'x')));
  Bytes expected(512, 'x');
  expected.insert(expected.end(), 512, 0);
  EXPECT_EQ(read_blocks(0, 2), expected);
}

// COMPARE AND WRITE (SBC-3 §5.2): LBA bytes 2-9, NUMBER OF LOGICAL BLOCKS
// byte 13.
Bytes compare_and_write(std::uint64_t lba, std::uint8_t blocks) {
  Bytes c(16, 0);
  c[0] = 0x89;
  wire::store_be64(&c[2], lba);
  c[13] = blocks;
  return c;
}

TEST_F(BlockIoTest, CompareAndWriteWritesOnlyWhenTheVerifyDataMatches) {
  expect_good(run(*lu_, cdb10(0x2a, 10, 2), 1, Bytes(1024, 'A')));
  Bytes buffer(1024, 'A');                 // verify instance
  buffer.insert(buffer.end(), 1024, 'B');  // write instance
  expect_good(run(*lu_, compare_and_write(10, 2), 1, buffer));
  EXPECT_EQ(read_blocks(10, 2), Bytes(1024, 'B'));
  // MISCOMPARE DURING VERIFY OPERATION (0E/1D), INFORMATION the offset of
  // the first byte that differs; nothing is written.
  Bytes other(1024, 'B');
  other[700] = 'x';
  other.insert(other.end(), 1024, 'C');
  expect_check(run(*lu_, compare_and_write(10, 2), 1, other), sense::miscompare_during_verify(700));
  EXPECT_EQ(read_blocks(10, 2), Bytes(1024, 'B'));
}

TEST_F(BlockIoTest, CompareAndWriteNeedsExactlyTwiceTheBlocksOfDataOut) {
  // SBC-3 §5.2: the Data-Out buffer holds NUMBER OF LOGICAL BLOCKS blocks of
  // verify data and as many of write data. An Expected Data Transfer Length
  // of anything else cannot be split: INVALID FIELD IN CDB, field pointer
  // byte 13, before any data moves.
  const Sense bad = sense::invalid_field_in_cdb(13);
  struct Case {
    std::uint8_t blocks;
    std::uint32_t edtl;
  };
  // 256 blocks do not fit the one-byte field: the CDB says 0 blocks while
  // the initiator sends 2 x 256 blocks (libiscsi CompareAndWrite.Simple).
  for (const Case c : {Case{0, 2 * 256 * 512}, Case{1, 4 * 512}, Case{1, 512}, Case{3, 4 * 512},
                       Case{1, 1023}, Case{0, 1}}) {
    const CommandInfo info = lu_->plan(1, compare_and_write(0, c.blocks), c.edtl);
    ASSERT_TRUE(info.early.has_value()) << int(c.blocks) << " blocks, EDTL " << c.edtl;
    expect_check(*info.early, bad);
  }
  const CommandInfo two = lu_->plan(1, compare_and_write(0, 2), 2 * 2 * 512);
  EXPECT_FALSE(two.early.has_value());
  EXPECT_EQ(two.direction, DataDirection::Write);
  EXPECT_EQ(two.transfer_length, 2048u);
  // NUMBER OF LOGICAL BLOCKS 0 with nothing to transfer is not an error.
  EXPECT_FALSE(lu_->plan(1, compare_and_write(0, 0), 0).early.has_value());
  // Without an Expected Data Transfer Length (callers that do not know it)
  // only the CDB is checked.
  EXPECT_FALSE(lu_->plan(1, compare_and_write(0, 1)).early.has_value());
  // Other write commands keep the residual rules (RFC 3720 §10.4.5).
  EXPECT_FALSE(lu_->plan(1, cdb10(0x2a, 0, 1), 4 * 512).early.has_value());
}

TEST_F(BlockIoTest, ShortDataInIsTruncated) {
  const Bytes data = pattern(1024, 40);
  expect_good(run(*lu_, cdb10(0x2a, 8, 2), 1, data));
  const Result r = run(*lu_, cdb10(0x28, 8, 2), 1, {}, 700);
  expect_good(r);
  EXPECT_EQ(r.data_in, Bytes(data.begin(), data.begin() + 700));
  EXPECT_TRUE(run(*lu_, cdb10(0x28, 8, 2), 1, {}, 0).data_in.empty());
}

TEST_F(BlockIoTest, VerifyWithoutByteCheck) {
  expect_good(run(*lu_, cdb10(0x2f, 0, 16)));
  expect_good(run(*lu_, cdb12(0xaf, 0, 0)));
  expect_good(run(*lu_, cdb16(0x8f, 2047, 1, 0x10)));  // DPO
  // Data sent anyway is not compared.
  expect_good(run(*lu_, cdb10(0x2f, 0, 1), 1, Bytes(512, 0xff)));
}

TEST_F(BlockIoTest, VerifyCompare) {
  const Bytes data = pattern(2048, 5);
  expect_good(run(*lu_, cdb10(0x2a, 20, 4), 1, data));
  expect_good(run(*lu_, cdb10(0x2f, 20, 4, 0x02), 1, data));
  expect_good(run(*lu_, cdb12(0xaf, 20, 4, 0x02), 1, data));
  expect_good(run(*lu_, cdb16(0x8f, 20, 4, 0x02), 1, data));

  Bytes other = data;
  other[1000] ^= 0x01;
  // MISCOMPARE 0E/1D/00, INFORMATION = offset of the first differing byte.
  expect_check(run(*lu_, cdb10(0x2f, 20, 4, 0x02), 1, other),
               sense::miscompare_during_verify(1000));
  expect_check(run(*lu_, cdb16(0x8f, 20, 4, 0x02), 1, other),
               sense::miscompare_during_verify(1000));
}

TEST_F(BlockIoTest, VerifyCompareOneBlockAgainstEach) {
  const Bytes block = pattern(512, 77);
  Bytes three;
  for (int i = 0; i < 3; ++i) three.insert(three.end(), block.begin(), block.end());
  expect_good(run(*lu_, cdb10(0x2a, 40, 3), 1, three));
  expect_good(run(*lu_, cdb10(0x2f, 40, 3, 0x06), 1, block));  // BYTCHK 11b
  // Block 41 differs at byte 3 → offset 512 + 3.
  Bytes bad = block;
  bad[3] ^= 0xff;
  expect_good(run(*lu_, cdb10(0x2a, 41, 1), 1, bad));
  expect_check(run(*lu_, cdb10(0x2f, 40, 3, 0x06), 1, block), sense::miscompare_during_verify(515));
}

TEST_F(BlockIoTest, VerifyShortDataOutComparesWholeBlocks) {
  expect_good(run(*lu_, cdb10(0x2a, 0, 2), 1, Bytes(1024, 'v')));
  // Two blocks to compare, one received: the block is compared, GOOD.
  expect_good(run(*lu_, cdb10(0x2f, 0, 2, 0x02), 1, Bytes(512, 'v')));
  expect_check(run(*lu_, cdb10(0x2f, 0, 2, 0x02), 1, Bytes(512, 'w')),
               sense::miscompare_during_verify(0));
  expect_check(run(*lu_, cdb10(0x2f, 0, 2, 0x02), 1, Bytes(100, 'v')),
               sense::invalid_field_in_command_information_unit());
}

TEST_F(BlockIoTest, SynchronizeCache) {
  expect_good(run(*lu_, cdb10(0x35, 0, 0)));
  expect_good(run(*lu_, cdb10(0x35, 100, 10, 0x02)));  // IMMED
  expect_good(run(*lu_, cdb16(0x91, 0, 2048)));
}

TEST(BlockIoReadOnly, WritesAreWriteProtectedReadsWork) {
  auto lu = make_unit(1u << 20, 512, LunOptions{.read_only = true});
  ASSERT_TRUE(lu);
  clear_power_on(*lu);
  const Sense wp = sense::write_protected();
  expect_check(run(*lu, cdb6_rw(0x0a, 0, 1), 1, Bytes(512)), wp);
  expect_check(run(*lu, cdb10(0x2a, 0, 1), 1, Bytes(512)), wp);
  expect_check(run(*lu, cdb12(0xaa, 0, 1), 1, Bytes(512)), wp);
  expect_check(run(*lu, cdb16(0x8a, 0, 1), 1, Bytes(512)), wp);
  expect_good(run(*lu, cdb10(0x28, 0, 1)));
  expect_good(run(*lu, cdb10(0x2f, 0, 1, 0x02), 1, Bytes(512, 0)));
  expect_good(run(*lu, cdb10(0x35, 0, 0)));
  // A zero-length write writes nothing: not an error. A range error is an
  // ILLEGAL REQUEST before the protection is considered.
  expect_good(run(*lu, cdb10(0x2a, 0, 0)));
  expect_check(run(*lu, cdb10(0x2a, 2048, 1), 1, Bytes(512)), sense::lba_out_of_range());
  expect_check(run(*lu, cdb16(0x8a, UINT64_MAX, 0)), sense::lba_out_of_range());
}

TEST(BlockIoFile, RoundTripFuaAndSynchronizeCache) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  auto dev = FileDevice::open(dir.file("lu.img"), 4u << 20, 4096, false);
  ASSERT_TRUE(dev) << dev.error();
  LogicalUnit lu(std::move(dev).value(), LunOptions{.block_size = 4096}, test_identity());
  clear_power_on(lu);
  EXPECT_EQ(lu.block_size(), 4096u);
  EXPECT_EQ(lu.capacity_blocks(), 1024u);
  const Bytes data = pattern(3 * 4096, 11);
  expect_good(run(lu, cdb10(0x2a, 1000, 3, 0x08), 1, data));  // FUA
  expect_good(run(lu, cdb10(0x35, 0, 0)));
  EXPECT_EQ(run(lu, cdb16(0x88, 1000, 3)).data_in, data);
  expect_check(run(lu, cdb10(0x28, 1022, 3)), sense::lba_out_of_range());
}

// A device whose reads or writes fail, for the error mapping.
class FailingDevice final : public BlockDevice {
 public:
  std::uint64_t capacity_blocks() const override { return 100; }
  std::uint32_t block_size() const override { return 512; }
  IoStatus read(std::uint64_t, std::span<const wire::MutableByteView>) override {
    return IoStatus::failure(IoErrc::ReadError, 5);
  }
  IoStatus write(std::uint64_t, std::span<const wire::ByteView>, bool) override {
    return IoStatus::failure(IoErrc::NoSpace, 28);
  }
  IoStatus flush() override { return IoStatus::failure(IoErrc::WriteError, 5); }
  IoStatus unmap(std::uint64_t, std::uint64_t) override { return IoStatus::success(); }
};

TEST(BlockIoErrors, BackendFailuresBecomeSense) {
  LogicalUnit lu(std::make_unique<FailingDevice>(), LunOptions{}, test_identity());
  clear_power_on(lu);
  expect_check(run(lu, cdb10(0x28, 42, 1)), sense::unrecovered_read_error(42));
  expect_check(run(lu, cdb10(0x2f, 43, 1)), sense::unrecovered_read_error(43));
  expect_check(run(lu, cdb10(0x2a, 0, 1), 1, Bytes(512)),
               sense::space_allocation_failed_write_protect());
  expect_check(run(lu, cdb10(0x35, 0, 0)), sense::write_error());
}

}  // namespace
}  // namespace iscsi::scsi
