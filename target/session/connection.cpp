#include "session/connection.h"

#include <algorithm>

#include "session/data_in.h"
#include "session/serial.h"
#include "wire/pdu_codec.h"
#include "wire/pdu_fields.h"

namespace iscsi::session {

using wire::Bytes;
using wire::ByteView;
using wire::Pdu;
using wire::RejectReason;

namespace {

constexpr std::uint8_t kStatusCheckCondition = 0x02;
// The initiator's data segments during login: the §12.12 default.
constexpr std::uint32_t kLoginDataSegmentLimit = 8192;
// How long a deferred command waits before the logical unit is asked again
// when it said "not yet" past its announced time.
constexpr std::chrono::milliseconds kDeferredRetry{100};

// Fixed-format sense: ABORTED COMMAND with ASC 0x4B (SPC-4 "DATA PHASE
// ERROR" family) and the given qualifier.
Bytes aborted_command_sense(std::uint8_t asc, std::uint8_t ascq) {
  Bytes s(18, 0);
  s[0] = 0x70;
  s[2] = 0x0b;
  s[7] = 10;
  s[12] = asc;
  s[13] = ascq;
  return s;
}

// §10.4.7: the data segment of a SCSI Response with sense is SenseLength
// (2 bytes) followed by the sense data.
Bytes sense_segment(const Bytes& sense) {
  if (sense.empty()) return {};
  Bytes out(2 + sense.size());
  wire::store_be16(out.data(), static_cast<std::uint16_t>(sense.size()));
  std::copy(sense.begin(), sense.end(), out.begin() + 2);
  return out;
}

}  // namespace

TargetConnection::TargetConnection(const TargetConfig& config, SessionTable& sessions,
                                   TimePoint now, std::function<void()> wake)
    : config_(config),
      sessions_(sessions),
      wake_(std::move(wake)),
      close_flag_(std::make_shared<std::atomic<bool>>(false)),
      text_assembler_(config.limits.max_text_bytes) {
  wire::FramerSettings fs;
  fs.max_recv_data_segment_length = kLoginDataSegmentLimit;
  fs.expected_sender = wire::Sender::Initiator;
  framer_.set_settings(fs);
  // Reinstatement may close this connection from another thread: it only
  // sets the shared flag and wakes the owner.
  auto flag = close_flag_;
  auto wake_fn = wake_;
  login_ = std::make_unique<TargetLogin>(config_, sessions_, [flag, wake_fn] {
    flag->store(true);
    if (wake_fn) wake_fn();
  });
  login_deadline_ = now + config_.limits.login_timeout;
  now_ = now;
}

TargetConnection::~TargetConnection() {
  end_session();
}

void TargetConnection::end_session() {
  if (session_ended_) return;
  session_ended_ = true;
  // The nexus is lost only when no newer session of the same initiator
  // port carries it on (see SessionTable::remove).
  forget_deferred(std::nullopt);
  const bool nexus_ended = session_.tsih == 0 || sessions_.remove(session_.tsih);
  if (scsi_ && nexus_ended) scsi_->nexus_lost(session_.nexus_id);
}

void TargetConnection::close(std::string reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = std::move(reason);
}

bool TargetConnection::wants_close() const {
  return closing_ || close_flag_->load();
}

void TargetConnection::request_close() {
  close_flag_->store(true);
  if (wake_) wake_();
}

ByteView TargetConnection::pending_output() const {
  return ByteView(out_).subspan(out_sent_);
}

void TargetConnection::consume_output(std::size_t n) {
  out_sent_ = std::min(out_.size(), out_sent_ + n);
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
}

std::optional<TargetConnection::TimePoint> TargetConnection::next_deadline() const {
  if (closing_) return std::nullopt;
  std::optional<TimePoint> t;
  auto earliest = [&t](TimePoint c) { t = t ? std::min(*t, c) : c; };
  if (phase_ == Phase::Login) earliest(login_deadline_);
  if (phase_ == Phase::FullFeature) {
    if (ping_ttt_) earliest(ping_deadline_);
    if (config_.limits.nop_in_interval.count() > 0 && !ping_ttt_) earliest(next_ping_);
    if (logout_requested_) earliest(logout_deadline_);
    for (const auto& [itt, task] : deferred_) earliest(task.wait.ready_at);
  }
  return t;
}

void TargetConnection::on_timer(TimePoint now) {
  now_ = std::max(now_, now);
  if (closing_) return;
  if (phase_ == Phase::Login && now >= login_deadline_) {
    close("login did not complete within the login timeout");
    return;
  }
  if (phase_ != Phase::FullFeature) return;
  poll_deferred();
  if (logout_requested_ && now >= logout_deadline_) {
    close("the initiator did not log out after the target asked it to");
    return;
  }
  if (ping_ttt_ && now >= ping_deadline_) {
    close("no NOP-Out answered the target's NOP-In ping");
    return;
  }
  if (!ping_ttt_ && config_.limits.nop_in_interval.count() > 0 && now >= next_ping_) {
    // §10.19: a target ping carries a valid TTT and ITT 0xffffffff; StatSN
    // is not advanced.
    wire::NopIn ping;
    ping.initiator_task_tag = wire::kReservedTag;
    ping.target_transfer_tag = next_ttt_++;
    if (ping.target_transfer_tag == wire::kReservedTag) ping.target_transfer_tag = next_ttt_++;
    ping_ttt_ = ping.target_transfer_tag;
    ping_deadline_ = now + config_.limits.nop_in_timeout;
    stamp(ping, false);
    send(Pdu(std::move(ping)));
  }
}

void TargetConnection::request_logout(std::chrono::seconds wait, TimePoint now) {
  if (phase_ != Phase::FullFeature || closing_) {
    close("target shutting down");
    return;
  }
  // §10.9.1: AsyncEvent 1 asks for a logout; Parameter3 is the time in
  // seconds the target waits before it drops the connection.
  wire::AsyncMessage msg;
  msg.initiator_task_tag = wire::kReservedTag;
  msg.async_event = wire::AsyncMessage::LogoutRequested;
  msg.parameter3 = static_cast<std::uint16_t>(std::min<std::int64_t>(wait.count(), 0xffff));
  stamp(msg, true);
  send(Pdu(std::move(msg)));
  logout_requested_ = true;
  logout_deadline_ = now + wait;
}

template <class T>
void TargetConnection::stamp(T& pdu, bool advance_stat_sn) {
  if (config_.faults.has(Fault::StatSnNotAdvanced)) advance_stat_sn = false;
  pdu.stat_sn = advance_stat_sn ? stat_sn_++ : stat_sn_;
  pdu.exp_cmd_sn = exp_cmd_sn_;
  pdu.max_cmd_sn = exp_cmd_sn_ + config_.limits.cmd_window - 1;
}

void TargetConnection::send(Pdu pdu) {
  wire::encode_append(pdu, digests_, out_);
}

void TargetConnection::reject(RejectReason reason, ByteView header) {
  if (config_.faults.has(Fault::SkipReject)) return;
  wire::Reject r;
  r.reason = static_cast<std::uint8_t>(reason);
  r.initiator_task_tag = wire::kReservedTag;
  // §10.17: the data segment is the complete header of the bad PDU, and
  // "StatSN is advanced after a Reject".
  r.data.assign(header.begin(), header.begin() + std::min<std::size_t>(header.size(), 48));
  stamp(r, true);
  send(Pdu(std::move(r)));
}

void TargetConnection::receive(ByteView bytes, TimePoint now) {
  now_ = std::max(now_, now);
  while (!bytes.empty() && !wants_close()) {
    const auto step = framer_.feed(bytes);
    bytes = bytes.subspan(step.consumed);
    if (step.state == wire::Framer::State::Failed) {
      close(std::string(wire::decode_errc_name(framer_.failure().code)) + ": " +
            framer_.failure().detail);
      return;
    }
    if (step.state == wire::Framer::State::Ready) handle_frame(framer_.frame());
  }
  if (phase_ == Phase::FullFeature && config_.limits.nop_in_interval.count() > 0 && !ping_ttt_) {
    next_ping_ = now + config_.limits.nop_in_interval;
  }
}

void TargetConnection::handle_frame(const wire::Frame& frame) {
  if (phase_ == Phase::Login) {
    handle_login_frame(frame);
    return;
  }
  if (phase_ != Phase::FullFeature) return;
  if (frame.error) {
    reject(frame.error->reject_reason, frame.bhs);
    if (frame.error->code == wire::DecodeErrc::DataDigestMismatch &&
        frame.opcode() == wire::Opcode::ScsiDataOut) {
      // §6.7: at ErrorRecoveryLevel 0 the task ends with CHECK CONDITION,
      // ABORTED COMMAND, "protocol service CRC error" (47h/05h).
      const auto header = std::get<wire::ScsiDataOut>(
          wire::read_fields(wire::Opcode::ScsiDataOut, frame.bhs.data()));
      fail_task(header.initiator_task_tag, header, 0x47, 0x05);
    }
    return;
  }
  auto pdu = frame.decode();
  if (!pdu) {
    if (pdu.error().reaction == wire::Reaction::DropConnection) {
      close(pdu.error().detail);
    } else {
      reject(pdu.error().reject_reason, frame.bhs);
    }
    return;
  }
  handle_pdu(std::move(*pdu), frame);
}

void TargetConnection::handle_login_frame(const wire::Frame& frame) {
  TargetLogin::Step step;
  if (frame.opcode() == wire::Opcode::LoginRequest && !frame.error) {
    auto pdu = frame.decode();
    if (!pdu) {
      close("malformed Login Request: " + pdu.error().detail);
      return;
    }
    step = login_->on_request(std::get<wire::LoginRequest>(*pdu));
  } else {
    step = login_->on_other_pdu(wire::load_be32(frame.bhs.data() + 16));
  }
  for (auto& r : step.responses) send(std::move(r));
  if (step.close) {
    close("login failed: " + login_->failure());
    return;
  }
  if (step.complete) enter_full_feature();
}

void TargetConnection::enter_full_feature() {
  session_ = login_->result();
  negotiator_ = login_->take_negotiator();
  login_.reset();
  phase_ = Phase::FullFeature;
  scsi_ = session_.node ? session_.node->scsi : nullptr;
  if (scsi_)
    scsi_->register_nexus(session_.nexus_id, session_.params.initiator_name,
                          session_.isid.to_u64());
  exp_cmd_sn_ = session_.exp_cmd_sn;
  stat_sn_ = session_.next_stat_sn;
  // §12.1: digests apply from the first PDU after the login phase; §12.12:
  // each side's declared MaxRecvDataSegmentLength applies from then on.
  const auto& p = session_.params;
  digests_.header = p.header_digest == negotiation::Digest::Crc32c;
  digests_.data = p.data_digest == negotiation::Digest::Crc32c;
  wire::FramerSettings fs;
  fs.digests = digests_;
  fs.max_recv_data_segment_length = p.max_recv_data_segment_length_local;
  if (config_.faults.has(Fault::AcceptOversizedDataSegment)) {
    fs.max_recv_data_segment_length = wire::kMaxDataSegmentLength;
  }
  fs.expected_sender = wire::Sender::Initiator;
  framer_.set_settings(fs);
}

void TargetConnection::handle_pdu(Pdu pdu, const wire::Frame& frame) {
  using wire::Opcode;
  const Opcode op = wire::opcode_of(pdu);
  switch (op) {
    case Opcode::ScsiDataOut:
      on_data_out(std::get<wire::ScsiDataOut>(pdu), frame.bhs);
      return;
    case Opcode::SnackRequest:
      // §6.1.5: SNACK is for ErrorRecoveryLevel > 0; this target negotiates 0.
      reject(RejectReason::ProtocolError, frame.bhs);
      return;
    case Opcode::LoginRequest:
      // §5.3: a Login Request in full feature phase is a protocol error.
      reject(RejectReason::ProtocolError, frame.bhs);
      return;
    case Opcode::ScsiCommand:
    case Opcode::TaskManagementRequest:
      if (session_.params.session_type == negotiation::SessionType::Discovery) {
        // §3.3: a discovery session carries only text and logout requests.
        reject(RejectReason::CommandNotSupported, frame.bhs);
        return;
      }
      break;
    default:
      break;
  }
  // The I bit and CmdSN of the commands that reach this point (NOP-Out,
  // SCSI Command, Task Management, Text, Logout).
  const auto [immediate, cmd_sn] = std::visit(
      [](const auto& p) -> std::pair<bool, std::uint32_t> {
        if constexpr (requires { p.immediate, p.cmd_sn; }) {
          return {p.immediate, p.cmd_sn};
        } else {
          return {false, 0};
        }
      },
      pdu);
  deliver_in_order(std::move(pdu), cmd_sn, immediate, frame.bhs);
}

void TargetConnection::deliver_in_order(Pdu pdu, std::uint32_t cmd_sn, bool immediate,
                                        ByteView header) {
  if (immediate) {
    // §3.2.2.1: immediate PDUs are delivered at once and do not advance CmdSN.
    execute(std::move(pdu), header);
    return;
  }
  const std::uint32_t max_cmd_sn = exp_cmd_sn_ + config_.limits.cmd_window - 1;
  if (!sn_in_window(cmd_sn, exp_cmd_sn_, max_cmd_sn)) {
    // §3.2.2.1: "the target MUST silently ignore any non-immediate command
    // outside of this range".
    if (config_.faults.has(Fault::AcceptOutOfWindowCmdSn)) execute(std::move(pdu), header);
    return;
  }
  if (cmd_sn == exp_cmd_sn_ && queued_.empty() && aborted_cmd_sns_.empty() && !wants_close()) {
    // The next command in order with nothing waiting: it runs at once, as
    // deliver_queued() would run it, without a detour through the queue.
    ++exp_cmd_sn_;
    execute(std::move(pdu), header);
    if (!queued_.empty() || !aborted_cmd_sns_.empty()) deliver_queued();
    return;
  }
  queued_.emplace(cmd_sn, std::move(pdu));  // a duplicate CmdSN keeps the first
  deliver_queued();
}

void TargetConnection::deliver_queued() {
  // Commands run in CmdSN order; a CmdSN an ABORT TASK declared received
  // (§10.6.1) is consumed without running whatever arrives for it.
  while (!wants_close()) {
    auto next = queued_.find(exp_cmd_sn_);
    const bool aborted = aborted_cmd_sns_.erase(exp_cmd_sn_) > 0;
    if (next == queued_.end() && !aborted) break;
    ++exp_cmd_sn_;
    if (next == queued_.end()) continue;
    Pdu queued = std::move(next->second);
    queued_.erase(next);
    if (!aborted) execute(std::move(queued), {});
  }
}

void TargetConnection::execute(Pdu pdu, ByteView received_header) {
  // The header a Reject quotes: as received, or (for a command that waited
  // in the queue) encoded again from the decoded PDU.
  std::array<std::uint8_t, wire::kBhsLength> encoded{};
  if (received_header.size() < wire::kBhsLength) encoded = wire::encode_bhs(pdu);
  const ByteView header =
      received_header.size() < wire::kBhsLength ? ByteView(encoded) : received_header;
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, wire::NopOut>) {
          on_nop_out(p, header);
        } else if constexpr (std::is_same_v<T, wire::ScsiCommand>) {
          on_scsi_command(std::move(p), header);
        } else if constexpr (std::is_same_v<T, wire::TaskManagementRequest>) {
          on_task_management(p);
        } else if constexpr (std::is_same_v<T, wire::TextRequest>) {
          on_text(p, header);
        } else if constexpr (std::is_same_v<T, wire::LogoutRequest>) {
          on_logout(p, header);
        }
      },
      pdu);
}

