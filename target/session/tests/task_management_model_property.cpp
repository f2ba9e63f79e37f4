// A RapidCheck state-machine model of task management (RFC 3720 §10.5,
// §10.6) checked against TargetConnection: write commands waiting for their
// Data-Out, commands held back by a CmdSN gap, and the task management
// functions acting on them. The model says which tasks each function ends,
// which response it gets (Function Complete, Task Does Not Exist, LUN Does
// Not Exist, not supported), that an aborted write's Data-Out is dropped
// without an answer, that an aborted queued command never runs when the gap
// closes, and which resets reach the SCSI layer.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "fake_scsi.h"
#include "initiator_harness.h"
#include "wire/pdu_fields.h"

namespace iscsi::session {
namespace {

using testing::FakeScsi;
using testing::InitiatorHarness;
using F = wire::TaskManagementRequest;
using R = wire::TaskManagementResponse;

constexpr std::uint64_t kLun0 = 0;
constexpr std::uint64_t kNoLun = 0x0005000000000000ULL;  // LUN 5: FakeScsi has none
constexpr std::uint32_t kWindow = 16;

struct Sut {
  Sut() {
    config.targets.push_back(TargetNode{"iqn.2025-12.local:storage.disk1", "", 1, &scsi});
    config.limits.cmd_window = kWindow;
    h = std::make_unique<InitiatorHarness>(config, sessions);
    // InitialR2T=Yes: every write waits for its R2T and Data-Out.
    RC_ASSERT(h->login(testing::normal_login_keys()).status_class == 0);
  }
  FakeScsi scsi;
  TargetConfig config;
  SessionTable sessions;
  std::unique_ptr<InitiatorHarness> h;
};

struct Model {
  struct Queued {
    std::uint32_t itt;
    std::uint64_t lun;
    bool aborted = false;
  };
  std::uint32_t exp_cmd_sn = 0;
  std::map<std::uint32_t, std::uint64_t> writes;  // ITT -> LUN of writes awaiting Data-Out
  std::map<std::uint32_t, std::uint32_t> ttt_of;  // ITT -> the TTT of its R2T
  std::map<std::uint32_t, Queued> queued;         // CmdSN -> command behind the gap
  std::vector<std::uint32_t> ended;               // ITTs of writes ended by a function
  std::vector<ResetKind> resets;
  std::uint32_t next_itt = 1;
  std::uint32_t next_ttt = 1;
};

// What the initiator expects back: a PDU kind, its ITT and a code (SCSI
// status, TMF response).
struct Expect {
  enum Kind { R2t, Status, Nop, Tmf } kind;
  std::uint32_t itt;
  std::uint8_t code = 0;
};

void check(const std::vector<wire::Pdu>& got, const std::vector<Expect>& want) {
  RC_ASSERT(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    RC_ASSERT(wire::get_field(got[i], "InitiatorTaskTag") == want[i].itt);
    switch (want[i].kind) {
      case Expect::R2t:
        RC_ASSERT(std::holds_alternative<wire::ReadyToTransfer>(got[i]));
        break;
      case Expect::Status:
        RC_ASSERT(std::holds_alternative<wire::ScsiResponse>(got[i]));
        RC_ASSERT(std::get<wire::ScsiResponse>(got[i]).status == want[i].code);
        break;
      case Expect::Nop:
        RC_ASSERT(std::holds_alternative<wire::NopIn>(got[i]));
        break;
      case Expect::Tmf:
        RC_ASSERT(std::holds_alternative<R>(got[i]));
        RC_ASSERT(std::get<R>(got[i]).response == want[i].code);
        break;
    }
  }
}

// Commands behind the gap run in CmdSN order once it closes; aborted ones
// count as received and do not run (§10.6.1 ABORT TASK).
void drain(Model& m, std::vector<Expect>& out) {
  for (auto it = m.queued.find(m.exp_cmd_sn); it != m.queued.end();
       it = m.queued.find(m.exp_cmd_sn)) {
    m.exp_cmd_sn += 1;
    if (!it->second.aborted) {
      // TEST UNIT READY: GOOD on LUN 0, CHECK CONDITION elsewhere.
      out.push_back({Expect::Status, it->second.itt,
                     it->second.lun == kLun0 ? std::uint8_t{0} : std::uint8_t{2}});
    }
    m.queued.erase(it);
  }
}

wire::ScsiCommand write10(std::uint32_t itt, std::uint32_t cmd_sn) {
  wire::ScsiCommand c;
  c.write = true;
  c.initiator_task_tag = itt;
  c.expected_data_transfer_length = FakeScsi::kBlock;
  c.cmd_sn = cmd_sn;
  c.cdb = {0x2a, 0, 0, 0, 0, 0, 0, 0, 1};
  return c;
}

struct StartWrite : rc::state::Command<Model, Sut> {
  void checkPreconditions(const Model& m) const override { RC_PRE(m.queued.empty()); }
  void apply(Model& m) const override {
    const std::uint32_t itt = m.next_itt++;
    m.writes[itt] = kLun0;
    m.ttt_of[itt] = m.next_ttt++;
    m.exp_cmd_sn += 1;
  }
  void run(const Model& m, Sut& s) const override {
    const auto got = s.h->exchange(wire::Pdu(write10(m.next_itt, m.exp_cmd_sn)));
    check(got, {{Expect::R2t, m.next_itt}});
    const auto& r2t = std::get<wire::ReadyToTransfer>(got[0]);
    RC_ASSERT(r2t.target_transfer_tag == m.next_ttt);
  }
  void show(std::ostream& os) const override { os << "WRITE(10) awaiting Data-Out"; }
};

struct QueueCommand : rc::state::Command<Model, Sut> {
  std::uint32_t k = *rc::gen::inRange<std::uint32_t>(1, kWindow);
  bool other_lun = *rc::gen::inRange(0, 4) == 0;
  void checkPreconditions(const Model& m) const override {
    RC_PRE(!m.queued.contains(m.exp_cmd_sn + k));
  }
  void apply(Model& m) const override {
    m.queued[m.exp_cmd_sn + k] = {m.next_itt++, other_lun ? kNoLun : kLun0};
  }
  void run(const Model& m, Sut& s) const override {
    wire::ScsiCommand c;  // TEST UNIT READY
    c.lun = other_lun ? kNoLun : kLun0;
    c.initiator_task_tag = m.next_itt;
    c.cmd_sn = m.exp_cmd_sn + k;
    check(s.h->exchange(wire::Pdu(c)), {});  // held until the gap closes (§3.2.2.1)
  }
  void show(std::ostream& os) const override {
    os << "TEST UNIT READY at ExpCmdSN+" << k << (other_lun ? " on LUN 5" : "");
  }
};

struct FillGap : rc::state::Command<Model, Sut> {
  void apply(Model& m) const override {
    std::vector<Expect> ignored;
    m.next_itt += 1;
    m.exp_cmd_sn += 1;
    drain(m, ignored);
  }
  void run(const Model& m, Sut& s) const override {
    Model after = m;
    std::vector<Expect> want = {{Expect::Nop, m.next_itt}};
    after.next_itt += 1;
    after.exp_cmd_sn += 1;
    drain(after, want);
    wire::NopOut nop;
    nop.initiator_task_tag = m.next_itt;
    nop.cmd_sn = m.exp_cmd_sn;
    check(s.h->exchange(wire::Pdu(nop)), want);
  }
  void show(std::ostream& os) const override { os << "NOP-Out at ExpCmdSN (closes the gap)"; }
};

struct DataOut : rc::state::Command<Model, Sut> {
  std::size_t pick = *rc::gen::inRange<std::size_t>(0, 64);
  bool ended = *rc::gen::inRange(0, 3) == 0;  // for a write a function ended
  void checkPreconditions(const Model& m) const override {
    RC_PRE(!(ended ? m.ended.empty() : m.writes.empty()));
  }
  std::uint32_t itt(const Model& m) const {
    if (ended) return m.ended[pick % m.ended.size()];
    auto it = m.writes.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(pick % m.writes.size()));
    return it->first;
  }
  void apply(Model& m) const override { m.writes.erase(itt(m)); }
  void run(const Model& m, Sut& s) const override {
    const std::uint32_t t = itt(m);
    wire::ScsiDataOut d;
    d.initiator_task_tag = t;
    d.target_transfer_tag = m.ttt_of.at(t);
    d.final = true;
    d.data.assign(FakeScsi::kBlock, 0x11);
    const auto got = s.h->exchange(wire::Pdu(d));
    if (ended) {
      // The task is gone: its remaining Data-Out is dropped quietly.
      check(got, {});
    } else {
      check(got, {{Expect::Status, t, 0}});
    }
  }
  void show(std::ostream& os) const override {
    os << "Data-Out for " << (ended ? "an ended" : "a waiting") << " write #" << pick;
  }
};

struct TaskManagement : rc::state::Command<Model, Sut> {
  std::uint8_t function =
      *rc::gen::oneOf(rc::gen::inRange<std::uint8_t>(1, 7),  // not 7: cold reset
                      rc::gen::element<std::uint8_t>(0, 8, 9, 42, 127));
  bool no_lun = *rc::gen::inRange(0, 4) == 0;
  int target = *rc::gen::inRange(0, 3);  // ABORT TASK: a write, a queued command, an unknown ITT
  std::size_t pick = *rc::gen::inRange<std::size_t>(0, 64);

