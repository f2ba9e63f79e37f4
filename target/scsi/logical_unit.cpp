#include "scsi/logical_unit.h"

#include <algorithm>

#include "scsi/inquiry.h"
#include "scsi/mode_pages.h"
#include "scsi/mode_select.h"
#include "scsi/supported_opcodes.h"

namespace iscsi::scsi {

namespace {

CommandInfo early(Sense s) {
  CommandInfo info;
  info.early = Result::check_condition(std::move(s));
  return info;
}

CommandInfo info_for(const ParsedCdb& p) {
  CommandInfo info;
  info.direction = p.direction;
  info.transfer_length = p.transfer_length;
  return info;
}

bool addresses_blocks(Command c) {
  switch (c) {
    case Command::Read:
    case Command::Write:
    case Command::Verify:
    case Command::SynchronizeCache:
    case Command::WriteSame:
    case Command::CompareAndWrite:
    case Command::OrWrite:
    case Command::Prefetch:
    case Command::WriteAtomic:
      return true;
    default:
      return false;
  }
}

// Commands whose TRANSFER LENGTH of zero writes nothing ("shall not be
// considered an error"), so write protection does not stop them.
bool zero_length_is_noop(Command c) {
  return c == Command::Write || c == Command::OrWrite || c == Command::WriteAtomic ||
         c == Command::CompareAndWrite;
}

// SPC-4 / SBC-3 tables of commands allowed in the presence of reservations.
ReservationAccess access_of(const ParsedCdb& p) {
  switch (p.command) {
    case Command::Inquiry:
    case Command::RequestSense:
    case Command::ReportLuns:
    case Command::ReportSupportedOpcodes:
    case Command::Reserve:  // RESERVE and RELEASE decide for themselves
    case Command::Release:
      return ReservationAccess::Always;
    case Command::TestUnitReady:
    case Command::ReadCapacity10:
    case Command::ReadCapacity16:
    case Command::PersistentReserveIn:
    case Command::PersistentReserveOut:
      return ReservationAccess::UnderPersist;
    case Command::PreventAllow:
      // PREVENT 00b (allow) is allowed; preventing removal is not.
      return p.prevent == 0 ? ReservationAccess::UnderPersist : ReservationAccess::Write;
    case Command::Read:
    case Command::Verify:
    case Command::ModeSense:
    case Command::GetLbaStatus:
    case Command::ReadDefectData:
    case Command::ReceiveCopyResults:
    case Command::Prefetch:
      return ReservationAccess::Read;
    default:
      return ReservationAccess::Write;
  }
}

}  // namespace

wire::Bytes truncate_to(wire::Bytes data, std::uint32_t allocation_length, std::uint32_t capacity) {
  const std::size_t n = std::min<std::size_t>({data.size(), allocation_length, capacity});
  data.resize(n);
  return data;
}

LogicalUnit::LogicalUnit(std::unique_ptr<BlockDevice> device, LunOptions options, Identity identity)
    : device_(std::move(device)),
      options_(options),
      identity_(std::move(identity)),
      capacity_(device_->capacity_blocks()) {
  limits_.block_size = device_->block_size();
  limits_.max_transfer_blocks = kMaxTransferBytes / limits_.block_size;
  limits_.removable = options_.removable;
  limits_.thin = options_.thin;
  options_.block_size = limits_.block_size;
}

std::optional<Sense> LogicalUnit::check(const ParsedCdb& p, bool with_medium) const {
  // SBC-3 removable medium: media access without a medium → NOT READY,
  // MEDIUM NOT PRESENT.
  if (with_medium && p.media_access && !medium_present()) return sense::medium_not_present();
  // The CDB's range is checked before the unit's state: an LBA beyond the
  // medium is an ILLEGAL REQUEST whatever the protection.
  if (addresses_blocks(p.command) && !lba_range_ok(p.lba, p.blocks, capacity_)) {
    return sense::lba_out_of_range();
  }
  // SBC-3 write protection: a command that would write to the medium of a
  // write-protected unit → DATA PROTECT, WRITE PROTECTED. A TRANSFER LENGTH
  // of zero writes nothing ("shall not be considered an error").
  const bool writes = p.writes_medium && (p.blocks != 0 || !zero_length_is_noop(p.command));
  if (writes && options_.read_only) return sense::write_protected();
  // The SWP bit of the Control mode page write-protects the medium as well
  // (SPC-4 Control mode page: LOGICAL UNIT SOFTWARE WRITE PROTECTED).
  if (writes && mode_values().swp) return sense::software_write_protected();
  // GET LBA STATUS: "If the STARTING LOGICAL BLOCK ADDRESS is beyond the
  // capacity ... LOGICAL BLOCK ADDRESS OUT OF RANGE".
  if (p.command == Command::GetLbaStatus && p.lba >= capacity_) return sense::lba_out_of_range();
  return std::nullopt;
}

ModeValues LogicalUnit::mode_values() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return mode_values_;
}

