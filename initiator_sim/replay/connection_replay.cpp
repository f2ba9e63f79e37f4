#include "replay/connection_replay.h"

#include <algorithm>
#include <chrono>
#include <type_traits>

#include "replay/pdu_diff.h"
#include "session/chap_crypto.h"
#include "session/chap_value.h"
#include "wire/pdu_fields.h"
#include "wire/pdu_format.h"

namespace iscsi::replay {

namespace {

using wire::Opcode;
using Clock = std::chrono::steady_clock;

// Live PDUs kept unmatched at once; a target flooding the connection ends
// the replay of it rather than memory.
constexpr std::size_t kMaxInbox = 4096;
// Data-In bytes kept for a task whose command the capture does not show.
constexpr std::uint32_t kUnknownTaskLimit = 1 << 24;

std::uint32_t itt_of(const wire::Pdu& p) {
  return static_cast<std::uint32_t>(wire::get_field(p, "InitiatorTaskTag").value_or(0));
}

bool serial_greater(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) > 0;  // RFC 1982 (§3.2.2.1's serial arithmetic)
}

bool carries_ttt(Opcode op) {
  return op == Opcode::ReadyToTransfer || op == Opcode::NopIn || op == Opcode::TextResponse;
}

// Whether a live PDU answers the same thing as a recorded one.
bool same_exchange(const wire::Pdu& recorded, const wire::Pdu& live) {
  const Opcode op = wire::opcode_of(recorded);
  if (op != wire::opcode_of(live)) return false;
  switch (op) {
    case Opcode::ScsiDataIn:
      return itt_of(recorded) == itt_of(live) &&
             wire::get_field(recorded, "DataSN") == wire::get_field(live, "DataSN");
    case Opcode::ReadyToTransfer:
      return itt_of(recorded) == itt_of(live) &&
             wire::get_field(recorded, "R2TSN") == wire::get_field(live, "R2TSN");
    case Opcode::Reject:
    case Opcode::AsyncMessage:
      return true;  // in order
    default:
      return itt_of(recorded) == itt_of(live);
  }
}

// The ITT a request awaits an answer under, or nothing for PDUs no answer
// follows (Data-Out, a NOP-Out answering a ping, SNACK).
std::optional<std::uint32_t> owed_answer(const wire::Pdu& pdu) {
  switch (wire::opcode_of(pdu)) {
    case Opcode::NopOut:
      if (itt_of(pdu) == wire::kReservedTag) return std::nullopt;  // §10.18.1
      [[fallthrough]];
    case Opcode::ScsiCommand:
    case Opcode::TaskManagementRequest:
    case Opcode::LoginRequest:
    case Opcode::TextRequest:
    case Opcode::LogoutRequest:
      return itt_of(pdu);
    default:
      return std::nullopt;
  }
}

// The ITT whose request a live PDU answers, or nothing (R2T, Data-In
// without status, unsolicited NOP-In, Async Message). A Reject answers the
// request whose header it carries (§10.17), not a rejected Data-Out.
std::optional<std::uint32_t> answered(const wire::Pdu& pdu) {
  switch (wire::opcode_of(pdu)) {
    case Opcode::ScsiDataIn:
      if (!std::get<wire::ScsiDataIn>(pdu).status_present) return std::nullopt;
      return itt_of(pdu);
    case Opcode::NopIn:
      if (itt_of(pdu) == wire::kReservedTag) return std::nullopt;
      [[fallthrough]];
    case Opcode::ScsiResponse:
    case Opcode::TaskManagementResponse:
    case Opcode::LoginResponse:
    case Opcode::TextResponse:
    case Opcode::LogoutResponse:
      return itt_of(pdu);
    case Opcode::Reject: {
      const auto& header = std::get<wire::Reject>(pdu).data;
      if (header.size() < wire::kBhsLength) return std::nullopt;
      const auto rejected = static_cast<Opcode>(header[0] & 0x3f);
      if (rejected == Opcode::ScsiDataOut || rejected == Opcode::SnackRequest) return std::nullopt;
      return wire::load_be32(&header[16]);
    }
    default:
      return std::nullopt;
  }
}

std::vector<wire::text::KeyValue> keys_of(const wire::Bytes& data) {
  auto pairs = wire::text::parse(data);
  return pairs ? std::move(*pairs) : std::vector<wire::text::KeyValue>{};
}

std::optional<std::string> key_value(const std::vector<wire::text::KeyValue>& keys,
                                     std::string_view key) {
  for (const auto& kv : keys) {
    if (kv.key == key) return kv.value;
  }
  return std::nullopt;
}

// The status of a task as a SCSI Response or a Data-In with S=1 carries it
// (§10.4, §10.7.3).
struct StatusView {
  std::uint8_t response = 0;
  std::uint8_t status = 0;
  bool underflow = false;
  bool overflow = false;
  std::uint32_t residual = 0;
  wire::ByteView segment;  // SenseLength + sense (SCSI Response only)
};

StatusView status_view(const wire::Pdu& pdu) {
  StatusView v;
  if (const auto* r = std::get_if<wire::ScsiResponse>(&pdu)) {
    v = {r->response,          r->status,         r->residual_underflow,
         r->residual_overflow, r->residual_count, r->data};
  } else if (const auto* d = std::get_if<wire::ScsiDataIn>(&pdu)) {
    v = {0, d->status, d->residual_underflow, d->residual_overflow, d->residual_count, {}};
  }
  return v;
}

}  // namespace

