// Full feature phase of a TargetConnection: CmdSN window, commands and data
// transfer, NOP, text, task management, logout, Reject.
#include "session/connection.h"

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

class ConnectionTest : public ::testing::Test {
 protected:
  ConnectionTest() {
    config.targets.push_back(TargetNode{"iqn.2025-12.local:storage.disk1", "", 1, &scsi});
    config.portal_addresses = {"127.0.0.1:3260"};
  }

  InitiatorHarness& logged_in(
      std::vector<std::pair<std::string, std::string>> keys = normal_login_keys(),
      wire::DigestSettings digests = {}) {
    h = std::make_unique<InitiatorHarness>(config, sessions);
    EXPECT_EQ(h->login(std::move(keys), digests).status_class, 0);
    return *h;
  }

  // An immediate Logout Request on `i`, and what the target answers.
  static std::vector<wire::Pdu> logout(InitiatorHarness& i, std::uint32_t itt,
                                       std::uint8_t reason = wire::LogoutRequest::CloseSession) {
    wire::LogoutRequest lo;
    lo.immediate = true;
    lo.initiator_task_tag = itt;
    lo.reason_code = reason;
    lo.cmd_sn = i.cmd_sn();
    return i.exchange(wire::Pdu(lo));
  }

  wire::ScsiCommand read10(std::uint32_t itt, std::uint16_t blocks, std::uint32_t edtl) {
    wire::ScsiCommand c;
    c.read = true;
    c.initiator_task_tag = itt;
    c.expected_data_transfer_length = edtl;
    c.cmd_sn = h->next_cmd_sn();
    c.exp_stat_sn = h->exp_stat_sn();
    c.cdb = {0x28,
             0,
             0,
             0,
             0,
             0,
             0,
             static_cast<std::uint8_t>(blocks >> 8),
             static_cast<std::uint8_t>(blocks)};
    return c;
  }

  wire::ScsiCommand write10(std::uint32_t itt, std::uint16_t blocks, std::uint32_t edtl) {
    wire::ScsiCommand c;
    c.write = true;
    c.initiator_task_tag = itt;
    c.expected_data_transfer_length = edtl;
    c.cmd_sn = h->next_cmd_sn();
    c.cdb = {0x2a,
             0,
             0,
             0,
             0,
             0,
             0,
             static_cast<std::uint8_t>(blocks >> 8),
             static_cast<std::uint8_t>(blocks)};
    return c;
  }

  FakeScsi scsi;
  TargetConfig config;
  SessionTable sessions;
  std::unique_ptr<InitiatorHarness> h;
};

TEST_F(ConnectionTest, NopOutPingIsEchoed) {
  auto& i = logged_in();
  wire::NopOut ping;
  ping.initiator_task_tag = 0x55;
  ping.cmd_sn = i.cmd_sn();
  ping.immediate = true;
  ping.data = {1, 2, 3};
  const auto out = i.exchange(wire::Pdu(ping));
  ASSERT_EQ(out.size(), 1u);
  const auto& nop = std::get<wire::NopIn>(out[0]);
  EXPECT_EQ(nop.initiator_task_tag, 0x55u);
  EXPECT_EQ(nop.target_transfer_tag, wire::kReservedTag);
  EXPECT_EQ(nop.data, (wire::Bytes{1, 2, 3}));
  EXPECT_EQ(nop.stat_sn, i.exp_stat_sn());
}

TEST_F(ConnectionTest, ReadReturnsDataInWithStatus) {
  auto& i = logged_in();
  const auto out = i.exchange(wire::Pdu(read10(1, 2, 1024)));
  ASSERT_EQ(out.size(), 1u);  // 1024 bytes fit one 8192-byte segment
  const auto& d = std::get<wire::ScsiDataIn>(out[0]);
  EXPECT_TRUE(d.final);
  EXPECT_TRUE(d.status_present);
  EXPECT_EQ(d.status, 0);
  EXPECT_EQ(d.data.size(), 1024u);
  EXPECT_EQ(d.data[3], 21);
  EXPECT_FALSE(d.residual_underflow);
  EXPECT_EQ(d.exp_cmd_sn, 11u);
}

TEST_F(ConnectionTest, ReadIsSplitByTheInitiatorsMaxRecvDataSegmentLength) {
  auto keys = normal_login_keys();
  for (auto& [k, v] : keys) {
    if (k == "MaxRecvDataSegmentLength") v = "512";
  }
  auto& i = logged_in(keys);
  const auto out = i.exchange(wire::Pdu(read10(2, 4, 2048)));
  ASSERT_EQ(out.size(), 4u);
  for (std::uint32_t n = 0; n < 4; ++n) {
    const auto& d = std::get<wire::ScsiDataIn>(out[n]);
    EXPECT_EQ(d.data_sn, n);
    EXPECT_EQ(d.buffer_offset, n * 512);
    EXPECT_EQ(d.data.size(), 512u);
    EXPECT_EQ(d.status_present, n == 3);
  }
}