void TargetConnection::on_nop_out(const wire::NopOut& nop, ByteView header) {
  if (nop.target_transfer_tag != wire::kReservedTag) {
    // §10.18: the answer to a target ping carries the ping's TTT; a TTT the
    // target never issued is an invalid field (§10.17.1 note 2).
    if (ping_ttt_ && *ping_ttt_ == nop.target_transfer_tag) {
      ping_ttt_.reset();
    } else {
      reject(RejectReason::InvalidPduField, header);
    }
    return;
  }
  if (nop.initiator_task_tag == wire::kReservedTag) {
    // §10.18.1: a NOP-Out that wants no answer (ITT 0xffffffff) "MUST be
    // sent as an immediate command".
    if (!nop.immediate) reject(RejectReason::ProtocolError, header);
    return;
  }
  // §10.19: the answer echoes the ping data and the ITT, TTT 0xffffffff.
  wire::NopIn reply;
  reply.lun = nop.lun;
  reply.initiator_task_tag = nop.initiator_task_tag;
  reply.target_transfer_tag = wire::kReservedTag;
  // §10.19: the ping data comes back, within what the initiator declared it
  // can receive (§12.12).
  reply.data.assign(
      nop.data.begin(),
      nop.data.begin() + std::min<std::size_t>(nop.data.size(),
                                               session_.params.max_recv_data_segment_length_peer));
  if (config_.faults.has(Fault::NopInDropsPingData)) reply.data.clear();
  stamp(reply, true);
  send(Pdu(std::move(reply)));
}

