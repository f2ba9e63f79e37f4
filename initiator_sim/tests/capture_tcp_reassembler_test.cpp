#include <gtest/gtest.h>

#include "capture/tcp_reassembler.h"
#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using test::Bytes;
namespace fl = test::flags;

// What one connection's handler saw.
struct Seen {
  TcpConnectionInfo info;
  std::string side[2];
  std::string end;
  bool ended = false;
};

struct Handler : ConnectionHandler {
  Seen* seen;
  bool decline;
  Handler(Seen* s, bool d) : seen(s), decline(d) {}
  void data(int side, wire::ByteView bytes, const PacketRef&) override {
    seen->side[side].append(bytes.begin(), bytes.end());
  }
  void gap(int side, std::uint64_t length, const PacketRef&, const std::string&) override {
    seen->side[side] += "[gap " + std::to_string(length) + "]";
  }
  void end(const PacketRef&, const std::array<TcpStreamStats, 2>&,
           const std::string& how) override {
    seen->ended = true;
    seen->end = how;
  }
  bool ignored() const override { return decline && !seen->side[0].empty(); }
};

class ReassemblerTest : public ::testing::Test {
 protected:
  ReassemblerTest() { make({}); }

  void make(const ReassemblyLimits& limits) {
    seen.clear();
    notes.clear();
    reassembler = std::make_unique<TcpReassembler>(
        limits,
        [this](const TcpConnectionInfo& info) {
          seen.push_back(std::make_unique<Seen>());
          seen.back()->info = info;
          return std::make_unique<Handler>(seen.back().get(), decline);
        },
        [this](const PacketRef&, const std::string& m) { notes.push_back(m); });
  }

  void feed(const Bytes& ip) {
    auto seg = parse_tcp_segment({NetworkProtocol::Ipv4, ip});
    ASSERT_TRUE(seg) << seg.error().detail;
    reassembler->add(*seg, PacketRef{++frame, {}});
  }
  void feed6(const Bytes& ip) {
    auto seg = parse_tcp_segment({NetworkProtocol::Ipv6, ip});
    ASSERT_TRUE(seg) << seg.error().detail;
    reassembler->add(*seg, PacketRef{++frame, {}});
  }
  void handshake(const test::Conversation& c) {
    feed(c.syn());
    feed(c.syn_ack());
    feed(c.ack());
  }
  static Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }

  std::vector<std::unique_ptr<Seen>> seen;
  std::vector<std::string> notes;
  std::unique_ptr<TcpReassembler> reassembler;
  bool decline = false;
  std::uint64_t frame = 0;
};

TEST_F(ReassemblerTest, BothDirectionsOfOneConnection) {
  test::Conversation c;
  handshake(c);
  feed(c.data(true, 0, b("login")));
  feed(c.data(false, 0, b("answer"), 5));
  feed(c.data(true, 5, b("!"), 6));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0]->info.client_known);
  EXPECT_EQ(seen[0]->info.endpoints[0].port, c.client_port);
  EXPECT_EQ(seen[0]->side[0], "login!");
  EXPECT_EQ(seen[0]->side[1], "answer");
  feed(c.fin(true, 6, 6));
  feed(c.fin(false, 6, 7));
  EXPECT_TRUE(seen[0]->ended);
  EXPECT_EQ(seen[0]->end, "closed");
  EXPECT_EQ(reassembler->live_connections(), 0u);
}

TEST_F(ReassemblerTest, SynAckFirstStillKnowsTheClient) {
  test::Conversation c;
  feed(c.syn_ack());  // the client's SYN was not captured
  feed(c.data(true, 0, b("x")));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0]->info.client_known);
  EXPECT_EQ(seen[0]->info.endpoints[0].port, c.client_port);
  EXPECT_EQ(seen[0]->side[0], "x");
}

TEST_F(ReassemblerTest, MidStreamConnectionStartsAtTheFirstData) {
  test::Conversation c;
  feed(c.data(false, 500, b("target"), 100));  // no handshake
  feed(c.data(true, 100, b("init"), 506));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0]->info.client_known);
  EXPECT_EQ(seen[0]->info.endpoints[0].port, c.server_port);  // the first sender seen
  EXPECT_EQ(seen[0]->side[0], "target");
  EXPECT_EQ(seen[0]->side[1], "init");
}

TEST_F(ReassemblerTest, LoneAcksStartNothing) {
  test::Conversation c;
  feed(c.data(true, 0, {}, 0, fl::kAck));
  EXPECT_TRUE(seen.empty());
}

