// Fixed-format sense data (SPC-4 §4.5.3) and the iSCSI sense segment
// (RFC 3720 §10.4.7). Expected bytes are laid out by hand from the fixed
// format table: byte 0 VALID|RESPONSE CODE, 2 SENSE KEY, 3-6 INFORMATION,
// 7 ADDITIONAL SENSE LENGTH (0Ah for 18 bytes), 12 ASC, 13 ASCQ,
// 15-17 SKSV|C/D|BPV|BIT POINTER and FIELD POINTER.
#include "scsi/sense.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace iscsi::scsi {
namespace {

using wire::Bytes;

Bytes plain(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq) {
  return Bytes{0x70, 0x00, key,  0x00, 0x00, 0x00, 0x00, 0x0a, 0x00,
               0x00, 0x00, 0x00, asc,  ascq, 0x00, 0x00, 0x00, 0x00};
}

struct Case {
  const char* name;
  Sense sense;
  Bytes expected;
};

class FixedSenseTest : public ::testing::TestWithParam<Case> {};

TEST_P(FixedSenseTest, EncodesEighteenBytes) {
  EXPECT_EQ(GetParam().sense.fixed(), GetParam().expected) << GetParam().name;
}

TEST_P(FixedSenseTest, DecodesBack) {
  const auto decoded = decode_fixed_sense(GetParam().expected);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, GetParam().sense);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCondition, FixedSenseTest,
    ::testing::Values(
        Case{"no sense", sense::no_sense(), plain(0x0, 0x00, 0x00)},
        Case{"invalid opcode", sense::invalid_command_operation_code(), plain(0x5, 0x20, 0x00)},
        Case{"lba out of range", sense::lba_out_of_range(), plain(0x5, 0x21, 0x00)},
        Case{"lun not supported", sense::logical_unit_not_supported(), plain(0x5, 0x25, 0x00)},
        Case{"param list length", sense::parameter_list_length_error(), plain(0x5, 0x1a, 0x00)},
        Case{"saving params", sense::saving_parameters_not_supported(), plain(0x5, 0x39, 0x00)},
        Case{"invalid field in command IU", sense::invalid_field_in_command_information_unit(),
             plain(0x5, 0x0e, 0x03)},
        Case{"write protected", sense::write_protected(), plain(0x7, 0x27, 0x00)},
        Case{"space allocation failed", sense::space_allocation_failed_write_protect(),
             plain(0x7, 0x27, 0x07)},
        Case{"power on/reset", sense::power_on_reset_or_bus_device_reset(), plain(0x6, 0x29, 0x00)},
        Case{"power on", sense::power_on_occurred(), plain(0x6, 0x29, 0x01)},
        Case{"bus reset", sense::scsi_bus_reset_occurred(), plain(0x6, 0x29, 0x02)},
        Case{"bus device reset", sense::bus_device_reset_function_occurred(),
             plain(0x6, 0x29, 0x03)},
        Case{"nexus loss", sense::i_t_nexus_loss_occurred(), plain(0x6, 0x29, 0x07)},
        Case{"mode parameters changed", sense::mode_parameters_changed(), plain(0x6, 0x2a, 0x01)},
        Case{"luns changed", sense::reported_luns_data_has_changed(), plain(0x6, 0x3f, 0x0e)},
        Case{"medium not present", sense::medium_not_present(), plain(0x2, 0x3a, 0x00)},
        Case{"unrecovered read", sense::unrecovered_read_error(), plain(0x3, 0x11, 0x00)},
        Case{"write error", sense::write_error(), plain(0x3, 0x0c, 0x00)},
        Case{"internal target failure", sense::internal_target_failure(), plain(0x4, 0x44, 0x00)},
        Case{"aborted command", sense::aborted_command(), plain(0xb, 0x00, 0x00)},
        Case{"protocol service crc", sense::protocol_service_crc_error(), plain(0xb, 0x47, 0x05)},
        Case{"unexpected unsolicited data", sense::unexpected_unsolicited_data(),
             plain(0xb, 0x0c, 0x0c)},
        Case{"incorrect amount of data", sense::incorrect_amount_of_data(), plain(0xb, 0x0c, 0x0d)},
        Case{"snack rejected", sense::snack_rejected(), plain(0xb, 0x11, 0x13)},
        // Field pointer, C/D = 1 (CDB), BPV = 1, bit 5, byte 2:
        // byte 15 = 80h (SKSV) | 40h (C/D) | 08h (BPV) | 5 = CDh.
        Case{"invalid field in cdb with bit", sense::invalid_field_in_cdb(2, 5),
             Bytes{0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x24,
                   0x00, 0x00, 0xcd, 0x00, 0x02}},
        // Whole-byte pointer (BPV = 0) to byte 8: byte 15 = C0h.
        Case{"invalid field in cdb byte", sense::invalid_field_in_cdb(8),
             Bytes{0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x24,
                   0x00, 0x00, 0xc0, 0x00, 0x08}},
        Case{"invalid field in cdb, no pointer", sense::invalid_field_in_cdb(),
             plain(0x5, 0x24, 0x00)},
        // Parameter list: C/D = 0, byte 0x0102, bit 0 → byte 15 = 88h.
        Case{"invalid field in parameter list", sense::invalid_field_in_parameter_list(0x102, 0),
             Bytes{0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x26,
                   0x00, 0x00, 0x88, 0x01, 0x02}},
        // VALID (80h in byte 0) and INFORMATION = 0x12345678.
        Case{"unrecovered read with lba", sense::unrecovered_read_error(0x12345678),
             Bytes{0xf0, 0x00, 0x03, 0x12, 0x34, 0x56, 0x78, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x11,
                   0x00, 0x00, 0x00, 0x00, 0x00}},
        // SBC-3 §4.11: NOT READY 04/1Bh; SPC-4 §4.5.2.4.4 progress
        // indication: byte 15 = 80h (SKSV), bytes 16-17 = 4000h (one quarter).
        Case{"sanitize in progress", sense::sanitize_in_progress(0x4000),
             Bytes{0x70, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x04,
                   0x1b, 0x00, 0x80, 0x40, 0x00}},
        Case{"miscompare at offset 513", sense::miscompare_during_verify(513),
             Bytes{0xf0, 0x00, 0x0e, 0x00, 0x00, 0x02, 0x01, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x1d,
                   0x00, 0x00, 0x00, 0x00, 0x00}}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string n = info.param.name;
      for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return n;
    });

