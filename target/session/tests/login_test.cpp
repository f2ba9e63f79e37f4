// The login phase through a whole TargetConnection (RFC 3720 §5.3, §10.12,
// §10.13): status classes and details, stage transitions, key handling.
#include "session/login.h"

#include <gtest/gtest.h>

#include "chap_test_support.h"
#include "fake_scsi.h"
#include "initiator_harness.h"

namespace iscsi::session {
namespace {

using testing::FakeScsi;
using testing::InitiatorHarness;
using testing::normal_login_keys;
using testing::text_of;
using testing::value_of;

class LoginTest : public ::testing::Test {
 protected:
  LoginTest() {
    config.targets.push_back(TargetNode{"iqn.2025-12.local:storage.disk1", "disk1", 7, &scsi});
    config.portal_addresses = {"127.0.0.1:3260"};
  }
  FakeScsi scsi;
  TargetConfig config;
  SessionTable sessions;
};

TEST_F(LoginTest, OperationalStageStraightToFullFeaturePhase) {
  InitiatorHarness h(config, sessions);
  const auto rsp = h.login(normal_login_keys());
  EXPECT_EQ(rsp.status_class, 0);
  EXPECT_EQ(rsp.status_detail, 0);
  EXPECT_TRUE(rsp.transit);
  EXPECT_EQ(rsp.csg, 1);
  EXPECT_EQ(rsp.nsg, 3);
  EXPECT_NE(rsp.tsih, 0);  // §10.13.2: the target assigns the TSIH on the final response
  EXPECT_EQ(rsp.initiator_task_tag, 0x1000u);
  EXPECT_EQ(rsp.isid.b, 0x1234);
  EXPECT_EQ(rsp.version_active, 0);
  EXPECT_EQ(rsp.stat_sn, 0x100u);  // the connection's StatSN starts at the ExpStatSN offered
  EXPECT_EQ(rsp.exp_cmd_sn, 10u);  // Login is immediate: CmdSN not advanced
  EXPECT_EQ(value_of(rsp.data, "TargetPortalGroupTag"), "7");
  EXPECT_EQ(value_of(rsp.data, "TargetAlias"), "disk1");
  EXPECT_EQ(value_of(rsp.data, "InitialR2T"), "Yes");
  EXPECT_EQ(value_of(rsp.data, "MaxBurstLength"), "262144");
  EXPECT_EQ(h.connection().phase(), TargetConnection::Phase::FullFeature);
  EXPECT_EQ(sessions.size(), 1u);
}

TEST_F(LoginTest, UnknownTargetIsNotFound) {
  InitiatorHarness h(config, sessions);
  const auto rsp = h.login(normal_login_keys("iqn.2025-12.local:nope"));
  EXPECT_EQ(rsp.status_class, 0x02);
  EXPECT_EQ(rsp.status_detail, 0x03);  // §10.13.5: Not found
  EXPECT_TRUE(h.connection().wants_close());
}

TEST_F(LoginTest, MissingInitiatorNameIsMissingParameter) {
  InitiatorHarness h(config, sessions);
  const auto rsp = h.login({{"TargetName", "iqn.2025-12.local:storage.disk1"}});
  EXPECT_EQ(rsp.status_class, 0x02);
  EXPECT_EQ(rsp.status_detail, 0x07);
}

TEST_F(LoginTest, UnsupportedVersion) {
  InitiatorHarness h(config, sessions);
  wire::LoginRequest req;
  req.csg = 1;
  req.version_min = 1;
  req.version_max = 2;
  req.data = text_of(normal_login_keys());
  const auto out = h.exchange(wire::Pdu(req));
  ASSERT_EQ(out.size(), 1u);
  const auto& rsp = std::get<wire::LoginResponse>(out[0]);
  EXPECT_EQ(rsp.status_class, 0x02);
  EXPECT_EQ(rsp.status_detail, 0x05);
  EXPECT_TRUE(h.connection().wants_close());
}

TEST_F(LoginTest, NonLoginPduDuringLoginIsInvalidDuringLogin) {
  InitiatorHarness h(config, sessions);
  wire::NopOut nop;
  nop.initiator_task_tag = 0x77;
  const auto out = h.exchange(wire::Pdu(nop));
  ASSERT_EQ(out.size(), 1u);
  const auto& rsp = std::get<wire::LoginResponse>(out[0]);
  EXPECT_EQ(rsp.status_class, 0x02);
  EXPECT_EQ(rsp.status_detail, 0x0b);
  EXPECT_TRUE(h.connection().wants_close());
}

TEST_F(LoginTest, TransitToReservedStageIsInitiatorError) {
  InitiatorHarness h(config, sessions);
  wire::LoginRequest req;
  req.transit = true;
  req.csg = 1;
  req.nsg = 2;  // reserved
  req.data = text_of(normal_login_keys());
  const auto out = h.exchange(wire::Pdu(req));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::LoginResponse>(out[0]).status_class, 0x02);
  EXPECT_EQ(std::get<wire::LoginResponse>(out[0]).status_detail, 0x00);
}

TEST_F(LoginTest, RepeatedKeyIsInitiatorError) {
  InitiatorHarness h(config, sessions);
  auto keys = normal_login_keys();
  keys.push_back({"MaxBurstLength", "65536"});
  const auto rsp = h.login(keys);
  EXPECT_EQ(rsp.status_class, 0x02);
  EXPECT_EQ(rsp.status_detail, 0x00);
}

TEST_F(LoginTest, SecurityThenOperationalStages) {
  InitiatorHarness h(config, sessions);
  wire::LoginRequest sec;
  sec.transit = true;
  sec.csg = 0;
  sec.nsg = 1;
  sec.initiator_task_tag = 1;
  sec.data = text_of({{"InitiatorName", "iqn.2025-12.local:initiator"},
                      {"TargetName", "iqn.2025-12.local:storage.disk1"},
                      {"AuthMethod", "None"}});
  auto out = h.exchange(wire::Pdu(sec));
  ASSERT_EQ(out.size(), 1u);
  auto rsp = std::get<wire::LoginResponse>(out[0]);
  EXPECT_EQ(rsp.status_class, 0);
  EXPECT_TRUE(rsp.transit);
  EXPECT_EQ(rsp.csg, 0);
  EXPECT_EQ(rsp.nsg, 1);
  EXPECT_EQ(value_of(rsp.data, "AuthMethod"), "None");

  wire::LoginRequest op;
  op.transit = true;
  op.csg = 1;
  op.nsg = 3;
  op.initiator_task_tag = 1;
  op.data = text_of({{"MaxRecvDataSegmentLength", "65536"}});
  out = h.exchange(wire::Pdu(op));
  ASSERT_EQ(out.size(), 1u);
  rsp = std::get<wire::LoginResponse>(out[0]);
  EXPECT_EQ(rsp.status_class, 0);
  EXPECT_EQ(rsp.nsg, 3);
  EXPECT_EQ(rsp.stat_sn, std::get<wire::LoginResponse>(out[0]).stat_sn);
  EXPECT_EQ(h.connection().phase(), TargetConnection::Phase::FullFeature);
}

TEST_F(LoginTest, StageMismatchIsInitiatorError) {
  InitiatorHarness h(config, sessions);
  wire::LoginRequest first;
  first.csg = 0;  // security stage, no transit
  first.data = text_of({{"InitiatorName", "iqn.2025-12.local:i"},
                        {"TargetName", "iqn.2025-12.local:storage.disk1"},
                        {"AuthMethod", "None"}});
  ASSERT_EQ(std::get<wire::LoginResponse>(h.exchange(wire::Pdu(first))[0]).status_class, 0);
  wire::LoginRequest wrong;
  wrong.csg = 1;  // the target never moved to the operational stage
  const auto out = h.exchange(wire::Pdu(wrong));
  EXPECT_EQ(std::get<wire::LoginResponse>(out[0]).status_class, 0x02);
}

TEST_F(LoginTest, ContinuedTextIsAcknowledgedWithAnEmptyResponse) {
  InitiatorHarness h(config, sessions);
  const wire::Bytes text = text_of(normal_login_keys());
  wire::LoginRequest part1;
  part1.csg = 1;
  part1.continue_ = true;
  part1.data.assign(text.begin(), text.begin() + 20);  // splits a key=value pair
  auto out = h.exchange(wire::Pdu(part1));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::get<wire::LoginResponse>(out[0]).data.empty());
  EXPECT_EQ(std::get<wire::LoginResponse>(out[0]).status_class, 0);
  wire::LoginRequest part2;
  part2.csg = 1;
  part2.nsg = 3;
  part2.transit = true;
  part2.data.assign(text.begin() + 20, text.end());
  out = h.exchange(wire::Pdu(part2));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::LoginResponse>(out[0]).status_class, 0);
  EXPECT_EQ(h.connection().phase(), TargetConnection::Phase::FullFeature);
}

