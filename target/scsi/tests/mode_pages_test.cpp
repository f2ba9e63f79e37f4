// MODE SENSE parameter data with exact bytes: mode parameter headers (SPC-4
// §7.5), short and long LBA block descriptors and the DEVICE-SPECIFIC
// PARAMETER (SBC-3), Caching (SBC-3), Control and Informational Exceptions
// Control (SPC-4) mode pages.
#include "scsi/mode_pages.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

using wire::Bytes;

const Bytes kCachingCurrent = {0x08, 0x12, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
// WCE and RCD (byte 2 bits 2 and 0) are changeable.
const Bytes kCachingChangeable = {0x08, 0x12, 0x05, 0, 0, 0, 0, 0, 0, 0,
                                  0,    0,    0,    0, 0, 0, 0, 0, 0, 0};
// QUEUE ALGORITHM MODIFIER 1h in byte 3; everything else 0.
const Bytes kControlCurrent = {0x0a, 0x0a, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0};
// SWP (byte 4 bit 3) is changeable.
const Bytes kControlChangeable = {0x0a, 0x0a, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0};
// DEXCPT (byte 2 bit 3) set, MRIE 0.
const Bytes kIecCurrent = {0x1c, 0x0a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0};
const Bytes kIecChangeable = {0x1c, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

ModeState state(bool wp, std::uint64_t blocks, std::uint32_t bs) {
  return ModeState{.write_protected = wp, .blocks = blocks, .block_size = bs};
}

TEST(ModeSense6, AllPagesWithShortBlockDescriptor) {
  const ModeSenseRequest req{.page_code = 0x3f};
  // Header: MODE DATA LENGTH 55 (56 - 1), MEDIUM TYPE 0, DEVICE-SPECIFIC 10h
  // (DPOFUA), BLOCK DESCRIPTOR LENGTH 8. Descriptor: 2048 blocks, reserved,
  // 512-byte blocks.
  const Bytes expected = cat({{0x37, 0x00, 0x10, 0x08},
                              {0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, 0x00},
                              kCachingCurrent,
                              kControlCurrent,
                              kIecCurrent});
  EXPECT_EQ(build_mode_sense(req, state(false, 2048, 512)), expected);
}

TEST(ModeSense6, WriteProtectedDbdCachingOnly) {
  const ModeSenseRequest req{.dbd = true, .page_code = 0x08};
  // WP (80h) | DPOFUA (10h); no block descriptor.
  EXPECT_EQ(build_mode_sense(req, state(true, 2048, 512)),
            cat({{0x17, 0x00, 0x90, 0x00}, kCachingCurrent}));
}

TEST(ModeSense6, ChangeableValuesAreWceRcdAndSwp) {
  const ModeSenseRequest req{.dbd = true, .page_control = 1, .page_code = 0x3f};
  EXPECT_EQ(
      build_mode_sense(req, state(false, 8, 512)),
      cat({{0x2f, 0x00, 0x10, 0x00}, kCachingChangeable, kControlChangeable, kIecChangeable}));
}

TEST(ModeSense6, DefaultValuesEqualCurrent) {
  const ModeSenseRequest cur{.page_control = 0, .page_code = 0x0a};
  const ModeSenseRequest def{.page_control = 2, .page_code = 0x0a};
  EXPECT_EQ(build_mode_sense(def, state(false, 8, 512)),
            build_mode_sense(cur, state(false, 8, 512)));
  EXPECT_EQ(build_mode_sense(def, state(false, 8, 512)),
            cat({{0x17, 0x00, 0x10, 0x08}, {0, 0, 0, 8, 0, 0, 0x02, 0x00}, kControlCurrent}));
}

TEST(ModeSense6, ShortDescriptorSaturatesBlockCount) {
  // SBC-3: more blocks than NUMBER OF LOGICAL BLOCKS holds → FFFFFFFFh.
  const ModeSenseRequest req{.page_code = 0x1c};
  EXPECT_EQ(build_mode_sense(req, state(false, 0x100000000ull, 4096)),
            cat({{0x17, 0x00, 0x10, 0x08},
                 {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x10, 0x00},
                 kIecCurrent}));
}

TEST(ModeSense10, LongLbaDescriptor) {
  const ModeSenseRequest req{.ten = true, .llbaa = true, .page_code = 0x08};
  // Header: MODE DATA LENGTH 42 (44 - 2), MEDIUM TYPE 0, DEVICE-SPECIFIC
  // 90h, LONGLBA 1, reserved, BLOCK DESCRIPTOR LENGTH 16.
  const Bytes expected =
      cat({{0x00, 0x2a, 0x00, 0x90, 0x01, 0x00, 0x00, 0x10},
           {0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x10, 0x00},
           kCachingCurrent});
  EXPECT_EQ(build_mode_sense(req, state(true, 0x100000000ull, 4096)), expected);
}

TEST(ModeSense10, ShortDescriptorWithoutLlbaa) {
  const ModeSenseRequest req{.ten = true, .page_code = 0x0a};
  EXPECT_EQ(build_mode_sense(req, state(false, 2048, 512)),
            cat({{0x00, 0x1a, 0x00, 0x10, 0x00, 0x00, 0x00, 0x08},
                 {0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, 0x00},
                 kControlCurrent}));
}

TEST(ModeSense10, DbdAllPagesAndSubpages) {
  const ModeSenseRequest req{.ten = true, .dbd = true, .page_code = 0x3f, .subpage_code = 0xff};
  EXPECT_EQ(build_mode_sense(req, state(false, 8, 512)),
            cat({{0x00, 0x32, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00},
                 kCachingCurrent,
                 kControlCurrent,
                 kIecCurrent}));
}

TEST(CheckModeSense, SavedValuesAreNotSupported) {
  EXPECT_EQ(check_mode_sense(ModeSenseRequest{.page_control = 3, .page_code = 0x08}),
            sense::saving_parameters_not_supported());
}

TEST(CheckModeSense, UnknownPagesAndSubpages) {
  // Field pointer: byte 2, bit 5 (most significant bit of PAGE CODE).
  EXPECT_EQ(check_mode_sense(ModeSenseRequest{.page_code = 0x01}),
            sense::invalid_field_in_cdb(2, 5));
  EXPECT_EQ(check_mode_sense(ModeSenseRequest{.page_code = 0x19}),
            sense::invalid_field_in_cdb(2, 5));
  EXPECT_EQ(check_mode_sense(ModeSenseRequest{.page_code = 0x08, .subpage_code = 0x01}),
            sense::invalid_field_in_cdb(3));
  EXPECT_FALSE(check_mode_sense(ModeSenseRequest{.page_code = 0x08, .subpage_code = 0xff}));
  EXPECT_FALSE(check_mode_sense(ModeSenseRequest{.page_control = 2, .page_code = 0x1c}));
}

}  // namespace
}  // namespace iscsi::scsi
