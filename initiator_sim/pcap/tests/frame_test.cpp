#include "pcap/frame.h"

#include <gtest/gtest.h>

#include "pcap/tests/parsed_frame.h"

namespace iscsi::capture {
namespace {

TEST(Checksum, Rfc1071WorkedExample) {
  // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is
  // its complement.
  const std::uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum_finish(checksum_add(0, bytes)), 0x220d);
}

TEST(Checksum, OddLengthIsPaddedWithZero) {
  // RFC 1071 §4.1: a trailing odd byte is added as the high byte of a word.
  const std::uint8_t bytes[] = {0x12, 0x34, 0x56};
  EXPECT_EQ(checksum_finish(checksum_add(0, bytes)), static_cast<std::uint16_t>(~0x6834));
}

TEST(Checksum, ChunksSumLikeOneBuffer) {
  const std::uint8_t a[] = {0xff, 0xff, 0x80, 0x01};
  const std::uint8_t b[] = {0x7f, 0xfe, 0x12};
  const std::uint8_t all[] = {0xff, 0xff, 0x80, 0x01, 0x7f, 0xfe, 0x12};
  EXPECT_EQ(checksum_finish(checksum_add(checksum_add(0, a), b)),
            checksum_finish(checksum_add(0, all)));
}

TEST(Checksum, LongAllOnesBufferDoesNotOverflow) {
  // 1 MiB of 0xff: every word is 0xffff, the one's complement sum stays 0xffff.
  std::vector<std::uint8_t> ones(1 << 20, 0xff);
  EXPECT_EQ(checksum_finish(checksum_add(0, ones)), 0x0000);
}

TcpSegmentSpec data_spec(ByteView payload) {
  TcpSegmentSpec s;
  s.src_mac = {0x02, 0, 0, 0, 0, 0x01};
  s.dst_mac = {0x02, 0, 0, 0, 0, 0x02};
  s.src_ip = {127, 0, 0, 1};
  s.dst_ip = {127, 0, 0, 2};
  s.ip_id = 0x1234;
  s.ttl = 64;
  s.src_port = 49152;
  s.dst_port = 3260;
  s.seq = 0x01020304;
  s.ack = 0x0a0b0c0d;
  s.flags = tcp_flag::kPsh | tcp_flag::kAck;
  s.window = 0xffff;
  s.payload = payload;
  return s;
}

TEST(BuildTcpFrame, MatchesIndependentlyComputedBytes) {
  // Expected frame assembled by hand from RFC 791 §3.1 and RFC 793 §3.1; the
  // two checksums were computed with a separate script (struct.pack + sum).
  const std::uint8_t payload[] = {'i', 'S', 'C', 'S', 'I'};
  auto frame = build_tcp_frame(data_spec(payload));
  ASSERT_TRUE(frame.ok());
  const std::vector<std::uint8_t> expected = {
      // Ethernet: destination, source, EtherType IPv4
      0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
      // IPv4: 45, TOS 0, total 45, ID 1234, DF, TTL 64, TCP, checksum, addresses
      0x45, 0x00, 0x00, 0x2d, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x2a, 0x94, 127, 0, 0, 1, 127, 0,
      0, 2,
      // TCP: ports, seq, ack, offset 5, PSH|ACK, window, checksum, urgent
      0xc0, 0x00, 0x0c, 0xbc, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, 0x50, 0x18, 0xff,
      0xff, 0xd5, 0x42, 0x00, 0x00,
      // payload
      'i', 'S', 'C', 'S', 'I'};
  EXPECT_EQ(frame.value(), expected);
}

TEST(BuildTcpFrame, SynWithMssOption) {
  TcpSegmentSpec s = data_spec({});
  s.ip_id = 1;
  s.seq = 0xfffffff0;
  s.ack = 0;
  s.flags = tcp_flag::kSyn;
  s.mss_option = 1460;
  auto frame = build_tcp_frame(s);
  ASSERT_TRUE(frame.ok());
  ASSERT_EQ(frame->size(), 14u + 20 + 24);
  // IPv4 checksum 3cc8 and TCP checksum cd75, computed independently.
  EXPECT_EQ(frame.value()[24], 0x3c);
  EXPECT_EQ(frame.value()[25], 0xc8);
  EXPECT_EQ(frame.value()[34 + 12], 0x60);  // data offset: 6 words
  EXPECT_EQ(frame.value()[34 + 16], 0xcd);
  EXPECT_EQ(frame.value()[34 + 17], 0x75);
  const std::vector<std::uint8_t> option(frame->begin() + 54, frame->end());
  EXPECT_EQ(option, (std::vector<std::uint8_t>{2, 4, 0x05, 0xb4}));
}

TEST(BuildTcpFrame, LargestPayloadFitsAndChecksumsHold) {
  std::vector<std::uint8_t> payload(max_tcp_payload(false));
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
  auto frame = build_tcp_frame(data_spec(payload));
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->size(), 14u + 65535);
  auto parsed = testing::parse_frame(frame.value());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->ip_total_length, 65535);
  EXPECT_TRUE(parsed->ip_checksum_ok);
  EXPECT_TRUE(parsed->tcp_checksum_ok);
  EXPECT_EQ(parsed->payload, payload);
}

TEST(BuildTcpFrame, OversizedPayloadIsAnError) {
  std::vector<std::uint8_t> payload(max_tcp_payload(false) + 1);
  EXPECT_FALSE(build_tcp_frame(data_spec(payload)).ok());
  TcpSegmentSpec syn = data_spec(std::vector<std::uint8_t>(max_tcp_payload(true) + 1));
  syn.mss_option = 1460;
  EXPECT_FALSE(build_tcp_frame(syn).ok());
}

TEST(BuildTcpFrame, ChecksumsHoldForManyPayloadLengths) {
  std::vector<std::uint8_t> payload;
  for (std::size_t n = 0; n < 300; ++n) {
    auto frame = build_tcp_frame(data_spec(payload));
    ASSERT_TRUE(frame.ok());
    auto parsed = testing::parse_frame(frame.value());
    ASSERT_TRUE(parsed.has_value()) << n;
    EXPECT_TRUE(parsed->ip_checksum_ok) << n;
    EXPECT_TRUE(parsed->tcp_checksum_ok) << n;
    EXPECT_EQ(parsed->payload, payload);
    payload.push_back(static_cast<std::uint8_t>(0xff - n));
  }
}

}  // namespace
}  // namespace iscsi::capture
