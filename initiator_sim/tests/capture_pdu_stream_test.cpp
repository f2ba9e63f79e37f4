#include <gtest/gtest.h>

#include <random>

#include "capture/pdu_stream.h"
#include "tests/capture_test_support.h"
#include "wire/crc32c.h"
#include "wire/pdu_codec.h"

namespace iscsi::capture {
namespace {

using test::Bytes;
using wire::DigestSettings;

struct Events : PduStreamEvents {
  std::vector<FramedPdu> pdus;
  std::vector<std::pair<std::string, std::string>> notes;
  std::vector<std::pair<bool, bool>> detected;  // (header?, on?)
  std::optional<wire::Sender> sender;
  void framed(FramedPdu&& p) override { pdus.push_back(std::move(p)); }
  void note(const PacketRef&, const std::string& kind, const std::string& message) override {
    notes.emplace_back(kind, message);
  }
  void digest_detected(bool header, bool on, const PacketRef&) override {
    detected.emplace_back(header, on);
  }
  void sender_found(wire::Sender s) override { sender = s; }
  std::size_t count(const std::string& kind) const {
    std::size_t n = 0;
    for (const auto& [k, m] : notes) n += k == kind;
    return n;
  }
  wire::Opcode op(std::size_t i) const {
    return static_cast<wire::Opcode>(pdus.at(i).bhs[0] & wire::kOpcodeMask);
  }
};

Bytes encode_all(const std::vector<wire::Pdu>& pdus, DigestSettings d = {}) {
  Bytes out;
  for (const auto& p : pdus) wire::encode_append(p, d, out);
  return out;
}

// A target's side of a session: NOP-In with ping data, a long Data-In, a
// Text Response with keys, an R2T.
std::vector<wire::Pdu> target_pdus() {
  wire::TextResponse text;
  text.initiator_task_tag = 9;
  text.data =
      test::keys({"TargetName=iqn.2024-01.org.example:disk", "TargetAddress=192.0.2.1:3260,1"});
  wire::ReadyToTransfer r2t;
  r2t.initiator_task_tag = 10;
  r2t.target_transfer_tag = 0x77;
  r2t.desired_data_transfer_length = 4096;
  return {test::nop_in(1, 5), test::data_in(2, 3001), text, r2t};
}

class PduStreamTest : public ::testing::Test {
 protected:
  void make(DigestMode header, DigestMode data,
            std::optional<wire::Sender> sender = wire::Sender::Target) {
    stream = std::make_unique<PduStream>(options, events);
    stream->set_digests(header, data);
    if (sender) stream->set_sender(*sender);
  }
  // Feeds `bytes` in pieces of `piece` bytes, each from its own frame.
  void feed(const Bytes& bytes, std::size_t piece = 1460) {
    for (std::size_t i = 0; i < bytes.size(); i += piece) {
      const std::size_t n = std::min(piece, bytes.size() - i);
      stream->push(wire::ByteView(bytes).subspan(i, n),
                   PacketRef{++frame, std::chrono::seconds(frame)});
    }
  }
  void finish() { stream->end(PacketRef{++frame, {}}); }

  FramingOptions options;
  Events events;
  std::unique_ptr<PduStream> stream;
  std::uint64_t frame = 0;
};

TEST_F(PduStreamTest, FramesPdusSplitAnywhere) {
  const auto pdus = target_pdus();
  const Bytes bytes = encode_all(pdus);
  for (std::size_t piece :
       {std::size_t{1}, std::size_t{7}, std::size_t{48}, std::size_t{1460}, bytes.size()}) {
    events = Events{};
    frame = 0;
    make(DigestMode::Off, DigestMode::Off);
    feed(bytes, piece);
    finish();
    ASSERT_EQ(events.pdus.size(), pdus.size()) << "piece " << piece;
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < pdus.size(); ++i) {
      const FramedPdu& f = events.pdus[i];
      const Bytes encoded = wire::encode(pdus[i]);
      EXPECT_EQ(f.stream_offset, offset);
      EXPECT_EQ(f.wire_length, encoded.size());
      EXPECT_EQ(Bytes(f.bhs.begin(), f.bhs.end()), Bytes(encoded.begin(), encoded.begin() + 48));
      EXPECT_EQ(f.data, wire::data_of(pdus[i]));
      EXPECT_EQ(f.data_segment_length, wire::data_of(pdus[i]).size());
      EXPECT_EQ(f.missing, 0u);
      EXPECT_TRUE(f.issues.empty());
      EXPECT_FALSE(f.resynchronised);
      // Frames of the first and the last byte.
      EXPECT_EQ(f.first.frame, offset / piece + 1);
      EXPECT_EQ(f.last.frame, (offset + encoded.size() - 1) / piece + 1);
      offset += encoded.size();
    }
    EXPECT_TRUE(events.notes.empty());
  }
}

TEST_F(PduStreamTest, DigestsAreChecked) {
  make(DigestMode::On, DigestMode::On);
  const auto pdus = target_pdus();
  const Bytes bytes = encode_all(pdus, {true, true});
  feed(bytes, 100);
  finish();
  ASSERT_EQ(events.pdus.size(), pdus.size());
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const FramedPdu& f = events.pdus[i];
    EXPECT_EQ(f.header_digest, DigestCheck::Good);
    // §12.1: the header digest covers the BHS and AHS.
    EXPECT_EQ(f.header_digest_value, wire::load_be32(bytes.data() + f.stream_offset + 48));
    if (f.data_segment_length > 0) {
      EXPECT_EQ(f.data_digest, DigestCheck::Good);
      EXPECT_EQ(f.data_digest_value,
                wire::load_be32(bytes.data() + f.stream_offset + f.wire_length - 4));
    } else {
      EXPECT_EQ(f.data_digest, DigestCheck::Absent);
    }
  }
}

