// Stripping the link-layer header of a captured frame down to its IPv4 or
// IPv6 packet. Link types: Ethernet (with stacked 802.1Q/802.1ad VLAN tags),
// Linux cooked capture v1 and v2, BSD loopback (null and loop), and raw IP.
// Pure functions over the frame's bytes.
#pragma once

#include <cstdint>
#include <string>

#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::capture {

enum class NetworkProtocol : std::uint8_t { Ipv4, Ipv6 };

struct NetworkPacket {
  NetworkProtocol protocol = NetworkProtocol::Ipv4;
  wire::ByteView bytes;  // from the IP header on, as captured
};

// Why a frame carries no IP packet this decoder reads.
enum class LinkSkip : std::uint8_t {
  UnsupportedLinkType,  // the capture's link type is not one of the above
  NotIp,                // ARP, LLC, another protocol family
  Malformed,            // the link header is cut short or inconsistent
};

struct LinkSkipReason {
  LinkSkip kind;
  std::string detail;
};

bool link_type_supported(int link_type);

wire::Result<NetworkPacket, LinkSkipReason> strip_link_layer(int link_type, wire::ByteView frame);

}  // namespace iscsi::capture
