// The LUN table: REPORT LUNS (SPC-4), LUNs without a logical unit (SPC-4
// standard INQUIRY data PERIPHERAL QUALIFIER 011b, REQUEST SENSE, LOGICAL
// UNIT NOT SUPPORTED), routing of commands and resets.
#include "scsi/scsi_target.h"

#include <gtest/gtest.h>

#include "cdb_builders.h"
#include "scsi/lun_address.h"
#include "scsi/null_device.h"
#include "scsi/ram_device.h"

namespace iscsi::scsi {
namespace {

using namespace testing;  // NOLINT: builders

constexpr std::uint64_t kLun0 = 0x0000000000000000ull;
constexpr std::uint64_t kLun1 = 0x0001000000000000ull;
constexpr std::uint64_t kLun300 = 0x412c000000000000ull;  // flat space 300 = 012Ch
constexpr std::uint64_t kLun9 = 0x0009000000000000ull;    // no unit there

std::unique_ptr<BlockDevice> ram(std::uint64_t bytes) {
  auto d = RamDevice::create(bytes, 512);
  EXPECT_TRUE(d);
  return std::move(d).value();
}

Result run(ScsiTarget& t, std::uint64_t lun, const Bytes& cdb, NexusId nexus = 1,
           wire::ByteView data_out = {}, std::uint32_t capacity = 1u << 20) {
  return t.execute(
      lun, Request{.cdb = cdb, .nexus = nexus, .data_out = data_out, .data_in_capacity = capacity});
}

class ScsiTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(target_.add(0, ram(1u << 20), LunOptions{}));
    ASSERT_FALSE(target_.add(300, ram(1u << 20), LunOptions{}));
    ASSERT_FALSE(target_.add(1, ram(1u << 20), LunOptions{.read_only = true}));
  }
  ScsiTarget target_{"iqn.2025-12.local:storage.disk1", 1};
};

