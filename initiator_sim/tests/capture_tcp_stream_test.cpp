#include <gtest/gtest.h>

#include <string>

#include "capture/tcp_stream.h"

namespace iscsi::capture {
namespace {

// Renders the stream as text: delivered bytes as they are, gaps as "[gap N]".
struct Record : StreamOutput {
  std::string text;
  std::vector<std::uint64_t> frames;
  void data(wire::ByteView bytes, const PacketRef& at) override {
    text.append(bytes.begin(), bytes.end());
    frames.push_back(at.frame);
  }
  void gap(std::uint64_t length, const PacketRef&, const std::string&) override {
    text += "[gap " + std::to_string(length) + "]";
  }
};

wire::Bytes b(const std::string& s) {
  return wire::Bytes(s.begin(), s.end());
}

class TcpStreamTest : public ::testing::Test {
 protected:
  // A segment carrying `s` at stream offset `offset` (ISN 1000: data starts at 1001).
  void seg(std::uint64_t offset, const std::string& s, std::uint64_t frame = 0, bool fin = false) {
    const wire::Bytes payload = b(s);
    stream.segment(static_cast<std::uint32_t>(kIsn + 1 + offset), payload,
                   static_cast<std::uint32_t>(payload.size()), fin, PacketRef{frame, {}}, out);
  }
  void ack(std::uint64_t offset) {
    stream.acknowledged(static_cast<std::uint32_t>(kIsn + 1 + offset), {}, out);
  }

