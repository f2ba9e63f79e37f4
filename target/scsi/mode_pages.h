// MODE SENSE(6)/(10) parameter data (SPC-4 §7.5): header, block descriptor
// and the mode pages a logical unit reports: Caching (08h, SBC-3), Control
// (0Ah, SPC-4) and Informational Exceptions Control (1Ch, SPC-4). The
// changeable fields are WCE and RCD of the Caching page and SWP of the
// Control page (kept per logical unit, changed with MODE SELECT); the unit
// cannot save parameters, so saved values are not implemented (SAVING
// PARAMETERS NOT SUPPORTED) and the PS bits are clear.
#pragma once

#include <cstdint>
#include <optional>

#include "scsi/sense.h"
#include "wire/bytes.h"

namespace iscsi::scsi {

namespace mode_page {
inline constexpr std::uint8_t kCaching = 0x08;
inline constexpr std::uint8_t kControl = 0x0a;
inline constexpr std::uint8_t kInformationalExceptions = 0x1c;
inline constexpr std::uint8_t kAllPages = 0x3f;
}  // namespace mode_page

// PAGE CONTROL field of MODE SENSE(6)/(10) (SPC-4, MODE SENSE(6) command).
enum class PageControl : std::uint8_t { Current = 0, Changeable = 1, Default = 2, Saved = 3 };

struct ModeSenseRequest {
  bool ten = false;    // MODE SENSE(10): 8-byte header, LLBAA allowed
  bool dbd = false;    // disable block descriptors
  bool llbaa = false;  // long LBA block descriptor (MODE SENSE(10) only)
  std::uint8_t page_control = 0;
  std::uint8_t page_code = 0;
  std::uint8_t subpage_code = 0;
};

// The changeable mode parameters of one logical unit.
struct ModeValues {
  bool wce = true;   // Caching: write cache enabled (writes may be cached)
  bool rcd = false;  // Caching: read cache disabled
  bool swp = false;  // Control: software write protect
  bool operator==(const ModeValues&) const = default;
};

struct ModeState {
  bool write_protected = false;
  std::uint64_t blocks = 0;  // 0 while no medium is present
  std::uint32_t block_size = 512;
  ModeValues values;  // current values
};

// The page `page_code` (one page, not 3Fh) for `pc`, or empty when the
// page is not implemented.
wire::Bytes mode_page_bytes(std::uint8_t page_code, PageControl pc, const ModeValues& values);

// The CDB checks that need no state: SAVING PARAMETERS NOT SUPPORTED for
// saved values, INVALID FIELD IN CDB for a page or subpage not implemented.
std::optional<Sense> check_mode_sense(const ModeSenseRequest& req);

// The complete parameter data (the caller truncates to the allocation length).
// `req` must have passed check_mode_sense.
wire::Bytes build_mode_sense(const ModeSenseRequest& req, const ModeState& state);

}  // namespace iscsi::scsi
