// The negotiation engine against RFC 3720 §5.1-§5.3, §11, §12, Appendix A
// and D. Every expected answer is derived from the RFC's rules for the
// offered value and the local policy stated in the test.
#include "negotiation/negotiator.h"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <set>
#include <string>

namespace iscsi::negotiation {
namespace {

using KV = wire::text::KeyValue;
using Pairs = std::vector<KV>;

const std::string kInitiator = "iqn.1992-04.com.os-vendor.plan9:cdrom.12345";
const std::string kTarget = "iqn.1993-11.com.disk-vendor:diskarrays.sn.45678";
const std::string kChapResponse = "0x" + std::string(32, 'c');  // 16 bytes (MD5)

constexpr Stage SEC = Stage::SecurityNegotiation;
constexpr Stage OP = Stage::LoginOperationalNegotiation;
constexpr Stage FFP = Stage::FullFeature;
constexpr Role I = Role::Initiator;
constexpr Role T = Role::Target;

Context ctx(Stage s, bool leading = true, SessionType t = SessionType::Normal) {
  return Context{s, leading, t};
}

std::string name_of(Key k) {
  return std::string(key_def(k).name);
}

// The names every first Login Request of a Normal session carries (§5.3.1).
Pairs with_names(Pairs extra) {
  Pairs out = {{"InitiatorName", kInitiator}, {"TargetName", kTarget}};
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::optional<std::string> answer_for(const Pairs& answers, std::string_view key) {
  for (const KV& kv : answers) {
    if (kv.key == key) return kv.value;
  }
  return std::nullopt;
}

// A target that has accepted a first request with both names.
Negotiator started_target(Policy p = Policy(T), Stage stage = OP) {
  Negotiator n(T, std::move(p));
  const auto r = n.receive(with_names({}), ctx(stage));
  EXPECT_TRUE(r.ok());
  return n;
}

// An initiator policy that declares its names and session type.
Policy initiator_policy(SessionType type = SessionType::Normal) {
  Policy p(I);
  EXPECT_TRUE(p.set_text(Key::InitiatorName, kInitiator));
  p.set_offer(Key::InitiatorName);
  if (type == SessionType::Normal) {
    EXPECT_TRUE(p.set_text(Key::TargetName, kTarget));
    p.set_offer(Key::TargetName);
  }
  EXPECT_TRUE(p.set_text(Key::SessionType, std::string(session_type_name(type))));
  p.set_offer(Key::SessionType);
  return p;
}

// ---------------------------------------------------------------------------
// Every key: a valid offer or declaration and the exact answer.

struct EveryKeyRow {
  Key key;
  Role receiver;
  Stage stage;
  std::string auth;  // AuthMethod selected in the same text ("" for none)
  std::string value;
  std::optional<std::string> answer;  // nullopt: not answered (declaration, exchange, query)
};

void PrintTo(const EveryKeyRow& r, std::ostream* os) {
  *os << name_of(r.key) << "=" << r.value;
}

class EveryKeyTest : public ::testing::TestWithParam<EveryKeyRow> {};

TEST_P(EveryKeyTest, AnswersAsTheRfcSays) {
  const EveryKeyRow& row = GetParam();
  const std::string key = name_of(row.key);
  Pairs text;
  Context c = ctx(row.stage);
  std::optional<Negotiator> n;
  if (row.receiver == T) {
    Policy p(T);
    if (!row.auth.empty()) {
      ASSERT_TRUE(p.set_list(Key::AuthMethod, {row.auth}));
    }
    n.emplace(T, p);
    if (row.stage != FFP) {
      if (row.key != Key::InitiatorName) text.push_back({"InitiatorName", kInitiator});
      if (row.key != Key::TargetName) text.push_back({"TargetName", kTarget});
    } else {
      c.session_type = SessionType::Discovery;
    }
  } else {
    Policy p(I);
    if (!row.auth.empty()) {
      ASSERT_TRUE(p.set_list(Key::AuthMethod, {row.auth}));
      p.set_offer(Key::AuthMethod);
    }
    n.emplace(I, p);
    n->offers(c);
  }
  if (!row.auth.empty()) text.push_back({"AuthMethod", row.auth});
  text.push_back({key, row.value});

  const auto r = n->receive(text, c);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(answer_for(*r, key), row.answer);
  if (!row.answer) {
    if (row.key == Key::SendTargets) {
      EXPECT_EQ(n->send_targets_query(), row.value);
    } else {
      EXPECT_EQ(n->peer_value(row.key), row.value);
    }
  }
}

std::string EveryKeyName(const ::testing::TestParamInfo<EveryKeyRow>& info) {
  return name_of(info.param.key);
}

const EveryKeyRow kEveryKey[] = {
    // §11.1: default policy accepts only None; "CHAP" is skipped, "None" was offered.
    {Key::AuthMethod, T, SEC, "", "CHAP,None", "None"},
    // §11.1.1 - §11.1.4 exchange keys: recorded for the authenticator, not answered here.
    {Key::KRB_AP_REQ, T, SEC, "KRB5", "0x0102", std::nullopt},
    {Key::KRB_AP_REP, I, SEC, "KRB5", "0x0102", std::nullopt},
    {Key::SPKM_REQ, T, SEC, "SPKM1", "0x0a", std::nullopt},
    {Key::SPKM_ERROR, T, SEC, "SPKM2", "0x0a", std::nullopt},
    {Key::SPKM_REP_TI, I, SEC, "SPKM1", "0x0a", std::nullopt},
    {Key::SPKM_REP_IT, T, SEC, "SPKM1", "0x0a", std::nullopt},
    {Key::SPKM_MIC, I, SEC, "SPKM2", "0x0a", std::nullopt},
    {Key::SRP_U, T, SEC, "SRP", "alice", std::nullopt},
    {Key::TargetAuth, T, SEC, "SRP", "Yes", std::nullopt},
    {Key::SRP_GROUP, I, SEC, "SRP", "SRP-1536,SRP-1024", std::nullopt},
    {Key::SRP_s, I, SEC, "SRP", "0bAQID", std::nullopt},
    {Key::SRP_A, T, SEC, "SRP", "0x01", std::nullopt},
    {Key::SRP_B, I, SEC, "SRP", "0x01", std::nullopt},
    {Key::SRP_M, T, SEC, "SRP", "0x01", std::nullopt},
    {Key::SRP_HM, I, SEC, "SRP", "0x01", std::nullopt},
    {Key::CHAP_A, T, SEC, "CHAP", "5", std::nullopt},
    {Key::CHAP_I, I, SEC, "CHAP", "7", std::nullopt},
    {Key::CHAP_C, I, SEC, "CHAP", kChapResponse, std::nullopt},
    {Key::CHAP_N, T, SEC, "CHAP", "user", std::nullopt},
    {Key::CHAP_R, T, SEC, "CHAP", kChapResponse, std::nullopt},
    // §12.1: default policy {None}.
    {Key::HeaderDigest, T, OP, "", "CRC32C,None", "None"},
    {Key::DataDigest, T, OP, "", "CRC32C,None", "None"},
    // §12.2: min(4, 1).
    {Key::MaxConnections, T, OP, "", "4", "1"},
    // §12.3 / Appendix D: a Discovery session's query, answered with records by the caller.
    {Key::SendTargets, T, FFP, "", "All", std::nullopt},
    // §12.4 - §12.9 declarations.
    {Key::TargetName, T, OP, "", kTarget, std::nullopt},
    {Key::InitiatorName, T, OP, "", kInitiator, std::nullopt},
    {Key::TargetAlias, I, OP, "", "Bob-s Disk", std::nullopt},
    {Key::InitiatorAlias, T, OP, "", "Web Server 4", std::nullopt},
    {Key::TargetAddress, I, OP, "", "10.0.0.1:5003,1", std::nullopt},
    {Key::TargetPortalGroupTag, I, OP, "", "1", std::nullopt},
    // §12.10: OR(No, Yes) = Yes.
    {Key::InitialR2T, T, OP, "", "No", "Yes"},
    // §12.11: AND(Yes, Yes) = Yes.
    {Key::ImmediateData, T, OP, "", "Yes", "Yes"},
    // §12.12: declarative.
    {Key::MaxRecvDataSegmentLength, T, OP, "", "65536", std::nullopt},
    // §12.13: min(65536, 262144).
    {Key::MaxBurstLength, T, OP, "", "65536", "65536"},
    // §12.14: min(131072, 65536).
    {Key::FirstBurstLength, T, OP, "", "131072", "65536"},
    // §12.15: max(0, 2).
    {Key::DefaultTime2Wait, T, OP, "", "0", "2"},
    // §12.16: min(60, 20).
    {Key::DefaultTime2Retain, T, OP, "", "60", "20"},
    // §12.17: min(4, 1).
    {Key::MaxOutstandingR2T, T, OP, "", "4", "1"},
    // §12.18, §12.19: OR(No, Yes) = Yes.
    {Key::DataPDUInOrder, T, OP, "", "No", "Yes"},
    {Key::DataSequenceInOrder, T, OP, "", "No", "Yes"},
    // §12.20: min(2, 0).
    {Key::ErrorRecoveryLevel, T, OP, "", "2", "0"},
    // §12.21: declarative.
    {Key::SessionType, T, OP, "", "Normal", std::nullopt},
    // Appendix A.3.1: AND(Yes, No) = No.
    {Key::OFMarker, T, OP, "", "Yes", "No"},
    {Key::IFMarker, T, OP, "", "Yes", "No"},
    // Appendix A.3.2: irrelevant while the marker is No (its default).
    {Key::OFMarkInt, T, OP, "", "1~65535", "Irrelevant"},
    {Key::IFMarkInt, T, OP, "", "1~65535", "Irrelevant"},
};

INSTANTIATE_TEST_SUITE_P(Rfc3720, EveryKeyTest, ::testing::ValuesIn(kEveryKey), EveryKeyName);

TEST(EveryKeyCoverage, EveryTableKeyHasARow) {
  std::set<Key> keys;
  for (const EveryKeyRow& row : kEveryKey) keys.insert(row.key);
  EXPECT_EQ(keys.size(), kKeyCount);
}

// ---------------------------------------------------------------------------
// Result functions with a non-default policy.

Policy custom_target_policy() {
  Policy p(T);
  EXPECT_TRUE(p.set_list(Key::HeaderDigest, {"CRC32C", "None"}));
  EXPECT_TRUE(p.set_list(Key::DataDigest, {"CRC32C"}));
  EXPECT_TRUE(p.set_number(Key::MaxConnections, 4));
  EXPECT_TRUE(p.set_boolean(Key::InitialR2T, false));
  EXPECT_TRUE(p.set_number(Key::MaxBurstLength, 1048576));
  EXPECT_TRUE(p.set_number(Key::FirstBurstLength, 262144));
  EXPECT_TRUE(p.set_number(Key::MaxOutstandingR2T, 8));
  EXPECT_TRUE(p.set_boolean(Key::DataPDUInOrder, false));
  EXPECT_TRUE(p.set_boolean(Key::OFMarker, true));
  EXPECT_TRUE(p.set_interval(Key::OFMarkInt, {1024, 4096}));
  return p;
}

struct ResultRow {
  const char* what;
  Pairs offer;
  Pairs answers;
};

void PrintTo(const ResultRow& r, std::ostream* os) {
  *os << r.what;
}

class ResultFunctionTest : public ::testing::TestWithParam<ResultRow> {};

TEST_P(ResultFunctionTest, SelectsTheRfcResult) {
  const ResultRow& row = GetParam();
  Negotiator n(T, custom_target_policy());
  const auto r = n.receive(with_names(row.offer), ctx(OP));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, row.answers);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3720, ResultFunctionTest,
    ::testing::Values(
        // Minimum (§12: "the selected value cannot exceed the offered value").
        ResultRow{"min_above", {{"MaxConnections", "8"}}, {{"MaxConnections", "4"}}},
        ResultRow{"min_below", {{"MaxConnections", "2"}}, {{"MaxConnections", "2"}}},
        ResultRow{"min_hex", {{"MaxConnections", "0x10"}}, {{"MaxConnections", "4"}}},
        ResultRow{"mbl_low", {{"MaxBurstLength", "65536"}}, {{"MaxBurstLength", "65536"}}},
        ResultRow{"mbl_high", {{"MaxBurstLength", "16777215"}}, {{"MaxBurstLength", "1048576"}}},
        ResultRow{"fbl_high", {{"FirstBurstLength", "16777215"}}, {{"FirstBurstLength", "262144"}}},
        ResultRow{"t2r_zero", {{"DefaultTime2Retain", "0"}}, {{"DefaultTime2Retain", "0"}}},
        ResultRow{"t2r_max", {{"DefaultTime2Retain", "3600"}}, {{"DefaultTime2Retain", "20"}}},
        ResultRow{"r2t_high", {{"MaxOutstandingR2T", "16"}}, {{"MaxOutstandingR2T", "8"}}},
        ResultRow{"r2t_one", {{"MaxOutstandingR2T", "1"}}, {{"MaxOutstandingR2T", "1"}}},
        ResultRow{"erl", {{"ErrorRecoveryLevel", "2"}}, {{"ErrorRecoveryLevel", "0"}}},
        // Maximum (§12.15: "the selected value cannot be lower than the offered value").
        ResultRow{"max_low", {{"DefaultTime2Wait", "0"}}, {{"DefaultTime2Wait", "2"}}},
        ResultRow{"max_high", {{"DefaultTime2Wait", "10"}}, {{"DefaultTime2Wait", "10"}}},
        ResultRow{"max_top", {{"DefaultTime2Wait", "3600"}}, {{"DefaultTime2Wait", "3600"}}},
        // AND: policy ImmediateData=Yes, IFMarker=No, OFMarker=Yes.
        ResultRow{"and_yes_yes", {{"ImmediateData", "Yes"}}, {{"ImmediateData", "Yes"}}},
        ResultRow{"and_no_yes", {{"ImmediateData", "No"}}, {{"ImmediateData", "No"}}},
        ResultRow{"and_yes_no", {{"IFMarker", "Yes"}}, {{"IFMarker", "No"}}},
        ResultRow{"and_no_no", {{"IFMarker", "No"}}, {{"IFMarker", "No"}}},
        ResultRow{"and_no_on", {{"OFMarker", "No"}}, {{"OFMarker", "No"}}},
        // OR: policy InitialR2T=No, DataPDUInOrder=No.
        ResultRow{"or_yes_no", {{"InitialR2T", "Yes"}}, {{"InitialR2T", "Yes"}}},
        ResultRow{"or_no_no", {{"InitialR2T", "No"}}, {{"InitialR2T", "No"}}},
        ResultRow{"or_pdu_yes", {{"DataPDUInOrder", "Yes"}}, {{"DataPDUInOrder", "Yes"}}},
        ResultRow{"or_pdu_no", {{"DataPDUInOrder", "No"}}, {{"DataPDUInOrder", "No"}}},
        // List, §5.2.1: first value of the originator's list the policy accepts;
        // unknown values ignored; "None" only when proposed.
        ResultRow{"list_first", {{"HeaderDigest", "CRC32C,None"}}, {{"HeaderDigest", "CRC32C"}}},
        ResultRow{"list_order", {{"HeaderDigest", "None,CRC32C"}}, {{"HeaderDigest", "None"}}},
        ResultRow{"list_unknown",
                  {{"HeaderDigest", "Y-com.example.fast,CRC32C"}},
                  {{"HeaderDigest", "CRC32C"}}},
        ResultRow{"list_none_only", {{"HeaderDigest", "None"}}, {{"HeaderDigest", "None"}}},
        ResultRow{"list_none_refused", {{"DataDigest", "None"}}, {{"DataDigest", "Reject"}}},
        ResultRow{"list_no_match", {{"HeaderDigest", "MD5"}}, {{"HeaderDigest", "Reject"}}},
        ResultRow{"list_second", {{"DataDigest", "None,CRC32C"}}, {{"DataDigest", "CRC32C"}}},
        // Appendix A.3.2 with OFMarker=Yes agreed in the same text.
        ResultRow{"range_overlap",
                  {{"OFMarker", "Yes"}, {"OFMarkInt", "2048~8192"}},
                  {{"OFMarker", "Yes"}, {"OFMarkInt", "2048"}}},
        ResultRow{"range_low_end",
                  {{"OFMarker", "Yes"}, {"OFMarkInt", "1~2000"}},
                  {{"OFMarker", "Yes"}, {"OFMarkInt", "1024"}}},
        ResultRow{"range_single",
                  {{"OFMarker", "Yes"}, {"OFMarkInt", "3000"}},
                  {{"OFMarker", "Yes"}, {"OFMarkInt", "3000"}}},
        ResultRow{"range_disjoint",
                  {{"OFMarker", "Yes"}, {"OFMarkInt", "100~512"}},
                  {{"OFMarker", "Yes"}, {"OFMarkInt", "Reject"}}},
        // The interval ahead of its marker in the text: answered after it, in place.
        ResultRow{"range_before_marker",
                  {{"OFMarkInt", "2048~8192"}, {"OFMarker", "Yes"}},
                  {{"OFMarkInt", "2048"}, {"OFMarker", "Yes"}}},
        // Marker refused by AND: the interval becomes irrelevant.
        ResultRow{"range_marker_off",
                  {{"IFMarker", "Yes"}, {"IFMarkInt", "2048"}},
                  {{"IFMarker", "No"}, {"IFMarkInt", "Irrelevant"}}}),
    [](const auto& info) { return std::string(info.param.what); });

TEST(ResultFunctionTest, RejectedIntervalTurnsTheMarkerOff) {
  // Appendix A.3.2: "Reject is resetting the marker function in the specified
  // direction (Output or Input) to No."
  Negotiator n(T, custom_target_policy());
  const auto r = n.receive(with_names({{"OFMarker", "Yes"}, {"OFMarkInt", "100~512"}}), ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(n.parameters(ctx(OP)).of_marker);
  EXPECT_EQ(n.outcome(Key::OFMarkInt), Outcome::Rejected);
}

TEST(ResultFunctionTest, AgreedMarkerIntervalReachesTheResults) {
  Negotiator n(T, custom_target_policy());
  ASSERT_TRUE(n.receive(with_names({{"OFMarker", "Yes"}, {"OFMarkInt", "3000"}}), ctx(OP)).ok());
  const NegotiatedParameters p = n.parameters(ctx(OP));
  EXPECT_TRUE(p.of_marker);
  EXPECT_EQ(p.of_mark_int, 3000);
}

TEST(ResultFunctionTest, AuthMethodFirstAcceptable) {
  Policy p(T);
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP", "None"}));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"CHAP", "CHAP"},
      {"SRP,CHAP", "CHAP"},
      {"Z-com.example.auth,None", "None"},  // §11.1 vendor method unknown: ignored
      {"KRB5,SPKM1", "Reject"},
  };
  for (const auto& [offer, answer] : cases) {
    Negotiator n(T, p);
    const auto r = n.receive(with_names({{"AuthMethod", offer}}), ctx(SEC));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(answer_for(*r, "AuthMethod"), answer) << offer;
  }
}

// ---------------------------------------------------------------------------
// Inadmissible values of negotiated keys are answered Reject (§5.2.1, §5.2.2).

struct RejectRow {
  std::string key;
  std::string value;
};

void PrintTo(const RejectRow& r, std::ostream* os) {
  *os << r.key << "=" << r.value;
}

class RejectTest : public ::testing::TestWithParam<RejectRow> {};

TEST_P(RejectTest, AnswersReject) {
  const RejectRow& row = GetParam();
  Negotiator n(T, Policy(T));
  const auto r = n.receive(with_names({{row.key, row.value}}), ctx(OP));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(answer_for(*r, row.key), "Reject") << row.key << "=" << row.value;
  EXPECT_EQ(n.outcome(*find_key(row.key)), Outcome::Rejected);
  // §5.2: "the negotiated key is left at its current value (or default if no
  // value was set)".
  NegotiatedParameters defaults;
  defaults.initiator_name = kInitiator;
  defaults.target_name = kTarget;
  EXPECT_EQ(n.parameters(ctx(OP)), defaults);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3720, RejectTest,
    ::testing::Values(RejectRow{"MaxConnections", "0"}, RejectRow{"MaxConnections", "65536"},
                      RejectRow{"MaxConnections", "abc"}, RejectRow{"MaxConnections", ""},
                      RejectRow{"MaxConnections", "01"}, RejectRow{"InitialR2T", "yes"},
                      RejectRow{"InitialR2T", "1"}, RejectRow{"ImmediateData", "None"},
                      RejectRow{"MaxBurstLength", "511"}, RejectRow{"MaxBurstLength", "16777216"},
                      RejectRow{"FirstBurstLength", "511"}, RejectRow{"DefaultTime2Wait", "3601"},
                      RejectRow{"DefaultTime2Retain", "3601"},
                      RejectRow{"DefaultTime2Retain", "-1"}, RejectRow{"MaxOutstandingR2T", "0"},
                      RejectRow{"MaxOutstandingR2T", "65536"}, RejectRow{"ErrorRecoveryLevel", "3"},
                      RejectRow{"HeaderDigest", "CRC32C,,None"}, RejectRow{"HeaderDigest", ""},
                      RejectRow{"DataDigest", "none"}, RejectRow{"DataPDUInOrder", "None"},
                      RejectRow{"DataSequenceInOrder", "YES"}, RejectRow{"OFMarker", "maybe"},
                      RejectRow{"IFMarker", ""}));

TEST(RejectTest, MalformedMarkerIntervals) {
  for (const std::string v : {"0~10", "10~5", "65536", "x"}) {
    Negotiator n(T, custom_target_policy());
    const auto r = n.receive(with_names({{"OFMarker", "Yes"}, {"OFMarkInt", v}}), ctx(OP));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(answer_for(*r, "OFMarkInt"), "Reject") << v;
  }
}

TEST(RejectTest, MalformedAuthMethod) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive(with_names({{"AuthMethod", "CHAP,,None"}}), ctx(SEC));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(answer_for(*r, "AuthMethod"), "Reject");
}

// ---------------------------------------------------------------------------
// Conditions that end the login (§10.13.5).

struct ErrorRow {
  const char* what;
  Role receiver;
  Stage stage;
  bool leading;
  Key key;
  std::string value;
  Errc expected;
};

void PrintTo(const ErrorRow& r, std::ostream* os) {
  *os << r.what << ": " << name_of(r.key) << "=" << r.value;
}

class LoginErrorTest : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(LoginErrorTest, EndsTheLogin) {
  const ErrorRow& row = GetParam();
  Pairs text;
  if (row.receiver == T && row.stage != FFP) {
    if (row.key != Key::InitiatorName) text.push_back({"InitiatorName", kInitiator});
    if (row.key != Key::TargetName) text.push_back({"TargetName", kTarget});
  }
  text.push_back({name_of(row.key), row.value});
  Negotiator n(row.receiver, Policy(row.receiver));
  const auto r = n.receive(text, ctx(row.stage, row.leading));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, row.expected) << errc_name(r.error().code) << ": " << r.error().detail;
  EXPECT_EQ(r.error().status, LoginStatus::InitiatorError);
  EXPECT_EQ(r.error().key, name_of(row.key));
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    WrongSender, LoginErrorTest,
    ::testing::Values(
        // Target-only keys sent by an initiator (§11.1, §12.6, §12.8, §12.9).
        ErrorRow{"TargetAlias", T, OP, true, Key::TargetAlias, "disk", Errc::WrongSender},
        ErrorRow{"TargetAddress", T, OP, true, Key::TargetAddress, "10.0.0.1,1", Errc::WrongSender},
        ErrorRow{"TargetPortalGroupTag", T, OP, true, Key::TargetPortalGroupTag, "1", Errc::WrongSender},
        ErrorRow{"KRB_AP_REP", T, SEC, true, Key::KRB_AP_REP, "0x01", Errc::WrongSender},
        ErrorRow{"SPKM_REP_TI", T, SEC, true, Key::SPKM_REP_TI, "0x01", Errc::WrongSender},
        ErrorRow{"SRP_s", T, SEC, true, Key::SRP_s, "0x01", Errc::WrongSender},
        ErrorRow{"SRP_B", T, SEC, true, Key::SRP_B, "0x01", Errc::WrongSender},
        ErrorRow{"SRP_HM", T, SEC, true, Key::SRP_HM, "0x01", Errc::WrongSender},
        // Initiator-only keys sent by a target (§11.1, §12.3, §12.5, §12.7, §12.21).
        ErrorRow{"InitiatorName", I, OP, true, Key::InitiatorName, kInitiator, Errc::WrongSender},
        ErrorRow{"InitiatorAlias", I, OP, true, Key::InitiatorAlias, "host", Errc::WrongSender},
        ErrorRow{"SessionType", I, OP, true, Key::SessionType, "Normal", Errc::WrongSender},
        ErrorRow{"SendTargets", I, FFP, true, Key::SendTargets, "All", Errc::WrongSender},
        ErrorRow{"KRB_AP_REQ", I, SEC, true, Key::KRB_AP_REQ, "0x01", Errc::WrongSender},
        ErrorRow{"SPKM_REQ", I, SEC, true, Key::SPKM_REQ, "0x01", Errc::WrongSender},
        ErrorRow{"SPKM_REP_IT", I, SEC, true, Key::SPKM_REP_IT, "0x01", Errc::WrongSender},
        ErrorRow{"SRP_U", I, SEC, true, Key::SRP_U, "alice", Errc::WrongSender},
        ErrorRow{"TargetAuth", I, SEC, true, Key::TargetAuth, "Yes", Errc::WrongSender},
        ErrorRow{"SRP_A", I, SEC, true, Key::SRP_A, "0x01", Errc::WrongSender},
        ErrorRow{"SRP_M", I, SEC, true, Key::SRP_M, "0x01", Errc::WrongSender}),
    [](const auto& info) { return std::string(info.param.what); });

