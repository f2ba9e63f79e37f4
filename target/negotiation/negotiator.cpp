#include "negotiation/negotiator.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "negotiation/value_check.h"
#include "wire/text_value.h"

namespace iscsi::negotiation {

namespace txt = iscsi::wire::text;
using wire::Unexpected;

namespace {

constexpr std::string_view kReject = "Reject";
constexpr std::string_view kIrrelevant = "Irrelevant";
constexpr std::string_view kNotUnderstood = "NotUnderstood";

std::string_view role_name(Role r) {
  return r == Role::Initiator ? "initiator" : "target";
}

std::string_view stage_name(Stage s) {
  switch (s) {
    case Stage::SecurityNegotiation:
      return "the SecurityNegotiation stage";
    case Stage::LoginOperationalNegotiation:
      return "the LoginOperationalNegotiation stage";
    case Stage::FullFeature:
      return "full feature phase";
  }
  return "an unknown stage";
}

std::string section_of(const KeyDef& def) {
  return "RFC 3720 §" + std::string(def.section);
}

// Keys whose answer depends on other keys of the same text are handled after
// them: SessionType and AuthMethod first (irrelevance, the authentication
// exchange), the rest next, then the keys that depend on results (§12.14
// FirstBurstLength on MaxBurstLength/InitialR2T/ImmediateData, §12.19
// MaxOutstandingR2T on ErrorRecoveryLevel/DataSequenceInOrder, Appendix A.3.2
// xFMarkInt on xFMarker, the exchange keys on AuthMethod).
int rank(std::optional<Key> key) {
  if (!key) return 1;
  if (*key == Key::SessionType || *key == Key::AuthMethod) return 0;
  const KeyDef& def = key_def(*key);
  if (def.result == ResultFunction::AuthExchange) return 2;
  if ((def.irrelevant_when & ~kIrrelevantInDiscovery) != 0) return 2;
  if (*key == Key::MaxOutstandingR2T) return 2;
  return 1;
}

AuthFamily family_of(std::string_view method) {
  if (method == "KRB5") return AuthFamily::Kerberos;
  if (method == "SPKM1" || method == "SPKM2") return AuthFamily::Spkm;
  if (method == "SRP") return AuthFamily::Srp;
  if (method == "CHAP") return AuthFamily::Chap;
  return AuthFamily::None;
}

bool list_contains(std::string_view list, std::string_view value) {
  for (std::string_view e : txt::split_list(list)) {
    if (e == value) return true;
  }
  return false;
}

// The policy's value of a key of the given type. Policy keeps every
// negotiated key at its table default or a checked value of the right type;
// the fallbacks only keep this function total.
std::uint64_t local_number(const Policy& p, Key k) {
  const auto* v = std::get_if<std::uint64_t>(&p.value(k));
  return v ? *v : default_number(k);
}
bool local_boolean(const Policy& p, Key k) {
  const auto* v = std::get_if<bool>(&p.value(k));
  return v ? *v : default_boolean(k);
}
Interval local_interval(const Policy& p, Key k) {
  const auto* v = std::get_if<Interval>(&p.value(k));
  return v ? *v : Interval{default_number(k), default_number(k)};
}

}  // namespace

struct Negotiator::Step {
  std::vector<std::optional<std::string>> answers;  // one slot per received pair
  std::vector<Key> irrelevant_answers;  // "Irrelevant" answers, checked once all keys are in
  std::size_t pair_count = 0;
  std::size_t not_understood = 0;
  std::size_t not_understood_bytes = 0;
};

Negotiator::Negotiator(Role role, Policy policy) : role_(role), policy_(std::move(policy)) {}

Negotiator::Result<std::vector<Negotiator::KeyValue>> Negotiator::receive(
    const std::vector<KeyValue>& pairs, const Context& ctx) {
  send_targets_query_.reset();
  if (role_ == Role::Initiator && state(Key::SendTargets).pending) {
    return receive_send_targets_response(pairs);
  }
  if (auto e = check_duplicates(pairs)) return Unexpected{std::move(*e)};
  if (role_ == Role::Target && is_login(ctx.stage) && !first_request_seen_) {
    first_request_seen_ = true;
    if (auto e = check_first_request(pairs, ctx)) return Unexpected{std::move(*e)};
  }

  Step step;
  step.answers.resize(pairs.size());
  step.pair_count = pairs.size();
  std::vector<std::optional<Key>> keys(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) keys[i] = find_key(pairs[i].key);
  for (int r = 0; r <= 2; ++r) {
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (rank(keys[i]) != r) continue;
      if (auto e = process(step, i, keys[i], pairs[i], ctx)) return Unexpected{std::move(*e)};
    }
  }
  for (Key k : step.irrelevant_answers) {
    // §5.2: "Reject or Irrelevant are legitimate negotiation options where
    // allowed"; Irrelevant is allowed only where the key's irrelevance
    // condition holds.
    if (!irrelevant(k, ctx)) {
      return Unexpected{make_error(Errc::InvalidAnswer, key_def(k).name,
                                   "answered Irrelevant although no irrelevance condition of " +
                                       section_of(key_def(k)) + " holds")};
    }
  }
  if (auto e = settle_pending()) return Unexpected{std::move(*e)};

