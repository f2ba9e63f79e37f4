#include "capture/link_layer.h"

#include <pcap/dlt.h>

namespace iscsi::capture {

namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
// IEEE 802.1Q customer tag, 802.1ad service tag, and the pre-standard QinQ
// type some switches still send.
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88a8;
constexpr std::uint16_t kEtherQinQOld = 0x9100;
constexpr int kMaxVlanTags = 8;

constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kSllHeader = 16;   // Linux cooked capture v1
constexpr std::size_t kSll2Header = 20;  // Linux cooked capture v2
constexpr std::size_t kNullHeader = 4;   // BSD loopback: the address family

wire::Unexpected<LinkSkipReason> skip(LinkSkip kind, std::string detail) {
  return wire::Unexpected(LinkSkipReason{kind, std::move(detail)});
}

std::string hex16(std::uint16_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s += digits[(v >> shift) & 0xf];
  return s;
}

// Follows VLAN tags from an EtherType at `type_at`; the payload starts two
// bytes after the final EtherType.
wire::Result<NetworkPacket, LinkSkipReason> by_ethertype(wire::ByteView frame,
                                                         std::size_t type_at) {
  for (int tags = 0;; ++tags) {
    if (frame.size() < type_at + 2) return skip(LinkSkip::Malformed, "link header cut short");
    const std::uint16_t type = wire::load_be16(frame.data() + type_at);
    if (type == kEtherIpv4) return NetworkPacket{NetworkProtocol::Ipv4, frame.subspan(type_at + 2)};
    if (type == kEtherIpv6) return NetworkPacket{NetworkProtocol::Ipv6, frame.subspan(type_at + 2)};
    if (type != kEtherVlan && type != kEtherQinQ && type != kEtherQinQOld) {
      // Below 0x0600 the field is an IEEE 802.3 length (LLC follows).
      return skip(LinkSkip::NotIp,
                  type < 0x0600 ? "IEEE 802.3 / LLC frame" : "EtherType " + hex16(type));
    }
    if (tags == kMaxVlanTags) return skip(LinkSkip::Malformed, "more than 8 stacked VLAN tags");
    type_at += 4;  // the tag: 2 bytes of TCI, then the next EtherType
  }
}

// BSD loopback header: the protocol family as a 32-bit integer, in the
// capturing host's byte order for DLT_NULL and in network order for DLT_LOOP.
wire::Result<NetworkPacket, LinkSkipReason> by_family(wire::ByteView frame, bool network_order) {
  if (frame.size() < kNullHeader) return skip(LinkSkip::Malformed, "loopback header cut short");
  const std::uint32_t be = wire::load_be32(frame.data());
  const std::uint32_t le = static_cast<std::uint32_t>(frame[0]) | frame[1] << 8 | frame[2] << 16 |
                           static_cast<std::uint32_t>(frame[3]) << 24;
  auto is = [&](std::uint32_t family) { return be == family || (!network_order && le == family); };
  const wire::ByteView ip = frame.subspan(kNullHeader);
  if (is(2)) return NetworkPacket{NetworkProtocol::Ipv4, ip};  // AF_INET everywhere
  // AF_INET6 differs per system: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30.
  if (is(10) || is(24) || is(28) || is(30)) return NetworkPacket{NetworkProtocol::Ipv6, ip};
  return skip(LinkSkip::NotIp, "loopback address family " + std::to_string(be));
}

wire::Result<NetworkPacket, LinkSkipReason> raw_ip(wire::ByteView frame) {
  if (frame.empty()) return skip(LinkSkip::Malformed, "empty frame");
  const int version = frame[0] >> 4;
  if (version == 4) return NetworkPacket{NetworkProtocol::Ipv4, frame};
  if (version == 6) return NetworkPacket{NetworkProtocol::Ipv6, frame};
  return skip(LinkSkip::NotIp, "IP version " + std::to_string(version));
}

}  // namespace

bool link_type_supported(int link_type) {
  switch (link_type) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return true;
    default:
      return false;
  }
}

wire::Result<NetworkPacket, LinkSkipReason> strip_link_layer(int link_type, wire::ByteView frame) {
  switch (link_type) {
    case DLT_EN10MB:
      if (frame.size() < kEthernetHeader)
        return skip(LinkSkip::Malformed, "Ethernet header cut short");
      return by_ethertype(frame, 12);
    case DLT_LINUX_SLL:
      // Packet type, ARPHRD type, address length, 8 address bytes, protocol.
      if (frame.size() < kSllHeader) return skip(LinkSkip::Malformed, "cooked header cut short");
      return by_ethertype(frame, 14);
    case DLT_LINUX_SLL2: {
      // Protocol, reserved, interface index, ARPHRD type, packet type,
      // address length, 8 address bytes. The protocol comes first, so VLAN
      // tags (if any) follow the 20-byte header.
      if (frame.size() < kSll2Header)
        return skip(LinkSkip::Malformed, "cooked v2 header cut short");
      const std::uint16_t type = wire::load_be16(frame.data());
      if (type == kEtherIpv4)
        return NetworkPacket{NetworkProtocol::Ipv4, frame.subspan(kSll2Header)};
      if (type == kEtherIpv6)
        return NetworkPacket{NetworkProtocol::Ipv6, frame.subspan(kSll2Header)};
      if (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld) {
        return by_ethertype(frame, kSll2Header + 2);
      }
      return skip(LinkSkip::NotIp, "protocol " + hex16(type));
    }
    case DLT_NULL:
      return by_family(frame, false);
    case DLT_LOOP:
      return by_family(frame, true);
    case DLT_RAW:
      return raw_ip(frame);
    case DLT_IPV4: {
      auto p = raw_ip(frame);
      if (p && p->protocol != NetworkProtocol::Ipv4)
        return skip(LinkSkip::Malformed, "IPv6 in an IPv4 link");
      return p;
    }
    case DLT_IPV6: {
      auto p = raw_ip(frame);
      if (p && p->protocol != NetworkProtocol::Ipv6)
        return skip(LinkSkip::Malformed, "IPv4 in an IPv6 link");
      return p;
    }
    default:
      return skip(LinkSkip::UnsupportedLinkType, "link type " + std::to_string(link_type));
  }
}

}  // namespace iscsi::capture
