// Test support for the capture decoder tests: hand-built frames (Ethernet,
// VLAN, Linux cooked v1/v2, BSD loopback, raw IP; IPv4 and IPv6; TCP) laid
// out from RFC 791 §3.1, RFC 8200 §3-4 and RFC 793 §3.1 independently of
// the code under test, capture files written through libpcap, and a sink
// that keeps everything the decoder reports.
#pragma once

#include <pcap/pcap.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "capture/decoded_pdu.h"
#include "wire/bytes.h"
#include "wire/pdu.h"
#include "wire/pdu_codec.h"
#include "wire/text.h"

namespace iscsi::capture::test {

using wire::Bytes;

inline void put16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
inline void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}
inline Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

namespace flags {
constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

// A TCP header (20 bytes, no options) followed by the payload.
inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                 std::uint8_t fl, const Bytes& payload) {
  Bytes t(20, 0);
  put16(t, 0, sport);
  put16(t, 2, dport);
  put32(t, 4, seq);
  put32(t, 8, ack);
  t[12] = 5 << 4;
  t[13] = fl;
  put16(t, 14, 65535);
  return cat(t, payload);
}

using Ip4 = std::array<std::uint8_t, 4>;
using Ip6 = std::array<std::uint8_t, 16>;

// An IPv4 header (20 bytes) around `l4`. `total_length` overrides the
// Total Length field; `fragment` is the flags/fragment-offset word.
inline Bytes ipv4(const Ip4& src, const Ip4& dst, const Bytes& l4, std::uint8_t protocol = 6,
                  std::uint16_t fragment = 0x4000, int total_length = -1) {
  Bytes h(20, 0);
  h[0] = 0x45;
  put16(h, 2, static_cast<std::uint16_t>(total_length >= 0 ? total_length : 20 + l4.size()));
  put16(h, 4, 0x1234);
  put16(h, 6, fragment);
  h[8] = 64;
  h[9] = protocol;
  std::copy(src.begin(), src.end(), h.begin() + 12);
  std::copy(dst.begin(), dst.end(), h.begin() + 16);
  return cat(h, l4);
}

// An IPv6 header (40 bytes) around `rest`, whose first header is `next`.
inline Bytes ipv6(const Ip6& src, const Ip6& dst, std::uint8_t next, const Bytes& rest) {
  Bytes h(40, 0);
  h[0] = 0x60;
  put16(h, 4, static_cast<std::uint16_t>(rest.size()));
  h[6] = next;
  h[7] = 64;
  std::copy(src.begin(), src.end(), h.begin() + 8);
  std::copy(dst.begin(), dst.end(), h.begin() + 24);
  return cat(h, rest);
}

// An 8-byte IPv6 extension header (Hop-by-Hop or Destination Options: next
// header, length 0 = 8 bytes, padding).
inline Bytes ipv6_options(std::uint8_t next) {
  Bytes h(8, 0);
  h[0] = next;
  h[2] = 1;  // PadN option covering the rest
  h[3] = 4;
  return h;
}

inline Bytes ethernet(const Bytes& ip, std::uint16_t type = 0x0800,
                      std::vector<std::uint16_t> vlans = {}) {
  Bytes e(12, 0);
  e[0] = 0x02;
  e[6] = 0x02;
  e[11] = 1;
  for (std::uint16_t tpid : vlans) {
    Bytes tag(4, 0);
    put16(tag, 0, tpid);
    put16(tag, 2, 100);  // VLAN 100
    e = cat(e, tag);
  }
  Bytes t(2, 0);
  put16(t, 0, type);
  return cat(cat(e, t), ip);
}

// Linux cooked capture v1: packet type, ARPHRD, address length, 8 address
// bytes, protocol.
inline Bytes sll(const Bytes& ip, std::uint16_t protocol) {
  Bytes h(16, 0);
  put16(h, 2, 772);  // ARPHRD_LOOPBACK
  put16(h, 4, 6);
  put16(h, 14, protocol);
  return cat(h, ip);
}

