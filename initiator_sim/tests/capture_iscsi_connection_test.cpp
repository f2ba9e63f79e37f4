#include <gtest/gtest.h>

#include "capture/iscsi_connection.h"
#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using test::Bytes;
using wire::DigestSettings;

Endpoint endpoint(std::uint8_t host, std::uint16_t port) {
  Endpoint e;
  e.address[0] = 10;
  e.address[3] = host;
  e.port = port;
  return e;
}

class IscsiConnectionTest : public ::testing::Test {
 protected:
  IscsiConnectionTest() { ctx.sink = &sink; }

  std::unique_ptr<IscsiConnection> open(std::uint16_t client_port, std::uint16_t server_port,
                                        bool syn) {
    TcpConnectionInfo info;
    info.endpoints = {endpoint(1, client_port), endpoint(2, server_port)};
    info.client_known = syn;
    info.first = {1, {}};
    return std::make_unique<IscsiConnection>(info, ctx);
  }
  void send(IscsiConnection& c, int side, const wire::Pdu& pdu, DigestSettings d = {}) {
    const Bytes b = wire::encode(pdu, d);
    c.data(side, b, PacketRef{++frame, std::chrono::milliseconds(frame)});
  }
  void close(IscsiConnection& c) { c.end(PacketRef{++frame, {}}, {}, "closed"); }

  // A login that negotiates both digests, then one NOP exchange with them.
  void digest_session(IscsiConnection& c, int initiator) {
    send(c, initiator,
         test::login_request(test::keys({"HeaderDigest=CRC32C,None", "DataDigest=CRC32C,None",
                                         "MaxRecvDataSegmentLength=4096"})));
    send(c, 1 - initiator,
         test::login_response(test::keys(
             {"HeaderDigest=CRC32C", "DataDigest=CRC32C", "MaxRecvDataSegmentLength=8192"})));
    send(c, initiator, test::nop_out(7, 10), {true, true});
    send(c, 1 - initiator, test::nop_in(7, 10), {true, true});
  }

  DecodeContext ctx;
  test::Collect sink;
  std::uint64_t frame = 0;
};

TEST_F(IscsiConnectionTest, DigestsFromTheCapturedLogin) {
  auto c = open(40000, 3260, true);
  ASSERT_EQ(sink.starts.size(), 1u);
  EXPECT_TRUE(sink.starts[0].roles_known);
  digest_session(*c, 0);
  close(*c);
  ASSERT_EQ(sink.pdus.size(), 4u);
  EXPECT_EQ(sink.pdus[0].direction, PduDirection::InitiatorToTarget);
  EXPECT_EQ(sink.pdus[1].direction, PduDirection::TargetToInitiator);
  for (std::size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(sink.pdus[i].framed.header_digest, DigestCheck::Good) << i;
    EXPECT_EQ(sink.pdus[i].framed.data_digest, DigestCheck::Good) << i;
    EXPECT_TRUE(sink.pdus[i].issues.empty()) << sink.pdus[i].issues.front().detail;
  }
  ASSERT_EQ(sink.ends.size(), 1u);
  const ConnectionReport& r = sink.ends[0];
  EXPECT_TRUE(r.login_captured);
  EXPECT_EQ(r.digest_source, DigestSource::Login);
  EXPECT_EQ(r.header_digest, true);
  EXPECT_EQ(r.data_digest, true);
  EXPECT_EQ(r.session_type, "Normal");
  EXPECT_EQ(r.pdus, 4u);
  // The login note follows the final Login Response.
  ASSERT_EQ(sink.count_notes("login"), 1u);
}

TEST_F(IscsiConnectionTest, KeysOfLoginPdus) {
  auto c = open(40000, 3260, true);
  send(*c, 0,
       test::login_request(
           test::keys({"InitiatorName=iqn.2024-01.org.example:host", "SessionType=Normal"})));
  ASSERT_EQ(sink.pdus.size(), 1u);
  ASSERT_EQ(sink.pdus[0].keys.size(), 2u);
  EXPECT_EQ(sink.pdus[0].keys[0].key, "InitiatorName");
  EXPECT_EQ(sink.pdus[0].keys[0].value, "iqn.2024-01.org.example:host");
  EXPECT_TRUE(sink.pdus[0].key_fragment.empty());
}

TEST_F(IscsiConnectionTest, LoginShapedFirstBytesMakeAnyPortIscsi) {
  auto c = open(40000, 13260, true);
  EXPECT_TRUE(sink.starts.empty());  // undecided until the client speaks
  const Bytes login = wire::encode(test::login_request(test::keys({"InitiatorName=iqn.x"})));
  // The header arrives in two pieces.
  c->data(0, wire::ByteView(login).first(20), {1, {}});
  EXPECT_TRUE(sink.starts.empty());
  c->data(0, wire::ByteView(login).subspan(20), {2, {}});
  EXPECT_FALSE(c->ignored());
  ASSERT_EQ(sink.starts.size(), 1u);
  ASSERT_EQ(sink.pdus.size(), 1u);
  EXPECT_EQ(sink.pdus[0].framed.first.frame, 1u);
  EXPECT_EQ(sink.pdus[0].framed.last.frame, 2u);
}

TEST_F(IscsiConnectionTest, OtherProtocolsAreIgnored) {
  auto http = open(40000, 8080, true);
  const std::string get = "GET / HTTP/1.1\r\nHost: example\r\n\r\nand some more bytes to pass 48";
  http->data(0, wire::ByteView(reinterpret_cast<const std::uint8_t*>(get.data()), get.size()),
             {1, {}});
  EXPECT_TRUE(http->ignored());
  auto banner = open(40001, 22, true);
  banner->data(1, Bytes(60, 'S'), {2, {}});  // the server speaks first
  EXPECT_TRUE(banner->ignored());
  auto unknown = open(40002, 5000, false);  // no handshake, no target port
  EXPECT_TRUE(unknown->ignored());
  EXPECT_TRUE(sink.starts.empty());
  EXPECT_TRUE(sink.pdus.empty());
}