// libiscsi iSCSIResiduals: EDTL above and below the CDB's length.
TEST_F(ConnectionTest, ReadResiduals) {
  auto& i = logged_in();
  auto out = i.exchange(wire::Pdu(read10(3, 1, 10000)));
  auto d = std::get<wire::ScsiDataIn>(out.back());
  EXPECT_TRUE(d.residual_underflow);
  EXPECT_EQ(d.residual_count, 10000u - 512u);
  out = i.exchange(wire::Pdu(read10(4, 1, 200)));
  d = std::get<wire::ScsiDataIn>(out.back());
  EXPECT_EQ(d.data.size(), 200u);
  EXPECT_TRUE(d.residual_overflow);
  EXPECT_EQ(d.residual_count, 312u);
  out = i.exchange(wire::Pdu(read10(5, 1, 0)));
  ASSERT_EQ(out.size(), 1u);
  const auto& rsp = std::get<wire::ScsiResponse>(out[0]);
  EXPECT_TRUE(rsp.residual_overflow);
  EXPECT_EQ(rsp.residual_count, 512u);
}

TEST_F(ConnectionTest, WriteWithImmediateDataAndR2t) {
  auto& i = logged_in();  // InitialR2T=Yes, ImmediateData=Yes
  auto cmd = write10(6, 4, 2048);
  cmd.data.assign(512, 0xaa);  // immediate
  auto out = i.exchange(wire::Pdu(cmd));
  ASSERT_EQ(out.size(), 1u);
  const auto r2t = std::get<wire::ReadyToTransfer>(out[0]);
  EXPECT_EQ(r2t.buffer_offset, 512u);
  EXPECT_EQ(r2t.desired_data_transfer_length, 1536u);
  EXPECT_EQ(r2t.r2t_sn, 0u);
  EXPECT_NE(r2t.target_transfer_tag, wire::kReservedTag);

  wire::ScsiDataOut d;
  d.initiator_task_tag = 6;
  d.target_transfer_tag = r2t.target_transfer_tag;
  d.buffer_offset = 512;
  d.final = true;
  d.data.assign(1536, 0xbb);
  out = i.exchange(wire::Pdu(d));
  ASSERT_EQ(out.size(), 1u);
  const auto& rsp = std::get<wire::ScsiResponse>(out[0]);
  EXPECT_EQ(rsp.status, 0);
  EXPECT_EQ(rsp.exp_data_sn, 1u);  // one R2T
  ASSERT_EQ(scsi.written.size(), 2048u);
  EXPECT_EQ(scsi.written[511], 0xaa);
  EXPECT_EQ(scsi.written[512], 0xbb);
}

// §10.17.1: "If the error is detected while data from the initiator is
// still expected ... the target MUST wait until it receives the last
// expected Data-Out PDUs with the F bit set to 1 before sending the
// Response PDU."
TEST_F(ConnectionTest, DataOutErrorMidSequenceAnswersAfterTheFinalDataOut) {
  auto& i = logged_in();
  auto cmd = write10(9, 4, 2048);
  auto out = i.exchange(wire::Pdu(cmd));
  ASSERT_EQ(out.size(), 1u);
  const auto r2t = std::get<wire::ReadyToTransfer>(out[0]);
  ASSERT_EQ(r2t.desired_data_transfer_length, 2048u);

  wire::ScsiDataOut d;
  d.initiator_task_tag = 9;
  d.target_transfer_tag = r2t.target_transfer_tag;
  d.buffer_offset = 512;  // 0 was due: Invalid PDU field, the task ends
  d.data.assign(512, 0x55);
  out = i.exchange(wire::Pdu(d));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::Reject>(out[0]).reason,
            static_cast<std::uint8_t>(wire::RejectReason::InvalidPduField));

  // More of the sequence: no answer yet, nothing written.
  d.data_sn = 1;
  d.buffer_offset = 1024;
  out = i.exchange(wire::Pdu(d));
  EXPECT_TRUE(out.empty());

  // The last Data-Out (F=1) of the outstanding R2T: now the status.
  d.data_sn = 2;
  d.buffer_offset = 1536;
  d.final = true;
  out = i.exchange(wire::Pdu(d));
  ASSERT_EQ(out.size(), 1u);
  const auto& rsp = std::get<wire::ScsiResponse>(out[0]);
  EXPECT_EQ(rsp.initiator_task_tag, 9u);
  EXPECT_EQ(rsp.status, 2);  // CHECK CONDITION, ABORTED COMMAND
  EXPECT_TRUE(scsi.written.empty());

  // Data for the ended task afterwards is dropped quietly.
  out = i.exchange(wire::Pdu(d));
  EXPECT_TRUE(out.empty());
}

