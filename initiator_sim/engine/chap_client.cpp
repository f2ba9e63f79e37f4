#include "engine/chap_client.h"

#include <span>

#include "session/chap_crypto.h"
#include "session/chap_value.h"
#include "wire/text_value.h"

namespace iscsi::sim {

using Keys = std::vector<wire::text::KeyValue>;
using wire::Unexpected;
namespace chap = session::chap;

namespace {

// The value of `key` in `text`: nullopt when absent; an error when it is
// there twice (§5.3: a key is negotiated once per exchange).
wire::Result<std::optional<std::string>, std::string> value_of(const Keys& text,
                                                               std::string_view key) {
  std::optional<std::string> v;
  for (const auto& kv : text) {
    if (kv.key != key) continue;
    if (v) return Unexpected("the target sent " + std::string(key) + " twice");
    v = kv.value;
  }
  return v;
}

}  // namespace

ChapClient::ChapClient(ChapSecrets secrets, session::RandomSource random)
    : secrets_(std::move(secrets)), random_(std::move(random)) {
  if (!random_) random_ = chap::random_bytes;
}

wire::Result<Keys, std::string> ChapClient::fail(std::string why) {
  state_ = State::Failed;
  return Unexpected(std::move(why));
}

wire::Result<Keys, std::string> ChapClient::step(const Keys& text) {
  switch (state_) {
    case State::AwaitMethod: {
      const auto method = value_of(text, "AuthMethod");
      if (!method) return fail(method.error());
      if (!*method) return Keys{};
      // §11.1: the target selects one of the offered methods; the caller
      // offered CHAP alone.
      if (**method != "CHAP") return fail("the target selected AuthMethod=" + **method);
      state_ = State::AwaitChallenge;
      // §11.1.4: "in the first step, the initiator MUST send: CHAP_A=<A1,A2...>".
      return Keys{{"CHAP_A", std::to_string(chap::kAlgorithmMd5)}};
    }
    case State::AwaitChallenge:
      return answer_challenge(text);
    case State::AwaitTarget:
      return check_target(text);
    case State::Done:
      for (const auto& kv : text) {
        if (kv.key.starts_with("CHAP_")) return fail(kv.key + " after the CHAP exchange ended");
      }
      return Keys{};
    case State::Failed:
      break;
  }
  return Unexpected(std::string("the CHAP exchange already failed"));
}

wire::Result<Keys, std::string> ChapClient::answer_challenge(const Keys& text) {
  const auto a = value_of(text, "CHAP_A");
  const auto i = value_of(text, "CHAP_I");
  const auto c = value_of(text, "CHAP_C");
  if (!a) return fail(a.error());
  if (!i) return fail(i.error());
  if (!c) return fail(c.error());
  if (!*a && !*i && !*c) return Keys{};
  // §11.1.4: "the target MUST answer with: CHAP_A=<A> CHAP_I=<I> CHAP_C=<C>
  // Where A is one of A1,A2... that were proposed by the initiator".
  if (!*a || !*i || !*c) return fail("the target's challenge lacks CHAP_A, CHAP_I or CHAP_C");
  const auto algorithm = wire::text::parse_numerical(**a);
  if (!algorithm || *algorithm != chap::kAlgorithmMd5) {
    return fail("the target chose CHAP_A=" + **a + ", which was not proposed (only 5)");
  }
  const auto identifier = chap::decode_identifier(**i);
  if (!identifier) return fail("the target's CHAP_I: " + identifier.error());
  auto challenge = chap::decode_binary(**c);
  if (!challenge) return fail("the target's CHAP_C: " + challenge.error());
  target_challenge_ = std::move(*challenge);
  const auto response =
      chap::md5_response(*identifier, secrets_.initiator.secret, target_challenge_);
  if (!response) return fail("MD5 is not available");
  Keys out{{"CHAP_N", secrets_.initiator.user}, {"CHAP_R", chap::encode_binary(*response)}};
  if (!secrets_.target) {
    state_ = State::Done;
    return out;
  }
  // §11.1.4: "if it requires target authentication, with: CHAP_N=<N>
  // CHAP_R=<R> CHAP_I=<I> CHAP_C=<C>".
  challenge_.assign(kChallengeLength, 0);
  for (int attempt = 0;; ++attempt) {
    if (!random_(std::span<std::uint8_t>(&identifier_, 1)) || !random_(challenge_)) {
      return fail("no random numbers for the CHAP challenge");
    }
    // §8.2.1: "Originators MUST NOT reuse the CHAP challenge sent by the
    // Responder for the other direction of a bidirectional authentication."
    if (!chap::constant_time_equal(challenge_, target_challenge_)) break;
    if (attempt == 3) return fail("the random source keeps repeating the target's challenge");
  }
  out.push_back({"CHAP_I", std::to_string(identifier_)});
  out.push_back({"CHAP_C", chap::encode_binary(challenge_)});
  state_ = State::AwaitTarget;
  return out;
}

wire::Result<Keys, std::string> ChapClient::check_target(const Keys& text) {
  const auto n = value_of(text, "CHAP_N");
  const auto r = value_of(text, "CHAP_R");
  if (!n) return fail(n.error());
  if (!r) return fail(r.error());
  if (!*n && !*r) return Keys{};
  // §11.1.4: "the target MUST either answer with a Login reject with
  // "Authentication Failure" or reply with: CHAP_N=<N> CHAP_R=<R>. If the
  // target authentication fails, the initiator MUST close the connection".
  if (!*n || !*r) return fail("the target's answer lacks CHAP_N or CHAP_R");
  if (**n != secrets_.target->user) return fail("the target answered as CHAP_N=" + **n);
  const auto response = chap::decode_binary(**r);
  if (!response) return fail("the target's CHAP_R: " + response.error());
  const auto wanted = chap::md5_response(identifier_, secrets_.target->secret, challenge_);
  if (!wanted) return fail("MD5 is not available");
  if (!chap::constant_time_equal(*response, *wanted)) {
    return fail("the target's CHAP_R does not match its secret (target authentication failed)");
  }
  state_ = State::Done;
  return Keys{};
}

}  // namespace iscsi::sim
