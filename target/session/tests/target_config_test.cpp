// Target configuration: access lists, which authentication a session must
// pass, the AuthMethod policy, and the §8.2.1 checks over all targets.
#include "session/target_config.h"

#include <gtest/gtest.h>

namespace iscsi::session {
namespace {

using negotiation::Key;
using negotiation::SessionType;

TEST(TargetConfig, EmptyAclAdmitsEveryone) {
  TargetNode t{"iqn.2025-12.local:t", "", 1, nullptr};
  EXPECT_TRUE(t.allows("iqn.2025-12.local:anyone"));
}

TEST(TargetConfig, AclComparesNormalizedNames) {
  TargetNode t{"iqn.2025-12.local:t", "", 1, nullptr};
  t.allowed_initiators = {"iqn.2025-12.local:Host1", "eui.0123456789ABCDEF"};
  EXPECT_TRUE(t.allows("iqn.2025-12.local:host1"));
  EXPECT_TRUE(t.allows("eui.0123456789abcdef"));
  EXPECT_FALSE(t.allows("iqn.2025-12.local:host"));
  EXPECT_FALSE(t.allows("iqn.2025-12.local:host12"));
  EXPECT_FALSE(t.allows(""));
}

TEST(TargetConfig, AuthForSessionType) {
  TargetConfig c;
  c.discovery_auth.chap = ChapCredentials{"d", "discovery-secret"};
  c.targets.push_back(TargetNode{"iqn.2025-12.local:t", "", 1, nullptr});
  c.targets[0].auth.chap = ChapCredentials{"n", "normal-secret-1"};
  EXPECT_EQ(auth_for(c, &c.targets[0], SessionType::Normal).chap->user, "n");
  EXPECT_EQ(auth_for(c, nullptr, SessionType::Discovery).chap->user, "d");
  EXPECT_FALSE(auth_for(c, nullptr, SessionType::Normal).required());
}

TEST(TargetConfig, AuthMethodPolicyFollowsTheSettings) {
  TargetConfig c;
  AuthSettings chap;
  chap.chap = ChapCredentials{"u", "some-secret-1"};
  using List = std::vector<std::string>;
  EXPECT_EQ(std::get<List>(target_policy(c, nullptr, chap).value(Key::AuthMethod)), List{"CHAP"});
  EXPECT_EQ(std::get<List>(target_policy(c, nullptr).value(Key::AuthMethod)), List{"None"});
}

TEST(TargetConfig, CheckAuthAcceptsAGoodConfiguration) {
  TargetConfig c;
  c.targets.push_back(TargetNode{"iqn.2025-12.local:t", "", 1, nullptr});
  c.targets[0].auth.chap = ChapCredentials{"alice", "initiator-secret"};
  c.targets[0].auth.mutual = ChapCredentials{"tgt", "target-secret-1"};
  c.discovery_auth.chap = ChapCredentials{"alice", "initiator-secret"};
  const CredentialCheck r = check_auth(c);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.warnings.empty());
}

// §8.2.1: a secret that authenticates an initiator anywhere may not
// authenticate a target anywhere.
TEST(TargetConfig, CheckAuthRefusesASecretInBothDirectionsAcrossTargets) {
  TargetConfig c;
  c.targets.push_back(TargetNode{"iqn.2025-12.local:a", "", 1, nullptr});
  c.targets.push_back(TargetNode{"iqn.2025-12.local:b", "", 1, nullptr});
  c.targets[0].auth.chap = ChapCredentials{"alice", "secret-number-1"};
  c.targets[1].auth.chap = ChapCredentials{"bob", "secret-number-2"};
  c.targets[1].auth.mutual = ChapCredentials{"tgt", "secret-number-1"};
  const CredentialCheck r = check_auth(c);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("§8.2.1"), std::string::npos);
  EXPECT_EQ(r.errors[0].find("secret-number-1"), std::string::npos);
}

TEST(TargetConfig, CheckAuthReportsWeakAndInvalidSecrets) {
  TargetConfig c;
  c.discovery_auth.chap = ChapCredentials{"alice", "short"};
  c.targets.push_back(TargetNode{"iqn.2025-12.local:a", "", 1, nullptr});
  c.targets[0].auth.mutual = ChapCredentials{"tgt", "target-secret-1"};  // without chap
  const CredentialCheck r = check_auth(c);
  EXPECT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.errors.size(), 1u);
}

}  // namespace
}  // namespace iscsi::session