ConnectionReplay::ConnectionReplay(const ScriptConnection& script, ReplayShared& shared)
    : script_(script), shared_(shared), options_(*shared.options) {
  outcome_.id = script.id;
  outcome_.session_type = script.report.session_type;
  outcome_.endpoints =
      script.report.initiator.to_string() + " -> " + script.report.target.to_string();
  if (!script.report.login_captured || !script.report.roles_known) {
    outcome_.verdict = ConnectionVerdict::Skipped;
    outcome_.reason = script.report.login_captured
                          ? "which side is the initiator is not known"
                          : "its login was not captured: a replay must start from the login";
    stopped_ = true;
  }
  if (options_.adopt_recorded_negotiation) {
    std::vector<std::vector<wire::text::KeyValue>> texts;
    for (const std::size_t i : script.pdus) {
      const auto& p = shared.script->pdus[i];
      if (p.to_target || !p.pdu) continue;
      if (const auto* r = std::get_if<wire::LoginResponse>(&*p.pdu); r && !r->continue_) {
        texts.push_back(keys_of(r->data));
      }
    }
    recorded_outcome_ = negotiation_outcome(texts);
  }
}

void ConnectionReplay::differ(const ScriptPdu* recorded, const LivePdu* live, std::string kind,
                              std::string field, std::string rec_value, std::string live_value) {
  outcome_.verdict = ConnectionVerdict::Differ;
  if (outcome_.differences.size() >= kMaxDifferences) {
    ++outcome_.suppressed;
    return;
  }
  Difference d;
  d.kind = std::move(kind);
  d.connection = script_.id;
  d.recorded_pdu = recorded ? recorded->index : 0;
  d.field = std::move(field);
  d.recorded = std::move(rec_value);
  d.live = std::move(live_value);
  if (recorded) d.recorded_summary = recorded->summary;
  if (live) d.live_summary = live->summary;
  outcome_.differences.push_back(std::move(d));
  outcome_.verdict = ConnectionVerdict::Differ;
}

void ConnectionReplay::stop(const ScriptPdu& recorded, std::string kind, std::string why) {
  differ(&recorded, nullptr, std::move(kind), "", "", std::move(why));
  stopped_ = true;
  if (session_) session_->close();
}

