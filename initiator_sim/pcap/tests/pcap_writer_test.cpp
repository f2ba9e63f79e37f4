#include "pcap/pcap_writer.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "pcap/tests/parsed_frame.h"

namespace iscsi::capture {
namespace {

using testing::ParsedFrame;

struct ReadFrame {
  std::int64_t micros = 0;
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;
  ParsedFrame parsed;
};

struct ReadCapture {
  int datalink = -1;
  int snaplen = -1;
  std::vector<ReadFrame> frames;
};

// Reads the file back through libpcap's reader, not through our writer.
ReadCapture read_capture(const std::string& path) {
  ReadCapture out;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), errbuf);
  EXPECT_NE(p, nullptr) << errbuf;
  if (!p) return out;
  out.datalink = pcap_datalink(p);
  out.snaplen = pcap_snapshot(p);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &header, &data) == 1) {
    ReadFrame f;
    f.micros = static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000 + header->ts.tv_usec;
    f.caplen = header->caplen;
    f.len = header->len;
    auto parsed = testing::parse_frame(std::span<const std::uint8_t>(data, header->caplen));
    EXPECT_TRUE(parsed.has_value());
    if (parsed) f.parsed = *parsed;
    out.frames.push_back(std::move(f));
  }
  pcap_close(p);
  return out;
}

class PcapWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pcap_writer_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(PcapWriterTest, WholeConnectionReadsBackConsistently) {
  const std::string file = path("conn.pcap");
  std::vector<std::uint8_t> request(3000), response(5000);
  for (std::size_t i = 0; i < request.size(); ++i) request[i] = static_cast<std::uint8_t>(i % 251);
  for (std::size_t i = 0; i < response.size(); ++i) response[i] = static_cast<std::uint8_t>(i % 13);
  {
    auto writer = PcapWriter::create(file);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    const Timestamp t0{1'700'000'000'000'000};
    auto id = writer->open_connection(t0);
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(writer->send(*id, Direction::ClientToServer, request, t0 + Timestamp(100)).ok());
    ASSERT_TRUE(writer->send(*id, Direction::ServerToClient, response, t0 + Timestamp(200)).ok());
    ASSERT_TRUE(writer->close_connection(*id, Direction::ClientToServer, t0 + Timestamp(900)).ok());
    EXPECT_EQ(writer->frames_written(), 3u + 5u + 6u + 3u);
  }
  ReadCapture cap = read_capture(file);
  EXPECT_EQ(cap.datalink, DLT_EN10MB);
  EXPECT_EQ(cap.snaplen, 65535);
  ASSERT_EQ(cap.frames.size(), 17u);

  // Timestamps: the time passed in, then 1 µs steps while a call has more frames.
  const std::int64_t t0 = 1'700'000'000'000'000;
  EXPECT_EQ(cap.frames[0].micros, t0);
  EXPECT_EQ(cap.frames[1].micros, t0 + 1);
  EXPECT_EQ(cap.frames[3].micros, t0 + 100);
  EXPECT_EQ(cap.frames[8].micros, t0 + 200);
  EXPECT_EQ(cap.frames[14].micros, t0 + 900);
  for (std::size_t i = 1; i < cap.frames.size(); ++i) {
    EXPECT_GT(cap.frames[i].micros, cap.frames[i - 1].micros) << i;
  }

  // Per direction: checksums hold, sequence numbers are contiguous, each ACK
  // number is the peer's next sequence number, and the payloads reassemble.
  struct Flow {
    std::optional<std::uint32_t> next;
    std::vector<std::uint8_t> bytes;
  };
  std::map<std::uint16_t, Flow> flows;  // by source port
  for (const ReadFrame& f : cap.frames) {
    const ParsedFrame& p = f.parsed;
    EXPECT_EQ(f.caplen, f.len);
    EXPECT_TRUE(p.ip_checksum_ok);
    EXPECT_TRUE(p.tcp_checksum_ok);
    Flow& me = flows[p.src_port];
    Flow& other = flows[p.dst_port];
    if (me.next) {
      EXPECT_EQ(p.seq, *me.next);
    }
    if (p.flags & 0x10) {
      ASSERT_TRUE(other.next.has_value());
      EXPECT_EQ(p.ack, *other.next);
    }
    me.next = p.seq + static_cast<std::uint32_t>(p.payload.size()) + ((p.flags & 0x02) ? 1 : 0) +
              ((p.flags & 0x01) ? 1 : 0);
    me.bytes.insert(me.bytes.end(), p.payload.begin(), p.payload.end());
    EXPECT_LE(p.payload.size(), 1460u);
  }
  EXPECT_EQ(flows[49152].bytes, request);
  EXPECT_EQ(flows[3260].bytes, response);
}

TEST_F(PcapWriterTest, TimestampsNeverRunBackwards) {
  const std::string file = path("time.pcap");
  {
    auto writer = PcapWriter::create(file);
    ASSERT_TRUE(writer.ok());
    auto id = writer->open_connection(Timestamp(5'000'000));
    ASSERT_TRUE(id.ok());
    // Earlier than the handshake: stamped just after it instead.
    ASSERT_TRUE(writer
                    ->send(*id, Direction::ClientToServer, std::vector<std::uint8_t>(10, 1),
                           Timestamp(1'000'000))
                    .ok());
  }
  ReadCapture cap = read_capture(file);
  ASSERT_EQ(cap.frames.size(), 5u);
  for (std::size_t i = 0; i < cap.frames.size(); ++i) {
    EXPECT_EQ(cap.frames[i].micros, 5'000'000 + static_cast<std::int64_t>(i));
  }
}

TEST_F(PcapWriterTest, ConnectionsGetDistinctClientPorts) {
  const std::string file = path("two.pcap");
  {
    auto writer = PcapWriter::create(file);
    ASSERT_TRUE(writer.ok());
    auto a = writer->open_connection(Timestamp(1));
    auto b = writer->open_connection(Timestamp(2));
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_NE(*a, *b);
    ASSERT_NE(writer->connection(*b), nullptr);
    EXPECT_EQ(writer->connection(*b)->config().client.port, 49153);
    EXPECT_EQ(writer->connection(99), nullptr);
  }
  ReadCapture cap = read_capture(file);
  ASSERT_EQ(cap.frames.size(), 6u);
  EXPECT_EQ(cap.frames[0].parsed.src_port, 49152);
  EXPECT_EQ(cap.frames[3].parsed.src_port, 49153);
  EXPECT_EQ(cap.frames[3].parsed.dst_port, 3260);
}

TEST_F(PcapWriterTest, CustomEndpointsAreWritten) {
  const std::string file = path("custom.pcap");
  {
    auto writer = PcapWriter::create(file);
    ASSERT_TRUE(writer.ok());
    TcpConnectionConfig c;
    c.client.ip = {192, 0, 2, 10};  // RFC 5737 documentation range: never routed
    c.client.port = 40001;
    c.server.ip = {192, 0, 2, 20};
    c.server.port = 860;
    ASSERT_TRUE(writer->open_connection(c, Timestamp(1)).ok());
  }
  ReadCapture cap = read_capture(file);
  ASSERT_EQ(cap.frames.size(), 3u);
  EXPECT_EQ(cap.frames[0].parsed.src_ip, 0xc000020au);
  EXPECT_EQ(cap.frames[0].parsed.dst_ip, 0xc0000214u);
  EXPECT_EQ(cap.frames[0].parsed.dst_port, 860);
  EXPECT_TRUE(cap.frames[1].parsed.tcp_checksum_ok);
}

TEST_F(PcapWriterTest, ErrorsAreValues) {
  EXPECT_FALSE(PcapWriter::create(path("no/such/dir/x.pcap")).ok());
  auto writer = PcapWriter::create(path("errors.pcap"));
  ASSERT_TRUE(writer.ok());
  const std::uint8_t one[] = {1};
  EXPECT_FALSE(writer->send(7, Direction::ClientToServer, one, Timestamp(1)).ok());
  EXPECT_FALSE(writer->close_connection(7, Direction::ClientToServer, Timestamp(1)).ok());
  EXPECT_FALSE(writer->open_connection(Timestamp(-1)).ok());
  TcpConnectionConfig bad;
  bad.mss = 0;
  EXPECT_FALSE(writer->open_connection(bad, Timestamp(1)).ok());
  auto id = writer->open_connection(Timestamp(1));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(writer->close_connection(*id, Direction::ServerToClient, Timestamp(2)).ok());
  EXPECT_FALSE(writer->send(*id, Direction::ClientToServer, one, Timestamp(3)).ok());
  EXPECT_TRUE(writer->flush().ok());
  EXPECT_EQ(writer->frames_written(), 6u);
}

TEST_F(PcapWriterTest, RefusedCallLeavesNoSequenceGap) {
  const std::string file = path("refused.pcap");
  const std::uint8_t bytes[] = {1, 2, 3, 4};
  {
    auto writer = PcapWriter::create(file);
    ASSERT_TRUE(writer.ok());
    auto id = writer->open_connection(Timestamp(10));
    ASSERT_TRUE(id.ok());
    EXPECT_FALSE(writer->send(*id, Direction::ClientToServer, bytes, Timestamp(-5)).ok());
    ASSERT_TRUE(writer->send(*id, Direction::ClientToServer, bytes, Timestamp(20)).ok());
  }
  ReadCapture cap = read_capture(file);
  ASSERT_EQ(cap.frames.size(), 5u);
  // The data segment follows the handshake directly: ISN + 1.
  EXPECT_EQ(cap.frames[3].parsed.seq, cap.frames[0].parsed.seq + 1);
  EXPECT_EQ(cap.frames[3].parsed.payload, std::vector<std::uint8_t>(bytes, bytes + 4));
}

TEST_F(PcapWriterTest, LargeMssKeepsFramesWithinSnapshotLength) {
  const std::string file = path("jumbo.pcap");
  std::vector<std::uint8_t> data(200'000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i >> 3);
  {
    auto writer = PcapWriter::create(file);
    ASSERT_TRUE(writer.ok());
    TcpConnectionConfig c = writer->next_connection_config();
    c.mss = kMaxMss;
    auto id = writer->open_connection(c, Timestamp(1));
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(writer->send(*id, Direction::ServerToClient, data, Timestamp(2)).ok());
  }
  ReadCapture cap = read_capture(file);
  std::vector<std::uint8_t> got;
  for (const ReadFrame& f : cap.frames) {
    EXPECT_LE(f.caplen, 65535u);
    EXPECT_EQ(f.caplen, f.len);  // nothing truncated
    EXPECT_TRUE(f.parsed.tcp_checksum_ok);
    if (f.parsed.src_port == 3260) {
      got.insert(got.end(), f.parsed.payload.begin(), f.parsed.payload.end());
    }
  }
  EXPECT_EQ(got, data);
}

}  // namespace
}  // namespace iscsi::capture