  // The referenced task of ABORT TASK and its RefCmdSN.
  std::pair<std::uint32_t, std::uint32_t> referenced(const Model& m) const {
    if (target == 0 && !m.writes.empty()) {
      auto it = m.writes.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(pick % m.writes.size()));
      return {it->first, m.exp_cmd_sn - 1};
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> live;
    for (const auto& [sn, q] : m.queued) {
      if (!q.aborted) live.push_back({q.itt, sn});
    }
    if (target == 1 && !live.empty()) return live[pick % live.size()];
    return {0xdead0000u + static_cast<std::uint32_t>(pick), m.exp_cmd_sn};
  }

  std::uint8_t step(Model& m) const {
    const std::uint64_t lun = no_lun ? kNoLun : kLun0;
    auto end_tasks = [&](bool all) {
      for (auto it = m.writes.begin(); it != m.writes.end();) {
        if (all || it->second == lun) {
          m.ended.push_back(it->first);
          it = m.writes.erase(it);
        } else {
          ++it;
        }
      }
      for (auto& [sn, q] : m.queued) {
        if (all || q.lun == lun) q.aborted = true;
      }
    };
    switch (function) {
      case F::AbortTask: {
        const auto [itt, ref] = referenced(m);
        if (m.writes.erase(itt) > 0) {
          m.ended.push_back(itt);
          return R::FunctionComplete;
        }
        for (auto& [sn, q] : m.queued) {
          if (q.itt == itt && !q.aborted) {
            q.aborted = true;
            return R::FunctionComplete;
          }
        }
        // §10.6.1: a RefCmdSN within the window and below the function's own
        // CmdSN would count as received; with the function's CmdSN equal to
        // ExpCmdSN no such CmdSN exists.
        (void)ref;
        return R::TaskDoesNotExist;
      }
      case F::AbortTaskSet:
      case F::ClearTaskSet:
        if (no_lun) return R::LunDoesNotExist;
        end_tasks(false);
        return R::FunctionComplete;
      case F::LogicalUnitReset:
        if (no_lun) return R::LunDoesNotExist;
        end_tasks(false);
        m.resets.push_back(ResetKind::LogicalUnit);
        return R::FunctionComplete;
      case F::TargetWarmReset:
        end_tasks(true);
        m.resets.push_back(ResetKind::TargetWarm);
        return R::FunctionComplete;
      case F::TaskReassign:
        // §10.6.1: reassignment needs ErrorRecoveryLevel 2.
        return R::ReassignmentNotSupported;
      default:
        // §10.5.1: functions 9-127 are reserved, 0 is not a function.
        return R::FunctionNotSupported;
    }
  }

