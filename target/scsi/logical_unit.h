// A logical unit: a BlockDevice presented as an SBC-3 direct-access block
// device. Synchronous and sans-I/O with respect to the network; the only I/O
// it does is the BlockDevice's.
//
// Command flow for the session layer:
//   1. plan(nexus, cdb) when the SCSI Command arrives. If it returns `early`,
//      the command is complete: send that status, transfer nothing, and do
//      not call execute (any unit attention it reports is consumed).
//      Otherwise solicit min(ExpectedDataTransferLength, transfer_length)
//      bytes of Data-Out, or allow that much Data-In.
//   2. execute(request) with the Data-Out received. execute() repeats every
//      check, so it is also correct on its own (tests, simple callers).
// inspect(cdb) is plan() without state: the CDB and the unit's fixed
// configuration only, for callers that want the transfer size without
// entering the command into the task set.
//
// Data-Out shorter than the CDB implies (ExpectedDataTransferLength below the
// SCSI transfer length, RFC 3720 §10.4.5 residual overflow): the whole blocks
// received are written (or compared) and the command ends GOOD, as libiscsi's
// iSCSIResiduals tests require (FCP-4 option (a): "process the command
// normally except that data beyond the FCP_DL count shall not be requested or
// transferred"). A trailing partial block cannot be written; then nothing is
// written and the command ends with CHECK CONDITION, ILLEGAL REQUEST, INVALID
// FIELD IN COMMAND INFORMATION UNIT (0E/03), FCP-4 option (b), which the same
// tests accept. Data-In beyond data_in_capacity is truncated.
//
// Thread safety: execute/plan/reset may be called from several threads; the
// unit attention table is guarded by a mutex, the medium state is atomic,
// and data I/O goes to the device without a lock (see BlockDevice).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "scsi/block_device.h"
#include "scsi/cdb.h"
#include "scsi/command.h"
#include "scsi/identity.h"
#include "scsi/lun_spec.h"
#include "scsi/unit_attention.h"

namespace iscsi::scsi {

class LogicalUnit {
 public:
  // MAXIMUM TRANSFER LENGTH (Block Limits VPD page) in bytes: one command
  // never needs more than this much buffer. Longer transfers are rejected
  // with INVALID FIELD IN CDB.
  static constexpr std::uint32_t kMaxTransferBytes = 8u * 1024 * 1024;

  // The device's block size is authoritative; options.block_size only
  // chose it when the device was created.
  LogicalUnit(std::unique_ptr<BlockDevice> device, LunOptions options, Identity identity);

  CommandInfo inspect(wire::ByteView cdb) const;
  CommandInfo plan(NexusId nexus, wire::ByteView cdb);
  Result execute(const Request& request);

  // Task management (SAM-5 §7): establishes the unit attention each reset
  // kind calls for, for every I_T nexus including the one that asked.
  //   LOGICAL UNIT RESET    → 29/03 BUS DEVICE RESET FUNCTION OCCURRED
  //   TARGET WARM RESET     → 29/02 SCSI BUS RESET OCCURRED
  //   TARGET COLD RESET     → 29/01 POWER ON OCCURRED
  // Aborting tasks is the session layer's part.
  void reset(ResetKind kind);
  // The session of `nexus` ended: if it returns it first learns of the loss
  // (29/07 I_T NEXUS LOSS OCCURRED).
  void nexus_lost(NexusId nexus);
  // For conditions raised elsewhere (REPORTED LUNS DATA HAS CHANGED, MODE
  // PARAMETERS CHANGED for the other nexuses, ...).
  void establish_unit_attention(const Sense& condition,
                                std::optional<NexusId> except = std::nullopt);
  void clear_unit_attention(NexusId nexus, std::uint8_t asc, std::uint8_t ascq);

  const Identity& identity() const { return identity_; }
  const LunOptions& options() const { return options_; }
  BlockDevice& device() { return *device_; }
  std::uint32_t block_size() const { return limits_.block_size; }
  std::uint64_t capacity_blocks() const { return capacity_; }
  std::uint32_t max_transfer_blocks() const { return limits_.max_transfer_blocks; }
  bool medium_present() const { return medium_present_.load(); }

 private:
  // Checks that depend on the unit's state or configuration, after the CDB
  // parsed: NOT READY, DATA PROTECT, LBA OUT OF RANGE. `with_medium` is false
  // for inspect(), which must not depend on changing state.
  std::optional<Sense> check(const ParsedCdb& p, bool with_medium) const;
  std::optional<Sense> take_unit_attention(NexusId nexus, wire::ByteView cdb);
  Result perform(const ParsedCdb& p, const Request& rq);

  Result request_sense(const ParsedCdb& p, const Request& rq);
  Result inquiry(const ParsedCdb& p, const Request& rq) const;
  Result mode_sense(const ParsedCdb& p, const Request& rq) const;
  Result start_stop_unit(const ParsedCdb& p);
  // Block commands (logical_unit_io.cpp).
  Result read_capacity_10(const Request& rq) const;
  Result read_capacity_16(const ParsedCdb& p, const Request& rq) const;
  Result read(const ParsedCdb& p, const Request& rq);
  Result write(const ParsedCdb& p, const Request& rq);
  Result verify(const ParsedCdb& p, const Request& rq);
  Result synchronize_cache();

  std::unique_ptr<BlockDevice> device_;
  LunOptions options_;
  Identity identity_;
  CdbLimits limits_;
  std::uint64_t capacity_;
  std::atomic<bool> medium_present_{true};
  std::mutex mutex_;  // guards unit_attention_
  UnitAttentionTable unit_attention_;
};

// Data-In truncated to the allocation length and the session's capacity
// (SPC-4 §4.2.5.6: the device server transfers no more than the allocation
// length; a shorter allocation length is not an error).
wire::Bytes truncate_to(wire::Bytes data, std::uint32_t allocation_length, std::uint32_t capacity);

}  // namespace iscsi::scsi
