#include "engine/initiator_session.h"

#include <algorithm>

#include "negotiation/keys.h"
#include "wire/pdu_codec.h"
#include "wire/pdu_fields.h"
#include "wire/pdu_format.h"

namespace iscsi::sim {

using wire::Bytes;
using wire::Pdu;

namespace {

constexpr std::size_t kLogLimit = 256;
constexpr std::uint32_t kLoginSegment = 8192;

}  // namespace

bool carries_status_sn(const Pdu& pdu) {
  return std::visit(
      [](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, wire::ScsiDataIn>) return p.status_present;
        if constexpr (std::is_same_v<T, wire::NopIn>) {
          return p.initiator_task_tag != wire::kReservedTag;
        }
        return std::is_same_v<T, wire::ScsiResponse> ||
               std::is_same_v<T, wire::TaskManagementResponse> ||
               std::is_same_v<T, wire::LoginResponse> || std::is_same_v<T, wire::TextResponse> ||
               std::is_same_v<T, wire::LogoutResponse> || std::is_same_v<T, wire::Reject> ||
               std::is_same_v<T, wire::AsyncMessage>;
      },
      pdu);
}

namespace {

bool is_command(wire::Opcode op) {
  using wire::Opcode;
  return op == Opcode::NopOut || op == Opcode::ScsiCommand || op == Opcode::TaskManagementRequest ||
         op == Opcode::TextRequest || op == Opcode::LogoutRequest;
}

}  // namespace

InitiatorSession::InitiatorSession(std::unique_ptr<Transport> transport)
    : transport_(std::move(transport)) {
  wire::FramerSettings fs;
  fs.max_recv_data_segment_length = kLoginSegment;
  fs.expected_sender = wire::Sender::Target;
  framer_.set_settings(fs);
}

void InitiatorSession::record(bool to_target, const Bytes& bytes, const std::string& summary) {
  if (tap_) tap_(to_target, bytes);
  log_.push_back(WireRecord{to_target, bytes, summary});
  while (log_.size() > kLogLimit) log_.pop_front();
}

Bytes InitiatorSession::encode(const Pdu& pdu) const {
  return wire::encode(pdu, digests_);
}

void InitiatorSession::fill_auto_fields(Pdu& pdu) {
  std::visit(
      [this](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (requires { p.cmd_sn; }) p.cmd_sn = cmd_sn_;
        if constexpr (requires { p.exp_stat_sn; }) p.exp_stat_sn = exp_stat_sn_;
        if constexpr (std::is_same_v<T, wire::ScsiCommand> ||
                      std::is_same_v<T, wire::TaskManagementRequest> ||
                      std::is_same_v<T, wire::TextRequest> ||
                      std::is_same_v<T, wire::LogoutRequest> || std::is_same_v<T, wire::NopOut> ||
                      std::is_same_v<T, wire::LoginRequest>) {
          p.initiator_task_tag = next_itt_++;
        }
        if constexpr (std::is_same_v<T, wire::ScsiCommand> || std::is_same_v<T, wire::NopOut> ||
                      std::is_same_v<T, wire::TaskManagementRequest>) {
          p.lun = lun_;
        }
        if constexpr (std::is_same_v<T, wire::LoginRequest> ||
                      std::is_same_v<T, wire::LogoutRequest>) {
          if constexpr (requires { p.tsih; }) p.tsih = tsih_;
        }
      },
      pdu);
}

bool InitiatorSession::send(const Pdu& pdu, const Bytes& bytes) {
  record(true, bytes, wire::format_pdu(pdu));
  if (!transport_->send(bytes)) return false;
  const wire::Opcode op = wire::opcode_of(pdu);
  if (is_command(op) && wire::get_field(pdu, "I").value_or(0) == 0 &&
      wire::get_field(pdu, "CmdSN") == cmd_sn_) {
    ++cmd_sn_;  // §3.2.2.1: non-immediate commands consume a CmdSN
  }
  return true;
}