TEST_F(ReassemblerTest, AckOfTheOtherDirectionDeclaresTheGap) {
  test::Conversation c;
  handshake(c);
  feed(c.data(true, 0, b("ab")));
  feed(c.data(true, 5, b("fg")));
  feed(c.data(false, 0, {}, 7, fl::kAck));  // the target acknowledges all 7 bytes
  EXPECT_EQ(seen[0]->side[0], "ab[gap 3]fg");
}

TEST_F(ReassemblerTest, ResetEndsTheConnectionAndLateSegmentsAreIgnored) {
  test::Conversation c;
  handshake(c);
  feed(c.data(true, 0, b("ab")));
  feed(c.data(true, 4, b("ef")));  // held: the hole is flushed as a gap at the reset
  feed(c.data(false, 0, {}, 2, fl::kRst | fl::kAck));
  ASSERT_TRUE(seen[0]->ended);
  EXPECT_EQ(seen[0]->end, "reset");
  EXPECT_EQ(seen[0]->side[0], "ab[gap 2]ef");
  feed(c.data(true, 6, b("late")));
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(reassembler->stats().after_close, 1u);
}

TEST_F(ReassemblerTest, NewSynOnTheSameAddressesStartsANewConnection) {
  test::Conversation c;
  handshake(c);
  feed(c.data(true, 0, b("one")));
  test::Conversation again = c;
  again.client_isn = 777777;
  handshake(again);
  feed(again.data(true, 0, b("two")));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0]->ended);
  EXPECT_NE(seen[0]->end.find("reused"), std::string::npos);
  EXPECT_EQ(seen[0]->side[0], "one");
  EXPECT_EQ(seen[1]->side[0], "two");
}

TEST_F(ReassemblerTest, RetransmittedSynIsTheSameConnection) {
  test::Conversation c;
  feed(c.syn());
  feed(c.syn());
  feed(c.syn_ack());
  feed(c.data(true, 0, b("x")));
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]->side[0], "x");
}

TEST_F(ReassemblerTest, ConnectionLimitIsReportedNotStored) {
  ReassemblyLimits limits;
  limits.max_connections = 2;
  make(limits);
  for (std::uint16_t i = 0; i < 3; ++i) {
    test::Conversation c;
    c.client_port = static_cast<std::uint16_t>(41000 + i);
    handshake(c);
    feed(c.data(true, 0, b("hello")));
  }
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(reassembler->live_connections(), 2u);
  EXPECT_EQ(reassembler->stats().untracked_connections, 1u);
  // SYN, SYN-ACK and data of the third connection; its lone ACK starts nothing.
  EXPECT_EQ(reassembler->stats().untracked_segments, 3u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("not decoded"), std::string::npos);
}

TEST_F(ReassemblerTest, TotalBufferLimitReleasesTheLargestHolder) {
  ReassemblyLimits limits;
  limits.max_buffered_total = 10;
  make(limits);
  test::Conversation c;
  handshake(c);
  feed(c.data(true, 0, b("a")));
  feed(c.data(true, 2, b("cdefgh")));  // 6 bytes held
  feed(c.data(false, 0, b("A")));
  feed(c.data(false, 2, b("CDEFGH")));  // 12 held in all: over the limit
  EXPECT_LE(reassembler->buffered(), 10u);
  EXPECT_EQ(seen[0]->side[0], "a[gap 1]cdefgh");
}

TEST_F(ReassemblerTest, DeclinedConnectionKeepsNothing) {
  decline = true;
  make({});
  test::Conversation c;
  handshake(c);
  feed(c.data(true, 0, b("GET /")));
  feed(c.data(true, 10, b("later")));
  EXPECT_EQ(reassembler->buffered(), 0u);
  EXPECT_EQ(seen[0]->side[0], "GET /");  // nothing more after declining
  feed(c.fin(true, 15, 0));
  feed(c.fin(false, 0, 16));
  EXPECT_TRUE(seen[0]->ended);
}

TEST_F(ReassemblerTest, FinishEndsOpenConnectionsInOrder) {
  test::Conversation a, b2;
  b2.client_port = 40001;
  handshake(a);
  handshake(b2);
  feed(a.data(true, 0, b("a")));
  feed(a.data(true, 3, b("d")));
  reassembler->finish({99, {}});
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0]->ended && seen[1]->ended);
  EXPECT_EQ(seen[0]->end, "the capture ended");
  EXPECT_EQ(seen[0]->side[0], "a[gap 2]d");
}

TEST_F(ReassemblerTest, Ipv6Connection) {
  test::Conversation c;
  c.v6 = true;
  feed6(c.syn());
  feed6(c.syn_ack());
  feed6(c.data(true, 0, b("v6")));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0]->info.endpoints[0].ipv6);
  EXPECT_EQ(seen[0]->side[0], "v6");
}

}  // namespace
}  // namespace iscsi::capture
