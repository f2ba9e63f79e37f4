// Hand-written byte vectors for the ten target PDUs of RFC 3720 §10: NOP-In,
// SCSI Response, Task Management Function Response, Login Response, Text
// Response, SCSI Data-In, Logout Response, R2T, Asynchronous Message and
// Reject.
//
// Every vector is laid out from the PDU's figure, one comment per 4-byte row.
// Fields hold distinct non-zero values so that a field read or written at a
// wrong offset, or in the wrong byte order, shows up; every flag bit is set in
// one vector and clear in another. Byte 0 bit 6 is '.' (not defined) in every
// target PDU, so the opcode byte is the bare opcode.
#include <gtest/gtest.h>

#include "wire/pdu.h"
#include "wire/pdu_codec.h"
#include "wire/tests/pdu_vectors_support.h"

namespace iscsi::wire {
namespace {

using vectors::Concat;
using vectors::ExpectOpcodeByteUndefinedBitsIgnored;
using vectors::ExpectReservedBitsIgnored;
using vectors::ExpectVector;
using vectors::TextOf;

// ---------------------------------------------------------------------------
// §10.19 NOP-In (0x20)

// The answer to an initiator's ping: ITT of the NOP-Out, TTT 0xffffffff,
// 6 bytes of ping data echoed, 2 padding bytes.
const Bytes kNopInPingReply = {
    0x20, 0x80, 0x00, 0x00,  //  0: .|.|0x20 | 1|Reserved | Reserved
    0x00, 0x00, 0x00, 0x06,  //  4: TotalAHSLength 0 | DataSegmentLength 6
    0x91, 0x92, 0x93, 0x94,  //  8: LUN
    0x95, 0x96, 0x97, 0x98,  // 12: LUN
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag
    0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
    0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
    0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    0xe0, 0xe1, 0xe2, 0xe3,  // 48: Ping Data
    0xe4, 0xe5, 0x00, 0x00,  // 52: Ping Data | 2 padding bytes
};

NopIn NopInPingReply() {
  NopIn pdu;
  pdu.lun = 0x9192939495969798;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.data = {0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5};
  return pdu;
}

// A target's own ping: ITT 0xffffffff, TTT valid (§10.19.2), no data.
const Bytes kNopInTargetPing = {
    0x20, 0x80, 0x00, 0x00,  //  0: .|.|0x20 | 1|Reserved | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x99, 0x9a, 0x9b, 0x9c,  //  8: LUN
    0x9d, 0x9e, 0x9f, 0xa0,  // 12: LUN
    0xff, 0xff, 0xff, 0xff,  // 16: Initiator Task Tag
    0x5e, 0x6f, 0x70, 0x81,  // 20: Target Transfer Tag
    0x1b, 0x2c, 0x3d, 0x4e,  // 24: StatSN
    0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
    0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

NopIn NopInTargetPing() {
  NopIn pdu;
  pdu.lun = 0x999a9b9c9d9e9fa0;
  pdu.initiator_task_tag = 0xffffffff;
  pdu.target_transfer_tag = 0x5e6f7081;
  pdu.stat_sn = 0x1b2c3d4e;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  return pdu;
}

TEST(PduVectorNopIn, PingReply) {
  ExpectVector(kNopInPingReply, NopInPingReply());
}

TEST(PduVectorNopIn, TargetPing) {
  ExpectVector(kNopInTargetPing, NopInTargetPing());
}

TEST(PduVectorNopIn, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kNopInPingReply, NopInPingReply(),
                            {{1, 1, 0x7f}, {2, 2, 0xff}, {36, 12, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kNopInPingReply, NopInPingReply(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.4 SCSI Response (0x21)

// CHECK CONDITION with sense data: o=1 (bidirectional read residual
// overflow), U=1 (residual underflow); data segment = SenseLength (2 bytes)
// + 18 bytes of fixed-format sense (§10.4.7), 20 bytes, no padding.
const Bytes kScsiResponseCheckCondition = {
    0x21, 0x92, 0x00, 0x02,  //  0: .|.|0x21 | 1|..|o=1 u=0 O=0 U=1|. | Response 0 | Status 2
    0x00, 0x00, 0x00, 0x14,  //  4: TotalAHSLength 0 | DataSegmentLength 20
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0x3c, 0x4d, 0x5e, 0x6f,  // 20: SNACK Tag
    0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
    0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
    0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
    0x7f, 0x8e, 0x9d, 0xac,  // 36: ExpDataSN
    0x13, 0x57, 0x9b, 0xdf,  // 40: Bidirectional Read Residual Count
    0x24, 0x68, 0xac, 0xe0,  // 44: Residual Count
    0x00, 0x12, 0x70, 0x00,  // 48: SenseLength 18 | sense: 0x70, 0
    0x05, 0x00, 0x00, 0x00,  // 52: sense key ILLEGAL REQUEST
    0x00, 0x0a, 0x00, 0x00,  // 56: additional sense length 10
    0x00, 0x00, 0x24, 0x00,  // 60: ASC 0x24 INVALID FIELD IN CDB
    0x00, 0x00, 0x00, 0x00,  // 64: sense
};

ScsiResponse ScsiResponseCheckCondition() {
  ScsiResponse pdu;
  pdu.bidi_read_residual_overflow = true;
  pdu.bidi_read_residual_underflow = false;
  pdu.residual_overflow = false;
  pdu.residual_underflow = true;
  pdu.response = ScsiResponse::CommandCompleted;
  pdu.status = 0x02;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.snack_tag = 0x3c4d5e6f;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.exp_data_sn = 0x7f8e9dac;
  pdu.bidi_read_residual_count = 0x13579bdf;
  pdu.residual_count = 0x2468ace0;
  pdu.data = {0x00, 0x12, 0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a,
              0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00};
  return pdu;
}

// Target failure: u=1 (bidirectional read residual underflow), O=1 (residual
// overflow); no data.
const Bytes kScsiResponseTargetFailure = {
    0x21, 0x8c, 0x01, 0x00,  //  0: .|.|0x21 | 1|..|o=0 u=1 O=1 U=0|. | Response 1 | Status 0
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0x6d, 0x7e, 0x8f, 0x90,  // 16: Initiator Task Tag
    0x00, 0x00, 0x00, 0x00,  // 20: SNACK Tag (none)
    0x1b, 0x2c, 0x3d, 0x4e,  // 24: StatSN
    0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
    0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
    0x0a, 0x1b, 0x2c, 0x3d,  // 36: ExpDataSN
    0x3e, 0x4f, 0x50, 0x61,  // 40: Bidirectional Read Residual Count
    0x72, 0x83, 0x94, 0x05,  // 44: Residual Count
};

ScsiResponse ScsiResponseTargetFailure() {
  ScsiResponse pdu;
  pdu.bidi_read_residual_overflow = false;
  pdu.bidi_read_residual_underflow = true;
  pdu.residual_overflow = true;
  pdu.residual_underflow = false;
  pdu.response = ScsiResponse::TargetFailure;
  pdu.status = 0x00;
  pdu.initiator_task_tag = 0x6d7e8f90;
  pdu.snack_tag = 0;
  pdu.stat_sn = 0x1b2c3d4e;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  pdu.exp_data_sn = 0x0a1b2c3d;
  pdu.bidi_read_residual_count = 0x3e4f5061;
  pdu.residual_count = 0x72839405;
  return pdu;
}

TEST(PduVectorScsiResponse, CheckConditionWithSense) {
  ExpectVector(kScsiResponseCheckCondition, ScsiResponseCheckCondition());
}

TEST(PduVectorScsiResponse, TargetFailure) {
  ExpectVector(kScsiResponseTargetFailure, ScsiResponseTargetFailure());
}

TEST(PduVectorScsiResponse, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kScsiResponseCheckCondition, ScsiResponseCheckCondition(),
                            {{1, 1, 0x61}, {8, 8, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kScsiResponseCheckCondition, ScsiResponseCheckCondition(),
                                       0xc0);
}

// ---------------------------------------------------------------------------
// §10.6 Task Management Function Response (0x22)

const Bytes kTmfResponseNotSupported = {
    0x22, 0x80, 0x05, 0x00,  //  0: .|.|0x22 | 1|Reserved | Response 5 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
    0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
    0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

TaskManagementResponse TmfResponseNotSupported() {
  TaskManagementResponse pdu;
  pdu.response = TaskManagementResponse::FunctionNotSupported;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  return pdu;
}

// Function rejected (255): every bit of the Response byte.
const Bytes kTmfResponseRejected = {
    0x22, 0x80, 0xff, 0x00,  //  0: .|.|0x22 | 1|Reserved | Response 255 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0x2a, 0x3b, 0x4c, 0x5d,  // 16: Initiator Task Tag
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x1b, 0x2c, 0x3d, 0x4e,  // 24: StatSN
    0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
    0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

TaskManagementResponse TmfResponseRejected() {
  TaskManagementResponse pdu;
  pdu.response = TaskManagementResponse::FunctionRejected;
  pdu.initiator_task_tag = 0x2a3b4c5d;
  pdu.stat_sn = 0x1b2c3d4e;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  return pdu;
}

TEST(PduVectorTmfResponse, FunctionNotSupported) {
  ExpectVector(kTmfResponseNotSupported, TmfResponseNotSupported());
}

TEST(PduVectorTmfResponse, FunctionRejected) {
  ExpectVector(kTmfResponseRejected, TmfResponseRejected());
}

TEST(PduVectorTmfResponse, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(
      kTmfResponseNotSupported, TmfResponseNotSupported(),
      {{1, 1, 0x7f}, {3, 1, 0xff}, {8, 8, 0xff}, {20, 4, 0xff}, {36, 12, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kTmfResponseNotSupported, TmfResponseNotSupported(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.13 Login Response (0x23)

// Success, to Full Feature Phase: T=1, C=0, CSG=1, NSG=3; 23 bytes of text,
// one padding byte. ISID T=1, A=0x2a, B=0x7b8c, C=0x9d, D=0xaebf.
const Bytes kLoginResponseToFfp = Concat({
    Bytes{
        0x23, 0x87, 0x2d, 0x1c,  //  0: .|.|0x23 | T=1 C=0 ..|CSG=1|NSG=3 | Version-max | -active
        0x00, 0x00, 0x00, 0x17,  //  4: TotalAHSLength 0 | DataSegmentLength 23
        0x6a, 0x7b, 0x8c, 0x9d,  //  8: ISID T=1 A=0x2a | B | C
        0xae, 0xbf, 0xc0, 0xd1,  // 12: ISID D | TSIH
        0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
        0x00, 0x00, 0x00, 0x00,  // 20: Reserved
        0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
        0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
        0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
        0x00, 0x00, 0x00, 0x00,  // 36: Status-Class 0 | Status-Detail 0 | Reserved
        0x00, 0x00, 0x00, 0x00,  // 40: Reserved
        0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    },
    TextOf("TargetPortalGroupTag=1\0"),  // 48: 23 bytes of text
    Bytes{0x00},                         // 71: 1 padding byte
});

LoginResponse LoginResponseToFfp() {
  LoginResponse pdu;
  pdu.transit = true;
  pdu.continue_ = false;
  pdu.csg = 1;
  pdu.nsg = 3;
  pdu.version_max = 0x2d;
  pdu.version_active = 0x1c;
  pdu.isid = Isid{.t = 1, .a = 0x2a, .b = 0x7b8c, .c = 0x9d, .d = 0xaebf};
  pdu.tsih = 0xc0d1;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.status_class = 0;
  pdu.status_detail = 0;
  pdu.data = TextOf("TargetPortalGroupTag=1\0");
  return pdu;
}

// Text continued: T=0, C=1, CSG=0, NSG=1; 14 bytes of text, two padding
// bytes. ISID T=0, A=0x01, B=0x2233, C=0x44, D=0x5566.
const Bytes kLoginResponseContinued = Concat({
    Bytes{
        0x23, 0x41, 0x3e, 0x2f,  //  0: .|.|0x23 | T=0 C=1 ..|CSG=0|NSG=1 | Version-max | -active
        0x00, 0x00, 0x00, 0x0e,  //  4: TotalAHSLength 0 | DataSegmentLength 14
        0x01, 0x22, 0x33, 0x44,  //  8: ISID T=0 A=0x01 | B | C
        0x55, 0x66, 0x77, 0x88,  // 12: ISID D | TSIH
        0x0e, 0x1f, 0x2a, 0x3b,  // 16: Initiator Task Tag
        0x00, 0x00, 0x00, 0x00,  // 20: Reserved
        0x1b, 0x2c, 0x3d, 0x4e,  // 24: StatSN
        0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
        0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
        0x00, 0x00, 0x00, 0x00,  // 36: Status-Class 0 | Status-Detail 0 | Reserved
        0x00, 0x00, 0x00, 0x00,  // 40: Reserved
        0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    },
    TextOf("TargetAlias=ab"),  // 48: 14 bytes of text (continued)
    Bytes{0x00, 0x00},         // 62: 2 padding bytes
});

LoginResponse LoginResponseContinued() {
  LoginResponse pdu;
  pdu.transit = false;
  pdu.continue_ = true;
  pdu.csg = 0;
  pdu.nsg = 1;
  pdu.version_max = 0x3e;
  pdu.version_active = 0x2f;
  pdu.isid = Isid{.t = 0, .a = 0x01, .b = 0x2233, .c = 0x44, .d = 0x5566};
  pdu.tsih = 0x7788;
  pdu.initiator_task_tag = 0x0e1f2a3b;
  pdu.stat_sn = 0x1b2c3d4e;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  pdu.data = TextOf("TargetAlias=ab");
  return pdu;
}

// Failure: Status-Class 2 (initiator error), Status-Detail 0x0b (invalid
// request during login, §10.13.5); T=0, C=0, CSG=1, NSG=0; ISID T=2, A=0x3f.
const Bytes kLoginResponseRejected = {
    0x23, 0x04, 0x00, 0x00,  //  0: .|.|0x23 | T=0 C=0 ..|CSG=1|NSG=0 | Version-max | -active
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0xbf, 0x10, 0x32, 0x54,  //  8: ISID T=2 A=0x3f | B | C
    0x76, 0x98, 0x00, 0x00,  // 12: ISID D | TSIH 0
    0x2b, 0x3a, 0x49, 0x58,  // 16: Initiator Task Tag
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x67, 0x76, 0x85, 0x94,  // 24: StatSN
    0xa3, 0xb2, 0xc1, 0xd0,  // 28: ExpCmdSN
    0xa3, 0xb2, 0xc1, 0xef,  // 32: MaxCmdSN
    0x02, 0x0b, 0x00, 0x00,  // 36: Status-Class 2 | Status-Detail 0x0b | Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

LoginResponse LoginResponseRejected() {
  LoginResponse pdu;
  pdu.transit = false;
  pdu.continue_ = false;
  pdu.csg = 1;
  pdu.nsg = 0;
  pdu.version_max = 0;
  pdu.version_active = 0;
  pdu.isid = Isid{.t = 2, .a = 0x3f, .b = 0x1032, .c = 0x54, .d = 0x7698};
  pdu.tsih = 0;
  pdu.initiator_task_tag = 0x2b3a4958;
  pdu.stat_sn = 0x67768594;
  pdu.exp_cmd_sn = 0xa3b2c1d0;
  pdu.max_cmd_sn = 0xa3b2c1ef;
  pdu.status_class = 0x02;
  pdu.status_detail = 0x0b;
  return pdu;
}

TEST(PduVectorLoginResponse, SuccessToFullFeature) {
  ExpectVector(kLoginResponseToFfp, LoginResponseToFfp());
}

TEST(PduVectorLoginResponse, TextContinued) {
  ExpectVector(kLoginResponseContinued, LoginResponseContinued());
}

TEST(PduVectorLoginResponse, InitiatorErrorStatus) {
  ExpectVector(kLoginResponseRejected, LoginResponseRejected());
}

TEST(PduVectorLoginResponse, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kLoginResponseToFfp, LoginResponseToFfp(),
                            {{1, 1, 0x30}, {20, 4, 0xff}, {38, 10, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kLoginResponseToFfp, LoginResponseToFfp(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.11 Text Response (0x24)

// Final answer (F=1, C=0, TTT 0xffffffff); 41 bytes of text, 3 padding bytes.
const Bytes kTextResponseFinal = Concat({
    Bytes{
        0x24, 0x80, 0x00, 0x00,  //  0: .|.|0x24 | F=1 C=0 Reserved | Reserved
        0x00, 0x00, 0x00, 0x29,  //  4: TotalAHSLength 0 | DataSegmentLength 41
        0xc1, 0xc2, 0xc3, 0xc4,  //  8: LUN
        0xc5, 0xc6, 0xc7, 0xc8,  // 12: LUN
        0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
        0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag
        0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
        0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
        0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
        0x00, 0x00, 0x00, 0x00,  // 36: Reserved
        0x00, 0x00, 0x00, 0x00,  // 40: Reserved
        0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    },
    TextOf("TargetName=iqn.2001-04.com.example:disk1\0"),  // 48: 41 bytes of text
    Bytes{0x00, 0x00, 0x00},                               // 89: 3 padding bytes
});

TextResponse TextResponseFinal() {
  TextResponse pdu;
  pdu.final = true;
  pdu.continue_ = false;
  pdu.lun = 0xc1c2c3c4c5c6c7c8;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.data = TextOf("TargetName=iqn.2001-04.com.example:disk1\0");
  return pdu;
}

// More to come (F=0, C=1, TTT valid, §10.11.4); 17 bytes, 3 padding bytes.
const Bytes kTextResponseContinued = Concat({
    Bytes{
        0x24, 0x40, 0x00, 0x00,  //  0: .|.|0x24 | F=0 C=1 Reserved | Reserved
        0x00, 0x00, 0x00, 0x11,  //  4: TotalAHSLength 0 | DataSegmentLength 17
        0xc9, 0xca, 0xcb, 0xcc,  //  8: LUN
        0xcd, 0xce, 0xcf, 0xd0,  // 12: LUN
        0x6f, 0x70, 0x81, 0x92,  // 16: Initiator Task Tag
        0x2b, 0x3c, 0x4d, 0x5e,  // 20: Target Transfer Tag
        0x1b, 0x2c, 0x3d, 0x4e,  // 24: StatSN
        0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
        0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
        0x00, 0x00, 0x00, 0x00,  // 36: Reserved
        0x00, 0x00, 0x00, 0x00,  // 40: Reserved
        0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    },
    TextOf("TargetAlias=disk\0"),  // 48: 17 bytes of text
    Bytes{0x00, 0x00, 0x00},       // 65: 3 padding bytes
});

TextResponse TextResponseContinued() {
  TextResponse pdu;
  pdu.final = false;
  pdu.continue_ = true;
  pdu.lun = 0xc9cacbcccdcecfd0;
  pdu.initiator_task_tag = 0x6f708192;
  pdu.target_transfer_tag = 0x2b3c4d5e;
  pdu.stat_sn = 0x1b2c3d4e;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  pdu.data = TextOf("TargetAlias=disk\0");
  return pdu;
}

TEST(PduVectorTextResponse, Final) {
  ExpectVector(kTextResponseFinal, TextResponseFinal());
}

TEST(PduVectorTextResponse, Continued) {
  ExpectVector(kTextResponseContinued, TextResponseContinued());
}

TEST(PduVectorTextResponse, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kTextResponseFinal, TextResponseFinal(),
                            {{1, 1, 0x3f}, {2, 2, 0xff}, {36, 12, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kTextResponseFinal, TextResponseFinal(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.7 SCSI Data-In (0x25)

// Last PDU with status (phase collapse): F=1, A=0, O=0, U=1, S=1, status
// CONDITION MET (0x04; §10.7.3 allows only non-error status here); 9 bytes of
// data, 3 padding bytes.
const Bytes kDataInWithStatus = {
    0x25, 0x83, 0x00, 0x04,  //  0: .|.|0x25 | F=1 A=0 000 O=0 U=1 S=1 | Reserved | Status
    0x00, 0x00, 0x00, 0x09,  //  4: TotalAHSLength 0 | DataSegmentLength 9
    0xa1, 0xa2, 0xa3, 0xa4,  //  8: LUN
    0xa5, 0xa6, 0xa7, 0xa8,  // 12: LUN
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag
    0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
    0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
    0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
    0xc4, 0xd5, 0xe6, 0xf7,  // 36: DataSN
    0x0f, 0x1e, 0x2d, 0x3c,  // 40: Buffer Offset
    0x24, 0x68, 0xac, 0xe0,  // 44: Residual Count
    0xb0, 0xb1, 0xb2, 0xb3,  // 48: data
    0xb4, 0xb5, 0xb6, 0xb7,  // 52: data
    0xb8, 0x00, 0x00, 0x00,  // 56: data | 3 padding bytes
};

ScsiDataIn DataInWithStatus() {
  ScsiDataIn pdu;
  pdu.final = true;
  pdu.acknowledge = false;
  pdu.residual_overflow = false;
  pdu.residual_underflow = true;
  pdu.status_present = true;
  pdu.status = 0x04;
  pdu.lun = 0xa1a2a3a4a5a6a7a8;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.data_sn = 0xc4d5e6f7;
  pdu.buffer_offset = 0x0f1e2d3c;
  pdu.residual_count = 0x2468ace0;
  pdu.data = {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8};
  return pdu;
}

// Acknowledge requested (A=1, with the TTT and LUN the DataACK SNACK will
// carry, §10.7.2), no status: StatSN, Status and Residual Count are then
// reserved and zero; 4 bytes of data, no padding.
const Bytes kDataInAckRequested = {
    0x25, 0x40, 0x00, 0x00,  //  0: .|.|0x25 | F=0 A=1 000 O=0 U=0 S=0 | Reserved | Reserved
    0x00, 0x00, 0x00, 0x04,  //  4: TotalAHSLength 0 | DataSegmentLength 4
    0xa9, 0xaa, 0xab, 0xac,  //  8: LUN
    0xad, 0xae, 0xaf, 0xb0,  // 12: LUN
    0x70, 0x81, 0x92, 0xa3,  // 16: Initiator Task Tag
    0x6c, 0x7d, 0x8e, 0x9f,  // 20: Target Transfer Tag
    0x00, 0x00, 0x00, 0x00,  // 24: StatSN (reserved, S=0)
    0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
    0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
    0x0b, 0x0c, 0x0d, 0x0e,  // 36: DataSN
    0x1f, 0x2e, 0x3d, 0x4c,  // 40: Buffer Offset
    0x00, 0x00, 0x00, 0x00,  // 44: Residual Count (reserved, S=0)
    0xc0, 0xc1, 0xc2, 0xc3,  // 48: data
};

ScsiDataIn DataInAckRequested() {
  ScsiDataIn pdu;
  pdu.final = false;
  pdu.acknowledge = true;
  pdu.residual_overflow = false;
  pdu.residual_underflow = false;
  pdu.status_present = false;
  pdu.status = 0;
  pdu.lun = 0xa9aaabacadaeafb0;
  pdu.initiator_task_tag = 0x708192a3;
  pdu.target_transfer_tag = 0x6c7d8e9f;
  pdu.stat_sn = 0;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  pdu.data_sn = 0x0b0c0d0e;
  pdu.buffer_offset = 0x1f2e3d4c;
  pdu.residual_count = 0;
  pdu.data = {0xc0, 0xc1, 0xc2, 0xc3};
  return pdu;
}

// Last PDU with GOOD status and residual overflow: F=1, O=1, S=1; 2 bytes of
// data, 2 padding bytes.
const Bytes kDataInOverflow = {
    0x25, 0x85, 0x00, 0x00,  //  0: .|.|0x25 | F=1 A=0 000 O=1 U=0 S=1 | Reserved | Status 0
    0x00, 0x00, 0x00, 0x02,  //  4: TotalAHSLength 0 | DataSegmentLength 2
    0x00, 0x00, 0x00, 0x00,  //  8: LUN 0
    0x00, 0x00, 0x00, 0x00,  // 12: LUN 0
    0xb4, 0xc5, 0xd6, 0xe7,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag
    0x2c, 0x3d, 0x4e, 0x5f,  // 24: StatSN
    0x60, 0x71, 0x82, 0x93,  // 28: ExpCmdSN
    0x60, 0x71, 0x82, 0xd3,  // 32: MaxCmdSN
    0x79, 0x8a, 0x9b, 0xac,  // 36: DataSN
    0x0c, 0x0d, 0x0e, 0x0f,  // 40: Buffer Offset
    0x35, 0x46, 0x57, 0x68,  // 44: Residual Count
    0xd0, 0xd1, 0x00, 0x00,  // 48: data | 2 padding bytes
};

ScsiDataIn DataInOverflow() {
  ScsiDataIn pdu;
  pdu.final = true;
  pdu.acknowledge = false;
  pdu.residual_overflow = true;
  pdu.residual_underflow = false;
  pdu.status_present = true;
  pdu.status = 0x00;
  pdu.lun = 0;
  pdu.initiator_task_tag = 0xb4c5d6e7;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.stat_sn = 0x2c3d4e5f;
  pdu.exp_cmd_sn = 0x60718293;
  pdu.max_cmd_sn = 0x607182d3;
  pdu.data_sn = 0x798a9bac;
  pdu.buffer_offset = 0x0c0d0e0f;
  pdu.residual_count = 0x35465768;
  pdu.data = {0xd0, 0xd1};
  return pdu;
}

TEST(PduVectorDataIn, FinalWithStatusUnderflow) {
  ExpectVector(kDataInWithStatus, DataInWithStatus());
}

TEST(PduVectorDataIn, AcknowledgeRequested) {
  ExpectVector(kDataInAckRequested, DataInAckRequested());
}

TEST(PduVectorDataIn, FinalWithStatusOverflow) {
  ExpectVector(kDataInOverflow, DataInOverflow());
}

TEST(PduVectorDataIn, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kDataInWithStatus, DataInWithStatus(), {{1, 1, 0x38}, {2, 1, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kDataInWithStatus, DataInWithStatus(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.15 Logout Response (0x26)

const Bytes kLogoutResponseNoRecovery = {
    0x26, 0x80, 0x02, 0x00,  //  0: .|.|0x26 | 1|Reserved | Response 2 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
    0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
    0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x1f, 0x2e, 0x3d, 0x4c,  // 40: Time2Wait | Time2Retain
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

LogoutResponse LogoutResponseNoRecovery() {
  LogoutResponse pdu;
  pdu.response = LogoutResponse::RecoveryNotSupported;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.time2wait = 0x1f2e;
  pdu.time2retain = 0x3d4c;
  return pdu;
}

const Bytes kLogoutResponseCidNotFound = {
    0x26, 0x80, 0x01, 0x00,  //  0: .|.|0x26 | 1|Reserved | Response 1 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0x4b, 0x5c, 0x6d, 0x7e,  // 16: Initiator Task Tag
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x1b, 0x2c, 0x3d, 0x4e,  // 24: StatSN
    0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
    0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Time2Wait 0 | Time2Retain 0
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

LogoutResponse LogoutResponseCidNotFound() {
  LogoutResponse pdu;
  pdu.response = LogoutResponse::CidNotFound;
  pdu.initiator_task_tag = 0x4b5c6d7e;
  pdu.stat_sn = 0x1b2c3d4e;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  pdu.time2wait = 0;
  pdu.time2retain = 0;
  return pdu;
}

TEST(PduVectorLogoutResponse, RecoveryNotSupported) {
  ExpectVector(kLogoutResponseNoRecovery, LogoutResponseNoRecovery());
}

TEST(PduVectorLogoutResponse, CidNotFound) {
  ExpectVector(kLogoutResponseCidNotFound, LogoutResponseCidNotFound());
}

TEST(PduVectorLogoutResponse, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(
      kLogoutResponseNoRecovery, LogoutResponseNoRecovery(),
      {{1, 1, 0x7f}, {3, 1, 0xff}, {8, 8, 0xff}, {20, 4, 0xff}, {36, 4, 0xff}, {44, 4, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kLogoutResponseNoRecovery, LogoutResponseNoRecovery(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.8 Ready To Transfer (0x31)

const Bytes kR2t = {
    0x31, 0x80, 0x00, 0x00,  //  0: .|.|0x31 | 1|Reserved | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0xb1, 0xb2, 0xb3, 0xb4,  //  8: LUN
    0xb5, 0xb6, 0xb7, 0xb8,  // 12: LUN
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0x6c, 0x7d, 0x8e, 0x9f,  // 20: Target Transfer Tag
    0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
    0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
    0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
    0x5a, 0x6b, 0x7c, 0x8d,  // 36: R2TSN
    0x0f, 0x1e, 0x2d, 0x3c,  // 40: Buffer Offset
    0x01, 0x23, 0x45, 0x67,  // 44: Desired Data Transfer Length
};

ReadyToTransfer R2t() {
  ReadyToTransfer pdu;
  pdu.lun = 0xb1b2b3b4b5b6b7b8;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.target_transfer_tag = 0x6c7d8e9f;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.r2t_sn = 0x5a6b7c8d;
  pdu.buffer_offset = 0x0f1e2d3c;
  pdu.desired_data_transfer_length = 0x01234567;
  return pdu;
}

TEST(PduVectorR2t, AllFields) {
  ExpectVector(kR2t, R2t());
}

TEST(PduVectorR2t, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kR2t, R2t(), {{1, 1, 0x7f}, {2, 2, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kR2t, R2t(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.9 Asynchronous Message (0x32)

// Vendor-specific event (255) with AsyncVCode and all three parameters; data
// = SenseLength 0 + 3 bytes of vendor event data (§10.9.4), 3 padding bytes.
const Bytes kAsyncVendor = {
    0x32, 0x80, 0x00, 0x00,  //  0: .|.|0x32 | 1|Reserved | Reserved
    0x00, 0x00, 0x00, 0x05,  //  4: TotalAHSLength 0 | DataSegmentLength 5
    0xe1, 0xe2, 0xe3, 0xe4,  //  8: LUN
    0xe5, 0xe6, 0xe7, 0xe8,  // 12: LUN
    0xff, 0xff, 0xff, 0xff,  // 16: 0xffffffff
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
    0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
    0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
    0xff, 0x5a, 0x1a, 0x2b,  // 36: AsyncEvent | AsyncVCode | Parameter1
    0x3c, 0x4d, 0x5e, 0x6f,  // 40: Parameter2 | Parameter3
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    0x00, 0x00, 0xc1, 0xc2,  // 48: SenseLength 0 | event data
    0xc3, 0x00, 0x00, 0x00,  // 52: event data | 3 padding bytes
};

AsyncMessage AsyncVendor() {
  AsyncMessage pdu;
  pdu.lun = 0xe1e2e3e4e5e6e7e8;
  pdu.initiator_task_tag = 0xffffffff;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.async_event = AsyncMessage::VendorSpecific;
  pdu.async_vcode = 0x5a;
  pdu.parameter1 = 0x1a2b;
  pdu.parameter2 = 0x3c4d;
  pdu.parameter3 = 0x5e6f;
  pdu.data = {0x00, 0x00, 0xc1, 0xc2, 0xc3};
  return pdu;
}

// Connection dropping (2): Parameter1 = CID, Parameter2 = Time2Wait,
// Parameter3 = Time2Retain (§10.9.1); no data.
const Bytes kAsyncConnectionDropping = {
    0x32, 0x80, 0x00, 0x00,  //  0: .|.|0x32 | 1|Reserved | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: LUN (not used)
    0x00, 0x00, 0x00, 0x00,  // 12: LUN (not used)
    0xff, 0xff, 0xff, 0xff,  // 16: 0xffffffff
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x1b, 0x2c, 0x3d, 0x4e,  // 24: StatSN
    0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
    0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
    0x02, 0x00, 0x7a, 0x8b,  // 36: AsyncEvent 2 | AsyncVCode 0 | Parameter1 (CID)
    0x9c, 0xad, 0xbe, 0xcf,  // 40: Parameter2 (Time2Wait) | Parameter3 (Time2Retain)
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

AsyncMessage AsyncConnectionDropping() {
  AsyncMessage pdu;
  pdu.lun = 0;
  pdu.initiator_task_tag = 0xffffffff;
  pdu.stat_sn = 0x1b2c3d4e;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  pdu.async_event = AsyncMessage::ConnectionDropping;
  pdu.async_vcode = 0;
  pdu.parameter1 = 0x7a8b;
  pdu.parameter2 = 0x9cad;
  pdu.parameter3 = 0xbecf;
  return pdu;
}

TEST(PduVectorAsyncMessage, VendorSpecific) {
  ExpectVector(kAsyncVendor, AsyncVendor());
}

TEST(PduVectorAsyncMessage, ConnectionDropping) {
  ExpectVector(kAsyncConnectionDropping, AsyncConnectionDropping());
}

TEST(PduVectorAsyncMessage, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kAsyncVendor, AsyncVendor(),
                            {{1, 1, 0x7f}, {2, 2, 0xff}, {20, 4, 0xff}, {44, 4, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kAsyncVendor, AsyncVendor(), 0xc0);
}

// ---------------------------------------------------------------------------
// §10.17 Reject (0x3f)

// Invalid PDU field (0x09); the data segment is the complete 48-byte header
// of the rejected PDU (here the SCSI Read (10) of Appendix B.4), no padding.
const Bytes kRejectInvalidField = {
    0x3f, 0x80, 0x09, 0x00,  //  0: .|.|0x3f | 1|Reserved | Reason 0x09 | Reserved
    0x00, 0x00, 0x00, 0x30,  //  4: TotalAHSLength 0 | DataSegmentLength 48
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0xff, 0xff, 0xff, 0xff,  // 16: 0xffffffff
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x0d, 0x1c, 0x2b, 0x3a,  // 24: StatSN
    0x4e, 0x5f, 0x60, 0x71,  // 28: ExpCmdSN
    0x4e, 0x5f, 0x60, 0xa9,  // 32: MaxCmdSN
    0x5a, 0x6b, 0x7c, 0x8d,  // 36: DataSN/R2TSN
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    0x01, 0xc0, 0x00, 0x00,  // 48: header of the bad PDU
    0x00, 0x00, 0x00, 0x00,  // 52
    0x00, 0x00, 0x00, 0x00,  // 56
    0x00, 0x00, 0x00, 0x00,  // 60
    0x14, 0x00, 0x00, 0x00,  // 64
    0x00, 0x00, 0x04, 0x00,  // 68
    0x00, 0x00, 0x00, 0x14,  // 72
    0x00, 0x00, 0x00, 0x18,  // 76
    0x28, 0x00, 0x00, 0x00,  // 80
    0x00, 0x00, 0x00, 0x00,  // 84
    0x02, 0x00, 0x00, 0x00,  // 88
    0x00, 0x00, 0x00, 0x00,  // 92
};

Reject RejectInvalidField() {
  Reject pdu;
  pdu.reason = static_cast<std::uint8_t>(RejectReason::InvalidPduField);
  pdu.initiator_task_tag = 0xffffffff;
  pdu.stat_sn = 0x0d1c2b3a;
  pdu.exp_cmd_sn = 0x4e5f6071;
  pdu.max_cmd_sn = 0x4e5f60a9;
  pdu.data_sn = 0x5a6b7c8d;
  pdu.data = {0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
              0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
              0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
              0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  return pdu;
}

// Immediate command reject (0x06) of an immediate NOP-Out; DataSN/R2TSN 0.
const Bytes kRejectImmediate = {
    0x3f, 0x80, 0x06, 0x00,  //  0: .|.|0x3f | 1|Reserved | Reason 0x06 | Reserved
    0x00, 0x00, 0x00, 0x30,  //  4: TotalAHSLength 0 | DataSegmentLength 48
    0x00, 0x00, 0x00, 0x00,  //  8: Reserved
    0x00, 0x00, 0x00, 0x00,  // 12: Reserved
    0xff, 0xff, 0xff, 0xff,  // 16: 0xffffffff
    0x00, 0x00, 0x00, 0x00,  // 20: Reserved
    0x1b, 0x2c, 0x3d, 0x4e,  // 24: StatSN
    0x5f, 0x60, 0x71, 0x82,  // 28: ExpCmdSN
    0x5f, 0x60, 0x71, 0xc2,  // 32: MaxCmdSN
    0x00, 0x00, 0x00, 0x00,  // 36: DataSN/R2TSN (not used)
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
    0x40, 0x80, 0x00, 0x00,  // 48: header of the bad PDU (NOP-Out, I=1)
    0x00, 0x00, 0x00, 0x00,  // 52
    0x21, 0x22, 0x23, 0x24,  // 56
    0x25, 0x26, 0x27, 0x28,  // 60
    0xff, 0xff, 0xff, 0xff,  // 64
    0xe5, 0xf6, 0x07, 0x18,  // 68
    0x3a, 0x4b, 0x5c, 0x6d,  // 72
    0x7e, 0x8f, 0x9a, 0xab,  // 76
    0x00, 0x00, 0x00, 0x00,  // 80
    0x00, 0x00, 0x00, 0x00,  // 84
    0x00, 0x00, 0x00, 0x00,  // 88
    0x00, 0x00, 0x00, 0x00,  // 92
};

Reject RejectImmediate() {
  Reject pdu;
  pdu.reason = static_cast<std::uint8_t>(RejectReason::ImmediateCommandReject);
  pdu.initiator_task_tag = 0xffffffff;
  pdu.stat_sn = 0x1b2c3d4e;
  pdu.exp_cmd_sn = 0x5f607182;
  pdu.max_cmd_sn = 0x5f6071c2;
  pdu.data_sn = 0;
  pdu.data = {0x40, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x22, 0x23, 0x24,
              0x25, 0x26, 0x27, 0x28, 0xff, 0xff, 0xff, 0xff, 0xe5, 0xf6, 0x07, 0x18,
              0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x9a, 0xab, 0x00, 0x00, 0x00, 0x00,
              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  return pdu;
}

TEST(PduVectorReject, InvalidPduField) {
  ExpectVector(kRejectInvalidField, RejectInvalidField());
}

TEST(PduVectorReject, ImmediateCommandReject) {
  ExpectVector(kRejectImmediate, RejectImmediate());
}

TEST(PduVectorReject, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(
      kRejectInvalidField, RejectInvalidField(),
      {{1, 1, 0x7f}, {3, 1, 0xff}, {8, 8, 0xff}, {20, 4, 0xff}, {40, 8, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kRejectInvalidField, RejectInvalidField(), 0xc0);
}

// ---------------------------------------------------------------------------
// Bits the figures fix at 1 (byte 1 bit 7 of NOP-In, SCSI Response, TMF
// Response, Logout Response, R2T, Asynchronous Message, Reject) are written
// even for a default-constructed PDU, whose other byte 1 bits are all 0.
TEST(PduVectorFixedBits, TargetByteOneHighBit) {
  EXPECT_EQ(encode_bhs(NopIn{})[1], 0x80) << "NOP-In §10.19";
  EXPECT_EQ(encode_bhs(ScsiResponse{})[1], 0x80) << "SCSI Response §10.4";
  EXPECT_EQ(encode_bhs(TaskManagementResponse{})[1], 0x80) << "TMF Response §10.6";
  EXPECT_EQ(encode_bhs(LogoutResponse{})[1], 0x80) << "Logout Response §10.15";
  EXPECT_EQ(encode_bhs(ReadyToTransfer{})[1], 0x80) << "R2T §10.8";
  EXPECT_EQ(encode_bhs(AsyncMessage{})[1], 0x80) << "Asynchronous Message §10.9";
  EXPECT_EQ(encode_bhs(Reject{})[1], 0x80) << "Reject §10.17";
}

// The figures of Asynchronous Message and Reject show 0xffffffff in the ITT
// position; the default structs carry it.
TEST(PduVectorFixedBits, AsyncAndRejectTagIsAllOnes) {
  const auto async = encode_bhs(AsyncMessage{});
  const auto reject = encode_bhs(Reject{});
  for (std::size_t i = 16; i < 20; ++i) {
    EXPECT_EQ(async[i], 0xff) << "Async Message byte " << i;
    EXPECT_EQ(reject[i], 0xff) << "Reject byte " << i;
  }
}

}  // namespace
}  // namespace iscsi::wire
