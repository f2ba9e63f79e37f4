// The 8-byte LUN field (SAM-5, single level logical unit number structure): the
// peripheral device addressing method for LUNs below 256 and the flat space
// addressing method for 256..16383. Other methods (logical unit addressing,
// extended and well known LUNs, multi-level structures) address nothing here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace iscsi::scsi {

// The LUN number a LUN field addresses, or nothing when it uses a method or
// level this target does not implement. A LUN below 256 is accepted in both
// peripheral and flat space form, since both name the same logical unit
// number.
std::optional<std::uint16_t> decode_lun(std::uint64_t lun_field);

// The LUN field for `lun` (at most 16383) as REPORT LUNS lists it:
// peripheral device addressing below 256, flat space addressing above.
std::uint64_t encode_lun(std::uint16_t lun);

}  // namespace iscsi::scsi
