#include "target_driver.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "session/serial.h"
#include "wire/pdu_codec.h"
#include "wire/pdu_fields.h"
#include "wire/pdu_format.h"
#include "wire/text.h"
#include "wire/text_value.h"

namespace iscsi::fuzz {

using session::sn_ge;
using wire::Pdu;

namespace {

// The last value of `key` in a text, if the text parses and has one.
std::optional<std::string> last_value(const wire::Bytes& text, std::string_view key) {
  auto pairs = wire::text::parse(text);
  if (!pairs) return std::nullopt;
  std::optional<std::string> v;
  for (const auto& kv : *pairs) {
    if (kv.key == key) v = kv.value;
  }
  return v;
}

// §3.2.2.2: PDUs that carry a status advance StatSN; the others carry the
// next StatSN without advancing it (§10.8.3 R2T, §10.19 NOP-In with ITT
// 0xffffffff) or none at all (§10.7.3: Data-In without S).
enum class StatSnUse { Advances, Next, None };

StatSnUse stat_sn_use(const Pdu& pdu) {
  if (const auto* nop = std::get_if<wire::NopIn>(&pdu)) {
    return nop->initiator_task_tag == wire::kReservedTag ? StatSnUse::Next : StatSnUse::Advances;
  }
  if (const auto* d = std::get_if<wire::ScsiDataIn>(&pdu)) {
    return d->status_present ? StatSnUse::Advances : StatSnUse::None;
  }
  if (std::holds_alternative<wire::ReadyToTransfer>(pdu)) return StatSnUse::Next;
  return StatSnUse::Advances;
}

std::string n(std::uint64_t v) {
  return std::to_string(v);
}

// FUZZ_TRACE=1 prints every PDU sent and received (to replay one input).
bool tracing() {
  static const bool on = std::getenv("FUZZ_TRACE") != nullptr;
  return on;
}

// The PDU's line, and for text-carrying PDUs the keys (NULs shown as '|').
void trace_pdu(const char* direction, const Pdu& pdu) {
  std::string line = wire::format_pdu(pdu);
  const auto op = wire::opcode_of(pdu);
  if (op == wire::Opcode::TextRequest || op == wire::Opcode::TextResponse ||
      op == wire::Opcode::LoginRequest || op == wire::Opcode::LoginResponse) {
    line += " text=";
    for (auto b : wire::data_of(pdu)) {
      line += b == 0 ? '|' : (b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.');
    }
  }
  std::fprintf(stderr, "%s %s\n", direction, line.c_str());
}

}  // namespace

TargetDriver::TargetDriver(const session::TargetLimits& limits, const RamLunSetup& lun,
                           const session::AuthSettings* auth)
    : now_(Clock::time_point{} + std::chrono::hours(1)) {
  port_ = make_ram_scsi_port(lun);
  if (!port_) return;
  session::TargetNode node{kTargetName, "fuzz", 1, port_.get()};
  if (auth) {
    node.auth = *auth;
    config_.discovery_auth = *auth;
  }
  config_.targets.push_back(std::move(node));
  config_.random = [state = std::uint32_t{0x2545f491}](std::span<std::uint8_t> out) mutable {
    for (auto& b : out) {
      state = state * 1103515245u + 12345u;
      b = static_cast<std::uint8_t>(state >> 16);
    }
    return true;
  };
  config_.portal_addresses = {"127.0.0.1:3260", "[::1]:3260"};
  config_.limits = limits;
  // What a target checks of its configuration before it serves (§8.2.1).
  if (!session::check_auth(config_).errors.empty()) return;
  conn_ = std::make_unique<session::TargetConnection>(config_, sessions_, now_);
  wire::FramerSettings fs;
  fs.expected_sender = wire::Sender::Target;
  fs.max_recv_data_segment_length = wire::kMaxDataSegmentLength;
  framer_.set_settings(fs);
}

TargetDriver::~TargetDriver() = default;

void TargetDriver::send_bytes(wire::ByteView bytes, std::size_t chunk) {
  if (!encoded_) {
    if (full_feature_) {
      raw_in_full_feature_ = true;
      // Raw bytes may carry a Text Request that declares a new limit.
      static constexpr std::string_view kKey = "MaxRecvDataSegmentLength=";
      if (std::search(bytes.begin(), bytes.end(), kKey.begin(), kKey.end()) != bytes.end()) {
        mrdsl_unknown_ = true;
      }
    } else {
      untracked_ = true;
    }
  }
  const bool was_closed = conn_->wants_close();
  if (tracing() && !encoded_) std::fprintf(stderr, "-> %zu raw bytes\n", bytes.size());
  if (chunk == 0) chunk = bytes.size();
  // At most 64 reads per send: the boundaries still fall anywhere in
  // headers, data and digests, while an 8 KiB login text fed one byte at a
  // time no longer dominates an input's cost (executions per second).
  constexpr std::size_t kMaxPieces = 64;
  chunk = std::max(chunk, (bytes.size() + kMaxPieces - 1) / kMaxPieces);
  while (!bytes.empty()) {
    const auto piece = bytes.first(std::min(chunk, bytes.size()));
    conn_->receive(piece, now_);
    bytes = bytes.subspan(piece.size());
  }
  collect(was_closed);
}

void TargetDriver::send(const Pdu& pdu, std::size_t chunk) {
  send_many({pdu}, chunk);
}

void TargetDriver::send_many(const std::vector<Pdu>& pdus, std::size_t chunk) {
  wire::Bytes bytes;
  for (const Pdu& pdu : pdus) {
    if (const auto* login = std::get_if<wire::LoginRequest>(&pdu)) {
      login_text_sent_.insert(login_text_sent_.end(), login->data.begin(), login->data.end());
    }
    if (const auto* text = std::get_if<wire::TextRequest>(&pdu); text && full_feature_) {
      // §12.12: a text negotiation may declare a new MaxRecvDataSegmentLength;
      // it holds once the target answered the text. A new text forgets what
      // an earlier request with the same tag declared: that one was never
      // answered (e.g. a CmdSN outside the window is silently ignored).
      if (text_sent_.empty()) text_declarations_.erase(text->initiator_task_tag);
      text_sent_.insert(text_sent_.end(), text->data.begin(), text->data.end());
      if (!text->continue_) {
        std::optional<std::uint32_t> declared;
        if (auto v = last_value(text_sent_, "MaxRecvDataSegmentLength")) {
          if (auto m = wire::text::parse_numerical(*v)) declared = static_cast<std::uint32_t>(*m);
        }
        text_sent_.clear();
        if (declared) text_declarations_[text->initiator_task_tag] = *declared;
      }
    }
    if (const auto* cmd = std::get_if<wire::ScsiCommand>(&pdu); cmd && full_feature_) {
      TaskSeq& t = tasks_[cmd->initiator_task_tag];
      t.commands += 1;
      t.edtl = std::max(t.edtl, cmd->expected_data_transfer_length);
      // A bidirectional command reads up to its Bidirectional Read Expected
      // Data Transfer Length (§10.2.2.4).
      if (cmd->read && cmd->write) {
        t.edtl = std::max(t.edtl, wire::bidi_read_expected_length(*cmd).value_or(0));
      }
    }
    wire::encode_append(pdu, digests_, bytes);
    if (tracing()) trace_pdu("->", pdu);
  }
  encoded_ = true;
  send_bytes(bytes, chunk);
  encoded_ = false;
}

void TargetDriver::advance(std::chrono::milliseconds dt) {
  const bool was_closed = conn_->wants_close();
  now_ += dt;
  if (tracing()) std::fprintf(stderr, "-- %lld ms later\n", static_cast<long long>(dt.count()));
  conn_->on_timer(now_);
  collect(was_closed);
}

void TargetDriver::request_logout(std::chrono::seconds wait) {
  const bool was_closed = conn_->wants_close();
  if (tracing()) std::fprintf(stderr, "-- the target asks for a logout\n");
  conn_->request_logout(wait, now_);
  collect(was_closed);
}

void TargetDriver::collect(bool was_closed) {
  received_.clear();
  wire::ByteView out = conn_->pending_output();
  const std::size_t total = out.size();
  FUZZ_CHECK(!was_closed || total == 0,
             "the target sent " + n(total) + " bytes after it asked to close the connection");
  bool at_boundary = true;
  while (!out.empty()) {
    const auto step = framer_.feed(out);
    out = out.subspan(step.consumed);
    FUZZ_CHECK(step.state != wire::Framer::State::Failed,
               "the target's output does not frame: " + framer_.failure().detail);
    at_boundary = step.state == wire::Framer::State::Ready;
    if (!at_boundary) continue;
    const wire::Frame& frame = framer_.frame();
    FUZZ_CHECK(!frame.error, "the target sent a bad PDU: " + frame.error->detail);
    auto pdu = frame.decode();
    FUZZ_CHECK(pdu.ok(), "the target sent an undecodable PDU: " + pdu.error().detail);
    if (tracing()) trace_pdu("<-", *pdu);
    check(*pdu, frame.bhs);
    received_.push_back(std::move(*pdu));
    // §12.1: digests start with the first PDU after the final Login Response.
    wire::FramerSettings fs = framer_.settings();
    fs.digests = digests_;
    framer_.set_settings(fs);
  }
  FUZZ_CHECK(at_boundary, "the target's output ends inside a PDU");
  conn_->consume_output(total);
  if (login_failed_) {
    FUZZ_CHECK(conn_->wants_close(),
               "a Login Response with a non-zero Status-Class left the connection open");
  }
}

void TargetDriver::check(const Pdu& pdu, wire::ByteView bhs) {
  const std::size_t data = wire::data_of(pdu).size();
  // §12.12: during login the initiator's declaration is not yet in force.
  const std::uint32_t limit = full_feature_ ? initiator_mrdsl_ : 8192;
  FUZZ_CHECK(untracked_ || mrdsl_unknown_ || data <= limit,
             std::string(wire::opcode_name(wire::opcode_of(pdu))) + " with a data segment of " +
                 n(data) + " bytes over MaxRecvDataSegmentLength " + n(limit));
  check_sequence_numbers(pdu);

  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, wire::LoginResponse>) {
          FUZZ_CHECK(!full_feature_, "Login Response in full feature phase");
          on_login_response(p);
        } else {
          // §5.3: only Login Responses answer during the login phase.
          FUZZ_CHECK(full_feature_, std::string(wire::opcode_name(wire::opcode_of(pdu))) +
                                        " sent during the login phase");
        }
        if constexpr (std::is_same_v<T, wire::ScsiDataIn>) on_data_in(p);
        if constexpr (std::is_same_v<T, wire::ReadyToTransfer>) on_r2t(p);
        if constexpr (std::is_same_v<T, wire::ScsiResponse>) {
          on_status(p.initiator_task_tag, p.exp_data_sn);
        }
        if constexpr (std::is_same_v<T, wire::Reject>) {
          // §10.17.3: the data segment is the complete header of the bad PDU.
          FUZZ_CHECK(p.data.size() == wire::kBhsLength,
                     "Reject with a " + n(p.data.size()) + "-byte data segment");
          // A rejected Text Request declared nothing, and a rejected part of
          // a continued text (C=1) is not part of the text the target
          // assembles.
          text_declarations_.erase(wire::load_be32(p.data.data() + 16));
          if ((p.data[0] & 0x3f) == static_cast<std::uint8_t>(wire::Opcode::TextRequest)) {
            text_sent_.clear();
          }
        }
        if constexpr (std::is_same_v<T, wire::TextResponse>) {
          // §10.11.2: "A Text Response with the C bit set to 1 MUST have the F bit set to 0."
          FUZZ_CHECK(!(p.continue_ && p.final), "Text Response with both C and F");
          text_ttt_.reset();
          if (p.target_transfer_tag != wire::kReservedTag) text_ttt_ = p.target_transfer_tag;
          // Only the final response ends the negotiation (§10.11.1 F bit).
          if (auto it = text_declarations_.find(p.initiator_task_tag);
              p.final && it != text_declarations_.end()) {
            initiator_mrdsl_ = it->second;
            text_declarations_.erase(it);
          }
        }
        if constexpr (std::is_same_v<T, wire::NopIn>) {
          if (p.initiator_task_tag == wire::kReservedTag) {
            // §10.19.2: a target ping carries a TTT other than 0xffffffff.
            FUZZ_CHECK(p.target_transfer_tag != wire::kReservedTag,
                       "unsolicited NOP-In without a TTT");
            ping_ttt_ = p.target_transfer_tag;
          } else {
            // §10.19.2: an answer to an initiator's ping has TTT 0xffffffff.
            FUZZ_CHECK(p.target_transfer_tag == wire::kReservedTag, "NOP-In answer with a TTT");
          }
        }
      },
      pdu);
  (void)bhs;
}