bool LogicalUnit::conflicts(const ParsedCdb& p, NexusId nexus) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return reservations_.conflicts(nexus, access_of(p));
}

std::optional<Sense> LogicalUnit::take_unit_attention(NexusId nexus, wire::ByteView cdb) {
  // SAM-5: any command other than INQUIRY, REPORT LUNS and REQUEST SENSE
  // (even one with an unsupported operation code) is terminated with the
  // pending unit attention, which is then cleared.
  if (!cdb.empty() && exempt_from_unit_attention(cdb[0])) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  return unit_attention_.take(nexus);
}

CommandInfo LogicalUnit::inspect(wire::ByteView cdb) const {
  auto parsed = parse_cdb(cdb, limits_);
  if (!parsed) return early(parsed.error());
  if (auto s = check(*parsed, false)) return early(*s);
  return info_for(*parsed);
}

CommandInfo LogicalUnit::plan(NexusId nexus, wire::ByteView cdb,
                              std::optional<std::uint32_t> expected_data_out) {
  if (auto ua = take_unit_attention(nexus, cdb)) return early(*ua);
  if (auto s = sanitize_refusal(cdb)) return early(*s);
  auto parsed = parse_cdb(cdb, limits_);
  if (!parsed) return early(parsed.error());
  if (conflicts(*parsed, nexus)) {
    CommandInfo info;
    info.early = Result::with_status(Status::ReservationConflict);
    return info;
  }
  if (auto s = check(*parsed, true)) return early(*s);
  if (expected_data_out && parsed->command == Command::CompareAndWrite &&
      *expected_data_out != parsed->transfer_length) {
    // SBC-3 §5.2 COMPARE AND WRITE: the Data-Out buffer is the verify
    // instance followed by the write instance, NUMBER OF LOGICAL BLOCKS
    // blocks each. Where one ends depends on that field, so a buffer of any
    // other length (e.g. 256 blocks, which the one-byte field cannot
    // express) has no meaning: INVALID FIELD IN CDB, pointing at NUMBER OF
    // LOGICAL BLOCKS, and nothing is transferred.
    return early(sense::invalid_field_in_cdb(13));
  }
  return info_for(*parsed);
}

Result LogicalUnit::execute(const Request& rq) {
  if (auto ua = take_unit_attention(rq.nexus, rq.cdb)) return Result::check_condition(*ua);
  if (auto s = sanitize_refusal(rq.cdb)) return Result::check_condition(*s);
  auto parsed = parse_cdb(rq.cdb, limits_);
  if (!parsed) return Result::check_condition(parsed.error());
  if (conflicts(*parsed, rq.nexus)) return Result::with_status(Status::ReservationConflict);
  if (auto s = check(*parsed, true)) return Result::check_condition(*s);
  return perform(*parsed, rq);
}

Result LogicalUnit::perform(const ParsedCdb& p, const Request& rq) {
  switch (p.command) {
    case Command::TestUnitReady:
      return Result::good();
    case Command::RequestSense:
      return request_sense(p, rq);
    case Command::Inquiry:
      return inquiry(p, rq);
    case Command::ModeSense:
      return mode_sense(p, rq);
    case Command::StartStopUnit:
      return start_stop_unit(p, rq.nexus);
    case Command::ReadCapacity10:
      return read_capacity_10(rq);
    case Command::ReadCapacity16:
      return read_capacity_16(p, rq);
    case Command::Read:
      return read(p, rq);
    case Command::Write:
      return write(p, rq);
    case Command::Verify:
      return verify(p, rq);
    case Command::SynchronizeCache:
      return synchronize_cache();
    case Command::WriteSame:
      return write_same(p, rq);
    case Command::Unmap:
      return unmap(p, rq);
    case Command::GetLbaStatus:
      return get_lba_status(p, rq);
    case Command::CompareAndWrite:
      return compare_and_write(p, rq);
    case Command::OrWrite:
      return orwrite(p, rq);
    case Command::WriteAtomic: {
      // The write is one device call under the exclusive medium lock, so no
      // other command sees part of it.
      std::unique_lock<std::shared_mutex> io(io_mutex_);
      return write(p, rq);
    }
    case Command::Prefetch:
      // SBC-3 PRE-FETCH: the medium is memory or the host's page cache; there
      // is no separate cache to load, so the command completes GOOD (the
      // status for "not all blocks transferred to the cache").
      return Result::good();
    case Command::PreventAllow:
      return prevent_allow(p, rq.nexus);
    case Command::ModeSelect:
      return mode_select(p, rq);
    case Command::ReportSupportedOpcodes:
      return report_supported_opcodes(p, rq);
    case Command::ReadDefectData:
      return read_defect_data(p, rq);
    case Command::Sanitize:
      return sanitize(p, rq);
    case Command::ExtendedCopy:
      return extended_copy(p, rq);
    case Command::ReceiveCopyResults:
      return receive_copy_results(p, rq);
    case Command::Reserve:
    case Command::Release:
      return reserve_release(p, rq.nexus);
    case Command::PersistentReserveIn:
      return persistent_reserve_in(p, rq);
    case Command::PersistentReserveOut:
      return persistent_reserve_out(p, rq);
    case Command::ReportLuns:
      // REPORT LUNS describes the whole target and is answered by
      // ScsiTarget before a command reaches a logical unit.
      return Result::check_condition(sense::invalid_command_operation_code());
  }
  return Result::check_condition(sense::invalid_command_operation_code());
}

