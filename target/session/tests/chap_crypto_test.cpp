// MD5 CHAP responses against vectors computed outside this project, and the
// random source and comparison CHAP relies on.
#include "session/chap_crypto.h"

#include <gtest/gtest.h>

#include <string>

namespace iscsi::session::chap {
namespace {

std::string hex(const Md5Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

wire::Bytes sequence(std::uint8_t first, std::size_t n) {
  wire::Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(first + i);
  return b;
}

// RFC 1994 §4.1: MD5(Identifier || secret || Challenge). Expected values:
//   printf '\x2asecret\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f' |
//     openssl dgst -md5
//   MD5(stdin)= 03dc98c5a832692b49df73cf48fcb4e9
// (python3 hashlib.md5 of the same bytes agrees).
TEST(ChapCrypto, Md5ResponseVectorIdentifier42) {
  const auto r = md5_response(0x2a, "secret", sequence(0x00, 16));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(hex(*r), "03dc98c5a832692b49df73cf48fcb4e9");
}

//   printf '\x00Open Sesame 123' ; sixteen '\xff' | openssl dgst -md5
//   MD5(stdin)= 30b11142a7e0432872efd9c2dd38e10f
TEST(ChapCrypto, Md5ResponseVectorIdentifierZeroAndSpaces) {
  const auto r = md5_response(0x00, "Open Sesame 123", wire::Bytes(16, 0xff));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(hex(*r), "30b11142a7e0432872efd9c2dd38e10f");
}

//   printf '\x07targetsecret99\xa0\xa1 ... \xaf' | openssl dgst -md5
//   MD5(stdin)= 1da476f8922bf192ac0409cc3d219ce2
TEST(ChapCrypto, Md5ResponseVectorMutualDirection) {
  const auto r = md5_response(0x07, "targetsecret99", sequence(0xa0, 16));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(hex(*r), "1da476f8922bf192ac0409cc3d219ce2");
}

// The identifier is part of the hash: the same secret and challenge with
// another identifier give another response (a response to the wrong CHAP_I
// does not verify).
TEST(ChapCrypto, IdentifierChangesTheResponse) {
  const auto a = md5_response(0x2a, "secret", sequence(0x00, 16));
  const auto b = md5_response(0x2b, "secret", sequence(0x00, 16));
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(ChapCrypto, RandomBytesAreFreshEachTime) {
  std::array<std::uint8_t, 16> a{};
  std::array<std::uint8_t, 16> b{};
  ASSERT_TRUE(random_bytes(a));
  ASSERT_TRUE(random_bytes(b));
  // Two equal 128-bit draws from a CSPRNG have probability 2^-128.
  EXPECT_NE(a, b);
  EXPECT_TRUE(random_bytes(std::span<std::uint8_t>()));  // nothing to fill
}

TEST(ChapCrypto, ConstantTimeEqualComparesLengthAndContents) {
  const wire::Bytes a = {1, 2, 3};
  EXPECT_TRUE(constant_time_equal(a, wire::Bytes{1, 2, 3}));
  EXPECT_FALSE(constant_time_equal(a, wire::Bytes{1, 2, 4}));
  EXPECT_FALSE(constant_time_equal(a, wire::Bytes{1, 2}));
  EXPECT_FALSE(constant_time_equal(a, wire::Bytes{1, 2, 3, 0}));
  EXPECT_TRUE(constant_time_equal(wire::Bytes{}, wire::Bytes{}));
}

}  // namespace
}  // namespace iscsi::session::chap
