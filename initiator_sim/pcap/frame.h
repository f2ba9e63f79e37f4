// One synthesized Ethernet II / IPv4 / TCP frame, with correct IPv4 header
// and TCP checksums. Pure functions, no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wire/result.h"

namespace iscsi::capture {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MacAddress = std::array<std::uint8_t, 6>;
using Ipv4Address = std::array<std::uint8_t, 4>;

constexpr std::size_t kEthernetHeaderLength = 14;
constexpr std::size_t kIpv4HeaderLength = 20;  // no IP options are ever written
constexpr std::size_t kTcpHeaderLength = 20;   // without options
constexpr std::size_t kTcpMssOptionLength = 4;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint8_t kIpProtocolTcp = 6;
// IPv4 Total Length is a 16-bit field (RFC 791 §3.1).
constexpr std::size_t kMaxIpv4TotalLength = 0xffff;

// TCP header flag bits (RFC 793 §3.1).
namespace tcp_flag {
constexpr std::uint8_t kFin = 0x01;
constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kRst = 0x04;
constexpr std::uint8_t kPsh = 0x08;
constexpr std::uint8_t kAck = 0x10;
}  // namespace tcp_flag

struct TcpSegmentSpec {
  MacAddress src_mac{};
  MacAddress dst_mac{};
  Ipv4Address src_ip{};
  Ipv4Address dst_ip{};
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 64;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  std::optional<std::uint16_t> mss_option;  // TCP MSS option (kind 2), for SYNs
  ByteView payload;
};

// One's-complement sum of 16-bit big-endian words (RFC 1071 §4.1), folded
// lazily: feed chunks with checksum_add (an odd-length chunk is padded with a
// zero byte, so only the last chunk may be odd), then checksum_finish.
std::uint32_t checksum_add(std::uint32_t sum, ByteView data);
std::uint16_t checksum_finish(std::uint32_t sum);

// Largest payload that fits in one frame with the given options.
std::size_t max_tcp_payload(bool with_mss_option);

// Ethernet + IPv4 + TCP headers + payload. Fails only when the payload does
// not fit in one IPv4 datagram.
wire::Result<Bytes, std::string> build_tcp_frame(const TcpSegmentSpec& spec);

}  // namespace iscsi::capture
