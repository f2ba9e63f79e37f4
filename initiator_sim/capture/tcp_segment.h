// Reading the IPv4 or IPv6 header and the TCP header of a packet into one
// TCP segment: endpoints, sequence and acknowledgment numbers, flags and the
// payload. IP fragments are not reassembled: they are reported and skipped.
// Checksums are not verified (captures taken on the sending host carry
// offloaded, not yet computed checksums).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>

#include "capture/link_layer.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::capture {

struct Endpoint {
  bool ipv6 = false;
  std::array<std::uint8_t, 16> address{};  // IPv4 in the first 4 bytes
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
  // "192.0.2.1:3260" or "[2001:db8::1]:3260".
  std::string to_string() const;
};

struct TcpSegment {
  Endpoint source;
  Endpoint destination;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;  // RFC 793 §3.1: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10
  wire::ByteView payload;  // the captured payload bytes
  // The payload length the IP header announces; larger than payload.size()
  // when the snapshot length cut the frame.
  std::uint32_t payload_length = 0;
};

enum class IpSkip : std::uint8_t {
  NotTcp,     // another transport protocol
  Fragment,   // an IP fragment (reassembly is not done)
  Malformed,  // headers cut short or inconsistent
  Encrypted,  // IPsec ESP: the transport header is not visible
};

struct IpSkipReason {
  IpSkip kind;
  std::string detail;
};

wire::Result<TcpSegment, IpSkipReason> parse_tcp_segment(const NetworkPacket& packet);

}  // namespace iscsi::capture