// Linux cooked capture v2: protocol, reserved, interface index, ARPHRD,
// packet type, address length, 8 address bytes.
inline Bytes sll2(const Bytes& ip, std::uint16_t protocol) {
  Bytes h(20, 0);
  put16(h, 0, protocol);
  put32(h, 4, 1);
  put16(h, 8, 772);
  h[11] = 6;
  return cat(h, ip);
}

// BSD loopback: the address family as 4 bytes, little-endian (DLT_NULL as
// written by a little-endian host) or big-endian (DLT_LOOP).
inline Bytes null_header(std::uint32_t family, bool big_endian, const Bytes& ip) {
  Bytes h(4, 0);
  for (int i = 0; i < 4; ++i) {
    h[big_endian ? 3 - i : i] = static_cast<std::uint8_t>(family >> (8 * i));
  }
  return cat(h, ip);
}

struct Frame {
  Bytes bytes;
  std::int64_t micros = 0;
  std::uint32_t original_length = 0;  // 0: the frame's size
};

// Writes `frames` with link type `dlt` through libpcap.
inline bool write_pcap(const std::string& path, int dlt, const std::vector<Frame>& frames,
                       int snaplen = 262144) {
  pcap_t* dead = pcap_open_dead(dlt, snaplen);
  if (!dead) return false;
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  if (!d) {
    pcap_close(dead);
    return false;
  }
  for (const Frame& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(f.micros / 1'000'000);
    h.ts.tv_usec = static_cast<suseconds_t>(f.micros % 1'000'000);
    h.caplen = static_cast<bpf_u_int32>(f.bytes.size());
    h.len = f.original_length ? f.original_length : h.caplen;
    pcap_dump(reinterpret_cast<u_char*>(d), &h, f.bytes.data());
  }
  pcap_dump_close(d);
  pcap_close(dead);
  return true;
}

// A TCP conversation between a client (the initiator) and a server (the
// target, port 3260 unless said otherwise), with segment sequence numbers
// given as stream offsets. Produces IPv4 or IPv6 packets without link layer.
struct Conversation {
  Ip4 client_ip{10, 0, 0, 1};
  Ip4 server_ip{10, 0, 0, 2};
  Ip6 client_ip6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  Ip6 server_ip6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  bool v6 = false;
  std::uint16_t client_port = 40000;
  std::uint16_t server_port = 3260;
  std::uint32_t client_isn = 1000;
  std::uint32_t server_isn = 0xfffff000;  // wraps after 4 KiB

  Bytes packet(bool from_client, std::uint32_t seq, std::uint32_t ack, std::uint8_t fl,
               const Bytes& payload) const {
    const Bytes l4 = from_client ? tcp(client_port, server_port, seq, ack, fl, payload)
                                 : tcp(server_port, client_port, seq, ack, fl, payload);
    if (v6)
      return from_client ? ipv6(client_ip6, server_ip6, 6, l4)
                         : ipv6(server_ip6, client_ip6, 6, l4);
    return from_client ? ipv4(client_ip, server_ip, l4) : ipv4(server_ip, client_ip, l4);
  }
  Bytes syn() const { return packet(true, client_isn, 0, flags::kSyn, {}); }
  Bytes syn_ack() const {
    return packet(false, server_isn, client_isn + 1, flags::kSyn | flags::kAck, {});
  }
  Bytes ack() const { return packet(true, client_isn + 1, server_isn + 1, flags::kAck, {}); }
  // Data at stream `offset` of one side, acknowledging `peer_offset` of the other.
  Bytes data(bool from_client, std::uint64_t offset, const Bytes& payload,
             std::uint64_t peer_offset = 0, std::uint8_t fl = flags::kAck | flags::kPsh) const {
    const std::uint32_t seq =
        (from_client ? client_isn : server_isn) + 1 + static_cast<std::uint32_t>(offset);
    const std::uint32_t ack =
        (from_client ? server_isn : client_isn) + 1 + static_cast<std::uint32_t>(peer_offset);
    return packet(from_client, seq, ack, fl, payload);
  }
  Bytes fin(bool from_client, std::uint64_t offset, std::uint64_t peer_offset) const {
    return data(from_client, offset, {}, peer_offset, flags::kFin | flags::kAck);
  }
};