INSTANTIATE_TEST_SUITE_P(
    WrongStage, LoginErrorTest,
    ::testing::Values(
        // §11: "Other keys MUST NOT be used" in the SecurityNegotiation stage.
        ErrorRow{"SecHeaderDigest", T, SEC, true, Key::HeaderDigest, "None", Errc::WrongStage},
        ErrorRow{"SecDataDigest", T, SEC, true, Key::DataDigest, "None", Errc::WrongStage},
        ErrorRow{"SecMaxConnections", T, SEC, true, Key::MaxConnections, "1", Errc::WrongStage},
        ErrorRow{"SecInitialR2T", T, SEC, true, Key::InitialR2T, "Yes", Errc::WrongStage},
        ErrorRow{"SecImmediateData", T, SEC, true, Key::ImmediateData, "Yes", Errc::WrongStage},
        ErrorRow{"SecMRDSL", T, SEC, true, Key::MaxRecvDataSegmentLength, "8192", Errc::WrongStage},
        ErrorRow{"SecMaxBurstLength", T, SEC, true, Key::MaxBurstLength, "512", Errc::WrongStage},
        ErrorRow{"SecFirstBurstLength", T, SEC, true, Key::FirstBurstLength, "512", Errc::WrongStage},
        ErrorRow{"SecDefaultTime2Wait", T, SEC, true, Key::DefaultTime2Wait, "2", Errc::WrongStage},
        ErrorRow{"SecDefaultTime2Retain", T, SEC, true, Key::DefaultTime2Retain, "2", Errc::WrongStage},
        ErrorRow{"SecMaxOutstandingR2T", T, SEC, true, Key::MaxOutstandingR2T, "1", Errc::WrongStage},
        ErrorRow{"SecDataPDUInOrder", T, SEC, true, Key::DataPDUInOrder, "Yes", Errc::WrongStage},
        ErrorRow{"SecDataSequenceInOrder", T, SEC, true, Key::DataSequenceInOrder, "Yes", Errc::WrongStage},
        ErrorRow{"SecErrorRecoveryLevel", T, SEC, true, Key::ErrorRecoveryLevel, "0", Errc::WrongStage},
        ErrorRow{"SecOFMarker", T, SEC, true, Key::OFMarker, "No", Errc::WrongStage},
        ErrorRow{"SecIFMarker", T, SEC, true, Key::IFMarker, "No", Errc::WrongStage},
        ErrorRow{"SecOFMarkInt", T, SEC, true, Key::OFMarkInt, "2048", Errc::WrongStage},
        ErrorRow{"SecIFMarkInt", T, SEC, true, Key::IFMarkInt, "2048", Errc::WrongStage},
        // §11 keys outside the security stage.
        ErrorRow{"OpAuthMethod", T, OP, true, Key::AuthMethod, "None", Errc::WrongStage},
        ErrorRow{"OpCHAP_A", T, OP, true, Key::CHAP_A, "5", Errc::WrongStage},
        ErrorRow{"OpSRP_U", T, OP, true, Key::SRP_U, "alice", Errc::WrongStage},
        ErrorRow{"OpKRB_AP_REQ", T, OP, true, Key::KRB_AP_REQ, "0x01", Errc::WrongStage},
        ErrorRow{"OpSPKM_REQ", T, OP, true, Key::SPKM_REQ, "0x01", Errc::WrongStage},
        ErrorRow{"FfpAuthMethod", T, FFP, true, Key::AuthMethod, "None", Errc::WrongStage},
        // §12 IO and LO keys in full feature phase (Text negotiation).
        ErrorRow{"FfpHeaderDigest", T, FFP, true, Key::HeaderDigest, "None", Errc::WrongStage},
        ErrorRow{"FfpMaxBurstLength", T, FFP, true, Key::MaxBurstLength, "512", Errc::WrongStage},
        ErrorRow{"FfpInitiatorName", T, FFP, true, Key::InitiatorName, kInitiator, Errc::WrongStage},
        ErrorRow{"FfpTargetName", T, FFP, true, Key::TargetName, kTarget, Errc::WrongStage},
        ErrorRow{"FfpSessionType", T, FFP, true, Key::SessionType, "Normal", Errc::WrongStage},
        ErrorRow{"FfpOFMarker", T, FFP, true, Key::OFMarker, "No", Errc::WrongStage},
        ErrorRow{"FfpTargetPortalGroupTag", I, FFP, true, Key::TargetPortalGroupTag, "1", Errc::WrongStage},
        // FFPO keys during login (§12.3); a target's TargetName during login (§12.4).
        ErrorRow{"OpSendTargets", T, OP, true, Key::SendTargets, "All", Errc::WrongStage},
        ErrorRow{"OpTargetNameFromTarget", I, OP, true, Key::TargetName, kTarget, Errc::WrongStage}),
    [](const auto& info) { return std::string(info.param.what); });