TEST(FixedSense, InformationTooLargeForFixedFormatClearsValid) {
  // SPC-4 §4.5.3: a value that does not fit the 4-byte INFORMATION field is
  // not reported (VALID 0).
  const Bytes b = sense::write_error(0x100000000ull).fixed();
  EXPECT_EQ(b[0], 0x70);
  EXPECT_EQ(b[3], 0x00);
  EXPECT_EQ(b[6], 0x00);
}

TEST(FixedSense, DecodeRejectsDescriptorFormatAndShortData) {
  EXPECT_FALSE(decode_fixed_sense(Bytes{0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0}).has_value());
  EXPECT_FALSE(decode_fixed_sense(Bytes{0x70, 0x00, 0x05}).has_value());
  Bytes truncated = plain(0x5, 0x24, 0x00);
  truncated.resize(15);  // ADDITIONAL SENSE LENGTH says 10 more than byte 7
  EXPECT_FALSE(decode_fixed_sense(truncated).has_value());
}

TEST(FixedSense, DescribeNamesKeyAndCodes) {
  EXPECT_EQ(sense::invalid_field_in_cdb(1).describe(), "ILLEGAL REQUEST 24/00");
  EXPECT_EQ(sense::medium_not_present().describe(), "NOT READY 3A/00");
}

TEST(IscsiSenseSegment, IsSenseLengthThenSense) {
  // RFC 3720 §10.4.7.1: SenseLength (2 bytes, big endian) then Sense Data.
  const Bytes seg = iscsi_sense_segment(sense::protocol_service_crc_error());
  ASSERT_EQ(seg.size(), 20u);
  EXPECT_EQ(seg[0], 0x00);
  EXPECT_EQ(seg[1], 18);
  EXPECT_EQ(Bytes(seg.begin() + 2, seg.end()), plain(0xb, 0x47, 0x05));
}

}  // namespace
}  // namespace iscsi::scsi
