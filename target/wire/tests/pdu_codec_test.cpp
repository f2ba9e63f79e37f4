// Behaviour of the codec beyond the byte vectors of pdu_vectors*_test.cpp:
// lengths, padding, AHS parsing errors, digests, opcode classes, reserved bits.
#include "wire/pdu_codec.h"

#include <gtest/gtest.h>

#include "wire/crc32c.h"

namespace iscsi::wire {
namespace {

Bytes bhs_with(std::uint8_t opcode, std::uint8_t total_ahs_words, std::uint32_t data_length) {
  Bytes b(kBhsLength, 0);
  b[0] = opcode;
  b[4] = total_ahs_words;
  store_be24(b.data() + 5, data_length);
  return b;
}

TEST(PduCodec, EncodedSizeMatchesEncodeForEveryPaddingAndDigestCombination) {
  for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 511u, 512u}) {
    for (bool hd : {false, true}) {
      for (bool dd : {false, true}) {
        NopOut nop;
        nop.data.assign(n, 0x33);
        const DigestSettings d{hd, dd};
        const Bytes wire = encode(Pdu(nop), d);
        EXPECT_EQ(wire.size(), encoded_size(Pdu(nop), d));
        // §10.1 padding to 4 bytes; the data digest exists only with data.
        const std::size_t expect = 48 + (hd ? 4 : 0) + (n ? n + pad_length(n) + (dd ? 4 : 0) : 0);
        EXPECT_EQ(wire.size(), expect) << n << hd << dd;
        EXPECT_EQ(load_be24(wire.data() + 5), n);
        auto back = decode(wire, d);
        ASSERT_TRUE(back.ok()) << back.error().detail;
        EXPECT_EQ(std::get<NopOut>(*back), nop);
      }
    }
  }
}

TEST(PduCodec, ExtendedCdbAndBidiAhsRoundTrip) {
  ScsiCommand cmd;
  cmd.read = cmd.write = true;
  Bytes cdb(32);
  for (std::size_t i = 0; i < cdb.size(); ++i) cdb[i] = static_cast<std::uint8_t>(0x80 + i);
  std::copy(cdb.begin(), cdb.begin() + 16, cmd.cdb.begin());
  cmd.ahs.push_back(make_extended_cdb_ahs(ByteView(cdb).subspan(16)));
  cmd.ahs.push_back(make_bidi_read_length_ahs(0x00010000));
  const Bytes wire = encode(Pdu(cmd));
  // 17 bytes of extended CDB AHS + 3 header bytes = 20; 5 + 3 = 8: 28 bytes, 7 words.
  EXPECT_EQ(wire[4], 7);
  EXPECT_EQ(wire.size(), 48u + 28u);
  auto back = decode(wire);
  ASSERT_TRUE(back.ok());
  const auto& got = std::get<ScsiCommand>(*back);
  EXPECT_EQ(got, cmd);
  EXPECT_EQ(full_cdb(got), cdb);
  EXPECT_EQ(bidi_read_expected_length(got), 0x00010000u);
}

TEST(PduCodec, AhsThatOverrunsTotalAhsLengthIsAFormatError) {
  Bytes wire = bhs_with(0x01, 1, 0);
  wire.insert(wire.end(), {0x00, 0x05, 0x02, 0x00});  // claims 5 bytes, area has 1
  auto r = decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DecodeErrc::AhsMalformed);
  // §6.6: inconsistent field contents end the connection.
  EXPECT_EQ(r.error().reaction, Reaction::DropConnection);
}

TEST(PduCodec, BidiAhsWithWrongLengthIsRefused) {
  Bytes wire = bhs_with(0x01, 2, 0);
  wire.insert(wire.end(), {0x00, 0x04, 0x02, 0x00, 0, 0, 0, 1});
  auto r = decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DecodeErrc::AhsMalformed);
}

TEST(PduCodec, ReservedAhsTypeIsAProtocolErrorReject) {
  Bytes wire = bhs_with(0x01, 1, 0);
  wire.insert(wire.end(), {0x00, 0x01, 0x03, 0x00});
  auto r = decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reaction, Reaction::Reject);
  EXPECT_EQ(r.error().reject_reason, RejectReason::ProtocolError);
}

