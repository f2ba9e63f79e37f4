// INQUIRY data with exact bytes, laid out from SPC-4 (standard INQUIRY data,
// Supported VPD Pages, Unit Serial Number and Device Identification VPD
// pages) and SBC-3 (Block Limits and Block Device Characteristics VPD pages).
#include "scsi/inquiry.h"

#include <gtest/gtest.h>

#include <string>

namespace iscsi::scsi {
namespace {

using wire::Bytes;

void append(Bytes& b, std::string_view s) {
  b.insert(b.end(), s.begin(), s.end());
}

Identity fixed_identity() {
  Identity id;
  id.vendor = "HARNESS";
  id.product = "REFERENCE DISK";
  id.revision = "0001";
  id.serial = "0123456789ABCDEF";
  id.naa = 0x3123456789abcdefull;
  id.target_name = "iqn.a:b";
  id.portal_group_tag = 1;
  id.relative_port = 1;
  return id;
}

Bytes expected_standard(std::uint8_t byte0, std::uint8_t byte1) {
  Bytes d = {byte0, byte1,
             0x06,                // VERSION: SPC-4
             0x12,                // NORMACA 0, HISUP 1, RESPONSE DATA FORMAT 2
             0x45,                // ADDITIONAL LENGTH: 74 - 5
             0x00,                // SCCS ACC TPGS 3PC PROTECT all 0
             0x00,                // ENCSERV MULTIP 0
             0x02};               // CMDQUE 1
  append(d, "HARNESS ");          // bytes 8-15
  append(d, "REFERENCE DISK  ");  // bytes 16-31
  append(d, "0001");              // bytes 32-35
  d.resize(58, 0);                // vendor specific 36-55, 56, 57 reserved
  // Version descriptors: SAM-5 00A0h, iSCSI 0960h, SPC-4 0460h, SBC-3 04C0h.
  for (std::uint8_t b : {0x00, 0xa0, 0x09, 0x60, 0x04, 0x60, 0x04, 0xc0}) d.push_back(b);
  d.resize(74, 0);
  return d;
}

TEST(StandardInquiry, DirectAccessDevice) {
  EXPECT_EQ(standard_inquiry(fixed_identity(), false), expected_standard(0x00, 0x00));
}

TEST(StandardInquiry, RemovableSetsRmb) {
  EXPECT_EQ(standard_inquiry(fixed_identity(), true), expected_standard(0x00, 0x80));
}

TEST(StandardInquiry, NoLogicalUnitQualifier) {
  // PERIPHERAL QUALIFIER 011b, PERIPHERAL DEVICE TYPE 1Fh.
  EXPECT_EQ(standard_inquiry(fixed_identity(), false, kPeripheralNotSupported),
            expected_standard(0x7f, 0x00));
}

TEST(StandardInquiry, LongStringsAreCut) {
  Identity id = fixed_identity();
  id.vendor = "ABCDEFGHIJ";
  const Bytes d = standard_inquiry(id, false);
  EXPECT_EQ(std::string(d.begin() + 8, d.begin() + 16), "ABCDEFGH");
  EXPECT_EQ(std::string(d.begin() + 16, d.begin() + 32), "REFERENCE DISK  ");
}

VpdContext ctx(const Identity& id, std::uint32_t bs = 512, std::uint32_t max = 16384) {
  return VpdContext{.identity = id, .block_size = bs, .max_transfer_blocks = max};
}

TEST(VpdPages, SupportedPages) {
  const Identity id = fixed_identity();
  EXPECT_EQ(vpd_page(0x00, ctx(id)), (Bytes{0x00, 0x00, 0x00, 0x05, 0x00, 0x80, 0x83, 0xb0, 0xb1}));
  for (std::uint8_t p : {0x00, 0x80, 0x83, 0xb0, 0xb1}) EXPECT_TRUE(vpd_page_supported(p, false));
  for (std::uint8_t p : {0x01, 0x86, 0xb2, 0xff}) EXPECT_FALSE(vpd_page_supported(p, false));
}

TEST(VpdPages, SupportedPagesOfAThinUnitIncludeB2) {
  const Identity id = fixed_identity();
  VpdContext c = ctx(id);
  c.thin = true;
  EXPECT_EQ(vpd_page(0x00, c), (Bytes{0x00, 0x00, 0x00, 0x06, 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2}));
  EXPECT_TRUE(vpd_page_supported(0xb2, true));
}

TEST(VpdPages, LogicalBlockProvisioning) {
  const Identity id = fixed_identity();
  VpdContext c = ctx(id);
  c.thin = true;
  // SBC-3: PAGE LENGTH 0004h; THRESHOLD EXPONENT 0; LBPU 0, LBPWS 0,
  // LBPWS10 0, LBPRZ 1 (byte 5 bit 2), ANC_SUP 0, DP 0; PROVISIONING TYPE
  // 010b (thin provisioned).
  EXPECT_EQ(vpd_page(0xb2, c), (Bytes{0x00, 0xb2, 0x00, 0x04, 0x00, 0xe4, 0x02, 0x00}));
}

TEST(VpdPages, SupportedPagesOfAMissingUnit) {
  EXPECT_EQ(vpd_supported_pages_only_self(kPeripheralNotSupported),
            (Bytes{0x7f, 0x00, 0x00, 0x01, 0x00}));
}

TEST(VpdPages, UnitSerialNumber) {
  const Identity id = fixed_identity();
  Bytes expected = {0x00, 0x80, 0x00, 0x10};
  append(expected, "0123456789ABCDEF");
  EXPECT_EQ(vpd_page(0x80, ctx(id)), expected);
}

TEST(VpdPages, DeviceIdentification) {
  const Identity id = fixed_identity();
  Bytes e = {0x00, 0x83, 0x00, 0x38};  // page length 56
  // NAA: code set 1 (binary); PIV 0, association 00b (LU), type 3h; length 8.
  for (std::uint8_t b : {0x01, 0x03, 0x00, 0x08, 0x31, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef})
    e.push_back(b);
  // Relative target port: protocol 5h (iSCSI), code set 1; PIV 1,
  // association 01b (target port), type 4h; 2 reserved bytes, identifier 1.
  for (std::uint8_t b : {0x51, 0x94, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01}) e.push_back(b);
  // SCSI name string of the target port: protocol 5h, code set 3h (UTF-8);
  // PIV 1, association 01b, type 8h; "iqn.a:b,t,0x0001" + NUL, padded to 20.
  for (std::uint8_t b : {0x53, 0x98, 0x00, 0x14}) e.push_back(b);
  append(e, "iqn.a:b,t,0x0001");
  for (int i = 0; i < 4; ++i) e.push_back(0);
  // SCSI name string of the target device: association 10b; "iqn.a:b" + NUL.
  for (std::uint8_t b : {0x53, 0xa8, 0x00, 0x08}) e.push_back(b);
  append(e, "iqn.a:b");
  e.push_back(0);
  EXPECT_EQ(vpd_page(0x83, ctx(id)), e);
}

TEST(VpdPages, BlockLimits512) {
  const Identity id = fixed_identity();
  Bytes e(64, 0);
  e[1] = 0xb0;
  e[3] = 0x3c;   // PAGE LENGTH 003Ch (SBC-3)
  e[7] = 0x08;   // OPTIMAL TRANSFER LENGTH GRANULARITY: 8 blocks = 4 KiB
  e[10] = 0x40;  // MAXIMUM TRANSFER LENGTH 00004000h = 16384 blocks = 8 MiB
  e[4] = 0x01;   // WSNZ
  e[5] = 0xff;   // MAXIMUM COMPARE AND WRITE LENGTH 255
  e[42] = 0x40;  // MAXIMUM WRITE SAME LENGTH 4000h (bytes 36-43)
  e[46] = 0x08;  // MAXIMUM ATOMIC TRANSFER LENGTH 0800h (bytes 44-47)
  e[51] = 0x01;  // ATOMIC ALIGNMENT 1
  e[55] = 0x01;  // ATOMIC TRANSFER LENGTH GRANULARITY 1
  EXPECT_EQ(vpd_page(0xb0, ctx(id, 512, 16384)), e);
}

TEST(VpdPages, BlockLimits4096) {
  const Identity id = fixed_identity();
  Bytes e(64, 0);
  e[1] = 0xb0;
  e[3] = 0x3c;
  e[7] = 0x01;   // granularity 1 block
  e[10] = 0x08;  // 00000800h = 2048 blocks = 8 MiB
  e[4] = 0x01;
  e[5] = 0xff;
  e[42] = 0x08;  // MAXIMUM WRITE SAME LENGTH 0800h
  e[46] = 0x08;
  e[51] = 0x01;
  e[55] = 0x01;
  EXPECT_EQ(vpd_page(0xb0, ctx(id, 4096, 2048)), e);
}

TEST(VpdPages, BlockDeviceCharacteristics) {
  const Identity id = fixed_identity();
  Bytes e(64, 0);
  e[1] = 0xb1;
  e[3] = 0x3c;
  e[5] = 0x01;  // MEDIUM ROTATION RATE 0001h: non-rotating medium
  // Byte 7 WABEREQ 00b: a fully provisioned unit has no SANITIZE BLOCK ERASE.
  EXPECT_EQ(vpd_page(0xb1, ctx(id)), e);
}

TEST(VpdPages, BlockDeviceCharacteristicsOfAThinUnit) {
  // SANITIZE BLOCK ERASE exists on thin units only: WABEREQ 01b there, a
  // read of an erased block completes GOOD.
  const Identity id = fixed_identity();
  VpdContext c = ctx(id);
  c.thin = true;
  EXPECT_EQ(vpd_page(0xb1, c)[7], 0x40);
}

TEST(VpdPages, SerialNumberOfAMissingUnitPeripheralByte) {
  const Identity id = fixed_identity();
  VpdContext c = ctx(id);
  c.peripheral = kPeripheralNotSupported;
  EXPECT_EQ(vpd_page(0x80, c)[0], 0x7f);
}

}  // namespace
}  // namespace iscsi::scsi
