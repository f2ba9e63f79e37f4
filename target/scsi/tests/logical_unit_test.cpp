// Logical unit command flow at the CDB level: unit attention sequencing
// (SAM-5), resets, INQUIRY / REQUEST SENSE / MODE SENSE / TEST UNIT READY /
// START STOP UNIT (SPC-4, SBC-3), removable media, plan() and inspect().
#include "scsi/logical_unit.h"

#include <gtest/gtest.h>

#include "cdb_builders.h"
#include "lu_fixture.h"

namespace iscsi::scsi {
namespace {

using namespace testing;  // NOLINT: builders and fixtures

// Fixed sense bytes of a condition, as REQUEST SENSE returns them.
Bytes fixed(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq) {
  return Bytes{0x70, 0, key, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0};
}

void expect_check(const Result& r, const Sense& s) {
  EXPECT_EQ(r.status, Status::CheckCondition);
  EXPECT_EQ(r.sense, s) << (r.sense ? r.sense->describe() : "no sense") << " vs " << s.describe();
  EXPECT_TRUE(r.data_in.empty());
}

void expect_good(const Result& r) {
  EXPECT_EQ(r.status, Status::Good) << (r.sense ? r.sense->describe() : "");
  EXPECT_FALSE(r.sense.has_value());
}

class LogicalUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lu_ = make_unit(1u << 20, 512);
    ASSERT_TRUE(lu_);
  }
  std::unique_ptr<LogicalUnit> lu_;
};

TEST_F(LogicalUnitTest, FirstCommandOfANexusReportsPowerOnThenSucceeds) {
  expect_check(run(*lu_, test_unit_ready()), sense::power_on_reset_or_bus_device_reset());
  expect_good(run(*lu_, test_unit_ready()));
  // Another nexus has its own condition.
  expect_check(run(*lu_, test_unit_ready(), 2), sense::power_on_reset_or_bus_device_reset());
  expect_good(run(*lu_, test_unit_ready(), 2));
}

TEST_F(LogicalUnitTest, InquiryDoesNotReportOrClearTheUnitAttention) {
  const Result inq = run(*lu_, inquiry(false, 0, 36));
  expect_good(inq);
  EXPECT_EQ(inq.data_in.size(), 36u);
  expect_check(run(*lu_, test_unit_ready()), sense::power_on_reset_or_bus_device_reset());
}

TEST_F(LogicalUnitTest, RequestSenseReportsAndClearsTheUnitAttention) {
  const Result rs = run(*lu_, request_sense(252));
  expect_good(rs);
  EXPECT_EQ(rs.data_in, fixed(0x06, 0x29, 0x00));
  expect_good(run(*lu_, test_unit_ready()));
  // Nothing pending: NO SENSE.
  EXPECT_EQ(run(*lu_, request_sense(252)).data_in, fixed(0x00, 0x00, 0x00));
}

TEST_F(LogicalUnitTest, UnitAttentionTakesPrecedenceOverAnInvalidCommand) {
  Bytes unknown(16, 0);
  unknown[0] = 0x04;  // FORMAT UNIT, not implemented
  expect_check(run(*lu_, unknown), sense::power_on_reset_or_bus_device_reset());
  expect_check(run(*lu_, unknown), sense::invalid_command_operation_code());
}

TEST_F(LogicalUnitTest, LogicalUnitResetReachesEveryNexusIncludingTheCaller) {
  clear_power_on(*lu_, 1);
  clear_power_on(*lu_, 2);
  lu_->reset(ResetKind::LogicalUnit);
  expect_check(run(*lu_, test_unit_ready(), 1), sense::bus_device_reset_function_occurred());
  expect_check(run(*lu_, test_unit_ready(), 2), sense::bus_device_reset_function_occurred());
  expect_good(run(*lu_, test_unit_ready(), 1));
  expect_good(run(*lu_, test_unit_ready(), 2));
}