TEST_F(PduStreamTest, BadDataDigestIsReportedAndFramingHolds) {
  make(DigestMode::On, DigestMode::On);
  Bytes bytes = encode_all({test::nop_in(1, 10), test::nop_in(2, 0)}, {true, true});
  const std::size_t first = wire::encode(test::nop_in(1, 10), {true, true}).size();
  bytes[first - 1] ^= 0xff;  // the data digest of the first PDU
  feed(bytes);
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  EXPECT_EQ(events.pdus[0].data_digest, DigestCheck::Bad);
  ASSERT_EQ(events.pdus[0].issues.size(), 1u);
  EXPECT_EQ(events.pdus[0].issues[0].code, "data-digest-mismatch");
  EXPECT_EQ(events.pdus[1].header_digest, DigestCheck::Good);
}

TEST_F(PduStreamTest, BadHeaderDigestIsBelievedWhenTheNextHeaderIsGood) {
  make(DigestMode::On, DigestMode::On);
  Bytes bytes = encode_all({test::nop_in(1, 0), test::nop_in(2, 0)}, {true, true});
  bytes[48] ^= 0x01;  // the first PDU's header digest
  feed(bytes);
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  EXPECT_EQ(events.pdus[0].header_digest, DigestCheck::Bad);
  EXPECT_EQ(events.pdus[0].issues.at(0).code, "header-digest-mismatch");
  EXPECT_EQ(events.pdus[1].header_digest, DigestCheck::Good);
  EXPECT_FALSE(events.pdus[1].resynchronised);
}

TEST_F(PduStreamTest, CorruptHeaderLosesFramingUntilAGoodDigest) {
  make(DigestMode::On, DigestMode::On);
  Bytes bytes =
      encode_all({test::nop_in(1, 0), test::nop_in(2, 40), test::nop_in(3, 0)}, {true, true});
  bytes[52 + 6] = 0x55;  // the second PDU's DataSegmentLength: its header digest no longer matches
  feed(bytes);
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  EXPECT_EQ(wire::load_be32(events.pdus[0].bhs.data() + 16), 1u);
  EXPECT_EQ(wire::load_be32(events.pdus[1].bhs.data() + 16), 3u);  // the ITT of the third PDU
  EXPECT_TRUE(events.pdus[1].resynchronised);
  EXPECT_GE(events.count("resync"), 2u);  // framing lost, framing found
}

TEST_F(PduStreamTest, UnknownDigestsAreDetectedWhenPresent) {
  make(DigestMode::Unknown, DigestMode::Unknown);
  const auto pdus = target_pdus();
  feed(encode_all(pdus, {true, true}));
  finish();
  ASSERT_EQ(events.pdus.size(), pdus.size());
  EXPECT_EQ(events.detected, (std::vector<std::pair<bool, bool>>{{true, true}, {false, true}}));
  EXPECT_EQ(stream->header_digest(), DigestMode::On);
  EXPECT_EQ(stream->data_digest(), DigestMode::On);
  for (const auto& f : events.pdus) {
    EXPECT_EQ(f.header_digest, DigestCheck::Good);
    EXPECT_TRUE(f.issues.empty());
  }
}

