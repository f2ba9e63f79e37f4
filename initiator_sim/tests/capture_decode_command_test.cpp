#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "decode_command.h"
#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using test::Bytes;

struct Outcome {
  int status = 0;
  std::string out;
  std::string err;
};

Outcome run(const std::vector<std::string>& args) {
  Outcome r;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  r.status = decode_command(args);
  r.out = ::testing::internal::GetCapturedStdout();
  r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

// A handshake, a login request and a NOP-Out exchange on `server_port`,
// optionally without the handshake.
std::string write_capture(const std::string& name, std::uint16_t server_port, bool handshake) {
  test::Conversation c;
  c.server_port = server_port;
  std::vector<test::Frame> frames;
  auto add = [&](const Bytes& ip) {
    frames.push_back(
        {test::ethernet(ip), 1'000'000 + 100 * static_cast<std::int64_t>(frames.size()), 0});
  };
  Bytes initiator;
  if (handshake) {
    add(c.syn());
    add(c.syn_ack());
    wire::encode_append(
        test::login_request(test::keys({"InitiatorName=iqn.2024-01.org.example:i"})), {},
        initiator);
  }
  const std::size_t login = initiator.size();
  wire::encode_append(test::nop_out(5, 6), {}, initiator);
  add(c.data(true, 0,
             Bytes(initiator.begin(), initiator.begin() + static_cast<std::ptrdiff_t>(login))));
  add(c.data(true, login,
             Bytes(initiator.begin() + static_cast<std::ptrdiff_t>(login), initiator.end())));
  add(c.data(false, 0, wire::encode(test::nop_in(5, 6)), initiator.size()));
  const std::string path = test::scratch(name);
  EXPECT_TRUE(test::write_pcap(path, DLT_EN10MB, frames));
  return path;
}

TEST(DecodeCommand, TextOutput) {
  const Outcome r = run({write_capture("cmd_text.pcap", 3260, true)});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("c1: 10.0.0.1:40000 -> 10.0.0.2:3260"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("I->T Login Request"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("      InitiatorName=iqn.2024-01.org.example:i"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("I->T NOP-Out I=1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("T->I NOP-In"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 PDUs (0 with issues)"), std::string::npos) << r.out;
}

TEST(DecodeCommand, JsonOutputIsOneObjectPerLine) {
  const Outcome r =
      run({write_capture("cmd_json.pcap", 3260, true), "--json", "--data-bytes", "2"});
  EXPECT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> pdus;
  std::string last_type;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    last_type = j["type"];
    if (j["type"] == "pdu") pdus.push_back(j);
  }
  EXPECT_EQ(last_type, "summary");
  ASSERT_EQ(pdus.size(), 3u);
  EXPECT_EQ(pdus[1]["name"], "NOP-Out");
  EXPECT_EQ(pdus[1]["fields"]["InitiatorTaskTag"], 5);
  EXPECT_EQ(pdus[1]["data"], "5a5a");
  EXPECT_EQ(pdus[2]["dir"], "T->I");
}

TEST(DecodeCommand, ExtraTargetPort) {
  const std::string path = write_capture("cmd_port.pcap", 5000, false);
  const Outcome without = run({path});
  EXPECT_EQ(without.status, 0);
  EXPECT_NE(without.out.find("0 iSCSI connections"), std::string::npos) << without.out;
  const Outcome with = run({path, "--port", "5000"});
  EXPECT_EQ(with.status, 0);
  EXPECT_NE(with.out.find("1 iSCSI connections, 2 PDUs"), std::string::npos) << with.out;
}

TEST(DecodeCommand, DamagedCaptureDecodesWhatItCanAndFails) {
  const std::string path = write_capture("cmd_cut.pcap", 3260, true);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  bytes.resize(bytes.size() - 20);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  const Outcome r = run({path});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("capture damaged after frame 4"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("NOP-Out"), std::string::npos) << r.out;
}

TEST(DecodeCommand, UnreadableInputs) {
  const Outcome missing = run({test::scratch("cmd_missing.pcap")});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;

  const std::string junk = test::scratch("cmd_junk.pcap");
  std::ofstream(junk, std::ios::binary) << std::string(500, '\x7f');
  const Outcome r = run({junk});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not a readable pcap or pcapng capture"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(DecodeCommand, UsageErrors) {
  EXPECT_EQ(run({}).status, 2);
  EXPECT_EQ(run({"a.pcap", "b.pcap"}).status, 2);
  EXPECT_EQ(run({"a.pcap", "--bogus"}).status, 2);
  EXPECT_EQ(run({"a.pcap", "--port", "70000"}).status, 2);
  EXPECT_EQ(run({"a.pcap", "--port"}).status, 2);
  EXPECT_EQ(run({"a.pcap", "--data-bytes", "x"}).status, 2);
  const Outcome help = run({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("usage: iscsi-sim decode"), std::string::npos);
}

}  // namespace
}  // namespace iscsi::capture