INSTANTIATE_TEST_SUITE_P(
    NotLeading, LoginErrorTest,
    ::testing::Values(
        // §5.3: LO keys only on the leading connection.
        ErrorRow{"MaxConnections", T, OP, false, Key::MaxConnections, "1", Errc::NotLeadingConnection},
        ErrorRow{"InitialR2T", T, OP, false, Key::InitialR2T, "Yes", Errc::NotLeadingConnection},
        ErrorRow{"ImmediateData", T, OP, false, Key::ImmediateData, "Yes", Errc::NotLeadingConnection},
        ErrorRow{"MaxBurstLength", T, OP, false, Key::MaxBurstLength, "512", Errc::NotLeadingConnection},
        ErrorRow{"FirstBurstLength", T, OP, false, Key::FirstBurstLength, "512", Errc::NotLeadingConnection},
        ErrorRow{"DefaultTime2Wait", T, OP, false, Key::DefaultTime2Wait, "2", Errc::NotLeadingConnection},
        ErrorRow{"DefaultTime2Retain", T, OP, false, Key::DefaultTime2Retain, "2", Errc::NotLeadingConnection},
        ErrorRow{"MaxOutstandingR2T", T, OP, false, Key::MaxOutstandingR2T, "1", Errc::NotLeadingConnection},
        ErrorRow{"DataPDUInOrder", T, OP, false, Key::DataPDUInOrder, "Yes", Errc::NotLeadingConnection},
        ErrorRow{"DataSequenceInOrder", T, OP, false, Key::DataSequenceInOrder, "Yes", Errc::NotLeadingConnection},
        ErrorRow{"ErrorRecoveryLevel", T, OP, false, Key::ErrorRecoveryLevel, "0", Errc::NotLeadingConnection},
        ErrorRow{"SessionType", T, SEC, false, Key::SessionType, "Normal", Errc::NotLeadingConnection}),
    [](const auto& info) { return std::string(info.param.what); });