  void apply(Model& m) const override {
    step(m);
    m.next_itt += 1;
  }
  void run(const Model& m, Sut& s) const override {
    Model after = m;
    const std::uint8_t response = step(after);
    wire::TaskManagementRequest tmf;
    tmf.immediate = true;  // §10.5: the function goes ahead of the queued commands
    tmf.function = function;
    tmf.lun = no_lun ? kNoLun : kLun0;
    tmf.initiator_task_tag = m.next_itt;
    tmf.cmd_sn = m.exp_cmd_sn;
    if (function == F::AbortTask) {
      const auto [itt, ref] = referenced(m);
      tmf.referenced_task_tag = itt;
      tmf.ref_cmd_sn = ref;
    }
    const auto got = s.h->exchange(wire::Pdu(tmf));
    check(got, {{Expect::Tmf, m.next_itt, response}});
    // The function does not take a CmdSN (immediate).
    RC_ASSERT(std::get<R>(got[0]).exp_cmd_sn == m.exp_cmd_sn);
    RC_ASSERT(s.scsi.resets == after.resets);
  }
  void show(std::ostream& os) const override {
    os << "TMF function " << int(function) << (no_lun ? " on LUN 5" : "") << " target " << target
       << " #" << pick;
  }
};

RC_GTEST_PROP(TaskManagementModel, FunctionsEndExactlyTheTasksTheyName, ()) {
  Sut sut;
  Model m;
  m.exp_cmd_sn = sut.h->cmd_sn();
  rc::state::check(m, sut,
                   rc::state::gen::execOneOfWithArgs<StartWrite, QueueCommand, FillGap, DataOut,
                                                     TaskManagement>());
}

}  // namespace
}  // namespace iscsi::session
