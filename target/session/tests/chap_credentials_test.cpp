// CHAP credentials and the RFC 3720 §8.2.1 rules for secrets.
#include "session/chap_credentials.h"

#include <gtest/gtest.h>

namespace iscsi::session {
namespace {

bool mentions(const std::vector<std::string>& messages, const std::string& what) {
  for (const auto& m : messages) {
    if (m.find(what) != std::string::npos) return true;
  }
  return false;
}

TEST(ChapCredentials, ParseUserColonSecret) {
  auto c = parse_credentials("alice:s3cret:with:colons");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->secret, "s3cret:with:colons");
  EXPECT_FALSE(parse_credentials("no-colon").has_value());
  auto empty = parse_credentials(":");
  ASSERT_TRUE(empty.has_value());
  CredentialCheck check;
  check_credentials(*empty, SecretUse::InitiatorAuthentication, "x", check);
  EXPECT_EQ(check.errors.size(), 2u);  // empty user, empty secret
}

TEST(ChapCredentials, StrongInitiatorSecretPasses) {
  CredentialCheck check;
  check_credentials({"alice", "twelve-bytes"}, SecretUse::InitiatorAuthentication, "t", check);
  EXPECT_TRUE(check.errors.empty());
  EXPECT_TRUE(check.warnings.empty());
}

// §8.2.1: a secret of less than 96 bits needs IPsec. For the initiator's
// secret that is a warning; the secret the target answers with is refused
// (§8.2.1 "SHOULD NOT continue with the login step in which it should send
// a CHAP response ... unless ... at least 96 bits").
TEST(ChapCredentials, WeakSecrets) {
  CredentialCheck initiator;
  check_credentials({"alice", "elevenbytes"}, SecretUse::InitiatorAuthentication, "t", initiator);
  EXPECT_TRUE(initiator.errors.empty());
  ASSERT_EQ(initiator.warnings.size(), 1u);
  EXPECT_NE(initiator.warnings[0].find("96 bits"), std::string::npos);
  EXPECT_EQ(initiator.warnings[0].find("elevenbytes"), std::string::npos);  // never the secret

  CredentialCheck target;
  check_credentials({"tgt", "elevenbytes"}, SecretUse::TargetAuthentication, "t", target);
  ASSERT_EQ(target.errors.size(), 1u);
  EXPECT_EQ(target.errors[0].find("elevenbytes"), std::string::npos);
}

TEST(ChapCredentials, LengthBounds) {
  CredentialCheck check;
  check_credentials({"alice", std::string(255, 'x')}, SecretUse::InitiatorAuthentication, "t",
                    check);
  check_credentials({std::string(255, 'u'), "twelve-bytes"}, SecretUse::InitiatorAuthentication,
                    "t", check);
  EXPECT_TRUE(check.errors.empty());
  check_credentials({"alice", std::string(256, 'x')}, SecretUse::InitiatorAuthentication, "t",
                    check);
  check_credentials({std::string(256, 'u'), "twelve-bytes"}, SecretUse::InitiatorAuthentication,
                    "t", check);
  check_credentials({"bad\xff", "twelve-bytes"}, SecretUse::InitiatorAuthentication, "t", check);
  EXPECT_EQ(check.errors.size(), 3u);
}

TEST(ChapCredentials, MutualNeedsChapAndItsOwnSecret) {
  AuthSettings only_mutual;
  only_mutual.mutual = ChapCredentials{"tgt", "target-secret-1"};
  CredentialCheck a;
  check_auth_settings(only_mutual, "t", a);
  EXPECT_TRUE(mentions(a.errors, "needs CHAP"));

  // §8.2.1: "Any CHAP secret used for initiator authentication MUST NOT be
  // configured for authentication of any target".
  AuthSettings same;
  same.chap = ChapCredentials{"alice", "shared-secret-1"};
  same.mutual = ChapCredentials{"tgt", "shared-secret-1"};
  CredentialCheck b;
  check_auth_settings(same, "t", b);
  EXPECT_TRUE(mentions(b.errors, "§8.2.1"));

  AuthSettings good;
  good.chap = ChapCredentials{"alice", "initiator-secret"};
  good.mutual = ChapCredentials{"tgt", "target-secret-1"};
  CredentialCheck c;
  check_auth_settings(good, "t", c);
  EXPECT_TRUE(c.errors.empty());
  EXPECT_TRUE(good.required());
  EXPECT_FALSE(AuthSettings{}.required());
}

}  // namespace
}  // namespace iscsi::session
