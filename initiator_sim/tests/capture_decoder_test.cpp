// End to end: capture files, written by the project's pcap writer or built
// frame by frame, decoded back into the PDUs that went into them.
#include "capture/capture_decoder.h"

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <fstream>
#include <random>

#include "pcap/pcap_writer.h"
#include "pcap/tests/tshark_session.h"
#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using test::Bytes;
using wire::DigestSettings;
namespace fl = test::flags;

// Writes the steps of one connection through PcapWriter (segments of at
// most `mss` bytes, ACKs, handshake and close).
void write_session(const std::string& path, const std::vector<wire::tshark_check::Step>& steps,
                   DigestSettings digests, std::uint16_t mss) {
  auto writer = PcapWriter::create(path);
  ASSERT_TRUE(writer) << writer.error().message;
  auto config = writer->next_connection_config();
  config.mss = mss;
  Timestamp t{1'700'000'000'000'000};
  auto id = writer->open_connection(config, t);
  ASSERT_TRUE(id);
  for (const auto& step : steps) {
    t += Timestamp(100);
    const Bytes bytes = wire::encode(step.pdu, step.login_phase ? DigestSettings{} : digests);
    ASSERT_TRUE(writer->send(*id, step.from, bytes, t));
  }
  ASSERT_TRUE(writer->close_connection(*id, Direction::ClientToServer, t + Timestamp(100)));
  ASSERT_TRUE(writer->flush());
}

test::Collect decode(const std::string& path, DecodeSummary* summary = nullptr,
                     DecoderOptions options = {}) {
  test::Collect sink;
  auto r = decode_capture_file(path, options, sink);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (r && summary) *summary = *r;
  return sink;
}

void expect_same_pdus(const test::Collect& got, const std::vector<wire::tshark_check::Step>& steps,
                      DigestSettings digests) {
  ASSERT_EQ(got.pdus.size(), steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const DecodedPdu& d = got.pdus[i];
    ASSERT_TRUE(d.pdu.has_value()) << "PDU " << i;
    EXPECT_TRUE(*d.pdu == steps[i].pdu) << "PDU " << i << " differs from what was written";
    EXPECT_EQ(d.direction, steps[i].from == Direction::ClientToServer
                               ? PduDirection::InitiatorToTarget
                               : PduDirection::TargetToInitiator);
    EXPECT_TRUE(d.issues.empty()) << "PDU " << i << ": " << d.issues.front().code;
    const bool digest_on = !steps[i].login_phase;
    EXPECT_EQ(d.framed.header_digest,
              digest_on && digests.header ? DigestCheck::Good : DigestCheck::Absent)
        << "PDU " << i;
    const bool has_data = !wire::data_of(steps[i].pdu).empty();
    EXPECT_EQ(d.framed.data_digest,
              digest_on && digests.data && has_data ? DigestCheck::Good : DigestCheck::Absent)
        << "PDU " << i;
    EXPECT_EQ(d.index, i + 1);
    EXPECT_EQ(d.connection, 1u);
  }
}

TEST(CaptureDecoder, EveryPduTypeFromTheWriterWithAndWithoutDigests) {
  for (const DigestSettings d : {DigestSettings{false, false}, DigestSettings{true, false},
                                 DigestSettings{false, true}, DigestSettings{true, true}}) {
    const std::string path = test::scratch("writer_session.pcap");
    const auto steps = wire::tshark_check::full_session(d);
    write_session(path, steps, d, 100);  // MSS 100: every header spans segments
    DecodeSummary summary;
    const auto got = decode(path, &summary);
    expect_same_pdus(got, steps, d);
    ASSERT_EQ(got.ends.size(), 1u);
    EXPECT_TRUE(got.ends[0].login_captured);
    EXPECT_EQ(got.ends[0].digest_source, DigestSource::Login);
    EXPECT_EQ(got.ends[0].header_digest, d.header);
    EXPECT_EQ(got.ends[0].data_digest, d.data);
    EXPECT_EQ(got.ends[0].end, "closed");
    EXPECT_EQ(summary.iscsi_connections, 1u);
    EXPECT_EQ(summary.pdus, steps.size());
    EXPECT_EQ(summary.pdus_with_issues, 0u);
    EXPECT_FALSE(summary.read_error.has_value());
  }
}

// Frames of a conversation in which the initiator sends `pdus` as one byte
// stream cut into `segment`-byte segments, and the target acknowledges.
struct Built {
  test::Conversation conv;
  std::vector<Bytes> frames;                              // IP packets
  Bytes stream;                                           // the initiator's bytes
  std::vector<std::pair<std::uint64_t, Bytes>> segments;  // (offset, payload)

  explicit Built(const std::vector<wire::Pdu>& pdus, std::size_t segment = 100) {
    for (const auto& p : pdus) wire::encode_append(p, {}, stream);
    for (std::size_t off = 0; off < stream.size(); off += segment) {
      const std::size_t n = std::min(segment, stream.size() - off);
      segments.emplace_back(off, Bytes(stream.begin() + static_cast<std::ptrdiff_t>(off),
                                       stream.begin() + static_cast<std::ptrdiff_t>(off + n)));
    }
  }
  Bytes seg(std::size_t i) const { return conv.data(true, segments[i].first, segments[i].second); }
};

std::vector<test::Frame> ethernet_frames(const std::vector<Bytes>& packets) {
  std::vector<test::Frame> frames;
  std::int64_t t = 1'000'000;
  for (const Bytes& p : packets) {
    frames.push_back({test::ethernet(p, p[0] >> 4 == 6 ? 0x86dd : 0x0800), t, 0});
    t += 10;
  }
  return frames;
}

std::vector<wire::Pdu> initiator_pdus() {
  return {test::login_request(
              test::keys({"InitiatorName=iqn.2024-01.org.example:i", "SessionType=Discovery"})),
          test::nop_out(2, 333), test::nop_out(3, 0), test::nop_out(4, 1000)};
}

void expect_initiator_pdus(const test::Collect& got, std::size_t expected = 4) {
  const auto pdus = initiator_pdus();
  ASSERT_EQ(got.pdus.size(), expected);
  for (std::size_t i = 0; i < expected; ++i) {
    ASSERT_TRUE(got.pdus[i].pdu) << i;
    EXPECT_TRUE(*got.pdus[i].pdu == pdus[i]) << "PDU " << i;
  }
}

TEST(CaptureDecoder, OutOfOrderRetransmittedAndOverlappingSegments) {
  Built b(initiator_pdus(), 100);
  const auto& c = b.conv;
  std::vector<Bytes> packets{c.syn(), c.syn_ack(), c.ack()};
  const std::size_t n = b.segments.size();
  ASSERT_GE(n, 8u);
  // Segments 0, 2, 1 (out of order), 3, 3 again (retransmission), then one
  // segment covering the second half of 4 and the first half of 5
  // (overlapping both), 4, 5, and the rest.
  packets.push_back(b.seg(0));
  packets.push_back(b.seg(2));
  packets.push_back(b.seg(1));
  packets.push_back(b.seg(3));
  packets.push_back(b.seg(3));
  const std::uint64_t mid = b.segments[4].first + 50;
  packets.push_back(c.data(true, mid,
                           Bytes(b.stream.begin() + static_cast<std::ptrdiff_t>(mid),
                                 b.stream.begin() + static_cast<std::ptrdiff_t>(mid + 100))));
  packets.push_back(b.seg(4));
  packets.push_back(b.seg(5));
  for (std::size_t i = 6; i < n; ++i) packets.push_back(b.seg(i));
  const std::string path = test::scratch("ooo.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, ethernet_frames(packets)));
  const auto got = decode(path);
  expect_initiator_pdus(got);
  ASSERT_EQ(got.ends.size(), 1u);
  EXPECT_EQ(got.ends[0].tcp[0].retransmitted, b.segments[3].second.size());
  EXPECT_GE(got.ends[0].tcp[0].overlapping, 100u);
  EXPECT_EQ(got.ends[0].tcp[0].conflicting, 0u);
  EXPECT_EQ(got.ends[0].tcp[0].gaps, 0u);
  EXPECT_EQ(got.count_notes("gap"), 0u);
}

TEST(CaptureDecoder, MissingSegmentIsAReportedGap) {
  // The capture lost the segment in the middle of the 1000-byte NOP-Out
  // data; the target's ACK shows the initiator sent it.
  Built b(initiator_pdus(), 200);
  const auto& c = b.conv;
  std::vector<Bytes> packets{c.syn(), c.syn_ack(), c.ack()};
  const std::size_t lost = b.segments.size() - 3;
  for (std::size_t i = 0; i < b.segments.size(); ++i) {
    if (i != lost) packets.push_back(b.seg(i));
  }
  packets.push_back(c.data(false, 0, {}, b.stream.size(), fl::kAck));
  const std::string path = test::scratch("gap.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, ethernet_frames(packets)));
  const auto got = decode(path);
  ASSERT_EQ(got.pdus.size(), 4u);
  EXPECT_EQ(got.pdus[3].framed.missing, b.segments[lost].second.size());
  EXPECT_TRUE(got.has_issue(3, "data-missing"));
  EXPECT_EQ(got.count_notes("gap"), 1u);
  EXPECT_EQ(got.ends[0].tcp[0].gaps, 1u);
  EXPECT_EQ(got.ends[0].tcp[0].gap_bytes, b.segments[lost].second.size());
}

TEST(CaptureDecoder, GapOverAHeaderResynchronises) {
  Built b(initiator_pdus(), 50);
  const auto& c = b.conv;
  // Drop the bytes of the second PDU's header (it starts right after the login).
  const std::uint64_t second = wire::encode(initiator_pdus()[0]).size();
  std::vector<Bytes> packets{c.syn(), c.syn_ack(), c.ack()};
  for (std::size_t i = 0; i < b.segments.size(); ++i) {
    const auto [off, payload] = b.segments[i];
    if (off + payload.size() > second && off < second + 48) continue;
    packets.push_back(b.seg(i));
  }
  packets.push_back(c.data(false, 0, {}, b.stream.size(), fl::kAck));
  const std::string path = test::scratch("gap_header.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, ethernet_frames(packets)));
  const auto got = decode(path);
  ASSERT_EQ(got.pdus.size(), 3u);
  EXPECT_EQ(got.opcode(0), wire::Opcode::LoginRequest);
  EXPECT_TRUE(got.pdus[1].framed.resynchronised);
  EXPECT_EQ(std::get<wire::NopOut>(*got.pdus[1].pdu).initiator_task_tag, 3u);
  EXPECT_EQ(std::get<wire::NopOut>(*got.pdus[2].pdu).initiator_task_tag, 4u);
  EXPECT_GE(got.count_notes("resync"), 2u);
}

TEST(CaptureDecoder, Ipv6OverLinuxCookedCapture) {
  for (const int dlt : {DLT_LINUX_SLL, DLT_LINUX_SLL2}) {
    Built b(initiator_pdus(), 300);
    b.conv.v6 = true;
    const auto& c = b.conv;
    std::vector<Bytes> packets{c.syn(), c.syn_ack(), c.ack()};
    for (std::size_t i = 0; i < b.segments.size(); ++i) packets.push_back(b.seg(i));
    std::vector<test::Frame> frames;
    for (const Bytes& p : packets) {
      frames.push_back(
          {dlt == DLT_LINUX_SLL ? test::sll(p, 0x86dd) : test::sll2(p, 0x86dd), 5'000'000, 0});
    }
    const std::string path = test::scratch("sll_v6.pcap");
    ASSERT_TRUE(test::write_pcap(path, dlt, frames));
    DecodeSummary summary;
    const auto got = decode(path, &summary);
    expect_initiator_pdus(got);
    EXPECT_EQ(got.starts.at(0).initiator.to_string(), "[2001:db8::1]:40000");
    EXPECT_EQ(got.starts.at(0).target.to_string(), "[2001:db8::2]:3260");
    EXPECT_EQ(summary.link_type, dlt == DLT_LINUX_SLL ? "LINUX_SLL" : "LINUX_SLL2");
  }
}

TEST(CaptureDecoder, VlanTaggedEthernetAndBsdLoopback) {
  Built b(initiator_pdus(), 1000);
  const auto& c = b.conv;
  std::vector<Bytes> packets{c.syn(), c.syn_ack(), c.ack()};
  for (std::size_t i = 0; i < b.segments.size(); ++i) packets.push_back(b.seg(i));
  std::vector<test::Frame> vlan, loop;
  for (const Bytes& p : packets) {
    vlan.push_back({test::ethernet(p, 0x0800, {0x88a8, 0x8100}), 1, 0});
    loop.push_back({test::null_header(2, false, p), 1, 0});
  }
  const std::string v = test::scratch("vlan.pcap"), l = test::scratch("null.pcap");
  ASSERT_TRUE(test::write_pcap(v, DLT_EN10MB, vlan));
  ASSERT_TRUE(test::write_pcap(l, DLT_NULL, loop));
  expect_initiator_pdus(decode(v));
  expect_initiator_pdus(decode(l));
}

TEST(CaptureDecoder, IpFragmentsAndOtherTrafficAreSkipped) {
  Built b(initiator_pdus(), 1000);
  const auto& c = b.conv;
  std::vector<test::Frame> frames;
  auto add = [&](const Bytes& ip) { frames.push_back({test::ethernet(ip), 1, 0}); };
  add(c.syn());
  add(c.syn_ack());
  add(c.ack());
  // An ARP frame, a UDP datagram, a fragment of a TCP segment and an HTTP
  // connection around the iSCSI traffic.
  frames.push_back({test::ethernet(Bytes(28, 0), 0x0806), 1, 0});
  add(test::ipv4({10, 0, 0, 9}, {10, 0, 0, 2}, Bytes(20, 0), 17));
  add(test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2},
                 test::tcp(40000, 3260, 5, 5, fl::kAck, Bytes(100, 0)), 6, 0x2000));
  test::Conversation http;
  http.client_port = 50000;
  http.server_port = 80;
  add(http.syn());
  add(http.syn_ack());
  const std::string get = "GET /index.html HTTP/1.1\r\nHost: example.org\r\n\r\n";
  add(http.data(true, 0, Bytes(get.begin(), get.end())));
  for (std::size_t i = 0; i < b.segments.size(); ++i) add(b.seg(i));
  const std::string path = test::scratch("mixed.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, frames));
  DecodeSummary summary;
  const auto got = decode(path, &summary);
  expect_initiator_pdus(got);
  EXPECT_EQ(got.count_notes("ip-fragment"), 1u);
  EXPECT_EQ(summary.skipped["not IP"], 1u);
  EXPECT_EQ(summary.skipped["not TCP"], 1u);
  EXPECT_EQ(summary.skipped["IP fragment"], 1u);
  EXPECT_EQ(summary.tcp_connections, 2u);
  EXPECT_EQ(summary.iscsi_connections, 1u);
}

TEST(CaptureDecoder, LoginOnAnUnusualPortIsRecognised) {
  Built b(initiator_pdus(), 1000);
  b.conv.server_port = 43210;  // e.g. the reference target on a free port
  const auto& c = b.conv;
  std::vector<Bytes> packets{c.syn(), c.syn_ack(), c.ack()};
  for (std::size_t i = 0; i < b.segments.size(); ++i) packets.push_back(b.seg(i));
  const std::string path = test::scratch("port.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, ethernet_frames(packets)));
  expect_initiator_pdus(decode(path));
}

TEST(CaptureDecoder, TwoInterleavedConnections) {
  Built a(initiator_pdus(), 60), b(initiator_pdus(), 70);
  b.conv.client_port = 40001;
  std::vector<Bytes> packets{a.conv.syn(), b.conv.syn(), b.conv.syn_ack(), a.conv.syn_ack()};
  const std::size_t n = std::max(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i < a.segments.size()) packets.push_back(a.seg(i));
    if (i < b.segments.size()) packets.push_back(b.seg(i));
  }
  const std::string path = test::scratch("two.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, ethernet_frames(packets)));
  const auto got = decode(path);
  ASSERT_EQ(got.pdus.size(), 8u);
  std::size_t per[3] = {0, 0, 0};
  for (const auto& p : got.pdus) ++per[p.connection];
  EXPECT_EQ(per[1], 4u);
  EXPECT_EQ(per[2], 4u);
  EXPECT_EQ(got.starts.size(), 2u);
}

TEST(CaptureDecoder, SnapshotLengthCutFrames) {
  Built b(initiator_pdus(), 500);
  const auto& c = b.conv;
  std::vector<test::Frame> frames;
  for (const Bytes& p : {c.syn(), c.syn_ack(), c.ack()})
    frames.push_back({test::ethernet(p), 1, 0});
  for (std::size_t i = 0; i < b.segments.size(); ++i) {
    Bytes f = test::ethernet(b.seg(i));
    const std::uint32_t original = static_cast<std::uint32_t>(f.size());
    if (i == 2) f.resize(14 + 20 + 20 + 64);  // only 64 payload bytes captured
    frames.push_back({f, 1, original});
  }
  frames.push_back({test::ethernet(c.data(false, 0, {}, b.stream.size(), fl::kAck)), 1, 0});
  const std::string path = test::scratch("snap.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, frames));
  const auto got = decode(path);
  // Segment 2 (stream bytes 1000-1499) lies in the last NOP-Out's data
  // (bytes 592-1591): the 436 bytes the snapshot cut are a gap in it.
  EXPECT_EQ(got.count_notes("gap"), 1u);
  ASSERT_EQ(got.pdus.size(), 4u);
  EXPECT_EQ(got.pdus[3].framed.missing, 436u);
  EXPECT_TRUE(got.has_issue(3, "data-missing"));
  EXPECT_EQ(std::get<wire::NopOut>(*got.pdus[3].pdu).initiator_task_tag, 4u);
}

TEST(CaptureDecoder, TruncatedFileReportsWhatCameBefore) {
  Built b(initiator_pdus(), 1000);
  const auto& c = b.conv;
  std::vector<Bytes> packets{c.syn(), c.syn_ack(), c.ack()};
  for (std::size_t i = 0; i < b.segments.size(); ++i) packets.push_back(b.seg(i));
  const std::string path = test::scratch("cut.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, ethernet_frames(packets)));
  std::ifstream in(path, std::ios::binary);
  Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  file.resize(file.size() - 10);
  auto reader = CaptureReader::open_memory(file);
  ASSERT_TRUE(reader);
  test::Collect sink;
  auto summary = decode_capture(*reader, {}, sink);
  ASSERT_TRUE(summary);
  ASSERT_TRUE(summary->read_error.has_value());
  EXPECT_EQ(sink.count_notes("damaged"), 1u);
  EXPECT_GE(sink.pdus.size(), 1u);  // the login at least
  EXPECT_EQ(sink.ends.size(), 1u);
}

TEST(CaptureDecoder, UnsupportedLinkTypeIsAClearError) {
  const std::string path = test::scratch("wifi.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_IEEE802_11, {{Bytes(40, 0), 1, 0}}));
  test::Collect sink;
  auto r = decode_capture_file(path, {}, sink);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("IEEE802_11"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("not supported"), std::string::npos);
}

TEST(CaptureDecoder, GarbageLinkLayerAndRandomPayloadsDoNotCrash) {
  std::mt19937 rng(11);
  std::vector<test::Frame> frames;
  for (int i = 0; i < 300; ++i) {
    Bytes f(rng() % 200);
    for (auto& x : f) x = static_cast<std::uint8_t>(rng());
    if (i % 3 == 0 && f.size() > 60) {
      // A valid Ethernet/IPv4/TCP wrapper to port 3260 around random bytes.
      f = test::ethernet(
          test::ipv4({10, 0, 0, 1}, {10, 0, 0, 2},
                     test::tcp(40000, 3260, static_cast<std::uint32_t>(rng()), 0, fl::kAck, f)));
    }
    frames.push_back({f, i, 0});
  }
  const std::string path = test::scratch("garbage.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB, frames));
  DecodeSummary summary;
  decode(path, &summary);
  EXPECT_EQ(summary.packets, 300u);
  EXPECT_GT(summary.skipped["malformed link header"] + summary.skipped["not IP"] +
                summary.skipped["malformed IP or TCP header"],
            0u);
  EXPECT_LE(summary.notes, 1000u);
}

}  // namespace
}  // namespace iscsi::capture
