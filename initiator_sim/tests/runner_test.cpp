// The runner against the in-process reference target: verdicts, and the
// evidence a failing case carries.
#include "runner/runner.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "report/report.h"

namespace iscsi::sim {
namespace {

Scenario make(const std::string& steps) {
  auto j = nlohmann::json::parse(
      R"({"id": "rfc3720-10.18-runner-test", "title": "t", "rfc3720": ["10.18"],
                                     "requirement": "r", "level": "MUST", "steps": )" +
      steps + "}");
  auto s = parse_scenario(j, "test.json");
  EXPECT_TRUE(s.ok()) << s.error();
  return *s;
}

TargetSpec in_process() {
  TargetSpec t;
  t.in_process = true;
  t.timeout = std::chrono::milliseconds(500);
  return t;
}

TEST(Runner, PassingCase) {
  Runner r(in_process());
  const auto res = r.run(make(R"([{"login": {}}, {"send": {"pdu": "NopOut"}},
      {"expect": {"pdu": "NopIn", "fields": {"InitiatorTaskTag": "$itt"}}}])"));
  EXPECT_EQ(res.verdict, Verdict::Pass) << res.message;
}

TEST(Runner, MismatchFailsWithTheStepAndThePdu) {
  Runner r(in_process());
  const auto res = r.run(make(R"([{"login": {}}, {"send": {"pdu": "NopOut"}},
      {"expect": {"pdu": "NopIn", "fields": {"InitiatorTaskTag": 12345}}}])"));
  EXPECT_EQ(res.verdict, Verdict::Fail);
  EXPECT_EQ(res.step, 3u);
  EXPECT_NE(res.message.find("InitiatorTaskTag"), std::string::npos) << res.message;
  EXPECT_NE(res.message.find("NOP-In"), std::string::npos) << res.message;
  ASSERT_FALSE(res.exchange.empty());
  EXPECT_FALSE(res.exchange.back().to_target);
}

TEST(Runner, SilenceAndClose) {
  Runner r(in_process());
  auto res = r.run(
      make(R"([{"login": {}}, {"send": {"pdu": "NopOut"}}, {"expect_silence": {"ms": 100}}])"));
  EXPECT_EQ(res.verdict, Verdict::Fail);  // the ping is answered
  res = r.run(make(R"([{"login": {"keys": {"TargetName": "iqn.2025-12.local:none"},
                                  "expect": {"status": "0x0203"}}}, {"expect_close": {}}])"));
  EXPECT_EQ(res.verdict, Verdict::Pass) << res.message;
}

TEST(Runner, DeclinedPreconditionIsNotApplicable) {
  Runner r(in_process());
  const auto res = r.run(make(R"([{"login": {"keys": {"ErrorRecoveryLevel": "2"},
                                              "require": {"ErrorRecoveryLevel": "2"}}}])"));
  EXPECT_EQ(res.verdict, Verdict::NotApplicable) << res.message;
}

TEST(Runner, ScsiHelperChecksStatusDataAndResiduals) {
  Runner r(in_process());
  auto res = r.run(make(R"([{"login": {}}, {"clear_unit_attention": {}},
      {"scsi": {"cdb": "2a000000000000000100", "write": 512, "fill": "0x3c"}},
      {"scsi": {"cdb": "28000000000000000100", "read": 1024,
                "expect": {"data_length": 512, "underflow": 512}}}])"));
  EXPECT_EQ(res.verdict, Verdict::Pass) << res.message;
  res = r.run(make(R"([{"login": {}}, {"clear_unit_attention": {}},
      {"scsi": {"cdb": "ff000000000000000000", "expect": {"status": 0}}}])"));
  EXPECT_EQ(res.verdict, Verdict::Fail);
  EXPECT_NE(res.message.find("5/20/0"), std::string::npos) << res.message;
}