// clang-format on

TEST(LoginErrorTest, ConnectionKeysAreFineOnNonLeadingConnections) {
  Negotiator n(T, Policy(T));
  const auto r =
      n.receive(with_names({{"HeaderDigest", "None"}, {"MaxRecvDataSegmentLength", "65536"}}),
                ctx(OP, /*leading=*/false));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, (Pairs{{"HeaderDigest", "None"}}));
}

// ---------------------------------------------------------------------------
// Repetition (§5.3).

TEST(RepeatedKeyTest, TwiceInOneText) {
  Negotiator n(T, Policy(T));
  const auto r =
      n.receive(with_names({{"MaxBurstLength", "65536"}, {"MaxBurstLength", "65536"}}), ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
  EXPECT_EQ(r.error().status, LoginStatus::InitiatorError);
}

TEST(RepeatedKeyTest, UnknownKeyTwiceInOneText) {
  Negotiator n(T, Policy(T));
  const auto r =
      n.receive(with_names({{"X-com.example.A", "1"}, {"X-com.example.A", "2"}}), ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
}

TEST(RepeatedKeyTest, RenegotiatedInALaterText) {
  Negotiator n = started_target();
  ASSERT_TRUE(n.receive({{"MaxBurstLength", "65536"}}, ctx(OP)).ok());
  const auto r = n.receive({{"MaxBurstLength", "131072"}}, ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
}

TEST(RepeatedKeyTest, RejectCompletesTheNegotiation) {
  // §5.2: "A negotiation is considered complete when the responder has sent
  // the key value pair even if the value is "Reject"".
  Negotiator n = started_target();
  const auto first = n.receive({{"MaxBurstLength", "1"}}, ctx(OP));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, (Pairs{{"MaxBurstLength", "Reject"}}));
  const auto r = n.receive({{"MaxBurstLength", "65536"}}, ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
}

TEST(RepeatedKeyTest, NamesMustNotBeRedeclared) {
  // §12.4/§12.5: "MUST not be redeclared within the login phase".
  Negotiator n = started_target(Policy(T), SEC);
  const auto r = n.receive({{"InitiatorName", kInitiator}}, ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
}

TEST(RepeatedKeyTest, DeclarationTwiceInOneLogin) {
  Negotiator n = started_target();
  ASSERT_TRUE(n.receive({{"MaxRecvDataSegmentLength", "65536"}}, ctx(OP)).ok());
  const auto r = n.receive({{"MaxRecvDataSegmentLength", "65536"}}, ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
}

TEST(RepeatedKeyTest, AuthenticationKeyTwice) {
  Policy p(T);
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP"}));
  Negotiator n(T, p);
  ASSERT_TRUE(n.receive(with_names({{"AuthMethod", "CHAP"}, {"CHAP_A", "5"}}), ctx(SEC)).ok());
  const auto r = n.receive({{"CHAP_A", "5"}}, ctx(SEC));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
}

TEST(RepeatedKeyTest, KeyOfferedByThePeerAfterItsOwnAnswer) {
  // The target proposes ImmediateData; the initiator answers; offering it
  // again afterwards is a renegotiation.
  Policy p(T);
  ASSERT_TRUE(p.set_boolean(Key::ImmediateData, false));
  p.set_offer(Key::ImmediateData);
  Negotiator n = started_target(p);
  EXPECT_EQ(n.offers(ctx(OP)), (Pairs{{"ImmediateData", "No"}}));
  ASSERT_TRUE(n.receive({{"ImmediateData", "No"}}, ctx(OP)).ok());
  const auto r = n.receive({{"ImmediateData", "No"}}, ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
}

TEST(RepeatedKeyTest, TargetAddressMayRepeat) {
  // §5.3: "except for ... keys that explicitly allow repeated key
  // declarations (e.g., TargetAddress)".
  Negotiator n(I, initiator_policy());
  const auto r =
      n.receive({{"TargetAddress", "10.0.0.1:3260"}, {"TargetAddress", "10.0.0.2:3260"}}, ctx(SEC));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(n.peer_value(Key::TargetAddress), "10.0.0.2:3260");
}

// ---------------------------------------------------------------------------
// Unknown keys (§5.2: "the answer for a key not understood MUST be
// key=NotUnderstood").

TEST(NotUnderstoodTest, UnknownAndVendorKeys) {
  for (const std::string key :
       {"X-com.example.Foo", "X#NodeArchitecture", "TaskReporting", "Maxburstlength", "FooBar"}) {
    for (Stage stage : {SEC, OP}) {
      Negotiator n(T, Policy(T));
      const auto r = n.receive(with_names({{key, "1"}}), ctx(stage));
      ASSERT_TRUE(r.ok()) << key;
      EXPECT_EQ(*r, (Pairs{{key, "NotUnderstood"}})) << key;
    }
  }
}

TEST(NotUnderstoodTest, InFullFeaturePhase) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive({{"X-com.example.Foo", "1"}}, ctx(FFP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"X-com.example.Foo", "NotUnderstood"}}));
}

TEST(NotUnderstoodTest, AnswersStayInTextOrder) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive(
      with_names({{"X-com.example.A", "1"}, {"MaxBurstLength", "65536"}, {"X-com.example.B", ""}}),
      ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"X-com.example.A", "NotUnderstood"},
                       {"MaxBurstLength", "65536"},
                       {"X-com.example.B", "NotUnderstood"}}));
}

TEST(NotUnderstoodTest, CountIsBounded) {
  Policy p(T);
  p.limits.max_not_understood_keys = 3;
  Negotiator ok(T, p);
  EXPECT_TRUE(
      ok.receive(with_names({{"X-a.A", "1"}, {"X-a.B", "1"}, {"X-a.C", "1"}}), ctx(OP)).ok());
  Negotiator n(T, p);
  const auto r = n.receive(
      with_names({{"X-a.A", "1"}, {"X-a.B", "1"}, {"X-a.C", "1"}, {"X-a.D", "1"}}), ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::TooManyNotUnderstood);
  EXPECT_EQ(r.error().status, LoginStatus::OutOfResources);
}

TEST(NotUnderstoodTest, BytesAreBounded) {
  // Each answer "X-a.A=NotUnderstood\0" takes 5 + 1 + 13 + 1 = 20 bytes.
  Policy p(T);
  p.limits.max_not_understood_bytes = 40;
  Negotiator ok(T, p);
  EXPECT_TRUE(ok.receive(with_names({{"X-a.A", "1"}, {"X-a.B", "1"}}), ctx(OP)).ok());
  Negotiator n(T, p);
  const auto r = n.receive(with_names({{"X-a.A", "1"}, {"X-a.B", "1"}, {"X-a.C", "1"}}), ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::TooManyNotUnderstood);
}

TEST(NotUnderstoodTest, DefaultBoundAnswers8192BytesOfUnknownKeys) {
  // §5.1: "MUST support receiving at least 8192 bytes of key=value data".
  Pairs text = with_names({});
  std::size_t bytes = 0;
  std::size_t unknown = 0;
  for (std::size_t i = 0; bytes < 8192; ++i) {
    text.push_back({"K" + std::to_string(i), ""});
    bytes += text.back().key.size() + 2;
    ++unknown;
  }
  Negotiator n(T, Policy(T));
  const auto r = n.receive(text, ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), unknown);
}