TEST_F(ConnectionTest, WriteWhollyInImmediateDataCompletesWithoutR2t) {
  auto& i = logged_in();
  auto cmd = write10(7, 2, 1024);
  cmd.data.assign(1024, 0xcc);
  cmd.data[1023] = 0xdd;
  const auto out = i.exchange(wire::Pdu(cmd));
  ASSERT_EQ(out.size(), 1u);
  const auto& rsp = std::get<wire::ScsiResponse>(out[0]);
  EXPECT_EQ(rsp.initiator_task_tag, 7u);
  EXPECT_EQ(rsp.status, 0);
  EXPECT_EQ(rsp.exp_data_sn, 0u);  // no R2T, no Data-In
  EXPECT_FALSE(rsp.residual_underflow || rsp.residual_overflow);
  EXPECT_EQ(scsi.written, cmd.data);
}

TEST_F(ConnectionTest, ImmediateDataBeyondTheCdbLengthIsNotWritten) {
  auto& i = logged_in();
  auto cmd = write10(8, 1, 1024);  // the CDB writes 512 of the 1024 bytes sent
  cmd.data.assign(1024, 0x11);
  const auto out = i.exchange(wire::Pdu(cmd));
  ASSERT_EQ(out.size(), 1u);
  const auto& rsp = std::get<wire::ScsiResponse>(out[0]);
  EXPECT_EQ(rsp.status, 0);
  EXPECT_TRUE(rsp.residual_underflow);
  EXPECT_EQ(rsp.residual_count, 512u);
  EXPECT_EQ(scsi.written.size(), 512u);
}

TEST_F(ConnectionTest, RejectQuotesTheHeaderOfACommandRunAtOnceOrAfterAGap) {
  auto& i = logged_in();
  auto bad_now = read10(0x10, 1, 512);
  bad_now.attr = 5;  // reserved (§10.3.1)
  auto out = i.exchange(wire::Pdu(bad_now));
  ASSERT_EQ(out.size(), 1u);
  const auto now_bhs = wire::encode_bhs(wire::Pdu(bad_now));
  EXPECT_EQ(std::get<wire::Reject>(out[0]).data, wire::Bytes(now_bhs.begin(), now_bhs.end()));

  auto first = read10(0x11, 1, 512);
  auto bad_later = read10(0x12, 1, 512);
  bad_later.attr = 6;
  EXPECT_TRUE(i.exchange(wire::Pdu(bad_later)).empty());  // waits for `first`
  out = i.exchange(wire::Pdu(first));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<wire::ScsiDataIn>(out[0]).initiator_task_tag, 0x11u);
  const auto later_bhs = wire::encode_bhs(wire::Pdu(bad_later));
  EXPECT_EQ(std::get<wire::Reject>(out[1]).data, wire::Bytes(later_bhs.begin(), later_bhs.end()));
}

TEST_F(ConnectionTest, WrongDataSnEndsTheTaskWithCheckCondition) {
  auto& i = logged_in();
  auto out = i.exchange(wire::Pdu(write10(7, 1, 512)));
  const auto r2t = std::get<wire::ReadyToTransfer>(out.at(0));
  wire::ScsiDataOut d;
  d.initiator_task_tag = 7;
  d.target_transfer_tag = r2t.target_transfer_tag;
  d.data_sn = 27;  // libiscsi iSCSIDataSnInvalid
  d.final = true;
  d.data.assign(512, 1);
  out = i.exchange(wire::Pdu(d));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<wire::Reject>(out[0]).reason, 0x04);
  const auto& rsp = std::get<wire::ScsiResponse>(out[1]);
  EXPECT_EQ(rsp.status, 0x02);
  EXPECT_EQ(rsp.data[2 + 2], 0x0b);  // ABORTED COMMAND
  EXPECT_EQ(scsi.executed, 0);       // never written
}

TEST_F(ConnectionTest, DataBeyondTheR2tIsNeverWritten) {
  auto& i = logged_in();
  auto out = i.exchange(wire::Pdu(write10(8, 1, 512)));
  const auto r2t = std::get<wire::ReadyToTransfer>(out.at(0));
  wire::ScsiDataOut d;
  d.initiator_task_tag = 8;
  d.target_transfer_tag = r2t.target_transfer_tag;
  d.final = true;
  d.data.assign(1024, 1);  // twice what was asked for
  out = i.exchange(wire::Pdu(d));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<wire::ScsiResponse>(out[1]).status, 0x02);
  EXPECT_EQ(scsi.executed, 0);
}

