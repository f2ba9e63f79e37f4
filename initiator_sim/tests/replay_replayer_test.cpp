// End to end: the project's reference traces replayed against the
// in-process reference target, as captured and with their recorded answers
// tampered with, to prove that each kind of difference is found and that
// the session variables are mapped rather than compared.
#include <gtest/gtest.h>

#include "replay/replayer.h"
#include "replay/spawn_target.h"
#include "session/fault.h"
#include "transport/inprocess_transport.h"

namespace iscsi::replay {
namespace {

std::string trace(const std::string& name) {
  return std::string(ISCSI_SIM_SOURCE_DIR) + "/../captures/" + name;
}

class Replay : public ::testing::Test {
 protected:
  CaptureScript load(const std::string& name) {
    auto s = load_capture_script(trace(name), {});
    EXPECT_TRUE(s) << s.error();
    return s ? std::move(*s) : CaptureScript{};
  }

  ReplayResult run(const CaptureScript& script, ReplayOptions options = {}) {
    auto t = spawn_target(plan_spawn(script, options.target_name, options.luns));
    EXPECT_TRUE(t) << t.error();
    target_ = std::move(*t);
    if (fault_) target_->config.faults.add(*fault_);
    for (auto& node : target_->config.targets) node.auth = auth_;
    options.timeout = std::chrono::milliseconds(500);
    Connector connect = [this]() -> wire::Result<std::unique_ptr<sim::Transport>, std::string> {
      return std::unique_ptr<sim::Transport>(
          std::make_unique<sim::InProcessTransport>(target_->config, target_->sessions));
    };
    return replay_capture(script, options, connect);
  }

  static std::vector<Difference> all(const ReplayResult& r) {
    std::vector<Difference> out;
    for (const auto& c : r.connections)
      out.insert(out.end(), c.differences.begin(), c.differences.end());
    return out;
  }

  // The first recorded PDU of `T` satisfying `pred`.
  template <class T, class Pred>
  static std::pair<ScriptPdu*, T*> find(CaptureScript& s, Pred pred) {
    for (auto& p : s.pdus) {
      if (!p.pdu) continue;
      if (auto* x = std::get_if<T>(&*p.pdu); x && pred(*x)) return {&p, x};
    }
    return {nullptr, nullptr};
  }