// ---------------------------------------------------------------------------
// Reserved constants as proposed values (§5.2).

TEST(ReservedValueTest, AnswerConstantsCannotBeOffered) {
  const Pairs offers = {{"MaxBurstLength", "Reject"},
                        {"HeaderDigest", "NotUnderstood"},
                        {"InitialR2T", "Irrelevant"},
                        {"InitiatorAlias", "Reject"},
                        {"X-com.example.A", "NotUnderstood"}};
  for (const KV& kv : offers) {
    Negotiator n(T, Policy(T));
    const auto r = n.receive(with_names({kv}), ctx(OP));
    ASSERT_FALSE(r.ok()) << kv.key;
    EXPECT_EQ(r.error().code, Errc::ReservedValueOffered) << kv.key;
  }
}

// ---------------------------------------------------------------------------
// Required keys and session types (§5.3.1, §12.4, §12.5, §12.21).

TEST(MissingKeyTest, InitiatorNameOnTheFirstRequest) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive({{"TargetName", kTarget}, {"SessionType", "Normal"}}, ctx(SEC));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::MissingKey);
  EXPECT_EQ(r.error().status, LoginStatus::MissingParameter);
  EXPECT_EQ(r.error().key, "InitiatorName");
}

TEST(MissingKeyTest, TargetNameForANormalSession) {
  for (const Pairs& text : {Pairs{{"InitiatorName", kInitiator}},
                            Pairs{{"InitiatorName", kInitiator}, {"SessionType", "Normal"}}}) {
    Negotiator n(T, Policy(T));
    const auto r = n.receive(text, ctx(OP));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::MissingKey);
    EXPECT_EQ(r.error().status, LoginStatus::MissingParameter);
    EXPECT_EQ(r.error().key, "TargetName");
  }
}

TEST(MissingKeyTest, NonLeadingConnectionOfANormalSession) {
  // §12.5, §12.4: "for every connection".
  Negotiator n(T, Policy(T));
  const auto r = n.receive({{"InitiatorName", kInitiator}}, ctx(SEC, /*leading=*/false));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().key, "TargetName");
}

TEST(MissingKeyTest, DiscoveryNeedsNoTargetName) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive({{"InitiatorName", kInitiator}, {"SessionType", "Discovery"}}, ctx(SEC));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(n.session_type(ctx(SEC)), SessionType::Discovery);
}

TEST(MissingKeyTest, OnlyTheFirstRequestIsChecked) {
  Negotiator n = started_target();
  EXPECT_TRUE(n.receive({{"MaxBurstLength", "512"}}, ctx(OP)).ok());
}

TEST(SessionTypeTest, UnknownType) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive(with_names({{"SessionType", "Other"}}), ctx(SEC));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::UnsupportedSessionType);
  EXPECT_EQ(r.error().status, LoginStatus::SessionTypeNotSupported);
}

TEST(SessionTypeTest, TypeNotOfferedByTheTarget) {
  Policy p(T);
  p.accepted_session_types = {SessionType::Normal};
  Negotiator n(T, p);
  const auto r = n.receive({{"InitiatorName", kInitiator}, {"SessionType", "Discovery"}}, ctx(SEC));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, LoginStatus::SessionTypeNotSupported);
}

TEST(DeclarationTest, MalformedDeclarations) {
  const Pairs bad = {{"MaxRecvDataSegmentLength", "511"},
                     {"MaxRecvDataSegmentLength", "16777216"},
                     {"MaxRecvDataSegmentLength", "big"},
                     {"InitiatorAlias", "\xff"},
                     {"InitiatorAlias", std::string(256, 'a')}};
  for (const KV& kv : bad) {
    Negotiator n(T, Policy(T));
    const auto r = n.receive(with_names({kv}), ctx(OP));
    ASSERT_FALSE(r.ok()) << kv.key << "=" << kv.value;
    EXPECT_EQ(r.error().code, Errc::InvalidDeclaration);
    EXPECT_EQ(r.error().status, LoginStatus::InitiatorError);
  }
  Negotiator n(T, Policy(T));
  const auto r = n.receive({{"InitiatorName", "Not.A.Name"}, {"TargetName", kTarget}}, ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::InvalidDeclaration);
}

// ---------------------------------------------------------------------------
// Irrelevance (§12 "Irrelevant when", Appendix A.3.2).

TEST(IrrelevantTest, DiscoverySessionKeys) {
  // §12.2, §12.10, §12.11, §12.13, §12.14, §12.17, §12.18, §12.19.
  for (const std::string key :
       {"MaxConnections", "InitialR2T", "ImmediateData", "MaxBurstLength", "FirstBurstLength",
        "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder"}) {
    const std::string value = key_def(*find_key(key)).type == ValueType::Boolean ? "Yes" : "1024";
    Negotiator n(T, Policy(T));
    const auto r = n.receive(
        {{"InitiatorName", kInitiator}, {"SessionType", "Discovery"}, {key, value}}, ctx(OP));
    ASSERT_TRUE(r.ok()) << key;
    EXPECT_EQ(*r, (Pairs{{key, "Irrelevant"}})) << key;
    EXPECT_EQ(n.outcome(*find_key(key)), Outcome::Irrelevant);
  }
}

TEST(IrrelevantTest, KeysThatStayRelevantInDiscovery) {
  // §12.15, §12.16, §12.20 and §12.1 name no irrelevance condition.
  Negotiator n(T, Policy(T));
  const auto r = n.receive({{"InitiatorName", kInitiator},
                            {"SessionType", "Discovery"},
                            {"DefaultTime2Wait", "0"},
                            {"DefaultTime2Retain", "0"},
                            {"ErrorRecoveryLevel", "0"},
                            {"HeaderDigest", "None"}},
                           ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"DefaultTime2Wait", "2"},
                       {"DefaultTime2Retain", "0"},
                       {"ErrorRecoveryLevel", "0"},
                       {"HeaderDigest", "None"}}));
}

TEST(IrrelevantTest, SessionTypeLaterInTheTextStillCounts) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive(
      {{"InitiatorName", kInitiator}, {"MaxBurstLength", "512"}, {"SessionType", "Discovery"}},
      ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"MaxBurstLength", "Irrelevant"}}));
}

TEST(IrrelevantTest, DiscoveryImpliesOneConnection) {
  // §12.21: "The discovery session implies MaxConnections = 1".
  Negotiator n(T, Policy(T));
  ASSERT_TRUE(
      n.receive({{"InitiatorName", kInitiator}, {"SessionType", "Discovery"}}, ctx(OP)).ok());
  EXPECT_EQ(n.parameters(ctx(OP)).max_connections, 1);
  EXPECT_EQ(n.parameters(ctx(OP)).session_type, SessionType::Discovery);
}

TEST(IrrelevantTest, FirstBurstLengthWithoutUnsolicitedData) {
  // §12.14: "Irrelevant when: ( InitialR2T=Yes and ImmediateData=No )".
  Policy p(T);
  ASSERT_TRUE(p.set_boolean(Key::ImmediateData, false));
  Negotiator n(T, p);
  const auto r = n.receive(
      with_names({{"FirstBurstLength", "4096"}, {"InitialR2T", "Yes"}, {"ImmediateData", "Yes"}}),
      ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(
      *r,
      (Pairs{{"FirstBurstLength", "Irrelevant"}, {"InitialR2T", "Yes"}, {"ImmediateData", "No"}}));
}

TEST(IrrelevantTest, FirstBurstLengthWithUnsolicitedData) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive(
      with_names({{"FirstBurstLength", "4096"}, {"InitialR2T", "Yes"}, {"ImmediateData", "Yes"}}),
      ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(answer_for(*r, "FirstBurstLength"), "4096");
}

TEST(IrrelevantTest, IrrelevantKeysKeepTheirDefault) {
  Policy p(T);
  ASSERT_TRUE(p.set_boolean(Key::ImmediateData, false));
  Negotiator n(T, p);
  ASSERT_TRUE(n.receive(with_names({{"FirstBurstLength", "4096"}}), ctx(OP)).ok());
  EXPECT_EQ(n.parameters(ctx(OP)).first_burst_length, 4096u);
  // ImmediateData=No negotiated afterwards makes the agreed value irrelevant.
  ASSERT_TRUE(n.receive({{"ImmediateData", "No"}}, ctx(OP)).ok());
  EXPECT_EQ(n.parameters(ctx(OP)).first_burst_length, 65536u);
}

// ---------------------------------------------------------------------------
// Authentication (§11).

TEST(AuthTest, ChapExchangeIsRecorded) {
  Policy p(T);
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP"}));
  Negotiator n(T, p);
  auto r =
      n.receive(with_names({{"SessionType", "Normal"}, {"AuthMethod", "CHAP,None"}}), ctx(SEC));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"AuthMethod", "CHAP"}}));
  r = n.receive({{"CHAP_A", "5"}}, ctx(SEC));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(n.peer_value(Key::CHAP_A), "5");
  r = n.receive({{"CHAP_N", "user"}, {"CHAP_R", kChapResponse}}, ctx(SEC));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(n.peer_value(Key::CHAP_N), "user");
  EXPECT_EQ(n.peer_value(Key::CHAP_R), kChapResponse);
  EXPECT_EQ(n.parameters(ctx(SEC)).auth_method, "CHAP");
}

TEST(AuthTest, NoneIsSelectedOnlyWhenOffered) {
  Policy p(T);
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP"}));
  Negotiator n(T, p);
  const auto r = n.receive(with_names({{"AuthMethod", "None"}}), ctx(SEC));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"AuthMethod", "Reject"}}));
  EXPECT_EQ(n.outcome(Key::AuthMethod), Outcome::Rejected);
}

TEST(AuthTest, ExchangeKeyOfAMethodNotSelected) {
  // No AuthMethod negotiated: the method is None.
  Negotiator n(T, Policy(T));
  auto r = n.receive(with_names({{"CHAP_A", "5"}}), ctx(SEC));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::AuthKeyOutOfPlace);
  EXPECT_EQ(r.error().status, LoginStatus::InitiatorError);

  Policy p(T);
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP"}));
  Negotiator chap(T, p);
  r = chap.receive(with_names({{"AuthMethod", "CHAP"}, {"SRP_U", "alice"}}), ctx(SEC));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::AuthKeyOutOfPlace);
}