TEST_F(PduStreamTest, UnknownDigestsAreDetectedWhenAbsent) {
  make(DigestMode::Unknown, DigestMode::Unknown);
  const auto pdus = target_pdus();
  feed(encode_all(pdus));
  finish();
  ASSERT_EQ(events.pdus.size(), pdus.size());
  EXPECT_EQ(events.detected, (std::vector<std::pair<bool, bool>>{{true, false}, {false, false}}));
  for (const auto& f : events.pdus) {
    EXPECT_EQ(f.header_digest, DigestCheck::Absent);
    EXPECT_EQ(f.data_digest, DigestCheck::Absent);
  }
}

TEST_F(PduStreamTest, HeaderDigestOnlyIsDetected) {
  make(DigestMode::Unknown, DigestMode::Unknown);
  const auto pdus = target_pdus();
  feed(encode_all(pdus, {true, false}));
  finish();
  ASSERT_EQ(events.pdus.size(), pdus.size());
  EXPECT_EQ(events.detected, (std::vector<std::pair<bool, bool>>{{true, true}, {false, false}}));
}

TEST_F(PduStreamTest, LoginPdusCarryNoDigestsWhileUnknown) {
  make(DigestMode::Unknown, DigestMode::Unknown, wire::Sender::Initiator);
  // §12.1: login PDUs never carry digests, whatever the login negotiates.
  const Bytes login = wire::encode(test::login_request(test::keys({"HeaderDigest=CRC32C"})));
  const Bytes nop = wire::encode(test::nop_out(5, 8), {true, true});
  feed(test::cat(login, nop));
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  EXPECT_EQ(events.pdus[0].header_digest, DigestCheck::Absent);
  EXPECT_EQ(events.pdus[1].header_digest, DigestCheck::Good);
  EXPECT_EQ(events.pdus[1].data_digest, DigestCheck::Good);
}

TEST_F(PduStreamTest, GarbageBetweenPdusIsSkippedAndReported) {
  make(DigestMode::Off, DigestMode::Off);
  std::mt19937 rng(3);
  Bytes garbage(37);
  for (auto& b : garbage) b = static_cast<std::uint8_t>(rng());
  const Bytes a = wire::encode(test::nop_in(1, 4));
  const Bytes bytes =
      test::cat(test::cat(test::cat(a, garbage), wire::encode(test::data_in(2, 700))),
                wire::encode(test::nop_in(3, 0)));
  feed(bytes, 61);
  finish();
  ASSERT_EQ(events.pdus.size(), 3u);
  EXPECT_FALSE(events.pdus[0].resynchronised);
  EXPECT_TRUE(events.pdus[1].resynchronised);
  EXPECT_EQ(events.pdus[1].stream_offset, a.size() + garbage.size());
  EXPECT_EQ(events.op(1), wire::Opcode::ScsiDataIn);
  EXPECT_FALSE(events.pdus[2].resynchronised);
  EXPECT_EQ(stream->garbage_bytes(), garbage.size());
  bool reported = false;
  for (const auto& [kind, message] : events.notes) {
    reported = reported || (kind == "resync" &&
                            message.find("after skipping 37 captured bytes") != std::string::npos);
  }
  EXPECT_TRUE(reported);
}

