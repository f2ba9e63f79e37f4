#include "scsi/extended_copy.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

// LID1 list: header, one E4h descriptor with an NAA designator, one 02h
// block-to-block segment (SPC-4 EXTENDED COPY parameter list).
wire::Bytes copy_list(std::uint64_t naa, std::uint16_t blocks) {
  wire::Bytes l(16 + 32 + 28, 0);
  l[0] = 7;  // LIST IDENTIFIER
  wire::store_be16(&l[2], 32);
  wire::store_be32(&l[8], 28);
  std::uint8_t* d = &l[16];
  d[0] = 0xe4;
  d[4] = 0x01;  // binary
  d[5] = 0x03;  // LU association, NAA
  d[7] = 8;
  wire::store_be64(&d[8], naa);
  wire::store_be24(&d[29], 512);
  std::uint8_t* s = &l[48];
  s[0] = 0x02;
  wire::store_be16(&s[2], 0x18);
  wire::store_be16(&s[10], blocks);
  wire::store_be64(&s[12], 10);
  wire::store_be64(&s[20], 20);
  return l;
}

TEST(ExtendedCopy, ParsesOneSegment) {
  auto j = parse_copy_list(copy_list(0x3000000000000001ull, 4));
  ASSERT_TRUE(j);
  EXPECT_EQ(j->list_identifier, 7);
  ASSERT_EQ(j->targets.size(), 1u);
  EXPECT_TRUE(j->targets[0].naa_valid);
  EXPECT_EQ(j->targets[0].block_size, 512u);
  ASSERT_EQ(j->segments.size(), 1u);
  EXPECT_EQ(j->segments[0].blocks, 4);
  EXPECT_EQ(j->segments[0].source_lba, 10u);
  EXPECT_EQ(j->segments[0].destination_lba, 20u);
}

TEST(ExtendedCopy, UnknownDescriptorTypes) {
  wire::Bytes l = copy_list(1, 1);
  l[16] = 0xe5;
  EXPECT_EQ(parse_copy_list(l).error(), sense::unsupported_target_descriptor_type_code());
  l = copy_list(1, 1);
  l[48] = 0x01;
  EXPECT_EQ(parse_copy_list(l).error(), sense::unsupported_segment_descriptor_type_code());
}

TEST(ExtendedCopy, ShortListIsParameterListLengthError) {
  wire::Bytes l = copy_list(1, 1);
  l.resize(40);
  EXPECT_EQ(parse_copy_list(l).error(), sense::parameter_list_length_error());
}

TEST(ExtendedCopy, TooManyTargetDescriptors) {
  wire::Bytes l(16 + 32 * 9, 0);
  wire::store_be16(&l[2], 32 * 9);
  EXPECT_EQ(parse_copy_list(l).error(), sense::too_many_target_descriptors());
}

TEST(ExtendedCopy, NulDescriptorNamesNoUnit) {
  wire::Bytes l = copy_list(1, 1);
  l[17] = 0x20;
  auto j = parse_copy_list(l);
  ASSERT_TRUE(j);
  EXPECT_FALSE(j->targets[0].naa_valid);
}

TEST(ExtendedCopy, OperatingParameters) {
  const wire::Bytes d = copy_operating_parameters();
  EXPECT_EQ(wire::load_be32(&d[0]), d.size() - 4);
  EXPECT_EQ(wire::load_be16(&d[8]), xcopy::kMaxCscdDescriptors);
  EXPECT_EQ(wire::load_be16(&d[10]), xcopy::kMaxSegmentDescriptors);
  EXPECT_EQ(d[43], 2);
  EXPECT_EQ(d[44], 0x02);
  EXPECT_EQ(d[45], 0xe4);
}

}  // namespace
}  // namespace iscsi::scsi
