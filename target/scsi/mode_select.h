// MODE SELECT(6)/(10) parameter lists (SPC-4 §7.5: mode parameter header,
// block descriptor, mode pages): validation against the unit's current and
// changeable values, and the new current values when the list is accepted.
// Nothing is applied unless the whole list is valid.
#pragma once

#include "scsi/mode_pages.h"
#include "scsi/sense.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::scsi {

struct ModeSelectRequest {
  bool ten = false;          // MODE SELECT(10): 8-byte header
  bool page_format = false;  // PF: the pages follow the SPC-4 page format
};

// Errors (SPC-4 MODE SELECT): a list cut inside the header, a descriptor or
// a page → PARAMETER LIST LENGTH ERROR; a field the unit does not accept, a
// page not implemented, a wrong PAGE LENGTH, or a non-changeable field
// that differs from its current value → INVALID FIELD IN PARAMETER LIST
// with the byte that is wrong; PF 0 with pages → INVALID FIELD IN CDB.
wire::Result<ModeValues, Sense> apply_mode_select(const ModeSelectRequest& req, wire::ByteView list,
                                                  const ModeState& state);

}  // namespace iscsi::scsi
