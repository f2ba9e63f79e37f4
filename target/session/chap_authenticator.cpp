#include "session/chap_authenticator.h"

#include "session/chap_crypto.h"
#include "session/chap_value.h"

namespace iscsi::session {

using negotiation::LoginStatus;

namespace {

// §11.1.4: "If the initiator authentication fails, the target MUST answer
// with a Login reject with "Authentication Failure" status." Every way the
// exchange can go wrong on the initiator's side ends there.
constexpr LoginStatus kAuthFailure = LoginStatus::AuthenticationFailure;

}  // namespace

ChapAuthenticator::ChapAuthenticator(const AuthSettings& settings, RandomSource random)
    : settings_(settings), random_(std::move(random)) {
  if (!random_) random_ = chap::random_bytes;
}

std::optional<ChapAuthenticator::Failure> ChapAuthenticator::fail(LoginStatus status,
                                                                  std::string why) {
  state_ = State::Failed;
  return Failure{status, std::move(why)};
}

std::optional<ChapAuthenticator::Failure> ChapAuthenticator::step(
    const Keys& keys, std::vector<wire::text::KeyValue>& reply) {
  switch (state_) {
    case State::AwaitAlgorithms:
      return on_algorithms(keys, reply);
    case State::AwaitResponse:
      return on_response(keys, reply);
    case State::Done:
      if (keys.any()) return fail(kAuthFailure, "CHAP key after the CHAP exchange completed");
      return std::nullopt;
    case State::Failed:
      break;
  }
  return Failure{kAuthFailure, "the CHAP exchange already failed"};
}

std::optional<ChapAuthenticator::Failure> ChapAuthenticator::on_algorithms(
    const Keys& keys, std::vector<wire::text::KeyValue>& reply) {
  // §11.1.4: "in the first step, the initiator MUST send: CHAP_A=<A1,A2...>";
  // the other keys answer the target's challenge, which does not exist yet.
  if (keys.i || keys.c || keys.n || keys.r) {
    return fail(kAuthFailure,
                "CHAP_I, CHAP_C, CHAP_N or CHAP_R before the target's challenge "
                "(RFC 3720 §11.1.4: CHAP_A comes first)");
  }
  if (!keys.a) return std::nullopt;  // AuthMethod alone: the exchange starts next
  const auto md5 = chap::algorithms_include(*keys.a, chap::kAlgorithmMd5);
  if (!md5) return fail(kAuthFailure, md5.error());
  if (!*md5) {
    // §11.1.4: the target answers "with A being the first algorithm it
    // supports"; this target supports 5 (MD5) only, so there is none.
    return fail(kAuthFailure, "CHAP_A proposes no algorithm this target supports (only 5, MD5)");
  }
  // A fresh identifier and challenge for every login (§8.2.1, RFC 1994 §2.3:
  // "Each challenge value SHOULD be unique").
  std::uint8_t identifier = 0;
  challenge_.assign(kChallengeLength, 0);
  if (!random_(std::span<std::uint8_t>(&identifier, 1)) || !random_(challenge_)) {
    return fail(LoginStatus::TargetError, "no random numbers for the CHAP challenge");
  }
  identifier_ = identifier;
  reply.push_back({"CHAP_A", std::to_string(chap::kAlgorithmMd5)});
  reply.push_back({"CHAP_I", std::to_string(identifier_)});
  reply.push_back({"CHAP_C", chap::encode_binary(challenge_)});
  state_ = State::AwaitResponse;
  return std::nullopt;
}

std::optional<ChapAuthenticator::Failure> ChapAuthenticator::on_response(
    const Keys& keys, std::vector<wire::text::KeyValue>& reply) {
  if (keys.a) return fail(kAuthFailure, "CHAP_A sent again after the target's challenge");
  if (!keys.n && !keys.r && !keys.i && !keys.c) return std::nullopt;  // nothing yet
  // §11.1.4: "the initiator MUST continue with: CHAP_N=<N> CHAP_R=<R> or, if
  // it requires target authentication, with: CHAP_N=<N> CHAP_R=<R>
  // CHAP_I=<I> CHAP_C=<C>".
  if (!keys.n || !keys.r) {
    return fail(kAuthFailure, "CHAP_N and CHAP_R must be sent together (RFC 3720 §11.1.4)");
  }
  if (keys.i.has_value() != keys.c.has_value()) {
    return fail(kAuthFailure,
                "CHAP_I and CHAP_C must be sent together to authenticate the target "
                "(RFC 3720 §11.1.4)");
  }
  const ChapCredentials& expected = *settings_.chap;
  if (*keys.n != expected.user) return fail(kAuthFailure, "unknown CHAP name");
  auto response = chap::decode_binary(*keys.r);
  if (!response) return fail(kAuthFailure, "CHAP_R: " + response.error());
  if (response->size() != chap::kMd5Length) {
    return fail(kAuthFailure, "CHAP_R is " + std::to_string(response->size()) +
                                  " bytes, an MD5 response is 16 (RFC 1994 §4.1)");
  }
  if (settings_.mutual) {
    // §8.2.1: "If the CHAP response received by one end of an iSCSI
    // connection is the same as the CHAP response that the receiving
    // endpoint would have generated for the same CHAP challenge, the response
    // MUST be treated as an authentication failure".
    const auto own = chap::md5_response(identifier_, settings_.mutual->secret, challenge_);
    if (!own) return fail(LoginStatus::TargetError, "MD5 is not available");
    if (chap::constant_time_equal(*response, *own)) {
      return fail(kAuthFailure, "CHAP_R is the target's own response (RFC 3720 §8.2.1)");
    }
  }
  const auto wanted = chap::md5_response(identifier_, expected.secret, challenge_);
  if (!wanted) return fail(LoginStatus::TargetError, "MD5 is not available");
  if (!chap::constant_time_equal(*response, *wanted)) {
    return fail(kAuthFailure, "CHAP response does not match");
  }

  // The initiator is authenticated; now target authentication, which is
  // configured explicitly and never decided by the initiator alone.
  const bool asked = keys.i.has_value();
  if (asked && !settings_.mutual) {
    return fail(kAuthFailure,
                "the initiator asks to authenticate the target, and mutual CHAP is not "
                "configured for it");
  }
  if (!asked && settings_.mutual) {
    return fail(kAuthFailure,
                "mutual CHAP is configured and the initiator did not send CHAP_I and CHAP_C");
  }
  if (asked) {
    const auto identifier = chap::decode_identifier(*keys.i);
    if (!identifier) return fail(kAuthFailure, "CHAP_I: " + identifier.error());
    const auto challenge = chap::decode_binary(*keys.c);
    if (!challenge) return fail(kAuthFailure, "CHAP_C: " + challenge.error());
    // §8.2.1: "Originators MUST NOT reuse the CHAP challenge sent by the
    // Responder for the other direction of a bidirectional authentication.
    // Responders MUST check for this condition and close the iSCSI TCP
    // connection if it occurs."
    if (chap::constant_time_equal(*challenge, challenge_)) {
      return fail(kAuthFailure, "CHAP_C reflects the target's own challenge (RFC 3720 §8.2.1)");
    }
    const auto answer = chap::md5_response(*identifier, settings_.mutual->secret, *challenge);
    if (!answer) return fail(LoginStatus::TargetError, "MD5 is not available");
    reply.push_back({"CHAP_N", settings_.mutual->user});
    reply.push_back({"CHAP_R", chap::encode_binary(*answer)});
  }
  state_ = State::Done;
  return std::nullopt;
}

}  // namespace iscsi::session