  std::vector<KeyValue> out;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (step.answers[i]) out.push_back(KeyValue{pairs[i].key, std::move(*step.answers[i])});
  }
  return out;
}

std::optional<NegotiationError> Negotiator::check_duplicates(
    const std::vector<KeyValue>& pairs) const {
  std::unordered_set<std::string_view> seen;
  seen.reserve(pairs.size());
  for (const KeyValue& kv : pairs) {
    if (seen.insert(kv.key).second) continue;
    const auto k = find_key(kv.key);
    if (k && key_def(*k).repeatable) continue;
    // §5.3: "Neither the initiator nor the target should attempt to declare
    // or negotiate a parameter more than once during login ... An attempt to
    // renegotiate/redeclare parameters not specifically allowed MUST be
    // detected by the initiator and target."
    return make_error(Errc::RepeatedKey, kv.key, "key sent twice in one text (RFC 3720 §5.3)");
  }
  return std::nullopt;
}

std::optional<NegotiationError> Negotiator::check_first_request(const std::vector<KeyValue>& pairs,
                                                                const Context& ctx) const {
  bool initiator_name = false;
  bool target_name = false;
  std::optional<std::string_view> type;
  for (const KeyValue& kv : pairs) {
    if (kv.key == key_def(Key::InitiatorName).name) initiator_name = true;
    if (kv.key == key_def(Key::TargetName).name) target_name = true;
    if (kv.key == key_def(Key::SessionType).name) type = kv.value;
  }
  // §12.5: "The initiator of the TCP connection MUST provide this key to the
  // remote endpoint at the first Login of the Login Phase for every
  // connection."
  if (!initiator_name) {
    return make_error(Errc::MissingKey, key_def(Key::InitiatorName).name,
                      "the first Login Request of a connection carries no InitiatorName "
                      "(RFC 3720 §5.3.1, §12.5)");
  }
  SessionType t = ctx.session_type;
  if (type) {
    if (*type == "Discovery") {
      t = SessionType::Discovery;
    } else if (*type == "Normal") {
      t = SessionType::Normal;
    } else {
      return std::nullopt;  // reported as an unsupported session type when processed
    }
  }
  // §12.4: "The initiator of the TCP connection MUST provide this key to the
  // remote endpoint in the first login request if the initiator is not
  // establishing a discovery session."
  if (t == SessionType::Normal && !target_name) {
    return make_error(Errc::MissingKey, key_def(Key::TargetName).name,
                      "the first Login Request of a Normal session carries no TargetName "
                      "(RFC 3720 §5.3.1, §12.4)");
  }
  return std::nullopt;
}