TEST_F(ConnectionTest, ImmediateDataLongerThanTheExpectedLengthIsRejected) {
  auto& i = logged_in();
  auto cmd = write10(9, 1, 512);
  cmd.data.assign(1024, 1);
  const auto out = i.exchange(wire::Pdu(cmd));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::Reject>(out[0]).reason, 0x09);
  EXPECT_EQ(scsi.executed, 0);
}

TEST_F(ConnectionTest, UnsolicitedDataOutUnderInitialR2tYesIsRejected) {
  auto& i = logged_in();
  auto cmd = write10(10, 2, 1024);
  cmd.final = false;  // announces unsolicited Data-Out, which InitialR2T=Yes forbids
  const auto out = i.exchange(wire::Pdu(cmd));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::Reject>(out[0]).reason, 0x04);
}

// §3.2.2.1: outside [ExpCmdSN, MaxCmdSN] a command is silently ignored.
TEST_F(ConnectionTest, CmdSnOutsideTheWindowIsIgnored) {
  auto& i = logged_in();
  const std::uint32_t exp_cmd_sn = i.cmd_sn();  // nothing sent since login
  auto high = read10(11, 1, 512);
  high.cmd_sn = exp_cmd_sn + config.limits.cmd_window;  // MaxCmdSN + 1
  EXPECT_TRUE(i.exchange(wire::Pdu(high)).empty());
  auto low = read10(12, 1, 512);
  low.cmd_sn = exp_cmd_sn - 1;  // below ExpCmdSN
  EXPECT_TRUE(i.exchange(wire::Pdu(low)).empty());
  EXPECT_EQ(scsi.executed, 0);
  auto ok = read10(13, 1, 512);
  ok.cmd_sn = exp_cmd_sn;
  EXPECT_EQ(i.exchange(wire::Pdu(ok)).size(), 1u);
}

TEST_F(ConnectionTest, CommandsWaitForACmdSnGap) {
  auto& i = logged_in();
  auto first = read10(14, 1, 512);
  auto second = read10(15, 1, 512);
  EXPECT_TRUE(i.exchange(wire::Pdu(second)).empty());  // CmdSN+1 arrives first
  const auto out = i.exchange(wire::Pdu(first));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<wire::ScsiDataIn>(out[0]).initiator_task_tag, 14u);
  EXPECT_EQ(std::get<wire::ScsiDataIn>(out[1]).initiator_task_tag, 15u);
}

TEST_F(ConnectionTest, UnknownCommandGetsCheckConditionWithSense) {
  auto& i = logged_in();
  wire::ScsiCommand c;
  c.initiator_task_tag = 16;
  c.cmd_sn = i.next_cmd_sn();
  c.cdb[0] = 0xff;
  const auto out = i.exchange(wire::Pdu(c));
  const auto& rsp = std::get<wire::ScsiResponse>(out.at(0));
  EXPECT_EQ(rsp.status, 0x02);
  ASSERT_EQ(rsp.data.size(), 20u);
  EXPECT_EQ(wire::load_be16(rsp.data.data()), 18);  // §10.4.7 SenseLength
  EXPECT_EQ(rsp.data[2 + 12], 0x20);
}

TEST_F(ConnectionTest, AbortTaskOfAFinishedCommandSaysTaskDoesNotExist) {
  auto& i = logged_in();
  auto cmd = read10(17, 1, 512);
  i.exchange(wire::Pdu(cmd));
  wire::TaskManagementRequest tmf;
  tmf.immediate = true;
  tmf.function = wire::TaskManagementRequest::AbortTask;
  tmf.initiator_task_tag = 18;
  tmf.referenced_task_tag = 17;
  tmf.ref_cmd_sn = cmd.cmd_sn;
  tmf.cmd_sn = i.cmd_sn();
  const auto out = i.exchange(wire::Pdu(tmf));
  EXPECT_EQ(std::get<wire::TaskManagementResponse>(out.at(0)).response, 1);
}

TEST_F(ConnectionTest, AbortTaskOfAWriteWaitingForData) {
  auto& i = logged_in();
  auto out = i.exchange(wire::Pdu(write10(19, 1, 512)));
  ASSERT_EQ(out.size(), 1u);  // the R2T
  wire::TaskManagementRequest tmf;
  tmf.immediate = true;
  tmf.function = wire::TaskManagementRequest::AbortTask;
  tmf.initiator_task_tag = 20;
  tmf.referenced_task_tag = 19;
  tmf.cmd_sn = i.cmd_sn();
  out = i.exchange(wire::Pdu(tmf));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::TaskManagementResponse>(out[0]).response, 0);
}