void TargetConnection::on_scsi_command(wire::ScsiCommand cmd, ByteView header) {
  const auto& p = session_.params;
  const std::uint32_t itt = cmd.initiator_task_tag;
  if (itt == wire::kReservedTag) {
    reject(RejectReason::InvalidPduField, header);  // §10.2.1.8: 0xffffffff is reserved
    return;
  }
  if (cmd.attr > wire::ScsiCommand::Aca) {
    reject(RejectReason::ProtocolError, header);  // §10.3.1: ATTR 5-7 are reserved
    return;
  }
  if (tasks_.contains(itt) || deferred_.contains(itt)) {
    reject(RejectReason::InvalidPduField, header);  // the ITT names a task in progress
    return;
  }
  terminated_.erase(itt);
  const auto immediate_length = static_cast<std::uint32_t>(cmd.data.size());
  if (immediate_length > 0 && !config_.faults.has(Fault::AcceptImmediateDataBeyondLimits)) {
    if (!cmd.write || !p.immediate_data || immediate_length > p.first_burst_length ||
        immediate_length > cmd.expected_data_transfer_length) {
      // §10.3: immediate data only with W; §12.11 ImmediateData=No forbids
      // it; §3.2.4.2 caps unsolicited data at FirstBurstLength; and never
      // more than the expected transfer length.
      reject(immediate_length > cmd.expected_data_transfer_length ? RejectReason::InvalidPduField
                                                                  : RejectReason::ProtocolError,
             header);
      return;
    }
  }
  const bool initial_r2t =
      p.initial_r2t && !config_.faults.has(Fault::AcceptUnsolicitedDataUnderInitialR2T);
  if (!cmd.final && (!cmd.write || initial_r2t)) {
    // §10.3.1 F bit: F=0 announces unsolicited Data-Out, which §12.10
    // InitialR2T=Yes forbids and which only writes have.
    reject(RejectReason::ProtocolError, header);
    return;
  }
  if (!scsi_) {
    reject(RejectReason::CommandNotSupported, header);
    return;
  }
  // The CDB is the BHS's 16 bytes unless an Extended CDB AHS adds more.
  Bytes extended_cdb;
  if (!cmd.ahs.empty()) extended_cdb = wire::full_cdb(cmd);
  const ByteView cdb = cmd.ahs.empty() ? ByteView(cmd.cdb) : ByteView(extended_cdb);
  scsi_->advance(now_);
  ScsiPlan plan = scsi_->plan(cmd.lun, cdb, session_.nexus_id,
                              cmd.write ? cmd.expected_data_transfer_length : 0);
  if (plan.direction == DataDirection::Write && !plan.early && !tasks_.empty()) {
    // Bounded memory per connection: while other writes hold buffers, one
    // that would pass the configured total ends with TASK SET FULL (SAM
    // status 28h), which initiators retry.
    std::size_t held = 0;
    for (const auto& [tag, t] : tasks_) held += t.transfer.wanted();
    if (held + plan.transfer_length > config_.limits.max_pending_write_bytes) {
      plan.early = ScsiOutcome{0x28, {}, {}};
    }
  }
  const std::uint32_t expected_out = cmd.write ? cmd.expected_data_transfer_length : 0;
  std::uint32_t read_capacity = 0;
  if (cmd.read) {
    read_capacity = cmd.write ? wire::bidi_read_expected_length(cmd).value_or(0)
                              : cmd.expected_data_transfer_length;
  }
  const bool unsolicited = !cmd.final;
  if (plan.direction != DataDirection::Write && !plan.early && !unsolicited) {
    // Nothing more to receive: run it now.
    complete_command(cmd, cdb, plan, {}, read_capacity, 0, false);
    return;
  }
  if (plan.early && !unsolicited) {
    respond_early(cmd, *plan.early);
    return;
  }
  WriteLimits limits;
  limits.first_burst_length = p.first_burst_length;
  limits.max_burst_length = p.max_burst_length;
  limits.max_outstanding_r2t = p.max_outstanding_r2t;
  limits.unsolicited_allowed = unsolicited;
  // The target asks only for what the CDB writes; everything else the
  // initiator sends unsolicited is absorbed and discarded.
  const std::uint32_t wanted = (plan.direction == DataDirection::Write && !plan.early)
                                   ? std::min(expected_out, plan.transfer_length)
                                   : 0;
  if (plan.direction == DataDirection::Write && !plan.early && !unsolicited &&
      immediate_length >= wanted) {
    // The immediate data holds everything the target asks for and no
    // Data-Out may follow (F=1): the command runs from the PDU's own
    // buffer, as WriteTransfer would have run it (no R2T, the bytes beyond
    // `wanted` discarded).
    complete_command(cmd, cdb, plan, ByteView(cmd.data).first(wanted), read_capacity, 0, false);
    return;
  }
  Bytes immediate = std::move(cmd.data);
  cmd.data.clear();
  auto [it, inserted] =
      tasks_.emplace(itt, WriteTask{cmd, Bytes(cdb.begin(), cdb.end()), plan, read_capacity,
                                    WriteTransfer(expected_out, wanted, immediate, limits)});
  (void)inserted;
  send_r2ts(it->second);
  if (it->second.transfer.complete()) finish_task(itt, it->second);
}

