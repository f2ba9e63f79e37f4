// The target side of one CHAP exchange (RFC 3720 §11.1.4, RFC 1994), with
// optional target authentication (mutual CHAP). Sans-I/O: the CHAP keys of
// each initiator text in, the target's CHAP keys or a failure out. The
// negotiation engine has already checked each key's sender, stage, syntax,
// length and repetition; this class checks their order and meaning.
//
//   initiator: CHAP_A=<A1,A2...>
//   target:    CHAP_A=<A> CHAP_I=<I> CHAP_C=<C>
//   initiator: CHAP_N=<N> CHAP_R=<R> [CHAP_I=<I> CHAP_C=<C>]
//   target:    [CHAP_N=<N> CHAP_R=<R>]            (mutual CHAP only)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "negotiation/status.h"
#include "session/chap_credentials.h"
#include "wire/bytes.h"
#include "wire/text.h"

namespace iscsi::session {

// Fills its argument with random bytes; false when it cannot.
using RandomSource = std::function<bool(std::span<std::uint8_t>)>;

class ChapAuthenticator {
 public:
  // The CHAP keys of one initiator text (absent keys are nullopt).
  struct Keys {
    std::optional<std::string_view> a, i, c, n, r;
    bool any() const { return a || i || c || n || r; }
  };
  struct Failure {
    negotiation::LoginStatus status;
    std::string why;  // for logs: never a secret, a challenge or a response
  };

  // §8.2.1 asks for challenges that an eavesdropper cannot predict or see
  // twice; 16 bytes is the MD5 output length, RFC 1994 §2.3's guidance.
  static constexpr std::size_t kChallengeLength = 16;

  // `settings` must require CHAP and outlive the authenticator. An empty
  // `random` uses OpenSSL's CSPRNG.
  ChapAuthenticator(const AuthSettings& settings, RandomSource random);

  // One initiator text. Appends the target's CHAP keys to `reply`.
  std::optional<Failure> step(const Keys& keys, std::vector<wire::text::KeyValue>& reply);

  // The target sent its challenge in the last step (the initiator owes a response).
  bool challenge_sent() const { return state_ == State::AwaitResponse; }
  // The initiator is authenticated (and, with mutual CHAP, the target's
  // answer has been sent).
  bool complete() const { return state_ == State::Done; }

 private:
  enum class State : std::uint8_t { AwaitAlgorithms, AwaitResponse, Done, Failed };

  std::optional<Failure> on_algorithms(const Keys& keys, std::vector<wire::text::KeyValue>& reply);
  std::optional<Failure> on_response(const Keys& keys, std::vector<wire::text::KeyValue>& reply);
  std::optional<Failure> fail(negotiation::LoginStatus status, std::string why);

  const AuthSettings& settings_;
  RandomSource random_;
  State state_ = State::AwaitAlgorithms;
  std::uint8_t identifier_ = 0;
  wire::Bytes challenge_;
};

}  // namespace iscsi::session