TEST(AuthTest, ExchangeKeyBeforeAuthMethodInTheSameText) {
  // The selection is made before the exchange keys of the same text are checked.
  Policy p(T);
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP"}));
  Negotiator n(T, p);
  const auto r = n.receive(with_names({{"CHAP_A", "5"}, {"AuthMethod", "CHAP"}}), ctx(SEC));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, (Pairs{{"AuthMethod", "CHAP"}}));
}

TEST(AuthTest, MalformedOrOversizedExchangeValues) {
  // §11.1.4: C and R "MUST NOT exceed 1024 bytes"; §11.1.1: 65536 bytes.
  const Pairs bad = {{"CHAP_R", "0xZZ"},
                     {"CHAP_R", "0x" + std::string(2050, 'a')},
                     {"CHAP_C", "12345"},
                     {"CHAP_I", "256"},
                     {"CHAP_A", "five"}};
  for (const KV& kv : bad) {
    Policy p(T);
    ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP"}));
    Negotiator n(T, p);
    const auto r = n.receive(with_names({{"AuthMethod", "CHAP"}, kv}), ctx(SEC));
    ASSERT_FALSE(r.ok()) << kv.key;
    EXPECT_EQ(r.error().code, Errc::InvalidAuthValue) << kv.key;
    EXPECT_EQ(r.error().status, LoginStatus::AuthenticationFailure);
  }
  Policy p(T);
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"KRB5"}));
  Negotiator ok(T, p);
  EXPECT_TRUE(ok.receive(with_names({{"AuthMethod", "KRB5"},
                                     {"KRB_AP_REQ", "0x" + std::string(131072, 'a')}}),
                         ctx(SEC))
                  .ok());
  Negotiator too_long(T, p);
  EXPECT_FALSE(too_long
                   .receive(with_names({{"AuthMethod", "KRB5"},
                                        {"KRB_AP_REQ", "0x" + std::string(131074, 'a')}}),
                            ctx(SEC))
                   .ok());
}

TEST(AuthTest, TargetProposedMethodAnsweredByTheInitiator) {
  // §11.1: "The authentication method proposal may be made by either the
  // initiator or the target."
  Policy p(I);
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP"}));
  Negotiator n(I, p);
  auto r = n.receive({{"AuthMethod", "None,CHAP"}}, ctx(SEC));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"AuthMethod", "CHAP"}}));

  Policy none(I);
  Negotiator m(I, none);  // accepts None only
  r = m.receive({{"AuthMethod", "CHAP"}}, ctx(SEC));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"AuthMethod", "Reject"}}));
}

// ---------------------------------------------------------------------------
// The originator's side: offers and the validation of answers (§5.2.1, §5.2.2).

Negotiator offering(Key k, const std::function<void(Policy&)>& set, Stage stage = OP) {
  Policy p(I);
  set(p);
  p.set_offer(k);
  Negotiator n(I, p);
  const Pairs sent = n.offers(ctx(stage));
  EXPECT_TRUE(answer_for(sent, name_of(k)).has_value()) << name_of(k);
  return n;
}

struct AnswerRow {
  const char* what;
  Key key;
  std::function<void(Policy&)> set;
  std::string answer;
  std::optional<Errc> error;
};

void PrintTo(const AnswerRow& r, std::ostream* os) {
  *os << r.what << ": " << name_of(r.key) << "=" << r.answer;
}

class AnswerValidationTest : public ::testing::TestWithParam<AnswerRow> {};

TEST_P(AnswerValidationTest, ChecksTheSelection) {
  const AnswerRow& row = GetParam();
  Negotiator n = offering(row.key, row.set);
  const auto r = n.receive({{name_of(row.key), row.answer}}, ctx(OP));
  if (!row.error) {
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_TRUE(r->empty());
    EXPECT_FALSE(n.has_pending_offers());
  } else {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, *row.error) << r.error().detail;
  }
}

const auto kCrcOnly = [](Policy& p) { p.set_list(Key::HeaderDigest, {"CRC32C"}); };
const auto kCrcOrNone = [](Policy& p) { p.set_list(Key::HeaderDigest, {"CRC32C", "None"}); };
const auto kMbl64k = [](Policy& p) { p.set_number(Key::MaxBurstLength, 65536); };
const auto kWait2 = [](Policy& p) { p.set_number(Key::DefaultTime2Wait, 2); };
const auto kImmNo = [](Policy& p) { p.set_boolean(Key::ImmediateData, false); };
const auto kImmYes = [](Policy& p) { p.set_boolean(Key::ImmediateData, true); };
const auto kR2tYes = [](Policy& p) { p.set_boolean(Key::InitialR2T, true); };
const auto kR2tNo = [](Policy& p) { p.set_boolean(Key::InitialR2T, false); };
const auto kDefaults = [](Policy&) {};

INSTANTIATE_TEST_SUITE_P(
    Rfc3720, AnswerValidationTest,
    ::testing::Values(
        // §5.2.1: a value not proposed, "None" not proposed, a list as answer.
        AnswerRow{"list_ok", Key::HeaderDigest, kCrcOnly, "CRC32C", std::nullopt},
        AnswerRow{"list_none_not_offered", Key::HeaderDigest, kCrcOnly, "None",
                  Errc::InvalidAnswer},
        AnswerRow{"list_none_offered", Key::HeaderDigest, kCrcOrNone, "None", std::nullopt},
        AnswerRow{"list_not_proposed", Key::HeaderDigest, kCrcOrNone, "MD5", Errc::InvalidAnswer},
        AnswerRow{"list_as_answer", Key::HeaderDigest, kCrcOrNone, "CRC32C,None",
                  Errc::InvalidAnswer},
        AnswerRow{"list_reject", Key::HeaderDigest, kCrcOnly, "Reject", std::nullopt},
        // Minimum: not above the offer, within the range.
        AnswerRow{"min_equal", Key::MaxBurstLength, kMbl64k, "65536", std::nullopt},
        AnswerRow{"min_lower", Key::MaxBurstLength, kMbl64k, "512", std::nullopt},
        AnswerRow{"min_above", Key::MaxBurstLength, kMbl64k, "131072", Errc::InvalidAnswer},
        AnswerRow{"min_out_of_range", Key::MaxBurstLength, kMbl64k, "511", Errc::InvalidAnswer},
        AnswerRow{"min_malformed", Key::MaxBurstLength, kMbl64k, "lots", Errc::InvalidAnswer},
        // Maximum: not below the offer.
        AnswerRow{"max_higher", Key::DefaultTime2Wait, kWait2, "5", std::nullopt},
        AnswerRow{"max_below", Key::DefaultTime2Wait, kWait2, "1", Errc::InvalidAnswer},
        // AND: No offered admits only No. OR: Yes offered admits only Yes.
        AnswerRow{"and_no_no", Key::ImmediateData, kImmNo, "No", std::nullopt},
        AnswerRow{"and_no_yes", Key::ImmediateData, kImmNo, "Yes", Errc::InvalidAnswer},
        AnswerRow{"and_yes_no", Key::ImmediateData, kImmYes, "No", std::nullopt},
        AnswerRow{"or_yes_no", Key::InitialR2T, kR2tYes, "No", Errc::InvalidAnswer},
        AnswerRow{"or_no_yes", Key::InitialR2T, kR2tNo, "Yes", std::nullopt},
        AnswerRow{"bool_malformed", Key::InitialR2T, kR2tNo, "yes", Errc::InvalidAnswer},
        // §5.2: standard keys are never NotUnderstood.
        AnswerRow{"not_understood", Key::MaxConnections, kDefaults, "NotUnderstood",
                  Errc::NotUnderstoodStandardKey},
        // Irrelevant only where an irrelevance condition holds.
        AnswerRow{"irrelevant_wrongly", Key::MaxBurstLength, kMbl64k, "Irrelevant",
                  Errc::InvalidAnswer}),
    [](const auto& info) { return std::string(info.param.what); });

TEST(AnswerValidationTest, RejectLeavesTheCurrentValue) {
  Negotiator n = offering(Key::MaxBurstLength, kMbl64k);
  ASSERT_TRUE(n.receive({{"MaxBurstLength", "Reject"}}, ctx(OP)).ok());
  EXPECT_EQ(n.outcome(Key::MaxBurstLength), Outcome::Rejected);
  EXPECT_EQ(n.parameters(ctx(OP)).max_burst_length, 262144u);
}

TEST(AnswerValidationTest, AgreedValueReachesTheResults) {
  Negotiator n = offering(Key::MaxBurstLength, kMbl64k);
  ASSERT_TRUE(n.receive({{"MaxBurstLength", "4096"}}, ctx(OP)).ok());
  EXPECT_EQ(n.outcome(Key::MaxBurstLength), Outcome::Agreed);
  EXPECT_EQ(n.parameters(ctx(OP)).max_burst_length, 4096u);
}

TEST(AnswerValidationTest, MarkerIntervalAnswers) {
  const auto markers = [](Policy& p) {
    p.set_boolean(Key::OFMarker, true);
    p.set_interval(Key::OFMarkInt, {1024, 4096});
    p.set_offer(Key::OFMarker);
  };
  Negotiator ok = offering(Key::OFMarkInt, markers);
  ASSERT_TRUE(ok.receive({{"OFMarker", "Yes"}, {"OFMarkInt", "2048"}}, ctx(OP)).ok());
  EXPECT_EQ(ok.parameters(ctx(OP)).of_mark_int, 2048);

  Negotiator outside = offering(Key::OFMarkInt, markers);
  auto r = outside.receive({{"OFMarker", "Yes"}, {"OFMarkInt", "5000"}}, ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::InvalidAnswer);

  Negotiator range = offering(Key::OFMarkInt, markers);
  r = range.receive({{"OFMarker", "Yes"}, {"OFMarkInt", "1024~2048"}}, ctx(OP));
  ASSERT_FALSE(r.ok());

  // Appendix A.3.2: Reject turns the marker off.
  Negotiator rejected = offering(Key::OFMarkInt, markers);
  ASSERT_TRUE(rejected.receive({{"OFMarker", "Yes"}, {"OFMarkInt", "Reject"}}, ctx(OP)).ok());
  EXPECT_FALSE(rejected.parameters(ctx(OP)).of_marker);

  // The marker refused: the interval is legitimately Irrelevant.
  Negotiator off = offering(Key::OFMarkInt, markers);
  ASSERT_TRUE(off.receive({{"OFMarker", "No"}, {"OFMarkInt", "Irrelevant"}}, ctx(OP)).ok());
}

