// SANITIZE as a long-running operation (SBC-3 SANITIZE command and §4.11
// sanitize operations): IMMED 0 and 1, the commands refused and allowed
// while it runs, the progress indication (SPC-4 §4.5.2.4.4), and a sanitize
// that survives resets and I_T nexus loss and erases the medium when it
// completes.
#include <gtest/gtest.h>

#include <chrono>

#include "cdb_builders.h"
#include "lu_fixture.h"
#include "scsi/ram_device.h"
#include "scsi/scsi_target.h"

namespace iscsi::scsi {
namespace {

using namespace testing;  // NOLINT: builders and fixtures
using std::chrono::seconds;

constexpr std::uint32_t kBs = 512;
constexpr std::uint64_t kBytes = 64 * 1024;  // 128 blocks
const TimePoint kT0 = TimePoint{} + std::chrono::hours(1);

// SANITIZE: IMMED byte 1 bit 7, SERVICE ACTION bits 4-0, PARAMETER LIST
// LENGTH bytes 7-8.
Bytes sanitize_cdb(bool immed, std::uint8_t service_action, std::uint16_t parameter_length) {
  Bytes c(10, 0);
  c[0] = 0x48;
  c[1] = static_cast<std::uint8_t>((immed ? 0x80 : 0) | service_action);
  wire::store_be16(&c[7], parameter_length);
  return c;
}

// OVERWRITE parameter list: OWCOUNT 1 (byte 0 bits 4-0), INITIALIZATION
// PATTERN LENGTH bytes 2-3, then the pattern.
Bytes overwrite_list(const Bytes& pattern, std::uint8_t owcount = 1) {
  Bytes l(4 + pattern.size(), 0);
  l[0] = owcount;
  wire::store_be16(&l[2], static_cast<std::uint16_t>(pattern.size()));
  for (std::size_t i = 0; i < pattern.size(); ++i) l[4 + i] = pattern[i];
  return l;
}

// Straight from the device, past every command check.
Bytes device_bytes(LogicalUnit& lu, std::uint64_t offset, std::size_t n) {
  Bytes b(n);
  const wire::MutableByteView dst[1] = {wire::MutableByteView(b)};
  EXPECT_TRUE(lu.device().read(offset, dst).ok());
  return b;
}

void expect_sanitize_in_progress(const Result& r, std::uint16_t progress) {
  // SBC-3 §4.11: NOT READY, LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS
  // (02/04/1Bh) with the progress indication.
  EXPECT_EQ(r.status, Status::CheckCondition);
  EXPECT_EQ(r.sense, sense::sanitize_in_progress(progress));
}

class SanitizeTest : public ::testing::Test {
 protected:
  void start_unit(std::uint32_t sanitize_seconds, bool thin = false) {
    lu_ = make_unit(kBytes, kBs, LunOptions{.thin = thin, .sanitize_seconds = sanitize_seconds});
    ASSERT_TRUE(lu_);
    lu_->advance(kT0);
    clear_power_on(*lu_);
    // Something to erase: 'a' in every block.
    const Bytes data(kBytes, 'a');
    ASSERT_EQ(run(*lu_, cdb10(0x2a, 0, kBytes / kBs), 1, data).status, Status::Good);
  }

  Result overwrite(bool immed, std::uint8_t fill = 0xaa, NexusId nexus = 1) {
    const Bytes list = overwrite_list(Bytes(4, fill));
    return run(*lu_, sanitize_cdb(immed, 0x01, static_cast<std::uint16_t>(list.size())), nexus,
               list);
  }

