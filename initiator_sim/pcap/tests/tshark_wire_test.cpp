// Cross-check of the PDU encoder (target/wire/pdu_codec) against an
// independent decoder: Wireshark's iSCSI dissector, run as tshark.
//
// One PDU or more of each of the 18 types of RFC 3720 §10 is built with
// distinctive field values, encoded with wire::encode(), written into a
// capture of a TCP connection to port 3260 in a plausible session order, and
// dissected by tshark. For every PDU, every iSCSI field tshark reports must be
// mapped in the table of tshark_field_map.h and equal the value the typed PDU carries (and
// every mapped field must be reported), no frame may be malformed or carry
// expert info of warning or error severity, and every digest must be reported
// as a good CRC32C.
//
// Digests: tshark 4.0 has no iSCSI digest preferences (the older
// iscsi.enable_header_digests / iscsi.header_digest_is_crc32c and their data
// digest siblings are gone); it detects CRC32C header and data digests on a
// connection by checking them. Each digest setting therefore gets its own
// capture, and every digest must appear in tshark -V as "(Good CRC32)".
//
// tshark is required: without it the test fails, it does not skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "pcap/pcap_writer.h"
#include "pcap/tests/tshark_field_map.h"
#include "pcap/tests/tshark_output.h"
#include "pcap/tests/tshark_session.h"
#include "wire/pdu.h"
#include "wire/pdu_codec.h"