TEST_F(LoginTest, DiscoverySessionNeedsNoTargetName) {
  InitiatorHarness h(config, sessions);
  const auto rsp =
      h.login({{"InitiatorName", "iqn.2025-12.local:i"}, {"SessionType", "Discovery"}});
  EXPECT_EQ(rsp.status_class, 0);
  EXPECT_EQ(h.connection().phase(), TargetConnection::Phase::FullFeature);
}

TEST_F(LoginTest, NonZeroTsihForUnknownSessionIsSessionDoesNotExist) {
  InitiatorHarness h(config, sessions);
  wire::LoginRequest req;
  req.csg = 1;
  req.tsih = 0x4242;
  req.data = text_of(normal_login_keys());
  const auto out = h.exchange(wire::Pdu(req));
  EXPECT_EQ(std::get<wire::LoginResponse>(out[0]).status_detail, 0x0a);
}

TEST_F(LoginTest, ReinstatementClosesTheOldSession) {
  InitiatorHarness first(config, sessions);
  ASSERT_EQ(first.login(normal_login_keys()).status_class, 0);
  InitiatorHarness second(config, sessions);
  ASSERT_EQ(second.login(normal_login_keys()).status_class, 0);  // same ISID and names
  EXPECT_TRUE(first.connection().wants_close());                 // §5.3.5
  EXPECT_FALSE(second.connection().wants_close());
  EXPECT_EQ(sessions.size(), 1u);
}

