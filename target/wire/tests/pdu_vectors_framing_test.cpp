// Hand-written vectors for the framing rules shared by all PDUs: data segment
// padding (RFC 3720 §10.1, §10.2.4) and digest placement (§10.2.3), on a
// target PDU (NOP-In) to complement the SCSI Command digest vectors.
#include <gtest/gtest.h>

#include "wire/pdu.h"
#include "wire/pdu_codec.h"
#include "wire/tests/pdu_vectors_support.h"

namespace iscsi::wire {
namespace {

using vectors::Concat;
using vectors::DigestBytes;
using vectors::ExpectVector;
using vectors::ReferenceCrc32c;
using vectors::Slice;

// NOP-In header with DataSegmentLength left 0; each case writes byte 7.
const Bytes kNopInHeader = {
    0x20, 0x80, 0x00, 0x00,  //  0: .|.|0x20 | 1|Reserved | Reserved
    0x00, 0x00, 0x00, 0x00,  //  4: TotalAHSLength 0 | DataSegmentLength (byte 7 per case)
    0xd1, 0xd2, 0xd3, 0xd4,  //  8: LUN
    0xd5, 0xd6, 0xd7, 0xd8,  // 12: LUN
    0x1a, 0x2b, 0x3c, 0x4d,  // 16: Initiator Task Tag
    0xff, 0xff, 0xff, 0xff,  // 20: Target Transfer Tag
    0x5e, 0x6f, 0x70, 0x81,  // 24: StatSN
    0x92, 0xa3, 0xb4, 0xc5,  // 28: ExpCmdSN
    0x92, 0xa3, 0xb4, 0xf5,  // 32: MaxCmdSN
    0x00, 0x00, 0x00, 0x00,  // 36: Reserved
    0x00, 0x00, 0x00, 0x00,  // 40: Reserved
    0x00, 0x00, 0x00, 0x00,  // 44: Reserved
};

NopIn NopInWithData(Bytes data) {
  NopIn pdu;
  pdu.lun = 0xd1d2d3d4d5d6d7d8;
  pdu.initiator_task_tag = 0x1a2b3c4d;
  pdu.target_transfer_tag = 0xffffffff;
  pdu.stat_sn = 0x5e6f7081;
  pdu.exp_cmd_sn = 0x92a3b4c5;
  pdu.max_cmd_sn = 0x92a3b4f5;
  pdu.data = std::move(data);
  return pdu;
}

struct PaddingCase {
  std::uint8_t data_segment_length;  // byte 7: the data length, padding excluded
  Bytes data;
  Bytes segment;  // data followed by its zero padding, as on the wire
};

// §10.1: "All PDU segments and digests are padded to the closest integer
// number of four byte words." DataSegmentLength counts the data only (§10.2.1).
const PaddingCase kPaddingCases[] = {
    {0x01, {0xa1}, {0xa1, 0x00, 0x00, 0x00}},
    {0x02, {0xa1, 0xa2}, {0xa1, 0xa2, 0x00, 0x00}},
    {0x03, {0xa1, 0xa2, 0xa3}, {0xa1, 0xa2, 0xa3, 0x00}},
    {0x04, {0xa1, 0xa2, 0xa3, 0xa4}, {0xa1, 0xa2, 0xa3, 0xa4}},
    {0x05, {0xa1, 0xa2, 0xa3, 0xa4, 0xa5}, {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0x00, 0x00, 0x00}},
    {0x06, {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6}, {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0x00, 0x00}},
    {0x07,
     {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7},
     {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0x00}},
    {0x08,
     {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8},
     {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8}},
};

TEST(PduVectorPadding, DataLengthsOneToEight) {
  for (const PaddingCase& c : kPaddingCases) {
    SCOPED_TRACE(::testing::Message() << "data length " << int{c.data_segment_length});
    Bytes wire = kNopInHeader;
    wire[7] = c.data_segment_length;
    wire.insert(wire.end(), c.segment.begin(), c.segment.end());
    ExpectVector(wire, NopInWithData(c.data));
  }
}

// A DataSegmentLength of 0x010203 (66051) reaches all three bytes of the
// field (bytes 5-7, most significant first) and needs one padding byte.
TEST(PduVectorPadding, ThreeByteDataSegmentLength) {
  Bytes data(0x010203);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 1);
  Bytes wire = kNopInHeader;
  wire[5] = 0x01;
  wire[6] = 0x02;
  wire[7] = 0x03;
  wire.insert(wire.end(), data.begin(), data.end());
  wire.push_back(0x00);
  ASSERT_EQ(wire.size(), 48u + 0x010204u);
  ExpectVector(wire, NopInWithData(data));
}

// BHS | HeaderDigest | data | padding | DataDigest, with the digest bytes in
// the order of Appendix B.4.
TEST(PduVectorDigest, NopInBothDigests) {
  const Bytes header = Concat({Slice(kNopInHeader, 0, 7), Bytes{0x05}, Slice(kNopInHeader, 8, 40)});
  const Bytes segment = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0x00, 0x00, 0x00};
  const Bytes wire = Concat({header, DigestBytes(ReferenceCrc32c(header)), segment,
                             DigestBytes(ReferenceCrc32c(segment))});
  ExpectVector(wire, NopInWithData({0xa1, 0xa2, 0xa3, 0xa4, 0xa5}), {.header = true, .data = true});
}

TEST(PduVectorDigest, NopInHeaderDigestNoData) {
  const Bytes wire = Concat({kNopInHeader, DigestBytes(ReferenceCrc32c(kNopInHeader))});
  ExpectVector(wire, NopInWithData({}), {.header = true, .data = false});
}

}  // namespace
}  // namespace iscsi::wire