TEST_F(LogicalUnitTest, TargetResetsUseTheirOwnCodes) {
  clear_power_on(*lu_);
  lu_->reset(ResetKind::TargetWarm);
  expect_check(run(*lu_, test_unit_ready()), sense::scsi_bus_reset_occurred());
  lu_->reset(ResetKind::TargetCold);
  expect_check(run(*lu_, test_unit_ready()), sense::power_on_occurred());
  expect_good(run(*lu_, test_unit_ready()));
}

TEST_F(LogicalUnitTest, NexusLossIsReportedWhenTheNexusReturns) {
  clear_power_on(*lu_);
  lu_->nexus_lost(1);
  expect_check(run(*lu_, test_unit_ready()), sense::i_t_nexus_loss_occurred());
  expect_good(run(*lu_, test_unit_ready()));
}

TEST_F(LogicalUnitTest, EstablishedConditionSkipsTheExceptedNexus) {
  clear_power_on(*lu_, 1);
  clear_power_on(*lu_, 2);
  lu_->establish_unit_attention(sense::mode_parameters_changed(), 1);
  expect_good(run(*lu_, test_unit_ready(), 1));
  expect_check(run(*lu_, test_unit_ready(), 2), sense::mode_parameters_changed());
  lu_->establish_unit_attention(sense::reported_luns_data_has_changed());
  lu_->clear_unit_attention(2, 0x3f, 0x0e);
  expect_good(run(*lu_, test_unit_ready(), 2));
  expect_check(run(*lu_, test_unit_ready(), 1), sense::reported_luns_data_has_changed());
}

TEST_F(LogicalUnitTest, InquiryHonoursAllocationLengthAndCapacity) {
  clear_power_on(*lu_);
  // First five bytes of standard INQUIRY data: PDT 0, RMB 0, SPC-4, HISUP |
  // RDF 2, ADDITIONAL LENGTH 69.
  EXPECT_EQ(run(*lu_, inquiry(false, 0, 5)).data_in, (Bytes{0x00, 0x00, 0x06, 0x12, 0x45}));
  EXPECT_EQ(run(*lu_, inquiry(false, 0, 0)).data_in, Bytes{});
  EXPECT_EQ(run(*lu_, inquiry(false, 0, 255)).data_in.size(), 74u);
  EXPECT_EQ(run(*lu_, inquiry(false, 0, 255), 1, {}, 20).data_in.size(), 20u);
  // Allocation lengths 255 and 256 give the same data (16-bit field).
  EXPECT_EQ(run(*lu_, inquiry(false, 0, 256)).data_in, run(*lu_, inquiry(false, 0, 255)).data_in);
}

TEST_F(LogicalUnitTest, InquiryVpdPagesComeFromTheIdentity) {
  const Result sn = run(*lu_, inquiry(true, 0x80, 255));
  expect_good(sn);
  Bytes expected = {0x00, 0x80, 0x00, 0x10};
  for (char c : std::string("0123456789ABCDEF")) expected.push_back(static_cast<std::uint8_t>(c));
  EXPECT_EQ(sn.data_in, expected);
  // Block Limits: MAXIMUM TRANSFER LENGTH = 8 MiB / 512 = 16384 = 00004000h.
  const Result bl = run(*lu_, inquiry(true, 0xb0, 64));
  ASSERT_EQ(bl.data_in.size(), 64u);
  EXPECT_EQ(Bytes(bl.data_in.begin() + 8, bl.data_in.begin() + 12), (Bytes{0, 0, 0x40, 0}));
  expect_check(run(*lu_, inquiry(false, 0x83, 255)), sense::invalid_field_in_cdb(2));
  expect_check(run(*lu_, inquiry(true, 0xb2, 255)), sense::invalid_field_in_cdb(2));
}

TEST_F(LogicalUnitTest, RequestSenseTruncatesAndRejectsDescriptorFormat) {
  clear_power_on(*lu_);
  EXPECT_EQ(run(*lu_, request_sense(8)).data_in, (Bytes{0x70, 0, 0, 0, 0, 0, 0, 0x0a}));
  expect_check(run(*lu_, request_sense(18, true)), sense::invalid_field_in_cdb(1, 0));
}