void InitiatorSession::observe(const Pdu& pdu) {
  if (carries_status_sn(pdu)) {
    if (auto s = wire::get_field(pdu, "StatSN")) exp_stat_sn_ = static_cast<std::uint32_t>(*s) + 1;
  }
  if (auto e = wire::get_field(pdu, "ExpCmdSN")) exp_cmd_sn_ = static_cast<std::uint32_t>(*e);
  if (auto m = wire::get_field(pdu, "MaxCmdSN")) max_cmd_sn_ = static_cast<std::uint32_t>(*m);
}

void InitiatorSession::answer_ping(const wire::NopIn& ping) {
  // §10.18: the answer to a target ping carries its TTT and ITT 0xffffffff,
  // is immediate, and does not consume a CmdSN.
  wire::NopOut answer;
  answer.immediate = true;
  answer.initiator_task_tag = wire::kReservedTag;
  answer.target_transfer_tag = ping.target_transfer_tag;
  answer.lun = ping.lun;
  answer.cmd_sn = cmd_sn_;
  answer.exp_stat_sn = exp_stat_sn_;
  send(Pdu(answer));
}

Received InitiatorSession::receive(Millis timeout, bool answer_pings) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Millis left = timeout;
  for (;;) {
    // Frame what is already buffered.
    while (inbox_used_ < inbox_.size()) {
      const auto step = framer_.feed(wire::ByteView(inbox_).subspan(inbox_used_));
      inbox_used_ += step.consumed;
      if (step.state == wire::Framer::State::Failed) {
        Received r;
        r.kind = Received::Kind::Error;
        r.error = "cannot frame the target's bytes: " + framer_.failure().detail;
        return r;
      }
      if (step.state != wire::Framer::State::Ready) break;
      const wire::Frame& f = framer_.frame();
      Bytes bytes(f.wire.begin(), f.wire.end());
      auto decoded = f.decode();
      if (!decoded || f.error) {
        Received r;
        r.kind = Received::Kind::Error;
        r.bytes = bytes;
        r.error = "malformed PDU from the target: " +
                  (f.error ? f.error->detail : decoded.error().detail) + " (" +
                  wire::to_hex(f.bhs) + ")";
        record(false, bytes, "undecodable PDU");
        return r;
      }
      record(false, bytes, wire::format_pdu(*decoded));
      observe(*decoded);
      if (answer_pings) {
        if (const auto* nop = std::get_if<wire::NopIn>(&*decoded);
            nop && nop->target_transfer_tag != wire::kReservedTag) {
          answer_ping(*nop);
          continue;
        }
      }
      Received r;
      r.kind = Received::Kind::Pdu;
      r.pdu = std::move(*decoded);
      r.bytes = std::move(bytes);
      return r;
    }
    if (inbox_used_ == inbox_.size()) {
      inbox_.clear();
      inbox_used_ = 0;
    }
    Bytes chunk;
    const RecvStatus st = transport_->receive(chunk, left);
    if (st == RecvStatus::Closed) return Received{Received::Kind::Closed, {}, {}, {}};
    if (st == RecvStatus::Timeout && chunk.empty()) {
      // A TCP transport waits in real time; the in-process one has already
      // advanced its virtual clock by the whole timeout.
      return Received{Received::Kind::Timeout, {}, {}, {}};
    }
    inbox_.insert(inbox_.end(), chunk.begin(), chunk.end());
    left = std::max(
        Millis(0), std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()));
  }
}

bool InitiatorSession::wait_closed(Millis timeout, std::vector<Pdu>* seen) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const Millis left = std::max(
        Millis(0), std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()));
    Received r = receive(left);
    if (r.kind == Received::Kind::Closed) return true;
    if (r.kind != Received::Kind::Pdu) return false;
    if (seen) seen->push_back(std::move(r.pdu));
  }
}

