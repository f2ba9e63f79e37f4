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
    case op::kWriteAndVerify10:
    case op::kPrefetch10:
    case op::kWriteSame10:
      return &kLayout10;
    case op::kRead12:
    case op::kWrite12:
    case op::kVerify12:
    case op::kWriteAndVerify12:
      return &kLayout12;
    case op::kRead16:
    case op::kWrite16:
    case op::kVerify16:
    case op::kSynchronizeCache16:
    case op::kWriteAndVerify16:
    case op::kOrWrite16:
    case op::kPrefetch16:
    case op::kWriteSame16:
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
    case op::kModeSelect6:
    case op::kReserve6:
    case op::kRelease6:
    case op::kPreventAllow:
    case op::kWriteAndVerify10:
    case op::kPrefetch10:
    case op::kReadDefectData10:
    case op::kWriteSame10:
    case op::kUnmap:
    case op::kSanitize:
    case op::kModeSelect10:
    case op::kReserve10:
    case op::kRelease10:
    case op::kPersistentReserveIn:
    case op::kPersistentReserveOut:
    case op::kExtendedCopy:
    case op::kReceiveCopyResults:
    case op::kWriteAndVerify16:
    case op::kCompareAndWrite:
    case op::kOrWrite16:
    case op::kPrefetch16:
    case op::kWriteSame16:
    case op::kWriteAtomic16:
    case op::kMaintenanceIn:
    case op::kWriteAndVerify12:
    case op::kReadDefectData12:
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

