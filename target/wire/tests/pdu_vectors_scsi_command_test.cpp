// Hand-written byte vectors for the SCSI Command PDU (RFC 3720 §10.3), its two
// Additional Header Segments (§10.2.2) and the header and data digests
// (§12.1, Appendix B.4).
//
// Every vector is laid out from the figures, one comment per 4-byte row, with
// distinct non-zero field values; expected digests come from the bitwise
// CRC32C in pdu_vectors_support.h, not from the library.
#include <gtest/gtest.h>

#include "wire/pdu.h"
#include "wire/pdu_codec.h"
#include "wire/tests/pdu_vectors_support.h"

namespace iscsi::wire {
namespace {

using vectors::Concat;
using vectors::DecodeAs;
using vectors::DigestBytes;
using vectors::ExpectAhsEq;
using vectors::ExpectOpcodeByteUndefinedBitsIgnored;
using vectors::ExpectReservedBitsIgnored;
using vectors::ExpectVector;
using vectors::ReferenceCrc32c;
using vectors::SameBytes;
using vectors::Slice;

// READ with a 16-byte CDB: F=1, R=1, W=0, ATTR=Simple (1), no AHS, no data.
const Bytes kCmdRead = {
    0x01, 0xc1, 0x00, 0x00,  //  0: .|I=0|0x01 | F=1 R=1 W=0 ..|ATTR=1 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x31, 0x32, 0x33, 0x34,  //  8: LUN
    0x35, 0x36, 0x37, 0x38,  // 12: LUN
    0xa1, 0xb2, 0xc3, 0xd4,  // 16: Initiator Task Tag
    0x0b, 0xad, 0xf0, 0x0d,  // 20: Expected Data Transfer Length
    0x11, 0x22, 0x33, 0x44,  // 24: CmdSN
    0x55, 0x66, 0x77, 0x88,  // 28: ExpStatSN
    0x28, 0xe1, 0xe2, 0xe3,  // 32: CDB bytes 0-3
    0xe4, 0xe5, 0xe6, 0xe7,  // 36: CDB bytes 4-7
    0xe8, 0xe9, 0xea, 0xeb,  // 40: CDB bytes 8-11
    0xec, 0xed, 0xee, 0xef,  // 44: CDB bytes 12-15
};

ScsiCommand CmdRead() {
  ScsiCommand pdu;
  pdu.immediate = false;
  pdu.final = true;
  pdu.read = true;
  pdu.write = false;
  pdu.attr = ScsiCommand::Simple;
  pdu.lun = 0x3132333435363738;
  pdu.initiator_task_tag = 0xa1b2c3d4;
  pdu.expected_data_transfer_length = 0x0badf00d;
  pdu.cmd_sn = 0x11223344;
  pdu.exp_stat_sn = 0x55667788;
  pdu.cdb = {0x28, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7,
             0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef};
  return pdu;
}

// Immediate WRITE with 6 bytes of immediate data and more unsolicited data to
// follow: I=1, F=0, R=0, W=1, ATTR=Head of Queue (3); two padding bytes.
const Bytes kCmdWriteImmediate = {
    0x41, 0x23, 0x00, 0x00,  //  0: .|I=1|0x01 | F=0 R=0 W=1 ..|ATTR=3 | Reserved
    0x00, 0x00, 0x00, 0x06,  //  4: TotalAHSLength 0 | DataSegmentLength 6
    0x39, 0x3a, 0x3b, 0x3c,  //  8: LUN
    0x3d, 0x3e, 0x3f, 0x40,  // 12: LUN
    0x5d, 0x6e, 0x7f, 0x80,  // 16: Initiator Task Tag
    0x0c, 0x0f, 0xfe, 0xe0,  // 20: Expected Data Transfer Length
    0x9a, 0x8b, 0x7c, 0x6d,  // 24: CmdSN
    0x1f, 0x2e, 0x3d, 0x4c,  // 28: ExpStatSN
    0x2a, 0xf1, 0xf2, 0xf3,  // 32: CDB bytes 0-3
    0xf4, 0xf5, 0xf6, 0xf7,  // 36: CDB bytes 4-7
    0xf8, 0xf9, 0xfa, 0xfb,  // 40: CDB bytes 8-11
    0xfc, 0xfd, 0xfe, 0xff,  // 44: CDB bytes 12-15
    0xd0, 0xd1, 0xd2, 0xd3,  // 48: immediate data
    0xd4, 0xd5, 0x00, 0x00,  // 52: immediate data | 2 padding bytes
};

ScsiCommand CmdWriteImmediate() {
  ScsiCommand pdu;
  pdu.immediate = true;
  pdu.final = false;
  pdu.read = false;
  pdu.write = true;
  pdu.attr = ScsiCommand::HeadOfQueue;
  pdu.lun = 0x393a3b3c3d3e3f40;
  pdu.initiator_task_tag = 0x5d6e7f80;
  pdu.expected_data_transfer_length = 0x0c0ffee0;
  pdu.cmd_sn = 0x9a8b7c6d;
  pdu.exp_stat_sn = 0x1f2e3d4c;
  pdu.cdb = {0x2a, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
             0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff};
  pdu.data = {0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5};
  return pdu;
}

// Bidirectional command with a 32-byte variable-length CDB (opcode 0x7f,
// additional CDB length 0x18): F=1, R=1, W=1, ATTR=ACA (4). Two AHS (§10.2.2):
//   Extended CDB (§10.2.2.3): AHSLength = CDBLength - 15 = 17 (the reserved
//     byte and CDB bytes 16-31), AHSType 1; 20 bytes, no padding needed.
//   Bidirectional Read Expected Data Transfer Length (§10.2.2.4):
//     AHSLength 5, AHSType 2; 8 bytes.
// TotalAHSLength counts 4-byte words: 28 / 4 = 7. Then 7 bytes of immediate
// data and one padding byte.
const Bytes kCmdBidiLongCdb = {
    0x01, 0xe4, 0x00, 0x00,  //  0: .|I=0|0x01 | F=1 R=1 W=1 ..|ATTR=4 | Reserved
    0x07, 0x00, 0x00, 0x07,  //  4: TotalAHSLength 7 | DataSegmentLength 7
    0x41, 0x42, 0x43, 0x44,  //  8: LUN
    0x45, 0x46, 0x47, 0x48,  // 12: LUN
    0x6a, 0x7b, 0x8c, 0x9d,  // 16: Initiator Task Tag
    0x00, 0xfa, 0x0b, 0x1c,  // 20: Expected Data Transfer Length
    0x2e, 0x3f, 0x40, 0x51,  // 24: CmdSN
    0x62, 0x73, 0x84, 0x95,  // 28: ExpStatSN
    0x7f, 0x51, 0x52, 0x53,  // 32: CDB bytes 0-3
    0x54, 0x55, 0x56, 0x18,  // 36: CDB bytes 4-7
    0x58, 0x59, 0x5a, 0x5b,  // 40: CDB bytes 8-11
    0x5c, 0x5d, 0x5e, 0x5f,  // 44: CDB bytes 12-15
    0x00, 0x11, 0x01, 0x00,  // 48: AHSLength 17 | AHSType 1 | Reserved
    0x60, 0x61, 0x62, 0x63,  // 52: ExtendedCDB: CDB bytes 16-19
    0x64, 0x65, 0x66, 0x67,  // 56: CDB bytes 20-23
    0x68, 0x69, 0x6a, 0x6b,  // 60: CDB bytes 24-27
    0x6c, 0x6d, 0x6e, 0x6f,  // 64: CDB bytes 28-31
    0x00, 0x05, 0x02, 0x00,  // 68: AHSLength 5 | AHSType 2 | Reserved
    0x00, 0x0b, 0x1c, 0x2d,  // 72: Bidirectional Read Expected Data Transfer Length
    0x70, 0x71, 0x72, 0x73,  // 76: immediate data
    0x74, 0x75, 0x76, 0x00,  // 80: immediate data | 1 padding byte
};
constexpr std::size_t kCmdBidiHeaderLength = 76;  // BHS + AHS

const Bytes kExtendedCdbBytes = {0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
                                 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f};

ScsiCommand CmdBidiLongCdb() {
  ScsiCommand pdu;
  pdu.immediate = false;
  pdu.final = true;
  pdu.read = true;
  pdu.write = true;
  pdu.attr = ScsiCommand::Aca;
  pdu.lun = 0x4142434445464748;
  pdu.initiator_task_tag = 0x6a7b8c9d;
  pdu.expected_data_transfer_length = 0x00fa0b1c;
  pdu.cmd_sn = 0x2e3f4051;
  pdu.exp_stat_sn = 0x62738495;
  pdu.cdb = {0x7f, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x18,
             0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f};
  // AHS-Specific is AHSLength bytes: the reserved byte, then the payload.
  pdu.ahs = {
      Ahs{.type = 1, .specific = Concat({Bytes{0x00}, kExtendedCdbBytes})},
      Ahs{.type = 2, .specific = {0x00, 0x00, 0x0b, 0x1c, 0x2d}},
  };
  pdu.data = {0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76};
  return pdu;
}

// An 18-byte CDB: the Extended CDB AHS is AHSLength 3 (reserved byte + CDB
// bytes 16-17) and needs 2 padding bytes (§10.2.2: "The AHS is padded to the
// smallest integer number of 4 byte words"); TotalAHSLength 2. SCSI's own
// CDBs longer than 16 bytes are multiples of 4, so this length exists only to
// pin the AHS padding rule.
const Bytes kCmdCdb18 = {
    0x01, 0x81, 0x00, 0x00,  //  0: .|I=0|0x01 | F=1 R=0 W=0 ..|ATTR=1 | Reserved
    0x02, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 2 | DataSegmentLength 0
    0xc9, 0xca, 0xcb, 0xcc,  //  8: LUN
    0xcd, 0xce, 0xcf, 0xd0,  // 12: LUN
    0x7b, 0x8c, 0x9d, 0xaf,  // 16: Initiator Task Tag
    0x00, 0x00, 0x00, 0x00,  // 20: Expected Data Transfer Length
    0x3c, 0x4d, 0x5e, 0x6f,  // 24: CmdSN
    0x70, 0x81, 0x92, 0xa3,  // 28: ExpStatSN
    0xb0, 0xb1, 0xb2, 0xb3,  // 32: CDB bytes 0-3
    0xb4, 0xb5, 0xb6, 0xb7,  // 36: CDB bytes 4-7
    0xb8, 0xb9, 0xba, 0xbb,  // 40: CDB bytes 8-11
    0xbc, 0xbd, 0xbe, 0xbf,  // 44: CDB bytes 12-15
    0x00, 0x03, 0x01, 0x00,  // 48: AHSLength 3 | AHSType 1 | Reserved
    0xc0, 0xc1, 0x00, 0x00,  // 52: CDB bytes 16-17 | 2 padding bytes
};

ScsiCommand CmdCdb18() {
  ScsiCommand pdu;
  pdu.immediate = false;
  pdu.final = true;
  pdu.read = false;
  pdu.write = false;
  pdu.attr = ScsiCommand::Simple;
  pdu.lun = 0xc9cacbcccdcecfd0;
  pdu.initiator_task_tag = 0x7b8c9daf;
  pdu.expected_data_transfer_length = 0;
  pdu.cmd_sn = 0x3c4d5e6f;
  pdu.exp_stat_sn = 0x708192a3;
  pdu.cdb = {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
             0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf};
  pdu.ahs = {Ahs{.type = 1, .specific = {0x00, 0xc0, 0xc1}}};
  return pdu;
}

TEST(PduVectorScsiCommand, ReadSimple) {
  ExpectVector(kCmdRead, CmdRead());
}

TEST(PduVectorScsiCommand, ImmediateWriteWithImmediateData) {
  ExpectVector(kCmdWriteImmediate, CmdWriteImmediate());
}

TEST(PduVectorScsiCommand, BidirectionalWithExtendedCdbAndBidiAhs) {
  ExpectVector(kCmdBidiLongCdb, CmdBidiLongCdb());
}

TEST(PduVectorScsiCommand, ExtendedCdbAhsPadded) {
  ExpectVector(kCmdCdb18, CmdCdb18());
}

// §10.3.1: ATTR is byte 1 bits 5-7 (RFC numbering), mask 0x07; the values of
// the other vectors set bits 0x01, 0x02 and 0x04 in turn.
TEST(PduVectorScsiCommand, TaskAttributeValues) {
  ScsiCommand pdu = CmdRead();
  const std::uint8_t base = 0xc0;  // F=1, R=1
  for (std::uint8_t attr : {0, 1, 2, 3, 4}) {
    pdu.attr = attr;
    const auto bhs = encode_bhs(pdu);
    EXPECT_EQ(bhs[1], base | attr) << "ATTR " << int{attr};
    const Bytes wire(bhs.begin(), bhs.end());
    if (auto got = DecodeAs<ScsiCommand>(wire)) {
      EXPECT_EQ(got->attr, attr);
    }
  }
}

TEST(PduVectorScsiCommand, FullCdbAndBidiLength) {
  const Bytes short_cdb = {0x28, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7,
                           0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef};
  EXPECT_TRUE(SameBytes(full_cdb(CmdRead()), short_cdb));
  EXPECT_FALSE(bidi_read_expected_length(CmdRead()).has_value());

  // §10.2.2.3: the Extended CDB AHS holds the CDB bytes beyond the first 16.
  const Bytes long_cdb = {0x7f, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x18, 0x58, 0x59, 0x5a,
                          0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65,
                          0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f};
  if (auto decoded = DecodeAs<ScsiCommand>(kCmdBidiLongCdb)) {
    EXPECT_TRUE(SameBytes(full_cdb(*decoded), long_cdb));
    EXPECT_EQ(bidi_read_expected_length(*decoded), std::optional<std::uint32_t>{0x000b1c2d});
  }

  const Bytes cdb18 = {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8,
                       0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1};
  if (auto decoded = DecodeAs<ScsiCommand>(kCmdCdb18)) {
    EXPECT_TRUE(SameBytes(full_cdb(*decoded), cdb18));
    EXPECT_FALSE(bidi_read_expected_length(*decoded).has_value());
  }
}

TEST(PduVectorScsiCommand, AhsHelpersMatchTheFigures) {
  const Ahs extended = make_extended_cdb_ahs(kExtendedCdbBytes);
  EXPECT_EQ(extended.type, 1);
  EXPECT_TRUE(SameBytes(extended.specific, Concat({Bytes{0x00}, kExtendedCdbBytes})));
  const Ahs bidi = make_bidi_read_length_ahs(0x000b1c2d);
  EXPECT_EQ(bidi.type, 2);
  EXPECT_TRUE(SameBytes(bidi.specific, Bytes{0x00, 0x00, 0x0b, 0x1c, 0x2d}));
}

TEST(PduVectorScsiCommand, DecodeAhsArea) {
  auto both = decode_ahs(Slice(kCmdBidiLongCdb, 48, 28));
  ASSERT_TRUE(both.ok()) << both.error().detail;
  ExpectAhsEq(*both, CmdBidiLongCdb().ahs);

  auto padded = decode_ahs(Slice(kCmdCdb18, 48, 8));
  ASSERT_TRUE(padded.ok()) << padded.error().detail;
  ExpectAhsEq(*padded, CmdCdb18().ahs);
}

TEST(PduVectorScsiCommand, ReservedBitsIgnored) {
  ExpectReservedBitsIgnored(kCmdRead, CmdRead(), {{1, 1, 0x18}, {2, 2, 0xff}});
  ExpectOpcodeByteUndefinedBitsIgnored(kCmdRead, CmdRead(), 0x80);
}

// ---------------------------------------------------------------------------
// Digests (§12.1 HeaderDigest/DataDigest = CRC32C). §10.2.3: "The digests,
// if present, are located, respectively, after the header and PDU-specific
// data, and cover respectively the header and the PDU data, each including the
// padding bytes, if any." The header is BHS + AHS (§10.2).

// The CRC32C examples of RFC 3720 Appendix B.4, which also fix the order of
// the digest bytes on the wire.
TEST(PduVectorDigest, ReferenceCrcMatchesAppendixB4) {
  Bytes zeros(32, 0x00);
  Bytes ones(32, 0xff);
  Bytes incrementing(32);
  Bytes decrementing(32);
  for (std::size_t i = 0; i < 32; ++i) {
    incrementing[i] = static_cast<std::uint8_t>(i);
    decrementing[i] = static_cast<std::uint8_t>(31 - i);
  }
  EXPECT_TRUE(SameBytes(DigestBytes(ReferenceCrc32c(zeros)), Bytes{0xaa, 0x36, 0x91, 0x8a}));
  EXPECT_TRUE(SameBytes(DigestBytes(ReferenceCrc32c(ones)), Bytes{0x43, 0xab, 0xa8, 0x62}));
  EXPECT_TRUE(SameBytes(DigestBytes(ReferenceCrc32c(incrementing)), Bytes{0x4e, 0x79, 0xdd, 0x46}));
  EXPECT_TRUE(SameBytes(DigestBytes(ReferenceCrc32c(decrementing)), Bytes{0x5c, 0xdb, 0x3f, 0x11}));
}

// Appendix B.4 "An iSCSI - SCSI Read (10) Command PDU" and its CRC.
const Bytes kRfcRead10 = {
    0x01, 0xc0, 0x00, 0x00,  //  0: .|I=0|0x01 | F=1 R=1 W=0 ..|ATTR=0 | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength 0
    0x00, 0x00, 0x00, 0x00,  //  8: LUN 0
    0x00, 0x00, 0x00, 0x00,  // 12: LUN 0
    0x14, 0x00, 0x00, 0x00,  // 16: Initiator Task Tag 0x14000000
    0x00, 0x00, 0x04, 0x00,  // 20: Expected Data Transfer Length 1024
    0x00, 0x00, 0x00, 0x14,  // 24: CmdSN 0x14
    0x00, 0x00, 0x00, 0x18,  // 28: ExpStatSN 0x18
    0x28, 0x00, 0x00, 0x00,  // 32: CDB READ(10), LBA 0
    0x00, 0x00, 0x00, 0x00,  // 36: CDB
    0x02, 0x00, 0x00, 0x00,  // 40: CDB transfer length 2 blocks
    0x00, 0x00, 0x00, 0x00,  // 44: CDB
};
const Bytes kRfcRead10Crc = {0x56, 0x3a, 0x96, 0xd9};

ScsiCommand RfcRead10() {
  ScsiCommand pdu;
  pdu.immediate = false;
  pdu.final = true;
  pdu.read = true;
  pdu.write = false;
  pdu.attr = ScsiCommand::Untagged;
  pdu.lun = 0;
  pdu.initiator_task_tag = 0x14000000;
  pdu.expected_data_transfer_length = 0x400;
  pdu.cmd_sn = 0x14;
  pdu.exp_stat_sn = 0x18;
  pdu.cdb = {0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0};
  return pdu;
}

TEST(PduVectorDigest, AppendixB4Read10HeaderDigest) {
  ASSERT_TRUE(SameBytes(DigestBytes(ReferenceCrc32c(kRfcRead10)), kRfcRead10Crc));
  ExpectVector(kRfcRead10, RfcRead10());
  ExpectVector(Concat({kRfcRead10, kRfcRead10Crc}), RfcRead10(), {.header = true, .data = false});
}

// The bidirectional command with both AHS and padded data:
// BHS | AHS | HeaderDigest | data | padding | DataDigest.
TEST(PduVectorDigest, HeaderAndDataDigestWithAhsAndPadding) {
  const ByteView header = Slice(kCmdBidiLongCdb, 0, kCmdBidiHeaderLength);
  const ByteView padded_data = Slice(kCmdBidiLongCdb, kCmdBidiHeaderLength, 8);
  const Bytes wire = Concat({header, DigestBytes(ReferenceCrc32c(header)), padded_data,
                             DigestBytes(ReferenceCrc32c(padded_data))});
  ASSERT_EQ(wire.size(), 48u + 28u + 4u + 8u + 4u);
  ExpectVector(wire, CmdBidiLongCdb(), {.header = true, .data = true});
}

TEST(PduVectorDigest, HeaderDigestOnly) {
  const ByteView header = Slice(kCmdBidiLongCdb, 0, kCmdBidiHeaderLength);
  const ByteView padded_data = Slice(kCmdBidiLongCdb, kCmdBidiHeaderLength, 8);
  const Bytes wire = Concat({header, DigestBytes(ReferenceCrc32c(header)), padded_data});
  ExpectVector(wire, CmdBidiLongCdb(), {.header = true, .data = false});
}

TEST(PduVectorDigest, DataDigestOnly) {
  const ByteView padded_data = Slice(kCmdBidiLongCdb, kCmdBidiHeaderLength, 8);
  const Bytes wire = Concat({kCmdBidiLongCdb, DigestBytes(ReferenceCrc32c(padded_data))});
  ExpectVector(wire, CmdBidiLongCdb(), {.header = false, .data = true});
}

// Immediate data of 6 bytes: the data digest covers the 2 padding bytes too.
TEST(PduVectorDigest, DataDigestCoversPadding) {
  const ByteView header = Slice(kCmdWriteImmediate, 0, kBhsLength);
  const ByteView padded_data = Slice(kCmdWriteImmediate, kBhsLength, 8);
  const Bytes wire = Concat({header, DigestBytes(ReferenceCrc32c(header)), padded_data,
                             DigestBytes(ReferenceCrc32c(padded_data))});
  ExpectVector(wire, CmdWriteImmediate(), {.header = true, .data = true});
}

TEST(PduVectorDigest, MismatchesAreReported) {
  const ByteView header = Slice(kCmdBidiLongCdb, 0, kCmdBidiHeaderLength);
  const ByteView padded_data = Slice(kCmdBidiLongCdb, kCmdBidiHeaderLength, 8);
  const Bytes good = Concat({header, DigestBytes(ReferenceCrc32c(header)), padded_data,
                             DigestBytes(ReferenceCrc32c(padded_data))});
  const DigestSettings both{.header = true, .data = true};

  Bytes bad_header_digest = good;
  bad_header_digest[kCmdBidiHeaderLength] ^= 0x01;
  auto r1 = decode(bad_header_digest, both);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, DecodeErrc::HeaderDigestMismatch);

  Bytes bad_data_digest = good;
  bad_data_digest.back() ^= 0x80;
  auto r2 = decode(bad_data_digest, both);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, DecodeErrc::DataDigestMismatch);

  // A flipped AHS byte is covered by the header digest.
  Bytes bad_ahs = good;
  bad_ahs[60] ^= 0x10;
  auto r3 = decode(bad_ahs, both);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, DecodeErrc::HeaderDigestMismatch);

  // A flipped padding byte is covered by the data digest.
  Bytes bad_padding = good;
  bad_padding[kCmdBidiHeaderLength + 4 + 7] ^= 0x01;
  auto r4 = decode(bad_padding, both);
  ASSERT_FALSE(r4.ok());
  EXPECT_EQ(r4.error().code, DecodeErrc::DataDigestMismatch);
}

}  // namespace
}  // namespace iscsi::wire