TEST(AnswerValidationTest, IrrelevantFirstBurstLengthAfterImmediateDataNo) {
  const auto set = [](Policy& p) {
    p.set_offer(Key::InitialR2T);
    p.set_offer(Key::ImmediateData);
  };
  Negotiator n = offering(Key::FirstBurstLength, set);
  const auto r = n.receive(
      {{"InitialR2T", "Yes"}, {"ImmediateData", "No"}, {"FirstBurstLength", "Irrelevant"}},
      ctx(OP));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(n.outcome(Key::FirstBurstLength), Outcome::Irrelevant);
}

TEST(AnswerValidationTest, UnansweredOffer) {
  Negotiator n = offering(Key::MaxBurstLength, kMbl64k);
  const auto r = n.receive({}, ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::NoAnswer);
}

TEST(AnswerValidationTest, OptionalBooleanAnswers) {
  // §5.2.2: no answer needed for AND with No, OR with Yes.
  const auto set = [](Policy& p) {
    p.set_boolean(Key::ImmediateData, false);
    p.set_boolean(Key::InitialR2T, true);
    p.set_offer(Key::InitialR2T);
  };
  Negotiator n = offering(Key::ImmediateData, set);
  ASSERT_TRUE(n.receive({}, ctx(OP)).ok());
  EXPECT_FALSE(n.has_pending_offers());
  const auto p = n.finish(ctx(OP));
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->immediate_data);
  EXPECT_TRUE(p->initial_r2t);
}

TEST(AnswerValidationTest, FinishFailsOnAnOpenOffer) {
  Negotiator n = offering(Key::MaxBurstLength, kMbl64k);
  const auto p = n.finish(ctx(OP));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Errc::NoAnswer);
}

// ---------------------------------------------------------------------------
// Offers and declarations produced from the policy.

TEST(OffersTest, InitiatorSecurityThenOperational) {
  Policy p = initiator_policy();
  ASSERT_TRUE(p.set_list(Key::AuthMethod, {"CHAP", "None"}));
  p.set_offer(Key::AuthMethod);
  ASSERT_TRUE(p.set_number(Key::MaxRecvDataSegmentLength, 262144));
  p.set_offer(Key::MaxRecvDataSegmentLength);
  ASSERT_TRUE(p.set_number(Key::MaxBurstLength, 1048576));
  p.set_offer(Key::MaxBurstLength);
  Negotiator n(I, p);
  // §11: the security stage admits the Any-Stage keys and AuthMethod only.
  const Pairs sec = n.offers(ctx(SEC));
  EXPECT_EQ(sec, (Pairs{{"AuthMethod", "CHAP,None"},
                        {"TargetName", kTarget},
                        {"InitiatorName", kInitiator},
                        {"SessionType", "Normal"}}));
  EXPECT_TRUE(n.has_pending_offers());
  ASSERT_TRUE(n.receive({{"AuthMethod", "None"}}, ctx(SEC)).ok());
  EXPECT_TRUE(n.offers(ctx(SEC)).empty());
  const Pairs op = n.offers(ctx(OP));
  EXPECT_EQ(op, (Pairs{{"MaxRecvDataSegmentLength", "262144"}, {"MaxBurstLength", "1048576"}}));
  EXPECT_TRUE(n.offers(ctx(OP)).empty());
}

TEST(OffersTest, InitiatorOffersNoIrrelevantKeysInDiscovery) {
  Policy p = initiator_policy(SessionType::Discovery);
  p.set_offer(Key::MaxBurstLength);
  p.set_offer(Key::ImmediateData);
  p.set_offer(Key::HeaderDigest);
  Negotiator n(I, p);
  EXPECT_EQ(n.offers(ctx(OP)), (Pairs{{"HeaderDigest", "None"},
                                      {"InitiatorName", kInitiator},
                                      {"SessionType", "Discovery"}}));
}

TEST(OffersTest, NonLeadingConnectionOffersNoLeadingOnlyKeys) {
  Policy p = initiator_policy();
  p.set_offer(Key::MaxConnections);
  p.set_offer(Key::DataDigest);
  Negotiator n(I, p);
  // SessionType is LO, too (§12.21).
  EXPECT_EQ(
      n.offers(ctx(OP, /*leading=*/false)),
      (Pairs{{"DataDigest", "None"}, {"TargetName", kTarget}, {"InitiatorName", kInitiator}}));
}

TEST(OffersTest, TargetPortalGroupTagWhenTargetNameGiven) {
  // §12.9: returned "in the Login Response PDU to the first Login Request PDU
  // that has the C bit set to 0 when TargetName is given by the initiator".
  Policy p(T);
  ASSERT_TRUE(p.set_number(Key::TargetPortalGroupTag, 1));
  p.set_offer(Key::TargetPortalGroupTag);
  Negotiator n(T, p);
  ASSERT_TRUE(n.receive(with_names({}), ctx(SEC)).ok());
  EXPECT_EQ(n.offers(ctx(SEC)), (Pairs{{"TargetPortalGroupTag", "1"}}));
  EXPECT_TRUE(n.offers(ctx(SEC)).empty());
  EXPECT_TRUE(n.offers(ctx(OP)).empty());
  EXPECT_EQ(n.parameters(ctx(OP)).target_portal_group_tag, 1);

  Negotiator discovery(T, p);
  ASSERT_TRUE(
      discovery.receive({{"InitiatorName", kInitiator}, {"SessionType", "Discovery"}}, ctx(SEC))
          .ok());
  EXPECT_TRUE(discovery.offers(ctx(SEC)).empty());
}

TEST(OffersTest, TargetDeclaresMaxRecvDataSegmentLengthInTheOperationalStage) {
  Policy p(T);
  ASSERT_TRUE(p.set_number(Key::MaxRecvDataSegmentLength, 262144));
  p.set_offer(Key::MaxRecvDataSegmentLength);
  Negotiator n(T, p);
  ASSERT_TRUE(n.receive(with_names({}), ctx(SEC)).ok());
  EXPECT_TRUE(n.offers(ctx(SEC)).empty());  // not Any-Stage (§12.12)
  ASSERT_TRUE(n.receive({{"MaxRecvDataSegmentLength", "65536"}}, ctx(OP)).ok());
  EXPECT_EQ(n.offers(ctx(OP)), (Pairs{{"MaxRecvDataSegmentLength", "262144"}}));
  EXPECT_TRUE(n.offers(ctx(OP)).empty());
  const NegotiatedParameters params = n.parameters(ctx(OP));
  EXPECT_EQ(params.max_recv_data_segment_length_local, 262144u);
  EXPECT_EQ(params.max_recv_data_segment_length_peer, 65536u);
}

TEST(OffersTest, TargetAliasOnlyForNormalSessions) {
  // §12.6: "SHOULD be communicated ... if SessionType=Normal".
  Policy p(T);
  ASSERT_TRUE(p.set_text(Key::TargetAlias, "Bob-s Disk"));
  p.set_offer(Key::TargetAlias);
  Negotiator normal(T, p);
  ASSERT_TRUE(normal.receive(with_names({}), ctx(SEC)).ok());
  EXPECT_EQ(normal.offers(ctx(SEC)), (Pairs{{"TargetAlias", "Bob-s Disk"}}));
  Negotiator discovery(T, p);
  ASSERT_TRUE(
      discovery.receive({{"InitiatorName", kInitiator}, {"SessionType", "Discovery"}}, ctx(SEC))
          .ok());
  EXPECT_TRUE(discovery.offers(ctx(SEC)).empty());
}

TEST(OffersTest, NeverOffersKeysTheRoleMayNotSend) {
  Policy p(T);
  p.set_offer(Key::SessionType);  // initiator-only
  p.set_offer(Key::SendTargets);  // initiator-only, FFPO
  Negotiator n = started_target(p);
  EXPECT_TRUE(n.offers(ctx(OP)).empty());
  EXPECT_TRUE(n.offers(ctx(FFP)).empty());
}

// ---------------------------------------------------------------------------
// Cross-key rules (§12.14, §12.19).

TEST(IntegrityTest, ResponderKeepsFirstBurstWithinMaxBurst) {
  Policy p(T);  // MaxBurstLength 262144 (default)
  ASSERT_TRUE(p.set_number(Key::FirstBurstLength, 262144));
  Negotiator m(T, p);
  const auto r =
      m.receive(with_names({{"FirstBurstLength", "131072"}, {"MaxBurstLength", "65536"}}), ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"FirstBurstLength", "65536"}, {"MaxBurstLength", "65536"}}));
  const auto params = m.finish(ctx(OP));
  ASSERT_TRUE(params.ok());
  EXPECT_LE(params->first_burst_length, params->max_burst_length);
}