bool ConnectionReplay::open() {
  auto transport = (*shared_.connect)();
  if (!transport) {
    Difference d;
    d.kind = "error";
    d.connection = script_.id;
    d.live = "cannot connect to the live target: " + transport.error();
    outcome_.differences.push_back(std::move(d));
    outcome_.verdict = ConnectionVerdict::Differ;
    stopped_ = true;
    return false;
  }
  session_ = std::make_unique<sim::InitiatorSession>(std::move(*transport));
  opened_ = true;
  return true;
}

void ConnectionReplay::absorb(wire::Pdu&& pdu, std::string summary) {
  if (options_.profile.data_in_by_task) {
    if (auto* d = std::get_if<wire::ScsiDataIn>(&pdu)) {
      auto& task = tasks_[d->initiator_task_tag];
      const auto cmd = commands_.find(d->initiator_task_tag);
      const std::uint64_t limit =
          cmd != commands_.end() ? cmd->second.expected_length : kUnknownTaskLimit;
      const std::uint64_t end = std::uint64_t{d->buffer_offset} + d->data.size();
      if (end > limit) {
        const LivePdu live{pdu, summary};
        // §10.7.5: Data-In never goes past the Expected Data Transfer Length.
        differ(nullptr, &live, "data", "BufferOffset", "",
               "data ends at byte " + std::to_string(end) +
                   ", past the Expected Data Transfer Length " + std::to_string(limit));
      } else if (!d->data.empty()) {
        if (task.data.size() < end) task.data.resize(end);
        std::copy(d->data.begin(), d->data.end(),
                  task.data.begin() + static_cast<std::ptrdiff_t>(d->buffer_offset));
        task.end = std::max(task.end, static_cast<std::uint32_t>(end));
      }
      task.live_pdus += 1;
      if (d->status_present) task.status = LivePdu{std::move(pdu), std::move(summary)};
      return;
    }
  }
  inbox_.push_back(LivePdu{std::move(pdu), std::move(summary)});
}

bool ConnectionReplay::pump(std::chrono::milliseconds timeout) {
  if (!session_ || live_closed_) return false;
  sim::Received r = session_->receive(timeout, /*answer_pings=*/false);
  switch (r.kind) {
    case sim::Received::Kind::Pdu: {
      if (const auto itt = answered(r.pdu)) owed_.erase(*itt);
      std::string summary = wire::format_pdu(r.pdu);
      check_live_stat_sn(r.pdu, summary);
      absorb(std::move(r.pdu), std::move(summary));
      if (inbox_.size() > kMaxInbox) {
        differ(nullptr, nullptr, "extra", "", "",
               "the live target sent more than " + std::to_string(kMaxInbox) +
                   " PDUs nothing in the capture matches; the connection is not replayed further");
        stopped_ = true;
        return false;
      }
      return true;
    }
    case sim::Received::Kind::Closed:
      live_closed_ = true;
      return false;
    case sim::Received::Kind::Error:
      differ(nullptr, nullptr, "error", "framing", "", r.error);
      live_closed_ = true;
      session_->close();
      return false;
    case sim::Received::Kind::Timeout:
      return false;
  }
  return false;
}

template <class Pred>
bool ConnectionReplay::wait_for(Pred ready) {
  const auto deadline = Clock::now() + options_.timeout;
  while (!ready()) {
    if (stopped_ || live_closed_) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (!pump(left)) return ready();
  }
  return true;
}

