#include "pcap/tcp_connection.h"

#include <gtest/gtest.h>

#include "pcap/tests/parsed_frame.h"

namespace iscsi::capture {
namespace {

using testing::ParsedFrame;

constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kPsh = 0x08, kFin = 0x01, kRst = 0x04;

std::vector<ParsedFrame> parse_all(const std::vector<Bytes>& frames) {
  std::vector<ParsedFrame> out;
  for (const Bytes& f : frames) {
    auto p = testing::parse_frame(f);
    EXPECT_TRUE(p.has_value());
    if (!p) continue;
    EXPECT_TRUE(p->ip_checksum_ok);
    EXPECT_TRUE(p->tcp_checksum_ok);
    out.push_back(*p);
  }
  return out;
}

TcpConnectionConfig small_config() {
  TcpConnectionConfig c;
  c.client.port = 50000;
  c.client.initial_sequence = 1000;
  c.client.initial_ip_id = 10;
  c.server.port = 3260;
  c.server.initial_sequence = 5000;
  c.server.initial_ip_id = 20;
  c.mss = 100;
  c.window = 1000;
  return c;
}

TcpConnection opened(const TcpConnectionConfig& c) {
  auto conn = TcpConnection::create(c);
  EXPECT_TRUE(conn.ok());
  EXPECT_TRUE(conn->open().ok());
  return std::move(conn.value());
}

TEST(TcpConnection, RejectsUnusableConfigurations) {
  TcpConnectionConfig c = small_config();
  c.mss = 0;
  EXPECT_FALSE(TcpConnection::create(c).ok());
  c = small_config();
  c.mss = kMaxMss + 1;
  c.window = 65535;
  EXPECT_FALSE(TcpConnection::create(c).ok());
  c = small_config();
  c.window = c.mss;
  EXPECT_FALSE(TcpConnection::create(c).ok());
  c = small_config();
  c.ack_every_segments = 0;
  EXPECT_FALSE(TcpConnection::create(c).ok());
  c = small_config();
  c.client.port = c.server.port;
  EXPECT_FALSE(TcpConnection::create(c).ok());
  c = small_config();
  c.mss = kMaxMss;
  c.window = 65535;
  EXPECT_TRUE(TcpConnection::create(c).ok());
}

TEST(TcpConnection, ThreeWayHandshake) {
  auto conn = TcpConnection::create(small_config());
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(conn->state(), TcpState::Closed);
  auto frames = conn->open();
  ASSERT_TRUE(frames.ok());
  auto f = parse_all(frames.value());
  ASSERT_EQ(f.size(), 3u);
  // SYN: ISN, no ACK (RFC 793 §3.4 figure 7).
  EXPECT_EQ(f[0].flags, kSyn);
  EXPECT_EQ(f[0].seq, 1000u);
  EXPECT_EQ(f[0].ack, 0u);
  EXPECT_EQ(f[0].src_port, 50000);
  EXPECT_EQ(f[0].dst_port, 3260);
  EXPECT_EQ(f[0].mss, std::optional<std::uint16_t>(100));
  // SYN-ACK acknowledges the SYN's one sequence number.
  EXPECT_EQ(f[1].flags, kSyn | kAck);
  EXPECT_EQ(f[1].seq, 5000u);
  EXPECT_EQ(f[1].ack, 1001u);
  EXPECT_EQ(f[1].src_port, 3260);
  EXPECT_EQ(f[1].dst_port, 50000);
  EXPECT_EQ(f[1].mss, std::optional<std::uint16_t>(100));
  EXPECT_EQ(f[2].flags, kAck);
  EXPECT_EQ(f[2].seq, 1001u);
  EXPECT_EQ(f[2].ack, 5001u);
  EXPECT_FALSE(f[2].mss.has_value());
  for (const auto& p : f) {
    EXPECT_TRUE(p.payload.empty());
    EXPECT_EQ(p.window, 1000);
    EXPECT_EQ(p.ether_type, 0x0800);
    EXPECT_EQ(p.ip_version, 4);
    EXPECT_EQ(p.ip_protocol, 6);
    EXPECT_EQ(p.ip_flags_fragment, 0x4000);  // DF, offset 0
    EXPECT_EQ(p.src_ip, 0x7f000001u);
    EXPECT_EQ(p.dst_ip, 0x7f000001u);
  }
  EXPECT_EQ(f[0].src_mac, std::vector<std::uint8_t>(kClientMac.begin(), kClientMac.end()));
  EXPECT_EQ(f[0].dst_mac, std::vector<std::uint8_t>(kServerMac.begin(), kServerMac.end()));
  EXPECT_EQ(f[1].src_mac, std::vector<std::uint8_t>(kServerMac.begin(), kServerMac.end()));
  // IP IDs count up per sender.
  EXPECT_EQ(f[0].ip_id, 10);
  EXPECT_EQ(f[1].ip_id, 20);
  EXPECT_EQ(f[2].ip_id, 11);
  EXPECT_EQ(conn->state(), TcpState::Established);
  EXPECT_FALSE(conn->open().ok());
}

TEST(TcpConnection, SendSplitsAtMssWithAcksAndPushOnLast) {
  TcpConnection conn = opened(small_config());
  std::vector<std::uint8_t> data(250);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  auto frames = conn.send(Direction::ClientToServer, data);
  ASSERT_TRUE(frames.ok());
  auto f = parse_all(frames.value());
  // 100 + 100, ACK after two segments, 50 with PSH, final ACK.
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0].flags, kAck);
  EXPECT_EQ(f[0].seq, 1001u);
  EXPECT_EQ(f[0].ack, 5001u);
  EXPECT_EQ(f[0].payload, std::vector<std::uint8_t>(data.begin(), data.begin() + 100));
  EXPECT_EQ(f[1].flags, kAck);
  EXPECT_EQ(f[1].seq, 1101u);
  EXPECT_EQ(f[1].payload, std::vector<std::uint8_t>(data.begin() + 100, data.begin() + 200));
  EXPECT_EQ(f[2].src_port, 3260);
  EXPECT_EQ(f[2].flags, kAck);
  EXPECT_EQ(f[2].seq, 5001u);
  EXPECT_EQ(f[2].ack, 1201u);
  EXPECT_TRUE(f[2].payload.empty());
  EXPECT_EQ(f[3].flags, kAck | kPsh);
  EXPECT_EQ(f[3].seq, 1201u);
  EXPECT_EQ(f[3].payload, std::vector<std::uint8_t>(data.begin() + 200, data.end()));
  EXPECT_EQ(f[4].src_port, 3260);
  EXPECT_EQ(f[4].flags, kAck);
  EXPECT_EQ(f[4].ack, 1251u);
  EXPECT_EQ(conn.next_sequence(Direction::ClientToServer), 1251u);

