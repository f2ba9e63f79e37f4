// The initiator's CHAP steps (RFC 3720 §11.1.4). Expected responses are
// MD5(identifier || secret || challenge) computed outside this code base
// (Python hashlib), per RFC 1994 §4.1.
#include "engine/chap_client.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "session/chap_authenticator.h"

namespace iscsi::sim {
namespace {

using Keys = std::vector<wire::text::KeyValue>;

constexpr const char* kChallenge = "0x0123456789abcdeffedcba9876543210";
// MD5(0x07 || "secret-of-initiator" || kChallenge)
constexpr const char* kResponseId7 = "0x8035881561d745bc51d268b34090da4f";

std::string value(const Keys& keys, const std::string& key) {
  for (const auto& kv : keys) {
    if (kv.key == key) return kv.value;
  }
  return "<absent>";
}

// Fills every request for random bytes with `byte`.
session::RandomSource fixed(std::uint8_t byte) {
  return [byte](std::span<std::uint8_t> out) {
    std::fill(out.begin(), out.end(), byte);
    return true;
  };
}

ChapSecrets one_way() {
  return ChapSecrets{{"alice", "secret-of-initiator"}, std::nullopt};
}

ChapSecrets mutual() {
  return ChapSecrets{{"alice", "secret-of-initiator"},
                     session::ChapCredentials{"the-target", "target-secret-22"}};
}

TEST(ChapClient, OneWayExchange) {
  ChapClient c(one_way());
  auto k = c.step({{"AuthMethod", "CHAP"}});
  ASSERT_TRUE(k.ok()) << k.error();
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ(value(*k, "CHAP_A"), "5");
  EXPECT_FALSE(c.response_sent());
  k = c.step({{"CHAP_A", "5"}, {"CHAP_I", "7"}, {"CHAP_C", kChallenge}});
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_EQ(value(*k, "CHAP_N"), "alice");
  EXPECT_EQ(value(*k, "CHAP_R"), kResponseId7);
  EXPECT_EQ(value(*k, "CHAP_I"), "<absent>");
  EXPECT_TRUE(c.response_sent());
  EXPECT_TRUE(c.complete());
  // Nothing more to say; a CHAP key after the end is an error.
  EXPECT_TRUE(c.step({}).ok());
  EXPECT_FALSE(c.step({{"CHAP_R", kResponseId7}}).ok());
}

TEST(ChapClient, WaitsUntilTheTargetSpeaks) {
  ChapClient c(one_way());
  auto k = c.step({{"TargetPortalGroupTag", "1"}});
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->empty());
  ASSERT_TRUE(c.step({{"AuthMethod", "CHAP"}}).ok());
  k = c.step({});
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->empty());
}

TEST(ChapClient, HexIdentifierAndBase64Challenge) {
  ChapClient c(one_way());
  ASSERT_TRUE(c.step({{"AuthMethod", "CHAP"}}).ok());
  // 0x07 is identifier 7 (§5.1 numerical value); the base64 form of the
  // same 16-byte challenge gives the same response.
  auto k = c.step({{"CHAP_A", "5"}, {"CHAP_I", "0x07"}, {"CHAP_C", "0bASNFZ4mrze/+3LqYdlQyEA=="}});
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_EQ(value(*k, "CHAP_R"), kResponseId7);
}

TEST(ChapClient, RefusesWhatTheTargetMustNotSend) {
  const std::vector<Keys> bad_challenges{
      {{"CHAP_A", "7"}, {"CHAP_I", "7"}, {"CHAP_C", kChallenge}},  // not proposed
      {{"CHAP_A", "5"}, {"CHAP_C", kChallenge}},                   // no identifier
      {{"CHAP_A", "5"}, {"CHAP_I", "256"}, {"CHAP_C", kChallenge}},
      {{"CHAP_A", "5"}, {"CHAP_I", "7"}, {"CHAP_C", "0xzz"}},
      {{"CHAP_A", "5"}, {"CHAP_I", "7"}, {"CHAP_I", "8"}, {"CHAP_C", kChallenge}},
  };
  for (const auto& text : bad_challenges) {
    ChapClient c(one_way());
    ASSERT_TRUE(c.step({{"AuthMethod", "CHAP"}}).ok());
    EXPECT_FALSE(c.step(text).ok()) << text.size();
    EXPECT_TRUE(c.failed());
  }
  ChapClient none(one_way());
  EXPECT_FALSE(none.step({{"AuthMethod", "None"}}).ok());
}

