// CDB decoding for the commands the reference target implements (SPC-4,
// SBC-3): operation codes, CDB lengths, and one parse step that turns a CDB
// into its fields, data direction and transfer length, or into the ILLEGAL
// REQUEST sense that rejects it. Pure: no device state is consulted except
// the unit's fixed geometry and limits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "scsi/command.h"
#include "scsi/sense.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::scsi {

// Operation codes (SPC-4 Annex D / SBC-3 §5, command tables).
namespace op {
inline constexpr std::uint8_t kTestUnitReady = 0x00;
inline constexpr std::uint8_t kRequestSense = 0x03;
inline constexpr std::uint8_t kRead6 = 0x08;
inline constexpr std::uint8_t kWrite6 = 0x0a;
inline constexpr std::uint8_t kInquiry = 0x12;
inline constexpr std::uint8_t kModeSense6 = 0x1a;
inline constexpr std::uint8_t kStartStopUnit = 0x1b;
inline constexpr std::uint8_t kReadCapacity10 = 0x25;
inline constexpr std::uint8_t kRead10 = 0x28;
inline constexpr std::uint8_t kWrite10 = 0x2a;
inline constexpr std::uint8_t kVerify10 = 0x2f;
inline constexpr std::uint8_t kSynchronizeCache10 = 0x35;
inline constexpr std::uint8_t kModeSense10 = 0x5a;
inline constexpr std::uint8_t kRead16 = 0x88;
inline constexpr std::uint8_t kWrite16 = 0x8a;
inline constexpr std::uint8_t kVerify16 = 0x8f;
inline constexpr std::uint8_t kSynchronizeCache16 = 0x91;
inline constexpr std::uint8_t kServiceActionIn16 = 0x9e;
inline constexpr std::uint8_t kReportLuns = 0xa0;
inline constexpr std::uint8_t kRead12 = 0xa8;
inline constexpr std::uint8_t kWrite12 = 0xaa;
inline constexpr std::uint8_t kVerify12 = 0xaf;
inline constexpr std::uint8_t kModeSelect6 = 0x15;
inline constexpr std::uint8_t kReserve6 = 0x16;
inline constexpr std::uint8_t kRelease6 = 0x17;
inline constexpr std::uint8_t kPreventAllow = 0x1e;
inline constexpr std::uint8_t kWriteAndVerify10 = 0x2e;
inline constexpr std::uint8_t kPrefetch10 = 0x34;
inline constexpr std::uint8_t kReadDefectData10 = 0x37;
inline constexpr std::uint8_t kWriteSame10 = 0x41;
inline constexpr std::uint8_t kUnmap = 0x42;
inline constexpr std::uint8_t kSanitize = 0x48;
inline constexpr std::uint8_t kModeSelect10 = 0x55;
inline constexpr std::uint8_t kReserve10 = 0x56;
inline constexpr std::uint8_t kRelease10 = 0x57;
inline constexpr std::uint8_t kPersistentReserveIn = 0x5e;
inline constexpr std::uint8_t kPersistentReserveOut = 0x5f;
inline constexpr std::uint8_t kExtendedCopy = 0x83;
inline constexpr std::uint8_t kReceiveCopyResults = 0x84;
inline constexpr std::uint8_t kWriteAndVerify16 = 0x8e;
inline constexpr std::uint8_t kCompareAndWrite = 0x89;
inline constexpr std::uint8_t kOrWrite16 = 0x8b;
inline constexpr std::uint8_t kPrefetch16 = 0x90;
inline constexpr std::uint8_t kWriteSame16 = 0x93;
inline constexpr std::uint8_t kWriteAtomic16 = 0x9c;
inline constexpr std::uint8_t kMaintenanceIn = 0xa3;
inline constexpr std::uint8_t kWriteAndVerify12 = 0xae;
inline constexpr std::uint8_t kReadDefectData12 = 0xb7;
// SERVICE ACTION IN(16) service actions.
inline constexpr std::uint8_t kSaReadCapacity16 = 0x10;
inline constexpr std::uint8_t kSaGetLbaStatus = 0x12;
// MAINTENANCE IN service actions.
inline constexpr std::uint8_t kSaReportSupportedOpcodes = 0x0c;
// EXTENDED COPY(LID1) and RECEIVE COPY RESULTS service actions.
inline constexpr std::uint8_t kSaExtendedCopyLid1 = 0x00;
inline constexpr std::uint8_t kSaCopyStatus = 0x00;
inline constexpr std::uint8_t kSaCopyOperatingParameters = 0x03;
}  // namespace op

enum class Command : std::uint8_t {
  TestUnitReady,
  RequestSense,
  Inquiry,
  ModeSense,
  StartStopUnit,
  ReadCapacity10,
  ReadCapacity16,
  Read,
  Write,
  Verify,
  SynchronizeCache,
  ReportLuns,
  WriteSame,
  Unmap,
  GetLbaStatus,
  CompareAndWrite,
  OrWrite,
  Prefetch,
  PreventAllow,
  ModeSelect,
  ReportSupportedOpcodes,
  ReadDefectData,
  Sanitize,
  WriteAtomic,
  ExtendedCopy,
  ReceiveCopyResults,
  Reserve,
  Release,
  PersistentReserveIn,
  PersistentReserveOut,
};

// Fixed properties of the unit that decide whether a CDB is acceptable.
struct CdbLimits {
  std::uint32_t block_size = 512;
  // MAXIMUM TRANSFER LENGTH of the Block Limits VPD page, in blocks.
  std::uint32_t max_transfer_blocks = 16384;
  bool removable = false;
  bool thin = false;  // thin provisioned: the B2h VPD page exists
};

