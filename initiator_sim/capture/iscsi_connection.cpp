#include "capture/iscsi_connection.h"

#include "capture/bhs_check.h"
#include "wire/error.h"
#include "wire/pdu_codec.h"
#include "wire/pdu_fields.h"

namespace iscsi::capture {

namespace {

using wire::Opcode;

bool carries_text(std::uint8_t op) {
  switch (static_cast<Opcode>(op)) {
    case Opcode::LoginRequest:
    case Opcode::LoginResponse:
    case Opcode::TextRequest:
    case Opcode::TextResponse:
      return true;
    default:
      return false;
  }
}

std::string yes_no_digest(bool on) {
  return on ? "CRC32C" : "None";
}

}  // namespace

IscsiConnection::IscsiConnection(const TcpConnectionInfo& info, DecodeContext& context)
    : ctx_(context), info_(info) {
  for (int i = 0; i < 2; ++i) {
    events_[i].conn = this;
    events_[i].side = i;
  }
  report_.syn_seen = info.client_known;
  report_.first = info.first;
  report_.initiator = info.endpoints[0];
  report_.target = info.endpoints[1];
  const bool port0 = context.options.target_ports.count(info.endpoints[0].port) > 0;
  const bool port1 = context.options.target_ports.count(info.endpoints[1].port) > 0;
  if (info.client_known) {
    initiator_side_ = 0;  // the client opens the connection (§5.3: the initiator connects)
  } else if (port0 != port1) {
    initiator_side_ = port1 ? 0 : 1;
  }
  if (port0 || port1) {
    become_iscsi(info.first);
  } else if (!info.client_known) {
    state_ = State::Ignored;  // neither a target port nor a captured login to go by
  }
}

void IscsiConnection::become_iscsi(const PacketRef& at) {
  state_ = State::Iscsi;
  report_.id = ctx_.next_connection++;
  for (int i = 0; i < 2; ++i) {
    streams_[i] = std::make_unique<PduStream>(ctx_.options.framing, events_[i]);
  }
  if (initiator_side_) {
    const int i = *initiator_side_;
    streams_[i]->set_sender(wire::Sender::Initiator);
    streams_[1 - i]->set_sender(wire::Sender::Target);
    report_.roles_known = true;
    report_.initiator = info_.endpoints[i];
    report_.target = info_.endpoints[1 - i];
  }
  if (info_.client_known) {
    // The login is expected from the first byte on: no digests until it
    // negotiates them (§12.1).
    set_digest_modes(DigestMode::Off, DigestMode::Off);
    report_.digest_source = DigestSource::Login;
  }
  ctx_.sink->connection_start(report_);
  if (!info_.client_known) {
    for (auto& s : streams_) s->start_unsynchronised();
    login_not_captured(at, "the capture starts after the TCP handshake");
  }
}

void IscsiConnection::classify_by_login(const PacketRef& at) {
  wire::Bytes first;
  for (const auto& [bytes, ref] : held_) {
    first.insert(first.end(), bytes.begin(), bytes.end());
    if (first.size() >= wire::kBhsLength) break;
  }
  // §10.12: a Login Request has the I bit set and opcode 0x03; §5.3: the
  // initiator sends it first. Login texts fit in a few kilobytes.
  const bool login =
      first[0] == (wire::kImmediateBit | static_cast<std::uint8_t>(Opcode::LoginRequest)) &&
      check_header(wire::ByteView(first).first(wire::kBhsLength), wire::Sender::Initiator, 65536) ==
          HeaderFault::None;
  if (!login) {
    state_ = State::Ignored;
    return;
  }
  initiator_side_ = 0;
  become_iscsi(at);
}

void IscsiConnection::data(int side, wire::ByteView bytes, const PacketRef& at) {
  if (state_ == State::Ignored) return;
  if (state_ == State::Undecided) {
    if (side != 0) {
      state_ = State::Ignored;  // the server spoke first: not an iSCSI target
      return;
    }
    held_.emplace_back(wire::Bytes(bytes.begin(), bytes.end()), at);
    held_bytes_ += bytes.size();
    if (held_bytes_ < wire::kBhsLength) return;
    classify_by_login(held_.front().second);
    if (state_ == State::Iscsi) {
      for (const auto& [piece, ref] : held_) {
        offsets_[0] += piece.size();
        streams_[0]->push(piece, ref);
      }
    }
    held_.clear();
    return;
  }
  offsets_[side] += bytes.size();
  streams_[side]->push(bytes, at);
}

void IscsiConnection::gap(int side, std::uint64_t length, const PacketRef& at,
                          const std::string& why) {
  if (state_ == State::Undecided) {
    state_ = State::Ignored;  // the first bytes are missing: nothing to tell iSCSI by
    held_.clear();
    return;
  }
  if (state_ == State::Ignored) return;
  const auto dir = direction_of(side);
  emit_note(side, at, "gap",
            std::to_string(length) + " bytes of the " +
                (dir ? std::string(direction_name(*dir)) : "side " + std::to_string(side)) +
                " stream from offset " + std::to_string(offsets_[side]) +
                " are not in the capture (" + why + ")");
  offsets_[side] += length;
  streams_[side]->gap(length, at);
}

void IscsiConnection::end(const PacketRef& at, const std::array<TcpStreamStats, 2>& stats,
                          const std::string& how) {
  if (state_ != State::Iscsi) return;
  const int initiator = initiator_side_.value_or(0);
  streams_[initiator]->end(at);
  streams_[1 - initiator]->end(at);
  report_.last = at;
  report_.end = how;
  report_.tcp = {stats[initiator], stats[1 - initiator]};
  report_.garbage_bytes = streams_[0]->garbage_bytes() + streams_[1]->garbage_bytes();
  ctx_.sink->connection_end(report_);
}

std::optional<PduDirection> IscsiConnection::direction_of(int side) const {
  if (!initiator_side_) return std::nullopt;
  return side == *initiator_side_ ? PduDirection::InitiatorToTarget
                                  : PduDirection::TargetToInitiator;
}

void IscsiConnection::on_sender(int side, wire::Sender sender) {
  if (initiator_side_) return;
  const int initiator = sender == wire::Sender::Initiator ? side : 1 - side;
  initiator_side_ = initiator;
  streams_[1 - side]->set_sender(sender == wire::Sender::Initiator ? wire::Sender::Target
                                                                   : wire::Sender::Initiator);
  report_.roles_known = true;
  report_.initiator = info_.endpoints[initiator];
  report_.target = info_.endpoints[1 - initiator];
}

void IscsiConnection::emit_note(std::optional<int> side, const PacketRef& at,
                                const std::string& kind, const std::string& message) {
  Note n;
  n.connection = report_.id;
  if (side) n.direction = direction_of(*side);
  n.at = at;
  n.kind = kind;
  n.message = message;
  if (deferred_) {
    deferred_->push_back(std::move(n));
    return;
  }
  ++ctx_.notes;
  ctx_.sink->note(n);
}

void IscsiConnection::set_digest_modes(DigestMode header, DigestMode data) {
  for (auto& s : streams_) s->set_digests(header, data);
  report_.header_digest =
      header == DigestMode::Unknown ? std::nullopt : std::optional<bool>(header == DigestMode::On);
  report_.data_digest =
      data == DigestMode::Unknown ? std::nullopt : std::optional<bool>(data == DigestMode::On);
}

void IscsiConnection::login_not_captured(const PacketRef& at, const std::string& why) {
  report_.login_captured = false;
  report_.digest_source = DigestSource::Undetermined;
  set_digest_modes(DigestMode::Unknown, DigestMode::Unknown);
  emit_note(std::nullopt, at, "login",
            "login not captured (" + why + "): digests are detected from the stream");
}

void IscsiConnection::on_digest_detected(bool header, bool on, const PacketRef& at) {
  const DigestMode mode = on ? DigestMode::On : DigestMode::Off;
  for (auto& s : streams_) {
    if (header) {
      s->set_digests(mode, s->data_digest());
    } else {
      s->set_digests(s->header_digest(), mode);
    }
  }
  (header ? report_.header_digest : report_.data_digest) = on;
  report_.digest_source = DigestSource::Detected;
  emit_note(std::nullopt, at, "digests",
            std::string(header ? "HeaderDigest" : "DataDigest") + "=" + yes_no_digest(on) +
                ", detected from the CRC32C placements in the stream");
}

void IscsiConnection::on_framed(int side, FramedPdu&& framed) {
  // Notes about this PDU (login outcome, digests) follow it in the output.
  std::vector<Note> notes;
  deferred_ = &notes;
  DecodedPdu d;
  d.index = ctx_.next_pdu++;
  d.connection = report_.id;
  // Roles are known once any defined opcode was framed; before that (a
  // first PDU with an undefined opcode) the first sender is taken as the
  // initiator.
  d.direction = direction_of(side).value_or(side == 0 ? PduDirection::InitiatorToTarget
                                                      : PduDirection::TargetToInitiator);
  const std::uint8_t op = framed.bhs[0] & wire::kOpcodeMask;
  const wire::ByteView bhs(framed.bhs);
  const bool complete = framed.missing == 0 && framed.data.size() == framed.data_segment_length;

  d.issues = framed.issues;
  if (complete) {
    auto decoded = wire::decode_parts(bhs, framed.ahs, framed.data);
    if (decoded) {
      d.pdu = std::move(*decoded);
    } else {
      d.issues.push_back(
          {std::string(wire::decode_errc_name(decoded.error().code)), decoded.error().detail});
    }
  } else if (wire::classify_opcode(op) == wire::OpcodeClass::Defined) {
    // Part of the data segment is not here: the header still decodes.
    auto ahs = wire::decode_ahs(framed.ahs);
    if (!ahs) {
      d.issues.push_back(
          {std::string(wire::decode_errc_name(ahs.error().code)), ahs.error().detail});
    } else {
      wire::Pdu pdu = wire::read_fields(static_cast<Opcode>(op), bhs.data());
      std::visit(
          [&](auto& p) {
            p.ahs = std::move(*ahs);
            p.data = framed.data;
          },
          pdu);
      d.pdu = std::move(pdu);
    }
  } else {
    d.issues.push_back(
        {wire::classify_opcode(op) == wire::OpcodeClass::VendorSpecific ? "vendor-opcode"
                                                                        : "reserved-opcode",
         "opcode 0x" + wire::to_hex(bhs.first(1)) + " is not a PDU of RFC 3720 §10"});
  }
  const wire::Sender expected = d.direction == PduDirection::InitiatorToTarget
                                    ? wire::Sender::Initiator
                                    : wire::Sender::Target;
  if (wire::classify_opcode(op) == wire::OpcodeClass::Defined && wire::sender_of(op) != expected) {
    d.issues.push_back(
        {"wrong-direction", std::string(*wire::opcode_name(op)) + " sent by the " +
                                (expected == wire::Sender::Initiator ? "initiator" : "target")});
  }
  // §10: reserved fields are sent as 0; receivers ignore them, reports show them.
  if (wire::has_reserved_bits_set(bhs)) {
    d.issues.push_back({"reserved-bits-set", "reserved bits of the header are set"});
  }
  if (wire::has_fixed_bits_clear(bhs)) {
    d.issues.push_back({"fixed-bits-clear", "bits the PDU's figure fixes at 1 are 0"});
  }
  if (framed.missing > 0) {
    bool truncated = false;
    for (const auto& i : d.issues) truncated = truncated || i.code == "truncated";
    if (!truncated) {
      d.issues.push_back({"data-missing", std::to_string(framed.missing) +
                                              " bytes of this PDU are not in the capture"});
    }
  }
  if (carries_text(op)) d.keys = split_key_values(framed.data, &d.key_fragment);

  if (d.direction == PduDirection::InitiatorToTarget && !first_initiator_pdu_seen_) {
    first_initiator_pdu_seen_ = true;
    if (info_.client_known) {
      const bool from_start = framed.stream_offset == 0 && !framed.resynchronised;
      if (!from_start) {
        login_not_captured(framed.first, "the initiator's stream does not start with a PDU");
      } else if (op == static_cast<std::uint8_t>(Opcode::LoginRequest)) {
        report_.login_captured = true;
      } else {
        // Nothing was missed: the connection has no login, so no digests
        // were negotiated (§12.1 default None).
        report_.digest_source = DigestSource::Login;
        report_.header_digest = report_.data_digest = false;
        emit_note(side, framed.first, "login",
                  "the initiator's first PDU is not a Login Request (RFC 3720 §5.3: the "
                  "first PDU of a connection is a Login Request); digests stay off");
      }
    }
  }
  const bool login_pdu = op == static_cast<std::uint8_t>(Opcode::LoginRequest) ||
                         op == static_cast<std::uint8_t>(Opcode::LoginResponse);
  if (login_.complete() && report_.login_captured && !login_pdu) {
    // §12.12: each side declares the largest data segment it receives.
    const std::uint32_t limit = d.direction == PduDirection::InitiatorToTarget
                                    ? login_.target_max_recv_data_segment_length()
                                    : login_.initiator_max_recv_data_segment_length();
    if (framed.data_segment_length > limit) {
      d.issues.push_back({"data-segment-too-long",
                          "DataSegmentLength " + std::to_string(framed.data_segment_length) +
                              " exceeds the MaxRecvDataSegmentLength " + std::to_string(limit) +
                              " the receiver declared (RFC 3720 §12.12)"});
    }
  }
  if (d.pdu) {
    std::string problem;
    const auto event = login_.observe(*d.pdu, complete, &problem);
    if (!problem.empty()) d.issues.push_back({"text-not-usable", problem});
    if (event == LoginTracker::Event::LoginFailed) {
      const auto& r = std::get<wire::LoginResponse>(*d.pdu);
      emit_note(side, framed.last, "login",
                "login failed: Status-Class " + std::to_string(r.status_class) +
                    ", Status-Detail " + std::to_string(r.status_detail));
    } else if (event == LoginTracker::Event::LoginComplete && report_.login_captured) {
      set_digest_modes(login_.header_digest() ? DigestMode::On : DigestMode::Off,
                       login_.data_digest() ? DigestMode::On : DigestMode::Off);
      report_.digest_source = DigestSource::Login;
      report_.session_type = login_.session_type();
      emit_note(std::nullopt, framed.last, "login",
                "login complete (SessionType=" + report_.session_type +
                    "): HeaderDigest=" + yes_no_digest(login_.header_digest()) +
                    ", DataDigest=" + yes_no_digest(login_.data_digest()) +
                    " from the next PDU on; MaxRecvDataSegmentLength initiator " +
                    std::to_string(login_.initiator_max_recv_data_segment_length()) + ", target " +
                    std::to_string(login_.target_max_recv_data_segment_length()));
    }
    if (login_.complete() && report_.login_captured && initiator_side_) {
      const int i = *initiator_side_;
      streams_[i]->set_receiver_limit(login_.target_max_recv_data_segment_length());
      streams_[1 - i]->set_receiver_limit(login_.initiator_max_recv_data_segment_length());
    }
  }

  ++report_.pdus;
  ++ctx_.pdus;
  if (!d.issues.empty()) {
    ++report_.pdus_with_issues;
    ++ctx_.pdus_with_issues;
  }
  d.framed = std::move(framed);
  ctx_.sink->pdu(d);
  deferred_ = nullptr;
  for (const Note& n : notes) {
    ++ctx_.notes;
    ctx_.sink->note(n);
  }
}

}  // namespace iscsi::capture
