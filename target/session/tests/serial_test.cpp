#include "session/serial.h"

#include <gtest/gtest.h>

namespace iscsi::session {
namespace {

TEST(Serial, OrdinaryOrder) {
  EXPECT_TRUE(sn_lt(1, 2));
  EXPECT_FALSE(sn_lt(2, 1));
  EXPECT_TRUE(sn_gt(2, 1));
  EXPECT_FALSE(sn_lt(5, 5));
  EXPECT_TRUE(sn_le(5, 5));
}

// RFC 1982 §3.2: arithmetic wraps at 2^32.
TEST(Serial, WrapAround) {
  EXPECT_TRUE(sn_lt(0xffffffffu, 0));
  EXPECT_TRUE(sn_gt(0, 0xffffffffu));
  EXPECT_TRUE(sn_lt(0xfffffff0u, 0x10));
  EXPECT_TRUE(sn_in_window(2, 0xfffffffeu, 5));
  EXPECT_FALSE(sn_in_window(6, 0xfffffffeu, 5));
  EXPECT_FALSE(sn_in_window(0xfffffffdu, 0xfffffffeu, 5));
}

// Numbers 2^31 apart are undefined in RFC 1982: neither less nor greater.
TEST(Serial, HalfSpaceApartIsNeither) {
  EXPECT_FALSE(sn_lt(0, 0x80000000u));
  EXPECT_FALSE(sn_gt(0, 0x80000000u));
  EXPECT_TRUE(sn_lt(0, 0x7fffffffu));
  EXPECT_TRUE(sn_gt(0, 0x80000001u));
}

}  // namespace
}  // namespace iscsi::session
