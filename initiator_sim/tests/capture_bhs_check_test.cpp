#include <gtest/gtest.h>

#include "capture/bhs_check.h"
#include "tests/capture_test_support.h"
#include "wire/pdu_codec.h"

namespace iscsi::capture {
namespace {

using wire::Sender;

wire::Bytes header_of(const wire::Pdu& pdu) {
  wire::Bytes b = wire::encode(pdu);
  b.resize(wire::kBhsLength);
  return b;
}

TEST(BhsCheck, RealHeadersArePlausibleForTheirSender) {
  const wire::Bytes login = header_of(test::login_request(test::keys({"InitiatorName=iqn.x"})));
  EXPECT_EQ(check_header(login, Sender::Initiator, 8192), HeaderFault::None);
  EXPECT_EQ(check_header(login, std::nullopt, 8192), HeaderFault::None);
  EXPECT_EQ(check_header(login, Sender::Target, 8192), HeaderFault::OtherSide);
  const wire::Bytes nop_in = header_of(test::nop_in(5, 16));
  EXPECT_EQ(check_header(nop_in, Sender::Target, 8192), HeaderFault::None);
  wire::ReadyToTransfer r2t;
  r2t.desired_data_transfer_length = 65536;
  EXPECT_EQ(check_header(header_of(r2t), Sender::Target, 8192), HeaderFault::None);
}

TEST(BhsCheck, ByteZeroBitSevenAndUndefinedOpcodes) {
  wire::Bytes h = header_of(test::nop_out(1));
  h[0] |= 0x80;
  EXPECT_EQ(check_header(h, std::nullopt, 8192), HeaderFault::Bit7Set);
  h[0] = 0x07;  // reserved initiator opcode (§10.2.1.2)
  EXPECT_EQ(check_header(h, std::nullopt, 8192), HeaderFault::UndefinedOpcode);
  h[0] = 0x1c;  // vendor-specific
  EXPECT_EQ(check_header(h, std::nullopt, 8192), HeaderFault::UndefinedOpcode);
}

TEST(BhsCheck, ReservedAndFixedBits) {
  wire::Bytes h = header_of(test::nop_out(1));
  h[2] = 0x01;  // bytes 2-3 of a NOP-Out are reserved (§10.18)
  EXPECT_EQ(check_header(h, Sender::Initiator, 8192), HeaderFault::ReservedBits);
  h = header_of(test::nop_out(1));
  h[1] = 0x00;  // byte 1 bit 7 is fixed at 1 in the NOP-Out figure
  EXPECT_EQ(check_header(h, Sender::Initiator, 8192), HeaderFault::FixedBitsClear);
}

TEST(BhsCheck, LooseCheckIgnoresSenderAndFormatBits) {
  wire::Bytes h = header_of(test::nop_out(1));
  h[2] = 0x01;
  h[1] = 0x00;
  EXPECT_EQ(check_header(h, Sender::Target, 8192, true), HeaderFault::None);
  h[4] = 1;  // lengths are still checked
  EXPECT_EQ(check_header(h, Sender::Target, 8192, true), HeaderFault::Ahs);
  h = header_of(test::nop_in(1, 9000));
  EXPECT_EQ(check_header(h, Sender::Target, 8192, true), HeaderFault::DataTooLong);
}

TEST(BhsCheck, AhsOnlyOnScsiCommands) {
  wire::Bytes h = header_of(test::nop_out(1));
  h[4] = 1;
  EXPECT_EQ(check_header(h, Sender::Initiator, 8192), HeaderFault::Ahs);
  wire::ScsiCommand cmd;
  cmd.ahs.push_back(wire::make_bidi_read_length_ahs(4096));
  EXPECT_EQ(check_header(header_of(cmd), Sender::Initiator, 8192), HeaderFault::None);
}

TEST(BhsCheck, DataSegmentLimits) {
  EXPECT_EQ(check_header(header_of(test::nop_in(1, 9000)), Sender::Target, 8192),
            HeaderFault::DataTooLong);
  EXPECT_EQ(check_header(header_of(test::nop_in(1, 8192)), Sender::Target, 8192),
            HeaderFault::None);
  wire::Bytes r2t = header_of(wire::ReadyToTransfer{});
  wire::store_be24(r2t.data() + 5, 4);
  EXPECT_EQ(check_header(r2t, Sender::Target, 8192), HeaderFault::UnexpectedData);
  wire::Reject reject;
  reject.data = wire::Bytes(20, 0);  // §10.17: the data segment is the rejected 48-byte header
  EXPECT_EQ(check_header(header_of(reject), Sender::Target, 8192), HeaderFault::ShortReject);
}

TEST(BhsCheck, ShortInput) {
  EXPECT_EQ(check_header(wire::Bytes(47, 0), std::nullopt, 8192), HeaderFault::ShortHeader);
  EXPECT_FALSE(header_fault_text(HeaderFault::ReservedBits).empty());
}

TEST(BhsCheck, WireLength) {
  // 48-byte header, 8 bytes of AHS (TotalAHSLength 2), 5 data bytes padded
  // to 8 (§10.1), and 4 bytes for each digest in use.
  wire::Bytes h(48, 0);
  h[4] = 2;
  wire::store_be24(h.data() + 5, 5);
  EXPECT_EQ(pdu_wire_length(h, false, false), 48u + 8 + 8);
  EXPECT_EQ(pdu_wire_length(h, true, true), 48u + 8 + 4 + 8 + 4);
  wire::store_be24(h.data() + 5, 0);
  EXPECT_EQ(pdu_wire_length(h, true, true), 48u + 8 + 4);  // no data segment, no data digest
}

}  // namespace
}  // namespace iscsi::capture
