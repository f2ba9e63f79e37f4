#include <gtest/gtest.h>

#include "capture/tcp_segment.h"
#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using test::Bytes;

NetworkPacket v4(const Bytes& b) {
  return {NetworkProtocol::Ipv4, b};
}
NetworkPacket v6(const Bytes& b) {
  return {NetworkProtocol::Ipv6, b};
}

const Bytes kPayload{'i', 's', 'c', 's', 'i'};

TEST(TcpSegment, Ipv4Fields) {
  const Bytes ip = test::ipv4({192, 0, 2, 1}, {198, 51, 100, 7},
                              test::tcp(49152, 3260, 0x11223344, 0x55667788, 0x18, kPayload));
  auto s = parse_tcp_segment(v4(ip));
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_FALSE(s->source.ipv6);
  EXPECT_EQ(s->source.to_string(), "192.0.2.1:49152");
  EXPECT_EQ(s->destination.to_string(), "198.51.100.7:3260");
  EXPECT_EQ(s->seq, 0x11223344u);
  EXPECT_EQ(s->ack, 0x55667788u);
  EXPECT_EQ(s->flags, 0x18);
  EXPECT_EQ(Bytes(s->payload.begin(), s->payload.end()), kPayload);
  EXPECT_EQ(s->payload_length, kPayload.size());
}

TEST(TcpSegment, Ipv4LinkPaddingIsNotPayload) {
  // A short frame padded to the Ethernet minimum: the padding follows the
  // IP Total Length.
  Bytes ip = test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, test::tcp(1, 3260, 1, 1, 0x10, {}));
  ip.resize(ip.size() + 6, 0);
  auto s = parse_tcp_segment(v4(ip));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->payload.empty());
  EXPECT_EQ(s->payload_length, 0u);
}

TEST(TcpSegment, Ipv4TotalLengthZeroMeansSegmentationOffload) {
  const Bytes ip = test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2},
                              test::tcp(1, 3260, 1, 1, 0x18, Bytes(3000, 7)), 6, 0x4000, 0);
  auto s = parse_tcp_segment(v4(ip));
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_EQ(s->payload.size(), 3000u);
  EXPECT_EQ(s->payload_length, 3000u);
}

TEST(TcpSegment, SnapshotCutPayloadKeepsItsWireLength) {
  Bytes ip =
      test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, test::tcp(1, 3260, 1, 1, 0x18, Bytes(1000, 7)));
  ip.resize(20 + 20 + 100);  // the capture kept 100 payload bytes
  auto s = parse_tcp_segment(v4(ip));
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_EQ(s->payload.size(), 100u);
  EXPECT_EQ(s->payload_length, 1000u);
}

TEST(TcpSegment, Ipv4FragmentsAreSkipped) {
  const Bytes l4 = test::tcp(1, 3260, 1, 1, 0x18, kPayload);
  // RFC 791 §3.1: More Fragments (0x2000) or a non-zero offset marks a fragment.
  for (std::uint16_t frag : {std::uint16_t{0x2000}, std::uint16_t{0x0010}, std::uint16_t{0x2010}}) {
    auto s = parse_tcp_segment(v4(test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, l4, 6, frag)));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, IpSkip::Fragment);
    EXPECT_NE(s.error().detail.find("fragment"), std::string::npos);
  }
  // Fragments of other protocols are simply not TCP.
  auto udp =
      parse_tcp_segment(v4(test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, Bytes(8, 0), 17, 0x2000)));
  ASSERT_FALSE(udp);
  EXPECT_EQ(udp.error().kind, IpSkip::NotTcp);
}

