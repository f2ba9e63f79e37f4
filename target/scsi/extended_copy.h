// EXTENDED COPY (LID1) parameter lists (SPC-4): the identification CSCD
// descriptors (E4h) that name logical units of this target by their NAA
// designator, and block-to-block segment descriptors (02h). Parsing is pure
// and bounded; executing the segments is the logical unit's part. The
// limits here are the ones RECEIVE COPY RESULTS (OPERATING PARAMETERS)
// reports.
#pragma once

#include <cstdint>
#include <vector>

#include "scsi/sense.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::scsi {

namespace xcopy {
inline constexpr std::uint16_t kMaxCscdDescriptors = 8;
inline constexpr std::uint16_t kMaxSegmentDescriptors = 64;
inline constexpr std::uint32_t kMaxDescriptorListLength =
    kMaxCscdDescriptors * 32 + kMaxSegmentDescriptors * 28;
// MAXIMUM SEGMENT LENGTH, bytes.
inline constexpr std::uint32_t kMaxSegmentLength = 64u * 1024 * 1024;
inline constexpr std::uint8_t kCscdIdentification = 0xe4;
inline constexpr std::uint8_t kSegmentBlockToBlock = 0x02;
}  // namespace xcopy

struct CopyTargetDescriptor {
  std::uint64_t naa = 0;         // the NAA designator of the logical unit
  bool naa_valid = false;        // false: a designator this target never issues
  std::uint32_t block_size = 0;  // DISK BLOCK LENGTH
};

struct CopySegment {
  std::uint16_t source = 0;  // CSCD descriptor indexes
  std::uint16_t destination = 0;
  std::uint16_t blocks = 0;
  std::uint64_t source_lba = 0;
  std::uint64_t destination_lba = 0;
};

struct CopyList {
  std::uint8_t list_identifier = 0;
  std::uint8_t list_id_usage = 0;
  std::vector<CopyTargetDescriptor> targets;
  std::vector<CopySegment> segments;
};

// Errors (SPC-4 EXTENDED COPY): a list shorter than its header or than the
// lengths it declares → PARAMETER LIST LENGTH ERROR; more descriptors than
// the limits → TOO MANY TARGET / SEGMENT DESCRIPTORS; an unknown type code →
// UNSUPPORTED TARGET / SEGMENT DESCRIPTOR TYPE CODE; other bad fields →
// INVALID FIELD IN PARAMETER LIST.
wire::Result<CopyList, Sense> parse_copy_list(wire::ByteView list);

// RECEIVE COPY RESULTS, OPERATING PARAMETERS parameter data.
wire::Bytes copy_operating_parameters();

// RECEIVE COPY RESULTS, COPY STATUS parameter data for a finished copy.
struct CopyStatus {
  bool failed = false;
  std::uint16_t segments_processed = 0;
  std::uint32_t transfer_count_bytes = 0;  // TRANSFER COUNT, in bytes
};
wire::Bytes copy_status_data(const CopyStatus& status);

}  // namespace iscsi::scsi
