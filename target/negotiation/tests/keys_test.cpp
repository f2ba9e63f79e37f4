// The key table against RFC 3720 §11, §12 and Appendix A. The expected rows
// are transcribed from the RFC's key definitions, not from keys.h.
#include "negotiation/keys.h"

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>

namespace iscsi::negotiation {
namespace {

constexpr std::uint64_t k2p24m1 = 16777215;  // 2**24-1

struct Expected {
  std::string_view name;
  ValueType type;
  std::uint64_t min;
  std::uint64_t max;
  std::string_view default_value;
  Use by_initiator;
  Use by_target;
  bool any_stage;
  Scope scope;
  ResultFunction result;
  IrrelevantWhen irrelevant_when;
};

constexpr Use N = Use::Never;
constexpr Use S = Use::SecurityOnly;
constexpr Use LO = Use::LeadingOnly;
constexpr Use IO = Use::InitializeOnly;
constexpr Use FFPO = Use::FullFeatureOnly;
constexpr Use ALL = Use::All;
constexpr Scope SW = Scope::SessionWide;
constexpr Scope CO = Scope::ConnectionOnly;
using RF = ResultFunction;
using VT = ValueType;

// clang-format off
const Expected kExpected[] = {
  // §11.1: AuthMethod=<list-of-values>, security negotiation, both senders, connection scope.
  {"AuthMethod", VT::ListOfValues, 0, 255, "None", S, S, false, CO, RF::FirstAcceptable, 0},
  // §11.1.1: KRB_AP_REQ (initiator), KRB_AP_REP (target), binary <= 65536 bytes.
  {"KRB_AP_REQ", VT::Binary, 0, 65536, "", S, N, false, CO, RF::AuthExchange, 0},
  {"KRB_AP_REP", VT::Binary, 0, 65536, "", N, S, false, CO, RF::AuthExchange, 0},
  // §11.1.2 SPKM.
  {"SPKM_REQ", VT::Binary, 0, 65536, "", S, N, false, CO, RF::AuthExchange, 0},
  {"SPKM_ERROR", VT::Binary, 0, 65536, "", S, S, false, CO, RF::AuthExchange, 0},
  {"SPKM_REP_TI", VT::Binary, 0, 65536, "", N, S, false, CO, RF::AuthExchange, 0},
  {"SPKM_REP_IT", VT::Binary, 0, 65536, "", S, N, false, CO, RF::AuthExchange, 0},
  {"SPKM_MIC", VT::Binary, 0, 65536, "", S, S, false, CO, RF::AuthExchange, 0},
  // §11.1.3 SRP: binary values <= 1024 bytes; U and G are text strings.
  {"SRP_U", VT::TextString, 0, 255, "", S, N, false, CO, RF::AuthExchange, 0},
  {"TargetAuth", VT::Boolean, 0, 0, "", S, N, false, CO, RF::AuthExchange, 0},
  {"SRP_GROUP", VT::ListOfValues, 0, 255, "", S, S, false, CO, RF::AuthExchange, 0},
  {"SRP_s", VT::Binary, 0, 1024, "", N, S, false, CO, RF::AuthExchange, 0},
  {"SRP_A", VT::Binary, 0, 1024, "", S, N, false, CO, RF::AuthExchange, 0},
  {"SRP_B", VT::Binary, 0, 1024, "", N, S, false, CO, RF::AuthExchange, 0},
  {"SRP_M", VT::Binary, 0, 1024, "", S, N, false, CO, RF::AuthExchange, 0},
  {"SRP_HM", VT::Binary, 0, 1024, "", N, S, false, CO, RF::AuthExchange, 0},
  // §11.1.4 CHAP: A and I are numbers (one octet, RFC 1994), C and R binary <= 1024.
  {"CHAP_A", VT::NumberList, 0, 255, "", S, S, false, CO, RF::AuthExchange, 0},
  {"CHAP_I", VT::Numerical, 0, 255, "", S, S, false, CO, RF::AuthExchange, 0},
  {"CHAP_C", VT::Binary, 0, 1024, "", S, S, false, CO, RF::AuthExchange, 0},
  {"CHAP_N", VT::TextString, 0, 255, "", S, S, false, CO, RF::AuthExchange, 0},
  {"CHAP_R", VT::Binary, 0, 1024, "", S, S, false, CO, RF::AuthExchange, 0},
  // §12.1.
  {"HeaderDigest", VT::ListOfValues, 0, 255, "None", IO, IO, false, CO, RF::FirstAcceptable, 0},
  {"DataDigest", VT::ListOfValues, 0, 255, "None", IO, IO, false, CO, RF::FirstAcceptable, 0},
  // §12.2.
  {"MaxConnections", VT::Numerical, 1, 65535, "1", LO, LO, false, SW, RF::Minimum, kIrrelevantInDiscovery},
  // §12.3.
  {"SendTargets", VT::SendTargets, 0, 255, "", FFPO, N, false, SW, RF::SendTargetsQuery, 0},
  // §12.4: IO by initiator, FFPO by target.
  {"TargetName", VT::IscsiName, 0, 0, "", IO, FFPO, true, SW, RF::Declarative, 0},
  // §12.5.
  {"InitiatorName", VT::IscsiName, 0, 0, "", IO, N, true, SW, RF::Declarative, 0},
  // §12.6, §12.7.
  {"TargetAlias", VT::LocalName, 0, 255, "", N, ALL, true, SW, RF::Declarative, 0},
  {"InitiatorAlias", VT::LocalName, 0, 255, "", ALL, N, true, SW, RF::Declarative, 0},
  // §12.8.
  {"TargetAddress", VT::TargetAddress, 0, 255, "", N, ALL, true, SW, RF::Declarative, 0},
  // §12.9: 16-bit-binary-value, IO by target.
  {"TargetPortalGroupTag", VT::Binary16, 0, 65535, "", N, IO, true, SW, RF::Declarative, 0},
  // §12.10 - §12.20.
  {"InitialR2T", VT::Boolean, 0, 0, "Yes", LO, LO, false, SW, RF::Or, kIrrelevantInDiscovery},
  {"ImmediateData", VT::Boolean, 0, 0, "Yes", LO, LO, false, SW, RF::And, kIrrelevantInDiscovery},
  {"MaxRecvDataSegmentLength", VT::Numerical, 512, k2p24m1, "8192", ALL, ALL, false, CO, RF::Declarative, 0},
  {"MaxBurstLength", VT::Numerical, 512, k2p24m1, "262144", LO, LO, false, SW, RF::Minimum, kIrrelevantInDiscovery},
  {"FirstBurstLength", VT::Numerical, 512, k2p24m1, "65536", LO, LO, false, SW, RF::Minimum,
   kIrrelevantInDiscovery | kIrrelevantNoUnsolicited},
  {"DefaultTime2Wait", VT::Numerical, 0, 3600, "2", LO, LO, false, SW, RF::Maximum, 0},
  {"DefaultTime2Retain", VT::Numerical, 0, 3600, "20", LO, LO, false, SW, RF::Minimum, 0},
  {"MaxOutstandingR2T", VT::Numerical, 1, 65535, "1", LO, LO, false, SW, RF::Minimum, kIrrelevantInDiscovery},
  {"DataPDUInOrder", VT::Boolean, 0, 0, "Yes", LO, LO, false, SW, RF::Or, kIrrelevantInDiscovery},
  {"DataSequenceInOrder", VT::Boolean, 0, 0, "Yes", LO, LO, false, SW, RF::Or, kIrrelevantInDiscovery},
  {"ErrorRecoveryLevel", VT::Numerical, 0, 2, "0", LO, LO, false, SW, RF::Minimum, 0},
  // §12.21.
  {"SessionType", VT::Enumerated, 0, 0, "Normal", LO, N, true, SW, RF::Declarative, 0},
  // Appendix A.3.1 / A.3.2.
  {"OFMarker", VT::Boolean, 0, 0, "No", IO, IO, false, CO, RF::And, 0},
  {"IFMarker", VT::Boolean, 0, 0, "No", IO, IO, false, CO, RF::And, 0},
  {"OFMarkInt", VT::NumericalRange, 1, 65535, "2048", IO, IO, false, CO, RF::RangeSelect, kIrrelevantOFMarkerOff},
  {"IFMarkInt", VT::NumericalRange, 1, 65535, "2048", IO, IO, false, CO, RF::RangeSelect, kIrrelevantIFMarkerOff},
};
// clang-format on

TEST(KeysTest, TableHoldsExactlyTheRfcKeys) {
  ASSERT_EQ(std::size(kExpected), kKeyCount);
  std::set<std::string_view> names;
  for (const KeyDef& def : kKeyTable) names.insert(def.name);
  EXPECT_EQ(names.size(), kKeyCount) << "duplicate key names";
  for (const Expected& e : kExpected) EXPECT_TRUE(names.count(e.name)) << e.name;
}

TEST(KeysTest, EveryKeyMatchesTheRfc) {
  for (const Expected& e : kExpected) {
    SCOPED_TRACE(std::string(e.name));
    const auto key = find_key(e.name);
    ASSERT_TRUE(key.has_value());
    const KeyDef& def = key_def(*key);
    EXPECT_EQ(def.name, e.name);
    EXPECT_EQ(def.type, e.type);
    if (e.type != VT::Boolean && e.type != VT::IscsiName && e.type != VT::Enumerated) {
      EXPECT_EQ(def.min, e.min);
      EXPECT_EQ(def.max, e.max);
    }
    EXPECT_EQ(def.default_value, e.default_value);
    EXPECT_EQ(def.by_initiator, e.by_initiator);
    EXPECT_EQ(def.by_target, e.by_target);
    EXPECT_EQ(def.any_stage, e.any_stage);
    EXPECT_EQ(def.scope, e.scope);
    EXPECT_EQ(def.result, e.result);
    EXPECT_EQ(def.irrelevant_when, e.irrelevant_when);
    EXPECT_FALSE(def.section.empty());
  }
}

TEST(KeysTest, ListValuesAreTheRfcs) {
  const auto values = [](Key k) {
    const auto span = key_def(k).values;
    return std::set<std::string_view>(span.begin(), span.end());
  };
  // §11.1 table of authentication methods.
  EXPECT_EQ(values(Key::AuthMethod),
            (std::set<std::string_view>{"KRB5", "SPKM1", "SPKM2", "SRP", "CHAP", "None"}));
  // §12.1: CRC32C and None.
  EXPECT_EQ(values(Key::HeaderDigest), (std::set<std::string_view>{"CRC32C", "None"}));
  EXPECT_EQ(values(Key::DataDigest), (std::set<std::string_view>{"CRC32C", "None"}));
  // §12.21.
  EXPECT_EQ(values(Key::SessionType), (std::set<std::string_view>{"Discovery", "Normal"}));
  // §11.1.3 names SRP-1536 as the group targets must always offer.
  EXPECT_TRUE(values(Key::SRP_GROUP).count("SRP-1536"));
}

TEST(KeysTest, OnlyTargetAddressMayRepeat) {
  // §5.3: "except for responses to specific keys that explicitly allow
  // repeated key declarations (e.g., TargetAddress)".
  for (const KeyDef& def : kKeyTable) {
    EXPECT_EQ(def.repeatable, def.name == "TargetAddress") << def.name;
  }
}

TEST(KeysTest, AuthExchangeKeysNameTheirMethod) {
  EXPECT_EQ(key_def(Key::KRB_AP_REQ).auth, AuthFamily::Kerberos);
  EXPECT_EQ(key_def(Key::SPKM_MIC).auth, AuthFamily::Spkm);
  EXPECT_EQ(key_def(Key::SRP_GROUP).auth, AuthFamily::Srp);
  EXPECT_EQ(key_def(Key::TargetAuth).auth, AuthFamily::Srp);
  EXPECT_EQ(key_def(Key::CHAP_R).auth, AuthFamily::Chap);
  EXPECT_EQ(key_def(Key::AuthMethod).auth, AuthFamily::None);
  EXPECT_EQ(key_def(Key::MaxBurstLength).auth, AuthFamily::None);
}

TEST(KeysTest, FindKeyIsCaseSensitiveAndKnowsNoExtensions) {
  EXPECT_EQ(find_key("MaxBurstLength"), Key::MaxBurstLength);
  EXPECT_EQ(find_key("maxburstlength"), std::nullopt);
  EXPECT_EQ(find_key("MaxBurstlength"), std::nullopt);
  EXPECT_EQ(find_key("X-com.example.Key"), std::nullopt);
  EXPECT_EQ(find_key("X#NodeArchitecture"), std::nullopt);  // RFC 7143 §13.26, not RFC 3720
  EXPECT_EQ(find_key("TaskReporting"), std::nullopt);       // RFC 7143 §13.23
  EXPECT_EQ(find_key(""), std::nullopt);
}

TEST(KeysTest, DefaultsEvaluateAtCompileTime) {
  static_assert(default_number(Key::MaxRecvDataSegmentLength) == 8192);
  static_assert(default_number(Key::MaxBurstLength) == 262144);
  static_assert(default_number(Key::FirstBurstLength) == 65536);
  static_assert(default_number(Key::DefaultTime2Wait) == 2);
  static_assert(default_number(Key::DefaultTime2Retain) == 20);
  static_assert(default_number(Key::OFMarkInt) == 2048);
  static_assert(default_boolean(Key::InitialR2T));
  static_assert(!default_boolean(Key::OFMarker));
  static_assert(default_number(Key::TargetName) == 0);  // no default
  SUCCEED();
}

TEST(KeysTest, NegotiatedKeysAreThoseWithAResultFunction) {
  EXPECT_TRUE(is_negotiated(key_def(Key::HeaderDigest)));
  EXPECT_TRUE(is_negotiated(key_def(Key::MaxBurstLength)));
  EXPECT_TRUE(is_negotiated(key_def(Key::DefaultTime2Wait)));
  EXPECT_TRUE(is_negotiated(key_def(Key::ImmediateData)));
  EXPECT_TRUE(is_negotiated(key_def(Key::InitialR2T)));
  EXPECT_TRUE(is_negotiated(key_def(Key::OFMarkInt)));
  EXPECT_FALSE(is_negotiated(key_def(Key::MaxRecvDataSegmentLength)));
  EXPECT_FALSE(is_negotiated(key_def(Key::SessionType)));
  EXPECT_FALSE(is_negotiated(key_def(Key::CHAP_A)));
  EXPECT_FALSE(is_negotiated(key_def(Key::SendTargets)));
}

struct UseCase {
  Key key;
  Role sender;
  Stage stage;
  bool leading;
  UseCheck expected;
};

void PrintTo(const UseCase& c, std::ostream* os) {
  *os << key_def(c.key).name << " sender=" << static_cast<int>(c.sender)
      << " stage=" << static_cast<int>(c.stage) << " leading=" << c.leading;
}

class CheckUseTest : public ::testing::TestWithParam<UseCase> {};

TEST_P(CheckUseTest, FollowsTheKeysUse) {
  const UseCase& c = GetParam();
  EXPECT_EQ(check_use(key_def(c.key), c.sender, c.stage, c.leading), c.expected)
      << key_def(c.key).name;
}

constexpr Role I = Role::Initiator;
constexpr Role T = Role::Target;
constexpr Stage SEC = Stage::SecurityNegotiation;
constexpr Stage OP = Stage::LoginOperationalNegotiation;
constexpr Stage FFP = Stage::FullFeature;

INSTANTIATE_TEST_SUITE_P(
    Rfc3720, CheckUseTest,
    ::testing::Values(
        // §11: the security stage admits the Any-Stage keys and the §11 keys only.
        UseCase{Key::AuthMethod, I, SEC, true, UseCheck::Allowed},
        UseCase{Key::CHAP_A, I, SEC, true, UseCheck::Allowed},
        UseCase{Key::InitiatorName, I, SEC, true, UseCheck::Allowed},
        UseCase{Key::SessionType, I, SEC, true, UseCheck::Allowed},
        UseCase{Key::TargetPortalGroupTag, T, SEC, true, UseCheck::Allowed},
        UseCase{Key::TargetAddress, T, SEC, true, UseCheck::Allowed},
        UseCase{Key::MaxRecvDataSegmentLength, I, SEC, true, UseCheck::WrongStage},
        UseCase{Key::HeaderDigest, I, SEC, true, UseCheck::WrongStage},
        UseCase{Key::MaxBurstLength, T, SEC, true, UseCheck::WrongStage},
        // A target's TargetName is FFPO (§12.4).
        UseCase{Key::TargetName, T, SEC, true, UseCheck::WrongStage},
        UseCase{Key::TargetName, T, OP, true, UseCheck::WrongStage},
        UseCase{Key::TargetName, T, FFP, true, UseCheck::Allowed},
        UseCase{Key::TargetName, I, FFP, true, UseCheck::WrongStage},
        // §11 keys outside the security stage.
        UseCase{Key::AuthMethod, I, OP, true, UseCheck::WrongStage},
        UseCase{Key::CHAP_R, I, FFP, true, UseCheck::WrongStage},
        // LO on a non-leading connection; IO there is fine.
        UseCase{Key::MaxConnections, I, OP, false, UseCheck::NotLeading},
        UseCase{Key::SessionType, I, SEC, false, UseCheck::NotLeading},
        UseCase{Key::HeaderDigest, I, OP, false, UseCheck::Allowed},
        UseCase{Key::InitiatorName, I, SEC, false, UseCheck::Allowed},
        // Full feature phase: ALL and FFPO only.
        UseCase{Key::MaxRecvDataSegmentLength, T, FFP, false, UseCheck::Allowed},
        UseCase{Key::InitiatorAlias, I, FFP, true, UseCheck::Allowed},
        UseCase{Key::SendTargets, I, FFP, true, UseCheck::Allowed},
        UseCase{Key::SendTargets, I, OP, true, UseCheck::WrongStage},
        UseCase{Key::HeaderDigest, I, FFP, true, UseCheck::WrongStage},
        UseCase{Key::ErrorRecoveryLevel, I, FFP, true, UseCheck::WrongStage},
        UseCase{Key::TargetPortalGroupTag, T, FFP, true, UseCheck::WrongStage},
        // Senders.
        UseCase{Key::TargetAlias, I, OP, true, UseCheck::WrongSender},
        UseCase{Key::InitiatorAlias, T, OP, true, UseCheck::WrongSender},
        UseCase{Key::SendTargets, T, FFP, true, UseCheck::WrongSender},
        UseCase{Key::KRB_AP_REP, I, SEC, true, UseCheck::WrongSender},
        UseCase{Key::SRP_U, T, SEC, true, UseCheck::WrongSender}));

}  // namespace
}  // namespace iscsi::negotiation
