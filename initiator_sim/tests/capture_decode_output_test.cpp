#include <gtest/gtest.h>

#include <sstream>

#include "capture/decode_output.h"
#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using test::Bytes;
using Json = nlohmann::ordered_json;

DecodedPdu decoded(const wire::Pdu& pdu, PduDirection dir = PduDirection::InitiatorToTarget) {
  DecodedPdu d;
  d.index = 7;
  d.connection = 2;
  d.direction = dir;
  const Bytes b = wire::encode(pdu);
  std::copy(b.begin(), b.begin() + 48, d.framed.bhs.begin());
  d.framed.data = wire::data_of(pdu);
  d.framed.data_segment_length = static_cast<std::uint32_t>(d.framed.data.size());
  d.framed.wire_length = b.size();
  d.framed.stream_offset = 1000;
  d.framed.first = {10, std::chrono::seconds(100)};
  d.framed.last = {11, std::chrono::seconds(100) + std::chrono::nanoseconds(250'000)};
  d.pdu = pdu;
  return d;
}

const std::chrono::nanoseconds kStart = std::chrono::seconds(99);

TEST(DecodeOutput, PduJsonNamesEveryField) {
  wire::ScsiCommand cmd;
  cmd.read = true;
  cmd.lun = 0x0003000000000000;  // LUN 3, peripheral device addressing
  cmd.initiator_task_tag = 0x10;
  cmd.expected_data_transfer_length = 4096;
  cmd.cmd_sn = 5;
  cmd.cdb = {0x28, 0, 0, 0, 0, 0x20, 0, 0, 8, 0};
  const Json j = pdu_json(decoded(cmd), kStart, {});
  EXPECT_EQ(j["type"], "pdu");
  EXPECT_EQ(j["index"], 7);
  EXPECT_EQ(j["conn"], 2);
  EXPECT_EQ(j["dir"], "I->T");
  EXPECT_EQ(j["frame"], 11);
  EXPECT_EQ(j["first_frame"], 10);
  EXPECT_EQ(j["time"], "100.000250000");
  EXPECT_DOUBLE_EQ(j["rel_time"].get<double>(), 1.00025);
  EXPECT_EQ(j["stream_offset"], 1000);
  EXPECT_EQ(j["opcode"], "0x01");
  EXPECT_EQ(j["name"], "SCSI Command");
  const Json& f = j["fields"];
  EXPECT_EQ(f["R"], 1);
  EXPECT_EQ(f["W"], 0);
  EXPECT_EQ(f["LUN"], "0x0003000000000000");  // 64-bit values as hex strings
  EXPECT_EQ(f["InitiatorTaskTag"], 16);
  EXPECT_EQ(f["ExpectedDataTransferLength"], 4096);
  EXPECT_EQ(f["CmdSN"], 5);
  EXPECT_EQ(f["CDB"], "28000000002000000800000000000000");
  EXPECT_EQ(j["data_segment_length"], 0);
  EXPECT_FALSE(j.contains("issues"));
  EXPECT_FALSE(j.contains("data"));
  EXPECT_EQ(j["bhs"].get<std::string>().size(), 96u);
}

TEST(DecodeOutput, LoginKeysDigestsAndIssues) {
  auto login = test::login_request(test::keys({"InitiatorName=iqn.x", "HeaderDigest=None"}));
  DecodedPdu d = decoded(login);
  d.keys = {{"InitiatorName", "iqn.x"}, {"HeaderDigest", "None"}};
  d.key_fragment = "MaxRecv";
  d.framed.header_digest = DigestCheck::Bad;
  d.framed.header_digest_value = 0x01020304;
  d.framed.data_digest = DigestCheck::Unchecked;
  d.issues.push_back(
      {"header-digest-mismatch", "the header digest is not the CRC32C of the header"});
  const Json j = pdu_json(d, kStart, {});
  EXPECT_EQ(j["fields"]["ISID"], "0x3d0001000001");
  ASSERT_EQ(j["keys"].size(), 2u);
  EXPECT_EQ(j["keys"][0]["key"], "InitiatorName");
  EXPECT_EQ(j["keys"][0]["value"], "iqn.x");
  EXPECT_EQ(j["key_fragment"], "MaxRecv");
  EXPECT_EQ(j["header_digest"]["check"], "bad");
  EXPECT_EQ(j["header_digest"]["value"], "0x01020304");
  EXPECT_EQ(j["data_digest"]["check"], "unchecked");
  EXPECT_FALSE(j["data_digest"].contains("value"));
  ASSERT_EQ(j["issues"].size(), 1u);
  EXPECT_EQ(j["issues"][0]["code"], "header-digest-mismatch");

  const std::string text = pdu_text(d, kStart);
  EXPECT_NE(text.find("Login Request T=1"), std::string::npos) << text;
  EXPECT_NE(text.find("      InitiatorName=iqn.x\n"), std::string::npos) << text;
  EXPECT_NE(text.find("MaxRecv ... (continues)"), std::string::npos) << text;
  EXPECT_NE(text.find("      ! header-digest-mismatch: "), std::string::npos) << text;
  EXPECT_NE(text.find(" HD:bad DD:unchecked"), std::string::npos) << text;
  EXPECT_EQ(text.rfind("   1.000250 f11 c2 I->T ", 0), 0u) << text;
}

TEST(DecodeOutput, DataIsShownUpToTheLimitAndPartialDataIsMarked) {
  DecodedPdu d = decoded(test::nop_in(3, 10), PduDirection::TargetToInitiator);
  OutputOptions o;
  o.data_bytes = 4;
  Json j = pdu_json(d, kStart, o);
  EXPECT_EQ(j["data"], "a5a5a5a5");
  EXPECT_FALSE(j.contains("data_kept"));
  d.framed.data.resize(6);
  d.framed.missing = 4;
  j = pdu_json(d, kStart, o);
  EXPECT_EQ(j["data_kept"], 6);
  EXPECT_EQ(j["missing"], 4);
  o.data_bytes = 0;
  EXPECT_FALSE(pdu_json(d, kStart, o).contains("data"));
}

TEST(DecodeOutput, UndecodablePdu) {
  DecodedPdu d = decoded(test::nop_out(1, 0));
  d.framed.bhs[0] = 0x0d;  // reserved opcode
  d.pdu.reset();
  d.issues.push_back({"reserved-opcode", "opcode 0x0d is not a PDU of RFC 3720 §10"});
  const Json j = pdu_json(d, kStart, {});
  EXPECT_EQ(j["name"], "reserved opcode");
  EXPECT_FALSE(j.contains("fields"));
  EXPECT_EQ(j["bhs"].get<std::string>().substr(0, 2), "0d");
  EXPECT_NE(pdu_text(d, kStart).find("reserved opcode 0x0d"), std::string::npos);
}

TEST(DecodeOutput, InvalidUtf8IsReplacedNotThrown) {
  DecodedPdu d = decoded(test::login_request({}));
  d.keys = {{"TargetAlias", std::string("\xff\xfe bad", 6)}};
  const std::string line = json_line(pdu_json(d, kStart, {}));
  EXPECT_NE(line.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
  EXPECT_NE(pdu_text(d, kStart).find("TargetAlias=\\xff\\xfe bad"), std::string::npos);
}

TEST(DecodeOutput, NotesConnectionsAndSummary) {
  Note n;
  n.connection = 3;
  n.direction = PduDirection::TargetToInitiator;
  n.at = {42, std::chrono::seconds(100)};
  n.kind = "gap";
  n.message = "100 bytes missing";
  const Json nj = note_json(n, kStart);
  EXPECT_EQ(nj["type"], "note");
  EXPECT_EQ(nj["kind"], "gap");
  EXPECT_EQ(nj["conn"], 3);
  EXPECT_EQ(nj["dir"], "T->I");
  EXPECT_EQ(nj["frame"], 42);
  EXPECT_NE(note_text(n, kStart).find("f42 c3 T->I [gap] 100 bytes missing"), std::string::npos);

  ConnectionReport r;
  r.id = 3;
  r.initiator.address[0] = 127;
  r.initiator.address[3] = 1;
  r.initiator.port = 40000;
  r.target = r.initiator;
  r.target.port = 3260;
  r.roles_known = true;
  r.syn_seen = true;
  r.login_captured = true;
  r.digest_source = DigestSource::Login;
  r.header_digest = true;
  r.data_digest = false;
  r.pdus = 9;
  r.tcp[0].gaps = 1;
  r.tcp[0].gap_bytes = 100;
  r.end = "closed";
  const Json start = connection_json(r, false);
  EXPECT_EQ(start["type"], "connection");
  EXPECT_EQ(start["initiator"], "127.0.0.1:40000");
  EXPECT_FALSE(start.contains("pdus"));
  const Json end = connection_json(r, true);
  EXPECT_EQ(end["type"], "connection_end");
  EXPECT_EQ(end["digests"]["source"], "login");
  EXPECT_EQ(end["digests"]["header"], "CRC32C");
  EXPECT_EQ(end["digests"]["data"], "None");
  EXPECT_EQ(end["tcp"]["I->T"]["gap_bytes"], 100);
  const std::string text = connection_text(r, true);
  EXPECT_NE(text.find("9 PDUs"), std::string::npos) << text;
  EXPECT_NE(text.find("1 capture gaps (100 bytes)"), std::string::npos) << text;

  DecodeSummary s;
  s.link_type = "EN10MB";
  s.packets = 5;
  s.skipped["not TCP"] = 2;
  s.read_error = "capture damaged after frame 5: truncated";
  const Json sj = summary_json(s);
  EXPECT_EQ(sj["type"], "summary");
  EXPECT_EQ(sj["skipped_packets"]["not TCP"], 2);
  EXPECT_EQ(sj["read_error"], "capture damaged after frame 5: truncated");
  EXPECT_NE(summary_text(s).find("not TCP 2"), std::string::npos);
}

TEST(DecodeOutput, StreamSinkWritesOneJsonObjectPerLine) {
  std::ostringstream out;
  StreamSink sink(out, true);
  sink.begin({1, kStart});
  sink.pdu(decoded(test::nop_out(1, 3)));
  Note n;
  n.kind = "resync";
  n.message = "m";
  sink.note(n);
  sink.summary(DecodeSummary{});
  std::istringstream lines(out.str());
  std::string line;
  std::vector<std::string> types;
  while (std::getline(lines, line)) {
    const Json j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    types.push_back(j["type"]);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"pdu", "note", "summary"}));
}

}  // namespace
}  // namespace iscsi::capture
