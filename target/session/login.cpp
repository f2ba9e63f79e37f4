#include "session/login.h"

#include <algorithm>
#include <cstdio>

#include "wire/text_value.h"

namespace iscsi::session {

using negotiation::Key;
using negotiation::LoginStatus;
using negotiation::SessionType;
using negotiation::Stage;
using wire::Bytes;
using wire::LoginRequest;
using wire::LoginResponse;

namespace {

// §12.12: until the initiator's own declaration takes effect in full feature
// phase, a Login Response data segment is kept within the default 8192 bytes.
constexpr std::size_t kLoginSegmentLimit = 8192;

constexpr std::uint8_t kSecurityStage = 0;
constexpr std::uint8_t kOperationalStage = 1;
constexpr std::uint8_t kFullFeaturePhase = 3;

Stage stage_of(std::uint8_t csg) {
  return csg == kSecurityStage ? Stage::SecurityNegotiation : Stage::LoginOperationalNegotiation;
}

const wire::text::KeyValue* find_pair(const std::vector<wire::text::KeyValue>& pairs,
                                      std::string_view key) {
  for (const auto& kv : pairs) {
    if (kv.key == key) return &kv;
  }
  return nullptr;
}

}  // namespace

TargetLogin::TargetLogin(const TargetConfig& config, SessionTable& sessions,
                         std::function<void()> close_session)
    : config_(config),
      sessions_(sessions),
      close_session_(std::move(close_session)),
      assembler_(config.limits.max_text_bytes) {}

negotiation::Context TargetLogin::context() const {
  negotiation::Context ctx;
  ctx.stage = stage_;
  ctx.leading = tsih_ == 0;
  ctx.session_type = session_type_;
  return ctx;
}

LoginResponse TargetLogin::response_to(const LoginRequest& request) {
  LoginResponse r;
  r.csg = request.csg;
  r.version_max = kIscsiVersion;
  r.version_active = kIscsiVersion;
  r.isid = request.isid;
  r.tsih = request.tsih;
  r.initiator_task_tag = request.initiator_task_tag;
  // §10.13.4: each Login Response carries the next StatSN of the connection.
  r.stat_sn = stat_sn_++;
  // Login Requests are immediate and do not advance CmdSN (§3.2.2.1).
  r.exp_cmd_sn = cmd_sn_;
  r.max_cmd_sn = cmd_sn_ + config_.limits.cmd_window - 1;
  return r;
}

TargetLogin::Step TargetLogin::fail(LoginStatus status, std::string why,
                                    const LoginRequest* request) {
  failed_ = true;
  failure_status_ = status;
  char code[8];
  std::snprintf(code, sizeof code, "0x%04x", static_cast<unsigned>(status));
  failure_ = std::string(code) + " " + std::string(negotiation::login_status_name(status)) +
             (initiator_name_.empty() ? std::string() : " for " + initiator_name_) + ": " +
             std::move(why);
  LoginResponse r;
  if (request) {
    r = response_to(*request);
  } else {
    r.isid = isid_;
    r.tsih = tsih_;
    r.stat_sn = stat_sn_++;
    r.exp_cmd_sn = cmd_sn_;
    r.max_cmd_sn = cmd_sn_ + config_.limits.cmd_window - 1;
  }
  r.transit = false;
  r.continue_ = false;
  r.nsg = 0;
  r.status_class = negotiation::status_class(status);
  r.status_detail = negotiation::status_detail(status);
  // §10.13.5: after a non-zero Status-Class the connection is closed.
  return Step{{wire::Pdu(std::move(r))}, true, false};
}

TargetLogin::Step TargetLogin::on_other_pdu(std::uint32_t initiator_task_tag) {
  Step s = fail(LoginStatus::InvalidDuringLogin,
                "a PDU other than a Login Request arrived during the login phase", nullptr);
  std::get<LoginResponse>(s.responses.front()).initiator_task_tag = initiator_task_tag;
  return s;
}

std::optional<LoginStatus> TargetLogin::check_header(const LoginRequest& request,
                                                     std::string& why) {
  if (!started_) {
    // §10.12.4: "Version-min ... Version-max": the target answers 0x0205
    // when its version is outside the initiator's range.
    if (request.version_min > kIscsiVersion || request.version_max < kIscsiVersion ||
        request.version_max < request.version_min) {
      why = "no common iSCSI version (Version-max " + std::to_string(request.version_max) +
            ", Version-min " + std::to_string(request.version_min) + ")";
      return LoginStatus::UnsupportedVersion;
    }
    started_ = true;
    isid_ = request.isid;
    tsih_ = request.tsih;
    cid_ = request.cid;
    cmd_sn_ = request.cmd_sn;
    // The connection's StatSN starts where the initiator expects it.
    stat_sn_ = request.exp_stat_sn;
    if (request.csg != kSecurityStage && request.csg != kOperationalStage) {
      why = "the first Login Request has CSG " + std::to_string(request.csg);
      return LoginStatus::InitiatorError;
    }
    stage_ = stage_of(request.csg);
  } else if (!(request.isid == isid_) || request.tsih != tsih_ || request.cid != cid_) {
    // The ISID, TSIH and CID name the session and connection being logged
    // in; they cannot change within one login phase (§5.3, §10.12.5-10.12.7).
    why = "ISID, TSIH or CID changed within the login phase";
    return LoginStatus::InitiatorError;
  }
  cmd_sn_ = request.cmd_sn;
  // §10.12.2: "A Login Request with the C bit set to 1 MUST have the T bit set to 0."
  if (request.transit && request.continue_) {
    why = "Login Request with both T and C set";
    return LoginStatus::InitiatorError;
  }
  // §10.12.3: CSG 2 is reserved and 3 (full feature phase) cannot be a
  // current login stage; the initiator stays in the stage the target is in.
  if (request.csg != kSecurityStage && request.csg != kOperationalStage) {
    why = "CSG " + std::to_string(request.csg) + " is not a login stage";
    return LoginStatus::InitiatorError;
  }
  if (stage_of(request.csg) != stage_) {
    why = "CSG " + std::to_string(request.csg) + " does not match the current login stage";
    return LoginStatus::InitiatorError;
  }
  // §10.12.3: with T=1, NSG names a later stage: 1 or 3 after 0, 3 after 1.
  if (request.transit && (request.nsg == 2 || request.nsg <= request.csg)) {
    why = "transition from CSG " + std::to_string(request.csg) + " to NSG " +
          std::to_string(request.nsg) + " is not allowed";
    return LoginStatus::InitiatorError;
  }
  return std::nullopt;
}

TargetLogin::Step TargetLogin::on_request(const LoginRequest& request) {
  if (failed_) return Step{{}, true, false};
  std::string why;
  if (auto status = check_header(request, why)) return fail(*status, why, &request);
  if (auto status = check_budget(request, why)) return fail(*status, why, &request);

  if (!pending_segments_.empty()) {
    // §10.12.2: while the target's text continues (C=1), the initiator
    // answers each part with an empty Login Request.
    if (!request.data.empty() || request.transit || request.continue_) {
      return fail(LoginStatus::InitiatorError,
                  "expected an empty Login Request while the target's text continues", &request);
    }
    LoginResponse r = response_to(request);
    r.data = std::move(pending_segments_.front());
    pending_segments_.pop_front();
    r.continue_ = !pending_segments_.empty();
    return Step{{wire::Pdu(std::move(r))}, false, false};
  }

  auto added = assembler_.add(request.data, request.continue_);
  if (!added) {
    return fail(LoginStatus::InitiatorError, "login text: " + added.error().detail, &request);
  }
  if (request.continue_) {
    // §10.12.2: the target acknowledges a partial text with an empty response.
    LoginResponse r = response_to(request);
    return Step{{wire::Pdu(std::move(r))}, false, false};
  }
  const Bytes text = assembler_.take();
  wire::text::ParseLimits limits;
  limits.max_value_length = config_.limits.max_text_bytes;
  auto pairs = wire::text::parse(text, limits);
  if (!pairs) {
    return fail(LoginStatus::InitiatorError, "login text: " + pairs.error().detail, &request);
  }
  keys_ += pairs->size();
  if (keys_ > config_.limits.max_login_keys) {
    return fail(
        LoginStatus::OutOfResources,
        "the login sent more than " + std::to_string(config_.limits.max_login_keys) + " keys",
        &request);
  }
  return process_text(request, std::move(*pairs));
}

std::optional<LoginStatus> TargetLogin::check_budget(const LoginRequest& request,
                                                     std::string& why) {
  // Every login is bounded in requests and bytes as well as in time, so an
  // initiator cannot hold the target's resources by talking without end.
  // §10.13.5 0x0302: "The target has insufficient session, connection, or
  // other resources."
  ++requests_;
  bytes_ += request.data.size();
  if (requests_ > config_.limits.max_login_requests) {
    why = "the login sent more than " + std::to_string(config_.limits.max_login_requests) +
          " Login Requests";
    return LoginStatus::OutOfResources;
  }
  if (bytes_ > config_.limits.max_login_bytes) {
    why = "the login sent more than " + std::to_string(config_.limits.max_login_bytes) +
          " bytes of text";
    return LoginStatus::OutOfResources;
  }
  return std::nullopt;
}

std::optional<LoginStatus> TargetLogin::bind_target(const std::vector<wire::text::KeyValue>& pairs,
                                                    std::string& why) {
  const auto* type = find_pair(pairs, negotiation::key_def(Key::SessionType).name);
  const bool discovery = type && type->value == "Discovery";
  session_type_ = discovery ? SessionType::Discovery : SessionType::Normal;
  const auto* initiator = find_pair(pairs, negotiation::key_def(Key::InitiatorName).name);
  // Only a well-formed name goes into logs; the engine refuses the others.
  if (initiator && initiator->value.size() <= negotiation::kSimpleValueMax &&
      wire::text::is_iscsi_name_value(initiator->value)) {
    initiator_name_ = initiator->value;
  }
  if (!discovery) {
    if (const auto* name = find_pair(pairs, negotiation::key_def(Key::TargetName).name)) {
      node_ = config_.find(name->value);
      if (!node_) {
        why = "no target named " + name->value;
        return LoginStatus::NotFound;  // §10.13.5: 0x0203
      }
      // §10.13.5 0x0202: "The initiator is not allowed access to the given
      // target."
      if (initiator && !node_->allows(initiator->value)) {
        why = "the initiator is not in the access list of " + node_->name;
        return LoginStatus::AuthorizationFailure;
      }
    }
  }
  auth_ = &auth_for(config_, node_, session_type_);
  if (tsih_ != 0) {
    // A non-zero TSIH adds a connection to an existing session (§5.3.4).
    if (!sessions_.find(tsih_)) {
      why = "TSIH " + std::to_string(tsih_) + " names no session";
      return LoginStatus::SessionDoesNotExist;  // 0x020A
    }
    why = "this target allows one connection per session (MaxConnections=1)";
    return LoginStatus::TooManyConnections;  // 0x0206
  }
  return std::nullopt;
}

TargetLogin::Step TargetLogin::process_text(const LoginRequest& request,
                                            std::vector<wire::text::KeyValue> pairs) {
  std::string why;
  if (!negotiator_) {
    if (auto status = bind_target(pairs, why)) return fail(*status, why, &request);
    negotiator_ = std::make_unique<negotiation::Negotiator>(negotiation::Role::Target,
                                                            target_policy(config_, node_, *auth_));
  }
  const bool auth_required = auth_->required();
  if (auth_required && !authenticated_ && stage_ != Stage::SecurityNegotiation &&
      !config_.faults.has(Fault::SkipAuthenticationInOperationalStage)) {
    // §5.3: authentication happens in the SecurityNegotiation stage; a
    // target that requires it does not let a login begin in, or move on to,
    // the operational stage without it (so a late AuthMethod is refused
    // here as well). §10.13.5: 0x0201 "Authentication failure".
    return fail(LoginStatus::AuthenticationFailure,
                "authentication is required and the login is in the operational stage", &request);
  }
  auto answers = negotiator_->receive(pairs, context());
  if (!answers) return fail(answers.error().status, answers.error().detail, &request);
  session_type_ = negotiator_->session_type(context());

  std::vector<wire::text::KeyValue> reply = std::move(*answers);
  const std::size_t answers_only = reply.size();
  if (auth_required && stage_ == Stage::SecurityNegotiation) {
    if (auto status = authenticate(pairs, reply, why)) return fail(*status, why, &request);
  }
  const bool challenged = reply.size() > answers_only;  // the CHAP step asked something
  for (auto& offer : negotiator_->offers(context())) reply.push_back(std::move(offer));
  const Bytes text = wire::text::encode(reply);

  // A transition needs every offer of ours answered, and a reply that fits
  // one PDU (otherwise the initiator answers the parts first).
  bool transit =
      request.transit && !negotiator_->has_pending_offers() && text.size() <= kLoginSegmentLimit;
  if (transit && request.csg == kSecurityStage &&
      negotiator_->outcome(Key::AuthMethod) == negotiation::Outcome::Rejected) {
    return fail(LoginStatus::AuthenticationFailure,
                "no acceptable AuthMethod was negotiated in the security stage", &request);
  }
  if (request.transit && request.csg == kSecurityStage && auth_required && !authenticated_) {
    // The initiator wants to leave the security stage unauthenticated. While
    // this reply asks it for the next CHAP step (the AuthMethod selection or
    // the challenge), the target stays in the stage (T=0); otherwise the
    // initiator has nothing left to offer and the login fails (§11.1.4).
    const bool answered_method = find_pair(pairs, negotiation::key_def(Key::AuthMethod).name);
    const bool more = negotiator_->outcome(Key::AuthMethod) == negotiation::Outcome::Agreed &&
                      (answered_method || challenged);
    if (!more) {
      return fail(LoginStatus::AuthenticationFailure,
                  "the initiator left the security stage before authenticating", &request);
    }
    transit = false;
  }

  // Everything that can still fail is decided before the response takes
  // its StatSN, so a refusal carries the next StatSN in sequence (§10.13.4).
  std::optional<std::uint16_t> new_tsih;
  Step step;
  if (transit && request.nsg == kFullFeaturePhase) {
    auto params = negotiator_->finish(context());
    if (!params) return fail(params.error().status, params.error().detail, &request);
    SessionKey key{params->initiator_name, isid_.to_u64(), node_ ? node_->name : std::string()};
    std::uint64_t nexus = 0;
    bool reinstated = false;
    new_tsih = sessions_.create(key, session_type_, close_session_, &nexus, &reinstated);
    if (!new_tsih) return fail(LoginStatus::OutOfResources, "no free TSIH", &request);
    if (reinstated && node_ && node_->scsi) {
      // RFC 5048, which updates RFC 3720 (and RFC 7143 keeps it): the iSCSI
      // layer notifies the SCSI layer of I_T nexus loss on the successful
      // completion of a session reinstatement. Reported here, before the new
      // session's first command, so the outcome does not depend on whether
      // the old connection's teardown has run yet (it then reports nothing:
      // SessionTable::remove sees the new session carrying the nexus).
      node_->scsi->nexus_lost(nexus);
    }
    result_.params = std::move(*params);
    result_.nexus_id = nexus;
  }
  LoginResponse r = response_to(request);
  if (transit) {
    r.transit = true;
    r.nsg = request.nsg;
    if (request.nsg == kFullFeaturePhase) {
      const std::uint16_t tsih = *new_tsih;
      r.tsih = config_.faults.has(Fault::FinalLoginResponseWithoutTsih) ? 0 : tsih;
      result_.node = node_;
      result_.tsih = tsih;
      result_.isid = isid_;
      result_.cid = cid_;
      result_.exp_cmd_sn = request.cmd_sn;
      step.complete = true;
    } else {
      stage_ = stage_of(request.nsg);
    }
  }
  Step out = respond_with_text(std::move(r), text);
  out.complete = step.complete;
  if (out.complete) result_.next_stat_sn = stat_sn_;
  return out;
}

std::optional<LoginStatus> TargetLogin::authenticate(const std::vector<wire::text::KeyValue>& pairs,
                                                     std::vector<wire::text::KeyValue>& reply,
                                                     std::string& why) {
  ChapAuthenticator::Keys keys;
  for (const auto& kv : pairs) {
    if (kv.key == "CHAP_A") keys.a = kv.value;
    if (kv.key == "CHAP_I") keys.i = kv.value;
    if (kv.key == "CHAP_C") keys.c = kv.value;
    if (kv.key == "CHAP_N") keys.n = kv.value;
    if (kv.key == "CHAP_R") keys.r = kv.value;
  }
  // The policy accepts only CHAP when authentication is required, and the
  // engine refuses CHAP keys before CHAP is selected.
  if (negotiator_->outcome(Key::AuthMethod) != negotiation::Outcome::Agreed) return std::nullopt;
  if (!chap_) chap_ = std::make_unique<ChapAuthenticator>(*auth_, config_.random);
  if (auto failure = chap_->step(keys, reply)) {
    why = std::move(failure->why);
    return failure->status;
  }
  authenticated_ = chap_->complete();
  return std::nullopt;
}

TargetLogin::Step TargetLogin::respond_with_text(LoginResponse response, const Bytes& text) {
  Step step;
  auto segments = wire::text::split(text, kLoginSegmentLimit);
  if (segments.empty()) segments.emplace_back();
  response.data = std::move(segments.front());
  response.continue_ = segments.size() > 1;
  for (std::size_t i = 1; i < segments.size(); ++i)
    pending_segments_.push_back(std::move(segments[i]));
  step.responses.push_back(wire::Pdu(std::move(response)));
  return step;
}

}  // namespace iscsi::session
