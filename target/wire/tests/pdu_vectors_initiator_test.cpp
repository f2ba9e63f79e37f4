// Hand-written byte vectors for the initiator PDUs of RFC 3720 §10 other than
// SCSI Command (see pdu_vectors_scsi_command_test.cpp): NOP-Out, Task
// Management Function Request, Login Request, Text Request, SCSI Data-Out,
// Logout Request and SNACK Request.
//
// Every vector is laid out from the PDU's figure, one comment per 4-byte row.
// Fields hold distinct non-zero values so that a field read or written at a
// wrong offset, or in the wrong byte order, shows up; every flag bit is set in
// one vector and clear in another.
#include <gtest/gtest.h>

#include "wire/pdu.h"
#include "wire/pdu_codec.h"
#include "wire/tests/pdu_vectors_support.h"

namespace iscsi::wire {
namespace {

using vectors::Concat;
using vectors::EncodesTo;
using vectors::ExpectOpcodeByteUndefinedBitsIgnored;
using vectors::ExpectReservedBitsIgnored;
using vectors::ExpectVector;
using vectors::TextOf;

// ---------------------------------------------------------------------------
// §10.18 NOP-Out (0x00)

// A ping carrying 5 bytes of data: I=0, ITT valid, TTT 0xffffffff (§10.18.2:
// a NOP-Out that is not a reply to a NOP-In carries TTT 0xffffffff).
const Bytes kNopOutPing = {
    0x00, 0x80, 0x00, 0x00,  //  0: .|I=0|0x00 | 1|Reserved | Reserved
    0x00, 0x00, 0x00, 0x05,  //  4: TotalAHSLength 0 | DataSegmentLength 5
    0x01, 0x02, 0x03, 0x04,  //  8: LUN
    0x05, 0x06, 0x07, 0x08,  // 12: LUN
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag
    0x11, 0x22, 0x33, 0x44,  // 24: CmdSN
    0x55, 0x66, 0x77, 0x88,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    0x70, 0x69, 0x6e, 0x67,  // 48: Ping Data "ping!"
    0x21, 0x00, 0x00, 0x00,  // 52: Ping Data | 3 padding bytes
};

NopOut NopOutPing() {
  NopOut pdu;
  pdu.immediate = false;
  pdu.lun = 0x0102030405060708;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.cmd_sn = 0x11223344;
  pdu.exp_stat_sn = 0x55667788;
  pdu.data = {0x70, 0x69, 0x6e, 0x67, 0x21};
  return pdu;
}

// The reply to a target's NOP-In: ITT 0xffffffff, which requires I=1
// (§10.18.1), and the target's TTT echoed.
const Bytes kNopOutReply = {
    0x40, 0x80, 0x00, 0x00,  //  0: .|I=1|0x00 | 1|Reserved | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x21, 0x22, 0x23, 0x24,  //  8: LUN
    0x25, 0x26, 0x27, 0x28,  // 12: LUN
    0xff, 0xff, 0xff, 0xff,  // 16: Initiator Task Tag
    0xe5, 0xf6, 0x07, 0x18,  // 20: Target Transfer Tag
    0x3a, 0x4b, 0x5c, 0x6d,  // 24: CmdSN
    0x7e, 0x8f, 0x9a, 0xab,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

NopOut NopOutReply() {
  NopOut pdu;
  pdu.immediate = true;
  pdu.lun = 0x2122232425262728;
  pdu.initiator_task_tag = 0xffffffff;
  pdu.target_transfer_tag = 0xe5f60718;
  pdu.cmd_sn = 0x3a4b5c6d;
  pdu.exp_stat_sn = 0x7e8f9aab;
  return pdu;
}

TEST(PduVectorNopOut, PingWithData) {
  ExpectVector(kNopOutPing, NopOutPing());
}

TEST(PduVectorNopOut, ImmediateReplyToNopIn) {
  ExpectVector(kNopOutReply, NopOutReply());
}

TEST(PduVectorNopOut, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kNopOutPing, NopOutPing(),
                            {{1, 1, 0x7f}, {2, 2, 0xff}, {32, 16, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kNopOutPing, NopOutPing(), 0x80);
}

// ---------------------------------------------------------------------------
// §10.5 Task Management Function Request (0x02)

// ABORT TASK, immediate.
const Bytes kTmfAbortTask = {
    0x42, 0x81, 0x00, 0x00,  //  0: .|I=1|0x02 | 1|Function=1 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x41, 0x42, 0x43, 0x44,  //  8: LUN
    0x45, 0x46, 0x47, 0x48,  // 12: LUN
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0x9c, 0x8d, 0x7e, 0x6f,  // 20: Referenced Task Tag
    0x11, 0x22, 0x33, 0x44,  // 24: CmdSN
    0x55, 0x66, 0x77, 0x88,  // 28: ExpStatSN
    0x99, 0xaa, 0xbb, 0xcc,  // 32: RefCmdSN
    0x0d, 0x1e, 0x2f, 0x30,  // 36: ExpDataSN
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

TaskManagementRequest TmfAbortTask() {
  TaskManagementRequest pdu;
  pdu.immediate = true;
  pdu.function = TaskManagementRequest::AbortTask;
  pdu.lun = 0x4142434445464748;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.referenced_task_tag = 0x9c8d7e6f;
  pdu.cmd_sn = 0x11223344;
  pdu.exp_stat_sn = 0x55667788;
  pdu.ref_cmd_sn = 0x99aabbcc;
  pdu.exp_data_sn = 0x0d1e2f30;
  return pdu;
}

// TASK REASSIGN (8), not immediate.
const Bytes kTmfTaskReassign = {
    0x02, 0x88, 0x00, 0x00,  //  0: .|I=0|0x02 | 1|Function=8 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x49, 0x4a, 0x4b, 0x4c,  //  8: LUN
    0x4d, 0x4e, 0x4f, 0x50,  // 12: LUN
    0x80, 0x91, 0xa2, 0xb3,  // 16: Initiator Task Tag
    0x4f, 0x5e, 0x6d, 0x7c,  // 20: Referenced Task Tag
    0x01, 0x23, 0x45, 0x67,  // 24: CmdSN
    0x89, 0xab, 0xcd, 0xef,  // 28: ExpStatSN
    0x76, 0x54, 0x32, 0x10,  // 32: RefCmdSN
    0x00, 0x00, 0xa5, 0xb6,  // 36: ExpDataSN
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

TaskManagementRequest TmfTaskReassign() {
  TaskManagementRequest pdu;
  pdu.immediate = false;
  pdu.function = TaskManagementRequest::TaskReassign;
  pdu.lun = 0x494a4b4c4d4e4f50;
  pdu.initiator_task_tag = 0x8091a2b3;
  pdu.referenced_task_tag = 0x4f5e6d7c;
  pdu.cmd_sn = 0x01234567;
  pdu.exp_stat_sn = 0x89abcdef;
  pdu.ref_cmd_sn = 0x76543210;
  pdu.exp_data_sn = 0x0000a5b6;
  return pdu;
}

// TARGET COLD RESET (7): Referenced Task Tag 0xffffffff, LUN, RefCmdSN and
// ExpDataSN not used (§10.5.3-§10.5.5).
const Bytes kTmfTargetColdReset = {
    0x42, 0x87, 0x00, 0x00,  //  0: .|I=1|0x02 | 1|Function=7 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: LUN (not used)
    0x00, 0x00, 0x00, 0x00,  // 12: LUN (not used)
    0x13, 0x24, 0x35, 0x46,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Referenced Task Tag
    0x57, 0x68, 0x79, 0x8a,  // 24: CmdSN
    0x9b, 0xac, 0xbd, 0xce,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: RefCmdSN (not used)
    0x00, 0x00, 0x00, 0x00,  // 36: ExpDataSN (not used)
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

TaskManagementRequest TmfTargetColdReset() {
  TaskManagementRequest pdu;
  pdu.immediate = true;
  pdu.function = TaskManagementRequest::TargetColdReset;
  pdu.lun = 0;
  pdu.initiator_task_tag = 0x13243546;
  pdu.referenced_task_tag = 0xffffffff;
  pdu.cmd_sn = 0x5768798a;
  pdu.exp_stat_sn = 0x9bacbdce;
  pdu.ref_cmd_sn = 0;
  pdu.exp_data_sn = 0;
  return pdu;
}

TEST(PduVectorTmfRequest, AbortTaskImmediate) {
  ExpectVector(kTmfAbortTask, TmfAbortTask());
}

TEST(PduVectorTmfRequest, TaskReassign) {
  ExpectVector(kTmfTaskReassign, TmfTaskReassign());
}

TEST(PduVectorTmfRequest, TargetColdReset) {
  ExpectVector(kTmfTargetColdReset, TmfTargetColdReset());
}

TEST(PduVectorTmfRequest, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kTmfAbortTask, TmfAbortTask(), {{2, 2, 0xff}, {40, 8, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kTmfAbortTask, TmfAbortTask(), 0x80);
}

// ---------------------------------------------------------------------------
// §10.12 Login Request (0x03)

// Operational stage to Full Feature Phase: T=1, C=0, CSG=1, NSG=3; 27 bytes of
// text, one padding byte. ISID T=2 (random), A=0x15, B=0x3a4b, C=0x5c,
// D=0x6d7e (§10.12.5).
const Bytes kLoginOperational = Concat({
    Bytes{
        0x43, 0x87, 0x2f, 0x1e,  //  0: .|1|0x03 | T=1 C=0 ..|CSG=1|NSG=3 | Version-max | -min
        0x00, 0x00, 0x00, 0x1b,  //  4: TotalAHSLength 0 | DataSegmentLength 27
        0x95, 0x3a, 0x4b, 0x5c,  //  8: ISID T=2 A=0x15 | B | C
        0x6d, 0x7e, 0x8f, 0x90,  // 12: ISID D | TSIH
        0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
        0x6a, 0x7b, 0x00, 0x00,  // 20: CID | Reserved
        0x11, 0x22, 0x33, 0x44,  // 24: CmdSN
        0x55, 0x66, 0x77, 0x88,  // 28: ExpStatSN
        0x00, 0x00, 0x00, 0x00,  // 32: Reserved
        0x00, 0x00, 0x00, 0x00,  // 36: Reserved
        0x00, 0x00, 0x00, 0x00,  // 40: Reserved
        0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    },
    TextOf("HeaderDigest=None\0MaxR2T=1\0"),  // 48: 27 bytes of text
    Bytes{0x00},                              // 75: 1 padding byte
});

LoginRequest LoginOperational() {
  LoginRequest pdu;
  pdu.transit = true;
  pdu.continue_ = false;
  pdu.csg = 1;
  pdu.nsg = 3;
  pdu.version_max = 0x2f;
  pdu.version_min = 0x1e;
  pdu.isid = Isid{.t = 2, .a = 0x15, .b = 0x3a4b, .c = 0x5c, .d = 0x6d7e};
  pdu.tsih = 0x8f90;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.cid = 0x6a7b;
  pdu.cmd_sn = 0x11223344;
  pdu.exp_stat_sn = 0x55667788;
  pdu.data = TextOf("HeaderDigest=None\0MaxR2T=1\0");
  return pdu;
}

// Security stage, text continued in the next PDU: T=0, C=1, CSG=0, NSG=0;
// 18 bytes of text, two padding bytes. ISID T=1 (EN), A=0x2a, B=0x0b1c,
// C=0x2d, D=0x3e4f.
const Bytes kLoginContinued = Concat({
    Bytes{
        0x43, 0x40, 0x3c, 0x2b,  //  0: .|1|0x03 | T=0 C=1 ..|CSG=0|NSG=0 | Version-max | -min
        0x00, 0x00, 0x00, 0x12,  //  4: TotalAHSLength 0 | DataSegmentLength 18
        0x6a, 0x0b, 0x1c, 0x2d,  //  8: ISID T=1 A=0x2a | B | C
        0x3e, 0x4f, 0x50, 0x61,  // 12: ISID D | TSIH
        0x71, 0x82, 0x93, 0x04,  // 16: Initiator Task Tag
        0x15, 0x26, 0x00, 0x00,  // 20: CID | Reserved
        0x37, 0x48, 0x59, 0x6a,  // 24: CmdSN
        0x7b, 0x8c, 0x9d, 0xae,  // 28: ExpStatSN
        0x00, 0x00, 0x00, 0x00,  // 32: Reserved
        0x00, 0x00, 0x00, 0x00,  // 36: Reserved
        0x00, 0x00, 0x00, 0x00,  // 40: Reserved
        0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    },
    TextOf("AuthMethod=CHAP,No"),  // 48: 18 bytes of text (continued)
    Bytes{0x00, 0x00},             // 66: 2 padding bytes
});

LoginRequest LoginContinued() {
  LoginRequest pdu;
  pdu.transit = false;
  pdu.continue_ = true;
  pdu.csg = 0;
  pdu.nsg = 0;
  pdu.version_max = 0x3c;
  pdu.version_min = 0x2b;
  pdu.isid = Isid{.t = 1, .a = 0x2a, .b = 0x0b1c, .c = 0x2d, .d = 0x3e4f};
  pdu.tsih = 0x5061;
  pdu.initiator_task_tag = 0x71829304;
  pdu.cid = 0x1526;
  pdu.cmd_sn = 0x3748596a;
  pdu.exp_stat_sn = 0x7b8c9dae;
  pdu.data = TextOf("AuthMethod=CHAP,No");
  return pdu;
}

// Security stage to operational stage: T=1, C=0, CSG=0, NSG=1, no text;
// ISID T=0 (OUI), A=0x3f, B=0xfedc, C=0xba, D=0x9876.
const Bytes kLoginSecurityToOperational = {
    0x43, 0x81, 0x00, 0x00,  //  0: .|1|0x03 | T=1 C=0 ..|CSG=0|NSG=1 | Version-max | -min
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x3f, 0xfe, 0xdc, 0xba,  //  8: ISID T=0 A=0x3f | B | C
    0x98, 0x76, 0x00, 0x00,  // 12: ISID D | TSIH 0 (new session)
    0x0a, 0x1b, 0x2c, 0x3d,  // 16: Initiator Task Tag
    0x00, 0x01, 0x00, 0x00,  // 20: CID | Reserved
    0x4e, 0x5f, 0x60, 0x71,  // 24: CmdSN
    0x82, 0x93, 0xa4, 0xb5,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

LoginRequest LoginSecurityToOperational() {
  LoginRequest pdu;
  pdu.transit = true;
  pdu.continue_ = false;
  pdu.csg = 0;
  pdu.nsg = 1;
  pdu.version_max = 0;
  pdu.version_min = 0;
  pdu.isid = Isid{.t = 0, .a = 0x3f, .b = 0xfedc, .c = 0xba, .d = 0x9876};
  pdu.tsih = 0;
  pdu.initiator_task_tag = 0x0a1b2c3d;
  pdu.cid = 1;
  pdu.cmd_sn = 0x4e5f6071;
  pdu.exp_stat_sn = 0x8293a4b5;
  return pdu;
}

TEST(PduVectorLoginRequest, OperationalToFullFeature) {
  ExpectVector(kLoginOperational, LoginOperational());
}

TEST(PduVectorLoginRequest, SecurityTextContinued) {
  ExpectVector(kLoginContinued, LoginContinued());
}

TEST(PduVectorLoginRequest, SecurityToOperational) {
  ExpectVector(kLoginSecurityToOperational, LoginSecurityToOperational());
}

// §10.12.3: CSG in bits 4-5 and NSG in bits 6-7 of byte 1 (RFC bit
// numbering, 0 = most significant), i.e. masks 0x0c and 0x03. Stage value 2
// is reserved, so only the encoder is asked to place it.
TEST(PduVectorLoginRequest, StageFieldBitPositions) {
  LoginRequest pdu = LoginSecurityToOperational();
  pdu.transit = false;
  pdu.csg = 2;
  pdu.nsg = 1;
  EXPECT_EQ(encode_bhs(pdu)[1], 0x09);
  pdu.csg = 1;
  pdu.nsg = 2;
  EXPECT_EQ(encode_bhs(pdu)[1], 0x06);
  pdu.csg = 3;
  pdu.nsg = 3;
  EXPECT_EQ(encode_bhs(pdu)[1], 0x0f);
}

// The figure of §10.12 shows byte 0 as |.|1| 0x03|: the bit in the I position
// of a Login Request is fixed at 1, so the struct has no field for it.
TEST(PduVectorLoginRequest, ImmediateBitWrittenAsOne) {
  EXPECT_EQ(encode_bhs(LoginRequest{})[0], 0x43);
  EXPECT_EQ(encode_bhs(LoginSecurityToOperational())[0], 0x43);
}

// A Login Request whose fixed I bit is clear still decodes, and the fixed-bit
// check reports it.
TEST(PduVectorLoginRequest, ClearedFixedBitIsReported) {
  std::array<std::uint8_t, 48> bhs = encode_bhs(LoginRequest{});
  EXPECT_FALSE(has_fixed_bits_clear(bhs));
  bhs[0] = 0x03;
  EXPECT_TRUE(has_fixed_bits_clear(bhs));
  EXPECT_TRUE(decode(bhs).ok());
}

TEST(PduVectorLoginRequest, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kLoginOperational, LoginOperational(),
                            {{1, 1, 0x30}, {22, 2, 0xff}, {32, 16, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kLoginOperational, LoginOperational(), 0x80);
}

// §10.12.5: the ISID is T (2 bits), A (6), B (16), C (8), D (16), most
// significant first, filling bytes 8-13.
TEST(PduVectorIsid, LayoutAsSixBytes) {
  const Isid isid{.t = 2, .a = 0x15, .b = 0x3a4b, .c = 0x5c, .d = 0x6d7e};
  EXPECT_EQ(isid.to_u64(), 0x953a4b5c6d7eull);
  EXPECT_EQ(Isid::from_u64(0x953a4b5c6d7eull), isid);

  const Isid en{.t = 1, .a = 0x2a, .b = 0x0b1c, .c = 0x2d, .d = 0x3e4f};
  EXPECT_EQ(en.to_u64(), 0x6a0b1c2d3e4full);
  EXPECT_EQ(Isid::from_u64(0x6a0b1c2d3e4full), en);

  const Isid all_ones{.t = 3, .a = 0x3f, .b = 0xffff, .c = 0xff, .d = 0xffff};
  EXPECT_EQ(all_ones.to_u64(), 0xffffffffffffull);
  const Isid t_only{.t = 3, .a = 0, .b = 0, .c = 0, .d = 0};
  EXPECT_EQ(t_only.to_u64(), 0xc00000000000ull);
  const Isid a_only{.t = 0, .a = 0x3f, .b = 0, .c = 0, .d = 0};
  EXPECT_EQ(a_only.to_u64(), 0x3f0000000000ull);
}

TEST(PduVectorIsid, EachSubfieldInItsBytes) {
  LoginRequest pdu;
  pdu.isid = Isid{.t = 3, .a = 0, .b = 0, .c = 0, .d = 0};
  auto bhs = encode_bhs(pdu);
  EXPECT_TRUE(vectors::SameBytes(vectors::Slice(bhs, 8, 6), Bytes{0xc0, 0, 0, 0, 0, 0}));
  pdu.isid = Isid{.t = 0, .a = 0x3f, .b = 0, .c = 0, .d = 0};
  bhs = encode_bhs(pdu);
  EXPECT_TRUE(vectors::SameBytes(vectors::Slice(bhs, 8, 6), Bytes{0x3f, 0, 0, 0, 0, 0}));
  pdu.isid = Isid{.t = 0, .a = 0, .b = 0x1234, .c = 0, .d = 0};
  bhs = encode_bhs(pdu);
  EXPECT_TRUE(vectors::SameBytes(vectors::Slice(bhs, 8, 6), Bytes{0, 0x12, 0x34, 0, 0, 0}));
  pdu.isid = Isid{.t = 0, .a = 0, .b = 0, .c = 0x56, .d = 0};
  bhs = encode_bhs(pdu);
  EXPECT_TRUE(vectors::SameBytes(vectors::Slice(bhs, 8, 6), Bytes{0, 0, 0, 0x56, 0, 0}));
  pdu.isid = Isid{.t = 0, .a = 0, .b = 0, .c = 0, .d = 0x789a};
  bhs = encode_bhs(pdu);
  EXPECT_TRUE(vectors::SameBytes(vectors::Slice(bhs, 8, 6), Bytes{0, 0, 0, 0, 0x78, 0x9a}));
}

// ---------------------------------------------------------------------------
// §10.10 Text Request (0x04)

// SendTargets=All, final, immediate; 16 bytes of text, no padding.
const Bytes kTextSendTargets = Concat({
    Bytes{
        0x44, 0x80, 0x00, 0x00,  //  0: .|I=1|0x04 | F=1 C=0 Reserved | Reserved
        0x00, 0x00, 0x00, 0x10,  //  4: TotalAHSLength 0 | DataSegmentLength 16
        0x61, 0x62, 0x63, 0x64,  //  8: LUN
        0x65, 0x66, 0x67, 0x68,  // 12: LUN
        0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
        0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag
        0x11, 0x22, 0x33, 0x44,  // 24: CmdSN
        0x55, 0x66, 0x77, 0x88,  // 28: ExpStatSN
        0x00, 0x00, 0x00, 0x00,  // 32: Reserved
        0x00, 0x00, 0x00, 0x00,  // 36: Reserved
        0x00, 0x00, 0x00, 0x00,  // 40: Reserved
        0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    },
    TextOf("SendTargets=All\0"),  // 48: 16 bytes of text, no padding
});

TextRequest TextSendTargets() {
  TextRequest pdu;
  pdu.immediate = true;
  pdu.final = true;
  pdu.continue_ = false;
  pdu.lun = 0x6162636465666768;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.cmd_sn = 0x11223344;
  pdu.exp_stat_sn = 0x55667788;
  pdu.data = TextOf("SendTargets=All\0");
  return pdu;
}

// Text continued (C=1, F=0; §10.10.2: C=1 requires F=0), inside an exchange
// whose TTT the target assigned; 13 bytes of text, three padding bytes.
const Bytes kTextContinued = Concat({
    Bytes{
        0x04, 0x40, 0x00, 0x00,  //  0: .|I=0|0x04 | F=0 C=1 Reserved | Reserved
        0x00, 0x00, 0x00, 0x0d,  //  4: TotalAHSLength 0 | DataSegmentLength 13
        0x69, 0x6a, 0x6b, 0x6c,  //  8: LUN
        0x6d, 0x6e, 0x6f, 0x70,  // 12: LUN
        0x8c, 0x9d, 0xae, 0x0f,  // 16: Initiator Task Tag
        0x1a, 0x2b, 0x3c, 0x4d,  // 20: Target Transfer Tag
        0x2c, 0x3d, 0x4e, 0x5f,  // 24: CmdSN
        0x60, 0x71, 0x82, 0x93,  // 28: ExpStatSN
        0x00, 0x00, 0x00, 0x00,  // 32: Reserved
        0x00, 0x00, 0x00, 0x00,  // 36: Reserved
        0x00, 0x00, 0x00, 0x00,  // 40: Reserved
        0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    },
    TextOf("SendTargets=i"),  // 48: 13 bytes of text (continued)
    Bytes{0x00, 0x00, 0x00},  // 61: 3 padding bytes
});

TextRequest TextContinued() {
  TextRequest pdu;
  pdu.immediate = false;
  pdu.final = false;
  pdu.continue_ = true;
  pdu.lun = 0x696a6b6c6d6e6f70;
  pdu.initiator_task_tag = 0x8c9dae0f;
  pdu.target_transfer_tag = 0x1a2b3c4d;
  pdu.cmd_sn = 0x2c3d4e5f;
  pdu.exp_stat_sn = 0x60718293;
  pdu.data = TextOf("SendTargets=i");
  return pdu;
}

TEST(PduVectorTextRequest, SendTargetsFinal) {
  ExpectVector(kTextSendTargets, TextSendTargets());
}

TEST(PduVectorTextRequest, Continued) {
  ExpectVector(kTextContinued, TextContinued());
}

TEST(PduVectorTextRequest, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kTextSendTargets, TextSendTargets(),
                            {{1, 1, 0x3f}, {2, 2, 0xff}, {32, 16, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kTextSendTargets, TextSendTargets(), 0x80);
}

// ---------------------------------------------------------------------------
// §10.7.1 SCSI Data-Out (0x05)

// Solicited, last of the sequence (F=1); 8 bytes of data, no padding.
const Bytes kDataOutFinal = {
    0x05, 0x80, 0x00, 0x00,  //  0: .|.|0x05 | F=1 Reserved | Reserved
    0x00, 0x00, 0x00, 0x08,  //  4: TotalAHSLength 0 | DataSegmentLength 8
    0x71, 0x72, 0x73, 0x74,  //  8: LUN
    0x75, 0x76, 0x77, 0x78,  // 12: LUN
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0x7a, 0x8b, 0x9c, 0xad,  // 20: Target Transfer Tag
    0x00, 0x00, 0x00, 0x00,  // 24: Reserved
    0x55, 0x66, 0x77, 0x88,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0xc4, 0xd5, 0xe6, 0xf7,  // 36: DataSN
    0x0f, 0x1e, 0x2d, 0x3c,  // 40: Buffer Offset
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    0x80, 0x81, 0x82, 0x83,  // 48: data
    0x84, 0x85, 0x86, 0x87,  // 52: data
};

ScsiDataOut DataOutFinal() {
  ScsiDataOut pdu;
  pdu.final = true;
  pdu.lun = 0x7172737475767778;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.target_transfer_tag = 0x7a8b9cad;
  pdu.exp_stat_sn = 0x55667788;
  pdu.data_sn = 0xc4d5e6f7;
  pdu.buffer_offset = 0x0f1e2d3c;
  pdu.data = {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87};
  return pdu;
}

// Unsolicited (TTT 0xffffffff, §10.7.4), not last (F=0); 3 bytes of data,
// one padding byte.
const Bytes kDataOutUnsolicited = {
    0x05, 0x00, 0x00, 0x00,  //  0: .|.|0x05 | F=0 Reserved | Reserved
    0x00, 0x00, 0x00, 0x03,  //  4: TotalAHSLength 0 | DataSegmentLength 3
    0x79, 0x7a, 0x7b, 0x7c,  //  8: LUN
    0x7d, 0x7e, 0x7f, 0x80,  // 12: LUN
    0x9a, 0xab, 0xbc, 0xcd,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag
    0x00, 0x00, 0x00, 0x00,  // 24: Reserved
    0x0e, 0x1f, 0x20, 0x31,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x42, 0x53, 0x64, 0x75,  // 36: DataSN
    0x86, 0x97, 0xa8, 0xb9,  // 40: Buffer Offset
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    0x90, 0x91, 0x92, 0x00,  // 48: data | 1 padding byte
};

ScsiDataOut DataOutUnsolicited() {
  ScsiDataOut pdu;
  pdu.final = false;
  pdu.lun = 0x797a7b7c7d7e7f80;
  pdu.initiator_task_tag = 0x9aabbccd;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.exp_stat_sn = 0x0e1f2031;
  pdu.data_sn = 0x42536475;
  pdu.buffer_offset = 0x8697a8b9;
  pdu.data = {0x90, 0x91, 0x92};
  return pdu;
}

TEST(PduVectorDataOut, SolicitedFinal) {
  ExpectVector(kDataOutFinal, DataOutFinal());
}

TEST(PduVectorDataOut, UnsolicitedNotFinal) {
  ExpectVector(kDataOutUnsolicited, DataOutUnsolicited());
}

TEST(PduVectorDataOut, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(
      kDataOutFinal, DataOutFinal(),
      {{1, 1, 0x7f}, {2, 2, 0xff}, {24, 4, 0xff}, {32, 4, 0xff}, {44, 4, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kDataOutFinal, DataOutFinal(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.14 Logout Request (0x06)

// Close the connection (reason 1), immediate.
const Bytes kLogoutCloseConnection = {
    0x46, 0x81, 0x00, 0x00,  //  0: .|I=1|0x06 | 1|Reason Code=1 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0x9a, 0x8b, 0x00, 0x00,  // 20: CID | Reserved
    0x11, 0x22, 0x33, 0x44,  // 24: CmdSN
    0x55, 0x66, 0x77, 0x88,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

LogoutRequest LogoutCloseConnection() {
  LogoutRequest pdu;
  pdu.immediate = true;
  pdu.reason_code = LogoutRequest::CloseConnection;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.cid = 0x9a8b;
  pdu.cmd_sn = 0x11223344;
  pdu.exp_stat_sn = 0x55667788;
  return pdu;
}

// Remove the connection for recovery (reason 2), not immediate.
const Bytes kLogoutRemoveForRecovery = {
    0x06, 0x82, 0x00, 0x00,  //  0: .|I=0|0x06 | 1|Reason Code=2 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0x3b, 0x4c, 0x5d, 0x6e,  // 16: Initiator Task Tag
    0x1c, 0x2d, 0x00, 0x00,  // 20: CID | Reserved
    0x7f, 0x80, 0x91, 0xa2,  // 24: CmdSN
    0xb3, 0xc4, 0xd5, 0xe6,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

LogoutRequest LogoutRemoveForRecovery() {
  LogoutRequest pdu;
  pdu.immediate = false;
  pdu.reason_code = LogoutRequest::RemoveConnectionForRecovery;
  pdu.initiator_task_tag = 0x3b4c5d6e;
  pdu.cid = 0x1c2d;
  pdu.cmd_sn = 0x7f8091a2;
  pdu.exp_stat_sn = 0xb3c4d5e6;
  return pdu;
}

TEST(PduVectorLogoutRequest, CloseConnectionImmediate) {
  ExpectVector(kLogoutCloseConnection, LogoutCloseConnection());
}

TEST(PduVectorLogoutRequest, RemoveConnectionForRecovery) {
  ExpectVector(kLogoutRemoveForRecovery, LogoutRemoveForRecovery());
}

TEST(PduVectorLogoutRequest, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kLogoutCloseConnection, LogoutCloseConnection(),
                            {{2, 2, 0xff}, {8, 8, 0xff}, {22, 2, 0xff}, {32, 16, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kLogoutCloseConnection, LogoutCloseConnection(), 0x80);
}

// ---------------------------------------------------------------------------
// §10.16 SNACK Request (0x10)

// Data/R2T SNACK (type 0): ITT of the command, TTT 0xffffffff, a run of
// DataSN/R2TSN.
const Bytes kSnackDataR2t = {
    0x10, 0x80, 0x00, 0x00,  //  0: .|.|0x10 | 1|...|Type=0 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x81, 0x82, 0x83, 0x84,  //  8: LUN
    0x85, 0x86, 0x87, 0x88,  // 12: LUN
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag or SNACK Tag
    0x00, 0x00, 0x00, 0x00,  // 24: Reserved
    0x55, 0x66, 0x77, 0x88,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x0c, 0x1d, 0x2e, 0x3f,  // 40: BegRun
    0x4a, 0x5b, 0x6c, 0x7d,  // 44: RunLength
};

SnackRequest SnackDataR2t() {
  SnackRequest pdu;
  pdu.type = SnackRequest::DataR2t;
  pdu.lun = 0x8182838485868788;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.exp_stat_sn = 0x55667788;
  pdu.beg_run = 0x0c1d2e3f;
  pdu.run_length = 0x4a5b6c7d;
  return pdu;
}

// R-Data SNACK (type 3): SNACK Tag in the TTT field, BegRun and RunLength 0
// (§10.16.3, §10.16.4).
const Bytes kSnackRData = {
    0x10, 0x83, 0x00, 0x00,  //  0: .|.|0x10 | 1|...|Type=3 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x89, 0x8a, 0x8b, 0x8c,  //  8: LUN
    0x8d, 0x8e, 0x8f, 0x90,  // 12: LUN
    0x5b, 0x6c, 0x7d, 0x8e,  // 16: Initiator Task Tag
    0xb0, 0xc1, 0xd2, 0xe3,  // 20: SNACK Tag
    0x00, 0x00, 0x00, 0x00,  // 24: Reserved
    0x0f, 0x10, 0x21, 0x32,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: BegRun 0
    0x00, 0x00, 0x00, 0x00,  // 44: RunLength 0
};

SnackRequest SnackRData() {
  SnackRequest pdu;
  pdu.type = SnackRequest::RData;
  pdu.lun = 0x898a8b8c8d8e8f90;
  pdu.initiator_task_tag = 0x5b6c7d8e;
  pdu.target_transfer_tag = 0xb0c1d2e3;
  pdu.exp_stat_sn = 0x0f102132;
  pdu.beg_run = 0;
  pdu.run_length = 0;
  return pdu;
}

// Status SNACK (type 1): ITT 0xffffffff (§10.16.2), a run of StatSN.
const Bytes kSnackStatus = {
    0x10, 0x81, 0x00, 0x00,  //  0: .|.|0x10 | 1|...|Type=1 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: LUN (not used)
    0x00, 0x00, 0x00, 0x00,  // 12: LUN (not used)
    0xff, 0xff, 0xff, 0xff,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag (not used)
    0x00, 0x00, 0x00, 0x00,  // 24: Reserved
    0x43, 0x54, 0x65, 0x76,  // 28: ExpStatSN
    0x00, 0x00, 0x00, 0x00,  // 32: Reserved
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x87, 0x98, 0xa9, 0xba,  // 40: BegRun
    0x00, 0x00, 0x00, 0x0e,  // 44: RunLength
};

SnackRequest SnackStatus() {
  SnackRequest pdu;
  pdu.type = SnackRequest::Status;
  pdu.lun = 0;
  pdu.initiator_task_tag = 0xffffffff;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.exp_stat_sn = 0x43546576;
  pdu.beg_run = 0x8798a9ba;
  pdu.run_length = 0x0000000e;
  return pdu;
}

TEST(PduVectorSnack, DataR2t) {
  ExpectVector(kSnackDataR2t, SnackDataR2t());
}

TEST(PduVectorSnack, RData) {
  ExpectVector(kSnackRData, SnackRData());
}

TEST(PduVectorSnack, Status) {
  ExpectVector(kSnackStatus, SnackStatus());
}

TEST(PduVectorSnack, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kSnackDataR2t, SnackDataR2t(),
                            {{1, 1, 0x70}, {2, 2, 0xff}, {24, 4, 0xff}, {32, 8, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kSnackDataR2t, SnackDataR2t(), 0xc0);
}

// ---------------------------------------------------------------------------
// Bits the figures fix at 1 (byte 1 bit 7 of NOP-Out, TMF Request, Logout
// Request, SNACK) are written even for a default-constructed PDU.
TEST(PduVectorFixedBits, InitiatorByteOneHighBit) {
  EXPECT_EQ(encode_bhs(NopOut{})[1] & 0x80, 0x80) << "NOP-Out §10.18";
  EXPECT_EQ(encode_bhs(TaskManagementRequest{})[1] & 0x80, 0x80) << "TMF Request §10.5";
  EXPECT_EQ(encode_bhs(LogoutRequest{})[1] & 0x80, 0x80) << "Logout Request §10.14";
  EXPECT_EQ(encode_bhs(SnackRequest{})[1] & 0x80, 0x80) << "SNACK Request §10.16";
}

}  // namespace
}  // namespace iscsi::wire
