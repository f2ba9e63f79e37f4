#include <gtest/gtest.h>

#include "replay/pdu_diff.h"
#include "wire/text.h"

namespace iscsi::replay {
namespace {

wire::Bytes text(const std::vector<wire::text::KeyValue>& kv) {
  return wire::text::encode(kv);
}

// Fixed format sense data (SPC-4 §4.5.3) with the given key, ASC and ASCQ,
// behind the SenseLength of a SCSI Response data segment (§10.4.7.2).
wire::Bytes sense_segment(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq,
                          std::uint8_t info = 0) {
  wire::Bytes sense(18, 0);
  sense[0] = 0x70;
  sense[2] = key;
  sense[3] = info;  // INFORMATION
  sense[7] = 10;
  sense[12] = asc;
  sense[13] = ascq;
  wire::Bytes seg(2 + sense.size(), 0);
  seg[1] = static_cast<std::uint8_t>(sense.size());
  std::copy(sense.begin(), sense.end(), seg.begin() + 2);
  return seg;
}

TEST(CompareHeader, ReportsFieldsByRfcName) {
  wire::ScsiResponse a, b;
  a.status = 0;
  b.status = 2;
  b.residual_underflow = true;
  b.residual_count = 512;
  const auto d = compare_header(a, b, strict_profile());
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].field, "U");
  EXPECT_EQ(d[1].field, "Status");
  EXPECT_EQ(d[1].recorded, "0");
  EXPECT_EQ(d[1].live, "2");
  EXPECT_EQ(d[2].field, "ResidualCount");
  EXPECT_EQ(d[2].live, "512 (0x200)");
}

TEST(CompareHeader, SessionVariablesAreLeftToTheMapping) {
  wire::NopIn a, b;
  a.stat_sn = 5;
  b.stat_sn = 900;
  a.target_transfer_tag = 1;
  b.target_transfer_tag = 77;
  EXPECT_TRUE(compare_header(a, b, strict_profile()).empty());
  wire::LoginResponse l1, l2;
  l1.tsih = 3;
  l2.tsih = 9;
  EXPECT_TRUE(compare_header(l1, l2, strict_profile()).empty());
}

TEST(CompareHeader, ProfileAndSkipListLeaveFieldsOut) {
  wire::ScsiResponse a, b;
  a.max_cmd_sn = 10;
  b.max_cmd_sn = 40;
  a.exp_data_sn = 1;
  b.exp_data_sn = 3;
  auto p = parse_profile(R"({"ignore_fields": ["MaxCmdSN"]})", "t");
  ASSERT_TRUE(p);
  const auto d = compare_header(a, b, *p);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].field, "ExpDataSN");
  EXPECT_TRUE(compare_header(a, b, *p, {"ExpDataSN"}).empty());
}

TEST(CompareHeader, DifferentPdusDifferInOpcode) {
  const auto d = compare_header(wire::ScsiResponse{}, wire::Reject{}, strict_profile());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].field, "Opcode");
  EXPECT_EQ(d[0].recorded, "SCSI Response");
  EXPECT_EQ(d[0].live, "Reject");
}

TEST(CompareKeys, ValuesMissingAndExtraKeys) {
  const auto rec = text({{"MaxBurstLength", "262144"}, {"ImmediateData", "Yes"}, {"A", "1"}});
  const auto live = text({{"MaxBurstLength", "65536"}, {"A", "1"}, {"InitialR2T", "Yes"}});
  const auto d = compare_keys(rec, live, strict_profile());
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].field, "key ImmediateData");
  EXPECT_EQ(d[0].live, "(not sent)");
  EXPECT_EQ(d[1].field, "key MaxBurstLength");
  EXPECT_EQ(d[1].recorded, "262144");
  EXPECT_EQ(d[1].live, "65536");
  EXPECT_EQ(d[2].field, "key InitialR2T");
  EXPECT_EQ(d[2].recorded, "(not sent)");
}

TEST(CompareKeys, IgnoredKeysMayDifferOrBeAbsent) {
  auto p = parse_profile(R"({"ignore_keys": ["TargetAlias", "TargetPortalGroupTag"]})", "t");
  ASSERT_TRUE(p);
  const auto rec = text({{"TargetAlias", "tgt"}, {"TargetPortalGroupTag", "1"}});
  const auto live = text({{"TargetPortalGroupTag", "7"}});
  EXPECT_TRUE(compare_keys(rec, live, *p).empty());
}

TEST(CompareKeys, UnparsableTextOnOneSideIsADifference) {
  const wire::Bytes broken{'A', '=', '1'};  // no NUL terminator
  const auto d = compare_keys(text({{"A", "1"}}), broken, strict_profile());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].field, "text");
}

TEST(CompareSense, KeyAscAscqByDefaultBytesWhenAsked) {
  auto p = parse_profile("{}", "t");
  ASSERT_TRUE(p);
  // Same condition, another INFORMATION byte: equal by key/ASC/ASCQ.
  EXPECT_FALSE(compare_sense(sense_segment(5, 0x24, 0), sense_segment(5, 0x24, 0, 9), *p));
  const auto d = compare_sense(sense_segment(6, 0x29, 0), sense_segment(6, 0x29, 7), *p);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->recorded, "6/29/00");
  EXPECT_EQ(d->live, "6/29/07");
  const auto bytes =
      compare_sense(sense_segment(5, 0x24, 0), sense_segment(5, 0x24, 0, 9), strict_profile());
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->field, "sense at byte 3");
  const auto none = compare_sense({}, sense_segment(2, 0x3a, 0), *p);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->recorded, "(none)");
}

TEST(SenseCode, DescriptorFormat) {
  const wire::Bytes sense{0x72, 0x05, 0x20, 0x00, 0, 0, 0, 0};
  EXPECT_EQ(sense_code(sense), "5/20/00");
  EXPECT_EQ(sense_code({}), "");
}

TEST(CompareBytes, FirstDifferingOffsetOrLength) {
  const wire::Bytes a{1, 2, 3, 4}, b{1, 2, 9, 4}, c{1, 2, 3};
  EXPECT_FALSE(compare_bytes("data", a, a));
  const auto d = compare_bytes("data", a, b);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->field, "data at byte 2");
  EXPECT_EQ(d->recorded, "0304");
  EXPECT_EQ(d->live, "0904");
  const auto l = compare_bytes("data", a, c);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->field, "data length");
  EXPECT_EQ(l->recorded, "4");
  EXPECT_EQ(l->live, "3");
}

}  // namespace
}  // namespace iscsi::replay
