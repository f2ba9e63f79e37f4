// CDB decoding: fields, data direction and transfer length per command, and
// the ILLEGAL REQUEST sense of every CDB the unit rejects (SPC-4, SBC-3).
#include "scsi/cdb.h"

#include <gtest/gtest.h>

#include "cdb_builders.h"

namespace iscsi::scsi {
namespace {

using namespace testing;  // NOLINT: the CDB builders

const CdbLimits k512{.block_size = 512, .max_transfer_blocks = 16384, .removable = false};

ParsedCdb ok(const Bytes& cdb, const CdbLimits& limits = k512) {
  auto r = parse_cdb(cdb, limits);
  EXPECT_TRUE(r) << (r ? "" : r.error().describe());
  return r ? *r : ParsedCdb{};
}

Sense fails(const Bytes& cdb, const CdbLimits& limits = k512) {
  auto r = parse_cdb(cdb, limits);
  EXPECT_FALSE(r);
  return r ? Sense{} : r.error();
}

TEST(CdbLength, FromGroupCode) {
  // SPC-4 §4.2.5.1: group 0 → 6 bytes, 1 and 2 → 10, 4 → 16, 5 → 12.
  EXPECT_EQ(cdb_length(0x00), 6u);
  EXPECT_EQ(cdb_length(0x1f), 6u);
  EXPECT_EQ(cdb_length(0x28), 10u);
  EXPECT_EQ(cdb_length(0x5a), 10u);
  EXPECT_EQ(cdb_length(0x7f), 0u);
  EXPECT_EQ(cdb_length(0x88), 16u);
  EXPECT_EQ(cdb_length(0xa8), 12u);
  EXPECT_EQ(cdb_length(0xc0), 0u);
}

TEST(UnitAttentionExemption, InquiryReportLunsRequestSense) {
  EXPECT_TRUE(exempt_from_unit_attention(0x12));
  EXPECT_TRUE(exempt_from_unit_attention(0xa0));
  EXPECT_TRUE(exempt_from_unit_attention(0x03));
  EXPECT_FALSE(exempt_from_unit_attention(0x00));
  EXPECT_FALSE(exempt_from_unit_attention(0x28));
}

TEST(LbaRange, InsideAndOutside) {
  EXPECT_TRUE(lba_range_ok(0, 100, 100));
  EXPECT_TRUE(lba_range_ok(99, 1, 100));
  EXPECT_TRUE(lba_range_ok(100, 0, 100));  // LBA + 0 does not exceed the capacity
  EXPECT_FALSE(lba_range_ok(100, 1, 100));
  EXPECT_FALSE(lba_range_ok(101, 0, 100));
  EXPECT_FALSE(lba_range_ok(1, UINT64_MAX, 100));
  EXPECT_FALSE(lba_range_ok(UINT64_MAX, 1, 100));
}

TEST(ParseCdb, Read6LengthZeroMeans256) {
  const ParsedCdb p = ok(cdb6_rw(0x08, 0x1fffff, 0));
  EXPECT_EQ(p.command, Command::Read);
  EXPECT_EQ(p.lba, 0x1fffffu);
  EXPECT_EQ(p.blocks, 256u);
  EXPECT_EQ(p.direction, DataDirection::Read);
  EXPECT_EQ(p.transfer_length, 256u * 512);
  EXPECT_TRUE(p.media_access);
  EXPECT_FALSE(p.writes_medium);
}

TEST(ParseCdb, Write6) {
  const ParsedCdb p = ok(cdb6_rw(0x0a, 5, 3));
  EXPECT_EQ(p.command, Command::Write);
  EXPECT_EQ(p.blocks, 3u);
  EXPECT_EQ(p.direction, DataDirection::Write);
  EXPECT_EQ(p.transfer_length, 1536u);
  EXPECT_TRUE(p.writes_medium);
}

TEST(ParseCdb, Write10EightBlocksIs4096Bytes) {
  const ParsedCdb p = ok(cdb10(0x2a, 0x01020304, 8, 0x08));
  EXPECT_EQ(p.command, Command::Write);
  EXPECT_EQ(p.lba, 0x01020304u);
  EXPECT_EQ(p.blocks, 8u);
  EXPECT_TRUE(p.fua);
  EXPECT_EQ(p.transfer_length, 4096u);
}

TEST(ParseCdb, Read12And16Fields) {
  const ParsedCdb r12 = ok(cdb12(0xa8, 0xfffffffe, 2, 0x10));  // DPO accepted
  EXPECT_EQ(r12.lba, 0xfffffffeu);
  EXPECT_EQ(r12.blocks, 2u);
  EXPECT_FALSE(r12.fua);
  const ParsedCdb r16 = ok(cdb16(0x88, 0x0102030405060708ull, 16, 0x18));
  EXPECT_EQ(r16.lba, 0x0102030405060708ull);
  EXPECT_EQ(r16.blocks, 16u);
  EXPECT_TRUE(r16.fua);
  EXPECT_EQ(r16.transfer_length, 8192u);
  const ParsedCdb w16 = ok(cdb16(0x8a, 1, 0, 0));
  EXPECT_EQ(w16.transfer_length, 0u);  // 10/12/16-byte length 0: no transfer
  EXPECT_EQ(w16.direction, DataDirection::Write);
}

TEST(ParseCdb, ProtectFieldsAreInvalid) {
  // No protection information: RDPROTECT/WRPROTECT/VRPROTECT ≠ 0 → INVALID
  // FIELD IN CDB, field pointer byte 1 bit 7.
  for (std::uint8_t op : {0x28, 0x2a, 0x2f}) {
    for (std::uint8_t prot = 1; prot < 8; ++prot) {
      EXPECT_EQ(fails(cdb10(op, 0, 1, static_cast<std::uint8_t>(prot << 5))),
                sense::invalid_field_in_cdb(1, 7))
          << int(op) << " " << int(prot);
    }
  }
  EXPECT_EQ(fails(cdb16(0x88, 0, 1, 0x20)), sense::invalid_field_in_cdb(1, 7));
  EXPECT_EQ(fails(cdb12(0xaa, 0, 1, 0x20)), sense::invalid_field_in_cdb(1, 7));
}

TEST(ParseCdb, MaximumTransferLengthIsEnforced) {
  EXPECT_TRUE(parse_cdb(cdb10(0x28, 0, 16384), k512));
  // Field pointer: the most significant byte of TRANSFER LENGTH.
  EXPECT_EQ(fails(cdb10(0x28, 0, 16385)), sense::invalid_field_in_cdb(7));
  EXPECT_EQ(fails(cdb12(0xaa, 0, 16385)), sense::invalid_field_in_cdb(6));
  EXPECT_EQ(fails(cdb16(0x8a, 0, 0xffffffff)), sense::invalid_field_in_cdb(10));
  EXPECT_EQ(fails(cdb16(0x8f, 0, 20000)), sense::invalid_field_in_cdb(10));
  const CdbLimits tiny{.block_size = 4096, .max_transfer_blocks = 100};
  EXPECT_EQ(fails(cdb6_rw(0x08, 0, 0), tiny), sense::invalid_field_in_cdb(4));  // 256 > 100
}

TEST(ParseCdb, VerifyByteCheckModes) {
  const ParsedCdb none = ok(cdb10(0x2f, 10, 4, 0x00));
  EXPECT_EQ(none.command, Command::Verify);
  EXPECT_EQ(none.direction, DataDirection::None);
  EXPECT_EQ(none.transfer_length, 0u);
  EXPECT_TRUE(none.media_access);
  const ParsedCdb cmp = ok(cdb10(0x2f, 10, 4, 0x02));  // BYTCHK 01b
  EXPECT_EQ(cmp.bytchk, 1);
  EXPECT_EQ(cmp.direction, DataDirection::Write);
  EXPECT_EQ(cmp.transfer_length, 2048u);
  const ParsedCdb same = ok(cdb16(0x8f, 10, 4, 0x06));  // BYTCHK 11b: one block
  EXPECT_EQ(same.bytchk, 3);
  EXPECT_EQ(same.transfer_length, 512u);
  EXPECT_EQ(ok(cdb12(0xaf, 0, 0, 0x06)).transfer_length, 0u);
  EXPECT_EQ(fails(cdb10(0x2f, 0, 1, 0x04)), sense::invalid_field_in_cdb(1, 2));  // 10b reserved
  EXPECT_FALSE(ok(cdb10(0x2f, 0, 1, 0x10)).writes_medium);                       // DPO accepted
}

TEST(ParseCdb, SynchronizeCache) {
  const ParsedCdb s10 = ok(cdb10(0x35, 7, 0, 0x02));  // IMMED
  EXPECT_EQ(s10.command, Command::SynchronizeCache);
  EXPECT_EQ(s10.lba, 7u);
  EXPECT_EQ(s10.blocks, 0u);
  EXPECT_EQ(s10.direction, DataDirection::None);
  EXPECT_TRUE(s10.media_access);
  const ParsedCdb s16 = ok(cdb16(0x91, 1ull << 40, 100000));  // no transfer limit
  EXPECT_EQ(s16.lba, 1ull << 40);
  EXPECT_EQ(s16.blocks, 100000u);
}

TEST(ParseCdb, Inquiry) {
  const ParsedCdb std_inq = ok(inquiry(false, 0, 260));
  EXPECT_EQ(std_inq.command, Command::Inquiry);
  EXPECT_EQ(std_inq.direction, DataDirection::Read);
  EXPECT_EQ(std_inq.transfer_length, 260u);  // 16-bit ALLOCATION LENGTH
  const ParsedCdb vpd = ok(inquiry(true, 0x83, 255));
  EXPECT_TRUE(vpd.evpd);
  EXPECT_EQ(vpd.page_code, 0x83);
  // EVPD 0 with a page code → INVALID FIELD IN CDB, byte 2.
  EXPECT_EQ(fails(inquiry(false, 0x01, 255)), sense::invalid_field_in_cdb(2));
  // A VPD page that does not exist; B2h exists on thin units only.
  EXPECT_EQ(fails(inquiry(true, 0x86, 255)), sense::invalid_field_in_cdb(2));
  EXPECT_EQ(fails(inquiry(true, 0xb2, 255)), sense::invalid_field_in_cdb(2));
  const CdbLimits thin{.block_size = 512, .max_transfer_blocks = 16384, .thin = true};
  EXPECT_EQ(ok(inquiry(true, 0xb2, 255), thin).page_code, 0xb2);
  // CMDDT (byte 1 bit 1).
  EXPECT_EQ(fails(Bytes{0x12, 0x02, 0, 0, 36, 0}), sense::invalid_field_in_cdb(1, 1));
}

TEST(ParseCdb, RequestSense) {
  const ParsedCdb p = ok(request_sense(18));
  EXPECT_EQ(p.command, Command::RequestSense);
  EXPECT_EQ(p.transfer_length, 18u);
  EXPECT_EQ(fails(request_sense(18, true)), sense::invalid_field_in_cdb(1, 0));
}

TEST(ParseCdb, ModeSense) {
  const ParsedCdb m6 = ok(mode_sense6(true, 2, 0x3f, 200));
  EXPECT_EQ(m6.command, Command::ModeSense);
  EXPECT_FALSE(m6.mode_sense_10);
  EXPECT_TRUE(m6.dbd);
  EXPECT_EQ(m6.page_control, 2);
  EXPECT_EQ(m6.page_code, 0x3f);
  EXPECT_EQ(m6.transfer_length, 200u);
  const ParsedCdb m10 = ok(mode_sense10(true, false, 0, 0x08, 1000));
  EXPECT_TRUE(m10.mode_sense_10);
  EXPECT_TRUE(m10.llbaa);
  EXPECT_EQ(m10.transfer_length, 1000u);
  EXPECT_EQ(fails(mode_sense6(false, 3, 0x08, 255)), sense::saving_parameters_not_supported());
  EXPECT_EQ(fails(mode_sense10(false, false, 0, 0x02, 255)), sense::invalid_field_in_cdb(2, 5));
}

TEST(ParseCdb, StartStopUnit) {
  const CdbLimits removable{.block_size = 512, .max_transfer_blocks = 16384, .removable = true};
  const ParsedCdb eject = ok(start_stop(true, false), removable);
  EXPECT_EQ(eject.command, Command::StartStopUnit);
  EXPECT_TRUE(eject.loej);
  EXPECT_FALSE(eject.start);
  EXPECT_FALSE(eject.media_access);
  // LOEJ on a unit without removable medium → INVALID FIELD IN CDB byte 4 bit 1.
  EXPECT_EQ(fails(start_stop(true, false)), sense::invalid_field_in_cdb(4, 1));
  EXPECT_EQ(fails(start_stop(true, true)), sense::invalid_field_in_cdb(4, 1));
  // POWER CONDITION ≠ 0: LOEJ is ignored, so it is not an error.
  EXPECT_TRUE(parse_cdb(start_stop(true, false, 3), k512));
  EXPECT_TRUE(parse_cdb(start_stop(false, false, 0, true, true), k512));
}

TEST(ParseCdb, ReadCapacity) {
  const ParsedCdb rc10 = ok(Bytes{0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(rc10.command, Command::ReadCapacity10);
  EXPECT_EQ(rc10.transfer_length, 8u);
  EXPECT_TRUE(rc10.media_access);
  // PMI 0 with a non-zero LBA → INVALID FIELD IN CDB byte 2 (SBC-3).
  EXPECT_EQ(fails(Bytes{0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0}), sense::invalid_field_in_cdb(2));
  EXPECT_TRUE(parse_cdb(Bytes{0x25, 0, 0, 0, 0, 1, 0, 0, 1, 0}, k512));  // PMI 1
  const ParsedCdb rc16 = ok(read_capacity16(32));
  EXPECT_EQ(rc16.command, Command::ReadCapacity16);
  EXPECT_EQ(rc16.transfer_length, 32u);
  // Another SERVICE ACTION IN(16) service action (12h, GET LBA STATUS):
  // INVALID FIELD IN CDB pointing at the SERVICE ACTION field, byte 1 bit 4.
  Bytes get_lba_status = read_capacity16(24);
  get_lba_status[1] = 0x12;
  EXPECT_EQ(fails(get_lba_status), sense::invalid_field_in_cdb(1, 4));
}

TEST(ParseCdb, ReportLuns) {
  const ParsedCdb p = ok(report_luns(0, 4096));
  EXPECT_EQ(p.command, Command::ReportLuns);
  EXPECT_EQ(p.transfer_length, 4096u);
  EXPECT_EQ(ok(report_luns(2, 16)).select_report, 2);
  EXPECT_EQ(fails(report_luns(0x10, 16)), sense::invalid_field_in_cdb(2));
}

TEST(ParseCdb, UnimplementedOperationCodes) {
  // Reserved and vendor-specific codes.
  for (std::uint8_t op : {0x04, 0x7f, 0xc0, 0xff}) {
    Bytes cdb(16, 0);
    cdb[0] = op;
    EXPECT_EQ(fails(cdb), sense::invalid_command_operation_code()) << int(op);
  }
  EXPECT_EQ(fails(Bytes{}), sense::invalid_command_operation_code());
}

TEST(ParseCdb, ShortCdbIsAnInvalidField) {
  EXPECT_EQ(fails(Bytes{0x28, 0, 0, 0, 0, 0}), sense::invalid_field_in_cdb());
}

TEST(ParseCdb, TrailingBytesOfTheIscsiCdbFieldAreIgnored) {
  Bytes tur(16, 0);
  EXPECT_EQ(ok(tur).command, Command::TestUnitReady);
  Bytes r10 = cdb10(0x28, 1, 1);
  r10.resize(16, 0xff);  // bytes past the 10-byte CDB
  EXPECT_EQ(ok(r10).blocks, 1u);
}

TEST(ParseCdb, NacaIsRejected) {
  // SAM-5 CONTROL byte NACA (bit 2) with NORMACA 0 in INQUIRY data.
  Bytes tur = test_unit_ready();
  tur[5] = 0x04;
  EXPECT_EQ(fails(tur), sense::invalid_field_in_cdb(5, 2));
  Bytes r16 = cdb16(0x88, 0, 1);
  r16[15] = 0x04;
  EXPECT_EQ(fails(r16), sense::invalid_field_in_cdb(15, 2));
}

}  // namespace
}  // namespace iscsi::scsi