TEST(Runner, RawOverridesReachTheWire) {
  Runner r(in_process());
  // Byte 0 patched to a reserved opcode: the target answers with a Reject.
  const auto res = r.run(
      make(R"([{"login": {}}, {"send": {"pdu": "NopOut", "raw": [{"offset": 0, "hex": "0b"}]}},
      {"expect": {"pdu": "Reject", "fields": {"Reason": 4}}}])"));
  EXPECT_EQ(res.verdict, Verdict::Pass) << res.message;
}

// Sizes from a case file are bounded: a harness error for that case, never
// an allocation the size of the value (found by fuzz_scenario).
TEST(Runner, UnboundedSizesInACaseAreHarnessErrors) {
  for (const char* steps : {
           R"([{"login": {}}, {"send": {"pdu": "NopOut", "fill": {"length": -300000}}}])",
           R"([{"login": {}}, {"send": {"pdu": "NopOut", "fill": {"length": 16777216}}}])",
           R"([{"login": {}}, {"send": {"pdu": "NopOut",
               "raw": [{"offset": 4294967296, "hex": "00"}]}}])",
           R"([{"login": {}}, {"scsi": {"cdb": "2a00000000000000ffff00", "write": 4294967295}}])",
           R"([{"login": {}}, {"expect_silence": {"ms": 5.01889e+63}}])",
           R"([{"login": {}}, {"expect_close": {"within_ms": -1}}])",
           R"([{"login": {}}, {"sleep": {"ms": 3600001}}])",
       }) {
    Runner r(in_process());
    const auto res = r.run(make(steps));
    EXPECT_EQ(res.verdict, Verdict::Error) << steps;
    EXPECT_EQ(res.step, 2u) << steps;
    EXPECT_FALSE(res.message.empty());
  }
}

TEST(Report, JunitAndJsonCarryEveryCase) {
  Runner r(in_process());
  const Scenario ok = make(R"([{"login": {}}])");
  const Scenario bad = make(R"([{"login": {}}, {"expect": {"pdu": "NopIn", "within_ms": 50}}])");
  RunReport report;
  report.target = "in-process <test> & \"quotes\"";
  report.scenarios = {&ok, &bad};
  report.results = {r.run(ok), r.run(bad)};
  const std::string xml = junit_xml(report);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("&lt;test&gt; &amp; &quot;quotes&quot;"), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"nothing arrived within 50 ms\""), std::string::npos)
      << xml;
  // A JUnit consumer's schema accepts the report (initiator_sim/report/junit.xsd).
  const std::string path = ::testing::TempDir() + "/iscsi-sim-junit-test.xml";
  { std::ofstream(path) << xml; }
  const std::string cmd = "xmllint --noout --schema " + std::string(ISCSI_SIM_SOURCE_DIR) +
                          "/report/junit.xsd " + path + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0)
      << "xmllint (libxml2-utils, installed by ci/deps.sh) refused:\n"
      << xml;
  std::remove(path.c_str());
  const auto j = nlohmann::json::parse(json_report(report));
  EXPECT_EQ(j["summary"]["fail"], 1);
  EXPECT_EQ(j["cases"][1]["step"], 2);
  EXPECT_TRUE(report.unexpected(report.results[1], false));
  report.expected["rfc3720-10.18-runner-test"] = "documented divergence";
  EXPECT_FALSE(report.unexpected(report.results[1], false));
}

}  // namespace
}  // namespace iscsi::sim