LoginOutcome InitiatorSession::login(const LoginRequestSpec& spec, Millis timeout) {
  LoginOutcome out;
  std::uint8_t stage = spec.security_stage ? 0 : 1;
  std::vector<wire::text::KeyValue> pending =
      spec.security_stage ? spec.security_keys : spec.operational_keys;
  if (!spec.security_stage) {
    pending.insert(pending.begin(), spec.security_keys.begin(), spec.security_keys.end());
  }
  std::vector<wire::text::KeyValue> sent;
  const std::uint32_t itt = next_itt_++;
  tsih_ = spec.tsih;
  std::optional<ChapClient> chap;
  if (spec.chap && spec.security_stage) chap.emplace(*spec.chap);
  for (int round = 0; round < 32; ++round) {
    wire::LoginRequest req;
    req.csg = stage;
    // §5.3.1 / §11.1.4: while CHAP is under way the initiator stays in the
    // security stage; it asks to leave with its CHAP_R.
    req.transit = stage != 0 || !chap || chap->response_sent();
    req.nsg = stage == 0 ? (spec.operational_keys.empty() ? 3 : 1) : 3;
    req.isid = spec.isid;
    req.tsih = spec.tsih;
    req.cid = spec.cid;
    req.initiator_task_tag = itt;
    req.cmd_sn = cmd_sn_;
    req.exp_stat_sn = exp_stat_sn_;
    const Bytes text = wire::text::encode(pending);
    sent.insert(sent.end(), pending.begin(), pending.end());
    pending.clear();
    auto segments = wire::text::split(text, kLoginSegment);
    if (segments.empty()) segments.emplace_back();
    wire::LoginResponse rsp;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      wire::LoginRequest part = req;
      part.continue_ = i + 1 < segments.size();
      part.transit = req.transit && !part.continue_;
      if (!part.transit) part.nsg = 0;
      part.data = std::move(segments[i]);
      if (!send(Pdu(part))) {
        out.error = "the connection closed while sending a Login Request";
        return out;
      }
      Received r = receive(timeout);
      if (r.kind != Received::Kind::Pdu) {
        out.error = r.kind == Received::Kind::Closed
                        ? "the target closed the connection during login"
                    : r.kind == Received::Kind::Timeout ? "no Login Response"
                                                        : r.error;
        return out;
      }
      const auto* lr = std::get_if<wire::LoginResponse>(&r.pdu);
      if (!lr) {
        out.error = "expected a Login Response, got " + wire::format_pdu(r.pdu);
        return out;
      }
      rsp = *lr;
      out.status_class = rsp.status_class;
      out.status_detail = rsp.status_detail;
      if (rsp.status_class != 0) return out;
    }
    // The target's text may continue (C=1): ask for the rest with empty requests.
    Bytes answer_text = rsp.data;
    for (int more = 0; rsp.continue_ && more < 64; ++more) {
      wire::LoginRequest empty = req;
      empty.transit = false;
      empty.nsg = 0;
      send(Pdu(empty));
      Received r = receive(timeout);
      const auto* lr =
          r.kind == Received::Kind::Pdu ? std::get_if<wire::LoginResponse>(&r.pdu) : nullptr;
      if (!lr) {
        out.error = "the target's continued login text did not arrive";
        return out;
      }
      rsp = *lr;
      out.status_class = rsp.status_class;
      out.status_detail = rsp.status_detail;
      if (rsp.status_class != 0) return out;
      answer_text.insert(answer_text.end(), rsp.data.begin(), rsp.data.end());
    }
    auto pairs = wire::text::parse(answer_text);
    if (!pairs) {
      out.error = "the target's login text does not parse: " + pairs.error().detail;
      return out;
    }
    if (chap && stage == 0) {
      auto next = chap->step(*pairs);
      if (!next) {
        // §11.1.4: "If the target authentication fails, the initiator MUST
        // close the connection".
        out.error = "CHAP: " + next.error();
        out.answers.insert(out.answers.end(), pairs->begin(), pairs->end());
        close();
        return out;
      }
      pending = std::move(*next);
      if (rsp.transit && !chap->complete()) {
        out.error = chap->response_sent()
                        ? "CHAP: the target left the security stage without answering the "
                          "initiator's challenge"
                        : "CHAP: the target left the security stage before the CHAP exchange";
        out.answers.insert(out.answers.end(), pairs->begin(), pairs->end());
        close();
        return out;
      }
    }
    for (const auto& kv : *pairs) {
      out.answers.push_back(kv);
      const auto key = negotiation::find_key(kv.key);
      if (!key || kv.value == "Reject" || kv.value == "Irrelevant" || kv.value == "NotUnderstood")
        continue;
      negotiation::apply_value(params_, *key, kv.value, /*from_peer=*/true);
    }
    if (rsp.transit) {
      stage = rsp.nsg;
      if (stage == 3) {
        tsih_ = rsp.tsih;
        break;
      }
      pending = spec.operational_keys;
    }
  }
  if (stage != 3) {
    out.error = "the login did not reach full feature phase";
    return out;
  }
  enter_full_feature(sent, {}, tsih_);
  out.completed = true;
  return out;
}