  // The reply acknowledges everything and continues the server's sequence space.
  const std::uint8_t reply[] = {1, 2, 3};
  auto back = conn.send(Direction::ServerToClient, reply);
  ASSERT_TRUE(back.ok());
  auto b = parse_all(back.value());
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].flags, kAck | kPsh);
  EXPECT_EQ(b[0].seq, 5001u);
  EXPECT_EQ(b[0].ack, 1251u);
  EXPECT_EQ(b[1].flags, kAck);
  EXPECT_EQ(b[1].seq, 1251u);
  EXPECT_EQ(b[1].ack, 5004u);
}

TEST(TcpConnection, IpIdsIncreaseBySender) {
  TcpConnection conn = opened(small_config());
  auto frames = conn.send(Direction::ClientToServer, std::vector<std::uint8_t>(450, 7));
  ASSERT_TRUE(frames.ok());
  std::uint16_t last_client = 11, last_server = 20;  // after the handshake
  for (const auto& p : parse_all(frames.value())) {
    if (p.src_port == 50000) {
      EXPECT_EQ(p.ip_id, last_client + 1);
      last_client = p.ip_id;
    } else {
      EXPECT_EQ(p.ip_id, last_server + 1);
      last_server = p.ip_id;
    }
  }
}

TEST(TcpConnection, EmptySendWritesNothing) {
  TcpConnection conn = opened(small_config());
  auto frames = conn.send(Direction::ServerToClient, {});
  ASSERT_TRUE(frames.ok());
  EXPECT_TRUE(frames->empty());
}