TEST_F(ConnectionTest, LogicalUnitResetReachesTheScsiLayer) {
  auto& i = logged_in();
  wire::TaskManagementRequest tmf;
  tmf.immediate = true;
  tmf.function = wire::TaskManagementRequest::LogicalUnitReset;
  tmf.initiator_task_tag = 21;
  tmf.cmd_sn = i.cmd_sn();
  auto out = i.exchange(wire::Pdu(tmf));
  EXPECT_EQ(std::get<wire::TaskManagementResponse>(out.at(0)).response, 0);
  ASSERT_EQ(scsi.resets.size(), 1u);
  tmf.lun = 0x0005000000000000ULL;  // LUN 5 does not exist
  out = i.exchange(wire::Pdu(tmf));
  EXPECT_EQ(std::get<wire::TaskManagementResponse>(out.at(0)).response, 2);
  tmf.function = wire::TaskManagementRequest::ClearAca;
  out = i.exchange(wire::Pdu(tmf));
  EXPECT_EQ(std::get<wire::TaskManagementResponse>(out.at(0)).response, 5);
}

TEST_F(ConnectionTest, LogoutClosesTheSession) {
  auto& i = logged_in();
  const auto out = logout(i, 22);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::LogoutResponse>(out[0]).response, 0);
  EXPECT_TRUE(i.connection().wants_close());
}

// The session ends with the logout, before the Logout Response reaches the
// initiator, not when the socket is torn down afterwards: another
// connection served meanwhile must already find the nexus gone.
TEST_F(ConnectionTest, LogoutEndsTheNexusBeforeTheConnectionIsTornDown) {
  auto& i = logged_in();
  ASSERT_TRUE(scsi.lost_nexuses.empty());
  const auto out = logout(i, 23);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(std::get<wire::LogoutResponse>(out[0]).response, 0);
  EXPECT_EQ(scsi.lost_nexuses.size(), 1u);
  EXPECT_EQ(sessions.size(), 0u);
  h.reset();  // the socket torn down: the nexus is not lost twice
  EXPECT_EQ(scsi.lost_nexuses.size(), 1u);
}

TEST_F(ConnectionTest, LogoutForRecoveryIsNotSupportedAtErl0) {
  auto& i = logged_in();
  const auto out = logout(i, 0, wire::LogoutRequest::RemoveConnectionForRecovery);
  EXPECT_EQ(std::get<wire::LogoutResponse>(out.at(0)).response, 2);
  EXPECT_FALSE(i.connection().wants_close());
}

TEST_F(ConnectionTest, SendTargetsInADiscoverySession) {
  auto& i = logged_in({{"InitiatorName", "iqn.2025-12.local:i"}, {"SessionType", "Discovery"}});
  wire::TextRequest t;
  t.immediate = true;
  t.initiator_task_tag = 23;
  t.cmd_sn = i.cmd_sn();
  t.data = text_of({{"SendTargets", "All"}});
  const auto out = i.exchange(wire::Pdu(t));
  ASSERT_EQ(out.size(), 1u);
  const auto& r = std::get<wire::TextResponse>(out[0]);
  EXPECT_TRUE(r.final);
  EXPECT_EQ(value_of(r.data, "TargetName"), "iqn.2025-12.local:storage.disk1");
  EXPECT_EQ(value_of(r.data, "TargetAddress"), "127.0.0.1:3260,1");
}

TEST_F(ConnectionTest, ScsiCommandInADiscoverySessionIsRejected) {
  auto& i = logged_in({{"InitiatorName", "iqn.2025-12.local:i"}, {"SessionType", "Discovery"}});
  const auto out = i.exchange(wire::Pdu(read10(24, 1, 512)));
  EXPECT_EQ(std::get<wire::Reject>(out.at(0)).reason, 0x05);
}

TEST_F(ConnectionTest, SnackAtErrorRecoveryLevel0IsRejected) {
  auto& i = logged_in();
  const auto out = i.exchange(wire::Pdu(wire::SnackRequest{}));
  EXPECT_EQ(std::get<wire::Reject>(out.at(0)).reason, 0x04);
  EXPECT_EQ(std::get<wire::Reject>(out.at(0)).data.size(), 48u);
}

TEST_F(ConnectionTest, DigestsApplyAfterLogin) {
  auto keys = normal_login_keys();
  for (auto& [k, v] : keys) {
    if (k == "HeaderDigest" || k == "DataDigest") v = "CRC32C";
  }
  auto& i = logged_in(keys, {true, true});
  EXPECT_EQ(i.exchange(wire::Pdu(read10(25, 1, 512))).size(), 1u);
  // A corrupted header digest ends the connection (§6.7, ErrorRecoveryLevel 0).
  wire::Bytes bad = wire::encode(wire::Pdu(read10(26, 1, 512)), {true, true});
  bad[48] ^= 1;
  EXPECT_TRUE(i.exchange_bytes(bad).empty());
  EXPECT_TRUE(i.connection().wants_close());
}