  std::unique_ptr<SpawnedTarget> target_;
  std::optional<session::Fault> fault_;
  session::AuthSettings auth_;
};

TEST_F(Replay, ReferenceTracesMatchTheReferenceTarget) {
  for (const char* name : {"reference-libiscsi-discovery-inquiry.pcap",
                           "reference-sim-digests.pcap", "reference-libiscsi-perf.pcap"}) {
    const auto script = load(name);
    const auto r = run(script);
    EXPECT_EQ(r.differences(), 0u) << name << ": " << all(r).front().kind << " "
                                   << all(r).front().field << " " << all(r).front().live;
    EXPECT_GT(r.sent, 0u);
    EXPECT_GT(r.compared, 0u);
    for (const auto& c : r.connections) {
      EXPECT_NE(c.verdict, ConnectionVerdict::Skipped) << name << " c" << c.id << ": " << c.reason;
    }
  }
}

TEST_F(Replay, ATamperedStatusIsReportedWithBothPdus) {
  auto s = load("reference-libiscsi-discovery-inquiry.pcap");
  auto [pdu, rsp] = find<wire::ScsiResponse>(s, [](const auto& r) { return r.status == 0; });
  ASSERT_TRUE(rsp);
  rsp->status = 0x08;  // BUSY instead of GOOD
  const auto d = all(run(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "status");
  EXPECT_EQ(d[0].field, "Status");
  EXPECT_EQ(d[0].recorded, "8");
  EXPECT_EQ(d[0].live, "0");
  EXPECT_EQ(d[0].recorded_pdu, pdu->index);
  EXPECT_FALSE(d[0].live_summary.empty());
}

TEST_F(Replay, ATamperedReadPayloadIsReportedAtItsOffset) {
  auto s = load("reference-libiscsi-perf.pcap");
  auto [pdu, din] = find<wire::ScsiDataIn>(s, [](const auto& d) { return d.data.size() > 100; });
  ASSERT_TRUE(din);
  din->data[100] ^= 0x5a;
  const auto d = all(run(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "data");
  EXPECT_EQ(d[0].field, "data at byte 100 (offset " + std::to_string(din->buffer_offset) + ")");
  EXPECT_EQ(d[0].recorded_pdu, pdu->index);
}

TEST_F(Replay, ATamperedLoginKeyIsReported) {
  auto s = load("reference-sim-digests.pcap");
  auto [pdu, rsp] = find<wire::LoginResponse>(s, [](const auto& r) { return r.transit; });
  ASSERT_TRUE(rsp);
  rsp->data = wire::text::encode({{"HeaderDigest", "None"}, {"DataDigest", "CRC32C"}});
  ReplayOptions o;
  // Offering the recorded outcome would make the live target agree.
  o.adopt_recorded_negotiation = false;
  const auto d = all(run(s, o));
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].kind, "keys");
  EXPECT_EQ(d[0].recorded_pdu, pdu->index);
}

TEST_F(Replay, ARecordedAnswerTheLiveTargetDoesNotSendIsMissing) {
  auto s = load("reference-libiscsi-discovery-inquiry.pcap");
  // A SCSI Response recorded twice: the live target answers once.
  auto it = std::find_if(s.pdus.begin(), s.pdus.end(), [](const ScriptPdu& p) {
    return p.pdu && std::holds_alternative<wire::ScsiResponse>(*p.pdu);
  });
  ASSERT_NE(it, s.pdus.end());
  ScriptPdu copy = *it;
  copy.index = 9999;
  auto& conn = s.connections.at(copy.connection);
  s.pdus.insert(it + 1, copy);
  conn.pdus.clear();
  for (std::size_t i = 0; i < s.pdus.size(); ++i) {
    if (s.pdus[i].connection == copy.connection) conn.pdus.push_back(i);
  }
  const auto d = all(run(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "missing");
  EXPECT_EQ(d[0].recorded_pdu, 9999u);
}

TEST_F(Replay, ALiveAnswerNotInTheCaptureIsExtra) {
  auto s = load("reference-libiscsi-discovery-inquiry.pcap");
  // Drop the recorded Logout Response: the live one has nothing to match.
  auto it = std::find_if(s.pdus.begin(), s.pdus.end(), [](const ScriptPdu& p) {
    return p.pdu && std::holds_alternative<wire::LogoutResponse>(*p.pdu);
  });
  ASSERT_NE(it, s.pdus.end());
  const auto conn = it->connection;
  s.pdus.erase(it);
  const auto d = all(run(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "extra");
  EXPECT_EQ(d[0].connection, conn);
  EXPECT_NE(d[0].live.find("Logout Response"), std::string::npos);
}

TEST_F(Replay, RecordedStatSnsAndTransferTagsAreMappedNotCompared) {
  auto s = load("reference-sim-data-transfer.pcap");
  // Another target would have chosen other StatSNs and TTTs: shift every
  // recorded one, and the initiator's acknowledgements and TTTs with them.
  std::size_t r2ts = 0;
  for (auto& p : s.pdus) {
    if (!p.pdu) continue;
    std::visit(
        [&](auto& x) {
          if constexpr (requires { x.stat_sn; }) x.stat_sn += 1000;
          if constexpr (requires { x.exp_stat_sn; }) {
            if (!std::holds_alternative<wire::LoginRequest>(*p.pdu) || x.exp_stat_sn != 0)
              x.exp_stat_sn += 1000;
          }
          if constexpr (requires { x.target_transfer_tag; }) {
            if (x.target_transfer_tag != wire::kReservedTag) x.target_transfer_tag += 0x100;
          }
          if constexpr (std::is_same_v<std::decay_t<decltype(x)>, wire::ReadyToTransfer>) ++r2ts;
        },
        *p.pdu);
  }
  ASSERT_GT(r2ts, 0u);
  const auto r = run(s);
  // The one difference the unshifted trace shows (its expected verdict).
  const auto d = all(r);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "missing");
  EXPECT_EQ(d[0].recorded_pdu, 35u);
}

TEST_F(Replay, ALiveStatSnThatDoesNotAdvanceIsReported) {
  const auto s = load("reference-libiscsi-discovery-inquiry.pcap");
  fault_ = session::Fault::StatSnNotAdvanced;  // the live target breaks §3.2.2.2
  const auto d = all(run(s));
  ASSERT_FALSE(d.empty());
  for (const auto& x : d) {
    EXPECT_EQ(x.kind, "field");
    EXPECT_EQ(x.field, "StatSN");
    EXPECT_NE(x.live.find("the next of the live connection"), std::string::npos) << x.live;
  }
}

TEST_F(Replay, StatusInAnotherOrderThanRecordedIsNoDifference) {
  auto s = load("reference-libiscsi-perf.pcap");
  // Another target completes the commands in flight in another order:
  // swap the recorded StatSNs of two statuses of the pipelined reads.
  std::vector<wire::ScsiDataIn*> statuses;
  for (auto& p : s.pdus) {
    if (!p.pdu) continue;
    if (auto* d = std::get_if<wire::ScsiDataIn>(&*p.pdu); d && d->status_present) {
      statuses.push_back(d);
    }
  }
  ASSERT_GT(statuses.size(), 10u);
  std::swap(statuses[5]->stat_sn, statuses[6]->stat_sn);
  EXPECT_EQ(run(s).differences(), 0u);
}

TEST_F(Replay, WithoutItsLoginAConnectionIsSkipped) {
  auto s = load("reference-libiscsi-discovery-inquiry.pcap");
  s.connections.at(1).report.login_captured = false;
  const auto r = run(s);
  EXPECT_EQ(r.connections.at(0).verdict, ConnectionVerdict::Skipped);
  EXPECT_NE(r.connections.at(0).reason.find("login was not captured"), std::string::npos);
  EXPECT_EQ(r.differences(), 0u);
}

TEST_F(Replay, AnIncompletePduStopsItsConnection) {
  auto s = load("reference-sim-digests.pcap");
  auto it = std::find_if(s.pdus.begin(), s.pdus.end(), [](const ScriptPdu& p) {
    return p.to_target && p.pdu && std::holds_alternative<wire::ScsiCommand>(*p.pdu);
  });
  ASSERT_NE(it, s.pdus.end());
  it->complete = false;
  const auto d = all(run(s));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "not-replayed");
  EXPECT_EQ(d[0].recorded_pdu, it->index);
}

TEST_F(Replay, ATargetNameMapAimsTheCaptureAtAnotherTarget) {
  auto s = load("reference-libiscsi-discovery-inquiry.pcap");
  ReplayOptions o;
  o.target_name = "iqn.2025-12.local:another.name";
  const auto r = run(s, o);
  // The discovery answer names the live target, everything else matches.
  const auto d = all(r);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "keys");
  EXPECT_EQ(d[0].field, "key TargetName");
  EXPECT_EQ(d[0].live, "iqn.2025-12.local:another.name");
}

TEST_F(Replay, ChapResponsesAreRecomputedForTheLiveChallenge) {
  const auto s = load("reference-sim-chap.pcap");
  const session::ChapCredentials initiator{"iscsi-sim", "sim-initiator-secret-1"};
  auth_.chap = initiator;
  // The live target's challenge is fresh: the recorded CHAP_R fails it.
  const auto without = all(run(s));
  const auto refused = std::find_if(without.begin(), without.end(),
                                    [](const Difference& d) { return d.field == "StatusClass"; });
  ASSERT_NE(refused, without.end());
  EXPECT_EQ(refused->live, "2");  // §10.13.5: 0201 Authentication failure
  ReplayOptions o;
  o.chap = initiator;
  EXPECT_EQ(run(s, o).differences(), 0u);
}

TEST_F(Replay, MutualChapChecksTheLiveTargetsResponse) {
  const auto s = load("reference-sim-mutual-chap.pcap");
  auth_.chap = session::ChapCredentials{"iscsi-sim", "sim-initiator-secret-1"};
  auth_.mutual = session::ChapCredentials{"iscsi-target", "sim-target-secret-2"};
  ReplayOptions o;
  o.chap = auth_.chap;
  o.mutual_chap = auth_.mutual;
  EXPECT_EQ(run(s, o).differences(), 0u);
  // Expecting another secret than the target answers with (§11.1.4).
  o.mutual_chap = session::ChapCredentials{"iscsi-target", "another-secret-99"};
  const auto d = all(run(s, o));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, "chap");
}