std::optional<NegotiationError> Negotiator::process(Step& step, std::size_t index,
                                                    std::optional<Key> key, const KeyValue& kv,
                                                    const Context& ctx) {
  if (!key) {
    // This side never offers keys outside the table, so an unknown key is
    // always the peer's proposal, and §5.2 forbids the answer constants there.
    if (is_answer_constant(kv.value)) {
      return make_error(Errc::ReservedValueOffered, kv.key,
                        "\"" + kv.value + "\" used as a proposed value (RFC 3720 §5.2)");
    }
    // §5.2: "the answer for a key not understood MUST be key=NotUnderstood".
    // The answers are bounded: exceeding the bound is an error, not a larger
    // reply.
    step.not_understood += 1;
    step.not_understood_bytes += kv.key.size() + 1 + kNotUnderstood.size() + 1;
    if (step.not_understood > policy_.limits.max_not_understood_keys ||
        step.not_understood_bytes > policy_.limits.max_not_understood_bytes) {
      return make_error(Errc::TooManyNotUnderstood, kv.key,
                        "NotUnderstood answers exceed the configured bound");
    }
    step.answers[index] = std::string(kNotUnderstood);
    return std::nullopt;
  }

  const Key k = *key;
  const KeyDef& def = key_def(k);
  KeyState& st = state(k);
  if (st.pending) return process_answer(step, k, kv.value);

  const Role sender = peer_of(role_);
  switch (check_use(def, sender, ctx.stage, ctx.leading)) {
    case UseCheck::Allowed:
      break;
    case UseCheck::WrongSender:
      return make_error(Errc::WrongSender, kv.key,
                        "the " + std::string(role_name(sender)) + " may not send this key (" +
                            section_of(def) + ")");
    case UseCheck::WrongStage:
      return make_error(Errc::WrongStage, kv.key,
                        "not admissible in " + std::string(stage_name(ctx.stage)) + " (" +
                            section_of(def) + ", §11)");
    case UseCheck::NotLeading:
      return make_error(Errc::NotLeadingConnection, kv.key,
                        "leading-only key on a non-leading connection (RFC 3720 §5.3, §12)");
  }
  // §5.2: 'the use of "Reject", "Irrelevant", and "NotUnderstood" as
  // proposed values' is a protocol error.
  if (is_answer_constant(kv.value)) {
    return make_error(Errc::ReservedValueOffered, kv.key,
                      "\"" + kv.value + "\" used as a proposed value (RFC 3720 §5.2)");
  }
  switch (def.result) {
    case ResultFunction::Declarative:
      return process_declaration(k, kv.value);
    case ResultFunction::AuthExchange:
      return process_auth(k, kv.value);
    case ResultFunction::SendTargetsQuery: {
      if (st.done) {
        return make_error(Errc::RepeatedKey, kv.key, "SendTargets twice in one text negotiation");
      }
      st.done = true;
      std::string answer = answer_send_targets(kv.value, step.pair_count, ctx);
      if (!answer.empty()) step.answers[index] = std::move(answer);
      return std::nullopt;
    }
    default:
      break;
  }
  if (st.done) {
    // §5.3: renegotiating a key whose negotiation completed ("A negotiation
    // is considered complete when the responder has sent the key value pair
    // even if the value is "Reject", "Irrelevant", or "NotUnderstood". Sending
    // the key again would be a re-negotiation", §5.2).
    return make_error(Errc::RepeatedKey, kv.key,
                      "key renegotiated after its negotiation completed (RFC 3720 §5.2, §5.3)");
  }
  step.answers[index] = answer_negotiated(k, kv.value, ctx);
  st.done = true;
  return std::nullopt;
}

