// The target side of CHAP (RFC 3720 §11.1.4, §8.2.1) step by step, with
// responses computed outside this project (see chap_test_support.h).
#include "session/chap_authenticator.h"

#include <gtest/gtest.h>

#include "chap_test_support.h"

namespace iscsi::session {
namespace {

using negotiation::LoginStatus;
using testing::fixed_challenge;
using testing::kInitiatorChallenge;
using testing::kMutualResponse;
using testing::kReflectedResponse;
using testing::kResponseSecret;
using Keys = ChapAuthenticator::Keys;
using Reply = std::vector<wire::text::KeyValue>;

std::string value(const Reply& r, const std::string& key) {
  for (const auto& kv : r) {
    if (kv.key == key) return kv.value;
  }
  return "<absent>";
}

class ChapAuthenticatorTest : public ::testing::Test {
 protected:
  ChapAuthenticatorTest() {
    one_way.chap = ChapCredentials{"alice", "secret"};
    mutual.chap = ChapCredentials{"alice", "secret"};
    mutual.mutual = ChapCredentials{"target", "targetsecret99"};
  }

  // Runs the first step (CHAP_A=5) and checks the challenge.
  void challenge(ChapAuthenticator& a) {
    Reply reply;
    Keys k;
    k.a = "5";
    ASSERT_FALSE(a.step(k, reply).has_value());
    EXPECT_EQ(value(reply, "CHAP_A"), "5");
    EXPECT_EQ(value(reply, "CHAP_I"), "42");
    EXPECT_EQ(value(reply, "CHAP_C"), "0x000102030405060708090a0b0c0d0e0f");
    EXPECT_TRUE(a.challenge_sent());
  }

  // The status of the failed response step.
  std::optional<ChapAuthenticator::Failure> respond(const AuthSettings& s, Keys k,
                                                    Reply* out = nullptr) {
    auth = std::make_unique<ChapAuthenticator>(s, fixed_challenge());
    challenge(*auth);
    Reply reply;
    auto f = auth->step(k, reply);
    if (out) *out = reply;
    return f;
  }

  AuthSettings one_way;
  AuthSettings mutual;
  std::unique_ptr<ChapAuthenticator> auth;
};

Keys response(std::string_view r, std::string_view n = "alice") {
  Keys k;
  k.n = n;
  k.r = r;
  return k;
}

TEST_F(ChapAuthenticatorTest, OneWayChapWithTheRightSecret) {
  Reply reply;
  EXPECT_FALSE(respond(one_way, response(kResponseSecret), &reply).has_value());
  EXPECT_TRUE(reply.empty());  // nothing to send back without mutual CHAP
  EXPECT_TRUE(auth->complete());
}

TEST_F(ChapAuthenticatorTest, ResponseInUpperCaseHexBase64AndOddDigits) {
  EXPECT_FALSE(respond(one_way, response("0X03DC98C5A832692B49DF73CF48FCB4E9")).has_value());
  // echo 03dc98c5a832692b49df73cf48fcb4e9 | xxd -r -p | base64
  EXPECT_FALSE(respond(one_way, response("0bA9yYxagyaStJ33PPSPy06Q==")).has_value());
  // §5.1: 31 digits are 16 bytes with a leading zero nibble (the response
  // starts with 0x03).
  EXPECT_FALSE(respond(one_way, response("0x3dc98c5a832692b49df73cf48fcb4e9")).has_value());
  EXPECT_TRUE(auth->complete());
}

TEST_F(ChapAuthenticatorTest, WrongResponsesFailWithAuthenticationFailure) {
  for (const char* r : {"0x03dc98c5a832692b49df73cf48fcb4e8",    // last bit off
                        "0x03dc98c5a832692b49df73cf48fcb4",      // 15 bytes
                        "0x03dc98c5a832692b49df73cf48fcb4e900",  // 17 bytes
                        "0x0003dc98c5a832692b49df73cf48fcb4e9",  // 17 bytes, leading zero
                        "0x03dc98c5a832692b49df73cf48fcb4eZ",    // not hex
                        "03dc98c5a832692b49df73cf48fcb4e9",      // no prefix
                        "0x", ""}) {
    auto f = respond(one_way, response(r));
    ASSERT_TRUE(f.has_value()) << r;
    EXPECT_EQ(f->status, LoginStatus::AuthenticationFailure) << r;
    EXPECT_FALSE(auth->complete());
  }
}

// The response to another identifier (§11.1.4 CHAP_I, RFC 1994 §4.1: the
// identifier is hashed) does not verify: computed for identifier 0x2b.
TEST_F(ChapAuthenticatorTest, ResponseForAnotherIdentifierFails) {
  // printf '\x2bsecret\x00\x01...\x0f' | openssl dgst -md5
  auto f = respond(one_way, response("0x8da5f75b07cc04d8d31ef325d97bfc71"));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->status, LoginStatus::AuthenticationFailure);
}

TEST_F(ChapAuthenticatorTest, WrongNameFails) {
  auto f = respond(one_way, response(kResponseSecret, "mallory"));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->status, LoginStatus::AuthenticationFailure);
  EXPECT_EQ(f->why, "unknown CHAP name");
}