void InitiatorSession::enter_full_feature(const std::vector<wire::text::KeyValue>& sent,
                                          const std::vector<wire::text::KeyValue>& answers,
                                          std::uint16_t tsih) {
  for (const auto& kv : answers) {
    const auto key = negotiation::find_key(kv.key);
    if (!key || kv.value == "Reject" || kv.value == "Irrelevant" || kv.value == "NotUnderstood")
      continue;
    negotiation::apply_value(params_, *key, kv.value, /*from_peer=*/true);
  }
  // What we declared applies from now on, as do the digests (§12.1, §12.12).
  for (const auto& kv : sent) {
    const auto key = negotiation::find_key(kv.key);
    if (key && *key == negotiation::Key::MaxRecvDataSegmentLength) {
      negotiation::apply_value(params_, *key, kv.value, /*from_peer=*/false);
    }
  }
  tsih_ = tsih;
  digests_.header = params_.header_digest == negotiation::Digest::Crc32c;
  digests_.data = params_.data_digest == negotiation::Digest::Crc32c;
  wire::FramerSettings fs;
  fs.digests = digests_;
  fs.max_recv_data_segment_length = params_.max_recv_data_segment_length_local;
  fs.expected_sender = wire::Sender::Target;
  framer_.set_settings(fs);
  full_feature_ = true;
}