// RFC 5048 (updating RFC 3720): a completed reinstatement is an I_T nexus
// loss, reported by the new login itself, before its session runs a
// command, whatever the old connection's teardown does later.
TEST_F(LoginTest, ReinstatementReportsTheNexusLossOnce) {
  auto first = std::make_unique<InitiatorHarness>(config, sessions);
  ASSERT_EQ(first->login(normal_login_keys()).status_class, 0);
  EXPECT_TRUE(scsi.lost_nexuses.empty());
  InitiatorHarness second(config, sessions);
  ASSERT_EQ(second.login(normal_login_keys()).status_class, 0);
  ASSERT_EQ(scsi.lost_nexuses.size(), 1u);
  first.reset();  // the old connection torn down after the new login
  EXPECT_EQ(scsi.lost_nexuses.size(), 1u);
}

TEST_F(LoginTest, LoginTimeoutClosesTheConnection) {
  InitiatorHarness h(config, sessions);
  auto deadline = h.connection().next_deadline();
  ASSERT_TRUE(deadline.has_value());
  h.connection().on_timer(*deadline);
  EXPECT_TRUE(h.connection().wants_close());
}

// ---- Authentication and access control (§5.3, §8.2.1, §11.1.4, §10.13.5) ----

using Keys = std::vector<std::pair<std::string, std::string>>;