void TargetDriver::check_sequence_numbers(const Pdu& pdu) {
  const auto stat_sn = wire::get_field(pdu, "StatSN");
  const auto exp = wire::get_field(pdu, "ExpCmdSN");
  const auto max = wire::get_field(pdu, "MaxCmdSN");
  if (stat_sn) {
    const auto s = static_cast<std::uint32_t>(*stat_sn);
    switch (stat_sn_use(pdu)) {
      case StatSnUse::Advances:
        FUZZ_CHECK(!next_stat_sn_ || s == *next_stat_sn_,
                   "StatSN " + n(s) + " where " + n(*next_stat_sn_) + " was due");
        next_stat_sn_ = s + 1;
        break;
      case StatSnUse::Next:
        FUZZ_CHECK(!next_stat_sn_ || s == *next_stat_sn_,
                   "StatSN " + n(s) + " where the next StatSN " + n(*next_stat_sn_) +
                       " was due (not advanced)");
        break;
      case StatSnUse::None:
        break;
    }
  }
  if (exp && max) {
    const auto e = static_cast<std::uint32_t>(*exp);
    const auto m = static_cast<std::uint32_t>(*max);
    // §3.2.2.1: "The target MUST NOT transmit a MaxCmdSN that is less than ExpCmdSN-1."
    FUZZ_CHECK(sn_ge(m, e - 1), "MaxCmdSN " + n(m) + " below ExpCmdSN-1 (ExpCmdSN " + n(e) + ")");
    if (full_feature_) {
      // ExpCmdSN is the next CmdSN the target expects: it never goes back.
      FUZZ_CHECK(!have_cmd_sn_ || sn_ge(e, exp_cmd_sn_),
                 "ExpCmdSN went back from " + n(exp_cmd_sn_) + " to " + n(e));
      exp_cmd_sn_ = e;
      max_cmd_sn_ = m;
      have_cmd_sn_ = true;
    }
  }
}