std::optional<NegotiationError> Negotiator::process_answer(Step& step, Key k,
                                                           const std::string& value) {
  const KeyDef& def = key_def(k);
  KeyState& st = state(k);
  st.pending = false;
  st.done = true;
  if (value == kNotUnderstood) {
    // §5.2: "All keys in this document ... MUST be supported ... If used as
    // specified, these keys MUST NOT be answered with NotUnderstood."
    return make_error(Errc::NotUnderstoodStandardKey, def.name,
                      "standard key answered NotUnderstood (RFC 3720 §5.2)");
  }
  if (value == kReject) {
    reject(k);
    return std::nullopt;
  }
  if (value == kIrrelevant) {
    st.outcome = Outcome::Irrelevant;
    step.irrelevant_answers.push_back(k);
    return std::nullopt;
  }
  auto bad = [&](std::string_view why) {
    return make_error(
        Errc::InvalidAnswer, def.name,
        "answer \"" + value + "\" to offer \"" + st.offered + "\": " + std::string(why));
  };
  if (check_answer(def, value) != ValueCheck::Ok) {
    return bad("not an admissible value of the key (" + section_of(def) + ")");
  }
  switch (def.result) {
    case ResultFunction::FirstAcceptable:
      // §5.2.1: "The selection of a value not proposed MUST be handled as a
      // protocol error" ("None" is selectable only when proposed).
      if (!list_contains(st.offered, value)) return bad("value not proposed (RFC 3720 §5.2.1)");
      break;
    case ResultFunction::Minimum:
      // §12: '"Minimum" means that the selected value cannot exceed the
      // offered value'; §5.2.2: a selection not admissible under the rules
      // is a protocol error.
      if (*parse_number(def, value) > *parse_number(def, st.offered)) {
        return bad("above the offered value, result function Minimum (RFC 3720 §5.2.2, §12)");
      }
      break;
    case ResultFunction::Maximum:
      if (*parse_number(def, value) < *parse_number(def, st.offered)) {
        return bad("below the offered value, result function Maximum (RFC 3720 §5.2.2, §12)");
      }
      break;
    case ResultFunction::And:
      // §12: "if the offered value is No the selected value must be No".
      if (st.offered == "No" && value != "No") {
        return bad("Yes is not a possible result of AND with No (RFC 3720 §5.2.2)");
      }
      break;
    case ResultFunction::Or:
      // §12: "if the offered value is Yes the selected value must be Yes".
      if (st.offered == "Yes" && value != "Yes") {
        return bad("No is not a possible result of OR with Yes (RFC 3720 §5.2.2)");
      }
      break;
    case ResultFunction::RangeSelect: {
      // Appendix A.3.2: "The responder selects a value within the minimum and
      // maximum offered or the only value offered".
      const auto offered = parse_interval(def, st.offered);
      const auto v = *parse_number(def, value);
      if (!offered || v < offered->low || v > offered->high) {
        return bad("outside the offered interval (RFC 3720 Appendix A.3.2)");
      }
      break;
    }
    default:
      break;
  }
  st.result = value;
  st.outcome = Outcome::Agreed;
  return std::nullopt;
}

std::optional<NegotiationError> Negotiator::process_declaration(Key k, const std::string& value) {
  const KeyDef& def = key_def(k);
  KeyState& st = state(k);
  if (st.peer_sent && !def.repeatable) {
    // §5.3; §12.4/§12.5: "TargetName/InitiatorName MUST not be redeclared
    // within the login phase."
    return make_error(Errc::RepeatedKey, def.name,
                      "declaration repeated within one negotiation (RFC 3720 §5.3)");
  }
  if (k == Key::TargetName && role_ == Role::Initiator) {
    // §12.4: TargetName is sent by a target "only as response to a
    // SendTargets".
    return make_error(Errc::WrongStage, def.name,
                      "a target sends TargetName only in a SendTargets response (RFC 3720 §12.4)");
  }
  const ValueCheck check = check_offer(def, value);
  if (k == Key::SessionType) {
    // §12.21: "The initiator indicates the type of session it wants to
    // create. The target can either accept it or reject it."
    if (check != ValueCheck::Ok) {
      return make_error(Errc::UnsupportedSessionType, def.name,
                        "SessionType=" + value + " is neither Discovery nor Normal");
    }
    const SessionType t = value == "Discovery" ? SessionType::Discovery : SessionType::Normal;
    const auto& accepted = policy_.accepted_session_types;
    if (role_ == Role::Target && std::find(accepted.begin(), accepted.end(), t) == accepted.end()) {
      return make_error(Errc::UnsupportedSessionType, def.name,
                        "session type " + value + " is not offered by this target");
    }
  } else if (check != ValueCheck::Ok) {
    return make_error(Errc::InvalidDeclaration, def.name,
                      "inadmissible declaration \"" + value + "\" (" + section_of(def) + ")");
  }
  st.peer_sent = true;
  st.peer = value;
  st.outcome = Outcome::Agreed;
  return std::nullopt;
}

