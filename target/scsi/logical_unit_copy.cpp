// EXTENDED COPY (LID1) and RECEIVE COPY RESULTS of a logical unit (SPC-4):
// block-to-block copies between the logical units of this target, done in
// bounded steps before the command completes.
#include <algorithm>
#include <vector>

#include "scsi/logical_unit.h"

namespace iscsi::scsi {

namespace {

constexpr std::size_t kCopyChunk = 1024 * 1024;

// A segment failed on its copy target (range, protection, I/O): COPY
// ABORTED. Fixed-format sense cannot carry the copy target's own sense data
// (SPC-4 puts it in descriptors), so the ASC/ASCQ is NO ADDITIONAL SENSE
// INFORMATION.
Result copy_aborted(const Sense& cause) {
  (void)cause;
  return Result::check_condition(sense::copy_aborted(0x00, 0x00));
}

}  // namespace

LogicalUnit* LogicalUnit::resolve_copy_target(const CopyTargetDescriptor& d) {
  if (!d.naa_valid) return nullptr;
  if (d.naa == identity_.naa) return this;
  return copy_resolver_ ? copy_resolver_(d.naa) : nullptr;
}

Result LogicalUnit::extended_copy(const ParsedCdb& p, const Request& rq) {
  // "A PARAMETER LIST LENGTH field set to zero specifies that no data shall
  // be transferred. This shall not be considered an error."
  if (p.parameter_list_length == 0) return Result::good();
  const wire::ByteView list =
      rq.data_out.first(std::min<std::size_t>(rq.data_out.size(), p.parameter_list_length));
  auto parsed = parse_copy_list(list);
  if (!parsed) return Result::check_condition(parsed.error());
  const CopyList& job = *parsed;

  // Every CSCD descriptor must name a reachable unit with its block length.
  std::vector<LogicalUnit*> units;
  for (const CopyTargetDescriptor& d : job.targets) {
    LogicalUnit* u = resolve_copy_target(d);
    if (u == nullptr || !u->medium_present()) {
      return Result::check_condition(sense::unreachable_copy_target());
    }
    if (d.block_size != u->block_size()) {
      return copy_aborted(sense::invalid_field_in_parameter_list(29));
    }
    units.push_back(u);
  }

  CopyStatus status;
  Result result = Result::good();
  {
    std::unique_lock<std::shared_mutex> io(io_mutex_);
    std::vector<std::uint8_t> buf;
    for (const CopySegment& s : job.segments) {
      // A segment naming a CSCD descriptor that does not exist has no copy
      // target to reach.
      if (s.source >= units.size() || s.destination >= units.size()) {
        result = Result::check_condition(sense::unreachable_copy_target());
        break;
      }
      LogicalUnit& src = *units[s.source];
      LogicalUnit& dst = *units[s.destination];
      const std::uint32_t bs = src.block_size();
      const std::uint64_t bytes = static_cast<std::uint64_t>(s.blocks) * bs;
      if (bytes > xcopy::kMaxSegmentLength) {
        result = copy_aborted(sense::invalid_field_in_parameter_list(0));
        break;
      }
      if (!lba_range_ok(s.source_lba, s.blocks, src.capacity_blocks()) ||
          !lba_range_ok(s.destination_lba, s.blocks, dst.capacity_blocks())) {
        result = copy_aborted(sense::lba_out_of_range());
        break;
      }
      if (dst.options().read_only || dst.mode_values().swp) {
        result = copy_aborted(sense::write_protected());
        break;
      }
      for (std::uint64_t done = 0; done < bytes && result.status == Status::Good;) {
        const std::size_t step =
            static_cast<std::size_t>(std::min<std::uint64_t>(bytes - done, kCopyChunk));
        buf.resize(step);
        const wire::MutableByteView in[1] = {wire::MutableByteView(buf)};
        IoStatus st = src.device().read(s.source_lba * bs + done, in);
        if (st.ok()) {
          const wire::ByteView out[1] = {wire::ByteView(buf)};
          st = dst.device().write(s.destination_lba * bs + done, out, !dst.mode_values().wce);
        }
        if (!st.ok()) {
          result = copy_aborted(sense_for_io_error(st));
          break;
        }
        done += step;
        status.transfer_count_bytes += static_cast<std::uint32_t>(step);
      }
      if (result.status != Status::Good) break;
      ++status.segments_processed;
    }
  }
  status.failed = result.status != Status::Good;

  // LIST ID USAGE 00b and 10b name the copy by its LIST IDENTIFIER, so its
  // status can be asked for; 11b has no identifier.
  if (job.list_id_usage != 0x03) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto key = std::make_pair(rq.nexus, job.list_identifier);
    if (copy_results_.count(key) == 0) {
      if (copy_order_.size() >= kMaxCopyResults) {
        copy_results_.erase(copy_order_.front());
        copy_order_.pop_front();
      }
      copy_order_.push_back(key);
    }
    copy_results_[key] = status;
  }
  return result;
}

Result LogicalUnit::receive_copy_results(const ParsedCdb& p, const Request& rq) {
  wire::Bytes data;
  if (p.service_action == op::kSaCopyOperatingParameters) {
    data = copy_operating_parameters();
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = copy_results_.find(std::make_pair(rq.nexus, p.list_identifier));
    // No copy with that LIST IDENTIFIER from this nexus.
    if (it == copy_results_.end()) return Result::check_condition(sense::invalid_field_in_cdb(2));
    data = copy_status_data(it->second);
  }
  return Result::good(truncate_to(std::move(data), p.allocation_length, rq.data_in_capacity));
}

}  // namespace iscsi::scsi