TEST(PduCodec, VendorSpecificAndReservedOpcodes) {
  for (std::uint8_t op : {0x1c, 0x1d, 0x1e, 0x3c, 0x3d, 0x3e}) {
    auto r = decode(bhs_with(op, 0, 0));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, DecodeErrc::VendorOpcode);
    EXPECT_EQ(r.error().reject_reason, RejectReason::CommandNotSupported);
  }
  for (std::uint8_t op : {0x07, 0x0f, 0x11, 0x1b, 0x1f, 0x27, 0x30, 0x33, 0x3b}) {
    auto r = decode(bhs_with(op, 0, 0));
    ASSERT_FALSE(r.ok()) << int(op);
    EXPECT_EQ(r.error().code, DecodeErrc::ReservedOpcode);
    EXPECT_EQ(r.error().reaction, Reaction::Reject);
    EXPECT_EQ(r.error().reject_reason, RejectReason::ProtocolError);
  }
}

TEST(PduCodec, LengthMismatchIsTruncation) {
  Bytes wire = encode(Pdu(NopOut{.data = Bytes(5, 1)}));
  wire.pop_back();
  auto r = decode(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DecodeErrc::Truncated);
  wire.push_back(0);
  wire.push_back(0);
  EXPECT_FALSE(decode(wire).ok());  // trailing byte
  EXPECT_FALSE(decode(ByteView(wire).first(47)).ok());
}

TEST(PduCodec, HeaderDigestMismatchDropsTheConnection) {
  Bytes wire = encode(Pdu(NopOut{}), {true, false});
  wire[48] ^= 0x01;
  auto r = decode(wire, {true, false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DecodeErrc::HeaderDigestMismatch);
  EXPECT_EQ(r.error().reaction, Reaction::DropConnection);
}

TEST(PduCodec, DataDigestMismatchIsRejectReason2) {
  Bytes wire = encode(Pdu(ScsiDataOut{.data = Bytes(6, 9)}), {false, true});
  wire[50] ^= 0x80;  // a data byte
  auto r = decode(wire, {false, true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DecodeErrc::DataDigestMismatch);
  EXPECT_EQ(r.error().reaction, Reaction::Reject);
  EXPECT_EQ(r.error().reject_reason, RejectReason::DataDigestError);
}

TEST(PduCodec, DataDigestCoversThePadding) {
  const Bytes wire = encode(Pdu(NopOut{.data = Bytes{1, 2, 3}}), {false, true});
  ASSERT_EQ(wire.size(), 48u + 4u + 4u);
  const Bytes padded{1, 2, 3, 0};
  EXPECT_EQ(load_digest(wire.data() + 52), crc32c(padded));
}

TEST(PduCodec, EncodeBhsFillsTheLengths) {
  TextRequest t;
  t.data = bytes_of("SendTargets=All");
  t.data.push_back(0);
  const auto bhs = encode_bhs(Pdu(t));
  EXPECT_EQ(bhs[0], 0x04);
  EXPECT_EQ(bhs[4], 0);
  EXPECT_EQ(load_be24(bhs.data() + 5), 16u);
}

TEST(PduCodec, ReservedBitsAreIgnoredButReported) {
  const Bytes canonical = encode(Pdu(NopIn{.stat_sn = 5}));
  EXPECT_FALSE(has_reserved_bits_set(canonical));
  for (std::size_t byte : {0u, 1u, 2u, 3u, 36u, 47u}) {
    Bytes dirty = canonical;
    dirty[byte] |= (byte == 0) ? 0x80 : 0x01;
    EXPECT_TRUE(has_reserved_bits_set(dirty)) << byte;
    auto r = decode(dirty);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(std::get<NopIn>(*r).stat_sn, 5u);
  }
  // The I bit is defined for NOP-Out but reserved for NOP-In.
  Bytes nop_out = encode(Pdu(NopOut{}));
  nop_out[0] |= kImmediateBit;
  EXPECT_FALSE(has_reserved_bits_set(nop_out));
}

TEST(PduCodec, EveryOpcodeDecodesToItsOwnType) {
  for (std::uint8_t op = 0; op < 64; ++op) {
    if (classify_opcode(op) != OpcodeClass::Defined) continue;
    auto r = decode(bhs_with(op, 0, 0));
    ASSERT_TRUE(r.ok()) << int(op);
    EXPECT_EQ(static_cast<std::uint8_t>(opcode_of(*r)), op);
    EXPECT_EQ(encode(*r)[0] & kOpcodeMask, op);
  }
}

}  // namespace
}  // namespace iscsi::wire
