#include "replay/session_variables.h"

#include <type_traits>

#include "negotiation/keys.h"
#include "scsi/lun_address.h"
#include "session/chap_crypto.h"
#include "session/chap_value.h"

namespace iscsi::replay {

namespace chap = session::chap;

void SessionVariables::learn_stat_sn(std::uint32_t recorded, std::uint32_t live) {
  stat_sn_[recorded] = live;
  last_stat_sn_ = {recorded, live};
  // Bounded: only recent StatSNs are acknowledged (§3.2.2.2's window).
  while (stat_sn_.size() > 4096) stat_sn_.erase(stat_sn_.begin());
}

std::optional<std::uint32_t> SessionVariables::expected_stat_sn(std::uint32_t recorded) const {
  if (!last_stat_sn_) return std::nullopt;
  return last_stat_sn_->second + (recorded - last_stat_sn_->first);  // serial arithmetic
}

std::uint32_t SessionVariables::exp_stat_sn(std::uint32_t recorded) const {
  if (const auto it = stat_sn_.find(recorded - 1); it != stat_sn_.end()) return it->second + 1;
  if (const auto e = expected_stat_sn(recorded)) return *e;
  return recorded;  // nothing acknowledged yet: the first Login Request's value is free
}

std::optional<std::uint32_t> SessionVariables::ttt(std::uint32_t recorded) const {
  if (recorded == wire::kReservedTag) return recorded;
  const auto it = ttt_.find(recorded);
  if (it == ttt_.end()) return std::nullopt;
  return it->second;
}

void SessionVariables::learn_challenge(const std::vector<wire::text::KeyValue>& keys) {
  for (const auto& kv : keys) {
    if (kv.key == "CHAP_I") chap_i_ = kv.value;
    if (kv.key == "CHAP_C") chap_c_ = kv.value;
  }
}

std::uint64_t map_lun(std::uint64_t field, const std::map<std::uint16_t, std::uint16_t>& luns) {
  if (luns.empty()) return field;
  const auto lun = scsi::decode_lun(field);
  if (!lun) return field;
  const auto it = luns.find(*lun);
  if (it == luns.end()) return field;
  return scsi::encode_lun(it->second);
}

std::map<std::string, std::string> negotiation_outcome(
    const std::vector<std::vector<wire::text::KeyValue>>& target_texts) {
  std::map<std::string, std::string> out;
  for (const auto& text : target_texts) {
    for (const auto& kv : text) {
      if (kv.value == "Reject" || kv.value == "Irrelevant" || kv.value == "NotUnderstood") continue;
      const auto key = negotiation::find_key(kv.key);
      if (key && negotiation::is_negotiated(negotiation::key_def(*key))) out[kv.key] = kv.value;
    }
  }
  return out;
}

bool adopt_outcome(std::vector<wire::text::KeyValue>& offers,
                   const std::map<std::string, std::string>& outcome) {
  using negotiation::ResultFunction;
  bool changed = false;
  for (auto& kv : offers) {
    const auto it = outcome.find(kv.key);
    if (it == outcome.end() || it->second == kv.value) continue;
    const auto key = negotiation::find_key(kv.key);
    if (!key) continue;
    const auto& def = negotiation::key_def(*key);
    const bool forcing = def.result == ResultFunction::Minimum ||
                         def.result == ResultFunction::Maximum ||
                         def.result == ResultFunction::And || def.result == ResultFunction::Or ||
                         (def.result == ResultFunction::FirstAcceptable &&
                          def.type == negotiation::ValueType::ListOfValues);
    if (!forcing) continue;
    kv.value = it->second;
    changed = true;
  }
  return changed;
}

bool SessionVariables::rewrite_login_text(wire::Bytes& data, const RewriteRules& rules) const {
  if (!rules.target_name && !rules.chap && !rules.recorded_outcome) return true;
  auto pairs = wire::text::parse(data);
  if (!pairs) return true;  // sent as captured: the initiator's text is its intent
  bool changed = rules.recorded_outcome && adopt_outcome(*pairs, *rules.recorded_outcome);
  for (auto& kv : *pairs) {
    if (kv.key == "TargetName" && rules.target_name && kv.value != *rules.target_name) {
      kv.value = *rules.target_name;
      changed = true;
    } else if (kv.key == "CHAP_N" && rules.chap) {
      kv.value = rules.chap->user;
      changed = true;
    } else if (kv.key == "CHAP_R" && rules.chap && chap_i_ && chap_c_) {
      // §11.1.4: CHAP_R answers the live target's CHAP_I and CHAP_C.
      const auto id = chap::decode_identifier(*chap_i_);
      const auto challenge = chap::decode_binary(*chap_c_);
      if (!id || !challenge) continue;
      const auto r = chap::md5_response(*id, rules.chap->secret, *challenge);
      if (!r) continue;
      kv.value = chap::encode_binary(*r);
      changed = true;
    }
  }
  if (changed) data = wire::text::encode(*pairs);
  return true;
}

bool SessionVariables::rewrite(wire::Pdu& pdu, const RewriteRules& rules,
                               const std::map<std::uint16_t, std::uint16_t>& tsih,
                               std::string& why) const {
  return std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (requires { p.exp_stat_sn; }) p.exp_stat_sn = exp_stat_sn(p.exp_stat_sn);
        if constexpr (std::is_same_v<T, wire::NopOut> || std::is_same_v<T, wire::ScsiDataOut> ||
                      std::is_same_v<T, wire::TextRequest> ||
                      std::is_same_v<T, wire::SnackRequest>) {
          const auto live = ttt(p.target_transfer_tag);
          if (!live) {
            why = "it answers a target PDU with Target Transfer Tag " +
                  std::to_string(p.target_transfer_tag) + " that the live target did not send";
            return false;
          }
          p.target_transfer_tag = *live;
        }
        if constexpr (requires { p.lun; }) p.lun = map_lun(p.lun, rules.luns);
        if constexpr (std::is_same_v<T, wire::LoginRequest>) {
          if (p.tsih != 0) {
            if (const auto it = tsih.find(p.tsih); it != tsih.end()) p.tsih = it->second;
          }
          if (!p.continue_) rewrite_login_text(p.data, rules);
        }
        if constexpr (std::is_same_v<T, wire::TextRequest>) {
          RewriteRules text_rules = rules;
          text_rules.recorded_outcome = nullptr;  // login negotiation only
          if (!p.continue_) rewrite_login_text(p.data, text_rules);
        }
        return true;
      },
      pdu);
}

}  // namespace iscsi::replay
