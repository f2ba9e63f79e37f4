// Test-only reading of Ethernet/IPv4/TCP frames, written independently of
// frame.cpp (different checksum arithmetic, field offsets from RFC 791 §3.1
// and RFC 793 §3.1) so that the tests do not check the code against itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace iscsi::capture::testing {

struct ParsedFrame {
  std::vector<std::uint8_t> dst_mac, src_mac;
  std::uint16_t ether_type = 0;
  std::uint8_t ip_version = 0, ip_ihl = 0, ttl = 0, ip_protocol = 0;
  std::uint16_t ip_total_length = 0, ip_id = 0, ip_flags_fragment = 0;
  std::uint32_t src_ip = 0, dst_ip = 0;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t tcp_header_length = 0, flags = 0;
  std::uint16_t window = 0, urgent = 0;
  std::optional<std::uint16_t> mss;
  bool ip_checksum_ok = false;
  bool tcp_checksum_ok = false;
  std::vector<std::uint8_t> payload;
};

inline std::uint32_t be(std::span<const std::uint8_t> b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v * 256 + b[at + i];
  return v;
}

// Sums 16-bit words in 64 bits and folds at the end; a correct checksum makes
// the sum over the covered bytes, checksum field included, 0xffff (RFC 1071 §1).
inline bool ones_complement_sum_is_ffff(const std::vector<std::uint8_t>& bytes) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    std::uint64_t hi = bytes[i];
    std::uint64_t lo = i + 1 < bytes.size() ? bytes[i + 1] : 0;
    sum += hi * 256 + lo;
  }
  while (sum > 0xffff) sum = (sum % 0x10000) + (sum / 0x10000);
  return sum == 0xffff;
}

inline std::optional<ParsedFrame> parse_frame(std::span<const std::uint8_t> f) {
  if (f.size() < 54) return std::nullopt;
  ParsedFrame p;
  p.dst_mac.assign(f.begin(), f.begin() + 6);
  p.src_mac.assign(f.begin() + 6, f.begin() + 12);
  p.ether_type = static_cast<std::uint16_t>(be(f, 12, 2));
  auto ip = f.subspan(14);
  p.ip_version = ip[0] >> 4;
  p.ip_ihl = ip[0] & 0x0f;
  p.ip_total_length = static_cast<std::uint16_t>(be(ip, 2, 2));
  p.ip_id = static_cast<std::uint16_t>(be(ip, 4, 2));
  p.ip_flags_fragment = static_cast<std::uint16_t>(be(ip, 6, 2));
  p.ttl = ip[8];
  p.ip_protocol = ip[9];
  p.src_ip = be(ip, 12, 4);
  p.dst_ip = be(ip, 16, 4);
  if (p.ip_ihl != 5 || p.ip_total_length != ip.size()) return std::nullopt;
  p.ip_checksum_ok = ones_complement_sum_is_ffff({ip.begin(), ip.begin() + 20});
  auto tcp = ip.subspan(20);
  p.src_port = static_cast<std::uint16_t>(be(tcp, 0, 2));
  p.dst_port = static_cast<std::uint16_t>(be(tcp, 2, 2));
  p.seq = be(tcp, 4, 4);
  p.ack = be(tcp, 8, 4);
  p.tcp_header_length = static_cast<std::uint8_t>((tcp[12] >> 4) * 4);
  p.flags = tcp[13];
  p.window = static_cast<std::uint16_t>(be(tcp, 14, 2));
  p.urgent = static_cast<std::uint16_t>(be(tcp, 18, 2));
  if (p.tcp_header_length < 20 || p.tcp_header_length > tcp.size()) return std::nullopt;
  if (p.tcp_header_length >= 24 && tcp[20] == 2 && tcp[21] == 4) {
    p.mss = static_cast<std::uint16_t>(be(tcp, 22, 2));
  }
  p.payload.assign(tcp.begin() + p.tcp_header_length, tcp.end());
  // Pseudo header of RFC 793 §3.1, then the segment.
  std::vector<std::uint8_t> covered(ip.begin() + 12, ip.begin() + 20);
  covered.push_back(0);
  covered.push_back(6);
  covered.push_back(static_cast<std::uint8_t>(tcp.size() >> 8));
  covered.push_back(static_cast<std::uint8_t>(tcp.size() & 0xff));
  covered.insert(covered.end(), tcp.begin(), tcp.end());
  p.tcp_checksum_ok = ones_complement_sum_is_ffff(covered);
  return p;
}

}  // namespace iscsi::capture::testing
