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
//      A Result with `pending` set (SANITIZE with IMMED 0 on a unit with a
//      minimum sanitize time) has no status yet: call advance() as time
//      passes and poll() from `ready_at` on for it.
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
// unit attention table, reservations, mode parameters, medium removal
// prevention and copy results are guarded by a mutex, the medium state is
// atomic. Data I/O takes a shared lock on the medium; the commands that
// must appear atomic to every other command (COMPARE AND WRITE, ORWRITE,
// WRITE ATOMIC, WRITE SAME, SANITIZE, EXTENDED COPY) take it exclusively.
//
// Reservations (see reservations.h) are checked after the unit attention
// and the CDB: a command that conflicts ends with RESERVATION CONFLICT and
// no sense data.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>

#include "scsi/block_device.h"
#include "scsi/cdb.h"
#include "scsi/command.h"
#include "scsi/extended_copy.h"
#include "scsi/identity.h"
#include "scsi/lun_spec.h"
#include "scsi/mode_pages.h"
#include "scsi/reservations.h"
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
  // `expected_data_out`: the initiator's Expected Data Transfer Length for
  // the Data-Out buffer (RFC 3720 §10.3.4), when the caller knows it; the
  // commands whose buffer layout depends on its length check it against
  // the CDB (COMPARE AND WRITE).
  CommandInfo plan(NexusId nexus, wire::ByteView cdb,
                   std::optional<std::uint32_t> expected_data_out = std::nullopt);
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

  // Long operations (logical_unit_sanitize.cpp). A sanitize takes at least
  // LunOptions::sanitize_seconds; with 0 it completes inside execute().
  // Otherwise it runs until advance() is called with a time at or after its
  // end: then the medium is erased and the operation completes. Resets and
  // I_T nexus loss do not stop it (SBC-3 §4.11). Time never goes backwards
  // for the unit: an earlier `now` than one seen before is ignored.
  void advance(TimePoint now);
  // The final result of the operation a Result::pending named, once it has
  // completed (reported once); until then a Result with `pending` again.
  Result poll(std::uint64_t operation);
  // Nobody waits for that operation's status any more (its command was
  // aborted, its connection closed); the operation itself goes on.
  void forget(std::uint64_t operation);
  bool sanitize_in_progress() const;
  // For conditions raised elsewhere (REPORTED LUNS DATA HAS CHANGED, MODE
  // PARAMETERS CHANGED for the other nexuses, ...).
  void establish_unit_attention(const Sense& condition,
                                std::optional<NexusId> except = std::nullopt);
  void clear_unit_attention(NexusId nexus, std::uint8_t asc, std::uint8_t ascq);
  // The initiator port name of a nexus (for PERSISTENT RESERVE IN READ FULL
  // STATUS TransportIDs).
  void register_nexus(NexusId nexus, std::string initiator_port_name);
  // How EXTENDED COPY finds the logical units its CSCD descriptors name by
  // NAA designator (the units of the same target); without it only this
  // unit is reachable.
  using CopyResolver = std::function<LogicalUnit*(std::uint64_t naa)>;
  void set_copy_resolver(CopyResolver resolver) { copy_resolver_ = std::move(resolver); }

  const Identity& identity() const { return identity_; }
  const LunOptions& options() const { return options_; }
  BlockDevice& device() { return *device_; }
  std::uint32_t block_size() const { return limits_.block_size; }
  std::uint64_t capacity_blocks() const { return capacity_; }
  std::uint32_t max_transfer_blocks() const { return limits_.max_transfer_blocks; }
  bool medium_present() const { return medium_present_.load(); }
  ModeValues mode_values() const;
  // Most copy results (RECEIVE COPY RESULTS, COPY STATUS) kept at a time.
  static constexpr std::size_t kMaxCopyResults = 64;

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
  Result start_stop_unit(const ParsedCdb& p, NexusId nexus);
  Result prevent_allow(const ParsedCdb& p, NexusId nexus);
  Result mode_select(const ParsedCdb& p, const Request& rq);
  Result report_supported_opcodes(const ParsedCdb& p, const Request& rq) const;
  Result read_defect_data(const ParsedCdb& p, const Request& rq) const;
  Result persistent_reserve_in(const ParsedCdb& p, const Request& rq);
  Result persistent_reserve_out(const ParsedCdb& p, const Request& rq);
  Result reserve_release(const ParsedCdb& p, NexusId nexus);
  bool conflicts(const ParsedCdb& p, NexusId nexus) const;
  // Provisioning and sanitize (logical_unit_provisioning.cpp).
  Result unmap(const ParsedCdb& p, const Request& rq);
  Result get_lba_status(const ParsedCdb& p, const Request& rq) const;
  Result sanitize(const ParsedCdb& p, const Request& rq);
  // NOT READY, SANITIZE IN PROGRESS for a command SBC-3 §4.11 does not
  // allow while a sanitize runs; nothing otherwise.
  std::optional<Sense> sanitize_refusal(wire::ByteView cdb) const;
  // The sanitize's progress for the sense-key specific field; mutex_ held.
  std::uint16_t sanitize_progress_locked() const;
  // EXTENDED COPY (logical_unit_copy.cpp).
  Result extended_copy(const ParsedCdb& p, const Request& rq);
  Result receive_copy_results(const ParsedCdb& p, const Request& rq);
  LogicalUnit* resolve_copy_target(const CopyTargetDescriptor& d);
  // Block commands (logical_unit_io.cpp).
  Result read_capacity_10(const Request& rq) const;
  Result read_capacity_16(const ParsedCdb& p, const Request& rq) const;
  Result read(const ParsedCdb& p, const Request& rq);
  Result write(const ParsedCdb& p, const Request& rq);
  Result verify(const ParsedCdb& p, const Request& rq);
  Result synchronize_cache();
  Result write_same(const ParsedCdb& p, const Request& rq);
  Result compare_and_write(const ParsedCdb& p, const Request& rq);
  Result orwrite(const ParsedCdb& p, const Request& rq);
  // Writes `data` at `lba` (FUA, or write-through when WCE is 0) and, with
  // `verify`, reads it back and compares.
  Result write_blocks(std::uint64_t lba, wire::ByteView data, bool fua, bool verify);
  // Fills `blocks` blocks from `lba` with copies of `block`.
  Result fill_blocks(std::uint64_t lba, std::uint64_t blocks, wire::ByteView block);

  std::unique_ptr<BlockDevice> device_;
  LunOptions options_;
  Identity identity_;
  CdbLimits limits_;
  std::uint64_t capacity_;
  std::atomic<bool> medium_present_{true};
  mutable std::mutex mutex_;  // guards the state below up to io_mutex_
  UnitAttentionTable unit_attention_;
  Reservations reservations_;
  ModeValues mode_values_;
  std::set<NexusId> preventing_;  // nexuses with medium removal prevented
  std::map<std::pair<NexusId, std::uint8_t>, CopyStatus> copy_results_;
  std::deque<std::pair<NexusId, std::uint8_t>> copy_order_;  // oldest first
  CopyResolver copy_resolver_;
  // The sanitize in progress: what it writes and when it may end.
  struct SanitizeRun {
    std::uint64_t operation = 0;
    TimePoint start{};
    TimePoint end{};
    bool block_erase = false;
    wire::Bytes pattern;   // OVERWRITE: one logical block of the final pass
    bool waited = false;   // a SANITIZE with IMMED 0 waits for the status
    bool erasing = false;  // the erase is being written
  };
  std::optional<SanitizeRun> sanitize_;
  // Results of completed sanitizes whose IMMED 0 command has not polled yet.
  std::map<std::uint64_t, Result> sanitize_results_;
  std::uint64_t next_operation_ = 1;
  TimePoint now_{};                     // the latest time advance() was given
  mutable std::shared_mutex io_mutex_;  // see "Thread safety" above
};

// Data-In truncated to the allocation length and the session's capacity
// (SPC-4 §4.2.5.6: the device server transfers no more than the allocation
// length; a shorter allocation length is not an error).
wire::Bytes truncate_to(wire::Bytes data, std::uint32_t allocation_length, std::uint32_t capacity);

}  // namespace iscsi::scsi