void TargetConnection::send_r2ts(WriteTask& task) {
  auto r2ts = task.transfer.take_r2ts([this] {
    std::uint32_t t = next_ttt_++;
    if (t == wire::kReservedTag) t = next_ttt_++;
    return t;
  });
  for (const R2tRequest& r : r2ts) {
    wire::ReadyToTransfer pdu;
    pdu.lun = task.command.lun;
    pdu.initiator_task_tag = task.command.initiator_task_tag;
    pdu.target_transfer_tag = r.target_transfer_tag;
    pdu.r2t_sn = r.r2t_sn;
    pdu.buffer_offset = r.buffer_offset;
    pdu.desired_data_transfer_length = r.desired_length;
    stamp(pdu, false);  // §10.8.3: R2T carries the next StatSN without advancing it
    send(Pdu(std::move(pdu)));
  }
}

void TargetConnection::finish_task(std::uint32_t itt, WriteTask& task) {
  WriteTask done = std::move(task);
  tasks_.erase(itt);
  if (done.plan.early) {
    respond_early(done.command, *done.plan.early);
    return;
  }
  complete_command(done.command, done.cdb, done.plan, done.transfer.data(), done.read_capacity,
                   done.transfer.r2ts_sent(), true);
}

void TargetConnection::on_data_out(const wire::ScsiDataOut& data, ByteView header) {
  auto it = tasks_.find(data.initiator_task_tag);
  if (it == tasks_.end()) {
    // Data for a task this target already ended is dropped quietly; data
    // for a task it never had is an invalid ITT (§10.17.1 note 2).
    if (!terminated_.contains(data.initiator_task_tag)) {
      reject(RejectReason::InvalidPduField, header);
    }
    return;
  }
  if (it->second.failed) {
    fail_task(data.initiator_task_tag, data, it->second.failed->first, it->second.failed->second);
    return;
  }
  if (auto error = it->second.transfer.on_data_out(data)) {
    reject(error->reject_reason, header);
    fail_task(data.initiator_task_tag, data, 0x4b, error->ascq);
    return;
  }
  send_r2ts(it->second);
  if (it->second.transfer.complete()) finish_task(data.initiator_task_tag, it->second);
}