  std::unique_ptr<LogicalUnit> lu_;
};

TEST_F(SanitizeTest, WithoutAMinimumTimeTheCommandCompletesWithTheErase) {
  start_unit(0);
  const Result r = overwrite(false);
  EXPECT_EQ(r.status, Status::Good);
  EXPECT_FALSE(r.pending);
  EXPECT_FALSE(lu_->sanitize_in_progress());
  EXPECT_EQ(device_bytes(*lu_, 0, kBytes), Bytes(kBytes, 0xaa));
}

TEST_F(SanitizeTest, ImmedZeroEndsWhenTheOperationCompletes) {
  start_unit(10);
  // SBC-3 SANITIZE, IMMED 0: "the device server shall return status after
  // the sanitize operation is completed".
  const Result r = overwrite(false);
  ASSERT_TRUE(r.pending);
  EXPECT_EQ(r.pending->ready_at, kT0 + seconds(10));
  EXPECT_TRUE(lu_->sanitize_in_progress());
  // The medium is erased when the operation completes, not before.
  EXPECT_EQ(device_bytes(*lu_, 0, kBs), Bytes(kBs, 'a'));
  lu_->advance(kT0 + seconds(9));
  const Result early = lu_->poll(r.pending->operation);
  ASSERT_TRUE(early.pending);
  EXPECT_EQ(early.pending->operation, r.pending->operation);

  lu_->advance(kT0 + seconds(10));
  EXPECT_FALSE(lu_->sanitize_in_progress());
  const Result done = lu_->poll(r.pending->operation);
  EXPECT_FALSE(done.pending);
  EXPECT_EQ(done.status, Status::Good);
  EXPECT_EQ(device_bytes(*lu_, 0, kBytes), Bytes(kBytes, 0xaa));
  // Reads after completion return the pattern through the command path too.
  const Result read = run(*lu_, cdb16(0x88, 127, 1));
  EXPECT_EQ(read.status, Status::Good);
  EXPECT_EQ(read.data_in, Bytes(kBs, 0xaa));
  // The status is reported once.
  EXPECT_EQ(lu_->poll(r.pending->operation).status, Status::TaskAborted);
}

TEST_F(SanitizeTest, ImmedOneReturnsGoodAtOnceAndTheOperationRuns) {
  start_unit(10);
  // SBC-3 SANITIZE, IMMED 1: status "as soon as the CDB and parameter data
  // ... have been validated".
  const Result r = overwrite(true);
  EXPECT_EQ(r.status, Status::Good);
  EXPECT_FALSE(r.pending);
  EXPECT_TRUE(lu_->sanitize_in_progress());
  expect_sanitize_in_progress(run(*lu_, test_unit_ready()), 0);
  lu_->advance(kT0 + seconds(10));
  EXPECT_EQ(run(*lu_, test_unit_ready()).status, Status::Good);
  EXPECT_EQ(device_bytes(*lu_, kBytes - kBs, kBs), Bytes(kBs, 0xaa));
}

TEST_F(SanitizeTest, CommandsOutsideTheAllowedListAreRefusedWithProgress) {
  start_unit(8);
  ASSERT_TRUE(overwrite(false).pending);
  lu_->advance(kT0 + seconds(2));
  // SPC-4 §4.5.2.4.4: a quarter done is 4000h of 10000h.
  expect_sanitize_in_progress(run(*lu_, test_unit_ready()), 0x4000);
  expect_sanitize_in_progress(run(*lu_, start_stop(false, true)), 0x4000);
  expect_sanitize_in_progress(run(*lu_, cdb16(0x88, 0, 1)), 0x4000);    // READ(16)
  expect_sanitize_in_progress(run(*lu_, read_capacity16(32)), 0x4000);  // READ CAPACITY
  expect_sanitize_in_progress(run(*lu_, mode_sense6(false, 0, 0x3f, 255)), 0x4000);
  // Another SANITIZE (any service action) is refused the same way.
  expect_sanitize_in_progress(overwrite(false, 0x55), 0x4000);
  expect_sanitize_in_progress(run(*lu_, sanitize_cdb(false, 0x1f, 0)), 0x4000);
  // An unsupported operation code is not in the list either.
  expect_sanitize_in_progress(run(*lu_, Bytes{0xc0, 0, 0, 0, 0, 0}), 0x4000);
  lu_->advance(kT0 + seconds(6));
  expect_sanitize_in_progress(run(*lu_, test_unit_ready()), 0xc000);
}

TEST_F(SanitizeTest, PlanRefusesSoNoDataIsTransferred) {
  start_unit(8);
  ASSERT_TRUE(overwrite(true).status == Status::Good);
  // A WRITE is refused before its Data-Out is solicited.
  const CommandInfo info = lu_->plan(1, cdb10(0x2a, 0, 1));
  ASSERT_TRUE(info.early);
  expect_sanitize_in_progress(*info.early, 0);
}

TEST_F(SanitizeTest, InquiryReportLunsAndRequestSenseAreAllowed) {
  ScsiTarget target("iqn.a:b", 1);
  auto dev = RamDevice::create(kBytes, kBs);
  ASSERT_TRUE(dev);
  ASSERT_FALSE(target.add(0, std::move(dev).value(), LunOptions{.sanitize_seconds = 4}));
  target.advance(kT0);
  auto exec = [&](const Bytes& cdb, wire::ByteView out = {}) {
    return target.execute(
        0, Request{.cdb = cdb, .nexus = 1, .data_out = out, .data_in_capacity = 4096});
  };
  ASSERT_EQ(exec(test_unit_ready()).sense, sense::power_on_reset_or_bus_device_reset());
  const Bytes list = overwrite_list(Bytes(1, 0));
  const Result started =
      exec(sanitize_cdb(false, 0x01, static_cast<std::uint16_t>(list.size())), list);
  ASSERT_TRUE(started.pending);
  target.advance(kT0 + seconds(1));
  // SBC-3 §4.11: INQUIRY, REPORT LUNS and REQUEST SENSE are processed.
  const Result inq = exec(inquiry(false, 0, 96));
  EXPECT_EQ(inq.status, Status::Good);
  EXPECT_FALSE(inq.data_in.empty());
  const Result luns = exec(report_luns(0, 64));
  EXPECT_EQ(luns.status, Status::Good);
  EXPECT_EQ(wire::load_be32(luns.data_in.data()), 8u);  // one LUN
  // REQUEST SENSE polls the progress: GOOD with the sanitize condition as
  // sense data, a quarter done.
  const Result rs = exec(request_sense(18));
  EXPECT_EQ(rs.status, Status::Good);
  EXPECT_EQ(rs.data_in, sense::sanitize_in_progress(0x4000).fixed());
  // Through the target: poll, then completion.
  EXPECT_TRUE(target.poll(0, started.pending->operation).pending);
  target.advance(kT0 + seconds(4));
  EXPECT_EQ(target.poll(0, started.pending->operation).status, Status::Good);
  const Result after = exec(request_sense(18));
  EXPECT_EQ(after.data_in, sense::no_sense().fixed());
}

TEST_F(SanitizeTest, UnitAttentionComesBeforeSanitizeInProgress) {
  start_unit(10);
  ASSERT_TRUE(overwrite(false).pending);
  lu_->reset(ResetKind::LogicalUnit);
  // SAM-5: the pending unit attention is reported first; then the sanitize.
  const Result first = run(*lu_, test_unit_ready());
  EXPECT_EQ(first.sense, sense::bus_device_reset_function_occurred());
  expect_sanitize_in_progress(run(*lu_, test_unit_ready()), 0);
}

TEST_F(SanitizeTest, ContinuesAcrossResetsAndNexusLoss) {
  start_unit(10);
  const Result r = overwrite(false);
  ASSERT_TRUE(r.pending);
  lu_->advance(kT0 + seconds(5));
  // SBC-3 §4.11: the sanitize operation is not stopped by a logical unit
  // reset, a hard reset or an I_T nexus loss.
  lu_->reset(ResetKind::LogicalUnit);
  lu_->reset(ResetKind::TargetWarm);
  lu_->reset(ResetKind::TargetCold);
  lu_->forget(r.pending->operation);  // the waiting command was aborted
  lu_->nexus_lost(1);
  EXPECT_TRUE(lu_->sanitize_in_progress());
  // The returning nexus first sees its unit attentions, then the sanitize.
  while (run(*lu_, test_unit_ready()).sense->key == SenseKey::UnitAttention) {
  }
  expect_sanitize_in_progress(run(*lu_, test_unit_ready()), 0x8000);
  EXPECT_EQ(device_bytes(*lu_, 0, kBs), Bytes(kBs, 'a'));
  lu_->advance(kT0 + seconds(10));
  EXPECT_FALSE(lu_->sanitize_in_progress());
  EXPECT_EQ(run(*lu_, test_unit_ready()).status, Status::Good);
  EXPECT_EQ(device_bytes(*lu_, 0, kBytes), Bytes(kBytes, 0xaa));
  // Nobody waited any more, so nothing is kept for the forgotten command.
  EXPECT_EQ(lu_->poll(r.pending->operation).status, Status::TaskAborted);
}

TEST_F(SanitizeTest, BlockEraseCompletesWithZeros) {
  start_unit(3, /*thin=*/true);
  const Result r = run(*lu_, sanitize_cdb(false, 0x02, 0));
  ASSERT_TRUE(r.pending);
  EXPECT_EQ(device_bytes(*lu_, 0, kBs), Bytes(kBs, 'a'));
  lu_->advance(kT0 + seconds(3));
  EXPECT_EQ(lu_->poll(r.pending->operation).status, Status::Good);
  // SBC-3 BLOCK ERASE on a thin unit: deallocated blocks read as zeros.
  EXPECT_EQ(device_bytes(*lu_, 0, kBytes), Bytes(kBytes, 0));
}

TEST_F(SanitizeTest, InvalidParameterDataIsReportedAtOnceAndStartsNothing) {
  start_unit(10);
  // OWCOUNT 0 → ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST (SBC-3
  // OVERWRITE parameter list), checked before the operation starts.
  const Bytes list = overwrite_list(Bytes(4, 1), 0);
  const Result r =
      run(*lu_, sanitize_cdb(false, 0x01, static_cast<std::uint16_t>(list.size())), 1, list);
  EXPECT_EQ(r.status, Status::CheckCondition);
  EXPECT_EQ(r.sense, sense::invalid_field_in_parameter_list(0, 4));
  EXPECT_FALSE(r.pending);
  EXPECT_FALSE(lu_->sanitize_in_progress());
  EXPECT_EQ(run(*lu_, test_unit_ready()).status, Status::Good);
}

TEST_F(SanitizeTest, TimeDoesNotGoBackwards) {
  start_unit(8);
  ASSERT_TRUE(overwrite(false).pending);
  lu_->advance(kT0 + seconds(4));
  lu_->advance(kT0 + seconds(1));  // an older time from another connection
  expect_sanitize_in_progress(run(*lu_, test_unit_ready()), 0x8000);
}

TEST_F(SanitizeTest, OtherNexusesSeeTheSanitizeToo) {
  start_unit(8);
  ASSERT_TRUE(overwrite(false).pending);
  clear_power_on(*lu_, 2);
  expect_sanitize_in_progress(run(*lu_, test_unit_ready(), 2), 0);
}

}  // namespace
}  // namespace iscsi::scsi
