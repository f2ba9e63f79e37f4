// INQUIRY parameter data: the standard data (SPC-4 INQUIRY command, standard INQUIRY data) and the
// vital product data pages the reference target supports (SPC-4 §7.8 for 00h, 80h and 83h; SBC-3's
// VPD parameters for B0h and B1h). Builders return the complete data; the caller truncates to the
// allocation length.
#pragma once

#include <cstdint>
#include <span>

#include "scsi/identity.h"
#include "wire/bytes.h"

namespace iscsi::scsi {

// Byte 0 of INQUIRY data: PERIPHERAL QUALIFIER (bits 7-5) and PERIPHERAL
// DEVICE TYPE (bits 4-0).
inline constexpr std::uint8_t kPeripheralDirectAccess = 0x00;  // 000b, 00h (SBC)
// 011b / 1Fh: no logical unit can be addressed at this LUN (SPC-4 standard INQUIRY data).
inline constexpr std::uint8_t kPeripheralNotSupported = 0x7f;

namespace vpd {
inline constexpr std::uint8_t kSupportedPages = 0x00;
inline constexpr std::uint8_t kUnitSerialNumber = 0x80;
inline constexpr std::uint8_t kDeviceIdentification = 0x83;
inline constexpr std::uint8_t kBlockLimits = 0xb0;
inline constexpr std::uint8_t kBlockDeviceCharacteristics = 0xb1;
inline constexpr std::uint8_t kLogicalBlockProvisioning = 0xb2;
}  // namespace vpd

// Pages a logical unit returns, in ascending order as page 00h lists them.
// The Logical Block Provisioning page (B2h) belongs to thin provisioned
// units: they report LBPME in READ CAPACITY(16), and initiators then read
// B2h to learn which deallocation commands exist.
std::span<const std::uint8_t> supported_vpd_pages(bool thin);
bool vpd_page_supported(std::uint8_t page, bool thin);

// Standard INQUIRY data, 74 bytes.
wire::Bytes standard_inquiry(const Identity& id, bool removable,
                             std::uint8_t peripheral = kPeripheralDirectAccess);

struct VpdContext {
  const Identity& identity;
  std::uint32_t block_size = 512;
  std::uint32_t max_transfer_blocks = 0;
  std::uint8_t peripheral = kPeripheralDirectAccess;
  bool thin = false;
};

// The page `page`, which must be one of supported_vpd_pages(ctx.thin).
wire::Bytes vpd_page(std::uint8_t page, const VpdContext& ctx);

// Page 00h listing only itself, for a LUN without a logical unit.
wire::Bytes vpd_supported_pages_only_self(std::uint8_t peripheral);

}  // namespace iscsi::scsi