void TargetDriver::on_login_response(const wire::LoginResponse& r) {
  login_text_received_.insert(login_text_received_.end(), r.data.begin(), r.data.end());
  if (r.status_class != 0) {
    login_failed_ = true;
    return;
  }
  if (!r.transit) return;
  // §10.13.3: T=1 moves to the stage NSG names, a later one.
  FUZZ_CHECK(r.nsg != 2 && r.nsg > r.csg,
             "Login Response transits from CSG " + n(r.csg) + " to NSG " + n(r.nsg));
  if (r.nsg != 3) return;
  full_feature_ = true;
  // The initiator's first full-feature PDU carries the CmdSN of the login.
  exp_cmd_sn_ = r.exp_cmd_sn;
  max_cmd_sn_ = r.max_cmd_sn;
  have_cmd_sn_ = true;
  digests_.header = last_value(login_text_received_, "HeaderDigest") == "CRC32C";
  digests_.data = last_value(login_text_received_, "DataDigest") == "CRC32C";
  if (auto v = last_value(login_text_received_, "MaxBurstLength")) {
    if (auto b = wire::text::parse_numerical(*v)) max_burst_ = static_cast<std::uint32_t>(*b);
  }
  if (auto v = last_value(login_text_sent_, "MaxRecvDataSegmentLength")) {
    if (auto m = wire::text::parse_numerical(*v)) initiator_mrdsl_ = static_cast<std::uint32_t>(*m);
  }
}

