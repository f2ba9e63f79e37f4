#include "scsi/cdb.h"

#include "scsi/inquiry.h"
#include "scsi/mode_pages.h"

namespace iscsi::scsi {

namespace {

using Err = wire::Unexpected<Sense>;
using Parsed = wire::Result<ParsedCdb, Sense>;

// Byte offsets of the fields of the block command CDB formats (SBC-3 §5).
struct BlockLayout {
  std::size_t lba_at;
  std::size_t lba_width;
  std::size_t length_at;
  std::size_t length_width;
};

constexpr BlockLayout kLayout10{2, 4, 7, 2};
constexpr BlockLayout kLayout12{2, 4, 6, 4};
constexpr BlockLayout kLayout16{2, 8, 10, 4};

const BlockLayout* layout_for(std::uint8_t opcode) {
  switch (opcode) {
    case op::kRead10:
    case op::kWrite10:
    case op::kVerify10:
    case op::kSynchronizeCache10:
      return &kLayout10;
    case op::kRead12:
    case op::kWrite12:
    case op::kVerify12:
      return &kLayout12;
    case op::kRead16:
    case op::kWrite16:
    case op::kVerify16:
    case op::kSynchronizeCache16:
      return &kLayout16;
    default:
      return nullptr;
  }
}

bool implemented(std::uint8_t opcode) {
  switch (opcode) {
    case op::kTestUnitReady:
    case op::kRequestSense:
    case op::kRead6:
    case op::kWrite6:
    case op::kInquiry:
    case op::kModeSense6:
    case op::kStartStopUnit:
    case op::kReadCapacity10:
    case op::kRead10:
    case op::kWrite10:
    case op::kVerify10:
    case op::kSynchronizeCache10:
    case op::kModeSense10:
    case op::kRead16:
    case op::kWrite16:
    case op::kVerify16:
    case op::kSynchronizeCache16:
    case op::kServiceActionIn16:
    case op::kReportLuns:
    case op::kRead12:
    case op::kWrite12:
    case op::kVerify12:
      return true;
    default:
      return false;
  }
}

// SBC-3, Block Limits VPD page: a TRANSFER LENGTH above MAXIMUM TRANSFER
// LENGTH → INVALID FIELD IN CDB. The bound keeps every command within a
// fixed amount of memory.
std::optional<Sense> check_transfer(std::uint32_t blocks, std::size_t field_at,
                                    const CdbLimits& limits) {
  if (blocks > limits.max_transfer_blocks) {
    return sense::invalid_field_in_cdb(static_cast<std::uint16_t>(field_at));
  }
  return std::nullopt;
}

Parsed parse_read_write_6(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  // SBC-3 READ(6)/WRITE(6): 21-bit LBA; TRANSFER LENGTH 0 means 256 blocks.
  p.lba = (static_cast<std::uint64_t>(cdb[1] & 0x1f) << 16) | wire::load_be16(&cdb[2]);
  p.blocks = cdb[4] == 0 ? 256 : cdb[4];
  if (auto s = check_transfer(p.blocks, 4, limits)) return Err(*s);
  return p;
}

Parsed parse_read_write(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  const BlockLayout& l = *layout_for(p.opcode);
  // RDPROTECT/WRPROTECT: no protection information on this unit, so any
  // non-zero value is an INVALID FIELD IN CDB (SBC-3, READ(10) RDPROTECT).
  if ((cdb[1] & 0xe0) != 0) return Err(sense::invalid_field_in_cdb(1, 7));
  // DPO (bit 4) is accepted and ignored; FUA (bit 3) is honoured on writes
  // and has nothing to bypass on reads.
  p.fua = (cdb[1] & 0x08) != 0;
  p.lba = wire::load_be(&cdb[l.lba_at], l.lba_width);
  p.blocks = static_cast<std::uint32_t>(wire::load_be(&cdb[l.length_at], l.length_width));
  if (auto s = check_transfer(p.blocks, l.length_at, limits)) return Err(*s);
  return p;
}

Parsed parse_verify(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  const BlockLayout& l = *layout_for(p.opcode);
  if ((cdb[1] & 0xe0) != 0) return Err(sense::invalid_field_in_cdb(1, 7));  // VRPROTECT
  // SBC-3 VERIFY BYTCHK: 00b no data, 01b compare the Data-Out buffer with
  // the medium, 10b reserved, 11b compare one block with every block.
  p.bytchk = (cdb[1] >> 1) & 0x03;
  if (p.bytchk == 0x02) return Err(sense::invalid_field_in_cdb(1, 2));
  p.lba = wire::load_be(&cdb[l.lba_at], l.lba_width);
  p.blocks = static_cast<std::uint32_t>(wire::load_be(&cdb[l.length_at], l.length_width));
  if (auto s = check_transfer(p.blocks, l.length_at, limits)) return Err(*s);
  return p;
}

Parsed parse_synchronize_cache(wire::ByteView cdb, ParsedCdb p) {
  const BlockLayout& l = *layout_for(p.opcode);
  // IMMED (bit 1) is accepted: the flush completes before status either way.
  p.lba = wire::load_be(&cdb[l.lba_at], l.lba_width);
  p.blocks = static_cast<std::uint32_t>(wire::load_be(&cdb[l.length_at], l.length_width));
  return p;
}

Parsed parse_inquiry(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  // SPC-4 INQUIRY command: CMDDT is obsolete; a device server that does not support
  // it rejects it with INVALID FIELD IN CDB.
  if (cdb[1] & 0x02) return Err(sense::invalid_field_in_cdb(1, 1));
  p.evpd = (cdb[1] & 0x01) != 0;
  p.page_code = cdb[2];
  // SPC-4 INQUIRY command: "If the EVPD bit is set to zero and the PAGE CODE field
  // contains a non-zero value, the device server shall terminate the command
  // with CHECK CONDITION ... INVALID FIELD IN CDB."
  if (!p.evpd && p.page_code != 0) return Err(sense::invalid_field_in_cdb(2));
  // A VPD page the unit does not implement is an invalid field as well.
  if (p.evpd && !vpd_page_supported(p.page_code, limits.thin)) {
    return Err(sense::invalid_field_in_cdb(2));
  }
  p.allocation_length = wire::load_be16(&cdb[3]);
  return p;
}

Parsed parse_mode_sense(wire::ByteView cdb, ParsedCdb p) {
  p.mode_sense_10 = p.opcode == op::kModeSense10;
  p.dbd = (cdb[1] & 0x08) != 0;
  p.llbaa = p.mode_sense_10 && (cdb[1] & 0x10) != 0;
  p.page_control = cdb[2] >> 6;
  p.page_code = cdb[2] & 0x3f;
  p.subpage_code = cdb[3];
  p.allocation_length = p.mode_sense_10 ? wire::load_be16(&cdb[7]) : cdb[4];
  const ModeSenseRequest req{.ten = p.mode_sense_10,
                             .dbd = p.dbd,
                             .llbaa = p.llbaa,
                             .page_control = p.page_control,
                             .page_code = p.page_code,
                             .subpage_code = p.subpage_code};
  if (auto s = check_mode_sense(req)) return Err(*s);
  return p;
}

Parsed parse_start_stop(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  // SBC-3 START STOP UNIT: IMMED (byte 1 bit 0) is accepted; POWER CONDITION
  // (byte 4 bits 7-4), NO_FLUSH (bit 2), LOEJ (bit 1), START (bit 0).
  p.power_condition = cdb[4] >> 4;
  p.no_flush = (cdb[4] & 0x04) != 0;
  p.loej = (cdb[4] & 0x02) != 0;
  p.start = (cdb[4] & 0x01) != 0;
  // SBC-3: START and LOEJ are ignored unless POWER CONDITION is 0h; a load
  // or eject request to a unit without removable medium is an invalid field.
  if (p.power_condition == 0 && p.loej && !limits.removable) {
    return Err(sense::invalid_field_in_cdb(4, 1));
  }
  return p;
}

Parsed parse_read_capacity_10(wire::ByteView cdb, ParsedCdb p) {
  // SBC-3 READ CAPACITY(10): "If the PMI bit is set to zero and the LOGICAL
  // BLOCK ADDRESS field is not set to zero, the device server shall terminate
  // the command with CHECK CONDITION ... INVALID FIELD IN CDB."
  const bool pmi = (cdb[8] & 0x01) != 0;
  if (!pmi && wire::load_be32(&cdb[2]) != 0) return Err(sense::invalid_field_in_cdb(2));
  p.allocation_length = 8;  // fixed-length parameter data
  return p;
}

Parsed parse_service_action_in(wire::ByteView cdb, ParsedCdb p) {
  // SPC-4 §4.2.5.2: a service action the device server does not support →
  // INVALID FIELD IN CDB pointing at the SERVICE ACTION field.
  if ((cdb[1] & 0x1f) != op::kSaReadCapacity16) return Err(sense::invalid_field_in_cdb(1, 4));
  p.command = Command::ReadCapacity16;
  const bool pmi = (cdb[14] & 0x01) != 0;
  if (!pmi && wire::load_be64(&cdb[2]) != 0) return Err(sense::invalid_field_in_cdb(2));
  p.allocation_length = wire::load_be32(&cdb[10]);
  return p;
}

Parsed parse_report_luns(wire::ByteView cdb, ParsedCdb p) {
  p.select_report = cdb[2];
  // SPC-4 REPORT LUNS command, SELECT REPORT: 00h, 01h (well known LUs) and 02h (all)
  // are implemented; the administrative LU codes are not.
  if (p.select_report > 0x02) return Err(sense::invalid_field_in_cdb(2));
  p.allocation_length = wire::load_be32(&cdb[6]);
  return p;
}

}  // namespace

std::size_t cdb_length(std::uint8_t opcode) {
  switch (opcode >> 5) {
    case 0:
      return 6;
    case 1:
    case 2:
      return 10;
    case 4:
      return 16;
    case 5:
      return 12;
    default:
      return 0;  // 3: reserved/variable length; 6, 7: vendor specific
  }
}

bool exempt_from_unit_attention(std::uint8_t opcode) {
  return opcode == op::kInquiry || opcode == op::kReportLuns || opcode == op::kRequestSense;
}

bool lba_range_ok(std::uint64_t lba, std::uint64_t blocks, std::uint64_t capacity) {
  return lba <= capacity && blocks <= capacity - lba;
}

wire::Result<ParsedCdb, Sense> parse_cdb(wire::ByteView cdb, const CdbLimits& limits) {
  if (cdb.empty()) return Err(sense::invalid_command_operation_code());
  const std::uint8_t opcode = cdb[0];
  if (!implemented(opcode)) return Err(sense::invalid_command_operation_code());
  const std::size_t length = cdb_length(opcode);
  if (cdb.size() < length) return Err(sense::invalid_field_in_cdb());
  // SAM-5, CONTROL byte: NACA set while the unit reports NORMACA 0 →
  // INVALID FIELD IN CDB.
  if (cdb[length - 1] & 0x04) {
    return Err(sense::invalid_field_in_cdb(static_cast<std::uint16_t>(length - 1), 2));
  }

  ParsedCdb p;
  p.opcode = opcode;
  wire::Result<ParsedCdb, Sense> r = p;
  switch (opcode) {
    case op::kTestUnitReady:
      p.command = Command::TestUnitReady;
      p.media_access = true;
      r = p;
      break;
    case op::kRequestSense:
      p.command = Command::RequestSense;
      // SPC-4 REQUEST SENSE command: DESC 1 asks for descriptor format sense data, which this
      // unit does not implement → INVALID FIELD IN CDB.
      if (cdb[1] & 0x01) return Err(sense::invalid_field_in_cdb(1, 0));
      p.allocation_length = cdb[4];
      r = p;
      break;
    case op::kInquiry:
      p.command = Command::Inquiry;
      r = parse_inquiry(cdb, limits, p);
      break;
    case op::kModeSense6:
    case op::kModeSense10:
      p.command = Command::ModeSense;
      r = parse_mode_sense(cdb, p);
      break;
    case op::kStartStopUnit:
      p.command = Command::StartStopUnit;
      r = parse_start_stop(cdb, limits, p);
      break;
    case op::kReadCapacity10:
      p.command = Command::ReadCapacity10;
      p.media_access = true;
      r = parse_read_capacity_10(cdb, p);
      break;
    case op::kServiceActionIn16:
      p.media_access = true;
      r = parse_service_action_in(cdb, p);
      break;
    case op::kRead6:
    case op::kWrite6:
      p.command = opcode == op::kRead6 ? Command::Read : Command::Write;
      r = parse_read_write_6(cdb, limits, p);
      break;
    case op::kRead10:
    case op::kRead12:
    case op::kRead16:
      p.command = Command::Read;
      r = parse_read_write(cdb, limits, p);
      break;
    case op::kWrite10:
    case op::kWrite12:
    case op::kWrite16:
      p.command = Command::Write;
      r = parse_read_write(cdb, limits, p);
      break;
    case op::kVerify10:
    case op::kVerify12:
    case op::kVerify16:
      p.command = Command::Verify;
      r = parse_verify(cdb, limits, p);
      break;
    case op::kSynchronizeCache10:
    case op::kSynchronizeCache16:
      p.command = Command::SynchronizeCache;
      r = parse_synchronize_cache(cdb, p);
      break;
    case op::kReportLuns:
      p.command = Command::ReportLuns;
      r = parse_report_luns(cdb, p);
      break;
    default:
      return Err(sense::invalid_command_operation_code());
  }
  if (!r) return r;

  // Direction and length of the data the CDB moves.
  ParsedCdb& q = r.value();
  const std::uint32_t bs = limits.block_size;
  switch (q.command) {
    case Command::Read:
      q.media_access = true;
      q.direction = DataDirection::Read;
      q.transfer_length = q.blocks * bs;
      break;
    case Command::Write:
      q.media_access = true;
      q.writes_medium = true;
      q.direction = DataDirection::Write;
      q.transfer_length = q.blocks * bs;
      break;
    case Command::Verify:
      q.media_access = true;
      if (q.bytchk == 0x01) {
        q.direction = DataDirection::Write;
        q.transfer_length = q.blocks * bs;
      } else if (q.bytchk == 0x03) {
        q.direction = DataDirection::Write;
        q.transfer_length = q.blocks == 0 ? 0 : bs;
      }
      break;
    case Command::SynchronizeCache:
      q.media_access = true;
      break;
    case Command::RequestSense:
    case Command::Inquiry:
    case Command::ModeSense:
    case Command::ReadCapacity10:
    case Command::ReadCapacity16:
    case Command::ReportLuns:
      q.direction = DataDirection::Read;
      q.transfer_length = q.allocation_length;
      break;
    case Command::TestUnitReady:
    case Command::StartStopUnit:
      break;
  }
  return r;
}

}  // namespace iscsi::scsi