wire::LoginResponse login_step(InitiatorHarness& h, std::uint8_t csg, std::uint8_t nsg,
                               bool transit, const Keys& keys) {
  wire::LoginRequest r;
  r.csg = csg;
  r.nsg = nsg;
  r.transit = transit;
  r.initiator_task_tag = 5;
  r.isid = wire::Isid{0, 0x3d, 0x1234, 0x56, 0x0001};
  r.cmd_sn = 10;
  r.data = text_of(keys);
  const auto out = h.exchange(wire::Pdu(r));
  EXPECT_EQ(out.size(), 1u);
  if (out.size() != 1 || !std::holds_alternative<wire::LoginResponse>(out[0])) return {};
  return std::get<wire::LoginResponse>(out[0]);
}

std::uint16_t status_of(const wire::LoginResponse& r) {
  return static_cast<std::uint16_t>(r.status_class << 8 | r.status_detail);
}

Keys security_keys(const std::string& methods = "CHAP,None", const std::string& type = "Normal") {
  Keys k = {{"InitiatorName", "iqn.2025-12.local:initiator"}, {"SessionType", type}};
  if (type == "Normal") k.push_back({"TargetName", "iqn.2025-12.local:storage.disk1"});
  if (!methods.empty()) k.push_back({"AuthMethod", methods});
  return k;
}

class ChapLoginTest : public LoginTest {
 protected:
  ChapLoginTest() {
    config.targets[0].auth.chap = ChapCredentials{"alice", "secret"};
    config.random = testing::fixed_challenge();
  }

  // The first two steps: AuthMethod, then CHAP_A and the target's challenge.
  void challenge(InitiatorHarness& h, const std::string& type = "Normal") {
    auto r = login_step(h, 0, 1, true, security_keys("CHAP,None", type));
    ASSERT_EQ(status_of(r), 0);
    EXPECT_EQ(value_of(r.data, "AuthMethod"), "CHAP");
    EXPECT_FALSE(r.transit);  // §11.1.4: the exchange is not over
    r = login_step(h, 0, 1, true, {{"CHAP_A", "5"}});
    ASSERT_EQ(status_of(r), 0);
    EXPECT_FALSE(r.transit);
    EXPECT_EQ(value_of(r.data, "CHAP_A"), "5");
    EXPECT_EQ(value_of(r.data, "CHAP_I"), "42");
    EXPECT_EQ(value_of(r.data, "CHAP_C"), "0x000102030405060708090a0b0c0d0e0f");
  }

  void expect_refused(InitiatorHarness& h, const wire::LoginResponse& r, std::uint16_t status) {
    EXPECT_EQ(status_of(r), status);
    EXPECT_TRUE(h.connection().wants_close());
    EXPECT_EQ(sessions.size(), 0u);
  }
};

TEST_F(ChapLoginTest, ChapThenOperationalStageThenFullFeaturePhase) {
  InitiatorHarness h(config, sessions);
  challenge(h);
  auto r = login_step(h, 0, 1, true, {{"CHAP_N", "alice"}, {"CHAP_R", testing::kResponseSecret}});
  ASSERT_EQ(status_of(r), 0);
  EXPECT_TRUE(r.transit);
  EXPECT_EQ(r.nsg, 1);
  EXPECT_EQ(value_of(r.data, "CHAP_N"), "<absent>");  // one-way: the target does not answer
  r = login_step(h, 1, 3, true, {{"MaxRecvDataSegmentLength", "65536"}});
  EXPECT_EQ(status_of(r), 0);
  EXPECT_EQ(h.connection().phase(), TargetConnection::Phase::FullFeature);
}

TEST_F(ChapLoginTest, ChapStraightToFullFeaturePhase) {
  InitiatorHarness h(config, sessions);
  challenge(h);
  auto r = login_step(h, 0, 3, true, {{"CHAP_N", "alice"}, {"CHAP_R", testing::kResponseSecret}});
  EXPECT_EQ(status_of(r), 0);
  EXPECT_EQ(r.nsg, 3);
  EXPECT_EQ(h.connection().phase(), TargetConnection::Phase::FullFeature);
}

