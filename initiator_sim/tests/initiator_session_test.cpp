// The engine's CHAP logins against the in-process reference target.
#include "engine/initiator_session.h"

#include <gtest/gtest.h>

#include "runner/inprocess_target.h"
#include "runner/runner.h"
#include "transport/inprocess_transport.h"

namespace iscsi::sim {
namespace {

constexpr const char* kIqn = "iqn.2025-12.local:storage.disk1";
const session::ChapCredentials kInitiator{"alice", "alice-secret-123"};
const session::ChapCredentials kTarget{"disk1", "disk1-secret-456"};

LoginRequestSpec chap_login(std::optional<session::ChapCredentials> target) {
  LoginRequestSpec spec;
  spec.security_stage = true;
  spec.security_keys = {{"InitiatorName", std::string(kHarnessInitiatorName)},
                        {"TargetName", kIqn},
                        {"SessionType", "Normal"},
                        {"AuthMethod", "CHAP"}};
  spec.chap = ChapSecrets{kInitiator, std::move(target)};
  return spec;
}

struct Fixture {
  explicit Fixture(session::AuthSettings auth) : t(make_inprocess_target(kIqn)) {
    t->config.targets.front().auth = std::move(auth);
  }
  InitiatorSession connect() {
    return InitiatorSession(std::make_unique<InProcessTransport>(t->config, t->sessions));
  }
  std::unique_ptr<InProcessTarget> t;
};

const Millis kWait{1000};

TEST(InitiatorSessionChap, OneWayLoginReachesFullFeaturePhase) {
  Fixture f(session::AuthSettings{kInitiator, std::nullopt});
  auto s = f.connect();
  const auto out = s.login(chap_login(std::nullopt), kWait);
  EXPECT_TRUE(out.completed) << out.error;
  EXPECT_TRUE(s.full_feature());
}

TEST(InitiatorSessionChap, MutualLoginVerifiesTheTarget) {
  Fixture f(session::AuthSettings{kInitiator, kTarget});
  auto s = f.connect();
  const auto out = s.login(chap_login(kTarget), kWait);
  EXPECT_TRUE(out.completed) << out.error;
}

TEST(InitiatorSessionChap, WrongTargetResponseIsAFailure) {
  // The target answers with its configured secret; the engine expects another.
  Fixture f(session::AuthSettings{kInitiator, kTarget});
  auto s = f.connect();
  const auto out =
      s.login(chap_login(session::ChapCredentials{"disk1", "not-the-disk1-secret"}), kWait);
  EXPECT_FALSE(out.completed);
  EXPECT_NE(out.error.find("target's CHAP_R"), std::string::npos) << out.error;
  EXPECT_FALSE(s.full_feature());
}

TEST(InitiatorSessionChap, WrongSecretIsRefusedWith0201) {
  Fixture f(
      session::AuthSettings{session::ChapCredentials{"alice", "the-real-secret-1"}, std::nullopt});
  auto s = f.connect();
  const auto out = s.login(chap_login(std::nullopt), kWait);
  EXPECT_FALSE(out.completed);
  EXPECT_EQ(out.status_class, 2);
  EXPECT_EQ(out.status_detail, 1);
}

}  // namespace
}  // namespace iscsi::sim