TEST(TcpConnection, SequenceNumbersWrapModulo2To32) {
  TcpConnectionConfig c = small_config();
  c.client.initial_sequence = 0xffffff80;
  TcpConnection conn = opened(c);
  auto frames = conn.send(Direction::ClientToServer, std::vector<std::uint8_t>(300, 1));
  ASSERT_TRUE(frames.ok());
  std::uint32_t expected = 0xffffff81;
  for (const auto& p : parse_all(frames.value())) {
    if (p.src_port != 50000) continue;
    EXPECT_EQ(p.seq, expected);
    expected += static_cast<std::uint32_t>(p.payload.size());
  }
  EXPECT_EQ(expected, 0xffffff81u + 300u);  // wrapped: 0x000000ad
  EXPECT_EQ(conn.next_sequence(Direction::ClientToServer), 0xadu);
}

TEST(TcpConnection, WindowIsNeverFilledWithoutAcks) {
  TcpConnectionConfig c = small_config();
  c.ack_each_send = false;
  c.ack_every_segments = 1000;  // only the window forces ACKs
  TcpConnection conn = opened(c);
  std::uint32_t acked = 1001, next = 1001;
  std::size_t acks = 0;
  for (int round = 0; round < 5; ++round) {
    auto frames = conn.send(Direction::ClientToServer, std::vector<std::uint8_t>(730, 3));
    ASSERT_TRUE(frames.ok());
    for (const auto& p : parse_all(frames.value())) {
      if (p.src_port == 50000) {
        next = p.seq + static_cast<std::uint32_t>(p.payload.size());
        EXPECT_LT(next - acked, c.window);
      } else {
        EXPECT_TRUE(p.payload.empty());
        EXPECT_EQ(p.ack, next);
        acked = p.ack;
        ++acks;
      }
    }
  }
  // 3650 bytes through a 1000-byte window need at least three ACKs.
  EXPECT_GE(acks, 3u);
}

TEST(TcpConnection, OrderlyCloseFromEitherSide) {
  TcpConnection conn = opened(small_config());
  ASSERT_TRUE(conn.send(Direction::ClientToServer, std::vector<std::uint8_t>(10, 1)).ok());
  auto frames = conn.close(Direction::ServerToClient);
  ASSERT_TRUE(frames.ok());
  auto f = parse_all(frames.value());
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].src_port, 3260);
  EXPECT_EQ(f[0].flags, kFin | kAck);
  EXPECT_EQ(f[0].seq, 5001u);
  EXPECT_EQ(f[0].ack, 1011u);
  EXPECT_EQ(f[1].src_port, 50000);
  EXPECT_EQ(f[1].flags, kFin | kAck);
  EXPECT_EQ(f[1].seq, 1011u);
  EXPECT_EQ(f[1].ack, 5002u);  // the FIN takes one sequence number
  EXPECT_EQ(f[2].src_port, 3260);
  EXPECT_EQ(f[2].flags, kAck);
  EXPECT_EQ(f[2].seq, 5002u);
  EXPECT_EQ(f[2].ack, 1012u);
  EXPECT_EQ(conn.state(), TcpState::Finished);
  EXPECT_FALSE(conn.send(Direction::ClientToServer, std::vector<std::uint8_t>(1, 1)).ok());
  EXPECT_FALSE(conn.close(Direction::ClientToServer).ok());
}

TEST(TcpConnection, ResetSendsOneRstAck) {
  TcpConnection conn = opened(small_config());
  auto frames = conn.reset(Direction::ServerToClient);
  ASSERT_TRUE(frames.ok());
  auto f = parse_all(frames.value());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].flags, kRst | kAck);
  EXPECT_EQ(f[0].seq, 5001u);
  EXPECT_EQ(f[0].ack, 1001u);
  EXPECT_EQ(conn.state(), TcpState::Finished);
}

TEST(TcpConnection, SendBeforeOpenIsAnError) {
  auto conn = TcpConnection::create(small_config());
  ASSERT_TRUE(conn.ok());
  EXPECT_FALSE(conn->send(Direction::ClientToServer, std::vector<std::uint8_t>(1, 1)).ok());
  EXPECT_FALSE(conn->close(Direction::ClientToServer).ok());
  EXPECT_FALSE(conn->reset(Direction::ClientToServer).ok());
}

}  // namespace
}  // namespace iscsi::capture