ScsiResult InitiatorSession::scsi(const ScsiRequest& request, Millis timeout) {
  ScsiResult res;
  const auto& p = params_;
  wire::ScsiCommand cmd;
  cmd.read = request.read;
  cmd.write = request.write;
  cmd.attr = request.attr;
  cmd.expected_data_transfer_length = request.expected_length;
  const std::size_t in_bhs = std::min<std::size_t>(16, request.cdb.size());
  std::copy(request.cdb.begin(), request.cdb.begin() + static_cast<std::ptrdiff_t>(in_bhs),
            cmd.cdb.begin());
  if (request.cdb.size() > 16) {
    cmd.ahs.push_back(wire::make_extended_cdb_ahs(wire::ByteView(request.cdb).subspan(16)));
  }
  Pdu pdu(cmd);
  fill_auto_fields(pdu);
  auto& c = std::get<wire::ScsiCommand>(pdu);
  c.lun = request.lun;
  const std::uint32_t itt = c.initiator_task_tag;
  const std::uint32_t to_send =
      request.write ? std::min<std::uint32_t>(request.expected_length,
                                              static_cast<std::uint32_t>(request.data_out.size()))
                    : 0;
  // §3.2.4.2: immediate data up to FirstBurstLength and the target's
  // MaxRecvDataSegmentLength, unsolicited Data-Out after it when InitialR2T=No.
  const std::uint32_t first_burst = std::min(p.first_burst_length, to_send);
  std::uint32_t immediate = 0;
  if (request.write && p.immediate_data) {
    immediate = std::min(first_burst, p.max_recv_data_segment_length_peer);
    c.data.assign(request.data_out.begin(), request.data_out.begin() + immediate);
  }
  const bool unsolicited = request.write && !p.initial_r2t && immediate < first_burst;
  c.final = !unsolicited;
  if (!send(pdu)) {
    res.error = "the connection closed";
    return res;
  }
  auto send_data = [&](std::uint32_t ttt, std::uint32_t offset, std::uint32_t length) {
    std::uint32_t data_sn = 0;
    const std::uint32_t end = offset + length;
    while (offset < end) {
      const std::uint32_t n = std::min(p.max_recv_data_segment_length_peer, end - offset);
      wire::ScsiDataOut d;
      d.lun = request.lun;
      d.initiator_task_tag = itt;
      d.target_transfer_tag = ttt;
      d.exp_stat_sn = exp_stat_sn_;
      d.data_sn = data_sn++;
      d.buffer_offset = offset;
      d.final = offset + n == end;
      const std::uint32_t avail =
          offset < request.data_out.size()
              ? std::min<std::uint32_t>(
                    n, static_cast<std::uint32_t>(request.data_out.size()) - offset)
              : 0;
      d.data.assign(request.data_out.begin() + offset, request.data_out.begin() + offset + avail);
      d.data.resize(n, 0);
      if (!send(Pdu(d))) return false;
      offset += n;
    }
    return true;
  };
  if (unsolicited && !send_data(wire::kReservedTag, immediate, first_burst - immediate)) {
    res.error = "the connection closed";
    return res;
  }
  for (;;) {
    Received r = receive(timeout, /*answer_pings=*/true);
    if (r.kind != Received::Kind::Pdu) {
      res.error = r.kind == Received::Kind::Closed    ? "the target closed the connection"
                  : r.kind == Received::Kind::Timeout ? "no response within the timeout"
                                                      : r.error;
      return res;
    }
    if (const auto* r2t = std::get_if<wire::ReadyToTransfer>(&r.pdu);
        r2t && r2t->initiator_task_tag == itt) {
      ++res.r2ts;
      if (!send_data(r2t->target_transfer_tag, r2t->buffer_offset,
                     r2t->desired_data_transfer_length)) {
        res.error = "the connection closed";
        return res;
      }
      continue;
    }
    if (const auto* din = std::get_if<wire::ScsiDataIn>(&r.pdu);
        din && din->initiator_task_tag == itt) {
      ++res.data_ins;
      const std::size_t end = static_cast<std::size_t>(din->buffer_offset) + din->data.size();
      if (end > request.expected_length) {
        res.error = "Data-In beyond the expected transfer length";
        return res;
      }
      if (res.data_in.size() < end) res.data_in.resize(end);
      std::copy(din->data.begin(), din->data.end(), res.data_in.begin() + din->buffer_offset);
      if (din->status_present) {
        res.completed = true;
        res.status = din->status;
        res.underflow = din->residual_underflow;
        res.overflow = din->residual_overflow;
        res.residual = din->residual_count;
        return res;
      }
      continue;
    }
    if (const auto* rsp = std::get_if<wire::ScsiResponse>(&r.pdu);
        rsp && rsp->initiator_task_tag == itt) {
      res.completed = true;
      res.response = rsp->response;
      res.status = rsp->status;
      res.underflow = rsp->residual_underflow;
      res.overflow = rsp->residual_overflow;
      res.residual = rsp->residual_count;
      if (rsp->data.size() >= 2) {
        const std::size_t len =
            std::min<std::size_t>(wire::load_be16(rsp->data.data()), rsp->data.size() - 2);
        res.sense.assign(rsp->data.begin() + 2,
                         rsp->data.begin() + 2 + static_cast<std::ptrdiff_t>(len));
      }
      return res;
    }
    res.error = "unexpected PDU while waiting for the command: " + wire::format_pdu(r.pdu);
    return res;
  }
}

bool InitiatorSession::logout(Millis timeout) {
  wire::LogoutRequest lo;
  lo.immediate = true;
  Pdu pdu(lo);
  fill_auto_fields(pdu);
  if (!send(pdu)) return false;
  Received r = receive(timeout, true);
  if (r.kind != Received::Kind::Pdu || !std::holds_alternative<wire::LogoutResponse>(r.pdu))
    return false;
  // §10.15.1: Response 0, "connection or session closed successfully".
  if (std::get<wire::LogoutResponse>(r.pdu).response != 0) return false;
  return wait_closed(timeout);
}

}  // namespace iscsi::sim