// PDUs used across the tests.
inline Bytes keys(std::initializer_list<std::string> pairs) {
  std::vector<wire::text::KeyValue> kv;
  for (const std::string& p : pairs) {
    const auto eq = p.find('=');
    kv.push_back({p.substr(0, eq), p.substr(eq + 1)});
  }
  return wire::text::encode(kv);
}

inline wire::LoginRequest login_request(const Bytes& text, bool final = true) {
  wire::LoginRequest p;
  p.transit = final;
  p.csg = 1;
  p.nsg = final ? 3 : 1;
  p.isid = wire::Isid{0, 0x3d, 1, 0, 1};
  p.initiator_task_tag = 1;
  p.cmd_sn = 1;
  p.data = text;
  return p;
}

inline wire::LoginResponse login_response(const Bytes& text, bool final = true) {
  wire::LoginResponse p;
  p.transit = final;
  p.csg = 1;
  p.nsg = final ? 3 : 1;
  p.isid = wire::Isid{0, 0x3d, 1, 0, 1};
  p.tsih = 7;
  p.initiator_task_tag = 1;
  p.exp_cmd_sn = 1;
  p.max_cmd_sn = 32;
  p.data = text;
  return p;
}

inline wire::NopOut nop_out(std::uint32_t itt, std::size_t data = 0) {
  wire::NopOut p;
  p.immediate = true;
  p.initiator_task_tag = itt;
  p.cmd_sn = 2;
  p.exp_stat_sn = 1;
  p.data = Bytes(data, 0x5a);
  return p;
}

inline wire::NopIn nop_in(std::uint32_t itt, std::size_t data = 0) {
  wire::NopIn p;
  p.initiator_task_tag = itt;
  p.stat_sn = 1;
  p.exp_cmd_sn = 2;
  p.max_cmd_sn = 33;
  p.data = Bytes(data, 0xa5);
  return p;
}

inline wire::ScsiDataIn data_in(std::uint32_t itt, std::size_t length, std::uint32_t offset = 0) {
  wire::ScsiDataIn p;
  p.initiator_task_tag = itt;
  p.buffer_offset = offset;
  p.stat_sn = 1;
  p.exp_cmd_sn = 2;
  p.max_cmd_sn = 33;
  p.data.resize(length);
  for (std::size_t i = 0; i < length; ++i) p.data[i] = static_cast<std::uint8_t>(i * 7 + itt);
  return p;
}

// Keeps everything the decoder reports.
struct Collect : DecodeSink {
  std::vector<DecodedPdu> pdus;
  std::vector<Note> notes;
  std::vector<ConnectionReport> starts;
  std::vector<ConnectionReport> ends;
  void connection_start(const ConnectionReport& r) override { starts.push_back(r); }
  void pdu(const DecodedPdu& p) override { pdus.push_back(p); }
  void note(const Note& n) override { notes.push_back(n); }
  void connection_end(const ConnectionReport& r) override { ends.push_back(r); }

  std::size_t count_notes(const std::string& kind) const {
    std::size_t n = 0;
    for (const Note& note : notes) n += note.kind == kind;
    return n;
  }
  bool has_issue(std::size_t pdu, const std::string& code) const {
    for (const auto& i : pdus.at(pdu).issues) {
      if (i.code == code) return true;
    }
    return false;
  }
  wire::Opcode opcode(std::size_t pdu) const {
    return static_cast<wire::Opcode>(pdus.at(pdu).framed.bhs[0] & wire::kOpcodeMask);
  }
};

// A scratch file name unique to this process and test.
inline std::string scratch(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("capture_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

}  // namespace iscsi::capture::test
