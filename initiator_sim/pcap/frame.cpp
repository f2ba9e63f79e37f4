#include "pcap/frame.h"

namespace iscsi::capture {

namespace {

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}

// IPv4 flags field: Don't Fragment, as every TCP stack with path MTU
// discovery sends (RFC 791 §3.1, RFC 1191).
constexpr std::uint16_t kIpv4DontFragment = 0x4000;

}  // namespace

std::uint32_t checksum_add(std::uint32_t sum, ByteView data) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum += static_cast<std::uint32_t>(data[i]) << 8 | data[i + 1];
    // Fold early so that the accumulator never overflows, whatever the length.
    if (sum & 0x80000000u) sum = (sum & 0xffff) + (sum >> 16);
  }
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i]) << 8;
  return sum;
}

std::uint16_t checksum_finish(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::size_t max_tcp_payload(bool with_mss_option) {
  return kMaxIpv4TotalLength - kIpv4HeaderLength - kTcpHeaderLength -
         (with_mss_option ? kTcpMssOptionLength : 0);
}

wire::Result<Bytes, std::string> build_tcp_frame(const TcpSegmentSpec& spec) {
  const bool mss = spec.mss_option.has_value();
  if (spec.payload.size() > max_tcp_payload(mss)) {
    return wire::Unexpected(std::string("TCP payload of ") + std::to_string(spec.payload.size()) +
                            " bytes does not fit in one IPv4 datagram");
  }
  const std::size_t tcp_header = kTcpHeaderLength + (mss ? kTcpMssOptionLength : 0);
  const std::size_t tcp_length = tcp_header + spec.payload.size();
  const std::size_t ip_total = kIpv4HeaderLength + tcp_length;

  Bytes frame(kEthernetHeaderLength + ip_total, 0);
  std::uint8_t* eth = frame.data();
  std::copy(spec.dst_mac.begin(), spec.dst_mac.end(), eth);
  std::copy(spec.src_mac.begin(), spec.src_mac.end(), eth + 6);
  put16(eth + 12, kEtherTypeIpv4);

  std::uint8_t* ip = eth + kEthernetHeaderLength;
  ip[0] = 0x45;  // version 4, IHL 5 words
  ip[1] = 0;     // DSCP/ECN
  put16(ip + 2, static_cast<std::uint16_t>(ip_total));
  put16(ip + 4, spec.ip_id);
  put16(ip + 6, kIpv4DontFragment);
  ip[8] = spec.ttl;
  ip[9] = kIpProtocolTcp;
  std::copy(spec.src_ip.begin(), spec.src_ip.end(), ip + 12);
  std::copy(spec.dst_ip.begin(), spec.dst_ip.end(), ip + 16);
  // RFC 791 §3.1: the checksum covers the header, with the field itself zero.
  put16(ip + 10, checksum_finish(checksum_add(0, ByteView(ip, kIpv4HeaderLength))));

  std::uint8_t* tcp = ip + kIpv4HeaderLength;
  put16(tcp + 0, spec.src_port);
  put16(tcp + 2, spec.dst_port);
  put32(tcp + 4, spec.seq);
  put32(tcp + 8, spec.ack);
  tcp[12] = static_cast<std::uint8_t>((tcp_header / 4) << 4);  // data offset in words
  tcp[13] = spec.flags;
  put16(tcp + 14, spec.window);
  // Urgent pointer (bytes 18-19) stays zero: URG is never set.
  if (mss) {
    tcp[20] = 2;  // kind: Maximum Segment Size (RFC 793 §3.1)
    tcp[21] = 4;  // length
    put16(tcp + 22, *spec.mss_option);
  }
  std::copy(spec.payload.begin(), spec.payload.end(), tcp + tcp_header);

  // RFC 793 §3.1: the checksum covers a pseudo header (source, destination,
  // zero, protocol, TCP length), the TCP header and the data.
  std::array<std::uint8_t, 12> pseudo{};
  std::copy(spec.src_ip.begin(), spec.src_ip.end(), pseudo.begin());
  std::copy(spec.dst_ip.begin(), spec.dst_ip.end(), pseudo.begin() + 4);
  pseudo[9] = kIpProtocolTcp;
  put16(pseudo.data() + 10, static_cast<std::uint16_t>(tcp_length));
  std::uint32_t sum = checksum_add(0, pseudo);
  sum = checksum_add(sum, ByteView(tcp, tcp_length));
  put16(tcp + 16, checksum_finish(sum));
  return frame;
}

}  // namespace iscsi::capture