void TargetConnection::fail_task(std::uint32_t itt, const wire::ScsiDataOut& data, std::uint8_t asc,
                                 std::uint8_t ascq) {
  auto it = tasks_.find(itt);
  if (it == tasks_.end()) return;
  // §10.17.1: "If the error is detected while data from the initiator is
  // still expected ... the target MUST wait until it receives the last
  // expected Data-Out PDUs with the F bit set to 1 before sending the
  // Response PDU" (§6.7 likewise).
  if (!it->second.failed) it->second.failed = std::make_pair(asc, ascq);
  it->second.transfer.drain(data);
  if (it->second.transfer.drained()) {
    terminate_task(itt, it->second.failed->first, it->second.failed->second);
  }
}

void TargetConnection::terminate_task(std::uint32_t itt, std::uint8_t asc, std::uint8_t ascq) {
  auto it = tasks_.find(itt);
  if (it == tasks_.end()) return;
  wire::ScsiResponse rsp;
  rsp.initiator_task_tag = itt;
  rsp.status = kStatusCheckCondition;
  // 47h/05h for a digest failure (§6.7), 4Bh/xxh for data-phase errors.
  rsp.data = sense_segment(aborted_command_sense(asc, ascq));
  rsp.exp_data_sn = it->second.transfer.r2ts_sent();
  stamp(rsp, true);
  tasks_.erase(it);
  terminated_.insert(itt);
  send(Pdu(std::move(rsp)));
}

void TargetConnection::respond_early(const wire::ScsiCommand& cmd, const ScsiOutcome& outcome) {
  wire::ScsiResponse rsp;
  rsp.initiator_task_tag = cmd.initiator_task_tag;
  rsp.status = outcome.status;
  rsp.data = sense_segment(outcome.sense);
  stamp(rsp, true);
  send(Pdu(std::move(rsp)));
}

