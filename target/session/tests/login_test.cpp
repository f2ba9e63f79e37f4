// The login phase through a whole TargetConnection (RFC 3720 §5.3, §10.12,
// §10.13): status classes and details, stage transitions, key handling.
#include "session/login.h"

#include <gtest/gtest.h>

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
  const auto rsp = h.login({{"InitiatorName", "iqn.2025-12.local:i"}, {"SessionType", "Discovery"}});
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
  EXPECT_TRUE(first.connection().wants_close());  // §5.3.5
  EXPECT_FALSE(second.connection().wants_close());
  EXPECT_EQ(sessions.size(), 1u);
}

TEST_F(LoginTest, LoginTimeoutClosesTheConnection) {
  InitiatorHarness h(config, sessions);
  auto deadline = h.connection().next_deadline();
  ASSERT_TRUE(deadline.has_value());
  h.connection().on_timer(*deadline);
  EXPECT_TRUE(h.connection().wants_close());
}

}  // namespace
}  // namespace iscsi::session
