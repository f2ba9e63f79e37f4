// The negotiation engine (RFC 3720 §5.1-§5.3, §11, §12), sans-I/O: complete
// key=value texts in, answers and offers out. The reference target and the
// initiator simulator both use it; everything it knows about a key comes from
// the table in keys.h.
//
// One Negotiator serves one connection. A step is:
//   1. receive(): the peer's complete text (all PDUs of a sequence,
//      assembled). Keys the peer offers are answered; keys the peer answers
//      are checked against what this side offered; declarations are recorded.
//   2. offers(): this side's own proposals and declarations that the current
//      stage admits and that are still due.
// The text sent is receive()'s answers followed by offers(). Offers must be
// answered in the peer's next text; an offer still unanswered there is an
// error, except for the two Boolean cases §5.2.2 makes optional.
//
// Boolean answers: §5.2.2 makes the answer OPTIONAL when an AND key receives
// No or an OR key receives Yes. This engine answers those too: the value is
// then fixed anyway, an explicit answer costs a few bytes, and it keeps every
// negotiated key visible in the exchange (which a conformance report needs).
//
// Authentication: the engine selects AuthMethod and checks every exchange key
// (sender, stage, selected method, syntax, length, repetition); computing and
// verifying CHAP/SRP/Kerberos/SPKM values is the caller's job, with the
// received values from peer_value().
//
// Errors are values carrying the Login status a target answers with
// (§10.13.5); an initiator closes the connection instead (§5.3). In full
// feature phase an error ends the text negotiation and the session decides
// what to send.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "negotiation/keys.h"
#include "negotiation/policy.h"
#include "negotiation/results.h"
#include "negotiation/send_targets.h"
#include "negotiation/status.h"
#include "negotiation/types.h"
#include "wire/result.h"
#include "wire/text.h"

namespace iscsi::negotiation {

// How the last negotiation of a key ended.
enum class Outcome : std::uint8_t {
  NotNegotiated,  // never exchanged: the default (or an earlier outcome) holds
  Agreed,         // a value was selected, or declared
  Rejected,       // "Reject" was answered; §5.2: the key keeps its current value
  Irrelevant,     // "Irrelevant" was answered
};

class Negotiator {
 public:
  using KeyValue = wire::text::KeyValue;
  template <class T>
  using Result = wire::Result<T, NegotiationError>;

  Negotiator(Role role, Policy policy);

  Role role() const { return role_; }
  const Policy& policy() const { return policy_; }

  // Processes the peer's complete text for `ctx`. Returns the answers to the
  // keys the peer offered (in the order the peer sent them), or the error
  // that ends the login (§10.13.5) or, in full feature phase, the text
  // negotiation.
  Result<std::vector<KeyValue>> receive(const std::vector<KeyValue>& pairs, const Context& ctx);

  // This side's own offers and declarations for `ctx`: keys the policy
  // proposes that the stage admits, that are relevant and not yet
  // negotiated; and, on a target, TargetPortalGroupTag once the initiator
  // named a target (§12.9: "The iSCSI target returns this key ... when
  // TargetName is given by the initiator").
  std::vector<KeyValue> offers(const Context& ctx);

  // Initiator, full feature phase: starts a SendTargets query (Appendix D).
  // The response text is then passed to receive().
  Result<KeyValue> request_send_targets(std::string_view value, const Context& ctx);

  // True while an offer of this side awaits its answer.
  bool has_pending_offers() const;

  // Ends the negotiation (the login, or a text negotiation): settles the
  // optional Boolean answers, fails on offers left unanswered, and checks the
  // cross-key rules (§5.2: "An iSCSI target MUST perform integrity checking
  // before the new parameters take effect"). Returns the resulting values.
  Result<NegotiatedParameters> finish(const Context& ctx);

  // The current values, with defaults for keys never negotiated and for
  // irrelevant keys. No checks.
  NegotiatedParameters parameters(const Context& ctx) const;

  // Starts a new text negotiation in full feature phase: keys of Use ALL may
  // be declared again (e.g. MaxRecvDataSegmentLength, §12.12). Within one
  // login, or one text negotiation, a key is negotiated or declared once.
  // Offers still unanswered are dropped; agreed values are kept.
  void begin_negotiation();

  Outcome outcome(Key k) const { return state(k).outcome; }
  // The value the peer declared or sent for `k` (declarations and
  // authentication exchange keys), if any.
  std::optional<std::string_view> peer_value(Key k) const;
  // The session type in effect: declared in this login, else the context's.
  SessionType session_type(const Context& ctx) const;
  // Target: the SendTargets value of the text just received, when the caller
  // must answer it with target records (format_send_targets_response).
  const std::optional<std::string>& send_targets_query() const { return send_targets_query_; }
  // Initiator: the records of the last SendTargets response.
  const std::vector<SendTargetsRecord>& send_targets_records() const { return records_; }

 private:
  struct KeyState {
    // Per negotiation (reset by begin_negotiation).
    bool pending = false;     // this side's offer awaits an answer
    bool done = false;        // a negotiated key completed in this negotiation
    bool peer_sent = false;   // the peer declared / sent the key in this negotiation
    bool local_sent = false;  // this side declared the key in this negotiation
    std::string offered;      // this side's pending offer
    // Kept across negotiations.
    std::optional<std::string> result;  // negotiated outcome
    std::optional<std::string> local;   // this side's declaration
    std::optional<std::string> peer;    // the peer's declaration or exchange value
    Outcome outcome = Outcome::NotNegotiated;
  };

  struct Step;  // the bookkeeping of one receive()

  KeyState& state(Key k) { return states_[index_of(k)]; }
  const KeyState& state(Key k) const { return states_[index_of(k)]; }

  std::optional<NegotiationError> check_duplicates(const std::vector<KeyValue>& pairs) const;
  std::optional<NegotiationError> check_first_request(const std::vector<KeyValue>& pairs,
                                                      const Context& ctx) const;
  std::optional<NegotiationError> process(Step& step, std::size_t index, std::optional<Key> key,
                                          const KeyValue& kv, const Context& ctx);
  std::optional<NegotiationError> process_answer(Step& step, Key k, const std::string& value);
  std::optional<NegotiationError> process_declaration(Key k, const std::string& value);
  std::optional<NegotiationError> process_auth(Key k, const std::string& value);
  std::string answer_send_targets(const std::string& value, std::size_t pair_count,
                                  const Context& ctx);
  std::string answer_negotiated(Key k, const std::string& value, const Context& ctx);
  std::optional<NegotiationError> settle_pending();
  Result<std::vector<KeyValue>> receive_send_targets_response(const std::vector<KeyValue>& pairs);

  bool current_boolean(Key k, bool prospective) const;
  std::uint64_t current_number(Key k) const;
  bool irrelevant(Key k, const Context& ctx, bool prospective = false) const;
  void reject(Key k);

  Role role_;
  Policy policy_;
  std::array<KeyState, kKeyCount> states_{};
  bool first_request_seen_ = false;
  std::optional<std::string> send_targets_query_;
  std::vector<SendTargetsRecord> records_;
};

}  // namespace iscsi::negotiation
