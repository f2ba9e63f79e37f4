#include "wire/framer.h"

#include <gtest/gtest.h>

namespace iscsi::wire {
namespace {

struct Collected {
  std::vector<Bytes> wires;
  std::vector<std::optional<DecodeError>> errors;
  Framer::State last = Framer::State::NeedMore;
};

// Feeds `stream` in pieces of `chunk` bytes and collects every frame.
Collected run(Framer& framer, ByteView stream, std::size_t chunk) {
  Collected out;
  while (!stream.empty()) {
    const auto step = framer.feed(stream.first(std::min(chunk, stream.size())));
    stream = stream.subspan(step.consumed);
    out.last = step.state;
    if (step.state == Framer::State::Failed) break;
    if (step.state == Framer::State::Ready) {
      const Frame& f = framer.frame();
      out.wires.emplace_back(f.wire.begin(), f.wire.end());
      out.errors.push_back(f.error);
    }
  }
  return out;
}

std::vector<Pdu> sample_pdus() {
  ScsiCommand cmd;
  cmd.write = true;
  cmd.expected_data_transfer_length = 7;
  cmd.ahs.push_back(make_bidi_read_length_ahs(9));
  cmd.data = {1, 2, 3, 4, 5, 6, 7};
  return {Pdu(NopOut{}), Pdu(cmd), Pdu(ScsiDataOut{.final = true, .data = Bytes(1, 9)}),
          Pdu(TextRequest{.data = bytes_of("A=B")})};
}

TEST(Framer, SameFramesWhateverTheReadSizes) {
  for (DigestSettings d :
       {DigestSettings{}, DigestSettings{true, true}, DigestSettings{true, false}}) {
    Bytes stream;
    std::vector<Bytes> expect;
    for (const Pdu& p : sample_pdus()) {
      expect.push_back(encode(p, d));
      encode_append(p, d, stream);
    }
    for (std::size_t chunk : {1u, 2u, 3u, 7u, 47u, 48u, 49u, 64u, 1000u}) {
      Framer framer({.digests = d});
      const Collected got = run(framer, stream, chunk);
      EXPECT_EQ(got.wires, expect) << "chunk " << chunk;
      for (const auto& e : got.errors) EXPECT_FALSE(e.has_value());
    }
  }
}

TEST(Framer, NeedsSaysHowManyBytesAreMissing) {
  Framer framer;
  const Bytes wire = encode(Pdu(NopOut{.data = Bytes(10, 1)}));
  auto step = framer.feed(ByteView(wire).first(20));
  EXPECT_EQ(step.state, Framer::State::NeedMore);
  EXPECT_EQ(framer.needed(), 28u);  // the rest of the BHS
  step = framer.feed(ByteView(wire).subspan(20, 28));
  EXPECT_EQ(step.state, Framer::State::NeedMore);
  EXPECT_EQ(framer.needed(), 12u);  // 10 data bytes + 2 padding
}

TEST(Framer, ConsumesOnlyUpToTheEndOfOnePdu) {
  Bytes stream = encode(Pdu(NopOut{}));
  encode_append(Pdu(NopOut{.cmd_sn = 2}), {}, stream);
  Framer framer;
  const auto step = framer.feed(stream);
  EXPECT_EQ(step.consumed, 48u);
  EXPECT_EQ(step.state, Framer::State::Ready);
}

TEST(Framer, DataSegmentOverTheLimitFailsBeforeBuffering) {
  Framer framer({.max_recv_data_segment_length = 8192});
  Bytes bhs = encode(Pdu(ScsiDataOut{}));
  store_be24(bhs.data() + 5, 0xffffff);  // announces 16 MiB, sends nothing more
  const auto step = framer.feed(bhs);
  EXPECT_EQ(step.state, Framer::State::Failed);
  EXPECT_EQ(framer.failure().code, DecodeErrc::DataSegmentTooLong);
  EXPECT_EQ(framer.failure().reaction, Reaction::DropConnection);
  EXPECT_EQ(framer.feed(bhs).consumed, 0u);  // a failed stream takes nothing more
}

TEST(Framer, DataSegmentAtTheLimitIsAccepted) {
  Framer framer({.max_recv_data_segment_length = 512});
  const Bytes wire = encode(Pdu(ScsiDataOut{.data = Bytes(512, 3)}));
  const Collected got = run(framer, wire, wire.size());
  ASSERT_EQ(got.wires.size(), 1u);
  EXPECT_EQ(framer.frame().data.size(), 512u);
}

TEST(Framer, HeaderDigestErrorFailsTheStream) {
  Framer framer({.digests = {true, false}});
  Bytes wire = encode(Pdu(NopOut{}), {true, false});
  wire[20] ^= 1;
  const Collected got = run(framer, wire, 5);
  EXPECT_EQ(got.last, Framer::State::Failed);
  EXPECT_EQ(framer.failure().code, DecodeErrc::HeaderDigestMismatch);
}

TEST(Framer, DataDigestErrorIsFramedWithAReject) {
  Framer framer({.digests = {true, true}});
  Bytes wire = encode(Pdu(ScsiDataOut{.data = Bytes(8, 1)}), {true, true});
  wire.back() ^= 1;
  encode_append(Pdu(NopOut{}), {true, true}, wire);
  const Collected got = run(framer, wire, 3);
  ASSERT_EQ(got.wires.size(), 2u);
  ASSERT_TRUE(got.errors[0].has_value());
  EXPECT_EQ(got.errors[0]->reject_reason, RejectReason::DataDigestError);
  EXPECT_FALSE(got.errors[1].has_value());  // the stream stays in step
}

TEST(Framer, SettingsChangeBetweenPdus) {
  Bytes stream = encode(Pdu(LoginRequest{}));
  encode_append(Pdu(NopOut{}), {true, true}, stream);
  Framer framer;
  auto step = framer.feed(stream);
  ASSERT_EQ(step.state, Framer::State::Ready);
  framer.set_settings({.digests = {true, true}});
  step = framer.feed(ByteView(stream).subspan(step.consumed));
  EXPECT_EQ(step.state, Framer::State::Ready);
  EXPECT_EQ(framer.frame().wire.size(), 52u);
}

TEST(Framer, WrongDirectionAndUnknownOpcodesAreFramedAndFlagged) {
  Framer framer({.expected_sender = Sender::Initiator});
  Bytes stream = encode(Pdu(NopIn{.data = Bytes(3, 0)}));  // a target PDU sent to a target
  Bytes vendor(48, 0);
  vendor[0] = 0x1c;
  stream.insert(stream.end(), vendor.begin(), vendor.end());
  Bytes reserved(48, 0);
  reserved[0] = 0x0a;
  store_be24(reserved.data() + 5, 2);
  reserved.insert(reserved.end(), {7, 7, 0, 0});
  stream.insert(stream.end(), reserved.begin(), reserved.end());
  encode_append(Pdu(NopOut{}), {}, stream);
  const Collected got = run(framer, stream, 11);
  ASSERT_EQ(got.wires.size(), 4u);
  EXPECT_EQ(got.errors[0]->code, DecodeErrc::WrongDirection);
  EXPECT_EQ(got.errors[0]->reject_reason, RejectReason::ProtocolError);
  EXPECT_EQ(got.errors[1]->reject_reason, RejectReason::CommandNotSupported);
  EXPECT_EQ(got.errors[2]->code, DecodeErrc::ReservedOpcode);
  EXPECT_FALSE(got.errors[3].has_value());
}

TEST(Framer, FrameDecodesToTheTypedPdu) {
  Framer framer;
  const ScsiDataOut out{.final = true, .initiator_task_tag = 4, .data = Bytes{5, 6}};
  const Bytes wire = encode(Pdu(out));
  ASSERT_EQ(framer.feed(wire).state, Framer::State::Ready);
  auto pdu = framer.frame().decode();
  ASSERT_TRUE(pdu.ok());
  EXPECT_EQ(std::get<ScsiDataOut>(*pdu), out);
}

}  // namespace
}  // namespace iscsi::wire