TEST_F(ConnectionTest, DataSegmentOverTheDeclaredLimitDropsTheConnection) {
  auto& i = logged_in();
  wire::NopOut nop;
  nop.immediate = true;
  nop.initiator_task_tag = 27;
  nop.data.assign(config.limits.max_recv_data_segment_length + 4, 0);
  i.exchange(wire::Pdu(nop));
  EXPECT_TRUE(i.connection().wants_close());
}

TEST_F(ConnectionTest, TargetPingIsAnsweredOrTheConnectionEnds) {
  config.limits.nop_in_interval = std::chrono::seconds(5);
  auto& i = logged_in();
  i.exchange(wire::Pdu(read10(28, 1, 512)));
  auto when = i.connection().next_deadline();
  ASSERT_TRUE(when.has_value());
  i.connection().on_timer(*when);
  auto out = i.collect();
  ASSERT_EQ(out.size(), 1u);
  const auto ping = std::get<wire::NopIn>(out[0]);
  EXPECT_EQ(ping.initiator_task_tag, wire::kReservedTag);
  EXPECT_NE(ping.target_transfer_tag, wire::kReservedTag);
  wire::NopOut answer;
  answer.immediate = true;
  answer.initiator_task_tag = wire::kReservedTag;
  answer.target_transfer_tag = ping.target_transfer_tag;
  EXPECT_TRUE(i.exchange(wire::Pdu(answer)).empty());
  when = i.connection().next_deadline();
  ASSERT_TRUE(when.has_value());
  i.connection().on_timer(*when);  // next ping
  out = i.collect();
  ASSERT_EQ(out.size(), 1u);
  i.connection().on_timer(*i.connection().next_deadline());  // unanswered
  EXPECT_TRUE(i.connection().wants_close());
}

// Bounded memory per connection: while writes hold buffers up to
// max_pending_write_bytes, another write ends with TASK SET FULL (SAM 28h)
// without any buffer; a write alone is always admitted.
TEST_F(ConnectionTest, PendingWriteBytesAreBounded) {
  config.limits.max_pending_write_bytes = 1024;
  auto& i = logged_in();
  auto out = i.exchange(wire::Pdu(write10(40, 4, 2048)));  // 2048 > 1024, but alone
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<wire::ReadyToTransfer>(out[0]));
  out = i.exchange(wire::Pdu(write10(41, 1, 512)));
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<wire::ScsiResponse>(out[0]));
  EXPECT_EQ(std::get<wire::ScsiResponse>(out[0]).status, 0x28);
  EXPECT_EQ(std::get<wire::ScsiResponse>(out[0]).initiator_task_tag, 41u);
}

}  // namespace
}  // namespace iscsi::session

namespace iscsi::session {
namespace {

// §10.18.1: a NOP-Out wanting no answer must be immediate.
TEST_F(ConnectionTest, NonImmediateNopOutWithReservedIttIsRejected) {
  auto& i = logged_in();
  wire::NopOut nop;
  nop.initiator_task_tag = wire::kReservedTag;
  nop.cmd_sn = i.next_cmd_sn();
  const auto out = i.exchange(wire::Pdu(nop));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::Reject>(out[0]).reason, 0x04);
  nop.immediate = true;
  EXPECT_TRUE(i.exchange(wire::Pdu(nop)).empty());  // valid: no answer at all
}

TEST_F(ConnectionTest, NopOutWithATttNeverIssuedIsRejected) {
  auto& i = logged_in();
  wire::NopOut nop;
  nop.immediate = true;
  nop.initiator_task_tag = wire::kReservedTag;
  nop.target_transfer_tag = 0x1234;
  const auto out = i.exchange(wire::Pdu(nop));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::Reject>(out[0]).reason, 0x09);
}

TEST_F(ConnectionTest, TextRequestWithAnUnknownTttIsRejected) {
  auto& i = logged_in();
  wire::TextRequest t;
  t.immediate = true;
  t.initiator_task_tag = 40;
  t.target_transfer_tag = 0x77;
  t.cmd_sn = i.cmd_sn();
  t.data = text_of({{"SendTargets", ""}});
  const auto out = i.exchange(wire::Pdu(t));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::Reject>(out[0]).reason, 0x09);
}

}  // namespace
}  // namespace iscsi::session