Result LogicalUnit::request_sense(const ParsedCdb& p, const Request& rq) {
  // SPC-4 REQUEST SENSE: report a pending unit attention (and clear it),
  // else the unit's current condition, else NO SENSE; status GOOD. A
  // sanitize in progress is such a condition, with its progress (SBC-3
  // §4.11: REQUEST SENSE polls the progress of a sanitize).
  std::optional<Sense> s;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s = unit_attention_.take(rq.nexus);
    if (!s && sanitize_) s = sense::sanitize_in_progress(sanitize_progress_locked());
  }
  if (!s) s = medium_present() ? sense::no_sense() : sense::medium_not_present();
  return Result::good(truncate_to(s->fixed(), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::inquiry(const ParsedCdb& p, const Request& rq) const {
  wire::Bytes data;
  if (!p.evpd) {
    data = standard_inquiry(identity_, options_.removable);
  } else {
    data = vpd_page(p.page_code, VpdContext{.identity = identity_,
                                            .block_size = limits_.block_size,
                                            .max_transfer_blocks = limits_.max_transfer_blocks,
                                            .thin = options_.thin});
  }
  return Result::good(truncate_to(std::move(data), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::mode_sense(const ParsedCdb& p, const Request& rq) const {
  const ModeSenseRequest req{.ten = p.mode_sense_10,
                             .dbd = p.dbd,
                             .llbaa = p.llbaa,
                             .page_control = p.page_control,
                             .page_code = p.page_code,
                             .subpage_code = p.subpage_code};
  const ModeState state{.write_protected = options_.read_only,
                        .blocks = medium_present() ? capacity_ : 0,
                        .block_size = limits_.block_size,
                        .values = mode_values()};
  return Result::good(
      truncate_to(build_mode_sense(req, state), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::start_stop_unit(const ParsedCdb& p, NexusId nexus) {
  (void)nexus;
  // SBC-3 START STOP UNIT. A POWER CONDITION other than 0h only changes the
  // power condition, which RAM and file backends do not have; every value is
  // accepted (libiscsi's StartStopUnit.PwrCnd expects GOOD for 1h-Fh) and
  // START and LOEJ are ignored as SBC-3 requires.
  if (p.power_condition != 0) return Result::good();
  const bool stopping = !p.start;
  // Stopping writes cached data to the medium first unless NO_FLUSH is set.
  if (stopping && !p.no_flush && medium_present()) {
    const IoStatus st = device_->flush();
    if (!st.ok()) return Result::check_condition(sense_for_io_error(st));
  }
  if (p.loej) {
    // Only reached on a removable unit (parse_cdb rejects LOEJ otherwise):
    // START 0 ejects the medium, START 1 loads it. SBC-3 START STOP UNIT:
    // an eject while medium removal is prevented → ILLEGAL REQUEST, MEDIUM
    // REMOVAL PREVENTED. The prevention locks the medium mechanism, so a
    // load of an ejected medium is refused the same way (SBC-3 leaves that
    // case open; libiscsi's PreventAllow.Eject expects it); loading a medium
    // that is present changes nothing and succeeds.
    if (!p.start || !medium_present()) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!preventing_.empty()) return Result::check_condition(sense::medium_removal_prevented());
    }
    medium_present_.store(p.start);
  }
  // START 0 without LOEJ would enter the stopped power condition; the units
  // need no spin-up, so they stay ready (libiscsi's StartStopUnit.NoLoej
  // expects TEST UNIT READY to keep succeeding).
  return Result::good();
}

void LogicalUnit::reset(ResetKind kind) {
  Sense condition;
  switch (kind) {
    case ResetKind::LogicalUnit:
      condition = sense::bus_device_reset_function_occurred();
      break;
    case ResetKind::TargetWarm:
      condition = sense::scsi_bus_reset_occurred();
      break;
    case ResetKind::TargetCold:
      condition = sense::power_on_occurred();
      break;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  unit_attention_.establish_all(condition);
  // SPC-4: resets release SPC-2 reservations and medium removal
  // prevention; persistent reservations survive them.
  reservations_.reset();
  preventing_.clear();
}

void LogicalUnit::nexus_lost(NexusId nexus) {
  std::lock_guard<std::mutex> lock(mutex_);
  unit_attention_.nexus_lost(nexus);
  reservations_.nexus_lost(nexus);
  preventing_.erase(nexus);
}

void LogicalUnit::register_nexus(NexusId nexus, std::string initiator_port_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  reservations_.register_port(nexus, std::move(initiator_port_name));
}

Result LogicalUnit::prevent_allow(const ParsedCdb& p, NexusId nexus) {
  // SBC-3 PREVENT ALLOW MEDIUM REMOVAL: prevention is held per I_T nexus;
  // removal is prevented while any nexus holds it. A unit without
  // removable medium has nothing to prevent.
  if (!options_.removable) {
    if (p.prevent != 0) return Result::check_condition(sense::invalid_field_in_cdb(4, 1));
    return Result::good();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (p.prevent == 1) {
    preventing_.insert(nexus);
  } else {
    preventing_.erase(nexus);
  }
  return Result::good();
}

Result LogicalUnit::mode_select(const ParsedCdb& p, const Request& rq) {
  const std::size_t n = std::min<std::size_t>(rq.data_out.size(), p.parameter_list_length);
  const ModeState state{.write_protected = options_.read_only,
                        .blocks = capacity_,
                        .block_size = limits_.block_size,
                        .values = mode_values()};
  auto applied = apply_mode_select(
      ModeSelectRequest{.ten = p.opcode == op::kModeSelect10, .page_format = p.page_format},
      rq.data_out.first(n), state);
  if (!applied) return Result::check_condition(applied.error());
  std::lock_guard<std::mutex> lock(mutex_);
  if (*applied != mode_values_) {
    mode_values_ = *applied;
    // SPC-4: the other I_T nexuses learn of the change (MODE PARAMETERS
    // CHANGED).
    unit_attention_.establish_all(sense::mode_parameters_changed(), rq.nexus);
  }
  return Result::good();
}

Result LogicalUnit::report_supported_opcodes(const ParsedCdb& p, const Request& rq) const {
  auto data = scsi::report_supported_opcodes(
      SupportedOpcodesRequest{.reporting_options = p.reporting_options,
                              .rctd = p.rctd,
                              .opcode = p.requested_opcode,
                              .service_action = p.requested_service_action},
      options_.thin);
  if (!data) return Result::check_condition(data.error());
  return Result::good(truncate_to(std::move(*data), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::read_defect_data(const ParsedCdb& p, const Request& rq) const {
  // SBC-3 READ DEFECT DATA: the media have no defects. The header echoes
  // the lists asked for (PLISTV, GLISTV) and the DEFECT LIST FORMAT, with a
  // DEFECT LIST LENGTH of zero.
  const bool twelve = p.opcode == op::kReadDefectData12;
  wire::Bytes d(twelve ? 8 : 4, 0);
  d[1] = static_cast<std::uint8_t>((p.req_plist ? 0x10 : 0) | (p.req_glist ? 0x08 : 0) |
                                   p.defect_list_format);
  return Result::good(truncate_to(std::move(d), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::reserve_release(const ParsedCdb& p, NexusId nexus) {
  std::lock_guard<std::mutex> lock(mutex_);
  return p.command == Command::Reserve ? reservations_.reserve(nexus)
                                       : reservations_.release(nexus);
}

Result LogicalUnit::persistent_reserve_in(const ParsedCdb& p, const Request& rq) {
  wire::Bytes data;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    data = reservations_.persistent_reserve_in(p.service_action);
  }
  return Result::good(truncate_to(std::move(data), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::persistent_reserve_out(const ParsedCdb& p, const Request& rq) {
  const std::size_t n = std::min<std::size_t>(rq.data_out.size(), p.parameter_list_length);
  std::lock_guard<std::mutex> lock(mutex_);
  auto out = reservations_.persistent_reserve_out(rq.nexus, p.service_action, p.pr_scope, p.pr_type,
                                                  rq.data_out.first(n));
  for (const auto& [nexus, condition] : out.unit_attentions) {
    unit_attention_.establish(nexus, condition);
  }
  return std::move(out.result);
}

void LogicalUnit::establish_unit_attention(const Sense& condition, std::optional<NexusId> except) {
  std::lock_guard<std::mutex> lock(mutex_);
  unit_attention_.establish_all(condition, except);
}

void LogicalUnit::clear_unit_attention(NexusId nexus, std::uint8_t asc, std::uint8_t ascq) {
  std::lock_guard<std::mutex> lock(mutex_);
  unit_attention_.clear(nexus, asc, ascq);
}

}  // namespace iscsi::scsi