TEST(ChapClient, MutualSendsItsChallengeAndChecksTheTarget) {
  ChapClient c(mutual(), fixed(0xaa));
  ASSERT_TRUE(c.step({{"AuthMethod", "CHAP"}}).ok());
  auto k = c.step({{"CHAP_A", "5"}, {"CHAP_I", "7"}, {"CHAP_C", kChallenge}});
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_EQ(value(*k, "CHAP_R"), kResponseId7);
  EXPECT_EQ(value(*k, "CHAP_I"), "170");  // 0xaa
  EXPECT_EQ(value(*k, "CHAP_C"), "0x" + std::string(32, 'a'));
  EXPECT_TRUE(c.response_sent());
  EXPECT_FALSE(c.complete());
  // MD5(0xaa || "target-secret-22" || 16 x 0xaa), computed with hashlib.
  auto done = c.step({{"CHAP_N", "the-target"}, {"CHAP_R", "0x955578e09ae346397dc80069ed307fd8"}});
  ASSERT_TRUE(done.ok()) << done.error();
  EXPECT_TRUE(c.complete());
}

TEST(ChapClient, MutualTargetResponseVerified) {
  // Identifier 0x11 and challenge 16 x 0xaa: MD5(0x11 || "target-secret-22" || C).
  int calls = 0;
  session::RandomSource random = [&calls](std::span<std::uint8_t> out) {
    std::fill(out.begin(), out.end(), calls++ == 0 ? 0x11 : 0xaa);
    return true;
  };
  ChapClient c(mutual(), random);
  ASSERT_TRUE(c.step({{"AuthMethod", "CHAP"}}).ok());
  auto k = c.step({{"CHAP_A", "5"}, {"CHAP_I", "7"}, {"CHAP_C", kChallenge}});
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_EQ(value(*k, "CHAP_I"), "17");
  ChapClient copy = c;
  ChapClient wrong_name = c;
  ChapClient wrong_secret = c;
  auto ok = c.step({{"CHAP_N", "the-target"}, {"CHAP_R", "0xe0fc073a0af702ae1f6fbf1418ac3dba"}});
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_TRUE(c.complete());
  // Base64 of the same response is the same value.
  EXPECT_TRUE(copy.step({{"CHAP_N", "the-target"}, {"CHAP_R", "0b4PwHOgr3Aq4fb78UGKw9ug=="}}).ok());
  EXPECT_FALSE(
      wrong_name.step({{"CHAP_N", "someone"}, {"CHAP_R", "0xe0fc073a0af702ae1f6fbf1418ac3dba"}})
          .ok());
  // §11.1.4: a wrong target response is a failure (the initiator closes).
  EXPECT_FALSE(
      wrong_secret
          .step({{"CHAP_N", "the-target"}, {"CHAP_R", "0xe0fc073a0af702ae1f6fbf1418ac3dbb"}})
          .ok());
  EXPECT_TRUE(wrong_secret.failed());
}

TEST(ChapClient, NeverReflectsTheTargetsChallenge) {
  // §8.2.1: the random source first yields the target's challenge; the
  // client draws again rather than send it back.
  int calls = 0;
  session::RandomSource random = [&calls](std::span<std::uint8_t> out) {
    const int n = calls++;
    if (n == 1) {
      wire::Bytes target{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                         0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
      std::copy(target.begin(), target.end(), out.begin());
    } else {
      std::fill(out.begin(), out.end(), 0x5c);
    }
    return true;
  };
  ChapClient c(mutual(), random);
  ASSERT_TRUE(c.step({{"AuthMethod", "CHAP"}}).ok());
  auto k = c.step({{"CHAP_A", "5"}, {"CHAP_I", "7"}, {"CHAP_C", kChallenge}});
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_NE(value(*k, "CHAP_C"), kChallenge);
  EXPECT_EQ(value(*k, "CHAP_C"), "0x5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c");
}

TEST(ChapClient, AgainstTheTargetsAuthenticator) {
  session::AuthSettings settings{session::ChapCredentials{"alice", "secret-of-initiator"},
                                 session::ChapCredentials{"the-target", "target-secret-22"}};
  session::ChapAuthenticator target(settings, {});
  Keys reply;
  ChapClient d(mutual());
  auto first = d.step({{"AuthMethod", "CHAP"}});
  ASSERT_TRUE(first.ok());
  // Keys holds views: the values live in named strings.
  const std::string algorithms = value(*first, "CHAP_A");
  session::ChapAuthenticator::Keys tk;
  tk.a = algorithms;
  ASSERT_FALSE(target.step(tk, reply).has_value());
  auto second = d.step(reply);
  ASSERT_TRUE(second.ok()) << second.error();
  const std::string n = value(*second, "CHAP_N"), r = value(*second, "CHAP_R"),
                    i = value(*second, "CHAP_I"), cc = value(*second, "CHAP_C");
  session::ChapAuthenticator::Keys tk2;
  tk2.n = n;
  tk2.r = r;
  tk2.i = i;
  tk2.c = cc;
  Keys answer;
  const auto failure = target.step(tk2, answer);
  ASSERT_FALSE(failure.has_value()) << failure->why;
  auto last = d.step(answer);
  ASSERT_TRUE(last.ok()) << last.error();
  EXPECT_TRUE(d.complete());
}

}  // namespace
}  // namespace iscsi::sim