// Limits the Block Limits VPD page (B0h) reports and the parsers enforce.
namespace block_limits {
// MAXIMUM COMPARE AND WRITE LENGTH, in blocks.
inline constexpr std::uint8_t kMaxCompareAndWrite = 255;
// MAXIMUM UNMAP LBA COUNT and MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT.
inline constexpr std::uint32_t kMaxUnmapLbaCount = 0x100000;
inline constexpr std::uint32_t kMaxUnmapDescriptors = 256;
// MAXIMUM WRITE SAME LENGTH, in blocks (also bounded by the unit's
// MAXIMUM TRANSFER LENGTH).
inline constexpr std::uint64_t kMaxWriteSameLength = 0x800000;
// MAXIMUM ATOMIC TRANSFER LENGTH, in blocks; ATOMIC ALIGNMENT and ATOMIC
// TRANSFER LENGTH GRANULARITY are 1 (any LBA, any length); atomic
// boundaries are not supported (MAXIMUM ATOMIC BOUNDARY SIZE 0).
inline constexpr std::uint32_t kMaxAtomicTransferLength = 2048;
}  // namespace block_limits

// Largest parameter list any command here accepts (MODE SELECT, PERSISTENT
// RESERVE OUT, UNMAP, SANITIZE, EXTENDED COPY): a parameter list longer
// than its command allows is rejected before any data moves.
inline constexpr std::uint32_t kMaxParameterList = 8 + 16 * block_limits::kMaxUnmapDescriptors;

struct ParsedCdb {
  Command command = Command::TestUnitReady;
  std::uint8_t opcode = 0;
  DataDirection direction = DataDirection::None;
  std::uint32_t transfer_length = 0;  // bytes, see CommandInfo::transfer_length

  // Needs the medium (NOT READY when it is absent).
  bool media_access = false;
  // Changes the medium (DATA PROTECT on a write-protected unit).
  bool writes_medium = false;

  // Block commands: READ, WRITE, VERIFY, SYNCHRONIZE CACHE.
  std::uint64_t lba = 0;
  std::uint32_t blocks = 0;  // SYNCHRONIZE CACHE: 0 means "to the last block"
  bool fua = false;
  std::uint8_t bytchk = 0;  // VERIFY

  // Commands returning parameter data.
  std::uint32_t allocation_length = 0;

  // INQUIRY.
  bool evpd = false;
  std::uint8_t page_code = 0;  // also MODE SENSE
  // MODE SENSE.
  bool mode_sense_10 = false;
  bool dbd = false;
  bool llbaa = false;
  std::uint8_t page_control = 0;
  std::uint8_t subpage_code = 0;
  // START STOP UNIT.
  std::uint8_t power_condition = 0;
  bool no_flush = false;
  bool loej = false;
  bool start = false;
  // REPORT LUNS.
  std::uint8_t select_report = 0;

  // Commands with a parameter list in the Data-Out buffer: its length.
  std::uint32_t parameter_list_length = 0;
  std::uint8_t service_action = 0;
  bool immed = false;
  // WRITE AND VERIFY: compare after writing (BYTCHK).
  bool verify_after_write = false;
  // WRITE SAME.
  bool unmap = false;
  bool ndob = false;  // no Data-Out buffer: the block is all zeros
  // PREVENT ALLOW MEDIUM REMOVAL.
  std::uint8_t prevent = 0;
  // MODE SELECT.
  bool page_format = false;
  bool save_pages = false;
  // SANITIZE.
  bool ause = false;
  // READ DEFECT DATA.
  bool req_plist = false;
  bool req_glist = false;
  std::uint8_t defect_list_format = 0;
  // REPORT SUPPORTED OPERATION CODES.
  std::uint8_t reporting_options = 0;
  bool rctd = false;
  std::uint8_t requested_opcode = 0;
  std::uint16_t requested_service_action = 0;
  // PERSISTENT RESERVE OUT.
  std::uint8_t pr_scope = 0;
  std::uint8_t pr_type = 0;
  // RECEIVE COPY RESULTS.
  std::uint8_t list_identifier = 0;
};

// CDB length implied by the group code of `opcode` (SPC-4 §4.2.5.1): 6, 10,
// 12 or 16 bytes; 0 for the reserved and vendor-specific groups.
std::size_t cdb_length(std::uint8_t opcode);

// SAM-5, unit attention conditions: INQUIRY, REPORT LUNS and REQUEST SENSE are
// processed without reporting a pending unit attention condition.
bool exempt_from_unit_attention(std::uint8_t opcode);

// True when the operation code is implemented at all (INVALID COMMAND
// OPERATION CODE otherwise); thin-only commands count as implemented.
bool opcode_implemented(std::uint8_t opcode);

// Decodes `cdb` (the session may hand over more bytes than the CDB uses, as
// in the 16-byte CDB field of an iSCSI SCSI Command PDU). Errors: INVALID
// COMMAND OPERATION CODE for anything not implemented, INVALID FIELD IN CDB
// (with field pointer) for a field the unit does not accept.
wire::Result<ParsedCdb, Sense> parse_cdb(wire::ByteView cdb, const CdbLimits& limits);

// True when blocks [lba, lba + blocks) lie inside a unit of `capacity` blocks
// (SBC-3: "If the LOGICAL BLOCK ADDRESS plus the TRANSFER LENGTH exceeds the
// capacity of the medium ... LOGICAL BLOCK ADDRESS OUT OF RANGE").
bool lba_range_ok(std::uint64_t lba, std::uint64_t blocks, std::uint64_t capacity);

}  // namespace iscsi::scsi
