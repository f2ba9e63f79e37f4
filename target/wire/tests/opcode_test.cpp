#include "wire/opcode.h"

#include <gtest/gtest.h>

namespace iscsi::wire {
namespace {

// §10.2.1.2: the 8 initiator and 10 target opcodes, the vendor-specific ranges
// 0x1c-0x1e and 0x3c-0x3e; everything else is reserved.
TEST(Opcode, ClassifiesAll64Values) {
  int defined = 0, vendor = 0, reserved = 0;
  for (int op = 0; op < 64; ++op) {
    switch (classify_opcode(static_cast<std::uint8_t>(op))) {
      case OpcodeClass::Defined:
        ++defined;
        break;
      case OpcodeClass::VendorSpecific:
        ++vendor;
        break;
      case OpcodeClass::Reserved:
        ++reserved;
        break;
    }
  }
  EXPECT_EQ(defined, 18);
  EXPECT_EQ(vendor, 6);
  EXPECT_EQ(reserved, 40);
  EXPECT_EQ(classify_opcode(0x10), OpcodeClass::Defined);  // SNACK
  EXPECT_EQ(classify_opcode(0x31), OpcodeClass::Defined);  // R2T
  EXPECT_EQ(classify_opcode(0x3f), OpcodeClass::Defined);  // Reject
  EXPECT_EQ(classify_opcode(0x3c), OpcodeClass::VendorSpecific);
  EXPECT_EQ(classify_opcode(0x30), OpcodeClass::Reserved);
}

TEST(Opcode, ClassifyIgnoresTheImmediateAndReservedBits) {
  EXPECT_EQ(classify_opcode(0x41), OpcodeClass::Defined);  // I bit + SCSI Command
  EXPECT_EQ(classify_opcode(0xc3), OpcodeClass::Defined);
}

TEST(Opcode, SenderFollowsBit5) {
  EXPECT_EQ(sender_of(0x05), Sender::Initiator);
  EXPECT_EQ(sender_of(0x10), Sender::Initiator);
  EXPECT_EQ(sender_of(0x25), Sender::Target);
  EXPECT_EQ(sender_of(0x3f), Sender::Target);
}

TEST(Opcode, Names) {
  EXPECT_EQ(opcode_name(Opcode::ReadyToTransfer), "R2T");
  EXPECT_EQ(opcode_name(Opcode::TaskManagementRequest), "Task Management Function Request");
  EXPECT_FALSE(opcode_name(std::uint8_t{0x07}).has_value());
}

}  // namespace
}  // namespace iscsi::wire
