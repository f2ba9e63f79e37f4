#include "scsi/mode_pages.h"

namespace iscsi::scsi {

namespace {

// SBC-3 mode parameters, DEVICE-SPECIFIC PARAMETER for direct-access block
// devices: WP (bit 7) and DPOFUA (bit 4; DPO and FUA are accepted in CDBs).
constexpr std::uint8_t kWp = 0x80;
constexpr std::uint8_t kDpoFua = 0x10;

// SBC-3 Caching mode page (08h), page length 12h.
void caching_page(wire::Bytes& out, PageControl pc, const ModeValues& v) {
  const std::size_t at = out.size();
  out.resize(at + 20, 0);
  out[at] = mode_page::kCaching;
  out[at + 1] = 0x12;
  // Byte 2: WCE (bit 2) and RCD (bit 0). WCE: the file backend's page cache
  // is a volatile write cache that SYNCHRONIZE CACHE and FUA flush; with
  // WCE 0 every write goes through. Both bits are changeable.
  switch (pc) {
    case PageControl::Changeable:
      out[at + 2] = 0x05;
      break;
    case PageControl::Default:
      out[at + 2] = 0x04;
      break;
    default:
      out[at + 2] = static_cast<std::uint8_t>((v.wce ? 0x04 : 0) | (v.rcd ? 0x01 : 0));
      break;
  }
}

// SPC-4 Control mode page (0Ah), page length 0Ah.
void control_page(wire::Bytes& out, PageControl pc, const ModeValues& v) {
  const std::size_t at = out.size();
  out.resize(at + 12, 0);
  out[at] = mode_page::kControl;
  out[at + 1] = 0x0a;
  if (pc == PageControl::Changeable) {
    out[at + 4] = 0x08;  // SWP
    return;
  }
  // Byte 4 bit 3: SWP, software write protect (current value only).
  if (pc == PageControl::Current && v.swp) out[at + 4] = 0x08;
  // Byte 2: TST 000b (one task set for all I_T nexuses), D_SENSE 0 (fixed
  // format sense), GLTSD 0, RLEC 0.
  // Byte 3: QUEUE ALGORITHM MODIFIER 1h (unrestricted reordering of SIMPLE
  // tasks allowed), QERR 00b.
  out[at + 3] = 0x10;
  // Byte 4: SWP 0, UA_INTLCK_CTRL 00b. Byte 5: TAS 0, AUTOLOAD MODE 000b.
  // BUSY TIMEOUT PERIOD and EXTENDED SELF-TEST COMPLETION TIME 0 (undefined).
}

// SPC-4 Informational Exceptions Control mode page (1Ch), page length 0Ah.
void informational_exceptions_page(wire::Bytes& out, PageControl pc) {
  const std::size_t at = out.size();
  out.resize(at + 12, 0);
  out[at] = mode_page::kInformationalExceptions;
  out[at + 1] = 0x0a;
  // DEXCPT 1: no failure prediction, so informational exception operations
  // are disabled; MRIE 0h (no reporting).
  if (pc != PageControl::Changeable) out[at + 2] = 0x08;
}

bool page_known(std::uint8_t page) {
  return page == mode_page::kCaching || page == mode_page::kControl ||
         page == mode_page::kInformationalExceptions || page == mode_page::kAllPages;
}

}  // namespace

std::optional<Sense> check_mode_sense(const ModeSenseRequest& req) {
  // SPC-4, MODE SENSE(6): saved values requested from a device that cannot
  // save parameters → SAVING PARAMETERS NOT SUPPORTED.
  if (req.page_control == static_cast<std::uint8_t>(PageControl::Saved)) {
    return sense::saving_parameters_not_supported();
  }
  if (!page_known(req.page_code)) return sense::invalid_field_in_cdb(2, 5);
  // Subpage 00h is the page itself; FFh asks for all subpages of the page
  // (or of all pages), of which the page_0 format one is the only one here.
  if (req.subpage_code != 0x00 && req.subpage_code != 0xff) {
    return sense::invalid_field_in_cdb(3);
  }
  return std::nullopt;
}

wire::Bytes build_mode_sense(const ModeSenseRequest& req, const ModeState& state) {
  const auto pc = static_cast<PageControl>(req.page_control & 0x03);
  const std::size_t header = req.ten ? 8 : 4;
  const bool long_lba = req.ten && req.llbaa;
  const std::size_t descriptor = req.dbd ? 0 : (long_lba ? 16 : 8);

  wire::Bytes out(header + descriptor, 0);
  // SBC-3: WP is set when the medium is write-protected, by the unit's
  // configuration or by the SWP bit of the Control page.
  const bool wp = state.write_protected || state.values.swp;
  const std::uint8_t device_specific = static_cast<std::uint8_t>((wp ? kWp : 0) | kDpoFua);
  // SPC-4 §7.5, mode parameter header; SBC-3: MEDIUM TYPE 00h.
  if (req.ten) {
    out[3] = device_specific;
    out[4] = long_lba ? 0x01 : 0x00;  // LONGLBA
    wire::store_be16(&out[6], static_cast<std::uint16_t>(descriptor));
  } else {
    out[2] = device_specific;
    out[3] = static_cast<std::uint8_t>(descriptor);
  }
  // The block descriptor reports current values whatever the PAGE CONTROL
  // field says: PC selects the values of mode pages only.
  if (descriptor == 8) {
    // SBC-3 short LBA mode parameter block descriptor: NUMBER OF LOGICAL
    // BLOCKS saturates at FFFFFFFFh; byte 4 reserved; LOGICAL BLOCK LENGTH.
    const std::uint64_t n = state.blocks > 0xffffffffu ? 0xffffffffu : state.blocks;
    wire::store_be32(&out[header], static_cast<std::uint32_t>(n));
    wire::store_be24(&out[header + 5], state.block_size);
  } else if (descriptor == 16) {
    // SBC-3 long LBA mode parameter block descriptor.
    wire::store_be64(&out[header], state.blocks);
    wire::store_be32(&out[header + 12], state.block_size);
  }

  const bool all = req.page_code == mode_page::kAllPages;
  if (all || req.page_code == mode_page::kCaching) caching_page(out, pc, state.values);
  if (all || req.page_code == mode_page::kControl) control_page(out, pc, state.values);
  if (all || req.page_code == mode_page::kInformationalExceptions) {
    informational_exceptions_page(out, pc);
  }

  // MODE DATA LENGTH excludes itself.
  if (req.ten) {
    wire::store_be16(&out[0], static_cast<std::uint16_t>(out.size() - 2));
  } else {
    out[0] = static_cast<std::uint8_t>(out.size() - 1);
  }
  return out;
}

wire::Bytes mode_page_bytes(std::uint8_t page_code, PageControl pc, const ModeValues& values) {
  wire::Bytes out;
  if (page_code == mode_page::kCaching) caching_page(out, pc, values);
  if (page_code == mode_page::kControl) control_page(out, pc, values);
  if (page_code == mode_page::kInformationalExceptions) informational_exceptions_page(out, pc);
  return out;
}

}  // namespace iscsi::scsi
