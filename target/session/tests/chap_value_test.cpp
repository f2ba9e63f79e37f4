// Strict decoding of CHAP key values (RFC 3720 §5.1, §11.1.4).
#include "session/chap_value.h"

#include <gtest/gtest.h>

#include <string>

namespace iscsi::session::chap {
namespace {

TEST(ChapValue, HexInBothCases) {
  auto lower = decode_binary("0x00ff10");
  ASSERT_TRUE(lower.ok()) << lower.error();
  EXPECT_EQ(*lower, (wire::Bytes{0x00, 0xff, 0x10}));
  auto upper = decode_binary("0XABcd");  // §5.1: "0x" or "0X", either letter case
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, (wire::Bytes{0xab, 0xcd}));
}

// §5.1: "a hex-constant of n hexadecimal digits has a byte-length of (the
// integral part of) (n+1)/2": an odd count has a leading zero nibble.
TEST(ChapValue, OddHexDigitCountIsALeadingZeroNibble) {
  auto v = decode_binary("0xabc");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (wire::Bytes{0x0a, 0xbc}));
}

TEST(ChapValue, Base64) {
  // echo 000102030405060708090a0b0c0d0e0f | xxd -r -p | base64
  //   AAECAwQFBgcICQoLDA0ODw==
  auto v = decode_binary("0bAAECAwQFBgcICQoLDA0ODw==");
  ASSERT_TRUE(v.ok()) << v.error();
  ASSERT_EQ(v->size(), 16u);
  EXPECT_EQ((*v)[15], 0x0f);
  EXPECT_TRUE(decode_binary("0BAAECAwQFBgcICQoLDA0ODw==").ok());
}

TEST(ChapValue, RefusesWhatIsNotAHexOrBase64Constant) {
  for (const char* bad :
       {"", "0", "0x", "0b", "x0102", "0102", "12345", "0x01 02", "0x0g", "0x-1", " 0x01", "0x01\n",
        "0bAAEC=", "0bA", "0bAAE*", "0b====", "0c0102", "0x\xc3\xa9"}) {
    EXPECT_FALSE(decode_binary(bad).ok()) << "accepted \"" << bad << "\"";
  }
}

TEST(ChapValue, LengthLimitIs1024DecodedBytes) {
  const std::string max = "0x" + std::string(2 * kMaxBinaryLength, 'a');
  auto ok = decode_binary(max);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 1024u);
  auto over = decode_binary(max + "aa");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().find("1024"), std::string::npos);
  // One digit more is 1025 bytes by §5.1's (n+1)/2.
  EXPECT_FALSE(decode_binary(max + "a").ok());
  // Far longer inputs are refused without decoding them.
  EXPECT_FALSE(decode_binary("0x" + std::string(1 << 20, '0')).ok());
  // In base64, 1024 bytes are 341 full groups and one "AA==" (one byte).
  auto b = decode_binary("0b" + std::string(1364, 'A') + "AA==");
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(b->size(), 1024u);
  EXPECT_FALSE(decode_binary("0b" + std::string(1368, 'A')).ok());  // 1026 bytes
}

TEST(ChapValue, EncodesLowerCaseHex) {
  EXPECT_EQ(encode_binary(wire::Bytes{0x00, 0xab, 0x0f}), "0x00ab0f");
}

TEST(ChapValue, IdentifierIsOneOctet) {
  EXPECT_EQ(*decode_identifier("0"), 0);
  EXPECT_EQ(*decode_identifier("255"), 255);
  EXPECT_EQ(*decode_identifier("0x2a"), 42);
  for (const char* bad : {"256", "-1", "abc", "", "1.0", "0x100", "01"}) {
    EXPECT_FALSE(decode_identifier(bad).ok()) << bad;
  }
}

TEST(ChapValue, AlgorithmList) {
  EXPECT_TRUE(*algorithms_include("5", 5));
  EXPECT_TRUE(*algorithms_include("7,6,5", 5));
  EXPECT_FALSE(*algorithms_include("7", 5));
  EXPECT_FALSE(*algorithms_include("0x80", 5));
  for (const char* bad : {"", "5,", ",5", "md5", "5,300", "5;7"}) {
    EXPECT_FALSE(algorithms_include(bad, 5).ok()) << bad;
  }
}

}  // namespace
}  // namespace iscsi::session::chap
