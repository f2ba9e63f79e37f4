// A RapidCheck state-machine model of the CmdSN window (RFC 3720 §3.2.2.1)
// checked against TargetConnection: commands (NOP-Out with a valid ITT, and
// SCSI TEST UNIT READY) arrive with CmdSNs in, before, beyond and exactly
// 2^31 away from the window, immediate or not, with the session's first
// CmdSN anywhere in the 32-bit space so the window wraps. The model says
// which commands run and in which order; every answer carries the StatSN
// that follows the previous one, ExpCmdSN one past the CmdSN just delivered
// and MaxCmdSN = ExpCmdSN + window - 1.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <map>
#include <memory>
#include <vector>

#include "fake_scsi.h"
#include "initiator_harness.h"
#include "session/serial.h"
#include "wire/pdu_fields.h"

namespace iscsi::session {
namespace {

using testing::FakeScsi;
using testing::InitiatorHarness;

struct Sut {
  explicit Sut(std::uint32_t window, std::uint32_t first_cmd_sn) {
    config.targets.push_back(TargetNode{"iqn.2025-12.local:storage.disk1", "", 1, &scsi});
    config.limits.cmd_window = window;
    h = std::make_unique<InitiatorHarness>(config, sessions);
    wire::LoginRequest req;
    req.transit = true;
    req.csg = 1;
    req.nsg = 3;
    req.isid = wire::Isid{0, 0x3d, 0x1234, 0x56, 1};
    req.initiator_task_tag = 1;
    req.cmd_sn = first_cmd_sn;
    req.exp_stat_sn = 0x100;
    req.data = testing::text_of(testing::normal_login_keys());
    const auto out = h->exchange(wire::Pdu(req));
    RC_ASSERT(out.size() == 1u);
    const auto& rsp = std::get<wire::LoginResponse>(out[0]);
    RC_ASSERT(rsp.status_class == 0);
    next_stat_sn = rsp.stat_sn + 1;
  }
  FakeScsi scsi;
  TargetConfig config;
  SessionTable sessions;
  std::unique_ptr<InitiatorHarness> h;
  std::uint32_t next_stat_sn = 0;
};

struct Model {
  std::uint32_t window = 1;
  std::uint32_t exp_cmd_sn = 0;
  std::map<std::uint32_t, std::uint32_t> queued;  // CmdSN -> ITT of commands waiting for a gap
  std::uint32_t next_itt = 1;
};

// The answers one command causes: (ITT, ExpCmdSN at the time of the answer).
struct Answer {
  std::uint32_t itt;
  std::uint32_t exp_cmd_sn;
};

// RFC 3720 §3.2.2.1 applied to one command.
std::vector<Answer> deliver(Model& m, std::uint32_t cmd_sn, bool immediate, std::uint32_t itt) {
  std::vector<Answer> out;
  if (immediate) {
    // "An immediate command ... is not ... queued ... CmdSN is not advanced".
    out.push_back({itt, m.exp_cmd_sn});
    return out;
  }
  const std::uint32_t max_cmd_sn = m.exp_cmd_sn + m.window - 1;
  // "the target MUST silently ignore any non-immediate command outside of
  // this range or non-immediate duplicates within the range".
  if (!sn_in_window(cmd_sn, m.exp_cmd_sn, max_cmd_sn) || m.queued.contains(cmd_sn)) return out;
  if (cmd_sn != m.exp_cmd_sn) {
    m.queued.emplace(cmd_sn, itt);
    return out;
  }
  // Delivered in CmdSN order: this one, then every queued successor.
  m.exp_cmd_sn += 1;
  out.push_back({itt, m.exp_cmd_sn});
  for (auto it = m.queued.find(m.exp_cmd_sn); it != m.queued.end();
       it = m.queued.find(m.exp_cmd_sn)) {
    m.exp_cmd_sn += 1;
    out.push_back({it->second, m.exp_cmd_sn});
    m.queued.erase(it);
  }
  return out;
}

struct SendCommand : rc::state::Command<Model, Sut> {
  // Where the CmdSN lies relative to ExpCmdSN.
  std::int64_t offset =
      *rc::gen::oneOf(rc::gen::inRange<std::int64_t>(-3, 20), rc::gen::just<std::int64_t>(0),
                      rc::gen::element<std::int64_t>(0x7fffffff, 0x80000000, 0x80000001,
                                                     -0x80000000LL, 0xffffffff));
  bool immediate = *rc::gen::inRange(0, 8) == 0;
  bool scsi = *rc::gen::arbitrary<bool>();

  std::uint32_t cmd_sn(const Model& m) const {
    return m.exp_cmd_sn + static_cast<std::uint32_t>(offset);
  }

  void apply(Model& m) const override {
    const std::uint32_t itt = m.next_itt++;
    deliver(m, cmd_sn(m), immediate, itt);
  }

  void run(const Model& m, Sut& sut) const override {
    Model after = m;
    const std::uint32_t itt = after.next_itt++;
    const auto expected = deliver(after, cmd_sn(m), immediate, itt);

    std::vector<wire::Pdu> got;
    if (scsi) {
      wire::ScsiCommand c;  // TEST UNIT READY: no data
      c.immediate = immediate;
      c.initiator_task_tag = itt;
      c.cmd_sn = cmd_sn(m);
      c.exp_stat_sn = sut.next_stat_sn;
      got = sut.h->exchange(wire::Pdu(c));
    } else {
      wire::NopOut nop;
      nop.immediate = immediate;
      nop.initiator_task_tag = itt;
      nop.cmd_sn = cmd_sn(m);
      nop.exp_stat_sn = sut.next_stat_sn;
      got = sut.h->exchange(wire::Pdu(nop));
    }
    RC_ASSERT(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      const auto itt_got = wire::get_field(got[i], "InitiatorTaskTag");
      const auto stat_sn = wire::get_field(got[i], "StatSN");
      const auto exp = wire::get_field(got[i], "ExpCmdSN");
      const auto max = wire::get_field(got[i], "MaxCmdSN");
      RC_ASSERT(itt_got == expected[i].itt);
      // §3.2.2.2: StatSN advances by one with every status.
      RC_ASSERT(stat_sn == sut.next_stat_sn);
      sut.next_stat_sn += 1;
      RC_ASSERT(exp == expected[i].exp_cmd_sn);
      RC_ASSERT(max == static_cast<std::uint32_t>(expected[i].exp_cmd_sn + m.window - 1));
    }
  }

  void show(std::ostream& os) const override {
    os << (scsi ? "TEST UNIT READY" : "NOP-Out") << (immediate ? " immediate" : "")
       << " at ExpCmdSN" << (offset >= 0 ? "+" : "") << offset;
  }
};

RC_GTEST_PROP(CmdSnWindowModel, CommandsRunInCmdSnOrderWithinTheWindow, ()) {
  const auto window = *rc::gen::inRange<std::uint32_t>(1, 17);
  // Near the 32-bit wrap, near 2^31, or anywhere.
  const auto first = *rc::gen::oneOf(rc::gen::inRange<std::uint32_t>(0xfffffff0u, 0xffffffffu),
                                     rc::gen::inRange<std::uint32_t>(0x7ffffff0u, 0x80000010u),
                                     rc::gen::arbitrary<std::uint32_t>());
  Sut sut(window, first);
  Model m;
  m.window = window;
  m.exp_cmd_sn = first;
  rc::state::check(m, sut, rc::state::gen::execOneOfWithArgs<SendCommand>());
}

}  // namespace
}  // namespace iscsi::session
