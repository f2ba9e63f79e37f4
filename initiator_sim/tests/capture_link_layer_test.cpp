#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include "capture/link_layer.h"
#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using test::Bytes;

const Bytes kIp4 = test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, test::tcp(1, 2, 3, 4, 0x10, {}));
const Bytes kIp6 = test::ipv6({}, {}, 6, test::tcp(1, 2, 3, 4, 0x10, {}));

void expect_ip(int dlt, const Bytes& frame, NetworkProtocol protocol, const Bytes& ip) {
  auto r = strip_link_layer(dlt, frame);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->protocol, protocol);
  EXPECT_EQ(Bytes(r->bytes.begin(), r->bytes.end()), ip);
}

TEST(LinkLayer, Ethernet) {
  expect_ip(DLT_EN10MB, test::ethernet(kIp4), NetworkProtocol::Ipv4, kIp4);
  expect_ip(DLT_EN10MB, test::ethernet(kIp6, 0x86dd), NetworkProtocol::Ipv6, kIp6);
}

TEST(LinkLayer, EthernetWithStackedVlanTags) {
  // IEEE 802.1ad service tag outside an 802.1Q customer tag.
  expect_ip(DLT_EN10MB, test::ethernet(kIp4, 0x0800, {0x88a8, 0x8100}), NetworkProtocol::Ipv4,
            kIp4);
  expect_ip(DLT_EN10MB, test::ethernet(kIp6, 0x86dd, {0x8100}), NetworkProtocol::Ipv6, kIp6);
}

TEST(LinkLayer, EthernetNonIp) {
  auto arp = strip_link_layer(DLT_EN10MB, test::ethernet(Bytes(28, 0), 0x0806));
  ASSERT_FALSE(arp);
  EXPECT_EQ(arp.error().kind, LinkSkip::NotIp);
  // Below 0x0600 the type field is an 802.3 length: an LLC frame.
  auto llc = strip_link_layer(DLT_EN10MB, test::ethernet(Bytes(40, 0), 40));
  ASSERT_FALSE(llc);
  EXPECT_EQ(llc.error().kind, LinkSkip::NotIp);
}

TEST(LinkLayer, CutShortHeadersAreMalformed) {
  auto r = strip_link_layer(DLT_EN10MB, Bytes(13, 0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, LinkSkip::Malformed);
  Bytes tagged = test::ethernet(kIp4, 0x0800, {0x8100});
  tagged.resize(15);  // the tag's EtherType is cut
  r = strip_link_layer(DLT_EN10MB, tagged);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, LinkSkip::Malformed);
  EXPECT_EQ(strip_link_layer(DLT_LINUX_SLL, Bytes(15, 0)).error().kind, LinkSkip::Malformed);
  EXPECT_EQ(strip_link_layer(DLT_LINUX_SLL2, Bytes(19, 0)).error().kind, LinkSkip::Malformed);
  EXPECT_EQ(strip_link_layer(DLT_NULL, Bytes(3, 0)).error().kind, LinkSkip::Malformed);
  EXPECT_EQ(strip_link_layer(DLT_RAW, Bytes{}).error().kind, LinkSkip::Malformed);
}

TEST(LinkLayer, EndlessVlanTagsAreMalformed) {
  Bytes frame(12, 0);
  for (int i = 0; i < 20; ++i) frame.insert(frame.end(), {0x81, 0x00, 0x00, 0x01});
  auto r = strip_link_layer(DLT_EN10MB, frame);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, LinkSkip::Malformed);
}

TEST(LinkLayer, LinuxCookedV1AndV2) {
  expect_ip(DLT_LINUX_SLL, test::sll(kIp4, 0x0800), NetworkProtocol::Ipv4, kIp4);
  expect_ip(DLT_LINUX_SLL, test::sll(kIp6, 0x86dd), NetworkProtocol::Ipv6, kIp6);
  expect_ip(DLT_LINUX_SLL2, test::sll2(kIp4, 0x0800), NetworkProtocol::Ipv4, kIp4);
  expect_ip(DLT_LINUX_SLL2, test::sll2(kIp6, 0x86dd), NetworkProtocol::Ipv6, kIp6);
  EXPECT_EQ(strip_link_layer(DLT_LINUX_SLL2, test::sll2(Bytes(28, 0), 0x0806)).error().kind,
            LinkSkip::NotIp);
}

TEST(LinkLayer, BsdLoopback) {
  // DLT_NULL: host byte order of the capturing machine; AF_INET is 2
  // everywhere, AF_INET6 is 10 (Linux), 24, 28 or 30 (BSDs, macOS).
  expect_ip(DLT_NULL, test::null_header(2, false, kIp4), NetworkProtocol::Ipv4, kIp4);
  expect_ip(DLT_NULL, test::null_header(2, true, kIp4), NetworkProtocol::Ipv4, kIp4);
  for (std::uint32_t af6 : {10u, 24u, 28u, 30u}) {
    expect_ip(DLT_NULL, test::null_header(af6, false, kIp6), NetworkProtocol::Ipv6, kIp6);
  }
  // DLT_LOOP: network byte order only.
  expect_ip(DLT_LOOP, test::null_header(2, true, kIp4), NetworkProtocol::Ipv4, kIp4);
  EXPECT_FALSE(strip_link_layer(DLT_LOOP, test::null_header(2, false, kIp4)));
  EXPECT_EQ(strip_link_layer(DLT_NULL, test::null_header(7, false, kIp4)).error().kind,
            LinkSkip::NotIp);
}

TEST(LinkLayer, RawIp) {
  expect_ip(DLT_RAW, kIp4, NetworkProtocol::Ipv4, kIp4);
  expect_ip(DLT_RAW, kIp6, NetworkProtocol::Ipv6, kIp6);
  expect_ip(DLT_IPV4, kIp4, NetworkProtocol::Ipv4, kIp4);
  expect_ip(DLT_IPV6, kIp6, NetworkProtocol::Ipv6, kIp6);
  EXPECT_EQ(strip_link_layer(DLT_IPV4, kIp6).error().kind, LinkSkip::Malformed);
  EXPECT_EQ(strip_link_layer(DLT_RAW, Bytes{0x50, 0, 0}).error().kind, LinkSkip::NotIp);
}

TEST(LinkLayer, UnsupportedLinkTypes) {
  EXPECT_TRUE(link_type_supported(DLT_EN10MB));
  EXPECT_TRUE(link_type_supported(DLT_LINUX_SLL2));
  EXPECT_FALSE(link_type_supported(DLT_IEEE802_11));
  EXPECT_EQ(strip_link_layer(DLT_IEEE802_11, kIp4).error().kind, LinkSkip::UnsupportedLinkType);
}

}  // namespace
}  // namespace iscsi::capture