void ConnectionReplay::send(const ScriptPdu& recorded) {
  if (outcome_.verdict == ConnectionVerdict::Skipped) return;
  if (stopped_) {
    ++outcome_.not_sent;
    return;
  }
  if (!recorded.complete) {
    ++outcome_.not_sent;
    stop(recorded, "not-replayed",
         "the PDU was not captured whole (a capture gap or the capture's end); the rest of the "
         "connection is not replayed");
    return;
  }
  if (!opened_ && !open()) {
    ++outcome_.not_sent;
    return;
  }
  wire::Pdu pdu = *recorded.pdu;
  RewriteRules rules{options_.target_name, options_.luns, options_.chap,
                     options_.adopt_recorded_negotiation ? &recorded_outcome_ : nullptr};
  std::string why;
  if (!vars_.rewrite(pdu, rules, shared_.tsih, why)) {
    // The PDU it answers was reported missing, or the profile lets the
    // live target leave it out (an unsolicited ping): nothing to answer.
    ++outcome_.not_sent;
    return;
  }
  const Opcode op = wire::opcode_of(pdu);
  if (const auto* login = std::get_if<wire::LoginRequest>(&pdu)) {
    const auto keys = keys_of(login->data);
    login_sent_.insert(login_sent_.end(), keys.begin(), keys.end());
    if (auto i = key_value(keys, "CHAP_I")) own_chap_i_ = *i;
    if (auto c = key_value(keys, "CHAP_C")) own_chap_c_ = *c;
  }
  if (const auto* cmd = std::get_if<wire::ScsiCommand>(&pdu)) {
    commands_[cmd->initiator_task_tag] = {cmd->cdb[0], cmd->expected_data_transfer_length};
    tasks_.erase(cmd->initiator_task_tag);
  }
  // §3.2.2.1: a non-immediate command waits for the live command window.
  const bool command = op == Opcode::NopOut || op == Opcode::ScsiCommand ||
                       op == Opcode::TaskManagementRequest || op == Opcode::TextRequest ||
                       op == Opcode::LogoutRequest;
  if (command && session_->full_feature() && wire::get_field(pdu, "I").value_or(0) == 0) {
    const auto cmd_sn = static_cast<std::uint32_t>(wire::get_field(pdu, "CmdSN").value_or(0));
    wait_for([&] { return !serial_greater(cmd_sn, session_->max_cmd_sn()); });
    if (serial_greater(cmd_sn, session_->max_cmd_sn())) {
      differ(
          &recorded, nullptr, "window", "CmdSN", std::to_string(cmd_sn),
          "beyond the live MaxCmdSN " + std::to_string(session_->max_cmd_sn()) + "; sent anyway");
    }
  }
  wire::Bytes bytes = session_->encode(pdu);
  // Keep a deliberately bad digest bad (§6.7 is what it tests).
  const auto digests = session_->digests();
  if (recorded.bad_header_digest && digests.header && bytes.size() >= wire::kBhsLength) {
    const std::size_t at = wire::kBhsLength + std::size_t{bytes[4]} * 4;
    if (at < bytes.size()) bytes[at] ^= 0xff;
  }
  if (recorded.bad_data_digest && digests.data && bytes.size() >= wire::kDigestLength) {
    bytes.back() ^= 0xff;
  }
  if (!session_->send(pdu, bytes)) {
    live_closed_ = true;
    ++outcome_.not_sent;
    stop(recorded, "closed", "the live target closed the connection before this PDU was sent");
    return;
  }
  if (const auto itt = owed_answer(pdu)) owed_.insert(*itt);
  ++outcome_.sent;
}

void ConnectionReplay::expect(const ScriptPdu& recorded) {
  if (stopped_ || !opened_) return;
  if (!recorded.pdu) {
    ++outcome_.tolerated;  // an undecodable recorded PDU compares with nothing
    return;
  }
  const wire::Pdu& pdu = *recorded.pdu;
  const auto* nop = std::get_if<wire::NopIn>(&pdu);
  const bool optional =
      (nop && nop->initiator_task_tag == wire::kReservedTag &&
       options_.profile.ignore_unsolicited_nop_in) ||
      (std::holds_alternative<wire::AsyncMessage>(pdu) && options_.profile.ignore_async_messages);
  if (optional) {
    // Matched when the live target sent it too (its TTT is then mapped for
    // the answer); never waited for.
    const auto it = std::find_if(inbox_.begin(), inbox_.end(),
                                 [&](const LivePdu& l) { return same_exchange(pdu, l.pdu); });
    if (it == inbox_.end()) {
      ++outcome_.tolerated;
      return;
    }
    const LivePdu live = std::move(*it);
    inbox_.erase(it);
    ++outcome_.compared;
    compare(recorded, live);
    return;
  }
  if (options_.profile.data_in_by_task) {
    if (const auto* d = std::get_if<wire::ScsiDataIn>(&pdu)) return expect_data_in(recorded, *d);
    if (std::holds_alternative<wire::ScsiResponse>(pdu)) return expect_status(recorded);
  }
  expect_exchange(recorded);
}

