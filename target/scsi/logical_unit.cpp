#include "scsi/logical_unit.h"

#include <algorithm>

#include "scsi/inquiry.h"
#include "scsi/mode_pages.h"

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
  return c == Command::Read || c == Command::Write || c == Command::Verify ||
         c == Command::SynchronizeCache;
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
  if (p.writes_medium && p.blocks != 0 && options_.read_only) return sense::write_protected();
  return std::nullopt;
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

CommandInfo LogicalUnit::plan(NexusId nexus, wire::ByteView cdb) {
  if (auto ua = take_unit_attention(nexus, cdb)) return early(*ua);
  auto parsed = parse_cdb(cdb, limits_);
  if (!parsed) return early(parsed.error());
  if (auto s = check(*parsed, true)) return early(*s);
  return info_for(*parsed);
}

Result LogicalUnit::execute(const Request& rq) {
  if (auto ua = take_unit_attention(rq.nexus, rq.cdb)) return Result::check_condition(*ua);
  auto parsed = parse_cdb(rq.cdb, limits_);
  if (!parsed) return Result::check_condition(parsed.error());
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
      return start_stop_unit(p);
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
    case Command::ReportLuns:
      // REPORT LUNS describes the whole target and is answered by
      // ScsiTarget before a command reaches a logical unit.
      return Result::check_condition(sense::invalid_command_operation_code());
  }
  return Result::check_condition(sense::invalid_command_operation_code());
}

Result LogicalUnit::request_sense(const ParsedCdb& p, const Request& rq) {
  // SPC-4 REQUEST SENSE: report a pending unit attention (and clear it),
  // else the unit's current condition, else NO SENSE; status GOOD.
  std::optional<Sense> s;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s = unit_attention_.take(rq.nexus);
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
                        .block_size = limits_.block_size};
  return Result::good(
      truncate_to(build_mode_sense(req, state), p.allocation_length, rq.data_in_capacity));
}

Result LogicalUnit::start_stop_unit(const ParsedCdb& p) {
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
    // START 0 ejects the medium, START 1 loads it.
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
}

void LogicalUnit::nexus_lost(NexusId nexus) {
  std::lock_guard<std::mutex> lock(mutex_);
  unit_attention_.nexus_lost(nexus);
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