TEST_F(ChapLoginTest, MutualChap) {
  config.targets[0].auth.mutual = ChapCredentials{"target", "targetsecret99"};
  InitiatorHarness h(config, sessions);
  challenge(h);
  auto r = login_step(h, 0, 1, true,
                      {{"CHAP_N", "alice"},
                       {"CHAP_R", testing::kResponseSecret},
                       {"CHAP_I", "7"},
                       {"CHAP_C", testing::kInitiatorChallenge}});
  ASSERT_EQ(status_of(r), 0);
  EXPECT_TRUE(r.transit);
  EXPECT_EQ(value_of(r.data, "CHAP_N"), "target");
  EXPECT_EQ(value_of(r.data, "CHAP_R"), testing::kMutualResponse);
}

TEST_F(ChapLoginTest, WrongSecretIsAuthenticationFailure) {
  InitiatorHarness h(config, sessions);
  challenge(h);
  auto r = login_step(h, 0, 1, true,
                      {{"CHAP_N", "alice"}, {"CHAP_R", "0x03dc98c5a832692b49df73cf48fcb4e8"}});
  expect_refused(h, r, 0x0201);
  // Logged with the status and the initiator, never the secret or response.
  const std::string& why = h.connection().close_reason();
  EXPECT_NE(why.find("0x0201"), std::string::npos) << why;
  EXPECT_NE(why.find("iqn.2025-12.local:initiator"), std::string::npos) << why;
  EXPECT_EQ(why.find("secret"), std::string::npos) << why;
  EXPECT_EQ(why.find("03dc98"), std::string::npos) << why;
}

TEST_F(ChapLoginTest, OversizedResponseIsAuthenticationFailure) {
  InitiatorHarness h(config, sessions);
  challenge(h);
  auto r = login_step(h, 0, 1, true,
                      {{"CHAP_N", "alice"}, {"CHAP_R", "0x" + std::string(2 * 1025, 'a')}});
  expect_refused(h, r, 0x0201);
}

// Authentication cannot be skipped by starting in the operational stage.
TEST_F(ChapLoginTest, StartingInTheOperationalStageIsAuthenticationFailure) {
  InitiatorHarness h(config, sessions);
  const auto r = h.login(normal_login_keys());
  expect_refused(h, r, 0x0201);
}

// ... nor by sending AuthMethod late, in the operational stage.
TEST_F(ChapLoginTest, AuthMethodInTheOperationalStageIsAuthenticationFailure) {
  InitiatorHarness h(config, sessions);
  auto keys = normal_login_keys();
  keys.push_back({"AuthMethod", "CHAP"});
  const auto r = h.login(keys);
  expect_refused(h, r, 0x0201);
}

// ... nor by leaving the security stage without AuthMethod.
TEST_F(ChapLoginTest, SecurityStageWithoutAuthMethodIsAuthenticationFailure) {
  InitiatorHarness h(config, sessions);
  const auto r = login_step(h, 0, 1, true, security_keys(""));
  expect_refused(h, r, 0x0201);
}

// ... nor by offering only None.
TEST_F(ChapLoginTest, AuthMethodNoneIsAuthenticationFailure) {
  InitiatorHarness h(config, sessions);
  expect_refused(h, login_step(h, 0, 1, true, security_keys("None")), 0x0201);
  InitiatorHarness h2(config, sessions);
  auto r = login_step(h2, 0, 1, false, security_keys("None"));
  ASSERT_EQ(status_of(r), 0);
  EXPECT_EQ(value_of(r.data, "AuthMethod"), "Reject");  // §5.2.1: no acceptable value
  expect_refused(h2, login_step(h2, 0, 1, true, {}), 0x0201);
}

// ... nor by asking to transit after the challenge without responding.
TEST_F(ChapLoginTest, TransitWithoutResponseIsAuthenticationFailure) {
  InitiatorHarness h(config, sessions);
  challenge(h);
  expect_refused(h, login_step(h, 0, 1, true, {}), 0x0201);
}

