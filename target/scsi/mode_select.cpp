#include "scsi/mode_select.h"

namespace iscsi::scsi {

namespace {

using Err = wire::Unexpected<Sense>;

// Bits of a page a MODE SELECT may change, per byte (the same bits the
// changeable values of MODE SENSE report).
wire::Bytes changeable_mask(std::uint8_t page_code) {
  return mode_page_bytes(page_code, PageControl::Changeable, ModeValues{});
}

ModeValues values_of(std::uint8_t page_code, wire::ByteView page, ModeValues v) {
  if (page_code == mode_page::kCaching) {
    v.wce = (page[2] & 0x04) != 0;
    v.rcd = (page[2] & 0x01) != 0;
  } else if (page_code == mode_page::kControl) {
    v.swp = (page[4] & 0x08) != 0;
  }
  return v;
}

}  // namespace

wire::Result<ModeValues, Sense> apply_mode_select(const ModeSelectRequest& req, wire::ByteView list,
                                                  const ModeState& state) {
  ModeValues values = state.values;
  if (list.empty()) return values;  // a PARAMETER LIST LENGTH of zero changes nothing
  const std::size_t header = req.ten ? 8 : 4;
  if (list.size() < header) return Err(sense::parameter_list_length_error());

  // Mode parameter header: MODE DATA LENGTH is reserved in MODE SELECT; the
  // WP and DPOFUA bits of the DEVICE-SPECIFIC PARAMETER are ignored (SBC-3).
  const std::uint8_t medium_type = req.ten ? list[2] : list[1];
  if (medium_type != 0) return Err(sense::invalid_field_in_parameter_list(req.ten ? 2 : 1));
  const bool long_lba = req.ten && (list[4] & 0x01) != 0;
  const std::size_t bd_length = req.ten ? wire::load_be16(&list[6]) : list[3];
  const std::size_t bd_field = req.ten ? 6 : 3;
  if (bd_length != 0 && bd_length != (long_lba ? 16u : 8u)) {
    return Err(sense::invalid_field_in_parameter_list(static_cast<std::uint16_t>(bd_field)));
  }
  if (list.size() < header + bd_length) return Err(sense::parameter_list_length_error());
  if (bd_length != 0) {
    // The block descriptor may repeat the current geometry (or give zero
    // blocks, "no change"); the unit cannot be reformatted.
    const wire::ByteView bd = list.subspan(header, bd_length);
    const std::uint64_t blocks = long_lba ? wire::load_be64(&bd[0]) : wire::load_be32(&bd[0]);
    const std::uint64_t current =
        long_lba ? state.blocks : std::min<std::uint64_t>(state.blocks, 0xffffffffu);
    if (blocks != 0 && blocks != current) {
      return Err(sense::invalid_field_in_parameter_list(static_cast<std::uint16_t>(header)));
    }
    const std::uint32_t length = long_lba ? wire::load_be32(&bd[12]) : wire::load_be24(&bd[5]);
    if (length != state.block_size) {
      return Err(sense::invalid_field_in_parameter_list(
          static_cast<std::uint16_t>(header + (long_lba ? 12 : 5))));
    }
  }

  std::size_t at = header + bd_length;
  // SPC-4 MODE SELECT: PF 0 means pages in a vendor-specific format; the
  // unit has none.
  if (at < list.size() && !req.page_format) return Err(sense::invalid_field_in_cdb(1, 4));
  while (at < list.size()) {
    if (list.size() - at < 2) return Err(sense::parameter_list_length_error());
    const auto field = static_cast<std::uint16_t>(at);
    // PS is reserved in MODE SELECT; SPF (subpage format) pages do not exist
    // here.
    if (list[at] & 0x40) return Err(sense::invalid_field_in_parameter_list(field, 6));
    const std::uint8_t code = list[at] & 0x3f;
    const wire::Bytes current = mode_page_bytes(code, PageControl::Current, state.values);
    if (current.empty()) return Err(sense::invalid_field_in_parameter_list(field, 5));
    if (list[at + 1] != current[1]) {
      return Err(sense::invalid_field_in_parameter_list(static_cast<std::uint16_t>(at + 1)));
    }
    if (list.size() - at < current.size()) return Err(sense::parameter_list_length_error());
    const wire::ByteView page = list.subspan(at, current.size());
    const wire::Bytes mask = changeable_mask(code);
    for (std::size_t i = 2; i < current.size(); ++i) {
      if ((page[i] ^ current[i]) & ~mask[i]) {
        return Err(sense::invalid_field_in_parameter_list(static_cast<std::uint16_t>(at + i)));
      }
    }
    values = values_of(code, page, values);
    at += current.size();
  }
  return values;
}

}  // namespace iscsi::scsi