TEST_F(LogicalUnitTest, ModeSenseThroughTheUnit) {
  clear_power_on(*lu_);
  // MODE SENSE(6), DBD, Control page: header + 12-byte page.
  const Result r = run(*lu_, mode_sense6(true, 0, 0x0a, 255));
  expect_good(r);
  EXPECT_EQ(r.data_in,
            (Bytes{0x0f, 0x00, 0x10, 0x00, 0x0a, 0x0a, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0}));
  // Allocation length 4: the header only.
  EXPECT_EQ(run(*lu_, mode_sense6(false, 0, 0x3f, 4)).data_in.size(), 4u);
  // Block descriptor: 1 MiB / 512 = 2048 blocks.
  const Result bd = run(*lu_, mode_sense6(false, 0, 0x08, 12));
  EXPECT_EQ(bd.data_in, (Bytes{0x1f, 0x00, 0x10, 0x08, 0, 0, 0x08, 0x00, 0, 0, 0x02, 0x00}));
  expect_check(run(*lu_, mode_sense6(false, 3, 0x08, 255)),
               sense::saving_parameters_not_supported());
}

TEST(LogicalUnitReadOnly, ModeSenseReportsWriteProtect) {
  auto lu = make_unit(1u << 20, 4096, LunOptions{.read_only = true});
  ASSERT_TRUE(lu);
  clear_power_on(*lu);
  const Result r = run(*lu, mode_sense10(false, true, 0, 0x1c, 255));
  expect_good(r);
  ASSERT_GE(r.data_in.size(), 8u);
  EXPECT_EQ(r.data_in[3], 0x90);  // WP | DPOFUA
}

class RemovableUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lu_ = make_unit(1u << 20, 512, LunOptions{.removable = true});
    ASSERT_TRUE(lu_);
    clear_power_on(*lu_);
  }
  std::unique_ptr<LogicalUnit> lu_;
};

TEST_F(RemovableUnitTest, InquiryReportsRmb) {
  EXPECT_EQ(run(*lu_, inquiry(false, 0, 2)).data_in, (Bytes{0x00, 0x80}));
}

TEST_F(RemovableUnitTest, EjectMakesMediaAccessNotReadyUntilLoaded) {
  expect_good(run(*lu_, start_stop(true, false, 0, true)));  // IMMED, LOEJ, stop
  EXPECT_FALSE(lu_->medium_present());
  const Sense no_medium = sense::medium_not_present();
  expect_check(run(*lu_, test_unit_ready()), no_medium);
  expect_check(run(*lu_, cdb10(0x28, 0, 1)), no_medium);
  expect_check(run(*lu_, cdb10(0x2a, 0, 1), 1, Bytes(512)), no_medium);
  expect_check(run(*lu_, cdb12(0xa8, 0, 1)), no_medium);
  expect_check(run(*lu_, cdb16(0x88, 0, 1)), no_medium);
  expect_check(run(*lu_, cdb10(0x2f, 0, 1, 0x02), 1, Bytes(512)), no_medium);
  expect_check(run(*lu_, cdb10(0x35, 0, 1)), no_medium);
  expect_check(run(*lu_, cdb16(0x91, 0, 1)), no_medium);
  expect_check(run(*lu_, Bytes{0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}), no_medium);
  expect_check(run(*lu_, read_capacity16(15)), no_medium);
  // Not media access: still served.
  expect_good(run(*lu_, inquiry(false, 0, 36)));
  const Result ms = run(*lu_, mode_sense6(false, 0, 0x08, 12));
  expect_good(ms);
  EXPECT_EQ(Bytes(ms.data_in.begin() + 4, ms.data_in.begin() + 8), (Bytes{0, 0, 0, 0}));
  // REQUEST SENSE reports the current condition with GOOD status.
  const Result rs = run(*lu_, request_sense(18));
  expect_good(rs);
  EXPECT_EQ(rs.data_in, fixed(0x02, 0x3a, 0x00));

  expect_good(run(*lu_, start_stop(true, true, 0, true)));  // load
  expect_good(run(*lu_, test_unit_ready()));
}