TEST_F(ChapAuthenticatorTest, FailuresNeverCarrySecretsOrResponses) {
  auto f = respond(one_way, response("0x03dc98c5a832692b49df73cf48fcb4e8"));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->why.find("secret"), std::string::npos);
  EXPECT_EQ(f->why.find("03dc98"), std::string::npos);
}

TEST_F(ChapAuthenticatorTest, NameAndResponseGoTogether) {
  Keys only_name;
  only_name.n = "alice";
  EXPECT_TRUE(respond(one_way, only_name).has_value());
  Keys only_response;
  only_response.r = kResponseSecret;
  EXPECT_TRUE(respond(one_way, only_response).has_value());
}

TEST_F(ChapAuthenticatorTest, NothingNewKeepsWaiting) {
  auth = std::make_unique<ChapAuthenticator>(one_way, fixed_challenge());
  Reply reply;
  EXPECT_FALSE(auth->step(Keys{}, reply).has_value());  // AuthMethod alone
  EXPECT_FALSE(auth->challenge_sent());
  challenge(*auth);
  EXPECT_FALSE(auth->step(Keys{}, reply).has_value());
  EXPECT_TRUE(auth->challenge_sent());
  EXPECT_TRUE(reply.empty());
}

// §11.1.4: CHAP_A comes first; the other keys answer a challenge.
TEST_F(ChapAuthenticatorTest, KeysOutOfOrder) {
  for (int which = 0; which < 4; ++which) {
    ChapAuthenticator a(one_way, fixed_challenge());
    Keys k;
    k.a = "5";
    if (which == 0) k.i = "1";
    if (which == 1) k.c = kInitiatorChallenge;
    if (which == 2) k.n = "alice";
    if (which == 3) k.r = kResponseSecret;
    Reply reply;
    auto f = a.step(k, reply);
    ASSERT_TRUE(f.has_value()) << which;
    EXPECT_EQ(f->status, LoginStatus::AuthenticationFailure);
    EXPECT_TRUE(reply.empty());
  }
}

TEST_F(ChapAuthenticatorTest, AlgorithmsOtherThanMd5AreRefused) {
  for (const char* list : {"7", "0x80,6", "md5", "5,", ""}) {
    ChapAuthenticator a(one_way, fixed_challenge());
    Keys k;
    k.a = list;
    Reply reply;
    auto f = a.step(k, reply);
    ASSERT_TRUE(f.has_value()) << list;
    EXPECT_EQ(f->status, LoginStatus::AuthenticationFailure);
  }
  ChapAuthenticator a(one_way, fixed_challenge());
  Keys k;
  k.a = "7,5";  // the first supported of the list
  Reply reply;
  ASSERT_FALSE(a.step(k, reply).has_value());
  EXPECT_EQ(value(reply, "CHAP_A"), "5");
}

TEST_F(ChapAuthenticatorTest, RepeatedAlgorithmAndKeysAfterCompletion) {
  Keys again;
  again.a = "5";
  EXPECT_TRUE(respond(one_way, again).has_value());
  ASSERT_FALSE(respond(one_way, response(kResponseSecret)).has_value());
  Reply reply;
  Keys late;
  late.i = "1";
  EXPECT_TRUE(auth->step(late, reply).has_value());
}

TEST_F(ChapAuthenticatorTest, NoRandomNumbersIsATargetError) {
  ChapAuthenticator a(one_way, testing::scripted_random({}));
  Keys k;
  k.a = "5";
  Reply reply;
  auto f = a.step(k, reply);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->status, LoginStatus::TargetError);
}