void ConnectionReplay::expect_exchange(const ScriptPdu& recorded) {
  const wire::Pdu& pdu = *recorded.pdu;
  auto find = [&] {
    return std::find_if(inbox_.begin(), inbox_.end(),
                        [&](const LivePdu& l) { return same_exchange(pdu, l.pdu); });
  };
  if (!wait_for([&] { return find() != inbox_.end(); })) {
    if (live_closed_) {
      stop(recorded, "closed", "the live target closed the connection");
    } else if (!stopped_) {
      differ(&recorded, nullptr, "missing", "", recorded.summary,
             "nothing within " + std::to_string(options_.timeout.count()) + " ms");
    }
    return;
  }
  const auto it = find();
  const LivePdu live = std::move(*it);
  inbox_.erase(it);
  ++outcome_.compared;
  compare(recorded, live);
}

void ConnectionReplay::expect_data_in(const ScriptPdu& recorded, const wire::ScsiDataIn& d) {
  const std::uint32_t itt = d.initiator_task_tag;
  const std::uint64_t need = std::uint64_t{d.buffer_offset} + d.data.size();
  auto has_response = [&] {
    return std::any_of(inbox_.begin(), inbox_.end(), [&](const LivePdu& l) {
      return std::holds_alternative<wire::ScsiResponse>(l.pdu) && itt_of(l.pdu) == itt;
    });
  };
  const bool ready = wait_for([&] {
    const auto it = tasks_.find(itt);
    return (it != tasks_.end() && (it->second.end >= need || it->second.status)) || has_response();
  });
  auto& task = tasks_[itt];
  if (!ready && task.end <= d.buffer_offset) {
    if (live_closed_) return stop(recorded, "closed", "the live target closed the connection");
    differ(&recorded, nullptr, "missing", "data", recorded.summary,
           task.end == 0 ? "no Data-In" : "Data-In up to byte " + std::to_string(task.end));
    return;
  }
  ++outcome_.compared;
  task.compared = true;
  const auto cmd = commands_.find(itt);
  const bool tolerated =
      cmd != commands_.end() && options_.profile.ignore_scsi_data.contains(cmd->second.opcode);
  if (!tolerated) {
    const std::size_t from = std::min<std::size_t>(d.buffer_offset, task.data.size());
    const std::size_t to = std::min<std::size_t>(need, task.end);
    const wire::ByteView live_bytes =
        wire::ByteView(task.data).subspan(from, to > from ? to - from : 0);
    if (auto delta = compare_bytes("data", d.data, live_bytes)) {
      delta->field += " (offset " + std::to_string(d.buffer_offset) + ")";
      const LivePdu live{wire::Pdu(wire::ScsiDataIn{}), "Data-In of ITT " + std::to_string(itt)};
      differ(&recorded, &live, "data", delta->field, delta->recorded, delta->live);
    }
  }
  if (d.status_present) expect_status(recorded);
}