TEST_F(IscsiConnectionTest, ExtraTargetPorts) {
  ctx.options.target_ports.insert(3261);
  auto c = open(3261, 40000, false);  // side 0 uses the target port: it is the target
  ASSERT_EQ(sink.starts.size(), 1u);
  EXPECT_EQ(sink.starts[0].initiator.port, 40000);
  EXPECT_EQ(sink.starts[0].target.port, 3261);
}

TEST_F(IscsiConnectionTest, MidConnectionCaptureDetectsDigestsAndIsFlagged) {
  auto c = open(40000, 3260, false);
  send(*c, 0, test::nop_out(1, 20), {true, false});
  send(*c, 1, test::nop_in(1, 20), {true, false});
  send(*c, 0, test::nop_out(2, 0), {true, false});
  close(*c);
  ASSERT_EQ(sink.pdus.size(), 3u);
  ASSERT_EQ(sink.ends.size(), 1u);
  const ConnectionReport& r = sink.ends[0];
  EXPECT_FALSE(r.syn_seen);
  EXPECT_FALSE(r.login_captured);
  EXPECT_EQ(r.digest_source, DigestSource::Detected);
  EXPECT_EQ(r.header_digest, true);
  EXPECT_EQ(r.data_digest, false);
  EXPECT_GE(sink.count_notes("digests"), 2u);
  EXPECT_GE(sink.count_notes("login"), 1u);  // "login not captured"
}

TEST_F(IscsiConnectionTest, RolesFromOpcodesWhenNothingElseTells) {
  ctx.options.target_ports = {3260};
  auto c = open(3260, 3260, false);  // both ends on the target port, no handshake
  send(*c, 0, test::nop_in(1, 0));   // side 0 sends a target PDU
  send(*c, 1, test::nop_out(2, 0));
  close(*c);
  ASSERT_EQ(sink.pdus.size(), 2u);
  EXPECT_EQ(sink.pdus[0].direction, PduDirection::TargetToInitiator);
  EXPECT_EQ(sink.pdus[1].direction, PduDirection::InitiatorToTarget);
  EXPECT_TRUE(sink.ends[0].roles_known);
  EXPECT_EQ(sink.ends[0].initiator.address, endpoint(2, 0).address);
}

TEST_F(IscsiConnectionTest, FirstPduNotALoginKeepsDigestsOff) {
  auto c = open(40000, 3260, true);
  send(*c, 0, test::nop_out(1, 0));
  close(*c);
  ASSERT_EQ(sink.pdus.size(), 1u);
  EXPECT_EQ(sink.ends[0].digest_source, DigestSource::Login);
  EXPECT_EQ(sink.ends[0].header_digest, false);
  EXPECT_EQ(sink.count_notes("login"), 1u);
}

TEST_F(IscsiConnectionTest, IssuesOfAPdu) {
  auto c = open(40000, 3260, true);
  send(*c, 0, test::login_request(test::keys({"MaxRecvDataSegmentLength=1024"})));
  send(*c, 1, test::login_response(test::keys({"MaxRecvDataSegmentLength=8192"})));
  // 2000 data bytes to an initiator that declared 1024 (§12.12).
  send(*c, 1, test::data_in(5, 2000));
  // A reserved bit set in a NOP-Out (bytes 2-3 are reserved, §10.18).
  Bytes nop = wire::encode(test::nop_out(6, 0));
  nop[3] = 0x01;
  c->data(0, nop, {++frame, {}});
  // A target opcode sent by the initiator.
  send(*c, 0, test::nop_in(7, 0));
  send(*c, 0, test::nop_out(8, 0));
  // A Data-In of which 100 bytes are missing.
  const Bytes d = wire::encode(test::data_in(9, 400));
  c->data(1, wire::ByteView(d).first(200), {++frame, {}});
  c->gap(1, 100, {++frame, {}}, "test");
  c->data(1, wire::ByteView(d).subspan(300), {++frame, {}});
  close(*c);
  ASSERT_EQ(sink.pdus.size(), 7u);
  EXPECT_TRUE(sink.has_issue(2, "data-segment-too-long"));
  EXPECT_TRUE(sink.has_issue(3, "reserved-bits-set"));
  EXPECT_TRUE(sink.has_issue(4, "wrong-direction"));
  EXPECT_TRUE(sink.pdus[5].issues.empty());
  EXPECT_TRUE(sink.has_issue(6, "data-missing"));
  EXPECT_EQ(sink.pdus[6].framed.missing, 100u);
  ASSERT_TRUE(sink.pdus[6].pdu.has_value());  // the header still decodes
  EXPECT_EQ(std::get<wire::ScsiDataIn>(*sink.pdus[6].pdu).initiator_task_tag, 9u);
  EXPECT_EQ(sink.count_notes("gap"), 1u);
  EXPECT_EQ(sink.ends[0].pdus_with_issues, 4u);
}

TEST_F(IscsiConnectionTest, FailedLoginIsNoted) {
  auto c = open(40000, 3260, true);
  send(*c, 0, test::login_request({}));
  auto r = test::login_response({}, false);
  r.status_class = 2;
  r.status_detail = 3;
  send(*c, 1, r);
  close(*c);
  EXPECT_EQ(sink.count_notes("login"), 1u);
  EXPECT_NE(sink.notes.back().message.find("Status-Class 2"), std::string::npos);
}

}  // namespace
}  // namespace iscsi::capture