// ... nor by moving to the operational stage while the target stays in the
// security stage (the target never answered T=1).
TEST_F(ChapLoginTest, OperationalStageBeforeTheTargetTransitedIsRefused) {
  InitiatorHarness h(config, sessions);
  challenge(h);
  const auto r = login_step(h, 1, 3, true, {{"MaxRecvDataSegmentLength", "65536"}});
  EXPECT_EQ(r.status_class, 0x02);
  EXPECT_TRUE(h.connection().wants_close());
  EXPECT_EQ(sessions.size(), 0u);
}

TEST_F(ChapLoginTest, ChapKeysBeforeAuthMethodAreRefused) {
  InitiatorHarness h(config, sessions);
  auto keys = security_keys("");
  keys.push_back({"CHAP_A", "5"});
  const auto r = login_step(h, 0, 1, false, keys);
  EXPECT_EQ(r.status_class, 0x02);  // §11.1: exchange keys follow the AuthMethod selection
  EXPECT_TRUE(h.connection().wants_close());
}

TEST_F(ChapLoginTest, RepeatedChapKeyIsRefused) {
  InitiatorHarness h(config, sessions);
  challenge(h);
  const auto r = login_step(h, 0, 1, true, {{"CHAP_A", "5"}});
  EXPECT_EQ(r.status_class, 0x02);
  EXPECT_TRUE(h.connection().wants_close());
}

// A target without CHAP keeps accepting logins without authentication.
TEST_F(LoginTest, NoChapConfiguredSelectsNone) {
  InitiatorHarness h(config, sessions);
  const auto r = login_step(h, 0, 1, true, security_keys("CHAP,None"));
  EXPECT_EQ(status_of(r), 0);
  EXPECT_EQ(value_of(r.data, "AuthMethod"), "None");
  EXPECT_TRUE(r.transit);
}

// Discovery authentication is configured apart from the targets' (SPDK #3417).
TEST_F(ChapLoginTest, DiscoveryWithoutDiscoveryChapNeedsNoAuthentication) {
  InitiatorHarness h(config, sessions);
  const auto r = h.login({{"InitiatorName", "iqn.2025-12.local:i"}, {"SessionType", "Discovery"}});
  EXPECT_EQ(status_of(r), 0);
}

TEST_F(LoginTest, DiscoveryChapIsEnforced) {
  config.discovery_auth.chap = ChapCredentials{"alice", "secret"};
  config.random = testing::fixed_challenge();
  InitiatorHarness skip(config, sessions);
  const auto r =
      skip.login({{"InitiatorName", "iqn.2025-12.local:i"}, {"SessionType", "Discovery"}});
  EXPECT_EQ(status_of(r), 0x0201);
  InitiatorHarness none(config, sessions);
  EXPECT_EQ(status_of(login_step(none, 0, 1, true, security_keys("None", "Discovery"))), 0x0201);
  // The normal target has no CHAP of its own.
  InitiatorHarness normal(config, sessions);
  EXPECT_EQ(status_of(normal.login(normal_login_keys())), 0);
}

TEST_F(LoginTest, DiscoveryChapExchange) {
  config.discovery_auth.chap = ChapCredentials{"alice", "secret"};
  config.random = testing::fixed_challenge();
  InitiatorHarness h(config, sessions);
  auto r = login_step(h, 0, 1, false, security_keys("CHAP", "Discovery"));
  ASSERT_EQ(value_of(r.data, "AuthMethod"), "CHAP");
  r = login_step(h, 0, 1, false, {{"CHAP_A", "5"}});
  ASSERT_EQ(value_of(r.data, "CHAP_I"), "42");
  r = login_step(h, 0, 3, true, {{"CHAP_N", "alice"}, {"CHAP_R", testing::kResponseSecret}});
  EXPECT_EQ(status_of(r), 0);
  EXPECT_EQ(h.connection().phase(), TargetConnection::Phase::FullFeature);
}