std::optional<NegotiationError> Negotiator::process_auth(Key k, const std::string& value) {
  const KeyDef& def = key_def(k);
  KeyState& st = state(k);
  if (st.peer_sent) {
    return make_error(Errc::RepeatedKey, def.name,
                      "authentication key sent twice in one login (RFC 3720 §5.3)");
  }
  // §11.1: "The AuthMethod selection is followed by an "authentication
  // exchange" specific to the authentication method selected."
  const KeyState& method = state(Key::AuthMethod);
  const std::string_view selected =
      method.result ? std::string_view(*method.result) : key_def(Key::AuthMethod).default_value;
  if (family_of(selected) != def.auth) {
    return make_error(Errc::AuthKeyOutOfPlace, def.name,
                      "key of another authentication method than the selected AuthMethod=" +
                          std::string(selected) + " (" + section_of(def) + ")");
  }
  if (check_offer(def, value) != ValueCheck::Ok) {
    return make_error(Errc::InvalidAuthValue, def.name,
                      "malformed or too long (" + section_of(def) + ")");
  }
  st.peer_sent = true;
  st.peer = value;
  st.outcome = Outcome::Agreed;
  return std::nullopt;
}

std::string Negotiator::answer_send_targets(const std::string& value, std::size_t pair_count,
                                            const Context& ctx) {
  KeyState& st = state(Key::SendTargets);
  // Appendix D: "This PDU contains exactly one text key and value. The text
  // key MUST be SendTargets." ... "The value must be one of: All,
  // <iSCSI-target-name>, <nothing>". "All ... MUST NOT be supported on an
  // operational session." An unsupported request is answered Reject (§5.2).
  if (pair_count != 1 || check_offer(key_def(Key::SendTargets), value) != ValueCheck::Ok ||
      (value == "All" && session_type(ctx) == SessionType::Normal)) {
    st.outcome = Outcome::Rejected;
    return std::string(kReject);
  }
  st.outcome = Outcome::Agreed;
  send_targets_query_ = value;
  return {};
}

