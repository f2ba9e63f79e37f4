// What a replay learns from the live session to rewrite the recorded
// initiator's PDUs: the values the target chose (StatSN, Target Transfer
// Tags, TSIH) mapped from recorded to live, the live CHAP challenge, and
// the rewriting itself. Pure bookkeeping, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "session/chap_credentials.h"
#include "wire/pdu.h"
#include "wire/text.h"

namespace iscsi::replay {

struct RewriteRules {
  std::optional<std::string> target_name;
  std::map<std::uint16_t, std::uint16_t> luns;
  std::optional<session::ChapCredentials> chap;
  // The recorded target's answers to negotiated keys (key -> value). When
  // set, the initiator offers what the recorded negotiation settled on
  // (see adopt_outcome).
  const std::map<std::string, std::string>* recorded_outcome = nullptr;
};

// The recorded negotiation's outcome of one connection: the target's
// answers to negotiated keys in its Login Responses (Reject, Irrelevant and
// NotUnderstood are no outcome).
std::map<std::string, std::string> negotiation_outcome(
    const std::vector<std::vector<wire::text::KeyValue>>& target_texts);

// Replaces each offer of a negotiated key whose result function lets the
// offer force it (Minimum, Maximum, And, Or, a list with one value) by the
// recorded outcome, so that the live session runs with the parameters the
// recorded data flow obeyed (burst lengths, R2T and immediate data rules,
// digests) whatever the live target prefers. §5.2: the live target may
// still answer otherwise only where the recorded target did too.
// Returns whether anything changed.
bool adopt_outcome(std::vector<wire::text::KeyValue>& offers,
                   const std::map<std::string, std::string>& outcome);

class SessionVariables {
 public:
  // A recorded status-bearing PDU was matched with a live one: their StatSNs
  // correspond.
  void learn_stat_sn(std::uint32_t recorded, std::uint32_t live);
  // The live StatSN expected for a recorded one, judged from the last pair
  // learned (the StatSNs that follow advance alike, §3.2.2.2); nullopt
  // before any pair.
  std::optional<std::uint32_t> expected_stat_sn(std::uint32_t recorded) const;
  // ExpStatSN acknowledges StatSN - 1: the live counterpart of that StatSN,
  // plus one.
  std::uint32_t exp_stat_sn(std::uint32_t recorded) const;

  void learn_ttt(std::uint32_t recorded, std::uint32_t live) { ttt_[recorded] = live; }
  std::optional<std::uint32_t> ttt(std::uint32_t recorded) const;

  // The CHAP_I and CHAP_C of the live target's latest challenge.
  void learn_challenge(const std::vector<wire::text::KeyValue>& keys);

  // Rewrites one recorded initiator PDU for the live session. `tsih` maps
  // recorded TSIHs to live ones (session-wide, shared by connections).
  // Returns false, with the reason, when the PDU cannot be sent: it answers
  // a target PDU (an R2T, a ping) the live target never sent.
  bool rewrite(wire::Pdu& pdu, const RewriteRules& rules,
               const std::map<std::uint16_t, std::uint16_t>& tsih, std::string& why) const;

 private:
  bool rewrite_login_text(wire::Bytes& data, const RewriteRules& rules) const;

  std::map<std::uint32_t, std::uint32_t> stat_sn_;  // recorded -> live
  std::optional<std::pair<std::uint32_t, std::uint32_t>> last_stat_sn_;
  std::map<std::uint32_t, std::uint32_t> ttt_;
  std::optional<std::string> chap_i_;
  std::optional<std::string> chap_c_;
};

// The LUN field with --map-lun applied (same addressing method; fields
// that do not decode as a single-level LUN are left alone).
std::uint64_t map_lun(std::uint64_t field, const std::map<std::uint16_t, std::uint16_t>& luns);

}  // namespace iscsi::replay
