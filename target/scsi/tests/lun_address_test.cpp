// SAM-5 single level LUN structure: peripheral device addressing (method
// 00b, byte 1 = LUN) and flat space addressing (method 01b, 14-bit LUN).
#include "scsi/lun_address.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

TEST(EncodeLun, PeripheralBelow256FlatAbove) {
  EXPECT_EQ(encode_lun(0), 0x0000000000000000ull);
  EXPECT_EQ(encode_lun(5), 0x0005000000000000ull);
  EXPECT_EQ(encode_lun(255), 0x00ff000000000000ull);
  EXPECT_EQ(encode_lun(256), 0x4100000000000000ull);
  EXPECT_EQ(encode_lun(0x1234), 0x5234000000000000ull);
  EXPECT_EQ(encode_lun(16383), 0x7fff000000000000ull);
}

TEST(DecodeLun, SingleLevelMethods) {
  EXPECT_EQ(decode_lun(0x0000000000000000ull), 0);
  EXPECT_EQ(decode_lun(0x0007000000000000ull), 7);
  EXPECT_EQ(decode_lun(0x4100000000000000ull), 256);
  EXPECT_EQ(decode_lun(0x7fff000000000000ull), 16383);
  // LUN 7 in flat space form names the same logical unit.
  EXPECT_EQ(decode_lun(0x4007000000000000ull), 7);
}

TEST(DecodeLun, EverythingElseAddressesNothing) {
  EXPECT_FALSE(decode_lun(0x0100000000000000ull).has_value());  // bus identifier 1
  EXPECT_FALSE(decode_lun(0x8001000000000000ull).has_value());  // logical unit addressing
  EXPECT_FALSE(decode_lun(0xc101000000000000ull).has_value());  // well known LUN
  EXPECT_FALSE(decode_lun(0x0000000100000000ull).has_value());  // second level in use
  EXPECT_FALSE(decode_lun(0x0000000000000001ull).has_value());
}

TEST(DecodeLun, RoundTripsEveryLun) {
  for (std::uint32_t lun = 0; lun <= 16383; ++lun) {
    ASSERT_EQ(decode_lun(encode_lun(static_cast<std::uint16_t>(lun))), lun);
  }
}

}  // namespace
}  // namespace iscsi::scsi