TEST_F(PduStreamTest, GarbageWithHeaderDigestsIsSkipped) {
  make(DigestMode::On, DigestMode::On);
  const Bytes a = wire::encode(test::nop_in(1, 4), {true, true});
  const Bytes b = wire::encode(test::nop_in(2, 4), {true, true});
  Bytes garbage(100, 0);
  for (std::size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<std::uint8_t>(i * 37 + 1);
  feed(test::cat(test::cat(a, garbage), b));
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  EXPECT_TRUE(events.pdus[1].resynchronised);
  EXPECT_EQ(events.pdus[1].header_digest, DigestCheck::Good);
  EXPECT_EQ(stream->garbage_bytes(), garbage.size());
}

TEST_F(PduStreamTest, GapInsideADataSegmentKeepsFraming) {
  make(DigestMode::Off, DigestMode::Off);
  const Bytes d = wire::encode(test::data_in(2, 1000));
  const Bytes n = wire::encode(test::nop_in(3, 0));
  feed(Bytes(d.begin(), d.begin() + 300));
  stream->gap(200, PacketRef{++frame, {}});
  feed(Bytes(d.begin() + 500, d.end()));
  feed(n);
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  const FramedPdu& f = events.pdus[0];
  EXPECT_EQ(f.missing, 200u);
  EXPECT_EQ(f.data_segment_length, 1000u);
  // The bytes before the gap are kept; none after it.
  EXPECT_EQ(f.data, Bytes(d.begin() + 48, d.begin() + 300));
  EXPECT_EQ(f.wire_length, d.size());
  EXPECT_FALSE(events.pdus[1].resynchronised);
  EXPECT_EQ(events.op(1), wire::Opcode::NopIn);
}

TEST_F(PduStreamTest, GapInsideDataWithDigestLeavesItUnchecked) {
  make(DigestMode::On, DigestMode::On);
  const Bytes d = wire::encode(test::data_in(2, 1000), {true, true});
  feed(Bytes(d.begin(), d.begin() + 300));
  stream->gap(100, PacketRef{++frame, {}});
  feed(Bytes(d.begin() + 400, d.end()));
  feed(wire::encode(test::nop_in(3, 0), {true, true}));
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  EXPECT_EQ(events.pdus[0].data_digest, DigestCheck::Unchecked);
  EXPECT_EQ(events.pdus[1].header_digest, DigestCheck::Good);
}

TEST_F(PduStreamTest, GapOverAHeaderLosesFramingUntilTheNextPdu) {
  make(DigestMode::Off, DigestMode::Off);
  const Bytes a = wire::encode(test::nop_in(1, 8));
  const Bytes b = wire::encode(test::data_in(2, 500));
  const Bytes c = wire::encode(test::nop_in(3, 12));
  const Bytes d = wire::encode(test::nop_in(4, 0));
  feed(a);
  stream->gap(20, PacketRef{++frame, {}});  // the first 20 bytes of b
  feed(Bytes(b.begin() + 20, b.end()));
  feed(c);
  feed(d);
  finish();
  ASSERT_EQ(events.pdus.size(), 3u);
  EXPECT_EQ(wire::load_be32(events.pdus[1].bhs.data() + 16), 3u);
  EXPECT_TRUE(events.pdus[1].resynchronised);
  EXPECT_EQ(events.pdus[1].stream_offset, a.size() + b.size());
  EXPECT_EQ(wire::load_be32(events.pdus[2].bhs.data() + 16), 4u);
}

TEST_F(PduStreamTest, GapEndingAtAPduBoundaryIsFoundAgain) {
  make(DigestMode::Off, DigestMode::Off);
  const Bytes a = wire::encode(test::nop_in(1, 8));
  const Bytes b = wire::encode(test::nop_in(2, 8));
  const Bytes c = wire::encode(test::nop_in(3, 8));
  feed(a);
  stream->gap(b.size(), PacketRef{++frame, {}});
  feed(c);
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  EXPECT_EQ(events.pdus[1].stream_offset, a.size() + b.size());
  EXPECT_EQ(stream->garbage_bytes(), 0u);
}

TEST_F(PduStreamTest, StreamEndingInsideAPdu) {
  make(DigestMode::Off, DigestMode::Off);
  const Bytes d = wire::encode(test::data_in(2, 1000));
  feed(Bytes(d.begin(), d.begin() + 600));
  finish();
  ASSERT_EQ(events.pdus.size(), 1u);
  EXPECT_EQ(events.pdus[0].missing, d.size() - 600);
  ASSERT_FALSE(events.pdus[0].issues.empty());
  EXPECT_EQ(events.pdus[0].issues[0].code, "truncated");
}

TEST_F(PduStreamTest, StreamEndingInsideAHeader) {
  make(DigestMode::Off, DigestMode::Off);
  const Bytes n = wire::encode(test::nop_in(1, 0));
  feed(test::cat(n, Bytes(n.begin(), n.begin() + 30)));
  finish();
  EXPECT_EQ(events.pdus.size(), 1u);
  EXPECT_EQ(events.count("truncated"), 1u);
}

TEST_F(PduStreamTest, JoiningMidStreamFindsTheFirstWholePdu) {
  make(DigestMode::Unknown, DigestMode::Unknown, std::nullopt);
  stream->start_unsynchronised();
  const auto pdus = target_pdus();
  const Bytes bytes = encode_all(pdus, {true, false});
  const std::size_t cut = 30;  // inside the first header
  feed(Bytes(bytes.begin() + cut, bytes.end()));
  finish();
  ASSERT_EQ(events.pdus.size(), pdus.size() - 1);
  EXPECT_TRUE(events.pdus[0].resynchronised);
  EXPECT_EQ(events.op(0), wire::Opcode::ScsiDataIn);
  EXPECT_EQ(events.sender, wire::Sender::Target);
  EXPECT_EQ(stream->header_digest(), DigestMode::On);
}

TEST_F(PduStreamTest, HuntWaitsForTheWholeHeaderBeforeTakingIt) {
  make(DigestMode::Off, DigestMode::Off, wire::Sender::Initiator);
  stream->start_unsynchronised();
  // A command with an AHS (§10.2.2.4) and a data segment longer than the
  // look-ahead: it is taken on its own header, once the AHS is there.
  wire::ScsiCommand cmd;
  cmd.write = true;
  cmd.expected_data_transfer_length = 300000;
  cmd.ahs.push_back(wire::make_bidi_read_length_ahs(4096));
  cmd.data = Bytes(300000, 1);
  const Bytes b = wire::encode(cmd);
  feed(Bytes(b.begin(), b.begin() + 48));
  EXPECT_TRUE(events.pdus.empty());
  feed(Bytes(b.begin() + 48, b.end()));
  finish();
  ASSERT_EQ(events.pdus.size(), 1u);
  EXPECT_EQ(events.pdus[0].ahs, Bytes(b.begin() + 48, b.begin() + 56));
  EXPECT_EQ(events.pdus[0].data_segment_length, 300000u);
  EXPECT_EQ(events.pdus[0].wire_length, b.size());
}

TEST_F(PduStreamTest, RetainedDataIsCappedButTheDigestCoversAll) {
  options.max_retained_data = 100;
  make(DigestMode::On, DigestMode::On);
  const auto d = test::data_in(2, 5000);
  feed(wire::encode(d, {true, true}), 333);
  finish();
  ASSERT_EQ(events.pdus.size(), 1u);
  EXPECT_EQ(events.pdus[0].data, Bytes(d.data.begin(), d.data.begin() + 100));
  EXPECT_EQ(events.pdus[0].data_segment_length, 5000u);
  EXPECT_EQ(events.pdus[0].data_digest, DigestCheck::Good);
}

TEST_F(PduStreamTest, ReservedOpcodeIsFramedWhenTheNextHeaderConfirmsIt) {
  make(DigestMode::Off, DigestMode::Off, wire::Sender::Initiator);
  Bytes odd = wire::encode(test::nop_out(1, 8));
  odd[0] = 0x0d;  // a reserved initiator opcode (§10.2.1.2), lengths intact
  feed(test::cat(test::cat(wire::encode(test::nop_out(0, 0)), odd),
                 wire::encode(test::nop_out(2, 0))));
  finish();
  ASSERT_EQ(events.pdus.size(), 3u);
  EXPECT_EQ(events.pdus[1].bhs[0], 0x0d);
  EXPECT_FALSE(events.pdus[1].resynchronised);
  EXPECT_TRUE(events.notes.empty());
}

TEST_F(PduStreamTest, SenderIsLearnedFromTheFirstPdu) {
  make(DigestMode::Off, DigestMode::Off, std::nullopt);
  feed(wire::encode(test::nop_out(1, 0)));
  finish();
  ASSERT_EQ(events.pdus.size(), 1u);
  EXPECT_EQ(events.sender, wire::Sender::Initiator);
  EXPECT_EQ(stream->sender(), wire::Sender::Initiator);
}

TEST_F(PduStreamTest, UnknownDataDigestAfterAGapIsSettledByTheNextHeader) {
  make(DigestMode::On, DigestMode::Unknown);
  const Bytes d = wire::encode(test::data_in(2, 1000), {true, true});
  feed(Bytes(d.begin(), d.begin() + 200));
  stream->gap(100, PacketRef{++frame, {}});  // the CRC can no longer be checked
  feed(Bytes(d.begin() + 300, d.end()));
  feed(wire::encode(test::nop_in(3, 0), {true, true}));
  finish();
  ASSERT_EQ(events.pdus.size(), 2u);
  EXPECT_EQ(events.pdus[0].data_digest, DigestCheck::Unchecked);
  EXPECT_EQ(events.pdus[0].wire_length, d.size());
  EXPECT_FALSE(events.pdus[1].resynchronised);
  EXPECT_EQ(stream->data_digest(), DigestMode::On);
}

TEST_F(PduStreamTest, RandomBytesYieldNothingAndNoCrash) {
  for (unsigned seed = 0; seed < 20; ++seed) {
    events = Events{};
    make(seed % 2 ? DigestMode::Unknown : DigestMode::Off, DigestMode::Unknown, std::nullopt);
    if (seed % 3 == 0) stream->start_unsynchronised();
    std::mt19937 rng(seed);
    Bytes junk(20000);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    feed(junk, 1 + seed * 97);
    if (seed % 4 == 0) stream->gap(1000, PacketRef{++frame, {}});
    feed(junk, 1000);
    finish();
    // Random bytes are very unlikely to hold a plausible, confirmed header.
    EXPECT_LE(events.pdus.size(), 2u) << "seed " << seed;
  }
}

}  // namespace
}  // namespace iscsi::capture