std::string Negotiator::answer_negotiated(Key k, const std::string& value, const Context& ctx) {
  const KeyDef& def = key_def(k);
  KeyState& st = state(k);
  if (irrelevant(k, ctx)) {
    st.outcome = Outcome::Irrelevant;
    return std::string(kIrrelevant);
  }
  // §5.2.2: "Proposing a value not admissible (e.g., not within the specified
  // bounds) MAY be answered with the constant "Reject""; §5.2.1 for lists.
  if (check_offer(def, value) != ValueCheck::Ok) {
    reject(k);
    return std::string(kReject);
  }
  std::string answer;
  switch (def.result) {
    case ResultFunction::FirstAcceptable: {
      // §5.2.1: "The responding party MUST respond with the same key and the
      // first value that it supports (and is allowed to use for the specific
      // originator) selected from the originator list." Unknown values are
      // ignored; "None" is selected only when proposed.
      const auto* accepted = std::get_if<std::vector<std::string>>(&policy_.value(k));
      for (std::string_view e : txt::split_list(value)) {
        if (accepted && std::find(accepted->begin(), accepted->end(), e) != accepted->end()) {
          answer = std::string(e);
          break;
        }
      }
      // "If an acceptor does not support ... any of the proposed options
      // with a specific originator, it may use the constant "Reject"".
      if (answer.empty()) {
        reject(k);
        return std::string(kReject);
      }
      break;
    }
    case ResultFunction::Minimum: {
      std::uint64_t v = std::min(*parse_number(def, value), local_number(policy_, k));
      // §12.14: "FirstBurstLength MUST NOT exceed MaxBurstLength." Any value
      // up to the offer is admissible, so the responder keeps the rule.
      if (k == Key::FirstBurstLength) v = std::min(v, current_number(Key::MaxBurstLength));
      // §12.19: "if ErrorRecoveryLevel is not 0 and DataSequenceInOrder is
      // set to Yes then MaxOutstandingR2T MUST be set to 1."
      if (k == Key::MaxOutstandingR2T && current_number(Key::ErrorRecoveryLevel) > 0 &&
          current_boolean(Key::DataSequenceInOrder, false)) {
        v = 1;
      }
      answer = txt::format_numerical(v);
      break;
    }
    case ResultFunction::Maximum:
      answer = txt::format_numerical(std::max(*parse_number(def, value), local_number(policy_, k)));
      break;
    case ResultFunction::And:
      answer = txt::format_boolean(*txt::parse_boolean(value) && local_boolean(policy_, k));
      break;
    case ResultFunction::Or:
      answer = txt::format_boolean(*txt::parse_boolean(value) || local_boolean(policy_, k));
      break;
    case ResultFunction::RangeSelect: {
      // Appendix A.3.2: "The responder selects a value within the minimum and
      // maximum offered or the only value offered ... When the interval is
      // unacceptable the responder answers with "Reject"."
      const Interval offered = *parse_interval(def, value);
      const Interval local = local_interval(policy_, k);
      const std::uint64_t low = std::max(offered.low, local.low);
      const std::uint64_t high = std::min(offered.high, local.high);
      if (low > high) {
        reject(k);
        return std::string(kReject);
      }
      answer = txt::format_numerical(low);
      break;
    }
    default:
      break;
  }
  st.result = answer;
  st.outcome = Outcome::Agreed;
  return answer;
}

void Negotiator::reject(Key k) {
  state(k).outcome = Outcome::Rejected;
  // Appendix A.3.2: "Reject is resetting the marker function in the
  // specified direction (Output or Input) to No."
  if (k == Key::OFMarkInt) state(Key::OFMarker).result = "No";
  if (k == Key::IFMarkInt) state(Key::IFMarker).result = "No";
}

std::optional<NegotiationError> Negotiator::settle_pending() {
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    KeyState& st = states_[i];
    if (!st.pending) continue;
    const KeyDef& def = kKeyTable[i];
    // §5.2.2: "the two cases in which answers are OPTIONAL are: The Boolean
    // function is "AND" and the value "No" is received ... The Boolean
    // function is "OR" and the value "Yes" is received."
    const bool optional = (def.result == ResultFunction::And && st.offered == "No") ||
                          (def.result == ResultFunction::Or && st.offered == "Yes");
    if (!optional) {
      return make_error(Errc::NoAnswer, def.name,
                        "offer \"" + st.offered + "\" was not answered (RFC 3720 §5.2)");
    }
    st.pending = false;
    st.done = true;
    st.result = st.offered;
    st.outcome = Outcome::Agreed;
  }
  return std::nullopt;
}

Negotiator::Result<std::vector<Negotiator::KeyValue>> Negotiator::receive_send_targets_response(
    const std::vector<KeyValue>& pairs) {
  KeyState& st = state(Key::SendTargets);
  st.pending = false;
  st.done = true;
  records_.clear();
  if (pairs.size() == 1 && pairs[0].key == key_def(Key::SendTargets).name &&
      pairs[0].value == kReject) {
    st.outcome = Outcome::Rejected;
    return std::vector<KeyValue>{};
  }
  auto records = parse_send_targets_response(pairs);
  if (!records) return Unexpected{records.error()};
  records_ = std::move(*records);
  st.outcome = Outcome::Agreed;
  return std::vector<KeyValue>{};
}

