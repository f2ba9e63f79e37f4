#include "wire/pdu_fields.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

namespace iscsi::wire {
namespace {

constexpr std::array kAllOpcodes{
    Opcode::NopOut,
    Opcode::ScsiCommand,
    Opcode::TaskManagementRequest,
    Opcode::LoginRequest,
    Opcode::TextRequest,
    Opcode::ScsiDataOut,
    Opcode::LogoutRequest,
    Opcode::SnackRequest,
    Opcode::NopIn,
    Opcode::ScsiResponse,
    Opcode::TaskManagementResponse,
    Opcode::LoginResponse,
    Opcode::TextResponse,
    Opcode::ScsiDataIn,
    Opcode::LogoutResponse,
    Opcode::ReadyToTransfer,
    Opcode::AsyncMessage,
    Opcode::Reject,
};

// No two fields of a PDU may claim the same bit, and none may touch the
// opcode bits or the length bytes 4-7 (§10.2.1).
TEST(PduFields, FieldsNeverOverlapEachOtherOrTheCommonHeader) {
  for (Opcode op : kAllOpcodes) {
    std::array<std::uint8_t, kBhsLength> used{};
    used[0] = kOpcodeMask;
    used[4] = used[5] = used[6] = used[7] = 0xff;
    for (const FixedBit& b : fixed_bits(op)) {
      EXPECT_EQ(used[b.offset] & b.mask, 0) << opcode_name(op);
      used[b.offset] |= b.mask;
    }
    for (const FieldInfo& f : bhs_fields(op)) {
      if (f.kind == FieldKind::Flag || f.kind == FieldKind::Bits) {
        EXPECT_EQ(used[f.offset] & f.mask, 0) << opcode_name(op) << " " << f.name;
        used[f.offset] |= f.mask;
      } else {
        ASSERT_LE(f.offset + f.size, kBhsLength) << opcode_name(op) << " " << f.name;
        for (int i = 0; i < f.size; ++i) {
          EXPECT_EQ(used[f.offset + i], 0) << opcode_name(op) << " " << f.name;
          used[f.offset + i] = 0xff;
        }
      }
    }
  }
}

TEST(PduFields, NamesAreUniquePerPdu) {
  for (Opcode op : kAllOpcodes) {
    std::set<std::string_view> names;
    for (const FieldInfo& f : bhs_fields(op)) {
      EXPECT_TRUE(names.insert(f.name).second) << opcode_name(op) << " repeats " << f.name;
    }
  }
}

// Every PDU carries the Initiator Task Tag at bytes 16-19 (§10.2.1.8).
TEST(PduFields, EveryPduHasTheInitiatorTaskTagAtByte16) {
  for (Opcode op : kAllOpcodes) {
    const FieldInfo* itt = find_field(op, "InitiatorTaskTag");
    ASSERT_NE(itt, nullptr) << opcode_name(op);
    EXPECT_EQ(itt->offset, 16);
    EXPECT_EQ(itt->size, 4);
  }
}

TEST(PduFields, UndefinedOpcodesHaveNoFields) {
  EXPECT_TRUE(bhs_fields(static_cast<Opcode>(0x07)).empty());
  EXPECT_TRUE(fixed_bits(static_cast<Opcode>(0x3c)).empty());
}

TEST(PduFields, GetAndSetByName) {
  Pdu pdu = ScsiCommand{};
  EXPECT_TRUE(set_field(pdu, "CmdSN", 0x01020304));
  EXPECT_TRUE(set_field(pdu, "ATTR", 4));
  EXPECT_TRUE(set_field(pdu, "W", 1));
  EXPECT_EQ(std::get<ScsiCommand>(pdu).cmd_sn, 0x01020304u);
  EXPECT_EQ(std::get<ScsiCommand>(pdu).attr, 4);
  EXPECT_TRUE(std::get<ScsiCommand>(pdu).write);
  EXPECT_EQ(get_field(pdu, "CmdSN"), 0x01020304u);
  EXPECT_EQ(get_field(pdu, "W"), 1u);
  EXPECT_EQ(get_field(pdu, "StatSN"), std::nullopt);  // not a SCSI Command field
  EXPECT_FALSE(set_field(pdu, "StatSN", 1));
  EXPECT_EQ(get_field(pdu, "CDB"), std::nullopt);  // bytes, not a number
}

TEST(PduFields, IsidIsAccessibleAsOneNumber) {
  Pdu pdu = LoginRequest{};
  ASSERT_TRUE(set_field(pdu, "ISID", 0x80123456789aULL));
  const Isid& isid = std::get<LoginRequest>(pdu).isid;
  EXPECT_EQ(isid.t, 2);
  EXPECT_EQ(isid.a, 0x00);
  EXPECT_EQ(isid.b, 0x1234);
  EXPECT_EQ(isid.c, 0x56);
  EXPECT_EQ(isid.d, 0x789a);
  EXPECT_EQ(get_field(pdu, "ISID"), 0x80123456789aULL);
}

TEST(PduFields, WriteThenReadGivesTheSamePdu) {
  ReadyToTransfer r2t;
  r2t.lun = 0x0001000000000000ULL;
  r2t.initiator_task_tag = 7;
  r2t.target_transfer_tag = 9;
  r2t.r2t_sn = 3;
  r2t.buffer_offset = 8192;
  r2t.desired_data_transfer_length = 65536;
  std::array<std::uint8_t, kBhsLength> bhs{};
  write_fields(Pdu(r2t), bhs.data());
  EXPECT_EQ(bhs[0], 0x31);
  EXPECT_EQ(bhs[1], 0x80);  // the figure's fixed 1
  EXPECT_EQ(std::get<ReadyToTransfer>(read_fields(Opcode::ReadyToTransfer, bhs.data())), r2t);
}

}  // namespace
}  // namespace iscsi::wire
