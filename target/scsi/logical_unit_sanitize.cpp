// SANITIZE (SBC-3) as a long-running operation of the logical unit. The
// command validates its CDB and parameter list and starts the operation;
// the erase itself is written when the operation completes: at once when the
// unit has no minimum sanitize time, else when advance() reaches the end of
// that time. While it runs, the unit refuses what SBC-3 §4.11 refuses and
// reports the progress.
#include <algorithm>
#include <vector>

#include "scsi/logical_unit.h"

namespace iscsi::scsi {

namespace {

// Completed results kept for IMMED 0 commands that have not polled yet. One
// sanitize runs at a time, so more than a few means a caller that never
// polls; the oldest is dropped.
constexpr std::size_t kMaxSanitizeResults = 16;

// SBC-3 §4.11: the commands a logical unit processes while a sanitize
// operation is in progress.
bool allowed_during_sanitize(std::uint8_t opcode) {
  return opcode == op::kInquiry || opcode == op::kReportLuns || opcode == op::kRequestSense;
}

}  // namespace

bool LogicalUnit::sanitize_in_progress() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sanitize_.has_value();
}

std::uint16_t LogicalUnit::sanitize_progress_locked() const {
  // SPC-4 §4.5.2.4.4: PROGRESS INDICATION is the numerator of the fraction
  // done, over a denominator of 65536.
  const auto total = sanitize_->end - sanitize_->start;
  const auto done = std::clamp(now_ - sanitize_->start, TimePoint::duration::zero(), total);
  if (total <= TimePoint::duration::zero()) return 0xffff;
  const auto scaled = done.count() / static_cast<double>(total.count()) * 65536.0;
  return static_cast<std::uint16_t>(std::min(scaled, 65535.0));
}

std::optional<Sense> LogicalUnit::sanitize_refusal(wire::ByteView cdb) const {
  if (cdb.empty() || allowed_during_sanitize(cdb[0])) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!sanitize_) return std::nullopt;
  // SBC-3 §4.11: every other command → NOT READY, LOGICAL UNIT NOT READY,
  // SANITIZE IN PROGRESS, with the progress in the sense-key specific field.
  return sense::sanitize_in_progress(sanitize_progress_locked());
}

Result LogicalUnit::sanitize(const ParsedCdb& p, const Request& rq) {
  const std::uint32_t bs = limits_.block_size;
  if (p.service_action == 0x1f) {
    // EXIT FAILURE MODE: a sanitize here never fails part way into a
    // failure mode, so there is nothing to leave.
    return Result::good();
  }
  SanitizeRun run;
  run.block_erase = p.service_action == 0x02;
  if (!run.block_erase) {
    // OVERWRITE parameter list (SBC-3): INVERT byte 0 bit 7, TEST bits 6-5,
    // OWCOUNT bits 4-0; INITIALIZATION PATTERN LENGTH bytes 2-3; the pattern.
    const wire::ByteView list =
        rq.data_out.first(std::min<std::size_t>(rq.data_out.size(), p.parameter_list_length));
    if (list.size() < 5) return Result::check_condition(sense::invalid_field_in_cdb(7));
    const bool invert = (list[0] & 0x80) != 0;
    const std::uint8_t test = (list[0] >> 5) & 0x03;
    const std::uint8_t count = list[0] & 0x1f;
    const std::size_t pattern_length = wire::load_be16(&list[2]);
    if (test != 0) return Result::check_condition(sense::invalid_field_in_parameter_list(0, 6));
    if (count == 0) return Result::check_condition(sense::invalid_field_in_parameter_list(0, 4));
    // "If the INITIALIZATION PATTERN LENGTH field is set to zero or to a
    // value greater than the logical block length ... INVALID FIELD IN
    // PARAMETER LIST."
    if (pattern_length == 0 || pattern_length > bs) {
      return Result::check_condition(sense::invalid_field_in_parameter_list(2));
    }
    if (list.size() != 4 + pattern_length) {
      return Result::check_condition(sense::invalid_field_in_cdb(7));
    }
    // The last of OWCOUNT passes decides the content; with INVERT the
    // pattern is inverted between consecutive passes.
    const bool inverted_last = invert && (count - 1) % 2 == 1;
    run.pattern.resize(bs);
    for (std::size_t i = 0; i < bs; ++i) {
      const std::uint8_t b = list[4 + i % pattern_length];
      run.pattern[i] = inverted_last ? static_cast<std::uint8_t>(~b) : b;
    }
  }
  if (options_.sanitize_seconds == 0) {
    // No minimum time: the erase is written now and the command completes
    // with it, whatever IMMED says.
    std::unique_lock<std::shared_mutex> io(io_mutex_);
    if (run.block_erase) {
      // BLOCK ERASE: every block is deallocated and reads back as zeros.
      const IoStatus st = device_->unmap(0, capacity_ * bs);
      if (!st.ok()) return Result::check_condition(sense_for_io_error(st));
      return Result::good();
    }
    return fill_blocks(0, capacity_, wire::ByteView(run.pattern));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  run.operation = next_operation_++;
  run.start = now_;
  run.end = now_ + std::chrono::seconds(options_.sanitize_seconds);
  // SBC-3 SANITIZE: with IMMED 1 "the device server shall return status as
  // soon as the CDB and parameter data, if any, have been validated"; with
  // IMMED 0 "after the sanitize operation is completed".
  run.waited = !p.immed;
  Result r;
  if (run.waited) r.pending = Result::Pending{run.operation, run.end};
  sanitize_ = std::move(run);
  return r;
}

void LogicalUnit::advance(TimePoint now) {
  SanitizeRun run;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    now_ = std::max(now_, now);
    if (!sanitize_ || sanitize_->erasing || now_ < sanitize_->end) return;
    // Still in progress for every other command while the erase is written.
    sanitize_->erasing = true;
    run = *sanitize_;
  }
  Result result;
  {
    std::unique_lock<std::shared_mutex> io(io_mutex_);
    const std::uint32_t bs = limits_.block_size;
    if (run.block_erase) {
      const IoStatus st = device_->unmap(0, capacity_ * bs);
      if (!st.ok()) result = Result::check_condition(sense_for_io_error(st));
    } else {
      result = fill_blocks(0, capacity_, wire::ByteView(run.pattern));
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  const bool waited = sanitize_ && sanitize_->waited;
  sanitize_.reset();
  if (!waited) return;
  if (sanitize_results_.size() >= kMaxSanitizeResults) {
    sanitize_results_.erase(sanitize_results_.begin());
  }
  sanitize_results_.emplace(run.operation, std::move(result));
}

Result LogicalUnit::poll(std::uint64_t operation) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = sanitize_results_.find(operation); it != sanitize_results_.end()) {
    Result r = std::move(it->second);
    sanitize_results_.erase(it);
    return r;
  }
  if (sanitize_ && sanitize_->operation == operation) {
    Result r;
    r.pending = Result::Pending{operation, std::max(sanitize_->end, now_)};
    return r;
  }
  // An operation this unit does not know (forgotten, or never started): its
  // command cannot complete any more.
  return Result::with_status(Status::TaskAborted);
}

void LogicalUnit::forget(std::uint64_t operation) {
  std::lock_guard<std::mutex> lock(mutex_);
  sanitize_results_.erase(operation);
  if (sanitize_ && sanitize_->operation == operation) sanitize_->waited = false;
}

}  // namespace iscsi::scsi
