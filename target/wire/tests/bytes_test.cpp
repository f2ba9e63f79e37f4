#include "wire/bytes.h"

#include <gtest/gtest.h>

namespace iscsi::wire {
namespace {

TEST(Bytes, BigEndianStoresMostSignificantFirst) {
  std::uint8_t b[8] = {};
  store_be32(b, 0x11223344);
  EXPECT_EQ(b[0], 0x11);
  EXPECT_EQ(b[3], 0x44);
  store_be24(b, 0xabcdef);
  EXPECT_EQ(b[0], 0xab);
  EXPECT_EQ(b[2], 0xef);
  EXPECT_EQ(load_be24(b), 0xabcdefu);
  store_be64(b, 0x0102030405060708ULL);
  EXPECT_EQ(b[7], 0x08);
  EXPECT_EQ(load_be64(b), 0x0102030405060708ULL);
  EXPECT_EQ(load_be16(b), 0x0102);
}

TEST(Bytes, PaddingToFourBytes) {
  EXPECT_EQ(pad_length(0), 0u);
  EXPECT_EQ(pad_length(1), 3u);
  EXPECT_EQ(pad_length(2), 2u);
  EXPECT_EQ(pad_length(3), 1u);
  EXPECT_EQ(pad_length(4), 0u);
  EXPECT_EQ(pad_length(8193), 3u);
}

TEST(Bytes, Hex) {
  EXPECT_EQ(to_hex(Bytes{0x00, 0xab, 0x1f}), "00ab1f");
  Bytes out;
  EXPECT_TRUE(from_hex("00 AB 1f", out));
  EXPECT_EQ(out, (Bytes{0x00, 0xab, 0x1f}));
  EXPECT_FALSE(from_hex("abc", out));
  EXPECT_FALSE(from_hex("zz", out));
}

}  // namespace
}  // namespace iscsi::wire