void ConnectionReplay::expect_status(const ScriptPdu& recorded) {
  const std::uint32_t itt = itt_of(*recorded.pdu);
  auto response = [&] {
    return std::find_if(inbox_.begin(), inbox_.end(), [&](const LivePdu& l) {
      return std::holds_alternative<wire::ScsiResponse>(l.pdu) && itt_of(l.pdu) == itt;
    });
  };
  auto has_status = [&] {
    const auto t = tasks_.find(itt);
    return (t != tasks_.end() && t->second.status && !t->second.status_used) ||
           response() != inbox_.end();
  };
  if (!wait_for(has_status)) {
    if (live_closed_) return stop(recorded, "closed", "the live target closed the connection");
    differ(&recorded, nullptr, "missing", "status", recorded.summary,
           "no status within " + std::to_string(options_.timeout.count()) + " ms");
    return;
  }
  LivePdu live;
  auto& task = tasks_[itt];
  if (task.status && !task.status_used) {
    live = *task.status;
    task.status_used = true;
  } else {
    const auto it = response();
    live = std::move(*it);
    inbox_.erase(it);
  }
  if (std::holds_alternative<wire::ScsiResponse>(*recorded.pdu)) ++outcome_.compared;
  compare_status(recorded, live);
}

void ConnectionReplay::check_live_stat_sn(const wire::Pdu& pdu, const std::string& summary) {
  if (!sim::carries_status_sn(pdu)) return;
  const auto sn = static_cast<std::uint32_t>(wire::get_field(pdu, "StatSN").value_or(0));
  // §3.2.2.2: StatSN counts the status PDUs of a connection one by one, in
  // the order the target sends them; the first Login Response's is the
  // target's choice. Which task completes first may differ from the
  // capture, so this is checked on the live sequence, not against it.
  if (last_live_stat_sn_ && sn != *last_live_stat_sn_ + 1) {
    const LivePdu live{pdu, summary};
    differ(nullptr, &live, "field", "StatSN", "",
           std::to_string(sn) + " (expected " + std::to_string(*last_live_stat_sn_ + 1) +
               ", the next of the live connection)");
  }
  last_live_stat_sn_ = sn;
}

void ConnectionReplay::learn_stat_sn(const ScriptPdu& recorded, const LivePdu& live) {
  if (!sim::carries_status_sn(*recorded.pdu) || !sim::carries_status_sn(live.pdu)) return;
  vars_.learn_stat_sn(
      static_cast<std::uint32_t>(wire::get_field(*recorded.pdu, "StatSN").value_or(0)),
      static_cast<std::uint32_t>(wire::get_field(live.pdu, "StatSN").value_or(0)));
}

void ConnectionReplay::compare_status(const ScriptPdu& recorded, const LivePdu& live) {
  learn_stat_sn(recorded, live);
  const wire::Pdu& rec = *recorded.pdu;
  auto report = [&](const std::vector<FieldDelta>& deltas) {
    for (const auto& d : deltas) differ(&recorded, &live, "status", d.field, d.recorded, d.live);
  };
  // When the profile lets a command's data differ, its length (and so the
  // residual, §10.4.6) may differ too.
  const auto cmd = commands_.find(itt_of(rec));
  const bool data_tolerated =
      cmd != commands_.end() && options_.profile.ignore_scsi_data.contains(cmd->second.opcode);
  std::vector<std::string> skip{"F", "A", "DataSN", "BufferOffset", "ExpDataSN"};
  if (data_tolerated) skip.insert(skip.end(), {"U", "O", "ResidualCount"});
  if (wire::opcode_of(rec) == wire::opcode_of(live.pdu)) {
    // Data-In PDU boundaries are not compared by task (the profile says so).
    report(compare_header(rec, live.pdu, options_.profile, skip));
  } else {
    // The status came in a Data-In on one side and a SCSI Response on the
    // other (§10.7.3 lets the target choose).
    const StatusView a = status_view(rec);
    const StatusView b = status_view(live.pdu);
    std::vector<FieldDelta> deltas;
    auto field = [&](const char* name, std::uint64_t x, std::uint64_t y) {
      if (x != y) deltas.push_back({name, std::to_string(x), std::to_string(y)});
    };
    field("Response", a.response, b.response);
    field("Status", a.status, b.status);
    if (!data_tolerated) {
      field("U", a.underflow, b.underflow);
      field("O", a.overflow, b.overflow);
      field("ResidualCount", a.residual, b.residual);
    }
    report(deltas);
  }
  const StatusView a = status_view(rec);
  const StatusView b = status_view(live.pdu);
  if (auto d = compare_sense(a.segment, b.segment, options_.profile)) {
    differ(&recorded, &live, "sense", d->field, d->recorded, d->live);
  }
}