TEST_F(Replay, DifferencesBeyondTheLimitAreCountedNotKept) {
  auto s = load("tgt/tgt-libiscsi-perf.pcap.xz");
  const std::size_t baseline = run(s).differences();  // TGT's own (expected/)
  std::size_t tampered = baseline;
  for (auto& p : s.pdus) {
    if (!p.pdu) continue;
    if (auto* d = std::get_if<wire::ScsiDataIn>(&*p.pdu); d && d->data.size() == 4096) {
      d->data[0] ^= 0xff;
      ++tampered;
    }
  }
  ASSERT_GT(tampered, kMaxDifferences + 100);
  const auto r = run(s);
  ASSERT_EQ(r.connections.size(), 1u);
  EXPECT_EQ(r.connections[0].differences.size(), kMaxDifferences);
  EXPECT_EQ(r.connections[0].differences.size() + r.connections[0].suppressed, tampered);
  EXPECT_EQ(r.unexplained(), tampered);
}

// A transport that logs when it is opened and closed, in a log shared by
// every connection of a replay.
class LoggedTransport final : public sim::Transport {
 public:
  LoggedTransport(std::unique_ptr<sim::Transport> inner, std::vector<std::string>& log, int n)
      : inner_(std::move(inner)), log_(log), n_(n) {
    log_.push_back("open " + std::to_string(n_));
  }
  bool send(wire::ByteView bytes) override { return inner_->send(bytes); }
  sim::RecvStatus receive(wire::Bytes& out, std::chrono::milliseconds timeout) override {
    return inner_->receive(out, timeout);
  }
  void close() override {
    if (!closed_) log_.push_back("close " + std::to_string(n_));
    closed_ = true;
    inner_->close();
  }
  std::string describe() const override { return inner_->describe(); }