TEST_F(RemovableUnitTest, PreventedRemovalRefusesEjectAndLoad) {
  const Bytes prevent = {0x1e, 0, 0, 0, 0x01, 0};
  const Bytes allow = {0x1e, 0, 0, 0, 0x00, 0};
  // SBC-3 START STOP UNIT: an eject while removal is prevented → ILLEGAL
  // REQUEST, MEDIUM REMOVAL PREVENTED (05/53/02); the medium stays.
  expect_good(run(*lu_, prevent));
  const Result eject = run(*lu_, start_stop(true, false));
  EXPECT_EQ(eject.status, Status::CheckCondition);
  ASSERT_TRUE(eject.sense.has_value());
  EXPECT_EQ(eject.sense->key, SenseKey::IllegalRequest);
  EXPECT_EQ(eject.sense->asc, 0x53);
  EXPECT_EQ(eject.sense->ascq, 0x02);
  expect_good(run(*lu_, test_unit_ready()));
  // Loading a medium that is present changes nothing.
  expect_good(run(*lu_, start_stop(true, true)));
  // Once allowed, eject; a prevention then also keeps the medium out.
  expect_good(run(*lu_, allow));
  expect_good(run(*lu_, start_stop(true, false)));
  EXPECT_FALSE(lu_->medium_present());
  expect_good(run(*lu_, prevent));
  expect_check(run(*lu_, start_stop(true, true)), sense::medium_removal_prevented());
  EXPECT_FALSE(lu_->medium_present());
  expect_good(run(*lu_, allow));
  expect_good(run(*lu_, start_stop(true, true)));
  expect_good(run(*lu_, test_unit_ready()));
}

TEST_F(RemovableUnitTest, PreventionOfAnyNexusRefusesEject) {
  const Bytes prevent = {0x1e, 0, 0, 0, 0x01, 0};
  clear_power_on(*lu_, 2);
  expect_good(run(*lu_, prevent, 2));
  expect_check(run(*lu_, start_stop(true, false)), sense::medium_removal_prevented());
  expect_good(run(*lu_, Bytes{0x1e, 0, 0, 0, 0x00, 0}, 2));
  expect_good(run(*lu_, start_stop(true, false)));
}

TEST_F(RemovableUnitTest, StopWithoutLoejKeepsTheMedium) {
  for (bool immed : {false, true}) {
    for (bool no_flush : {false, true}) {
      for (bool start : {false, true}) {
        expect_good(run(*lu_, start_stop(false, start, 0, immed, no_flush)));
        expect_good(run(*lu_, test_unit_ready()));
      }
    }
  }
}

TEST_F(RemovableUnitTest, PowerConditionIgnoresLoej) {
  for (std::uint8_t pc = 1; pc < 16; ++pc) {
    expect_good(run(*lu_, start_stop(true, false, pc, true)));
    expect_good(run(*lu_, test_unit_ready()));
  }
}

TEST_F(LogicalUnitTest, LoejOnAFixedUnitIsAnInvalidField) {
  clear_power_on(*lu_);
  expect_check(run(*lu_, start_stop(true, false, 0, true)), sense::invalid_field_in_cdb(4, 1));
  expect_good(run(*lu_, start_stop(false, true)));
  expect_good(run(*lu_, test_unit_ready()));
}

