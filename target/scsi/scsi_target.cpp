#include "scsi/scsi_target.h"

#include "scsi/backend_factory.h"
#include "scsi/cdb.h"
#include "scsi/inquiry.h"
#include "scsi/lun_address.h"

namespace iscsi::scsi {

namespace {

CommandInfo early(Sense s) {
  CommandInfo info;
  info.early = Result::check_condition(std::move(s));
  return info;
}

bool is_report_luns(wire::ByteView cdb) {
  return !cdb.empty() && cdb[0] == op::kReportLuns;
}

}  // namespace

ScsiTarget::ScsiTarget(std::string target_name, std::uint16_t portal_group_tag)
    : target_name_(std::move(target_name)),
      portal_group_tag_(portal_group_tag),
      target_identity_(make_identity(target_name_, 0, portal_group_tag)) {}

std::optional<std::string> ScsiTarget::add(std::uint16_t lun, std::shared_ptr<LogicalUnit> unit) {
  if (lun > kMaxLunNumber) {
    return "LUN " + std::to_string(lun) + " is above " + std::to_string(kMaxLunNumber);
  }
  if (!unit) return "LUN " + std::to_string(lun) + " has no logical unit";
  LogicalUnit* raw = unit.get();
  if (!units_.emplace(lun, std::move(unit)).second) {
    return "LUN " + std::to_string(lun) + " is defined twice";
  }
  // EXTENDED COPY reaches the other units of this target by designator.
  raw->set_copy_resolver([this](std::uint64_t naa) { return find_by_naa(naa); });
  return std::nullopt;
}

std::optional<std::string> ScsiTarget::add(std::uint16_t lun, std::unique_ptr<BlockDevice> device,
                                           const LunOptions& options) {
  if (!device) return "LUN " + std::to_string(lun) + " has no block device";
  return add(lun,
             std::make_shared<LogicalUnit>(std::move(device), options,
                                           make_identity(target_name_, lun, portal_group_tag_)));
}

std::optional<std::string> ScsiTarget::add(const LunSpec& spec) {
  if (units_.count(spec.lun) != 0) return "LUN " + std::to_string(spec.lun) + " is defined twice";
  auto device = open_backend(spec);
  if (!device) return device.error();
  return add(spec.lun, std::move(device).value(), spec.options);
}

LogicalUnit* ScsiTarget::find(std::uint64_t lun_field) const {
  const auto lun = decode_lun(lun_field);
  if (!lun) return nullptr;
  const auto it = units_.find(*lun);
  return it == units_.end() ? nullptr : it->second.get();
}

std::vector<std::uint16_t> ScsiTarget::luns() const {
  std::vector<std::uint16_t> out;
  out.reserve(units_.size());
  for (const auto& [lun, unit] : units_) out.push_back(lun);
  return out;
}

wire::Bytes ScsiTarget::report_luns_data(std::uint8_t select_report) const {
  // SPC-4 REPORT LUNS parameter data: LUN LIST LENGTH (4 bytes), 4 reserved
  // bytes, then one 8-byte LUN per logical unit. SELECT REPORT 01h lists
  // only well known logical units, of which there are none.
  const std::size_t count = select_report == 0x01 ? 0 : units_.size();
  wire::Bytes d(8 + 8 * count, 0);
  wire::store_be32(&d[0], static_cast<std::uint32_t>(8 * count));
  std::size_t at = 8;
  if (count != 0) {
    for (const auto& [lun, unit] : units_) {
      wire::store_be64(&d[at], encode_lun(lun));
      at += 8;
    }
  }
  return d;
}

Result ScsiTarget::report_luns(LogicalUnit* unit, const Request& rq) const {
  auto parsed = parse_cdb(rq.cdb, CdbLimits{});
  if (!parsed) return Result::check_condition(parsed.error());
  // SPC-4 REPORT LUNS: the command clears a REPORTED LUNS DATA HAS CHANGED
  // unit attention of the nexus that sent it.
  if (unit != nullptr) unit->clear_unit_attention(rq.nexus, 0x3f, 0x0e);
  return Result::good(truncate_to(report_luns_data(parsed->select_report),
                                  parsed->allocation_length, rq.data_in_capacity));
}

CommandInfo ScsiTarget::inspect_without_unit(wire::ByteView cdb) const {
  if (cdb.empty()) return early(sense::logical_unit_not_supported());
  switch (cdb[0]) {
    case op::kInquiry:
    case op::kRequestSense: {
      const Result r = answer_without_unit(Request{.cdb = cdb, .data_in_capacity = 0xffffffffu});
      if (r.status != Status::Good) {
        CommandInfo info;
        info.early = r;
        return info;
      }
      CommandInfo info;
      info.direction = DataDirection::Read;
      auto parsed = parse_cdb(cdb, CdbLimits{});
      info.transfer_length = parsed ? parsed->transfer_length : 0;
      return info;
    }
    default:
      return early(sense::logical_unit_not_supported());
  }
}

Result ScsiTarget::answer_without_unit(const Request& rq) const {
  const wire::ByteView cdb = rq.cdb;
  if (cdb.empty()) return Result::check_condition(sense::logical_unit_not_supported());
  if (cdb[0] == op::kInquiry) {
    auto parsed = parse_cdb(cdb, CdbLimits{});
    if (!parsed) return Result::check_condition(parsed.error());
    wire::Bytes data;
    if (!parsed->evpd) {
      data = standard_inquiry(target_identity_, false, kPeripheralNotSupported);
    } else if (parsed->page_code == vpd::kSupportedPages) {
      data = vpd_supported_pages_only_self(kPeripheralNotSupported);
    } else {
      // No logical unit, so no unit serial number or identification pages.
      return Result::check_condition(sense::invalid_field_in_cdb(2));
    }
    return Result::good(
        truncate_to(std::move(data), parsed->allocation_length, rq.data_in_capacity));
  }
  if (cdb[0] == op::kRequestSense) {
    auto parsed = parse_cdb(cdb, CdbLimits{});
    if (!parsed) return Result::check_condition(parsed.error());
    return Result::good(truncate_to(sense::logical_unit_not_supported().fixed(),
                                    parsed->allocation_length, rq.data_in_capacity));
  }
  return Result::check_condition(sense::logical_unit_not_supported());
}

CommandInfo ScsiTarget::inspect(std::uint64_t lun_field, wire::ByteView cdb) const {
  if (is_report_luns(cdb)) {
    auto parsed = parse_cdb(cdb, CdbLimits{});
    if (!parsed) return early(parsed.error());
    CommandInfo info;
    info.direction = DataDirection::Read;
    info.transfer_length = parsed->transfer_length;
    return info;
  }
  LogicalUnit* unit = find(lun_field);
  if (unit == nullptr) return inspect_without_unit(cdb);
  return unit->inspect(cdb);
}

CommandInfo ScsiTarget::plan(std::uint64_t lun_field, NexusId nexus, wire::ByteView cdb,
                             std::optional<std::uint32_t> expected_data_out) {
  if (is_report_luns(cdb)) return inspect(lun_field, cdb);  // stateless, UA-exempt
  LogicalUnit* unit = find(lun_field);
  if (unit == nullptr) return inspect_without_unit(cdb);
  return unit->plan(nexus, cdb, expected_data_out);
}

Result ScsiTarget::execute(std::uint64_t lun_field, const Request& request) {
  LogicalUnit* unit = find(lun_field);
  if (is_report_luns(request.cdb)) return report_luns(unit, request);
  if (unit == nullptr) return answer_without_unit(request);
  return unit->execute(request);
}

void ScsiTarget::reset(ResetKind kind, std::uint64_t lun_field) {
  if (kind == ResetKind::LogicalUnit) {
    if (LogicalUnit* unit = find(lun_field)) unit->reset(kind);
    return;
  }
  for (auto& [lun, unit] : units_) unit->reset(kind);
}

void ScsiTarget::advance(TimePoint now) {
  for (auto& [lun, unit] : units_) unit->advance(now);
}

Result ScsiTarget::poll(std::uint64_t lun_field, std::uint64_t operation) {
  LogicalUnit* unit = find(lun_field);
  if (unit == nullptr) return Result::with_status(Status::TaskAborted);
  return unit->poll(operation);
}

void ScsiTarget::forget(std::uint64_t lun_field, std::uint64_t operation) {
  if (LogicalUnit* unit = find(lun_field)) unit->forget(operation);
}

void ScsiTarget::nexus_lost(NexusId nexus) {
  for (auto& [lun, unit] : units_) unit->nexus_lost(nexus);
}

void ScsiTarget::register_nexus(NexusId nexus, const std::string& initiator_port_name) {
  for (auto& [lun, unit] : units_) unit->register_nexus(nexus, initiator_port_name);
}

LogicalUnit* ScsiTarget::find_by_naa(std::uint64_t naa) const {
  for (const auto& [lun, unit] : units_) {
    if (unit->identity().naa == naa) return unit.get();
  }
  return nullptr;
}

}  // namespace iscsi::scsi