TEST_F(ChapAuthenticatorTest, EveryExchangeHasAFreshChallenge) {
  // The default source is OpenSSL's CSPRNG.
  std::string first;
  for (int i = 0; i < 2; ++i) {
    ChapAuthenticator a(one_way, RandomSource{});
    Keys k;
    k.a = "5";
    Reply reply;
    ASSERT_FALSE(a.step(k, reply).has_value());
    const std::string c = value(reply, "CHAP_C");
    EXPECT_EQ(c.size(), 2u + 2 * ChapAuthenticator::kChallengeLength);
    if (i == 0)
      first = c;
    else
      EXPECT_NE(c, first);
  }
}

Keys mutual_response(std::string_view c = kInitiatorChallenge, std::string_view i = "7") {
  Keys k = response(kResponseSecret);
  k.i = i;
  k.c = c;
  return k;
}

TEST_F(ChapAuthenticatorTest, MutualChapAnswersWithTheTargetsCredentials) {
  Reply reply;
  ASSERT_FALSE(respond(mutual, mutual_response(), &reply).has_value());
  EXPECT_EQ(value(reply, "CHAP_N"), "target");
  EXPECT_EQ(value(reply, "CHAP_R"), kMutualResponse);
  EXPECT_TRUE(auth->complete());
  // The identifier in hex is the same number (§5.1 numerical value).
  ASSERT_FALSE(respond(mutual, mutual_response(kInitiatorChallenge, "0x07"), &reply).has_value());
  EXPECT_EQ(value(reply, "CHAP_R"), kMutualResponse);
}

// Explicit configuration decides mutual CHAP, not the initiator (SPDK #3424).
TEST_F(ChapAuthenticatorTest, MutualChapOnlyWhenConfigured) {
  auto not_configured = respond(one_way, mutual_response());
  ASSERT_TRUE(not_configured.has_value());
  EXPECT_EQ(not_configured->status, LoginStatus::AuthenticationFailure);
  auto not_asked = respond(mutual, response(kResponseSecret));
  ASSERT_TRUE(not_asked.has_value());
  EXPECT_EQ(not_asked->status, LoginStatus::AuthenticationFailure);
}

TEST_F(ChapAuthenticatorTest, MutualKeysGoTogetherAndAreChecked) {
  Keys no_c = response(kResponseSecret);
  no_c.i = "7";
  EXPECT_TRUE(respond(mutual, no_c).has_value());
  Keys no_i = response(kResponseSecret);
  no_i.c = kInitiatorChallenge;
  EXPECT_TRUE(respond(mutual, no_i).has_value());
  EXPECT_TRUE(respond(mutual, mutual_response("0x")).has_value());
  EXPECT_TRUE(respond(mutual, mutual_response("0xzz")).has_value());
  EXPECT_TRUE(respond(mutual, mutual_response(kInitiatorChallenge, "256")).has_value());
  Reply reply;
  EXPECT_TRUE(respond(mutual, mutual_response("0x" + std::string(2050, '1')), &reply).has_value());
  EXPECT_TRUE(reply.empty());
}

// §8.2.1: "Responders MUST check for this condition [the originator reusing
// the responder's challenge] and close the iSCSI TCP connection".
TEST_F(ChapAuthenticatorTest, ReflectedChallengeIsRefused) {
  Reply reply;
  auto f = respond(mutual, mutual_response("0x000102030405060708090a0b0c0d0e0f"), &reply);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->status, LoginStatus::AuthenticationFailure);
  EXPECT_NE(f->why.find("8.2.1"), std::string::npos);
  EXPECT_TRUE(reply.empty());  // no response computed with the target's secret
  // The same challenge in base64 is the same challenge.
  EXPECT_TRUE(respond(mutual, mutual_response("0bAAECAwQFBgcICQoLDA0ODw==")).has_value());
}

// §8.2.1: a response equal to what the receiver would itself have answered
// is an authentication failure.
TEST_F(ChapAuthenticatorTest, ReflectedResponseIsRefused) {
  Keys k = mutual_response();
  k.r = kReflectedResponse;
  auto f = respond(mutual, k);
  ASSERT_TRUE(f.has_value());
  EXPECT_NE(f->why.find("8.2.1"), std::string::npos);
}

}  // namespace
}  // namespace iscsi::session