void TargetConnection::complete_command(const wire::ScsiCommand& cmd, ByteView cdb,
                                        const ScsiPlan& plan, ByteView data_out,
                                        std::uint32_t read_capacity, std::uint32_t r2ts_sent,
                                        bool advance) {
  const std::uint32_t capacity =
      plan.direction == DataDirection::Read ? std::min(read_capacity, plan.transfer_length) : 0;
  // Called straight after plan() the logical units have already seen now_.
  if (advance) scsi_->advance(now_);
  ScsiOutcome outcome = scsi_->execute(cmd.lun, cdb, session_.nexus_id, data_out, capacity);
  if (outcome.deferred) {
    // The logical unit runs a long operation (SANITIZE with IMMED 0): the
    // status follows when it completes (poll_deferred), and the session
    // serves other commands meanwhile.
    DeferredTask task{cmd, plan, read_capacity, r2ts_sent, *outcome.deferred};
    task.command.data.clear();
    deferred_.insert_or_assign(cmd.initiator_task_tag, std::move(task));
    return;
  }
  send_outcome(cmd, plan, std::move(outcome), read_capacity, r2ts_sent);
}

void TargetConnection::poll_deferred() {
  if (deferred_.empty() || !scsi_) return;
  scsi_->advance(now_);
  for (auto it = deferred_.begin(); it != deferred_.end() && !wants_close();) {
    DeferredTask& task = it->second;
    if (task.wait.ready_at > now_) {
      ++it;
      continue;
    }
    ScsiOutcome outcome = scsi_->poll(task.command.lun, task.wait.token);
    if (outcome.deferred) {
      // Not done yet: ask again later, never in a busy loop.
      task.wait.ready_at = std::max(outcome.deferred->ready_at, now_ + kDeferredRetry);
      ++it;
      continue;
    }
    const DeferredTask done = std::move(task);
    it = deferred_.erase(it);
    send_outcome(done.command, done.plan, std::move(outcome), done.read_capacity, done.r2ts_sent);
  }
}

void TargetConnection::forget_deferred(std::optional<std::uint64_t> lun) {
  for (auto it = deferred_.begin(); it != deferred_.end();) {
    if (lun && it->second.command.lun != *lun) {
      ++it;
      continue;
    }
    if (scsi_) scsi_->forget(it->second.command.lun, it->second.wait.token);
    it = deferred_.erase(it);
  }
}

void TargetConnection::send_outcome(const wire::ScsiCommand& cmd, const ScsiPlan& plan,
                                    ScsiOutcome outcome, std::uint32_t read_capacity,
                                    std::uint32_t r2ts_sent) {
  const std::uint32_t capacity =
      plan.direction == DataDirection::Read ? std::min(read_capacity, plan.transfer_length) : 0;
  if (outcome.data_in.size() > capacity) outcome.data_in.resize(capacity);

  // §10.4.5 residuals: what the initiator expected against what the command
  // transferred (or, for overflow, would have transferred).
  bool underflow = false, overflow = false;
  std::uint32_t residual = 0;
  const std::uint32_t expected_out = cmd.write ? cmd.expected_data_transfer_length : 0;
  switch (plan.direction) {
    case DataDirection::Read: {
      const auto sent = static_cast<std::uint32_t>(outcome.data_in.size());
      if (sent == capacity && plan.transfer_length > read_capacity) {
        overflow = true;
        residual = plan.transfer_length - read_capacity;
      } else if (sent < read_capacity) {
        underflow = true;
        residual = read_capacity - sent;
      }
      break;
    }
    case DataDirection::Write:
      if (plan.transfer_length > expected_out) {
        overflow = true;
        residual = plan.transfer_length - expected_out;
      } else if (plan.transfer_length < expected_out) {
        underflow = true;
        residual = expected_out - plan.transfer_length;
      }
      break;
    case DataDirection::None:
      if (cmd.expected_data_transfer_length > 0 && (cmd.read || cmd.write)) {
        underflow = true;
        residual = cmd.expected_data_transfer_length;
      }
      break;
  }

  DataInLimits limits{session_.params.max_recv_data_segment_length_peer,
                      session_.params.max_burst_length};
  if (config_.faults.has(Fault::IgnorePeerMaxRecvDataSegmentLength)) {
    limits.max_segment = session_.params.max_burst_length;
  }
  auto data_in = split_data_in(std::move(outcome.data_in), cmd.initiator_task_tag, limits);
  // §10.7.3: status may ride on the last Data-In unless sense data must be sent.
  const bool status_in_data = !data_in.empty() && outcome.sense.empty();
  for (std::size_t i = 0; i < data_in.size(); ++i) {
    wire::ScsiDataIn& d = data_in[i];
    const bool last = i + 1 == data_in.size();
    if (last && status_in_data) {
      attach_status(d, outcome.status, underflow, overflow, residual);
      stamp(d, true);
    } else {
      stamp(d, false);
      d.stat_sn = 0;  // "StatSN or Reserved": reserved without status
    }
    send(Pdu(std::move(d)));
  }
  if (status_in_data) return;
  wire::ScsiResponse rsp;
  rsp.initiator_task_tag = cmd.initiator_task_tag;
  rsp.status = outcome.status;
  rsp.residual_underflow = underflow;
  rsp.residual_overflow = overflow;
  rsp.residual_count = residual;
  // §10.4.8: ExpDataSN counts the R2T and Data-In PDUs of the command.
  rsp.exp_data_sn = static_cast<std::uint32_t>(data_in.size()) + r2ts_sent;
  rsp.data = sense_segment(outcome.sense);
  stamp(rsp, true);
  send(Pdu(std::move(rsp)));
}