void ConnectionReplay::compare(const ScriptPdu& recorded, const LivePdu& live) {
  const wire::Pdu& rec = *recorded.pdu;
  const Opcode op = wire::opcode_of(rec);
  if (op == Opcode::ScsiResponse || (op == Opcode::ScsiDataIn && wire::get_field(rec, "S") == 1 &&
                                     !options_.profile.data_in_by_task)) {
    compare_status(recorded, live);
  } else {
    std::vector<std::string> skip;
    // §10.19.2: the LUN of a NOP-In must be correct when its TTT is valid;
    // a NOP-In answering a NOP-Out (TTT 0xffffffff) need not echo it.
    if (const auto* nop = std::get_if<wire::NopIn>(&rec);
        nop && nop->target_transfer_tag == wire::kReservedTag &&
        std::get<wire::NopIn>(live.pdu).target_transfer_tag == wire::kReservedTag) {
      skip.emplace_back("LUN");
    }
    for (const auto& d : compare_header(rec, live.pdu, options_.profile, skip)) {
      differ(&recorded, &live, "field", d.field, d.recorded, d.live);
    }
    learn_stat_sn(recorded, live);
  }
  if (carries_ttt(op)) {
    const auto a = static_cast<std::uint32_t>(
        wire::get_field(rec, "TargetTransferTag").value_or(wire::kReservedTag));
    const auto b = static_cast<std::uint32_t>(
        wire::get_field(live.pdu, "TargetTransferTag").value_or(wire::kReservedTag));
    if ((a == wire::kReservedTag) != (b == wire::kReservedTag)) {
      differ(&recorded, &live, "field", "TargetTransferTag", std::to_string(a), std::to_string(b));
    } else if (a != wire::kReservedTag) {
      vars_.learn_ttt(a, b);
    }
  }
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        const auto& l = std::get<T>(live.pdu);
        if constexpr (std::is_same_v<T, wire::LoginResponse> ||
                      std::is_same_v<T, wire::TextResponse>) {
          for (const auto& d : compare_keys(r.data, l.data, options_.profile)) {
            differ(&recorded, &live, "keys", d.field, d.recorded, d.live);
          }
        } else if constexpr (std::is_same_v<T, wire::Reject>) {
          // §10.17.1: the data segment is the rejected PDU's header, which
          // replay rewrote: its opcode and ITT identify it.
          auto id = [](const wire::Bytes& h) {
            return h.size() >= wire::kBhsLength
                       ? wire::to_hex(wire::ByteView(h).first(1)) + " ITT " +
                             wire::to_hex(wire::ByteView(h).subspan(16, 4))
                       : std::string("(no header)");
          };
          if (id(r.data) != id(l.data)) {
            differ(&recorded, &live, "data", "rejected PDU", id(r.data), id(l.data));
          }
        } else if constexpr (std::is_same_v<T, wire::NopIn> ||
                             std::is_same_v<T, wire::AsyncMessage>) {
          if (auto d = compare_bytes("data", r.data, l.data)) {
            differ(&recorded, &live, "data", d->field, d->recorded, d->live);
          }
        } else if constexpr (std::is_same_v<T, wire::ScsiDataIn>) {
          const auto cmd = commands_.find(r.initiator_task_tag);
          const bool tolerated = cmd != commands_.end() &&
                                 options_.profile.ignore_scsi_data.contains(cmd->second.opcode);
          if (!tolerated) {
            if (auto d = compare_bytes("data", r.data, l.data)) {
              differ(&recorded, &live, "data", d->field, d->recorded, d->live);
            }
          }
        }
      },
      rec);
  if (op == Opcode::LoginResponse) learn_login(recorded, live);
}