TEST(IntegrityTest, FirstBurstAboveMaxBurstAcrossTexts) {
  Policy p(T);
  ASSERT_TRUE(p.set_number(Key::FirstBurstLength, 262144));
  Negotiator n = started_target(p);
  ASSERT_TRUE(n.receive({{"FirstBurstLength", "262144"}}, ctx(OP)).ok());
  ASSERT_TRUE(n.receive({{"MaxBurstLength", "65536"}}, ctx(OP)).ok());
  const auto r = n.finish(ctx(OP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::IntegrityViolation);
  EXPECT_EQ(r.error().status, LoginStatus::InitiatorError);
}

TEST(IntegrityTest, OneOutstandingR2TWithRecoveryAndInOrderSequences) {
  Policy p(T);
  ASSERT_TRUE(p.set_number(Key::ErrorRecoveryLevel, 2));
  ASSERT_TRUE(p.set_number(Key::MaxOutstandingR2T, 8));
  Negotiator n(T, p);
  const auto r =
      n.receive(with_names({{"MaxOutstandingR2T", "4"}, {"ErrorRecoveryLevel", "1"}}), ctx(OP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"MaxOutstandingR2T", "1"}, {"ErrorRecoveryLevel", "1"}}));
  EXPECT_TRUE(n.finish(ctx(OP)).ok());

  Negotiator later = started_target(p);
  ASSERT_TRUE(later.receive({{"MaxOutstandingR2T", "4"}}, ctx(OP)).ok());
  ASSERT_TRUE(later.receive({{"ErrorRecoveryLevel", "1"}}, ctx(OP)).ok());
  const auto f = later.finish(ctx(OP));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, Errc::IntegrityViolation);

  // With DataSequenceInOrder=No the rule does not apply.
  Policy q = p;
  ASSERT_TRUE(q.set_boolean(Key::DataSequenceInOrder, false));
  Negotiator out_of_order(T, q);
  const auto o = out_of_order.receive(
      with_names(
          {{"DataSequenceInOrder", "No"}, {"ErrorRecoveryLevel", "1"}, {"MaxOutstandingR2T", "4"}}),
      ctx(OP));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(answer_for(*o, "MaxOutstandingR2T"), "4");
  EXPECT_TRUE(out_of_order.finish(ctx(OP)).ok());
}

// ---------------------------------------------------------------------------
// Full feature phase: Text negotiation (§10.10, §12.12, Appendix D).

TEST(FullFeatureTest, MaxRecvDataSegmentLengthMayBeRedeclared) {
  Negotiator n = started_target();
  ASSERT_TRUE(n.receive({{"MaxRecvDataSegmentLength", "65536"}}, ctx(OP)).ok());
  ASSERT_TRUE(n.finish(ctx(OP)).ok());
  n.begin_negotiation();
  ASSERT_TRUE(n.receive({{"MaxRecvDataSegmentLength", "131072"}}, ctx(FFP)).ok());
  EXPECT_EQ(n.parameters(ctx(FFP)).max_recv_data_segment_length_peer, 131072u);
  // Twice within one text negotiation is still a repetition.
  const auto r = n.receive({{"MaxRecvDataSegmentLength", "16384"}}, ctx(FFP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::RepeatedKey);
}

TEST(FullFeatureTest, AliasesMayBeDeclared) {
  Negotiator n(T, Policy(T));
  const auto r = n.receive({{"InitiatorAlias", "Web Server 4"}}, ctx(FFP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(n.parameters(ctx(FFP)).initiator_alias, "Web Server 4");
}

TEST(FullFeatureTest, SendTargetsOnTheTarget) {
  // Appendix D: All on a Discovery session; <nothing> on a Normal session;
  // "All ... MUST NOT be supported on an operational session".
  Negotiator discovery(T, Policy(T));
  auto r = discovery.receive({{"SendTargets", "All"}}, ctx(FFP, true, SessionType::Discovery));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(discovery.send_targets_query(), "All");

  Negotiator normal(T, Policy(T));
  r = normal.receive({{"SendTargets", ""}}, ctx(FFP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(normal.send_targets_query(), "");

  Negotiator all_on_normal(T, Policy(T));
  r = all_on_normal.receive({{"SendTargets", "All"}}, ctx(FFP));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"SendTargets", "Reject"}}));
  EXPECT_FALSE(all_on_normal.send_targets_query().has_value());

  // "This PDU contains exactly one text key and value."
  Negotiator crowded(T, Policy(T));
  r = crowded.receive({{"SendTargets", "All"}, {"InitiatorAlias", "x"}},
                      ctx(FFP, true, SessionType::Discovery));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(answer_for(*r, "SendTargets"), "Reject");

  Negotiator malformed(T, Policy(T));
  r = malformed.receive({{"SendTargets", "everything"}}, ctx(FFP, true, SessionType::Discovery));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"SendTargets", "Reject"}}));
}

TEST(FullFeatureTest, SendTargetsOnTheInitiator) {
  Negotiator n(I, initiator_policy(SessionType::Discovery));
  EXPECT_FALSE(n.request_send_targets("All", ctx(OP)).ok());  // FFPO (§12.3)
  EXPECT_FALSE(n.request_send_targets("everything", ctx(FFP)).ok());
  const auto kv = n.request_send_targets("All", ctx(FFP));
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(*kv, (KV{"SendTargets", "All"}));
  EXPECT_TRUE(n.has_pending_offers());
  const auto r = n.receive({{"TargetName", kTarget},
                            {"TargetAddress", "10.1.0.45:3000,1"},
                            {"TargetAddress", "10.1.1.45:3000,2"}},
                           ctx(FFP));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_EQ(n.send_targets_records().size(), 1u);
  EXPECT_EQ(n.send_targets_records()[0].target_name, kTarget);
  EXPECT_EQ(n.send_targets_records()[0].addresses.size(), 2u);
  EXPECT_FALSE(n.has_pending_offers());

  n.begin_negotiation();
  ASSERT_TRUE(n.request_send_targets("", ctx(FFP)).ok());
  const auto bad = n.receive({{"TargetAddress", "10.1.0.45:3000,1"}}, ctx(FFP));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::InvalidSendTargetsResponse);

  Negotiator target(T, Policy(T));
  const auto refused = target.request_send_targets("All", ctx(FFP));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::WrongSender);
}

TEST(FullFeatureTest, TargetNameFromATargetOutsideSendTargets) {
  Negotiator n(I, initiator_policy());
  const auto r = n.receive({{"TargetName", kTarget}}, ctx(FFP));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::WrongStage);
}

// ---------------------------------------------------------------------------
// Both sides of one login, each an instance of the same engine.

TEST(EndToEndTest, LoginBetweenTwoEngines) {
  Policy ip = initiator_policy();
  ip.set_offer(Key::AuthMethod);  // {None}
  ASSERT_TRUE(ip.set_list(Key::HeaderDigest, {"CRC32C", "None"}));
  ASSERT_TRUE(ip.set_list(Key::DataDigest, {"CRC32C", "None"}));
  ASSERT_TRUE(ip.set_boolean(Key::InitialR2T, false));
  ASSERT_TRUE(ip.set_number(Key::MaxRecvDataSegmentLength, 262144));
  ASSERT_TRUE(ip.set_number(Key::MaxBurstLength, 16776192));
  ASSERT_TRUE(ip.set_number(Key::FirstBurstLength, 262144));
  ASSERT_TRUE(ip.set_number(Key::DefaultTime2Wait, 0));
  ASSERT_TRUE(ip.set_number(Key::DefaultTime2Retain, 0));
  for (Key k : {Key::HeaderDigest, Key::DataDigest, Key::InitialR2T, Key::ImmediateData,
                Key::MaxRecvDataSegmentLength, Key::MaxBurstLength, Key::FirstBurstLength,
                Key::DefaultTime2Wait, Key::DefaultTime2Retain, Key::MaxOutstandingR2T,
                Key::DataPDUInOrder, Key::DataSequenceInOrder, Key::ErrorRecoveryLevel}) {
    ip.set_offer(k);
  }
  Policy tp(T);
  ASSERT_TRUE(tp.set_list(Key::HeaderDigest, {"None", "CRC32C"}));
  ASSERT_TRUE(tp.set_number(Key::MaxBurstLength, 1048576));
  ASSERT_TRUE(tp.set_number(Key::MaxRecvDataSegmentLength, 131072));
  ASSERT_TRUE(tp.set_number(Key::TargetPortalGroupTag, 1));
  ASSERT_TRUE(tp.set_text(Key::TargetAlias, "Disk"));
  for (Key k : {Key::MaxRecvDataSegmentLength, Key::TargetPortalGroupTag, Key::TargetAlias}) {
    tp.set_offer(k);
  }
  Negotiator initiator(I, ip);
  Negotiator target(T, tp);

  for (Stage stage : {SEC, OP}) {
    const Pairs request = initiator.offers(ctx(stage));
    auto answers = target.receive(request, ctx(stage));
    ASSERT_TRUE(answers.ok()) << answers.error().detail;
    Pairs response = *answers;
    for (KV& kv : target.offers(ctx(stage))) response.push_back(kv);
    const auto back = initiator.receive(response, ctx(stage));
    ASSERT_TRUE(back.ok()) << back.error().detail;
    ASSERT_TRUE(back->empty());
  }
  const auto ir = initiator.finish(ctx(OP));
  const auto tr = target.finish(ctx(OP));
  ASSERT_TRUE(ir.ok()) << ir.error().detail;
  ASSERT_TRUE(tr.ok()) << tr.error().detail;

  // Expected from the result functions of §12 for the two policies.
  NegotiatedParameters expected;
  expected.auth_method = "None";
  expected.header_digest = Digest::Crc32c;  // first of "CRC32C,None" the target accepts
  expected.data_digest = Digest::None;      // target accepts None only
  expected.initial_r2t = true;              // OR(No, Yes)
  expected.immediate_data = true;           // AND(Yes, Yes)
  expected.max_burst_length = 1048576;      // min(16776192, 1048576)
  expected.first_burst_length = 65536;      // min(262144, 65536)
  expected.default_time2wait = 2;           // max(0, 2)
  expected.default_time2retain = 0;         // min(0, 20)
  expected.initiator_name = kInitiator;
  expected.target_name = kTarget;
  expected.target_alias = "Disk";
  expected.target_portal_group_tag = 1;
  expected.max_recv_data_segment_length_local = 262144;
  expected.max_recv_data_segment_length_peer = 131072;
  EXPECT_EQ(*ir, expected);
  std::swap(expected.max_recv_data_segment_length_local,
            expected.max_recv_data_segment_length_peer);
  EXPECT_EQ(*tr, expected);
}

}  // namespace
}  // namespace iscsi::negotiation
