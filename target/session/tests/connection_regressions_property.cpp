// Failures the fuzzers (fuzz/fuzz_session, fuzz/fuzz_login) and the
// RapidCheck models of this directory found in TargetConnection, each
// reduced to a plain test of the RFC rule it broke. Each names the input
// that found it.
#include <gtest/gtest.h>

#include "fake_scsi.h"
#include "initiator_harness.h"

namespace iscsi::session {
namespace {

using testing::FakeScsi;
using testing::InitiatorHarness;
using testing::normal_login_keys;

class ConnectionRegression : public ::testing::Test {
 protected:
  ConnectionRegression() {
    config.targets.push_back(TargetNode{"iqn.2025-12.local:storage.disk1", "", 1, &scsi});
  }
  FakeScsi scsi;
  TargetConfig config;
  SessionTable sessions;
};

// Found by fuzz_session (a NOP-Out of 523 bytes of ping data on a session
// where the initiator declared MaxRecvDataSegmentLength=512). RFC 3720
// §10.18.5: "Ping data are reflected in the NOP-In Response. The length of
// the reflected data are limited to MaxRecvDataSegmentLength"; §12.12: a
// sender never exceeds the receiver's MaxRecvDataSegmentLength.
TEST_F(ConnectionRegression, NopInEchoWithinInitiatorLimit) {
  config.limits.max_recv_data_segment_length = 8192;
  InitiatorHarness h(config, sessions);
  auto keys = normal_login_keys();
  for (auto& [k, v] : keys) {
    if (k == "MaxRecvDataSegmentLength") v = "512";
  }
  ASSERT_EQ(h.login(keys).status_class, 0);
  wire::NopOut ping;
  ping.immediate = true;
  ping.initiator_task_tag = 0x21;
  ping.cmd_sn = h.cmd_sn();
  ping.data.assign(523, 0xab);  // within the target's 8192, over the initiator's 512
  const auto out = h.exchange(wire::Pdu(ping));
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<wire::NopIn>(out[0]));
  const auto& nop = std::get<wire::NopIn>(out[0]);
  EXPECT_EQ(nop.initiator_task_tag, 0x21u);
  EXPECT_LE(nop.data.size(), 512u);
}

// Found by fuzz_login (fuzz/regressions/fuzz_login/statsn-gap-after-failed-final-login):
// a final Login Request (T=1, NSG=3) whose negotiation fails at its end
// (here §12.14: FirstBurstLength, at its default 65536, above the
// MaxBurstLength=512 the initiator offered) was answered with a StatSN one
// past the next one: the answer being built had taken a StatSN before the
// failure answer took another. §10.13.4/§3.2.2.2: the first Login Response
// carries the StatSN the initiator expects (ExpStatSN of its first
// request), and StatSN advances by one per response.
TEST_F(ConnectionRegression, FailedFinalLoginKeepsStatSnInSequence) {
  InitiatorHarness h(config, sessions);
  auto keys = normal_login_keys();
  std::erase_if(keys, [](const auto& kv) { return kv.first == "FirstBurstLength"; });
  for (auto& [k, v] : keys) {
    if (k == "MaxBurstLength") v = "512";
    if (k == "InitialR2T") v = "No";
  }
  const wire::LoginResponse r = h.login(keys);  // ExpStatSN 0x100
  EXPECT_NE(r.status_class, 0);
  EXPECT_EQ(r.stat_sn, 0x100u);
}

}  // namespace
}  // namespace iscsi::session