namespace iscsi::wire {
namespace {

using namespace tshark_check;  // NOLINT: test support of this file only

// ---------------------------------------------------------------------------
// Writing a capture.

struct Connection {
  std::vector<Step> steps;
  DigestSettings digests;
  std::uint16_t mss = 1460;
};

struct WrittenPdu {
  const Step* step;
  Bytes encoded;
  DigestSettings digests;
};

// Changes the encoding of the index-th PDU before it is written (the
// checker's own tests use it to plant errors).
using Tamper = std::function<void(std::size_t index, Bytes& encoded)>;

std::vector<WrittenPdu> write_capture(const std::string& path,
                                      const std::vector<Connection>& connections,
                                      std::string& error, const Tamper& tamper = nullptr) {
  std::vector<WrittenPdu> written;
  auto writer = capture::PcapWriter::create(path);
  if (!writer) {
    error = writer.error().message;
    return written;
  }
  capture::Timestamp t{1'700'000'000'000'000};
  for (const Connection& conn : connections) {
    capture::TcpConnectionConfig config = writer->next_connection_config();
    config.mss = conn.mss;
    auto id = writer->open_connection(config, t);
    if (!id) {
      error = id.error().message;
      return written;
    }
    for (const Step& step : conn.steps) {
      t += capture::Timestamp(250);
      // §12.1 (HeaderDigest, DataDigest): digests apply once the login
      // phase is over; Login PDUs never carry them.
      const DigestSettings d = step.login_phase ? DigestSettings{} : conn.digests;
      Bytes bytes = encode(step.pdu, d);
      if (tamper) tamper(written.size(), bytes);
      auto sent = writer->send(*id, step.from, bytes, t);
      if (!sent) {
        error = sent.error().message;
        return written;
      }
      written.push_back({&step, std::move(bytes), d});
    }
    t += capture::Timestamp(1000);
    // The side that sent the last PDU (a Logout Response, a failed login)
    // closes the connection.
    const Direction closer =
        conn.steps.empty() ? Direction::ClientToServer : conn.steps.back().from;
    auto closed = writer->close_connection(*id, closer, t);
    if (!closed) {
      error = closed.error().message;
      return written;
    }
  }
  auto flushed = writer->flush();
  if (!flushed) error = flushed.error().message;
  return written;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// The part of tshark -V output that shows frame `frame`.
std::string frame_text(const std::string& text, long frame) {
  const std::string head = "Frame " + std::to_string(frame) + ":";
  std::size_t start = text.rfind(head, 0) == 0 ? 0 : text.find("\n" + head);
  if (start == std::string::npos) return {};
  const std::size_t end = text.find("\nFrame ", start + 1);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string pdu_name(const Pdu& pdu) {
  return std::string(opcode_name(opcode_of(pdu)));
}

// Adds the digest fields of `w` to `e` and returns the lines tshark -V must
// print for them (its verdict on each CRC32C). Digest fields show the 4 bytes
// that follow the header (and AHS) or the padded data segment, read
// big-endian.
std::vector<std::string> expect_digests(Expected& e, const WrittenPdu& w) {
  std::vector<std::string> lines;
  const Pdu& pdu = w.step->pdu;
  std::size_t header_end = kBhsLength;
  for (const Ahs& a : ahs_of(pdu))
    header_end += 3 + a.specific.size() + pad_length(3 + a.specific.size());
  if (w.digests.header) {
    const std::uint32_t v = load_be32(w.encoded.data() + header_end);
    e.number("iscsi.headerdigest32", v);
    lines.push_back("HeaderDigest: " + hex32(v) + " (Good CRC32)");
  }
  if (!w.digests.data || data_of(pdu).empty()) return lines;
  const std::size_t at = w.encoded.size() - kDigestLength;
  const std::uint32_t v = load_be32(w.encoded.data() + at);
  switch (opcode_of(pdu)) {
    case Opcode::AsyncMessage:
      // tshark quirk: the Asynchronous Message dissector takes every byte
      // after the sense data up to the end of the PDU as iSCSI event data
      // (§10.9.4), the data digest included, and shows no data digest. The
      // data segment here holds SenseLength and sense data only, so the
      // "event data" it shows must be exactly the 4 digest bytes.
      e.bytes("iscsi.asynceventdata", ByteView(w.encoded).subspan(at, kDigestLength));
      break;
    case Opcode::Reject:
      // tshark quirk: the Reject dissector shows no data digest. It
      // dissects the data segment (the rejected PDU's 48-byte header,
      // §10.17) as a nested iSCSI header, and when header digests are on it
      // reads the 4 bytes after that header as the nested header's digest.
      // Those bytes are the data digest, the CRC32C of the same 48 bytes, so
      // tshark must show them as a good header digest; with header digests
      // off the data digest is not shown at all.
      if (w.digests.header) {
        e.number("iscsi.headerdigest32", v);
        lines.push_back("HeaderDigest: " + hex32(v) + " (Good CRC32)");
      }
      break;
    default:
      e.number("iscsi.datadigest32", v);
      lines.push_back("DataDigest: " + hex32(v) + " (Good CRC32)");
  }
  return lines;
}

// ---------------------------------------------------------------------------
// The test fixture: a scratch directory and a check that tshark is there.

class TsharkWire : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tshark_wire_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "wireshark-config");
    runner_ = std::make_unique<TsharkRunner>(dir_ / "wireshark-config");
    const CommandResult version = run_command("tshark --version 2>/dev/null", 60);
    tshark_ok_ = version.exit_code == 0 && version.out.rfind("TShark", 0) == 0;
  }
  void TearDown() override {
    if (std::getenv("ISCSI_TSHARK_KEEP")) {
      std::fprintf(stderr, "captures kept in %s\n", dir_.c_str());
    } else {
      std::filesystem::remove_all(dir_);
    }
  }

  std::string path(const std::string& name) const { return (dir_ / (name + ".pcap")).string(); }

  // Dissects `file` twice: as JSON (fields, expert info) and as the -V text
  // (tshark's verdict on each digest, which the JSON does not carry).
  void dissect(const std::string& file, Dissection& d, std::string& text) {
    ASSERT_TRUE(tshark_ok_) << "tshark is not installed or does not run; it is required by this "
                               "interop test (Debian package: tshark)";
    const CommandResult json = runner_->run(file, "-T json --no-duplicate-keys");
    ASSERT_EQ(json.exit_code, 0) << "tshark -T json failed (124 = timed out)";
    const Json packets = Json::parse(json.out, nullptr, false);
    ASSERT_FALSE(packets.is_discarded()) << "tshark printed invalid JSON";
    ASSERT_TRUE(packets.is_array());
    d = parse_dissection(packets);
    const CommandResult verbose = runner_->run(file, "-V");
    ASSERT_EQ(verbose.exit_code, 0) << "tshark -V failed (124 = timed out)";
    text = verbose.out;
  }

  // Writes `connections` to a capture, dissects it, and checks every PDU.
  void check(const std::string& name, const std::vector<Connection>& connections) {
    ASSERT_TRUE(tshark_ok_) << "tshark is not installed or does not run; it is required by this "
                               "interop test (Debian package: tshark)";
    const std::string file = path(name);
    std::string error;
    const auto written = write_capture(file, connections, error);
    ASSERT_TRUE(error.empty()) << error;
    Dissection d;
    std::string text;
    ASSERT_NO_FATAL_FAILURE(dissect(file, d, text));

    for (const std::string& p : d.problems) ADD_FAILURE() << name << ": " << p;
    ASSERT_EQ(d.pdus.size(), written.size())
        << name << ": tshark dissected " << d.pdus.size() << " iSCSI PDUs, " << written.size()
        << " were written";
    EXPECT_EQ(text.find("Bad CRC32"), std::string::npos) << name << ": tshark reports a bad digest";

    std::set<Opcode> seen;
    for (std::size_t i = 0; i < written.size(); ++i) {
      const WrittenPdu& w = written[i];
      const DissectedPdu& got = d.pdus[i];
      const Pdu& pdu = w.step->pdu;
      seen.insert(opcode_of(pdu));
      const std::string where = name + " PDU #" + std::to_string(i) + " (" + pdu_name(pdu) +
                                ", frame " + std::to_string(got.frame) + ")";
      Expected expected = expected_for_step(pdu, w.step->rejected);
      const std::vector<std::string> digest_lines = expect_digests(expected, w);
      const auto errors = compare(expected, got.iscsi);
      for (const std::string& e : errors) ADD_FAILURE() << where << ": " << e;
      if (!errors.empty()) {
        ADD_FAILURE() << where << ": everything tshark reports:\n" << dump(got.iscsi);
      }
      for (const auto& [field, value] : w.step->scsi_fields) {
        auto it = got.scsi.fields.find(field);
        std::uint64_t v = 0;
        const bool ok = it != got.scsi.fields.end() && !it->second.empty() &&
                        parse_number(it->second.front(), v) && v == value;
        EXPECT_TRUE(ok) << where << ": SCSI field " << field << " expected " << value
                        << "; SCSI layer:\n"
                        << dump(got.scsi);
      }
      // SCSI payload bytes, wherever the SCSI layer shows them.
      auto data = got.scsi.fields.find("data.data");
      if (data != got.scsi.fields.end()) {
        ASSERT_EQ(data->second.size(), 1u) << where;
        EXPECT_EQ(normalize_bytes(data->second[0]), to_hex(data_of(pdu)))
            << where << ": SCSI layer data differs from the data segment";
      } else {
        EXPECT_FALSE(w.step->scsi_data_shown) << where << ": SCSI layer shows no data";
      }
      const std::string shown = frame_text(text, got.frame);
      for (const std::string& line : digest_lines) {
        EXPECT_NE(shown.find(line), std::string::npos)
            << where << ": tshark -V does not show \"" << line << "\"";
      }
    }
    coverage_.insert(seen.begin(), seen.end());
  }

  std::filesystem::path dir_;
  std::unique_ptr<TsharkRunner> runner_;
  bool tshark_ok_ = false;
  std::set<Opcode> coverage_;
};

constexpr Opcode kAllOpcodes[] = {
    Opcode::NopOut,
    Opcode::ScsiCommand,
    Opcode::TaskManagementRequest,
    Opcode::LoginRequest,
    Opcode::TextRequest,
    Opcode::ScsiDataOut,
    Opcode::LogoutRequest,
    Opcode::SnackRequest,
    Opcode::NopIn,
    Opcode::ScsiResponse,
    Opcode::TaskManagementResponse,
    Opcode::LoginResponse,
    Opcode::TextResponse,
    Opcode::ScsiDataIn,
    Opcode::LogoutResponse,
    Opcode::ReadyToTransfer,
    Opcode::AsyncMessage,
    Opcode::Reject,
};

TEST_F(TsharkWire, AllPduTypesWithoutDigests) {
  const DigestSettings none{};
  check("no_digests", {{full_session(none), none, 1460}, {failed_login(), none, 1460}});
  for (Opcode op : kAllOpcodes) {
    EXPECT_TRUE(coverage_.count(op)) << "no " << opcode_name(op) << " PDU was checked";
  }
}

TEST_F(TsharkWire, AllPduTypesWithHeaderDigest) {
  const DigestSettings d{true, false};
  check("header_digest", {{full_session(d), d, 1460}});
  EXPECT_EQ(coverage_.size(), std::size(kAllOpcodes));
}

TEST_F(TsharkWire, AllPduTypesWithDataDigest) {
  const DigestSettings d{false, true};
  check("data_digest", {{full_session(d), d, 1460}});
  EXPECT_EQ(coverage_.size(), std::size(kAllOpcodes));
}

TEST_F(TsharkWire, AllPduTypesWithBothDigestsAndSmallSegments) {
  // An MSS of 100 splits every header across TCP segments: tshark must
  // reassemble the PDUs exactly where their lengths say they end.
  const DigestSettings d{true, true};
  check("both_digests_mss100", {{full_session(d), d, 100}});
  EXPECT_EQ(coverage_.size(), std::size(kAllOpcodes));
}

// The checks above must be able to fail. These plant one error each and
// expect the checker to see it.

std::vector<Step> one_nop_out(std::uint32_t cmd_sn) {
  NopOut p;
  p.immediate = true;
  p.initiator_task_tag = 0x600d0001;
  p.cmd_sn = cmd_sn;
  p.exp_stat_sn = 0x77;
  p.data = bytes_of("checker-self-test");
  return {Step{Direction::ClientToServer, p, false, {}}};
}

TEST_F(TsharkWire, CheckerSeesAFieldThatDiffers) {
  const std::vector<Step> steps = one_nop_out(0x1234);
  std::string error;
  write_capture(path("mismatch"), {{steps, {}, 1460}}, error);
  ASSERT_TRUE(error.empty()) << error;
  Dissection d;
  std::string text;
  ASSERT_NO_FATAL_FAILURE(dissect(path("mismatch"), d, text));
  ASSERT_EQ(d.pdus.size(), 1u);
  EXPECT_TRUE(compare(expected_fields(steps[0].pdu), d.pdus[0].iscsi).empty());

  // A CmdSN one higher than the one encoded.
  const auto differs = compare(expected_fields(one_nop_out(0x1235)[0].pdu), d.pdus[0].iscsi);
  ASSERT_EQ(differs.size(), 1u);
  EXPECT_NE(differs[0].find("iscsi.cmdsn"), std::string::npos) << differs[0];

  // A field tshark reports that the table does not map.
  Expected unmapped = expected_fields(steps[0].pdu);
  unmapped.remove("iscsi.expstatsn");
  const auto uncovered = compare(unmapped, d.pdus[0].iscsi);
  ASSERT_EQ(uncovered.size(), 1u);
  EXPECT_NE(uncovered[0].find("does not cover"), std::string::npos) << uncovered[0];
}

TEST_F(TsharkWire, CheckerSeesABadDigest) {
  // tshark detects digests by checking them on the first PDUs of a
  // connection; the first NOP-Out is intact, the second has its data
  // digest changed.
  const DigestSettings both{true, true};
  std::vector<Step> steps = one_nop_out(9);
  const std::vector<Step> second = one_nop_out(10);
  steps.push_back(second[0]);
  std::string error;
  write_capture(path("bad_digest"), {{steps, both, 1460}}, error,
                [](std::size_t index, Bytes& encoded) {
                  if (index == 1) encoded.back() ^= 0x01;
                });
  ASSERT_TRUE(error.empty()) << error;
  Dissection d;
  std::string text;
  ASSERT_NO_FATAL_FAILURE(dissect(path("bad_digest"), d, text));
  EXPECT_NE(text.find("DataDigest"), std::string::npos) << text;
  EXPECT_NE(text.find("Bad CRC32"), std::string::npos) << text;
}

TEST_F(TsharkWire, CheckerSeesABadTcpChecksum) {
  const std::string file = path("bad_checksum");
  std::string error;
  write_capture(file, {{one_nop_out(9), {}, 1460}}, error);
  ASSERT_TRUE(error.empty()) << error;
  // Flip one payload byte in the file, after the checksums were computed.
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  const auto at = bytes.find("checker-self-test");
  ASSERT_NE(at, std::string::npos);
  bytes[at] ^= 0x20;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  Dissection d;
  std::string text;
  ASSERT_NO_FATAL_FAILURE(dissect(file, d, text));
  ASSERT_FALSE(d.problems.empty());
  EXPECT_NE(d.problems[0].find("Bad checksum"), std::string::npos) << d.problems[0];
}

}  // namespace
}  // namespace iscsi::wire
