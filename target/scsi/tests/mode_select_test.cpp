#include "scsi/mode_select.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

// MODE SELECT(6) list: 4-byte header without block descriptor, then the
// Caching page (08h, length 12h) with byte 2 = `caching_byte2`.
wire::Bytes caching_list(std::uint8_t caching_byte2) {
  wire::Bytes l(4 + 20, 0);
  l[4] = 0x08;
  l[5] = 0x12;
  l[6] = caching_byte2;
  return l;
}

ModeState state() {
  ModeState s;
  s.blocks = 2048;
  s.block_size = 512;
  return s;
}

TEST(ModeSelect, ClearsWriteCacheEnable) {
  auto v = apply_mode_select({.ten = false, .page_format = true}, caching_list(0x00), state());
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->wce);
}

TEST(ModeSelect, NonChangeableBitIsInvalidFieldInParameterList) {
  // Byte 2 bit 3 of the Caching page (CAP) is not changeable.
  auto v = apply_mode_select({.ten = false, .page_format = true}, caching_list(0x0c), state());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), sense::invalid_field_in_parameter_list(6));
}

TEST(ModeSelect, TruncatedPageIsParameterListLengthError) {
  wire::Bytes l = caching_list(0x04);
  l.resize(10);
  auto v = apply_mode_select({.ten = false, .page_format = true}, l, state());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), sense::parameter_list_length_error());
}

TEST(ModeSelect, SetsSoftwareWriteProtect) {
  // Control page 0Ah, length 0Ah, current byte 3 = 10h; SWP byte 4 bit 3.
  wire::Bytes l(4 + 12, 0);
  l[4] = 0x0a;
  l[5] = 0x0a;
  l[7] = 0x10;
  l[8] = 0x08;
  auto v = apply_mode_select({.ten = false, .page_format = true}, l, state());
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->swp);
}

TEST(ModeSelect, BlockDescriptorMustKeepBlockLength) {
  wire::Bytes l(4 + 8, 0);
  l[3] = 8;
  wire::store_be24(&l[4 + 5], 4096);
  auto v = apply_mode_select({.ten = false, .page_format = true}, l, state());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), sense::invalid_field_in_parameter_list(9));
}

TEST(ModeSelect, UnknownPageIsInvalid) {
  wire::Bytes l(4 + 4, 0);
  l[4] = 0x19;
  l[5] = 0x02;
  auto v = apply_mode_select({.ten = false, .page_format = true}, l, state());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), sense::invalid_field_in_parameter_list(4, 5));
}

}  // namespace
}  // namespace iscsi::scsi
