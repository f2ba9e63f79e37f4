#include "scsi/inquiry.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "scsi/cdb.h"

namespace iscsi::scsi {

namespace {

constexpr std::array<std::uint8_t, 6> kPages = {
    vpd::kSupportedPages, vpd::kUnitSerialNumber,           vpd::kDeviceIdentification,
    vpd::kBlockLimits,    vpd::kBlockDeviceCharacteristics, vpd::kLogicalBlockProvisioning,
};

// SPC-4 standard INQUIRY data, VERSION DESCRIPTOR values (codes for "no version claimed").
constexpr std::uint16_t kVersionSam5 = 0x00a0;
constexpr std::uint16_t kVersionIscsi = 0x0960;
constexpr std::uint16_t kVersionSpc4 = 0x0460;
constexpr std::uint16_t kVersionSbc3 = 0x04c0;

constexpr std::size_t kStandardLength = 74;

// Left-aligned ASCII, space padded (SPC-4 §4.4.1).
void put_ascii(wire::Bytes& out, std::size_t at, std::size_t width, std::string_view s) {
  for (std::size_t i = 0; i < width; ++i) {
    out[at + i] = i < s.size() ? static_cast<std::uint8_t>(s[i]) : ' ';
  }
}

wire::Bytes page_header(std::uint8_t peripheral, std::uint8_t page) {
  return wire::Bytes{peripheral, page, 0, 0};
}

void set_page_length(wire::Bytes& page) {
  wire::store_be16(&page[2], static_cast<std::uint16_t>(page.size() - 4));
}

// A designation descriptor of the SPC-4 Device Identification VPD page:
// PROTOCOL IDENTIFIER | CODE SET, PIV | ASSOCIATION | DESIGNATOR TYPE,
// reserved, DESIGNATOR LENGTH, designator.
void put_designator(wire::Bytes& out, std::uint8_t proto_codeset, std::uint8_t piv_assoc_type,
                    wire::ByteView designator) {
  out.push_back(proto_codeset);
  out.push_back(piv_assoc_type);
  out.push_back(0);
  out.push_back(static_cast<std::uint8_t>(designator.size()));
  out.insert(out.end(), designator.begin(), designator.end());
}

// SPC-4 SCSI name string designator: UTF-8, null terminated, null padded
// to a multiple of four bytes.
wire::Bytes name_string(std::string_view name) {
  wire::Bytes d(name.begin(), name.end());
  d.push_back(0);
  while (d.size() % 4 != 0) d.push_back(0);
  return d;
}

constexpr std::uint8_t kProtocolIscsi = 0x5;  // SPC-4 §7.6.1 PROTOCOL IDENTIFIER values
constexpr std::uint8_t kCodeSetBinary = 0x1;
constexpr std::uint8_t kCodeSetUtf8 = 0x3;
constexpr std::uint8_t kPiv = 0x80;
constexpr std::uint8_t kAssocLu = 0x00;
constexpr std::uint8_t kAssocTargetPort = 0x10;
constexpr std::uint8_t kAssocTargetDevice = 0x20;
constexpr std::uint8_t kTypeNaa = 0x3;
constexpr std::uint8_t kTypeRelativeTargetPort = 0x4;
constexpr std::uint8_t kTypeScsiNameString = 0x8;

wire::Bytes supported_pages(std::uint8_t peripheral, bool thin) {
  wire::Bytes p = page_header(peripheral, vpd::kSupportedPages);
  const auto pages = supported_vpd_pages(thin);
  p.insert(p.end(), pages.begin(), pages.end());
  set_page_length(p);
  return p;
}

wire::Bytes unit_serial_number(const VpdContext& ctx) {
  wire::Bytes p = page_header(ctx.peripheral, vpd::kUnitSerialNumber);
  p.insert(p.end(), ctx.identity.serial.begin(), ctx.identity.serial.end());
  set_page_length(p);
  return p;
}

wire::Bytes device_identification(const VpdContext& ctx) {
  const Identity& id = ctx.identity;
  wire::Bytes p = page_header(ctx.peripheral, vpd::kDeviceIdentification);

  // The logical unit: NAA, binary, association 00b.
  std::uint8_t naa[8];
  wire::store_be64(naa, id.naa);
  put_designator(p, kCodeSetBinary, kAssocLu | kTypeNaa, naa);

  // The target port it is reached through: its relative target port
  // identifier (SPC-4 relative target port designator: two reserved bytes,
  // then the identifier) ...
  std::uint8_t rel[4] = {0, 0, 0, 0};
  wire::store_be16(&rel[2], id.relative_port);
  put_designator(p, static_cast<std::uint8_t>(kProtocolIscsi << 4 | kCodeSetBinary),
                 kPiv | kAssocTargetPort | kTypeRelativeTargetPort, rel);
  // ... and its SCSI target port name.
  put_designator(p, static_cast<std::uint8_t>(kProtocolIscsi << 4 | kCodeSetUtf8),
                 kPiv | kAssocTargetPort | kTypeScsiNameString,
                 name_string(target_port_name(id.target_name, id.portal_group_tag)));
  // The SCSI target device: its iSCSI name.
  put_designator(p, static_cast<std::uint8_t>(kProtocolIscsi << 4 | kCodeSetUtf8),
                 kPiv | kAssocTargetDevice | kTypeScsiNameString, name_string(id.target_name));
  set_page_length(p);
  return p;
}

wire::Bytes block_limits_page(const VpdContext& ctx) {
  wire::Bytes p(64, 0);
  p[0] = ctx.peripheral;
  p[1] = vpd::kBlockLimits;
  set_page_length(p);  // 003Ch
  // OPTIMAL TRANSFER LENGTH GRANULARITY: one 4 KiB page of the backends.
  const std::uint32_t granularity = ctx.block_size < 4096 ? 4096 / ctx.block_size : 1;
  wire::store_be16(&p[6], static_cast<std::uint16_t>(granularity));
  wire::store_be32(&p[8], ctx.max_transfer_blocks);  // MAXIMUM TRANSFER LENGTH
  // Byte 4: WSNZ 1, a WRITE SAME NUMBER OF LOGICAL BLOCKS of zero is refused.
  p[4] = 0x01;
  p[5] = block_limits::kMaxCompareAndWrite;  // MAXIMUM COMPARE AND WRITE LENGTH
  // OPTIMAL TRANSFER LENGTH and MAXIMUM PREFETCH LENGTH 0: not reported.
  if (ctx.thin) {
    wire::store_be32(&p[20], block_limits::kMaxUnmapLbaCount);
    wire::store_be32(&p[24], block_limits::kMaxUnmapDescriptors);
    // OPTIMAL UNMAP GRANULARITY: one 4 KiB page (what the backends can give
    // back); UGAVALID 0, no alignment requirement.
    wire::store_be32(&p[28], granularity);
  }
  // MAXIMUM WRITE SAME LENGTH: no more than one transfer, so an initiator
  // can write the same range with WRITE as well.
  wire::store_be64(
      &p[36], std::min<std::uint64_t>(block_limits::kMaxWriteSameLength, ctx.max_transfer_blocks));
  // SBC-4 atomic fields: MAXIMUM ATOMIC TRANSFER LENGTH, ATOMIC ALIGNMENT 1,
  // ATOMIC TRANSFER LENGTH GRANULARITY 1, no atomic boundaries.
  wire::store_be32(&p[44],
                   std::min(block_limits::kMaxAtomicTransferLength, ctx.max_transfer_blocks));
  wire::store_be32(&p[48], 1);
  wire::store_be32(&p[52], 1);
  return p;
}

wire::Bytes block_device_characteristics(const VpdContext& ctx) {
  wire::Bytes p(64, 0);
  p[0] = ctx.peripheral;
  p[1] = vpd::kBlockDeviceCharacteristics;
  set_page_length(p);               // 003Ch
  wire::store_be16(&p[4], 0x0001);  // MEDIUM ROTATION RATE: non-rotating medium
  // Byte 7: WABEREQ 01b on thin provisioned units, the only ones with
  // SANITIZE BLOCK ERASE: a read of an erased block completes GOOD (the data
  // reads as zeros). SBC-3 Block Device Characteristics VPD page: WABEREQ
  // 00b where block erase is not supported. WACEREQ 00b, no cryptographic
  // erase.
  p[7] = ctx.thin ? 0x40 : 0x00;
  return p;
}

wire::Bytes logical_block_provisioning(const VpdContext& ctx) {
  // SBC-3 Logical Block Provisioning VPD page, page length 0004h (no
  // provisioning group descriptor).
  wire::Bytes p = {
      ctx.peripheral, vpd::kLogicalBlockProvisioning, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00};
  // Byte 4: THRESHOLD EXPONENT 0 (no thresholds).
  // Byte 5: LBPU 1 (UNMAP), LBPWS 1 and LBPWS10 1 (WRITE SAME(16)/(10)
  // with UNMAP), LBPRZ 1: deallocated blocks read back as zeros; ANC_SUP 0
  // (no anchored state); DP 0.
  p[5] = 0x80 | 0x40 | 0x20 | 0x04;
  // Byte 6: PROVISIONING TYPE 010b, thin provisioned.
  p[6] = 0x02;
  return p;
}

}  // namespace

std::span<const std::uint8_t> supported_vpd_pages(bool thin) {
  return std::span<const std::uint8_t>(kPages).first(thin ? kPages.size() : kPages.size() - 1);
}

bool vpd_page_supported(std::uint8_t page, bool thin) {
  const auto pages = supported_vpd_pages(thin);
  return std::find(pages.begin(), pages.end(), page) != pages.end();
}

wire::Bytes standard_inquiry(const Identity& id, bool removable, std::uint8_t peripheral) {
  wire::Bytes d(kStandardLength, 0);
  d[0] = peripheral;
  d[1] = removable ? 0x80 : 0x00;                         // RMB
  d[2] = 0x06;                                            // VERSION: SPC-4
  d[3] = 0x10 | 0x02;                                     // HISUP, RESPONSE DATA FORMAT 2
  d[4] = static_cast<std::uint8_t>(kStandardLength - 5);  // ADDITIONAL LENGTH
  d[7] = 0x02;                                            // CMDQUE
  put_ascii(d, 8, 8, id.vendor);
  put_ascii(d, 16, 16, id.product);
  put_ascii(d, 32, 4, id.revision);
  wire::store_be16(&d[58], kVersionSam5);
  wire::store_be16(&d[60], kVersionIscsi);
  wire::store_be16(&d[62], kVersionSpc4);
  wire::store_be16(&d[64], kVersionSbc3);
  return d;
}

wire::Bytes vpd_page(std::uint8_t page, const VpdContext& ctx) {
  switch (page) {
    case vpd::kSupportedPages:
      return supported_pages(ctx.peripheral, ctx.thin);
    case vpd::kUnitSerialNumber:
      return unit_serial_number(ctx);
    case vpd::kDeviceIdentification:
      return device_identification(ctx);
    case vpd::kBlockLimits:
      return block_limits_page(ctx);
    case vpd::kBlockDeviceCharacteristics:
      return block_device_characteristics(ctx);
    case vpd::kLogicalBlockProvisioning:
      return logical_block_provisioning(ctx);
    default:
      return {};
  }
}

wire::Bytes vpd_supported_pages_only_self(std::uint8_t peripheral) {
  wire::Bytes p = page_header(peripheral, vpd::kSupportedPages);
  p.push_back(vpd::kSupportedPages);
  set_page_length(p);
  return p;
}

}  // namespace iscsi::scsi