// §10.13.5 0x0202: "The initiator is not allowed access to the given target."
TEST_F(LoginTest, InitiatorOutsideTheAclIsAuthorizationFailure) {
  config.targets[0].allowed_initiators = {"iqn.2025-12.local:someone-else"};
  InitiatorHarness h(config, sessions);
  const auto r = h.login(normal_login_keys());
  EXPECT_EQ(status_of(r), 0x0202);
  EXPECT_TRUE(h.connection().wants_close());
  EXPECT_NE(h.connection().close_reason().find("access list"), std::string::npos);
}

TEST_F(LoginTest, InitiatorInTheAclIsAdmitted) {
  // §3.2.6.1: names compare in normalized (lower-case) form.
  config.targets[0].allowed_initiators = {"iqn.2025-12.local:other", "IQN.2025-12.LOCAL:INITIATOR"};
  InitiatorHarness h(config, sessions);
  EXPECT_EQ(status_of(h.login(normal_login_keys())), 0);
}

TEST_F(LoginTest, AclIsCheckedBeforeAuthentication) {
  config.targets[0].allowed_initiators = {"iqn.2025-12.local:someone-else"};
  config.targets[0].auth.chap = ChapCredentials{"alice", "secret"};
  InitiatorHarness h(config, sessions);
  EXPECT_EQ(status_of(login_step(h, 0, 1, false, security_keys("CHAP"))), 0x0202);
}

// Appendix D: SendTargets lists the targets "the requesting initiator is
// authorized to access".
TEST_F(LoginTest, SendTargetsListsOnlyAdmittedTargets) {
  FakeScsi other;
  config.targets.push_back(TargetNode{"iqn.2025-12.local:private", "", 1, &other});
  config.targets.back().allowed_initiators = {"iqn.2025-12.local:someone-else"};
  InitiatorHarness h(config, sessions);
  ASSERT_EQ(status_of(h.login(
                {{"InitiatorName", "iqn.2025-12.local:initiator"}, {"SessionType", "Discovery"}})),
            0);
  wire::TextRequest t;
  t.immediate = true;
  t.initiator_task_tag = 23;
  t.cmd_sn = h.cmd_sn();
  t.data = text_of({{"SendTargets", "All"}});
  const auto out = h.exchange(wire::Pdu(t));
  ASSERT_EQ(out.size(), 1u);
  const auto pairs = testing::pairs_of(std::get<wire::TextResponse>(out[0]).data);
  std::vector<std::string> names;
  for (const auto& kv : pairs) {
    if (kv.key == "TargetName") names.push_back(kv.value);
  }
  EXPECT_EQ(names, std::vector<std::string>{"iqn.2025-12.local:storage.disk1"});
}

// A login is bounded in requests, bytes and keys (0x0302 Out of resources).
TEST_F(LoginTest, LoginRequestBudget) {
  config.limits.max_login_requests = 2;
  InitiatorHarness h(config, sessions);
  ASSERT_EQ(status_of(login_step(h, 0, 1, false, security_keys("None"))), 0);
  ASSERT_EQ(status_of(login_step(h, 0, 1, false, {})), 0);
  EXPECT_EQ(status_of(login_step(h, 0, 1, false, {})), 0x0302);
  EXPECT_TRUE(h.connection().wants_close());
}

TEST_F(LoginTest, LoginKeyBudget) {
  config.limits.max_login_keys = 10;
  InitiatorHarness h(config, sessions);
  EXPECT_EQ(status_of(h.login(normal_login_keys())), 0x0302);  // 11 keys
  config.limits.max_login_keys = 11;
  InitiatorHarness ok(config, sessions);
  EXPECT_EQ(status_of(ok.login(normal_login_keys())), 0);
}

TEST_F(LoginTest, LoginByteBudget) {
  config.limits.max_login_bytes = 64;
  InitiatorHarness h(config, sessions);
  EXPECT_EQ(status_of(h.login(normal_login_keys())), 0x0302);
}

}  // namespace
}  // namespace iscsi::session
