// Value syntax and ranges per key, RFC 3720 §5.1, §11, §12, Appendix A.
#include "negotiation/value_check.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace iscsi::negotiation {
namespace {

struct OfferCase {
  Key key;
  std::string value;
  ValueCheck expected;
};

void PrintTo(const OfferCase& c, std::ostream* os) {
  *os << key_def(c.key).name << "=" << c.value.substr(0, 40);
}

class CheckOfferTest : public ::testing::TestWithParam<OfferCase> {};

TEST_P(CheckOfferTest, Classifies) {
  const OfferCase& c = GetParam();
  EXPECT_EQ(check_offer(key_def(c.key), c.value), c.expected)
      << key_def(c.key).name << "=" << c.value;
}

std::string hex_bytes(std::size_t n) {
  return "0x" + std::string(2 * n, 'a');
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3720, CheckOfferTest,
    ::testing::Values(
        // Lists (§5.1 list-of-values): unknown elements are syntax-valid, empty
        // elements and answer constants are not.
        OfferCase{Key::HeaderDigest, "CRC32C,None", ValueCheck::Ok},
        OfferCase{Key::HeaderDigest, "None", ValueCheck::Ok},
        OfferCase{Key::HeaderDigest, "Y-com.example.digest,CRC32C", ValueCheck::Ok},
        OfferCase{Key::HeaderDigest, "", ValueCheck::Malformed},
        OfferCase{Key::HeaderDigest, "CRC32C,,None", ValueCheck::Malformed},
        OfferCase{Key::HeaderDigest, "CRC32C,", ValueCheck::Malformed},
        OfferCase{Key::HeaderDigest, "CRC 32", ValueCheck::Malformed},
        OfferCase{Key::HeaderDigest, "CRC32C,Reject", ValueCheck::Malformed},
        OfferCase{Key::AuthMethod, "CHAP,None", ValueCheck::Ok},
        OfferCase{Key::AuthMethod, std::string(256, 'A'), ValueCheck::TooLong},
        OfferCase{Key::AuthMethod, std::string(255, 'A'), ValueCheck::Ok},
        // CHAP_A=<A1,A2...>: numbers (§11.1.4).
        OfferCase{Key::CHAP_A, "5", ValueCheck::Ok}, OfferCase{Key::CHAP_A, "7,5", ValueCheck::Ok},
        OfferCase{Key::CHAP_A, "5,MD5", ValueCheck::Malformed},
        OfferCase{Key::CHAP_A, "256", ValueCheck::OutOfRange},
        // Enumerated (§12.21).
        OfferCase{Key::SessionType, "Discovery", ValueCheck::Ok},
        OfferCase{Key::SessionType, "Normal", ValueCheck::Ok},
        OfferCase{Key::SessionType, "normal", ValueCheck::OutOfRange},
        OfferCase{Key::SessionType, "", ValueCheck::Malformed},
        // Boolean (§5.1): exactly Yes or No.
        OfferCase{Key::InitialR2T, "Yes", ValueCheck::Ok},
        OfferCase{Key::InitialR2T, "No", ValueCheck::Ok},
        OfferCase{Key::InitialR2T, "yes", ValueCheck::Malformed},
        OfferCase{Key::InitialR2T, "1", ValueCheck::Malformed},
        OfferCase{Key::InitialR2T, "None", ValueCheck::Malformed},
        OfferCase{Key::TargetAuth, "No", ValueCheck::Ok},
        // Numerical (§5.1: decimal or hex constants) with the §12 ranges.
        OfferCase{Key::MaxBurstLength, "512", ValueCheck::Ok},
        OfferCase{Key::MaxBurstLength, "16777215", ValueCheck::Ok},
        OfferCase{Key::MaxBurstLength, "0xffffff", ValueCheck::Ok},
        OfferCase{Key::MaxBurstLength, "511", ValueCheck::OutOfRange},
        OfferCase{Key::MaxBurstLength, "16777216", ValueCheck::OutOfRange},
        OfferCase{Key::MaxBurstLength, "18446744073709551616", ValueCheck::Malformed},
        OfferCase{Key::MaxBurstLength, "0512", ValueCheck::Malformed},
        OfferCase{Key::MaxBurstLength, "", ValueCheck::Malformed},
        OfferCase{Key::MaxBurstLength, "-1", ValueCheck::Malformed},
        OfferCase{Key::MaxConnections, "0", ValueCheck::OutOfRange},
        OfferCase{Key::MaxConnections, "65535", ValueCheck::Ok},
        OfferCase{Key::MaxConnections, "65536", ValueCheck::OutOfRange},
        OfferCase{Key::DefaultTime2Wait, "0", ValueCheck::Ok},
        OfferCase{Key::DefaultTime2Wait, "3600", ValueCheck::Ok},
        OfferCase{Key::DefaultTime2Wait, "3601", ValueCheck::OutOfRange},
        OfferCase{Key::ErrorRecoveryLevel, "2", ValueCheck::Ok},
        OfferCase{Key::ErrorRecoveryLevel, "3", ValueCheck::OutOfRange},
        OfferCase{Key::MaxRecvDataSegmentLength, "511", ValueCheck::OutOfRange},
        OfferCase{Key::CHAP_I, "255", ValueCheck::Ok},
        OfferCase{Key::CHAP_I, "256", ValueCheck::OutOfRange},
        // Appendix A.3.2 offers: a range or a single value, 1..65535.
        OfferCase{Key::OFMarkInt, "2048~8192", ValueCheck::Ok},
        OfferCase{Key::OFMarkInt, "2048", ValueCheck::Ok},
        OfferCase{Key::OFMarkInt, "0~10", ValueCheck::OutOfRange},
        OfferCase{Key::OFMarkInt, "1~65536", ValueCheck::OutOfRange},
        OfferCase{Key::OFMarkInt, "10~5", ValueCheck::Malformed},
        OfferCase{Key::IFMarkInt, "~5", ValueCheck::Malformed},
        // iSCSI names (§3.2.6).
        OfferCase{Key::InitiatorName, "iqn.1992-04.com.os-vendor.plan9:cdrom.12345",
                  ValueCheck::Ok},
        OfferCase{Key::TargetName, "eui.020000023b040506", ValueCheck::Ok},
        OfferCase{Key::TargetName, "disk1", ValueCheck::Malformed},
        OfferCase{Key::TargetName, "", ValueCheck::Malformed},
        // Local names: UTF-8, 255 bytes (§12.6, §5.1).
        OfferCase{Key::TargetAlias, "Database Server 1 Log Disk", ValueCheck::Ok},
        OfferCase{Key::InitiatorAlias, "Web Server 4", ValueCheck::Ok},
        OfferCase{Key::InitiatorAlias, "Caf\xc3\xa9", ValueCheck::Ok},
        OfferCase{Key::InitiatorAlias, "Caf\xc3", ValueCheck::Malformed},
        OfferCase{Key::InitiatorAlias, "\xc0\xaf", ValueCheck::Malformed},      // overlong '/'
        OfferCase{Key::InitiatorAlias, "\xed\xa0\x80", ValueCheck::Malformed},  // surrogate
        OfferCase{Key::InitiatorAlias, std::string(256, 'a'), ValueCheck::TooLong},
        OfferCase{Key::CHAP_N, "user@example", ValueCheck::Ok},
        // Binary (§5.1 hex/base64) with the §11.1 limits.
        OfferCase{Key::CHAP_C, hex_bytes(16), ValueCheck::Ok},
        OfferCase{Key::CHAP_C, "0bAQID", ValueCheck::Ok},
        OfferCase{Key::CHAP_C, hex_bytes(1024), ValueCheck::Ok},
        OfferCase{Key::CHAP_C, hex_bytes(1025), ValueCheck::TooLong},
        OfferCase{Key::CHAP_C, "0xZZ", ValueCheck::Malformed},
        OfferCase{Key::CHAP_C, "1234", ValueCheck::Malformed},
        OfferCase{Key::SRP_A, hex_bytes(1025), ValueCheck::TooLong},
        OfferCase{Key::KRB_AP_REQ, hex_bytes(65536), ValueCheck::Ok},
        OfferCase{Key::KRB_AP_REQ, hex_bytes(65537), ValueCheck::TooLong},
        OfferCase{Key::SPKM_REQ, hex_bytes(65537), ValueCheck::TooLong},
        // §12.9 16-bit-binary-value.
        OfferCase{Key::TargetPortalGroupTag, "1", ValueCheck::Ok},
        OfferCase{Key::TargetPortalGroupTag, "0", ValueCheck::Ok},
        OfferCase{Key::TargetPortalGroupTag, "65535", ValueCheck::Ok},
        OfferCase{Key::TargetPortalGroupTag, "0x00ff", ValueCheck::Ok},
        OfferCase{Key::TargetPortalGroupTag, "65536", ValueCheck::OutOfRange},
        OfferCase{Key::TargetPortalGroupTag, "one", ValueCheck::Malformed},
        // §12.8 TargetAddress examples.
        OfferCase{Key::TargetAddress, "10.0.0.1:5003,1", ValueCheck::Ok},
        OfferCase{Key::TargetAddress, "[1080:0:0:0:8:800:200C:417A],65", ValueCheck::Ok},
        OfferCase{Key::TargetAddress, "[1080::8:800:200C:417A]:5003,1", ValueCheck::Ok},
        OfferCase{Key::TargetAddress, "computingcenter.example.com,23", ValueCheck::Ok},
        OfferCase{Key::TargetAddress, "10.0.0.1", ValueCheck::Ok},
        OfferCase{Key::TargetAddress, "10.0.0.1:port", ValueCheck::Malformed},
        OfferCase{Key::TargetAddress, "[1080::8,1", ValueCheck::Malformed},
        OfferCase{Key::TargetAddress, "host..example", ValueCheck::Malformed},
        OfferCase{Key::TargetAddress, "10.0.0.1:3260,70000", ValueCheck::Malformed},
        OfferCase{Key::TargetAddress, "", ValueCheck::Malformed},
        // Appendix D SendTargets values.
        OfferCase{Key::SendTargets, "All", ValueCheck::Ok},
        OfferCase{Key::SendTargets, "", ValueCheck::Ok},
        OfferCase{Key::SendTargets, "iqn.1993-11.com.disk-vendor:diskarrays.sn.45678",
                  ValueCheck::Ok},
        OfferCase{Key::SendTargets, "all", ValueCheck::Malformed}));

TEST(CheckAnswerTest, ListAnswersAreOneValue) {
  // §5.2.1: the responder answers with "the first value that it supports".
  EXPECT_EQ(check_answer(key_def(Key::HeaderDigest), "CRC32C"), ValueCheck::Ok);
  EXPECT_EQ(check_answer(key_def(Key::HeaderDigest), "None"), ValueCheck::Ok);
  EXPECT_EQ(check_answer(key_def(Key::HeaderDigest), "CRC32C,None"), ValueCheck::Malformed);
  EXPECT_EQ(check_answer(key_def(Key::CHAP_A), "5"), ValueCheck::Ok);
  EXPECT_EQ(check_answer(key_def(Key::CHAP_A), "5,7"), ValueCheck::Malformed);
}

TEST(CheckAnswerTest, MarkerIntervalAnswersAreOneValue) {
  // Appendix A.3.2: "Responding: OFMarkInt=<numeric-value-from-1-to-65535>|Reject".
  EXPECT_EQ(check_answer(key_def(Key::OFMarkInt), "2048"), ValueCheck::Ok);
  EXPECT_EQ(check_answer(key_def(Key::OFMarkInt), "1~2"), ValueCheck::Malformed);
  EXPECT_EQ(check_answer(key_def(Key::IFMarkInt), "0"), ValueCheck::OutOfRange);
}

TEST(CheckAnswerTest, OtherTypesCheckLikeOffers) {
  EXPECT_EQ(check_answer(key_def(Key::MaxBurstLength), "65536"), ValueCheck::Ok);
  EXPECT_EQ(check_answer(key_def(Key::MaxBurstLength), "100"), ValueCheck::OutOfRange);
  EXPECT_EQ(check_answer(key_def(Key::ImmediateData), "Maybe"), ValueCheck::Malformed);
}

TEST(AnswerConstantTest, OnlyTheThreeAnswerConstants) {
  // §5.2: "None", "Reject", "Irrelevant", "NotUnderstood" are reserved; None
  // is a legitimate proposed list value.
  EXPECT_TRUE(is_answer_constant("Reject"));
  EXPECT_TRUE(is_answer_constant("Irrelevant"));
  EXPECT_TRUE(is_answer_constant("NotUnderstood"));
  EXPECT_FALSE(is_answer_constant("None"));
  EXPECT_FALSE(is_answer_constant("reject"));
}

TEST(ParseTest, Intervals) {
  const KeyDef& def = key_def(Key::OFMarkInt);
  EXPECT_EQ(parse_interval(def, "100~200"), (Interval{100, 200}));
  EXPECT_EQ(parse_interval(def, "300"), (Interval{300, 300}));
  EXPECT_EQ(parse_interval(def, "0x10~0x20"), (Interval{16, 32}));
  EXPECT_EQ(parse_interval(def, "200~100"), std::nullopt);
  EXPECT_EQ(parse_interval(def, "0"), std::nullopt);
}

TEST(ParseTest, Numbers) {
  EXPECT_EQ(parse_number(key_def(Key::MaxConnections), "0x10"), 16u);
  EXPECT_EQ(parse_number(key_def(Key::MaxConnections), "0"), std::nullopt);
  EXPECT_EQ(parse_number(key_def(Key::DefaultTime2Wait), "0"), 0u);
}

TEST(ParseTest, Binary16) {
  EXPECT_EQ(parse_binary16("1"), 1);
  EXPECT_EQ(parse_binary16("0x0102"), 0x0102);
  EXPECT_EQ(parse_binary16("0bAQI="), 0x0102);
  EXPECT_EQ(parse_binary16("0x010203"), std::nullopt);
  EXPECT_EQ(parse_binary16(""), std::nullopt);
}

TEST(ParseTest, TargetAddressParts) {
  auto a = parse_target_address("[1080::8:800:200C:417A]:5003,1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "[1080::8:800:200C:417A]");
  EXPECT_EQ(a->port, 5003);
  EXPECT_EQ(a->portal_group_tag, 1);
  a = parse_target_address("computingcenter.example.com");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "computingcenter.example.com");
  EXPECT_EQ(a->port, std::nullopt);
  EXPECT_EQ(a->portal_group_tag, std::nullopt);
}

TEST(Utf8Test, RejectsNulAndInvalidSequences) {
  EXPECT_TRUE(is_utf8_text(""));
  EXPECT_TRUE(is_utf8_text("\xf0\x9f\x98\x80"));  // U+1F600
  EXPECT_FALSE(is_utf8_text(std::string("a\0b", 3)));
  EXPECT_FALSE(is_utf8_text("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_utf8_text("\xff"));
  EXPECT_FALSE(is_utf8_text("\xe2\x82"));  // truncated
}

}  // namespace
}  // namespace iscsi::negotiation
