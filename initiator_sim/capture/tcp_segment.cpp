#include "capture/tcp_segment.h"

#include <arpa/inet.h>

#include <algorithm>

namespace iscsi::capture {

namespace {

constexpr std::uint8_t kProtocolTcp = 6;
constexpr std::size_t kIpv4MinHeader = 20;
constexpr std::size_t kIpv6Header = 40;
constexpr std::size_t kTcpMinHeader = 20;
constexpr int kMaxIpv6ExtensionHeaders = 16;

wire::Unexpected<IpSkipReason> skip(IpSkip kind, std::string detail) {
  return wire::Unexpected(IpSkipReason{kind, std::move(detail)});
}

// The TCP header and payload, once the IP layer has located them.
// `captured` is what the capture holds, `wire_length` what the IP header
// says the TCP segment spans.
wire::Result<TcpSegment, IpSkipReason> parse_tcp(wire::ByteView captured, std::size_t wire_length,
                                                 TcpSegment seg) {
  if (captured.size() < kTcpMinHeader) return skip(IpSkip::Malformed, "TCP header cut short");
  const std::size_t header = static_cast<std::size_t>(captured[12] >> 4) * 4;
  if (header < kTcpMinHeader) return skip(IpSkip::Malformed, "TCP data offset below 5 words");
  if (header > captured.size()) return skip(IpSkip::Malformed, "TCP options cut short");
  if (wire_length < header) return skip(IpSkip::Malformed, "TCP header longer than its IP packet");
  seg.source.port = wire::load_be16(captured.data());
  seg.destination.port = wire::load_be16(captured.data() + 2);
  seg.seq = wire::load_be32(captured.data() + 4);
  seg.ack = wire::load_be32(captured.data() + 8);
  seg.flags = captured[13];
  seg.payload = captured.subspan(header);
  seg.payload_length = static_cast<std::uint32_t>(wire_length - header);
  return seg;
}

wire::Result<TcpSegment, IpSkipReason> parse_ipv4(wire::ByteView ip) {
  if (ip.size() < kIpv4MinHeader) return skip(IpSkip::Malformed, "IPv4 header cut short");
  if ((ip[0] >> 4) != 4) return skip(IpSkip::Malformed, "IP version is not 4");
  const std::size_t header = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
  if (header < kIpv4MinHeader || header > ip.size())
    return skip(IpSkip::Malformed, "bad IPv4 header length");
  std::size_t total = wire::load_be16(ip.data() + 2);
  // A total length of 0 is what a capture on the sending host shows for a
  // segment handed to the NIC for TCP segmentation offload: the frame holds
  // the whole segment.
  if (total == 0) total = ip.size();
  if (total < header) return skip(IpSkip::Malformed, "IPv4 total length below its header length");
  const std::uint8_t protocol = ip[9];
  if (protocol != kProtocolTcp)
    return skip(IpSkip::NotTcp, "IP protocol " + std::to_string(protocol));
  // RFC 791 §3.1: More Fragments flag and Fragment Offset.
  const std::uint16_t fragment = wire::load_be16(ip.data() + 6);
  if ((fragment & 0x2000) || (fragment & 0x1fff)) {
    return skip(IpSkip::Fragment, "IPv4 fragment (id " +
                                      std::to_string(wire::load_be16(ip.data() + 4)) + ", offset " +
                                      std::to_string((fragment & 0x1fff) * 8) +
                                      ((fragment & 0x2000) ? ", more fragments" : ", last") + ")");
  }
  TcpSegment seg;
  std::copy(ip.begin() + 12, ip.begin() + 16, seg.source.address.begin());
  std::copy(ip.begin() + 16, ip.begin() + 20, seg.destination.address.begin());
  // Bytes past the total length are link-layer padding (short Ethernet frames).
  const wire::ByteView captured = ip.first(std::min(ip.size(), total)).subspan(header);
  return parse_tcp(captured, total - header, seg);
}

wire::Result<TcpSegment, IpSkipReason> parse_ipv6(wire::ByteView ip) {
  if (ip.size() < kIpv6Header) return skip(IpSkip::Malformed, "IPv6 header cut short");
  if ((ip[0] >> 4) != 6) return skip(IpSkip::Malformed, "IP version is not 6");
  std::size_t total = kIpv6Header + wire::load_be16(ip.data() + 4);
  // Payload length 0: a jumbogram (RFC 2675) or a large segment captured
  // before segmentation offload; the frame holds the whole packet.
  if (total == kIpv6Header) total = ip.size();
  const wire::ByteView packet = ip.first(std::min(ip.size(), total));
  std::uint8_t next = ip[6];
  std::size_t pos = kIpv6Header;
  for (int i = 0; i < kMaxIpv6ExtensionHeaders; ++i) {
    if (next == kProtocolTcp) {
      TcpSegment seg;
      seg.source.ipv6 = seg.destination.ipv6 = true;
      std::copy(ip.begin() + 8, ip.begin() + 24, seg.source.address.begin());
      std::copy(ip.begin() + 24, ip.begin() + 40, seg.destination.address.begin());
      if (pos > total) return skip(IpSkip::Malformed, "IPv6 extension headers past the payload");
      return parse_tcp(packet.subspan(std::min(pos, packet.size())), total - pos, seg);
    }
    switch (next) {
      case 0:      // Hop-by-Hop Options
      case 43:     // Routing
      case 60:     // Destination Options
      case 135:    // Mobility
      case 139:    // Host Identity Protocol
      case 140: {  // Shim6
        if (packet.size() < pos + 2)
          return skip(IpSkip::Malformed, "IPv6 extension header cut short");
        next = packet[pos];
        pos += (static_cast<std::size_t>(packet[pos + 1]) + 1) * 8;  // RFC 8200 §4.3
        break;
      }
      case 51: {  // Authentication Header, RFC 4302 §2.2: length in 4-byte words minus 2
        if (packet.size() < pos + 2) return skip(IpSkip::Malformed, "IPv6 AH cut short");
        next = packet[pos];
        pos += (static_cast<std::size_t>(packet[pos + 1]) + 2) * 4;
        break;
      }
      case 44: {  // Fragment, RFC 8200 §4.5
        if (packet.size() < pos + 8)
          return skip(IpSkip::Malformed, "IPv6 fragment header cut short");
        const std::uint16_t offset_flags = wire::load_be16(packet.data() + pos + 2);
        next = packet[pos];
        if ((offset_flags & 0xfff8) || (offset_flags & 1)) {
          if (next != kProtocolTcp)
            return skip(IpSkip::NotTcp, "IPv6 fragment of another protocol");
          return skip(IpSkip::Fragment,
                      "IPv6 fragment (id " +
                          std::to_string(wire::load_be32(packet.data() + pos + 4)) + ", offset " +
                          std::to_string(offset_flags & 0xfff8) +
                          ((offset_flags & 1) ? ", more fragments" : ", last") + ")");
        }
        pos += 8;  // an atomic fragment: the whole packet
        break;
      }
      case 50:
        return skip(IpSkip::Encrypted, "IPsec ESP");
      default:
        return skip(IpSkip::NotTcp, "IPv6 next header " + std::to_string(next));
    }
  }
  return skip(IpSkip::Malformed, "more than 16 IPv6 extension headers");
}

}  // namespace

std::string Endpoint::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(ipv6 ? AF_INET6 : AF_INET, address.data(), text, sizeof text)) return "?";
  return ipv6 ? "[" + std::string(text) + "]:" + std::to_string(port)
              : std::string(text) + ":" + std::to_string(port);
}

wire::Result<TcpSegment, IpSkipReason> parse_tcp_segment(const NetworkPacket& packet) {
  return packet.protocol == NetworkProtocol::Ipv4 ? parse_ipv4(packet.bytes)
                                                  : parse_ipv6(packet.bytes);
}

}  // namespace iscsi::capture