void TargetConnection::on_task_management(const wire::TaskManagementRequest& tmf) {
  using F = wire::TaskManagementRequest;
  using R = wire::TaskManagementResponse;
  std::uint8_t response = R::FunctionComplete;
  bool cold_reset = false;
  auto abort_lun_tasks = [&](std::optional<std::uint64_t> lun) {
    // The commands end unanswered; an operation a deferred one started
    // goes on in the logical unit (SBC-3 §4.11 for SANITIZE).
    forget_deferred(lun);
    for (auto it = tasks_.begin(); it != tasks_.end();) {
      if (!lun || it->second.command.lun == *lun) {
        terminated_.insert(it->first);
        it = tasks_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = queued_.begin(); it != queued_.end();) {
      const auto* cmd = std::get_if<wire::ScsiCommand>(&it->second);
      if (cmd && (!lun || cmd->lun == *lun)) {
        aborted_cmd_sns_.insert(it->first);
        it = queued_.erase(it);
      } else {
        ++it;
      }
    }
  };
  switch (tmf.function) {
    case F::AbortTask: {
      auto it = tasks_.find(tmf.referenced_task_tag);
      bool found = false;
      if (it != tasks_.end()) {
        terminated_.insert(it->first);
        tasks_.erase(it);
        found = true;
      }
      if (auto d = deferred_.find(tmf.referenced_task_tag); d != deferred_.end()) {
        // The command ends unanswered; the operation it started goes on.
        scsi_->forget(d->second.command.lun, d->second.wait.token);
        deferred_.erase(d);
        found = true;
      }
      for (auto q = queued_.begin(); q != queued_.end(); ++q) {
        if (wire::get_field(q->second, "InitiatorTaskTag") == tmf.referenced_task_tag) {
          aborted_cmd_sns_.insert(q->first);
          queued_.erase(q);
          found = true;
          break;
        }
      }
      if (!found) {
        // §10.6.1: a RefCmdSN inside the window and below the TMF's own
        // CmdSN names a command not yet received: it counts as received
        // (and is never executed), and the function completes.
        const std::uint32_t max_cmd_sn = exp_cmd_sn_ + config_.limits.cmd_window - 1;
        if (sn_in_window(tmf.ref_cmd_sn, exp_cmd_sn_, max_cmd_sn) &&
            sn_lt(tmf.ref_cmd_sn, tmf.cmd_sn)) {
          aborted_cmd_sns_.insert(tmf.ref_cmd_sn);
          deliver_queued();  // ExpCmdSN moves past it when it was the next one
        } else if (!config_.faults.has(Fault::AbortUnknownTaskReportsComplete)) {
          response = R::TaskDoesNotExist;
        }
      }
      break;
    }
    case F::AbortTaskSet:
    case F::ClearTaskSet:
      if (!scsi_->lun_exists(tmf.lun)) {
        response = R::LunDoesNotExist;
        break;
      }
      abort_lun_tasks(tmf.lun);
      break;
    case F::LogicalUnitReset:
      if (!scsi_->lun_exists(tmf.lun)) {
        response = R::LunDoesNotExist;
        break;
      }
      abort_lun_tasks(tmf.lun);
      scsi_->reset(ResetKind::LogicalUnit, tmf.lun, session_.nexus_id);
      break;
    case F::TargetWarmReset:
      abort_lun_tasks(std::nullopt);
      scsi_->reset(ResetKind::TargetWarm, 0, session_.nexus_id);
      break;
    case F::TargetColdReset:
      abort_lun_tasks(std::nullopt);
      scsi_->reset(ResetKind::TargetCold, 0, session_.nexus_id);
      cold_reset = true;  // §10.5.1: the target then drops its connections
      break;
    case F::TaskReassign:
      // §10.5.1: reassignment needs ErrorRecoveryLevel 2.
      response = R::ReassignmentNotSupported;
      break;
    default:
      response = R::FunctionNotSupported;
      break;
  }
  R rsp;
  rsp.response = response;
  rsp.initiator_task_tag = tmf.initiator_task_tag;
  stamp(rsp, true);
  send(Pdu(std::move(rsp)));
  if (cold_reset) close("TARGET COLD RESET");
}

void TargetConnection::on_text(const wire::TextRequest& text, ByteView header) {
  // §10.10.2: "A Text Request with the C bit set to 1 MUST have the F bit set to 0."
  if (text.continue_ && text.final) {
    reject(RejectReason::ProtocolError, header);
    return;
  }
  if (!text_pending_.empty() && text.target_transfer_tag == wire::kReservedTag) {
    // §10.10.4: a request with TTT 0xffffffff starts a new negotiation and
    // resets the one in progress.
    text_pending_.clear();
  }
  if (!text_pending_.empty()) {
    // Our response continues: the initiator asks for the next part with an
    // empty request carrying our TTT (§10.11.4).
    if (text.target_transfer_tag != text_ttt_ || !text.data.empty()) {
      text_pending_.clear();
      reject(RejectReason::ProtocolError, header);
      return;
    }
    wire::TextResponse r;
    r.initiator_task_tag = text.initiator_task_tag;
    r.data = std::move(text_pending_.front());
    text_pending_.pop_front();
    r.continue_ = !text_pending_.empty();
    r.final = text_pending_.empty();
    r.target_transfer_tag = r.final ? wire::kReservedTag : text_ttt_;
    stamp(r, true);
    send(Pdu(std::move(r)));
    return;
  }
  if (text.target_transfer_tag != wire::kReservedTag && text_assembler_.size() == 0) {
    // §10.10.4: only a TTT the target handed out continues a sequence.
    reject(RejectReason::InvalidPduField, header);
    return;
  }
  auto added = text_assembler_.add(text.data, text.continue_);
  if (!added) {
    text_assembler_.reset();
    reject(RejectReason::ProtocolError, header);
    return;
  }
  if (text.continue_) {
    // §10.10.2: the target answers a partial text with an empty response.
    wire::TextResponse r;
    r.initiator_task_tag = text.initiator_task_tag;
    r.final = false;
    r.target_transfer_tag = wire::kReservedTag;
    stamp(r, true);
    send(Pdu(std::move(r)));
    return;
  }
  const Bytes body = text_assembler_.take();
  auto pairs = wire::text::parse(body);
  if (!pairs) {
    reject(RejectReason::ProtocolError, header);
    return;
  }
  negotiation::Context ctx;
  ctx.stage = negotiation::Stage::FullFeature;
  ctx.leading = true;
  ctx.session_type = session_.params.session_type;
  // A negotiation ended by a Reject did not take place: what it declared
  // (e.g. MaxRecvDataSegmentLength, §12.12) must not surface when a later
  // one completes, so the state before it is restored.
  const negotiation::Negotiator before = *negotiator_;
  negotiator_->begin_negotiation();
  auto answers = negotiator_->receive(*pairs, ctx);
  std::vector<wire::text::KeyValue> reply;
  if (!answers) {
    // §10.17: a text negotiation that cannot proceed is rejected.
    *negotiator_ = before;
    reject(RejectReason::ProtocolError, header);
    return;
  }
  reply = std::move(*answers);
  if (const auto& query = negotiator_->send_targets_query()) {
    std::vector<negotiation::SendTargetsRecord> records;
    for (const TargetNode& node : config_.targets) {
      const bool wanted = *query == "All"
                              ? session_.params.session_type == negotiation::SessionType::Discovery
                              : (query->empty() ? session_.node == &node : *query == node.name);
      // Appendix D: the records are for targets "the requesting initiator is
      // authorized to access".
      if (!wanted || !node.allows(session_.params.initiator_name)) continue;
      negotiation::SendTargetsRecord rec;
      rec.target_name = node.name;
      for (const std::string& portal : config_.portal_addresses) {
        rec.addresses.push_back(portal + "," + std::to_string(node.portal_group_tag));
      }
      records.push_back(std::move(rec));
    }
    // Appendix D: the response lists the records in place of the query.
    std::vector<wire::text::KeyValue> rest;
    for (auto& kv : reply) {
      if (kv.key != "SendTargets") rest.push_back(std::move(kv));
    }
    reply = negotiation::format_send_targets_response(records);
    for (auto& kv : rest) reply.push_back(std::move(kv));
  }
  const Bytes encoded = wire::text::encode(reply);
  auto segments = wire::text::split(encoded, session_.params.max_recv_data_segment_length_peer);
  if (segments.empty()) segments.emplace_back();
  wire::TextResponse r;
  r.initiator_task_tag = text.initiator_task_tag;
  r.data = std::move(segments.front());
  for (std::size_t i = 1; i < segments.size(); ++i) text_pending_.push_back(std::move(segments[i]));
  r.final = text_pending_.empty();
  r.continue_ = !r.final;
  if (!r.final) {
    text_ttt_ = next_ttt_++;
    if (text_ttt_ == wire::kReservedTag) text_ttt_ = next_ttt_++;
    r.target_transfer_tag = text_ttt_;
  }
  stamp(r, true);
  send(Pdu(std::move(r)));
  // §12.12: MaxRecvDataSegmentLength may be declared again in full feature
  // phase ("Use: ALL"); the new limit governs the Data-In sent from now on.
  session_.params.max_recv_data_segment_length_peer =
      negotiator_->parameters(ctx).max_recv_data_segment_length_peer;
}

void TargetConnection::on_logout(const wire::LogoutRequest& logout, ByteView header) {
  using L = wire::LogoutRequest;
  using R = wire::LogoutResponse;
  R rsp;
  rsp.initiator_task_tag = logout.initiator_task_tag;
  switch (logout.reason_code) {
    case L::CloseSession:
      rsp.response = R::ClosedSuccessfully;
      break;
    case L::CloseConnection:
      // §10.14.3: the CID names the connection to close; this session has one.
      rsp.response = logout.cid == session_.cid ? R::ClosedSuccessfully : R::CidNotFound;
      break;
    case L::RemoveConnectionForRecovery:
      // §10.15.1: connection recovery needs ErrorRecoveryLevel 2.
      rsp.response = R::RecoveryNotSupported;
      break;
    default:
      reject(RejectReason::ProtocolError, header);  // reserved reason code
      return;
  }
  // §10.15.4/§10.15.5: Time2Wait and Time2Retain are 0 at ErrorRecoveryLevel 0.
  stamp(rsp, true);
  send(Pdu(std::move(rsp)));
  if (rsp.response == R::ClosedSuccessfully) {
    tasks_.clear();
    // The session (this connection is its only one) ends before the
    // Logout Response goes out, not when the socket is torn down later:
    // an initiator that sees the response and logs in again, or another
    // initiator it then talks to, finds the nexus gone (its SPC-2
    // reservation released, §10.14 "the session is closed").
    end_session();
    close("logout");
  }
}

}  // namespace iscsi::session