std::vector<Negotiator::KeyValue> Negotiator::offers(const Context& ctx) {
  std::vector<KeyValue> out;
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    const Key k = static_cast<Key>(i);
    const KeyDef& def = kKeyTable[i];
    KeyState& st = states_[i];
    if (def.result == ResultFunction::AuthExchange ||
        def.result == ResultFunction::SendTargetsQuery) {
      continue;  // produced by the authenticator / request_send_targets()
    }
    if (!policy_.offers(k) || check_use(def, role_, ctx.stage, ctx.leading) != UseCheck::Allowed) {
      continue;
    }
    // §12.9: returned "when TargetName is given by the initiator".
    if (k == Key::TargetPortalGroupTag && !state(Key::TargetName).peer_sent) continue;
    // §12.6: communicated "if SessionType=Normal".
    if (k == Key::TargetAlias && session_type(ctx) != SessionType::Normal) continue;
    if (irrelevant(k, ctx, /*prospective=*/true)) continue;
    std::optional<std::string> v = policy_.wire_value(k);
    if (!v) continue;
    if (is_negotiated(def)) {
      if (st.pending || st.done) continue;
      st.pending = true;
      st.offered = *v;
    } else {
      // A declaration is made once per negotiation, and again later only
      // when its value changed.
      if (st.local_sent || st.local == v) continue;
      st.local_sent = true;
      st.local = *v;
      st.outcome = Outcome::Agreed;
    }
    out.push_back(KeyValue{std::string(def.name), std::move(*v)});
  }
  return out;
}

Negotiator::Result<Negotiator::KeyValue> Negotiator::request_send_targets(std::string_view value,
                                                                          const Context& ctx) {
  const KeyDef& def = key_def(Key::SendTargets);
  switch (check_use(def, role_, ctx.stage, ctx.leading)) {
    case UseCheck::Allowed:
      break;
    case UseCheck::WrongSender:
      return Unexpected{make_error(Errc::WrongSender, def.name,
                                   "only an initiator sends SendTargets (RFC 3720 §12.3)")};
    default:
      return Unexpected{make_error(Errc::WrongStage, def.name,
                                   "SendTargets is full feature phase only (RFC 3720 §12.3)")};
  }
  if (check_offer(def, value) != ValueCheck::Ok) {
    return Unexpected{make_error(Errc::InvalidDeclaration, def.name,
                                 "not All, an iSCSI name or nothing (RFC 3720 Appendix D)")};
  }
  KeyState& st = state(Key::SendTargets);
  st.pending = true;
  st.offered = std::string(value);
  return KeyValue{std::string(def.name), std::string(value)};
}

bool Negotiator::has_pending_offers() const {
  return std::any_of(states_.begin(), states_.end(), [](const KeyState& s) { return s.pending; });
}

Negotiator::Result<NegotiatedParameters> Negotiator::finish(const Context& ctx) {
  if (auto e = settle_pending()) return Unexpected{std::move(*e)};
  NegotiatedParameters p = parameters(ctx);
  // §12.14: "FirstBurstLength MUST NOT exceed MaxBurstLength." §5.2:
  // integrity rules are checked "after all the parameters are available".
  if (!irrelevant(Key::FirstBurstLength, ctx) && p.first_burst_length > p.max_burst_length) {
    return Unexpected{make_error(Errc::IntegrityViolation, key_def(Key::FirstBurstLength).name,
                                 "FirstBurstLength " + std::to_string(p.first_burst_length) +
                                     " exceeds MaxBurstLength " +
                                     std::to_string(p.max_burst_length) + " (RFC 3720 §12.14)")};
  }
  // §12.19: "if ErrorRecoveryLevel is not 0 and DataSequenceInOrder is set to
  // Yes then MaxOutstandingR2T MUST be set to 1."
  if (p.error_recovery_level > 0 && p.data_sequence_in_order && p.max_outstanding_r2t != 1) {
    return Unexpected{make_error(Errc::IntegrityViolation, key_def(Key::MaxOutstandingR2T).name,
                                 "MaxOutstandingR2T must be 1 when ErrorRecoveryLevel > 0 and "
                                 "DataSequenceInOrder=Yes (RFC 3720 §12.19)")};
  }
  return p;
}