Parsed parse_service_action_in(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  const std::uint8_t sa = cdb[1] & 0x1f;
  if (sa == op::kSaGetLbaStatus && limits.thin) {
    // SBC-3 GET LBA STATUS: STARTING LOGICAL BLOCK ADDRESS bytes 2-9,
    // ALLOCATION LENGTH bytes 10-13. The range check is the unit's.
    p.command = Command::GetLbaStatus;
    p.lba = wire::load_be64(&cdb[2]);
    p.allocation_length = wire::load_be32(&cdb[10]);
    return p;
  }
  // SPC-4 §4.2.5.2: a service action the device server does not support →
  // INVALID FIELD IN CDB pointing at the SERVICE ACTION field.
  if (sa != op::kSaReadCapacity16) return Err(sense::invalid_field_in_cdb(1, 4));
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

// Checks shared by every command that carries a parameter list.
std::optional<Sense> check_parameter_list(std::uint32_t length, std::uint32_t max,
                                          std::uint16_t field_at) {
  if (length > max) return sense::invalid_field_in_cdb(field_at);
  return std::nullopt;
}

Parsed parse_write_and_verify(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  const BlockLayout& l = *layout_for(p.opcode);
  // SBC-3 WRITE AND VERIFY: WRPROTECT (no protection information here),
  // DPO, BYTCHK (bit 1; SBC-4 widens it to bits 2-1: 10b and 11b are not
  // supported).
  if ((cdb[1] & 0xe0) != 0) return Err(sense::invalid_field_in_cdb(1, 7));
  const std::uint8_t bytchk = (cdb[1] >> 1) & 0x03;
  if (bytchk > 1) return Err(sense::invalid_field_in_cdb(1, 2));
  p.verify_after_write = bytchk == 1;
  p.fua = true;  // the data is verified on the medium, so it is written through
  p.lba = wire::load_be(&cdb[l.lba_at], l.lba_width);
  p.blocks = static_cast<std::uint32_t>(wire::load_be(&cdb[l.length_at], l.length_width));
  if (auto s = check_transfer(p.blocks, l.length_at, limits)) return Err(*s);
  return p;
}

Parsed parse_write_same(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  const BlockLayout& l = *layout_for(p.opcode);
  // SBC-3 WRITE SAME(10)/(16): WRPROTECT bits 7-5, ANCHOR bit 4, UNMAP bit 3,
  // NDOB (WRITE SAME(16) only, SBC-4) bit 0.
  if ((cdb[1] & 0xe0) != 0) return Err(sense::invalid_field_in_cdb(1, 7));
  // ANCHOR: ANC_SUP is zero in the Logical Block Provisioning VPD page.
  if (cdb[1] & 0x10) return Err(sense::invalid_field_in_cdb(1, 4));
  p.unmap = (cdb[1] & 0x08) != 0;
  p.ndob = p.opcode == op::kWriteSame16 && (cdb[1] & 0x01) != 0;
  if (p.opcode == op::kWriteSame10 && (cdb[1] & 0x01)) {
    return Err(sense::invalid_field_in_cdb(1, 0));  // obsolete RELADR
  }
  p.lba = wire::load_be(&cdb[l.lba_at], l.lba_width);
  p.blocks = static_cast<std::uint32_t>(wire::load_be(&cdb[l.length_at], l.length_width));
  // The Block Limits page sets WSNZ: a NUMBER OF LOGICAL BLOCKS of zero
  // ("to the last block") is not supported; above MAXIMUM WRITE SAME LENGTH
  // is an invalid field as well.
  if (p.blocks == 0 || p.blocks > block_limits::kMaxWriteSameLength ||
      p.blocks > limits.max_transfer_blocks) {
    return Err(sense::invalid_field_in_cdb(static_cast<std::uint16_t>(l.length_at)));
  }
  // NDOB without UNMAP writes zeros, which is allowed.
  p.transfer_length = p.ndob ? 0 : limits.block_size;
  return p;
}

Parsed parse_unmap(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  // SBC-3 UNMAP exists on thin provisioned units only (LBPU).
  if (!limits.thin) return Err(sense::invalid_command_operation_code());
  // ANCHOR (byte 1 bit 0): ANC_SUP is zero.
  if (cdb[1] & 0x01) return Err(sense::invalid_field_in_cdb(1, 0));
  p.parameter_list_length = wire::load_be16(&cdb[7]);
  if (auto s = check_parameter_list(p.parameter_list_length, kMaxParameterList, 7)) {
    return Err(*s);
  }
  return p;
}

Parsed parse_compare_and_write(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  // SBC-3 COMPARE AND WRITE: WRPROTECT bits 7-5, DPO bit 4, FUA bit 3; LBA
  // bytes 2-9; NUMBER OF LOGICAL BLOCKS byte 13. The Data-Out buffer holds
  // the verify data then the write data, both that many blocks long.
  if ((cdb[1] & 0xe0) != 0) return Err(sense::invalid_field_in_cdb(1, 7));
  p.fua = (cdb[1] & 0x08) != 0;
  p.lba = wire::load_be64(&cdb[2]);
  p.blocks = cdb[13];
  // Above MAXIMUM COMPARE AND WRITE LENGTH → INVALID FIELD IN CDB.
  if (p.blocks > block_limits::kMaxCompareAndWrite) return Err(sense::invalid_field_in_cdb(13));
  p.transfer_length = 2 * p.blocks * limits.block_size;
  return p;
}

Parsed parse_orwrite(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  // SBC-3 ORWRITE(16): ORPROTECT bits 7-5, DPO bit 4, FUA bit 3.
  if ((cdb[1] & 0xe0) != 0) return Err(sense::invalid_field_in_cdb(1, 7));
  p.fua = (cdb[1] & 0x08) != 0;
  p.lba = wire::load_be64(&cdb[2]);
  p.blocks = wire::load_be32(&cdb[10]);
  if (auto s = check_transfer(p.blocks, 10, limits)) return Err(*s);
  return p;
}

Parsed parse_write_atomic(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  // SBC-4 WRITE ATOMIC(16): WRPROTECT bits 7-5, DPO, FUA; LBA bytes 2-9;
  // ATOMIC BOUNDARY bytes 10-11; TRANSFER LENGTH bytes 12-13.
  if ((cdb[1] & 0xe0) != 0) return Err(sense::invalid_field_in_cdb(1, 7));
  p.fua = (cdb[1] & 0x08) != 0;
  p.lba = wire::load_be64(&cdb[2]);
  // MAXIMUM ATOMIC BOUNDARY SIZE is zero: a non-zero ATOMIC BOUNDARY is an
  // invalid field.
  if (wire::load_be16(&cdb[10]) != 0) return Err(sense::invalid_field_in_cdb(10));
  p.blocks = wire::load_be16(&cdb[12]);
  // Above MAXIMUM ATOMIC TRANSFER LENGTH → INVALID FIELD IN CDB.
  if (p.blocks > block_limits::kMaxAtomicTransferLength || p.blocks > limits.max_transfer_blocks) {
    return Err(sense::invalid_field_in_cdb(12));
  }
  return p;
}

Parsed parse_prefetch(wire::ByteView cdb, ParsedCdb p) {
  const BlockLayout& l = *layout_for(p.opcode);
  // SBC-3 PRE-FETCH: IMMED byte 1 bit 1.
  p.immed = (cdb[1] & 0x02) != 0;
  p.lba = wire::load_be(&cdb[l.lba_at], l.lba_width);
  p.blocks = static_cast<std::uint32_t>(wire::load_be(&cdb[l.length_at], l.length_width));
  return p;
}

Parsed parse_prevent_allow(wire::ByteView cdb, ParsedCdb p) {
  // SBC-3 PREVENT ALLOW MEDIUM REMOVAL: PREVENT byte 4 bits 1-0; 00b allow,
  // 01b prevent; 10b and 11b are obsolete.
  p.prevent = cdb[4] & 0x03;
  if (p.prevent > 1) return Err(sense::invalid_field_in_cdb(4, 1));
  return p;
}

Parsed parse_mode_select(wire::ByteView cdb, ParsedCdb p) {
  // SPC-4 MODE SELECT(6)/(10): PF byte 1 bit 4, SP bit 0; PARAMETER LIST
  // LENGTH byte 4 (6) or bytes 7-8 (10).
  p.page_format = (cdb[1] & 0x10) != 0;
  p.save_pages = (cdb[1] & 0x01) != 0;
  const bool ten = p.opcode == op::kModeSelect10;
  p.parameter_list_length = ten ? wire::load_be16(&cdb[7]) : cdb[4];
  // Saved pages are not implemented: SP set → INVALID FIELD IN CDB.
  if (p.save_pages) return Err(sense::invalid_field_in_cdb(1, 0));
  if (auto s = check_parameter_list(p.parameter_list_length, 1024, ten ? 7 : 4)) return Err(*s);
  return p;
}

Parsed parse_read_defect_data(wire::ByteView cdb, ParsedCdb p) {
  // SBC-3 READ DEFECT DATA(10): REQ_PLIST, REQ_GLIST, DEFECT LIST FORMAT in
  // byte 2, ALLOCATION LENGTH bytes 7-8. READ DEFECT DATA(12): the same
  // flags in byte 1, ALLOCATION LENGTH bytes 6-9.
  const bool twelve = p.opcode == op::kReadDefectData12;
  const std::uint8_t flags = twelve ? cdb[1] : cdb[2];
  p.req_plist = (flags & 0x10) != 0;
  p.req_glist = (flags & 0x08) != 0;
  p.defect_list_format = flags & 0x07;
  p.allocation_length = twelve ? wire::load_be32(&cdb[6]) : wire::load_be16(&cdb[7]);
  return p;
}

Parsed parse_sanitize(wire::ByteView cdb, const CdbLimits& limits, ParsedCdb p) {
  // SBC-3 SANITIZE: IMMED byte 1 bit 7, AUSE bit 5, SERVICE ACTION bits
  // 4-0; PARAMETER LIST LENGTH bytes 7-8.
  p.immed = (cdb[1] & 0x80) != 0;
  p.ause = (cdb[1] & 0x20) != 0;
  // Byte 1 bit 6 and bytes 2-6 are reserved.
  if (cdb[1] & 0x40) return Err(sense::invalid_field_in_cdb(1, 6));
  for (std::uint16_t i = 2; i <= 6; ++i) {
    if (cdb[i] != 0) return Err(sense::invalid_field_in_cdb(i));
  }
  p.service_action = cdb[1] & 0x1f;
  p.parameter_list_length = wire::load_be16(&cdb[7]);
  switch (p.service_action) {
    case 0x01:  // OVERWRITE: a parameter list of 4 + pattern bytes
      // "If the PARAMETER LIST LENGTH field is set to a value less than five
      // or greater than the logical block length plus four, ... INVALID
      // FIELD IN CDB."
      if (p.parameter_list_length < 5 || p.parameter_list_length > limits.block_size + 4) {
        return Err(sense::invalid_field_in_cdb(7));
      }
      break;
    case 0x02:  // BLOCK ERASE: deallocates, so thin provisioned units only
      if (!limits.thin) return Err(sense::invalid_field_in_cdb(1, 4));
      [[fallthrough]];
    case 0x1f:  // EXIT FAILURE MODE
      // "If the PARAMETER LIST LENGTH field is not set to zero, ... INVALID
      // FIELD IN CDB."
      if (p.parameter_list_length != 0) return Err(sense::invalid_field_in_cdb(7));
      break;
    default:  // CRYPTOGRAPHIC ERASE (03h) is not supported, the rest reserved
      return Err(sense::invalid_field_in_cdb(1, 4));
  }
  return p;
}

Parsed parse_maintenance_in(wire::ByteView cdb, ParsedCdb p) {
  if ((cdb[1] & 0x1f) != op::kSaReportSupportedOpcodes) {
    return Err(sense::invalid_field_in_cdb(1, 4));
  }
  // SPC-4 REPORT SUPPORTED OPERATION CODES: RCTD byte 2 bit 7, REPORTING
  // OPTIONS bits 2-0, REQUESTED OPERATION CODE byte 3, REQUESTED SERVICE
  // ACTION bytes 4-5, ALLOCATION LENGTH bytes 6-9.
  p.command = Command::ReportSupportedOpcodes;
  p.rctd = (cdb[2] & 0x80) != 0;
  p.reporting_options = cdb[2] & 0x07;
  if (p.reporting_options > 3) return Err(sense::invalid_field_in_cdb(2, 2));
  p.requested_opcode = cdb[3];
  p.requested_service_action = wire::load_be16(&cdb[4]);
  p.allocation_length = wire::load_be32(&cdb[6]);
  return p;
}

Parsed parse_reserve_release(wire::ByteView cdb, ParsedCdb p) {
  // SPC-2 RESERVE/RELEASE(6) and (10): third-party reservations (3RDPTY)
  // and extents are not supported; LONGID/3RDPTY set → INVALID FIELD IN CDB.
  const bool ten = p.opcode == op::kReserve10 || p.opcode == op::kRelease10;
  if (ten && (cdb[1] & 0x12)) return Err(sense::invalid_field_in_cdb(1, 4));
  if (!ten && (cdb[1] & 0x1f)) return Err(sense::invalid_field_in_cdb(1, 4));
  if (ten && p.opcode == op::kReserve10 && wire::load_be16(&cdb[7]) != 0) {
    return Err(sense::invalid_field_in_cdb(7));  // no parameter list without 3RDPTY
  }
  return p;
}

Parsed parse_persistent_reserve_in(wire::ByteView cdb, ParsedCdb p) {
  // SPC-4 PERSISTENT RESERVE IN: SERVICE ACTION byte 1 bits 4-0 (00h READ
  // KEYS, 01h READ RESERVATION, 02h REPORT CAPABILITIES, 03h READ FULL
  // STATUS); ALLOCATION LENGTH bytes 7-8.
  p.service_action = cdb[1] & 0x1f;
  if (p.service_action > 0x03) return Err(sense::invalid_field_in_cdb(1, 4));
  p.allocation_length = wire::load_be16(&cdb[7]);
  return p;
}

Parsed parse_persistent_reserve_out(wire::ByteView cdb, ParsedCdb p) {
  // SPC-4 PERSISTENT RESERVE OUT: SERVICE ACTION byte 1 bits 4-0, SCOPE
  // byte 2 bits 7-4, TYPE bits 3-0, PARAMETER LIST LENGTH bytes 5-8.
  p.service_action = cdb[1] & 0x1f;
  // 00h-06h are implemented; REGISTER AND MOVE (07h) is not.
  if (p.service_action > 0x06) return Err(sense::invalid_field_in_cdb(1, 4));
  p.pr_scope = cdb[2] >> 4;
  p.pr_type = cdb[2] & 0x0f;
  p.parameter_list_length = wire::load_be32(&cdb[5]);
  // "If the parameter list length is not 24 (and SPEC_I_P is zero) ...
  // PARAMETER LIST LENGTH ERROR."
  if (p.parameter_list_length != 24) return Err(sense::parameter_list_length_error());
  return p;
}

Parsed parse_extended_copy(wire::ByteView cdb, ParsedCdb p) {
  // SPC-4 EXTENDED COPY(LID1): SERVICE ACTION 00h, PARAMETER LIST LENGTH
  // bytes 10-13.
  if ((cdb[1] & 0x1f) != op::kSaExtendedCopyLid1) return Err(sense::invalid_field_in_cdb(1, 4));
  p.parameter_list_length = wire::load_be32(&cdb[10]);
  if (auto s = check_parameter_list(p.parameter_list_length, kMaxParameterList, 10)) {
    return Err(*s);
  }
  return p;
}

Parsed parse_receive_copy_results(wire::ByteView cdb, ParsedCdb p) {
  // SPC-4 RECEIVE COPY RESULTS: 00h COPY STATUS, 03h OPERATING PARAMETERS;
  // LIST IDENTIFIER byte 2, ALLOCATION LENGTH bytes 10-13.
  p.service_action = cdb[1] & 0x1f;
  if (p.service_action != op::kSaCopyStatus && p.service_action != op::kSaCopyOperatingParameters) {
    return Err(sense::invalid_field_in_cdb(1, 4));
  }
  p.list_identifier = cdb[2];
  p.allocation_length = wire::load_be32(&cdb[10]);
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

bool opcode_implemented(std::uint8_t opcode) {
  return implemented(opcode);
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
      r = parse_service_action_in(cdb, limits, p);
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
    case op::kWriteAndVerify10:
    case op::kWriteAndVerify12:
    case op::kWriteAndVerify16:
      p.command = Command::Write;
      r = parse_write_and_verify(cdb, limits, p);
      break;
    case op::kWriteSame10:
    case op::kWriteSame16:
      p.command = Command::WriteSame;
      r = parse_write_same(cdb, limits, p);
      break;
    case op::kUnmap:
      p.command = Command::Unmap;
      r = parse_unmap(cdb, limits, p);
      break;
    case op::kCompareAndWrite:
      p.command = Command::CompareAndWrite;
      r = parse_compare_and_write(cdb, limits, p);
      break;
    case op::kOrWrite16:
      p.command = Command::OrWrite;
      r = parse_orwrite(cdb, limits, p);
      break;
    case op::kWriteAtomic16:
      p.command = Command::WriteAtomic;
      r = parse_write_atomic(cdb, limits, p);
      break;
    case op::kPrefetch10:
    case op::kPrefetch16:
      p.command = Command::Prefetch;
      r = parse_prefetch(cdb, p);
      break;
    case op::kPreventAllow:
      p.command = Command::PreventAllow;
      r = parse_prevent_allow(cdb, p);
      break;
    case op::kModeSelect6:
    case op::kModeSelect10:
      p.command = Command::ModeSelect;
      r = parse_mode_select(cdb, p);
      break;
    case op::kReadDefectData10:
    case op::kReadDefectData12:
      p.command = Command::ReadDefectData;
      r = parse_read_defect_data(cdb, p);
      break;
    case op::kSanitize:
      p.command = Command::Sanitize;
      r = parse_sanitize(cdb, limits, p);
      break;
    case op::kMaintenanceIn:
      r = parse_maintenance_in(cdb, p);
      break;
    case op::kReserve6:
    case op::kReserve10:
      p.command = Command::Reserve;
      r = parse_reserve_release(cdb, p);
      break;
    case op::kRelease6:
    case op::kRelease10:
      p.command = Command::Release;
      r = parse_reserve_release(cdb, p);
      break;
    case op::kPersistentReserveIn:
      p.command = Command::PersistentReserveIn;
      r = parse_persistent_reserve_in(cdb, p);
      break;
    case op::kPersistentReserveOut:
      p.command = Command::PersistentReserveOut;
      r = parse_persistent_reserve_out(cdb, p);
      break;
    case op::kExtendedCopy:
      p.command = Command::ExtendedCopy;
      r = parse_extended_copy(cdb, p);
      break;
    case op::kReceiveCopyResults:
      p.command = Command::ReceiveCopyResults;
      r = parse_receive_copy_results(cdb, p);
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
    case Command::OrWrite:
    case Command::WriteAtomic:
      q.media_access = true;
      q.writes_medium = true;
      q.direction = DataDirection::Write;
      q.transfer_length = q.blocks * bs;
      break;
    case Command::CompareAndWrite:
    case Command::WriteSame:
      // transfer_length set by the parser.
      q.media_access = true;
      q.writes_medium = true;
      q.direction = q.transfer_length != 0 ? DataDirection::Write : DataDirection::None;
      break;
    case Command::Unmap:
    case Command::Sanitize:
    case Command::ExtendedCopy:
      q.media_access = true;
      q.writes_medium = true;
      q.direction = q.parameter_list_length != 0 ? DataDirection::Write : DataDirection::None;
      q.transfer_length = q.parameter_list_length;
      break;
    case Command::ModeSelect:
    case Command::PersistentReserveOut:
      q.direction = q.parameter_list_length != 0 ? DataDirection::Write : DataDirection::None;
      q.transfer_length = q.parameter_list_length;
      break;
    case Command::Prefetch:
      q.media_access = true;
      break;
    case Command::GetLbaStatus:
    case Command::ReadDefectData:
      q.media_access = true;
      q.direction = DataDirection::Read;
      q.transfer_length = q.allocation_length;
      break;
    case Command::ReportSupportedOpcodes:
    case Command::PersistentReserveIn:
    case Command::ReceiveCopyResults:
      q.direction = DataDirection::Read;
      q.transfer_length = q.allocation_length;
      break;
    case Command::PreventAllow:
    case Command::Reserve:
    case Command::Release:
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