TEST_F(ScsiTargetTest, ReportLunsListsEveryUnitInOrder) {
  const Result r = run(target_, kLun0, report_luns(0, 4096));
  EXPECT_EQ(r.status, Status::Good);
  // LUN LIST LENGTH 24, reserved, then 0 and 1 (peripheral), 300 (flat).
  const Bytes expected = {0,    0,    0, 24, 0, 0, 0, 0, 0x00, 0x00, 0, 0, 0, 0, 0, 0,
                          0x00, 0x01, 0, 0,  0, 0, 0, 0, 0x41, 0x2c, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(r.data_in, expected);
  // SELECT REPORT 02h: the same; 01h: well known LUs only, none.
  EXPECT_EQ(run(target_, kLun0, report_luns(2, 4096)).data_in, expected);
  EXPECT_EQ(run(target_, kLun0, report_luns(1, 4096)).data_in, (Bytes{0, 0, 0, 0, 0, 0, 0, 0}));
  // Allocation length honoured; the LUN LIST LENGTH still tells the full size.
  EXPECT_EQ(run(target_, kLun0, report_luns(0, 12)).data_in,
            (Bytes{0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(run(target_, kLun0, report_luns(0, 4096), 1, {}, 8).data_in.size(), 8u);
  const Result bad = run(target_, kLun0, report_luns(0x11, 4096));
  EXPECT_EQ(bad.status, Status::CheckCondition);
  EXPECT_EQ(bad.sense, sense::invalid_field_in_cdb(2));
}

TEST_F(ScsiTargetTest, ReportLunsAnswersOnAnyLunAndIgnoresUnitAttention) {
  // A LUN without a unit, and a unit whose power-on condition is pending.
  EXPECT_EQ(run(target_, kLun9, report_luns(0, 4096)).data_in.size(), 32u);
  EXPECT_EQ(run(target_, kLun1, report_luns(0, 4096)).status, Status::Good);
  const Result tur = run(target_, kLun1, test_unit_ready());
  EXPECT_EQ(tur.sense, sense::power_on_reset_or_bus_device_reset());
}

TEST_F(ScsiTargetTest, ReportLunsClearsTheLunsChangedCondition) {
  LogicalUnit* lu = target_.find(kLun0);
  ASSERT_NE(lu, nullptr);
  run(target_, kLun0, test_unit_ready());  // power-on condition
  lu->establish_unit_attention(sense::reported_luns_data_has_changed());
  run(target_, kLun0, report_luns(0, 4096));
  EXPECT_EQ(run(target_, kLun0, test_unit_ready()).status, Status::Good);
}

TEST_F(ScsiTargetTest, CommandsReachTheirUnit) {
  run(target_, kLun0, test_unit_ready());
  run(target_, kLun300, test_unit_ready());
  const Bytes data(512, 0x33);
  EXPECT_EQ(run(target_, kLun300, cdb10(0x2a, 7, 1), 1, data).status, Status::Good);
  EXPECT_EQ(run(target_, kLun300, cdb10(0x28, 7, 1)).data_in, data);
  EXPECT_EQ(run(target_, kLun0, cdb10(0x28, 7, 1)).data_in, Bytes(512, 0));
  // LUN 0 addressed in flat space form is the same unit.
  EXPECT_EQ(run(target_, 0x4000000000000000ull, cdb10(0x28, 7, 1)).data_in, Bytes(512, 0));
  // LUN 1 is read-only.
  run(target_, kLun1, test_unit_ready());
  EXPECT_EQ(run(target_, kLun1, cdb10(0x2a, 0, 1), 1, data).sense, sense::write_protected());
}

TEST_F(ScsiTargetTest, InquiryToALunWithoutAUnit) {
  const Result r = run(target_, kLun9, inquiry(false, 0, 255));
  EXPECT_EQ(r.status, Status::Good);
  ASSERT_EQ(r.data_in.size(), 74u);
  EXPECT_EQ(r.data_in[0], 0x7f);  // PERIPHERAL QUALIFIER 011b, DEVICE TYPE 1Fh
  EXPECT_EQ(r.data_in[2], 0x06);
  EXPECT_EQ(run(target_, kLun9, inquiry(false, 0, 1)).data_in, Bytes{0x7f});
  EXPECT_EQ(run(target_, kLun9, inquiry(true, 0, 255)).data_in,
            (Bytes{0x7f, 0x00, 0x00, 0x01, 0x00}));
  EXPECT_EQ(run(target_, kLun9, inquiry(true, 0x83, 255)).sense, sense::invalid_field_in_cdb(2));
  EXPECT_EQ(run(target_, kLun9, inquiry(false, 0x80, 255)).sense, sense::invalid_field_in_cdb(2));
}

TEST_F(ScsiTargetTest, RequestSenseToALunWithoutAUnit) {
  const Result r = run(target_, kLun9, request_sense(18));
  EXPECT_EQ(r.status, Status::Good);
  EXPECT_EQ(r.data_in,
            (Bytes{0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x25, 0x00, 0, 0, 0, 0}));
}

TEST_F(ScsiTargetTest, OtherCommandsToALunWithoutAUnit) {
  for (const Bytes& cdb : {test_unit_ready(), cdb10(0x28, 0, 1), read_capacity16(32),
                           mode_sense6(false, 0, 0x3f, 255), Bytes(16, 0xff)}) {
    const Result r = run(target_, kLun9, cdb);
    EXPECT_EQ(r.status, Status::CheckCondition);
    EXPECT_EQ(r.sense, sense::logical_unit_not_supported());
  }
  // Undecodable LUN fields address nothing either.
  EXPECT_EQ(run(target_, 0xc101000000000000ull, test_unit_ready()).sense,
            sense::logical_unit_not_supported());
  EXPECT_EQ(run(target_, 0x0000000100000000ull, test_unit_ready()).sense,
            sense::logical_unit_not_supported());
}

TEST_F(ScsiTargetTest, PlanAndInspectRouteTheSameWay) {
  const CommandInfo missing = target_.plan(kLun9, 1, test_unit_ready());
  ASSERT_TRUE(missing.early.has_value());
  EXPECT_EQ(missing.early->sense, sense::logical_unit_not_supported());

  const CommandInfo inq = target_.plan(kLun9, 1, inquiry(false, 0, 96));
  EXPECT_FALSE(inq.early.has_value());
  EXPECT_EQ(inq.direction, DataDirection::Read);
  EXPECT_EQ(inq.transfer_length, 96u);

  const CommandInfo rl = target_.plan(kLun9, 1, report_luns(0, 1024));
  EXPECT_FALSE(rl.early.has_value());
  EXPECT_EQ(rl.transfer_length, 1024u);

  const CommandInfo w = target_.inspect(kLun300, cdb10(0x2a, 0, 8));
  EXPECT_EQ(w.direction, DataDirection::Write);
  EXPECT_EQ(w.transfer_length, 4096u);

  const CommandInfo ua = target_.plan(kLun0, 1, cdb10(0x2a, 0, 8));
  ASSERT_TRUE(ua.early.has_value());
  EXPECT_EQ(ua.early->sense, sense::power_on_reset_or_bus_device_reset());
}

TEST_F(ScsiTargetTest, ResetsReachTheRightUnits) {
  for (std::uint64_t lun : {kLun0, kLun1, kLun300}) run(target_, lun, test_unit_ready());
  target_.reset(ResetKind::LogicalUnit, kLun1);
  EXPECT_EQ(run(target_, kLun0, test_unit_ready()).status, Status::Good);
  EXPECT_EQ(run(target_, kLun1, test_unit_ready()).sense,
            sense::bus_device_reset_function_occurred());
  target_.reset(ResetKind::LogicalUnit, kLun9);  // nothing there: no effect
  target_.reset(ResetKind::TargetWarm, kLun0);
  for (std::uint64_t lun : {kLun0, kLun1, kLun300}) {
    EXPECT_EQ(run(target_, lun, test_unit_ready()).sense, sense::scsi_bus_reset_occurred());
  }
  target_.nexus_lost(1);
  for (std::uint64_t lun : {kLun0, kLun1, kLun300}) {
    EXPECT_EQ(run(target_, lun, test_unit_ready()).sense, sense::i_t_nexus_loss_occurred());
  }
}

TEST(ScsiTargetSetup, RejectsDuplicatesAndLargeLuns) {
  ScsiTarget t("iqn.x", 1);
  EXPECT_FALSE(t.add(5, ram(4096), LunOptions{}));
  const auto dup = t.add(5, ram(4096), LunOptions{});
  ASSERT_TRUE(dup.has_value());
  EXPECT_NE(dup->find("twice"), std::string::npos);
  EXPECT_TRUE(t.add(16384, ram(4096), LunOptions{}).has_value());
  EXPECT_TRUE(t.add(6, std::unique_ptr<BlockDevice>(), LunOptions{}).has_value());
  EXPECT_EQ(t.luns(), (std::vector<std::uint16_t>{5}));
}

TEST(ScsiTargetSetup, AddsFromSpecsWithDeterministicIdentities) {
  ScsiTarget t("iqn.2025-12.local:storage.disk1", 1);
  auto spec = parse_lun_spec("0=ram:1G,thin");
  ASSERT_TRUE(spec);
  EXPECT_FALSE(t.add(*spec));
  auto spec2 = parse_lun_spec("2=null:64M,bs=4096,removable");
  ASSERT_TRUE(spec2);
  EXPECT_FALSE(t.add(*spec2));
  EXPECT_TRUE(t.add(*spec).has_value());  // LUN 0 again
  LogicalUnit* lu0 = t.find(encode_lun(0));
  LogicalUnit* lu2 = t.find(encode_lun(2));
  ASSERT_NE(lu0, nullptr);
  ASSERT_NE(lu2, nullptr);
  EXPECT_TRUE(lu0->options().thin);
  EXPECT_EQ(lu0->capacity_blocks(), (1u << 30) / 512);
  EXPECT_TRUE(lu2->options().removable);
  EXPECT_EQ(lu2->block_size(), 4096u);
  EXPECT_EQ(lu0->identity().naa, make_identity("iqn.2025-12.local:storage.disk1", 0, 1).naa);
  EXPECT_NE(lu0->identity().naa, lu2->identity().naa);
  EXPECT_TRUE(t.lun_exists(encode_lun(2)));
  EXPECT_FALSE(t.lun_exists(encode_lun(1)));
}

}  // namespace
}  // namespace iscsi::scsi