TargetDriver::TaskSeq& TargetDriver::task_for(std::uint32_t itt, std::uint32_t sn) {
  auto it = tasks_.find(itt);
  if (raw_in_full_feature_ && (it == tasks_.end() || it->second.commands == 0)) {
    // Commands in bytes the driver did not encode are not counted.
    it = tasks_.insert_or_assign(itt, TaskSeq{.commands = 1, .edtl = ~0u}).first;
  }
  FUZZ_CHECK(it != tasks_.end() && it->second.commands > 0,
             "data or R2T for ITT " + n(itt) + ", which names no command sent");
  TaskSeq& t = it->second;
  if (t.started && sn == 0 && (t.commands > 1 || raw_in_full_feature_)) {
    // A task of an earlier command with this ITT ended without status
    // (aborted); this is the next command's first PDU.
    t.started = false;
    t.commands -= 1;
  }
  if (!t.started) {
    t.started = true;
    t.next_data_sn = 0;
    t.next_offset = 0;
    t.burst = 0;
    t.next_r2t_sn = 0;
  }
  return t;
}

void TargetDriver::on_data_in(const wire::ScsiDataIn& d) {
  const auto len = static_cast<std::uint32_t>(d.data.size());
  // §10.7.3: "the S bit can be set only if the F bit is set".
  FUZZ_CHECK(!d.status_present || d.final, "Data-In with S and without F");
  if (len > 0 || !d.status_present) {
    TaskSeq& t = task_for(d.initiator_task_tag, d.data_sn);
    // §10.7.5: DataSN counts the Data-In PDUs of the command from 0.
    FUZZ_CHECK(d.data_sn == t.next_data_sn,
               "Data-In DataSN " + n(d.data_sn) + " where " + n(t.next_data_sn) + " was due");
    // §10.7.4 with DataPDUInOrder=Yes and DataSequenceInOrder=Yes: offsets
    // increase without gaps.
    FUZZ_CHECK(d.buffer_offset == t.next_offset, "Data-In BufferOffset " + n(d.buffer_offset) +
                                                     " where " + n(t.next_offset) + " was due");
    FUZZ_CHECK(t.next_offset + std::uint64_t{len} <= t.edtl,
               "Data-In beyond the ExpectedDataTransferLength " + n(t.edtl));
    t.next_data_sn += 1;
    t.next_offset += len;
    t.burst += len;
    // §12.13: a Data-In sequence is at most MaxBurstLength.
    FUZZ_CHECK(t.burst <= max_burst_,
               "Data-In sequence of " + n(t.burst) + " bytes over MaxBurstLength " + n(max_burst_));
    if (d.final) t.burst = 0;
  }
  if (d.status_present) on_status(d.initiator_task_tag, std::nullopt);
}