TEST_F(LogicalUnitTest, PlanReportsTransferOrAnEarlyResult) {
  // The first plan of a nexus reports (and consumes) the power-on condition.
  const CommandInfo first = lu_->plan(1, cdb10(0x2a, 0, 8));
  ASSERT_TRUE(first.early.has_value());
  EXPECT_EQ(first.early->sense, sense::power_on_reset_or_bus_device_reset());

  const CommandInfo w = lu_->plan(1, cdb10(0x2a, 0, 8));
  EXPECT_FALSE(w.early.has_value());
  EXPECT_EQ(w.direction, DataDirection::Write);
  EXPECT_EQ(w.transfer_length, 4096u);  // WRITE(10) of 8 blocks at 512

  const CommandInfo inq = lu_->plan(1, inquiry(false, 0, 96));
  EXPECT_EQ(inq.direction, DataDirection::Read);
  EXPECT_EQ(inq.transfer_length, 96u);

  const CommandInfo tur = lu_->plan(1, test_unit_ready());
  EXPECT_EQ(tur.direction, DataDirection::None);
  EXPECT_EQ(tur.transfer_length, 0u);
  EXPECT_FALSE(tur.early.has_value());

  const CommandInfo oob = lu_->plan(1, cdb10(0x28, 2047, 2));
  ASSERT_TRUE(oob.early.has_value());
  EXPECT_EQ(oob.early->sense, sense::lba_out_of_range());

  Bytes unknown(16, 0);
  unknown[0] = 0xc0;  // vendor specific, not implemented
  ASSERT_TRUE(lu_->plan(1, unknown).early.has_value());
  EXPECT_EQ(lu_->plan(1, unknown).early->sense, sense::invalid_command_operation_code());
}

TEST_F(LogicalUnitTest, InspectIsStatelessAndDoesNotConsumeUnitAttentions) {
  const CommandInfo a = lu_->inspect(cdb10(0x28, 0, 4));
  EXPECT_FALSE(a.early.has_value());
  EXPECT_EQ(a.direction, DataDirection::Read);
  EXPECT_EQ(a.transfer_length, 2048u);
  // The power-on condition is still pending.
  expect_check(run(*lu_, test_unit_ready()), sense::power_on_reset_or_bus_device_reset());
  // CDB errors are reported.
  ASSERT_TRUE(lu_->inspect(cdb10(0x28, 0, 20000)).early.has_value());
  EXPECT_EQ(lu_->inspect(cdb10(0x28, 0, 20000)).early->sense, sense::invalid_field_in_cdb(7));
}

TEST_F(RemovableUnitTest, InspectIgnoresTheMediumPlanDoesNot) {
  expect_good(run(*lu_, start_stop(true, false)));
  EXPECT_FALSE(lu_->inspect(cdb10(0x28, 0, 1)).early.has_value());
  const CommandInfo p = lu_->plan(1, cdb10(0x28, 0, 1));
  ASSERT_TRUE(p.early.has_value());
  EXPECT_EQ(p.early->sense, sense::medium_not_present());
}

TEST(LogicalUnitReadOnly, PlanRejectsWritesBeforeAnyData) {
  auto lu = make_unit(1u << 20, 512, LunOptions{.read_only = true});
  ASSERT_TRUE(lu);
  clear_power_on(*lu);
  const CommandInfo p = lu->plan(1, cdb10(0x2a, 0, 8));
  ASSERT_TRUE(p.early.has_value());
  EXPECT_EQ(p.early->sense, sense::write_protected());
  EXPECT_EQ(lu->inspect(cdb16(0x8a, 0, 1)).early->sense, sense::write_protected());
}

TEST_F(LogicalUnitTest, ReportLunsIsNotAnsweredByAUnitAlone) {
  clear_power_on(*lu_);
  expect_check(run(*lu_, report_luns(0, 64)), sense::invalid_command_operation_code());
}

TEST(TruncateTo, SmallestOfThree) {
  EXPECT_EQ(truncate_to(Bytes(10, 1), 4, 100).size(), 4u);
  EXPECT_EQ(truncate_to(Bytes(10, 1), 100, 3).size(), 3u);
  EXPECT_EQ(truncate_to(Bytes(10, 1), 100, 100).size(), 10u);
}

}  // namespace
}  // namespace iscsi::scsi
