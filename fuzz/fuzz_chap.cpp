// Fuzzes CHAP (RFC 3720 §11.1.4, §8.2.1, RFC 1994): the value decoders of
// session/chap_value (binary values, identifiers, algorithm lists) and the
// target's ChapAuthenticator driven by fuzzed CHAP keys, one initiator text
// per step; optionally the simulator's ChapClient on the same texts.
//
// Input: one mode byte, then initiator texts (key=value\0...) separated by
// an empty pair (\0\0). In a text, a value "@R" is replaced by the right
// response to the target's last challenge, "@I" / "@C" by the target's own
// CHAP_I / CHAP_C (so the fuzzer reaches the mutual-CHAP and reflection
// checks). Mode bits: 0x01 mutual CHAP configured, 0x02 the right response
// is computed with a wrong secret, 0x04 the texts also go to ChapClient as
// target answers.
//
// Checked: decoded values stay within their bounds and round-trip; the
// authenticator admits an initiator only after the right CHAP_R; a
// failure's log text never holds a secret; answers follow §11.1.4.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/chap_client.h"
#include "session/chap_authenticator.h"
#include "session/chap_crypto.h"
#include "session/chap_value.h"
#include "wire/text.h"

using namespace iscsi;
namespace chap = session::chap;

namespace {

constexpr char kUser[] = "fuzz-user";
constexpr char kSecret[] = "fuzz-initiator-secret";
constexpr char kTargetUser[] = "fuzz-target";
constexpr char kTargetSecret[] = "fuzz-target-secret-2";
constexpr std::size_t kMaxSteps = 8;

[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "fuzz_chap: %s\n", what);
  std::abort();
}

void check_decoders(const std::string& value) {
  if (auto b = chap::decode_binary(value)) {
    if (b->empty() || b->size() > chap::kMaxBinaryLength) violation("binary value out of bounds");
    // The target's own encoding decodes to the same bytes.
    auto again = chap::decode_binary(chap::encode_binary(*b));
    if (!again || *again != *b) violation("binary value does not round-trip");
  }
  (void)chap::decode_identifier(value);
  (void)chap::algorithms_include(value, chap::kAlgorithmMd5);
}

std::string find(const std::vector<wire::text::KeyValue>& kvs, std::string_view key) {
  for (const auto& kv : kvs) {
    if (kv.key == key) return kv.value;
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const wire::ByteView input(data + 1, size - 1);

  std::vector<wire::ByteView> texts;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 1 < input.size() && texts.size() + 1 < kMaxSteps; ++i) {
    if (input[i] == 0 && input[i + 1] == 0) {
      texts.push_back(input.subspan(start, i + 1 - start));
      start = i + 2;
      ++i;
    }
  }
  texts.push_back(input.subspan(std::min(start, input.size())));

  session::AuthSettings settings{session::ChapCredentials{kUser, kSecret}, std::nullopt};
  if (mode & 0x01) settings.mutual = session::ChapCredentials{kTargetUser, kTargetSecret};
  // Deterministic "random" numbers: a counter, so every run of an input is the same.
  std::uint8_t counter = 0x41;
  session::RandomSource random = [&counter](std::span<std::uint8_t> out) {
    for (auto& b : out) b = counter++;
    return true;
  };
  session::ChapAuthenticator target(settings, random);
  std::optional<sim::ChapClient> client;
  if (mode & 0x04) {
    client.emplace(
        sim::ChapSecrets{{kUser, kSecret}, session::ChapCredentials{kTargetUser, kTargetSecret}},
        random);
    (void)client->step({{"AuthMethod", "CHAP"}});
  }

  std::string target_i, target_c;  // the target's last challenge
  for (const wire::ByteView text : texts) {
    auto parsed = wire::text::parse(text);
    if (!parsed) continue;
    std::vector<wire::text::KeyValue> pairs = std::move(*parsed);
    for (auto& kv : pairs) {
      check_decoders(kv.value);
      if (kv.value == "@I") kv.value = target_i;
      if (kv.value == "@C") kv.value = target_c;
      if (kv.value == "@R") {
        const auto id = chap::decode_identifier(target_i);
        const auto c = chap::decode_binary(target_c);
        if (id && c) {
          const auto r = chap::md5_response(*id, (mode & 0x02) ? "wrong" : kSecret, *c);
          if (r) kv.value = chap::encode_binary(*r);
        }
      }
    }
    // Repeated keys are the negotiation engine's to refuse; the
    // authenticator sees the last of each, as login.cpp hands it over.
    session::ChapAuthenticator::Keys keys;
    for (const auto& kv : pairs) {
      if (kv.key == "CHAP_A") keys.a = kv.value;
      if (kv.key == "CHAP_I") keys.i = kv.value;
      if (kv.key == "CHAP_C") keys.c = kv.value;
      if (kv.key == "CHAP_N") keys.n = kv.value;
      if (kv.key == "CHAP_R") keys.r = kv.value;
    }
    std::vector<wire::text::KeyValue> reply;
    const bool was_complete = target.complete();
    const std::string challenged_i = target_i, challenged_c = target_c;
    const auto failure = target.step(keys, reply);
    if (!was_complete && target.complete()) {
      // RFC 1994 §4.1: admitted only with MD5(I || secret || C) of the
      // target's own challenge, computed here apart from the authenticator.
      const auto id = chap::decode_identifier(challenged_i);
      const auto c = chap::decode_binary(challenged_c);
      std::optional<wire::Bytes> r;
      if (keys.r) {
        if (auto decoded = chap::decode_binary(*keys.r)) r = std::move(*decoded);
      }
      std::optional<chap::Md5Digest> want;
      if (id && c) want = chap::md5_response(*id, kSecret, *c);
      if (!r || !want || *r != wire::Bytes(want->begin(), want->end()))
        violation("the initiator was admitted without the right response");
    }
    if (failure) {
      const std::string& why = failure->why;
      if (why.find(kSecret) != std::string::npos || why.find(kTargetSecret) != std::string::npos)
        violation("a failure's log text holds a secret");
      if (!target_c.empty() && why.find(target_c) != std::string::npos)
        violation("a failure's log text holds the challenge");
      if (!reply.empty() && failure->status == negotiation::LoginStatus::AuthenticationFailure &&
          !find(reply, "CHAP_R").empty())
        violation("a CHAP_R was sent with a failure");
    }
    if (!find(reply, "CHAP_C").empty()) {
      // §11.1.4: "CHAP_A=<A> CHAP_I=<I> CHAP_C=<C>", A one of those proposed.
      if (find(reply, "CHAP_A") != "5") violation("a challenge for an algorithm other than 5");
      target_i = find(reply, "CHAP_I");
      target_c = find(reply, "CHAP_C");
      const auto c = chap::decode_binary(target_c);
      if (!chap::decode_identifier(target_i) || !c ||
          c->size() < session::ChapAuthenticator::kChallengeLength)
        violation("the target's challenge is malformed or short");
    }
    if (!find(reply, "CHAP_R").empty() && !settings.mutual) {
      violation("a target response without mutual CHAP configured");
    }
    if (client) (void)client->step(pairs);
    if (failure) break;
  }
  return 0;
}
