// The initiator side of one CHAP exchange (RFC 3720 §11.1.4, RFC 1994),
// optionally asking the target to authenticate itself (mutual CHAP).
// Sans-I/O: the target's login text in, the initiator's next CHAP keys (or
// a reason to give up) out. MD5, random numbers and the decoding of CHAP
// values are the target's own (session/chap_crypto, session/chap_value),
// so both sides read the wire the same way.
//
//   initiator: AuthMethod=CHAP                         (sent by the caller)
//   target:    AuthMethod=CHAP
//   initiator: CHAP_A=5
//   target:    CHAP_A=5 CHAP_I=<I> CHAP_C=<C>
//   initiator: CHAP_N=<N> CHAP_R=<R> [CHAP_I=<I'> CHAP_C=<C'>]
//   target:    [CHAP_N=<N'> CHAP_R=<R'>]               (verified here)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "session/chap_authenticator.h"
#include "session/chap_credentials.h"
#include "wire/bytes.h"
#include "wire/result.h"
#include "wire/text.h"

namespace iscsi::sim {

struct ChapSecrets {
  // Who the initiator is: CHAP_N and the secret of its CHAP_R.
  session::ChapCredentials initiator;
  // Set for mutual CHAP: the name and secret the target must answer with.
  std::optional<session::ChapCredentials> target;
};

class ChapClient {
 public:
  // §8.2.1 / RFC 1994 §2.3: the initiator's challenge is as unpredictable
  // as the target's; 16 bytes, the MD5 output length.
  static constexpr std::size_t kChallengeLength = 16;

  // An empty `random` uses OpenSSL's CSPRNG.
  explicit ChapClient(ChapSecrets secrets, session::RandomSource random = {});

  // One Login Response's text of the security stage. Returns the CHAP keys
  // for the next Login Request (empty when there is nothing to send), or
  // why the exchange cannot go on.
  wire::Result<std::vector<wire::text::KeyValue>, std::string> step(
      const std::vector<wire::text::KeyValue>& target_text);

  // The initiator's CHAP_R has been sent (the next request may transit).
  bool response_sent() const { return state_ == State::AwaitTarget || state_ == State::Done; }
  // The initiator's response is sent and, for mutual CHAP, the target's
  // response has been verified.
  bool complete() const { return state_ == State::Done; }
  bool failed() const { return state_ == State::Failed; }

 private:
  enum class State : std::uint8_t { AwaitMethod, AwaitChallenge, AwaitTarget, Done, Failed };

  wire::Result<std::vector<wire::text::KeyValue>, std::string> fail(std::string why);
  wire::Result<std::vector<wire::text::KeyValue>, std::string> answer_challenge(
      const std::vector<wire::text::KeyValue>& text);
  wire::Result<std::vector<wire::text::KeyValue>, std::string> check_target(
      const std::vector<wire::text::KeyValue>& text);

  ChapSecrets secrets_;
  session::RandomSource random_;
  State state_ = State::AwaitMethod;
  std::uint8_t identifier_ = 0;  // of the initiator's own challenge (mutual)
  wire::Bytes challenge_;        // the initiator's own challenge (mutual)
  wire::Bytes target_challenge_;
};

}  // namespace iscsi::sim