NegotiatedParameters Negotiator::parameters(const Context& ctx) const {
  NegotiatedParameters p;
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    const Key k = static_cast<Key>(i);
    const KeyDef& def = kKeyTable[i];
    const KeyState& st = states_[i];
    if (is_negotiated(def)) {
      // An irrelevant key keeps its default: its value is not used.
      if (st.result && !irrelevant(k, ctx)) apply_value(p, k, *st.result, false);
    } else if (def.result == ResultFunction::Declarative) {
      if (st.local) apply_value(p, k, *st.local, false);
      if (st.peer) apply_value(p, k, *st.peer, true);
    }
  }
  p.session_type = session_type(ctx);
  // §12.21: "The discovery session implies MaxConnections = 1 and overrides
  // both the default and an explicit setting."
  if (p.session_type == SessionType::Discovery) p.max_connections = 1;
  return p;
}

void Negotiator::begin_negotiation() {
  for (KeyState& st : states_) {
    st.pending = false;
    st.done = false;
    st.peer_sent = false;
    st.local_sent = false;
    st.offered.clear();
  }
  send_targets_query_.reset();
}

std::optional<std::string_view> Negotiator::peer_value(Key k) const {
  const KeyState& st = state(k);
  if (!st.peer) return std::nullopt;
  return std::string_view(*st.peer);
}

SessionType Negotiator::session_type(const Context& ctx) const {
  const KeyState& st = state(Key::SessionType);
  // The initiator declares SessionType; the target receives it.
  const std::optional<std::string>& declared = role_ == Role::Initiator ? st.local : st.peer;
  if (declared) return *declared == "Discovery" ? SessionType::Discovery : SessionType::Normal;
  // An initiator's own session type is known before its declaration goes
  // out, so the keys it offers alongside can be judged relevant or not.
  if (role_ == Role::Initiator && ctx.leading && policy_.offers(Key::SessionType)) {
    if (const auto* v = std::get_if<std::string>(&policy_.value(Key::SessionType))) {
      return *v == "Discovery" ? SessionType::Discovery : SessionType::Normal;
    }
  }
  return ctx.session_type;
}

bool Negotiator::current_boolean(Key k, bool prospective) const {
  const KeyState& st = state(k);
  if (prospective && st.pending) return st.offered == "Yes";
  if (st.result) return *st.result == "Yes";
  return default_boolean(k);
}

std::uint64_t Negotiator::current_number(Key k) const {
  const KeyState& st = state(k);
  if (st.result) {
    if (const auto n = parse_number(key_def(k), *st.result)) return *n;
  }
  return default_number(k);
}

bool Negotiator::irrelevant(Key k, const Context& ctx, bool prospective) const {
  const IrrelevantWhen when = key_def(k).irrelevant_when;
  if ((when & kIrrelevantInDiscovery) && session_type(ctx) == SessionType::Discovery) return true;
  if ((when & kIrrelevantNoUnsolicited) && current_boolean(Key::InitialR2T, prospective) &&
      !current_boolean(Key::ImmediateData, prospective)) {
    return true;
  }
  if ((when & kIrrelevantOFMarkerOff) && !current_boolean(Key::OFMarker, prospective)) return true;
  if ((when & kIrrelevantIFMarkerOff) && !current_boolean(Key::IFMarker, prospective)) return true;
  return false;
}

}  // namespace iscsi::negotiation