namespace iscsi::sim {
namespace {

Scenario make_with(const std::string& preconditions, const std::string& steps) {
  auto j = nlohmann::json::parse(
      R"({"id": "rfc3720-11.1.4-runner-test", "title": "t", "rfc3720": ["11.1.4"],
          "requirement": "r", "level": "MUST", "preconditions": )" +
      preconditions + R"(, "steps": )" + steps + "}");
  auto s = parse_scenario(j, "test.json");
  EXPECT_TRUE(s.ok()) << s.error();
  return *s;
}

TEST(Runner, SpawnConfiguresChapFromPreconditions) {
  Runner r(in_process());
  auto res = r.run(make_with(R"({"auth": "chap"})", R"([{"login": {"auth": "chap"}}])"));
  EXPECT_EQ(res.verdict, Verdict::Pass) << res.message;
  // The same target refuses a login without authentication.
  res = r.run(make_with(R"({"auth": "chap"})", R"([{"login": {"expect": {"status": "0x0201"}}}])"));
  EXPECT_EQ(res.verdict, Verdict::Pass) << res.message;
  res = r.run(make_with(R"({"auth": "mutual-chap"})", R"([{"login": {"auth": "mutual-chap"}}])"));
  EXPECT_EQ(res.verdict, Verdict::Pass) << res.message;
  // CHAP without credentials is a broken case, not a target failure.
  res = r.run(make(R"([{"login": {"auth": "chap"}}])"));
  EXPECT_EQ(res.verdict, Verdict::Error);
}

TEST(Runner, HandCraftedChapFromCapturedKeys) {
  Runner r(in_process());
  const std::string prefix = R"([
    {"send": {"pdu": "LoginRequest", "fields": {"T": 0, "CSG": 0, "NSG": 0},
              "text": [["InitiatorName", "${initiator_name}"], ["TargetName", "${target_name}"],
                       ["AuthMethod", "CHAP"]]}},
    {"expect": {"pdu": "LoginResponse", "keys": {"AuthMethod": "CHAP"}}},
    {"send": {"pdu": "LoginRequest", "fields": {"T": 0, "CSG": 0, "NSG": 0}, "text": [["CHAP_A", "5"]]}},
    {"expect": {"pdu": "LoginResponse", "capture_keys": {"i": "CHAP_I", "c": "CHAP_C"}}},
    {"send": {"pdu": "LoginRequest", "fields": {"T": 1, "CSG": 0, "NSG": 1},
              "text": [["CHAP_N", "${chap_user}"], ["CHAP_R", )";
  auto res = r.run(make_with(R"({"auth": "chap"})", prefix + R"("${chap_response(i, c)}"]]}},
    {"expect": {"pdu": "LoginResponse", "fields": {"StatusClass": 0, "T": 1, "NSG": 1}}}])"));
  EXPECT_EQ(res.verdict, Verdict::Pass) << res.message;
  // A response to the wrong identifier is refused, and the case notices.
  res = r.run(make_with(R"({"auth": "chap"})", prefix + R"("${chap_response(i+1, c)}"]]}},
    {"expect": {"pdu": "LoginResponse", "fields": {"StatusClass": 0}}}])"));
  EXPECT_EQ(res.verdict, Verdict::Fail);
  EXPECT_EQ(res.step, 6u);
}

TEST(Runner, LiveTargetConfigurationDecidesApplicability) {
  TargetSpec t;  // over TCP; preconditions are checked before connecting
  t.port = 1;
  Runner none(t);
  auto res = none.run(make_with(R"({"auth": "chap"})", R"([{"login": {"auth": "chap"}}])"));
  EXPECT_EQ(res.verdict, Verdict::NotApplicable);
  EXPECT_NE(res.message.find("--chap"), std::string::npos) << res.message;
  t.auth.chap = session::ChapCredentials{"u", "s"};
  Runner chap(t);
  res = chap.run(make(R"([{"login": {}}])"));
  EXPECT_EQ(res.verdict, Verdict::NotApplicable) << res.message;  // needs no authentication
  res = chap.run(make_with(R"({"auth": "mutual-chap"})", R"([{"login": {}}])"));
  EXPECT_EQ(res.verdict, Verdict::NotApplicable);
  res = chap.run(make_with(R"({"acl": true})", R"([{"login": {}}])"));
  EXPECT_EQ(res.verdict, Verdict::NotApplicable);
}

}  // namespace
}  // namespace iscsi::sim
