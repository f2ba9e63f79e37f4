#include "scsi/extended_copy.h"

namespace iscsi::scsi {

namespace {

using Err = wire::Unexpected<Sense>;

constexpr std::size_t kHeader = 16;
constexpr std::size_t kCscdLength = 32;
constexpr std::size_t kSegmentLength = 28;  // block-to-block, DESCRIPTOR LENGTH 0018h
constexpr std::uint8_t kDesignatorNaa = 0x3;

}  // namespace

wire::Result<CopyList, Sense> parse_copy_list(wire::ByteView list) {
  // SPC-4 EXTENDED COPY(LID1) parameter list header: LIST IDENTIFIER byte 0;
  // STR, LIST ID USAGE (bits 4-3), PRIORITY in byte 1; CSCD DESCRIPTOR LIST
  // LENGTH bytes 2-3; SEGMENT DESCRIPTOR LIST LENGTH bytes 8-11; INLINE DATA
  // LENGTH bytes 12-15.
  if (list.size() < kHeader) return Err(sense::parameter_list_length_error());
  CopyList out;
  out.list_identifier = list[0];
  out.list_id_usage = (list[1] >> 3) & 0x03;
  // LIST ID USAGE 01b is reserved; 11b requires a LIST IDENTIFIER of zero.
  if (out.list_id_usage == 0x01) return Err(sense::invalid_field_in_parameter_list(1, 4));
  if (out.list_id_usage == 0x03 && out.list_identifier != 0) {
    return Err(sense::invalid_field_in_parameter_list(0));
  }
  const std::uint32_t cscd_length = wire::load_be16(&list[2]);
  const std::uint32_t segment_length = wire::load_be32(&list[8]);
  const std::uint32_t inline_length = wire::load_be32(&list[12]);
  // Descriptor lists longer than MAXIMUM DESCRIPTOR LIST LENGTH →
  // PARAMETER LIST LENGTH ERROR (checked before the descriptor counts).
  if (static_cast<std::uint64_t>(cscd_length) + segment_length > xcopy::kMaxDescriptorListLength) {
    return Err(sense::parameter_list_length_error());
  }
  if (cscd_length % kCscdLength != 0) return Err(sense::invalid_field_in_parameter_list(2));
  if (cscd_length / kCscdLength > xcopy::kMaxCscdDescriptors) {
    return Err(sense::too_many_target_descriptors());
  }
  // Every supported segment descriptor is 28 bytes long.
  if (segment_length / kSegmentLength > xcopy::kMaxSegmentDescriptors) {
    return Err(sense::too_many_segment_descriptors());
  }
  // MAXIMUM INLINE DATA LENGTH is zero.
  if (inline_length != 0) return Err(sense::invalid_field_in_parameter_list(12));
  if (static_cast<std::uint64_t>(kHeader) + cscd_length + segment_length > list.size()) {
    return Err(sense::parameter_list_length_error());
  }

  for (std::size_t at = kHeader; at < kHeader + cscd_length; at += kCscdLength) {
    const wire::ByteView d = list.subspan(at, kCscdLength);
    if (d[0] != xcopy::kCscdIdentification)
      return Err(sense::unsupported_target_descriptor_type_code());
    // Identification descriptor: LU ID TYPE bits 7-6 (00b: the designator
    // identifies the LU), NUL bit 5, PERIPHERAL DEVICE TYPE bits 4-0 (00h,
    // block devices, is the only type with a device type specific part here).
    if ((d[1] & 0x1f) != 0) return Err(sense::unsupported_target_descriptor_type_code());
    if ((d[1] & 0xc0) != 0)
      return Err(sense::invalid_field_in_parameter_list(static_cast<std::uint16_t>(at + 1), 7));
    CopyTargetDescriptor t;
    // Designation descriptor in bytes 4-23: CODE SET byte 4, ASSOCIATION
    // and DESIGNATOR TYPE byte 5, DESIGNATOR LENGTH byte 7.
    const std::uint8_t type = d[5] & 0x0f;
    const std::uint8_t assoc = (d[5] >> 4) & 0x03;
    const std::uint8_t length = d[7];
    if (length > 20)
      return Err(sense::invalid_field_in_parameter_list(static_cast<std::uint16_t>(at + 7)));
    // NUL 1: the descriptor names no device; a segment using it cannot run.
    const bool nul = (d[1] & 0x20) != 0;
    t.naa_valid = !nul && type == kDesignatorNaa && assoc == 0 && length == 8;
    if (t.naa_valid) t.naa = wire::load_be64(&d[8]);
    // Block device type specific parameters, bytes 28-31: PAD and CAT in
    // byte 28, DISK BLOCK LENGTH bytes 29-31.
    t.block_size = wire::load_be24(&d[29]);
    out.targets.push_back(t);
  }

  std::size_t at = kHeader + cscd_length;
  const std::size_t end = at + segment_length;
  while (at < end) {
    if (end - at < 4) return Err(sense::parameter_list_length_error());
    const std::uint8_t type = list[at];
    if (type != xcopy::kSegmentBlockToBlock)
      return Err(sense::unsupported_segment_descriptor_type_code());
    if (wire::load_be16(&list[at + 2]) != kSegmentLength - 4) {
      return Err(sense::invalid_field_in_parameter_list(static_cast<std::uint16_t>(at + 2)));
    }
    if (end - at < kSegmentLength) return Err(sense::parameter_list_length_error());
    if (out.segments.size() >= xcopy::kMaxSegmentDescriptors)
      return Err(sense::too_many_segment_descriptors());
    // Block device to block device: SOURCE and DESTINATION CSCD DESCRIPTOR
    // INDEX bytes 4-7, BLOCK DEVICE NUMBER OF BLOCKS bytes 10-11, SOURCE LBA
    // bytes 12-19, DESTINATION LBA bytes 20-27.
    CopySegment s;
    s.source = wire::load_be16(&list[at + 4]);
    s.destination = wire::load_be16(&list[at + 6]);
    s.blocks = wire::load_be16(&list[at + 10]);
    s.source_lba = wire::load_be64(&list[at + 12]);
    s.destination_lba = wire::load_be64(&list[at + 20]);
    out.segments.push_back(s);
    at += kSegmentLength;
  }
  return out;
}

wire::Bytes copy_operating_parameters() {
  // SPC-4 RECEIVE COPY RESULTS, OPERATING PARAMETERS parameter data.
  wire::Bytes d(44 + 2, 0);
  wire::store_be32(&d[0], static_cast<std::uint32_t>(d.size() - 4));  // AVAILABLE DATA
  d[4] = 0x00;  // SNLID 0: no support for LID4 lists
  wire::store_be16(&d[8], xcopy::kMaxCscdDescriptors);
  wire::store_be16(&d[10], xcopy::kMaxSegmentDescriptors);
  wire::store_be32(&d[12], xcopy::kMaxDescriptorListLength);
  wire::store_be32(&d[16], xcopy::kMaxSegmentLength);
  // MAXIMUM INLINE DATA LENGTH 0, HELD DATA LIMIT 0, MAXIMUM STREAM DEVICE
  // TRANSFER SIZE 0.
  wire::store_be16(&d[36], 1);  // TOTAL CONCURRENT COPIES
  d[38] = 1;                    // MAXIMUM CONCURRENT COPIES
  d[39] = 9;                    // DATA SEGMENT GRANULARITY: 2^9 bytes
  d[40] = 0;                    // INLINE DATA GRANULARITY
  d[41] = 0;                    // HELD DATA GRANULARITY
  d[43] = 2;                    // IMPLEMENTED DESCRIPTOR LIST LENGTH
  d[44] = xcopy::kSegmentBlockToBlock;
  d[45] = xcopy::kCscdIdentification;
  return d;
}

wire::Bytes copy_status_data(const CopyStatus& status) {
  // SPC-4 RECEIVE COPY RESULTS, COPY STATUS: AVAILABLE DATA 8; COPY
  // MANAGEMENT STATUS 01h (completed, no errors) or 02h (completed with
  // errors); SEGMENTS PROCESSED; TRANSFER COUNT UNITS 00h (bytes);
  // TRANSFER COUNT.
  wire::Bytes d(12, 0);
  wire::store_be32(&d[0], 8);
  d[4] = status.failed ? 0x02 : 0x01;
  wire::store_be16(&d[5], status.segments_processed);
  d[7] = 0x00;  // TRANSFER COUNT UNITS 00h: bytes
  wire::store_be32(&d[8], status.transfer_count_bytes);
  return d;
}

}  // namespace iscsi::scsi
