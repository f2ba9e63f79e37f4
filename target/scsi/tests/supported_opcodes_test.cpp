#include "scsi/supported_opcodes.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

TEST(SupportedOpcodes, OneCommandWithoutServiceAction) {
  // REPORTING OPTIONS 001b for READ(10): SUPPORT 011b, CDB SIZE 10, usage
  // data starting with the operation code.
  auto d = report_supported_opcodes({.reporting_options = 1, .opcode = 0x28}, false);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 14u);
  EXPECT_EQ((*d)[1], 0x03);
  EXPECT_EQ(wire::load_be16(&(*d)[2]), 10u);
  EXPECT_EQ((*d)[4], 0x28);
}

TEST(SupportedOpcodes, ServiceActionCommandNeedsOption2) {
  auto d = report_supported_opcodes({.reporting_options = 1, .opcode = 0x9e}, false);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), sense::invalid_field_in_cdb(3));
  auto e = report_supported_opcodes(
      {.reporting_options = 2, .opcode = 0x9e, .service_action = 0x10}, false);
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)[1], 0x03);
  EXPECT_EQ((*e)[4 + 1], 0x10);  // the service action in the usage data
}

TEST(SupportedOpcodes, UnmapOnlyOnThinUnits) {
  auto thick = report_supported_opcodes({.reporting_options = 1, .opcode = 0x42}, false);
  ASSERT_TRUE(thick);
  EXPECT_EQ((*thick)[1], 0x01);  // not supported
  auto thin = report_supported_opcodes({.reporting_options = 1, .opcode = 0x42}, true);
  ASSERT_TRUE(thin);
  EXPECT_EQ((*thin)[1], 0x03);
}

TEST(SupportedOpcodes, AllCommandsWithTimeouts) {
  auto d = report_supported_opcodes({.reporting_options = 0, .rctd = true}, true);
  ASSERT_TRUE(d);
  // Each descriptor is 8 bytes plus a 12-byte timeouts descriptor.
  EXPECT_EQ((d->size() - 4) % 20, 0u);
  EXPECT_EQ(wire::load_be32(&(*d)[0]), d->size() - 4);
  EXPECT_EQ((*d)[4 + 5] & 0x02, 0x02);  // CTDP
}

}  // namespace
}  // namespace iscsi::scsi