TEST(TcpSegment, Ipv4Malformed) {
  Bytes ip = test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, test::tcp(1, 3260, 1, 1, 0x18, kPayload));
  Bytes bad_ihl = ip;
  bad_ihl[0] = 0x44;  // IHL 4 words: below the minimum of 5
  EXPECT_EQ(parse_tcp_segment(v4(bad_ihl)).error().kind, IpSkip::Malformed);
  Bytes short_total = ip;
  test::put16(short_total, 2, 10);
  EXPECT_EQ(parse_tcp_segment(v4(short_total)).error().kind, IpSkip::Malformed);
  Bytes bad_offset = ip;
  bad_offset[20 + 12] = 0x40;  // TCP data offset 4 words
  EXPECT_EQ(parse_tcp_segment(v4(bad_offset)).error().kind, IpSkip::Malformed);
  EXPECT_EQ(parse_tcp_segment(v4(Bytes(ip.begin(), ip.begin() + 30))).error().kind,
            IpSkip::Malformed);
  EXPECT_EQ(parse_tcp_segment(v4(Bytes(10, 0x45))).error().kind, IpSkip::Malformed);
}

TEST(TcpSegment, Ipv6WithExtensionHeaders) {
  const test::Ip6 a{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const test::Ip6 b{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  const Bytes l4 = test::tcp(50000, 3260, 77, 88, 0x18, kPayload);
  // Hop-by-Hop (0) then Destination Options (60) then TCP.
  const Bytes ip =
      test::ipv6(a, b, 0, test::cat(test::ipv6_options(60), test::cat(test::ipv6_options(6), l4)));
  auto s = parse_tcp_segment(v6(ip));
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_TRUE(s->source.ipv6);
  EXPECT_EQ(s->source.to_string(), "[2001:db8::1]:50000");
  EXPECT_EQ(s->destination.to_string(), "[2001:db8::2]:3260");
  EXPECT_EQ(s->seq, 77u);
  EXPECT_EQ(Bytes(s->payload.begin(), s->payload.end()), kPayload);
  EXPECT_EQ(s->payload_length, kPayload.size());
}

TEST(TcpSegment, Ipv6FragmentsAndEsp) {
  const Bytes l4 = test::tcp(1, 3260, 1, 1, 0x18, kPayload);
  // RFC 8200 §4.5: next header, reserved, offset (13 bits) | M, identification.
  Bytes frag(8, 0);
  frag[0] = 6;
  test::put16(frag, 2, 0x0001);  // offset 0, more fragments
  test::put32(frag, 4, 99);
  auto s = parse_tcp_segment(v6(test::ipv6({}, {}, 44, test::cat(frag, l4))));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, IpSkip::Fragment);
  // An atomic fragment (offset 0, no more fragments) is a whole packet.
  test::put16(frag, 2, 0x0000);
  auto atomic = parse_tcp_segment(v6(test::ipv6({}, {}, 44, test::cat(frag, l4))));
  ASSERT_TRUE(atomic) << atomic.error().detail;
  EXPECT_EQ(atomic->payload_length, kPayload.size());
  auto esp = parse_tcp_segment(v6(test::ipv6({}, {}, 50, Bytes(40, 0))));
  ASSERT_FALSE(esp);
  EXPECT_EQ(esp.error().kind, IpSkip::Encrypted);
  auto udp = parse_tcp_segment(v6(test::ipv6({}, {}, 17, Bytes(8, 0))));
  ASSERT_FALSE(udp);
  EXPECT_EQ(udp.error().kind, IpSkip::NotTcp);
}

TEST(TcpSegment, Ipv6Malformed) {
  EXPECT_EQ(parse_tcp_segment(v6(Bytes(39, 0x60))).error().kind, IpSkip::Malformed);
  // An extension header whose length runs past the packet.
  Bytes ext = test::ipv6_options(6);
  ext[1] = 200;
  EXPECT_EQ(parse_tcp_segment(v6(test::ipv6({}, {}, 0, ext))).error().kind, IpSkip::Malformed);
  // A chain of more extension headers than any real packet has.
  Bytes chain;
  for (int i = 0; i < 20; ++i) chain = test::cat(chain, test::ipv6_options(60));
  EXPECT_EQ(parse_tcp_segment(v6(test::ipv6({}, {}, 60, chain))).error().kind, IpSkip::Malformed);
}

}  // namespace
}  // namespace iscsi::capture