void ConnectionReplay::learn_login(const ScriptPdu& recorded, const LivePdu& live) {
  const auto& rec = std::get<wire::LoginResponse>(*recorded.pdu);
  const auto& lr = std::get<wire::LoginResponse>(live.pdu);
  // §10.13.4: the TSIH is the target's; only whether one was given compares.
  if ((rec.tsih == 0) != (lr.tsih == 0)) {
    differ(&recorded, &live, "field", "TSIH", std::to_string(rec.tsih), std::to_string(lr.tsih));
  } else if (rec.tsih != 0) {
    shared_.tsih[rec.tsih] = lr.tsih;
  }
  const auto keys = lr.continue_ ? std::vector<wire::text::KeyValue>{} : keys_of(lr.data);
  vars_.learn_challenge(keys);
  login_answers_.insert(login_answers_.end(), keys.begin(), keys.end());
  const auto n = key_value(keys, "CHAP_N");
  const auto r = key_value(keys, "CHAP_R");
  if (options_.mutual_chap && r && own_chap_i_ && own_chap_c_) {
    // §11.1.4: with mutual CHAP the target answers the initiator's challenge.
    namespace chap = session::chap;
    const auto id = chap::decode_identifier(*own_chap_i_);
    const auto challenge = chap::decode_binary(*own_chap_c_);
    const auto answer = chap::decode_binary(*r);
    const auto wanted = id && challenge
                            ? chap::md5_response(*id, options_.mutual_chap->secret, *challenge)
                            : std::nullopt;
    const bool good = answer && wanted && chap::constant_time_equal(*answer, *wanted) &&
                      n == options_.mutual_chap->user;
    if (!good) {
      differ(&recorded, &live, "chap", "CHAP_R", "the response of " + options_.mutual_chap->user,
             "CHAP_N=" + n.value_or("") + " with a response that does not match");
    }
  }
  if (lr.status_class == 0 && lr.transit && lr.nsg == 3) {
    session_->enter_full_feature(login_sent_, login_answers_, lr.tsih);
  }
}

bool ConnectionReplay::poll(std::chrono::milliseconds timeout) {
  if (!opened_ || stopped_ || live_closed_ || finished_) return false;
  return pump(timeout);
}

void ConnectionReplay::end_as_recorded(std::chrono::milliseconds quiet,
                                       std::chrono::milliseconds limit) {
  if (!opened_ || finished_) return;
  const auto deadline = Clock::now() + limit;
  while (!owed_.empty() && Clock::now() < deadline && poll(quiet)) {
  }
  finish();
}

void ConnectionReplay::finish() {
  if (!opened_ || finished_) return;
  finished_ = true;
  const bool cut = script_.report.end == "the capture ended";
  auto extra = [&](const LivePdu& l) {
    if (cut) {
      // The capture stops mid-connection: what the live target sent after
      // it has nothing recorded to compare with.
      ++outcome_.tolerated;
      return;
    }
    differ(nullptr, &l, "extra", "", "(not in the capture)", l.summary);
  };
  for (const auto& l : inbox_) {
    const auto* nop = std::get_if<wire::NopIn>(&l.pdu);
    if ((nop && nop->initiator_task_tag == wire::kReservedTag &&
         options_.profile.ignore_unsolicited_nop_in) ||
        (std::holds_alternative<wire::AsyncMessage>(l.pdu) &&
         options_.profile.ignore_async_messages)) {
      continue;
    }
    extra(l);
  }
  for (const auto& [itt, task] : tasks_) {
    if (task.live_pdus > 0 && !task.compared && task.end > 0) {
      extra(LivePdu{wire::Pdu(wire::ScsiDataIn{}),
                    std::to_string(task.end) + " bytes of Data-In for ITT " + std::to_string(itt)});
    }
    if (task.status && !task.status_used) extra(*task.status);
  }
  inbox_.clear();
  if (session_) session_->close();
}

}  // namespace iscsi::replay