 private:
  std::unique_ptr<sim::Transport> inner_;
  std::vector<std::string>& log_;
  int n_;
  bool closed_ = false;
};

TEST_F(Replay, AConnectionThatEndedInTheCaptureIsClosedBeforeTheNextPduAfterItsEnd) {
  // TGT reset these connections after a Text Request it refused; the next
  // test case logged in again with the same ISID. The live target answers
  // with a Reject, which must be read before that login reinstates the
  // session (RFC 3720 §5.3.5) and closes the connection.
  const auto s = load("tgt/tgt-sim-nop-text-logout.pcap.xz");
  // The connections in the order replay opens them: by their first PDU.
  std::vector<std::uint32_t> order;
  for (const auto& p : s.pdus) {
    const auto& c = s.connections.at(p.connection);
    if (!c.report.login_captured || !c.report.roles_known) continue;
    if (std::find(order.begin(), order.end(), p.connection) == order.end()) {
      order.push_back(p.connection);
    }
  }
  auto t = spawn_target(plan_spawn(s, std::nullopt, {}));
  ASSERT_TRUE(t) << t.error();
  target_ = std::move(*t);
  std::vector<std::string> log;
  int opened = 0;
  Connector connect = [&]() -> wire::Result<std::unique_ptr<sim::Transport>, std::string> {
    return std::unique_ptr<sim::Transport>(std::make_unique<LoggedTransport>(
        std::make_unique<sim::InProcessTransport>(target_->config, target_->sessions), log,
        opened++));
  };
  ReplayOptions o;
  o.timeout = std::chrono::milliseconds(500);
  const auto r = replay_capture(s, o, connect);
  ASSERT_EQ(static_cast<std::size_t>(opened), order.size());
  auto at = [&](const std::string& event) {
    return std::find(log.begin(), log.end(), event) - log.begin();
  };
  std::size_t checked = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& ended = s.connections.at(order[i]).report;
    if (ended.end == "the capture ended") continue;
    for (std::size_t j = i + 1; j < order.size(); ++j) {
      const auto& next = s.pdus[s.connections.at(order[j]).pdus.front()];
      if (next.first_frame <= ended.last.frame) continue;
      EXPECT_LT(at("close " + std::to_string(i)), at("open " + std::to_string(j)))
          << "connection " << order[i] << " ended at frame " << ended.last.frame
          << " but was still open when connection " << order[j] << " started at frame "
          << next.first_frame;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
  // The live Rejects of the refused Text Requests were all read.
  std::size_t rejects = 0;
  for (const auto& d : all(r)) {
    if (d.kind == "extra" && d.live.find("Reject") != std::string::npos) ++rejects;
  }
  EXPECT_GE(rejects, 14u);
}

TEST_F(Replay, UnreachableTargetIsAnErrorPerConnection) {
  const auto s = load("reference-sim-digests.pcap");
  ReplayOptions o;
  Connector refuse = []() -> wire::Result<std::unique_ptr<sim::Transport>, std::string> {
    return wire::Unexpected(std::string("connection refused"));
  };
  const auto r = replay_capture(s, o, refuse);
  ASSERT_FALSE(r.connections.empty());
  for (const auto& c : r.connections) {
    ASSERT_EQ(c.differences.size(), 1u);
    EXPECT_EQ(c.differences[0].kind, "error");
    EXPECT_EQ(c.sent, 0u);
  }
}

}  // namespace
}  // namespace iscsi::replay