  static constexpr std::uint32_t kIsn = 1000;
  TcpStream stream{1 << 20};
  Record out;
};

TEST_F(TcpStreamTest, InOrderSegmentsAfterSyn) {
  stream.syn(kIsn);
  seg(0, "abc", 1);
  seg(3, "def", 2);
  EXPECT_EQ(out.text, "abcdef");
  EXPECT_EQ(out.frames, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(stream.stats().delivered, 6u);
  EXPECT_EQ(stream.next_offset(), 6u);
}

TEST_F(TcpStreamTest, RetransmissionsAreDropped) {
  stream.syn(kIsn);
  seg(0, "abc");
  seg(0, "abc");
  seg(1, "bc");
  seg(3, "d");
  EXPECT_EQ(out.text, "abcd");
  EXPECT_EQ(stream.stats().retransmitted, 5u);
}

TEST_F(TcpStreamTest, OutOfOrderSegmentsWaitForTheHole) {
  stream.syn(kIsn);
  seg(0, "ab", 1);
  seg(4, "ef", 2);
  seg(6, "gh", 3);
  EXPECT_EQ(out.text, "ab");
  EXPECT_EQ(stream.buffered(), 4u);
  seg(2, "cd", 4);
  EXPECT_EQ(out.text, "abcdefgh");
  // Each piece keeps the frame that carried it.
  EXPECT_EQ(out.frames, (std::vector<std::uint64_t>{1, 4, 2, 3}));
  EXPECT_EQ(stream.buffered(), 0u);
  EXPECT_EQ(stream.stats().out_of_order, 2u);
}

TEST_F(TcpStreamTest, OverlapKeepsTheFirstBytesAndCountsConflicts) {
  stream.syn(kIsn);
  seg(0, "ab");
  seg(4, "EF");   // held
  seg(3, "Dxy");  // "x" overlaps the held "E" and differs; "y" overlaps "F" and differs
  seg(1, "bC");   // "b" overlaps delivered bytes; "C" is new
  EXPECT_EQ(out.text, "abCDEF");
  EXPECT_EQ(stream.stats().conflicting, 2u);
  EXPECT_GE(stream.stats().overlapping, 3u);
}

TEST_F(TcpStreamTest, SegmentStraddlingDeliveredBytesIsTrimmed) {
  stream.syn(kIsn);
  seg(0, "abcd");
  seg(2, "cdef");
  EXPECT_EQ(out.text, "abcdef");
  EXPECT_EQ(stream.stats().overlapping, 2u);
}

TEST_F(TcpStreamTest, HoleAcknowledgedByThePeerBecomesAGap) {
  stream.syn(kIsn);
  seg(0, "ab");
  seg(5, "fg");
  ack(2);  // the receiver has not got past the hole yet: keep waiting
  EXPECT_EQ(out.text, "ab");
  ack(7);  // the receiver got everything: the capture missed "cde"
  EXPECT_EQ(out.text, "ab[gap 3]fg");
  EXPECT_EQ(stream.stats().gaps, 1u);
  EXPECT_EQ(stream.stats().gap_bytes, 3u);
}

TEST_F(TcpStreamTest, AcknowledgmentWithoutHeldBytesWaits) {
  stream.syn(kIsn);
  seg(0, "ab");
  ack(10);  // bytes may still show up (a capture can reorder frames)
  EXPECT_EQ(out.text, "ab");
  seg(2, "cd");
  EXPECT_EQ(out.text, "abcd");
  stream.flush({}, out);  // 6 acknowledged bytes never came
  EXPECT_EQ(out.text, "abcd[gap 6]");
}

TEST_F(TcpStreamTest, FlushTurnsHolesIntoGaps) {
  stream.syn(kIsn);
  seg(0, "ab");
  seg(4, "ef");
  seg(10, "kl", 0, true);
  stream.flush({}, out);
  EXPECT_EQ(out.text, "ab[gap 2]ef[gap 4]kl");
  EXPECT_TRUE(stream.finished());
}

TEST_F(TcpStreamTest, FinBeforeMissingBytesLeavesAFinalGap) {
  stream.syn(kIsn);
  seg(0, "ab");
  stream.segment(kIsn + 1 + 5, {}, 0, true, {}, out);  // FIN at offset 5
  EXPECT_FALSE(stream.finished());
  stream.flush({}, out);
  EXPECT_EQ(out.text, "ab[gap 3]");
  EXPECT_TRUE(stream.finished());
}

TEST_F(TcpStreamTest, BufferLimitForcesTheHoleToAGap) {
  TcpStream small(4);
  Record o;
  small.syn(kIsn);
  auto put = [&](std::uint64_t offset, const std::string& s) {
    const auto p = b(s);
    small.segment(static_cast<std::uint32_t>(kIsn + 1 + offset), p,
                  static_cast<std::uint32_t>(p.size()), false, {}, o);
  };
  put(0, "a");
  put(3, "de");
  put(5, "fg");  // 4 bytes held: at the limit
  EXPECT_EQ(o.text, "a");
  put(7, "h");  // over the limit: the hole at 1-2 is given up
  EXPECT_EQ(o.text, "a[gap 2]defgh");
  EXPECT_EQ(small.stats().buffer_limit_hits, 1u);
  EXPECT_LE(small.buffered(), 4u);
}

TEST_F(TcpStreamTest, ReleaseBufferGivesUpTheEarliestHole) {
  stream.syn(kIsn);
  seg(0, "a");
  seg(2, "c");
  seg(5, "f");
  EXPECT_EQ(stream.release_buffer({}, out), 1u);
  EXPECT_EQ(out.text, "a[gap 1]c");
  EXPECT_EQ(stream.buffered(), 1u);
}

TEST_F(TcpStreamTest, SequenceNumbersWrap) {
  // RFC 793 §3.3: sequence numbers are modulo 2^32.
  const std::uint32_t isn = 0xfffffffd;
  stream.syn(isn);
  const auto x = b("wxyz"), y = b("1234");
  stream.segment(isn + 1, x, 4, false, {}, out);  // 0xfffffffe .. 0x00000001
  stream.segment(isn + 5, y, 4, false, {}, out);  // 0x00000002 ..
  EXPECT_EQ(out.text, "wxyz1234");
  EXPECT_EQ(stream.next_offset(), 8u);
}

TEST_F(TcpStreamTest, WithoutSynTheFirstByteSeenIsTheStart) {
  seg(100, "mid");
  seg(90, "old");  // sent before the capture's first byte
  seg(103, "dle");
  EXPECT_EQ(out.text, "middle");
  EXPECT_FALSE(stream.syn_seen());
  EXPECT_EQ(stream.stats().before_start, 3u);
}

TEST_F(TcpStreamTest, SegmentFarOutsideTheWindowIsDropped) {
  stream.syn(kIsn);
  seg(0, "a");
  seg(std::uint64_t{1} << 31, "x");
  EXPECT_EQ(out.text, "a");
  EXPECT_EQ(stream.stats().implausible, 1u);
  EXPECT_EQ(stream.buffered(), 0u);
}

TEST_F(TcpStreamTest, SnapshotCutSegmentLeavesAHoleThatTheAckClears) {
  stream.syn(kIsn);
  const auto part = b("abc");
  stream.segment(kIsn + 1, part, 10, false, {}, out);  // 10 bytes sent, 3 captured
  seg(10, "kl");
  ack(12);
  EXPECT_EQ(out.text, "abc[gap 7]kl");
}

}  // namespace
}  // namespace iscsi::capture