namespace iscsi::session {
namespace {

// §10.6.1: an ABORT TASK whose RefCmdSN is in the window and below its own
// CmdSN makes the target consider that CmdSN received; the command, arriving
// later, is never run.
TEST_F(ConnectionTest, AbortTaskConsumesACmdSnNotYetReceived) {
  auto& i = logged_in();
  const std::uint32_t missing = i.cmd_sn();
  auto late = read10(50, 1, 512);  // takes CmdSN `missing`, held back
  wire::TaskManagementRequest tmf;
  tmf.immediate = true;
  tmf.function = wire::TaskManagementRequest::AbortTask;
  tmf.initiator_task_tag = 51;
  tmf.referenced_task_tag = 50;
  tmf.ref_cmd_sn = missing;
  tmf.cmd_sn = i.cmd_sn();
  auto out = i.exchange(wire::Pdu(tmf));
  ASSERT_EQ(out.size(), 1u);
  const auto& rsp = std::get<wire::TaskManagementResponse>(out[0]);
  EXPECT_EQ(rsp.response, 0);
  EXPECT_EQ(rsp.exp_cmd_sn, missing + 1);
  EXPECT_TRUE(i.exchange(wire::Pdu(late)).empty());  // now below the window
  EXPECT_EQ(scsi.executed, 0);
}

// §12.12: a MaxRecvDataSegmentLength declared in a Text Request governs the
// Data-In that follows.
TEST_F(ConnectionTest, MaxRecvDataSegmentLengthRedeclaredInFullFeaturePhase) {
  auto& i = logged_in();
  wire::TextRequest t;
  t.immediate = true;
  t.initiator_task_tag = 52;
  t.cmd_sn = i.cmd_sn();
  t.data = text_of({{"MaxRecvDataSegmentLength", "1024"}});
  ASSERT_EQ(i.exchange(wire::Pdu(t)).size(), 1u);
  const auto out = i.exchange(wire::Pdu(read10(53, 8, 4096)));
  ASSERT_EQ(out.size(), 4u);
  for (const auto& p : out) EXPECT_EQ(std::get<wire::ScsiDataIn>(p).data.size(), 1024u);
}

// A text negotiation ended by a Reject did not take place: the
// MaxRecvDataSegmentLength it declared never takes effect, not even once a
// later text negotiation completes (found by fuzz_session).
TEST_F(ConnectionTest, RejectedTextNegotiationDeclaresNothing) {
  auto& i = logged_in();
  wire::TextRequest bad;
  bad.immediate = true;
  bad.initiator_task_tag = 60;
  bad.cmd_sn = i.cmd_sn();
  // CHAP_I belongs to the security stage: the whole text is rejected.
  bad.data = text_of({{"MaxRecvDataSegmentLength", "1024"}, {"CHAP_I", "255"}});
  const auto rejected = i.exchange(wire::Pdu(bad));
  ASSERT_EQ(rejected.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<wire::Reject>(rejected[0]));
  wire::TextRequest ok;
  ok.immediate = true;
  ok.initiator_task_tag = 61;
  ok.cmd_sn = i.cmd_sn();
  ok.data = text_of({{"X-com.example.unknown", "1"}});
  const auto answered = i.exchange(wire::Pdu(ok));
  ASSERT_EQ(answered.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<wire::TextResponse>(answered[0]));
  const auto out = i.exchange(wire::Pdu(read10(62, 8, 4096)));
  ASSERT_EQ(out.size(), 1u);  // the login's declaration (8192) still holds
  EXPECT_EQ(std::get<wire::ScsiDataIn>(out[0]).data.size(), 4096u);
}

// A command whose logical unit operation outlasts it (SBC-3 SANITIZE with
// IMMED 0: "return status after the sanitize operation is completed").
wire::ScsiCommand sanitize_command(std::uint32_t itt, std::uint32_t cmd_sn) {
  wire::ScsiCommand c;
  c.initiator_task_tag = itt;
  c.cmd_sn = cmd_sn;
  c.cdb = {0x48, 0x02, 0, 0, 0, 0, 0, 0, 0, 0};  // BLOCK ERASE, IMMED 0
  return c;
}

wire::ScsiCommand tur_command(std::uint32_t itt, std::uint32_t cmd_sn) {
  wire::ScsiCommand c;
  c.initiator_task_tag = itt;
  c.cmd_sn = cmd_sn;
  c.cdb = {0x00, 0, 0, 0, 0, 0};
  return c;
}

TEST_F(ConnectionTest, DeferredStatusFollowsWhileOtherCommandsAreAnswered) {
  auto& i = logged_in();
  scsi.sanitize_end = i.now() + std::chrono::seconds(5);
  // No status yet: the operation runs; the connection wakes up at its end.
  EXPECT_TRUE(i.exchange(wire::Pdu(sanitize_command(30, i.next_cmd_sn()))).empty());
  EXPECT_EQ(i.connection().next_deadline(), scsi.sanitize_end);
  // Another command of the session is answered meanwhile.
  auto out = i.exchange(wire::Pdu(tur_command(31, i.next_cmd_sn())));
  ASSERT_EQ(out.size(), 1u);
  const auto tur = std::get<wire::ScsiResponse>(out[0]);
  EXPECT_EQ(tur.initiator_task_tag, 31u);
  EXPECT_EQ(tur.status, 0);
  // RFC 3720 §3.2.2.1: the CmdSN of the deferred command is consumed.
  EXPECT_EQ(tur.exp_cmd_sn, i.cmd_sn());
  // Before the end nothing is sent.
  i.now() += std::chrono::seconds(4);
  i.connection().on_timer(i.now());
  EXPECT_TRUE(i.collect().empty());
  // At the end the status follows, with the next StatSN (§3.2.2.2: StatSN
  // is assigned when the status is sent).
  i.now() = scsi.sanitize_end;
  i.connection().on_timer(i.now());
  out = i.collect();
  ASSERT_EQ(out.size(), 1u);
  const auto done = std::get<wire::ScsiResponse>(out[0]);
  EXPECT_EQ(done.initiator_task_tag, 30u);
  EXPECT_EQ(done.status, 0);
  EXPECT_EQ(done.stat_sn, tur.stat_sn + 1);
  EXPECT_EQ(scsi.polled, (std::vector<std::uint64_t>{1}));
  EXPECT_FALSE(i.connection().next_deadline());
}

TEST_F(ConnectionTest, DeferredCommandKeepsItsTaskTag) {
  auto& i = logged_in();
  scsi.sanitize_end = i.now() + std::chrono::seconds(5);
  EXPECT_TRUE(i.exchange(wire::Pdu(sanitize_command(32, i.next_cmd_sn()))).empty());
  // The ITT names a task in progress: the new command is rejected.
  const auto out = i.exchange(wire::Pdu(tur_command(32, i.next_cmd_sn())));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::Reject>(out[0]).reason,
            static_cast<std::uint8_t>(wire::RejectReason::InvalidPduField));
}

TEST_F(ConnectionTest, AbortTaskEndsADeferredCommandUnanswered) {
  auto& i = logged_in();
  scsi.sanitize_end = i.now() + std::chrono::seconds(5);
  const auto cmd = sanitize_command(33, i.next_cmd_sn());
  EXPECT_TRUE(i.exchange(wire::Pdu(cmd)).empty());
  wire::TaskManagementRequest tmf;
  tmf.immediate = true;
  tmf.function = wire::TaskManagementRequest::AbortTask;
  tmf.initiator_task_tag = 34;
  tmf.referenced_task_tag = 33;
  tmf.ref_cmd_sn = cmd.cmd_sn;
  tmf.cmd_sn = i.cmd_sn();
  auto out = i.exchange(wire::Pdu(tmf));
  ASSERT_EQ(out.size(), 1u);
  // §10.6.1: Function Complete; the logical unit is told nobody waits.
  EXPECT_EQ(std::get<wire::TaskManagementResponse>(out[0]).response, 0);
  EXPECT_EQ(scsi.forgotten, (std::vector<std::uint64_t>{1}));
  EXPECT_FALSE(i.connection().next_deadline());
  // §10.5.1: no response of the aborted task follows the TMF response.
  i.now() = scsi.sanitize_end;
  i.connection().on_timer(i.now());
  EXPECT_TRUE(i.collect().empty());
}

TEST_F(ConnectionTest, LogicalUnitResetEndsDeferredCommandsOfThatLun) {
  auto& i = logged_in();
  scsi.sanitize_end = i.now() + std::chrono::seconds(5);
  EXPECT_TRUE(i.exchange(wire::Pdu(sanitize_command(35, i.next_cmd_sn()))).empty());
  wire::TaskManagementRequest tmf;
  tmf.immediate = true;
  tmf.function = wire::TaskManagementRequest::LogicalUnitReset;
  tmf.initiator_task_tag = 36;
  tmf.cmd_sn = i.cmd_sn();
  auto out = i.exchange(wire::Pdu(tmf));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<wire::TaskManagementResponse>(out[0]).response, 0);
  EXPECT_EQ(scsi.forgotten, (std::vector<std::uint64_t>{1}));
  i.now() = scsi.sanitize_end;
  i.connection().on_timer(i.now());
  EXPECT_TRUE(i.collect().empty());
}

TEST_F(ConnectionTest, ConnectionEndForgetsDeferredCommands) {
  {
    auto& i = logged_in();
    scsi.sanitize_end = i.now() + std::chrono::seconds(5);
    EXPECT_TRUE(i.exchange(wire::Pdu(sanitize_command(37, i.next_cmd_sn()))).empty());
    EXPECT_TRUE(scsi.forgotten.empty());
  }
  h.reset();  // the connection goes away (I_T nexus loss)
  EXPECT_EQ(scsi.forgotten, (std::vector<std::uint64_t>{1}));
}

}  // namespace
}  // namespace iscsi::session