void TargetDriver::on_r2t(const wire::ReadyToTransfer& r) {
  TaskSeq& t = task_for(r.initiator_task_tag, r.r2t_sn);
  // §10.8.2: R2TSN counts the R2Ts of the command from 0.
  FUZZ_CHECK(r.r2t_sn == t.next_r2t_sn,
             "R2TSN " + n(r.r2t_sn) + " where " + n(t.next_r2t_sn) + " was due");
  // §10.8.4: "The DesiredDataTransferLength MUST NOT be 0 and MUST not
  // exceed MaxBurstLength."
  FUZZ_CHECK(r.desired_data_transfer_length > 0, "R2T asking for 0 bytes");
  FUZZ_CHECK(r.desired_data_transfer_length <= max_burst_,
             "R2T asking for " + n(r.desired_data_transfer_length) + " bytes, MaxBurstLength " +
                 n(max_burst_));
  FUZZ_CHECK(r.buffer_offset + std::uint64_t{r.desired_data_transfer_length} <= t.edtl,
             "R2T beyond the ExpectedDataTransferLength " + n(t.edtl));
  // §10.8.5: the TTT 0xffffffff is reserved.
  FUZZ_CHECK(r.target_transfer_tag != wire::kReservedTag, "R2T with TTT 0xffffffff");
  t.next_r2t_sn += 1;
  r2ts_.push_back(OpenR2t{r.lun, r.initiator_task_tag, r.target_transfer_tag, r.buffer_offset,
                          r.desired_data_transfer_length, 0, 0});
}

void TargetDriver::on_status(std::uint32_t itt, std::optional<std::uint32_t> exp_data_sn) {
  auto it = tasks_.find(itt);
  if (raw_in_full_feature_ && (it == tasks_.end() || it->second.commands == 0)) return;
  FUZZ_CHECK(it != tasks_.end() && it->second.commands > 0,
             "status for ITT " + n(itt) + ", which names no command awaiting status");
  TaskSeq& t = it->second;
  if (exp_data_sn && t.commands == 1 && !raw_in_full_feature_) {
    // §10.4.8: ExpDataSN is the number of R2T and Data-In PDUs sent for the
    // command (0 when there were none).
    const std::uint32_t sent = t.started ? t.next_data_sn + t.next_r2t_sn : 0;
    FUZZ_CHECK(*exp_data_sn == sent,
               "ExpDataSN " + n(*exp_data_sn) + " after " + n(sent) + " R2T and Data-In PDUs");
  }
  t.commands -= 1;
  t.started = false;
  if (t.commands == 0) tasks_.erase(it);
  std::erase_if(r2ts_, [itt](const OpenR2t& r) { return r.itt == itt; });
}

}  // namespace iscsi::fuzz
