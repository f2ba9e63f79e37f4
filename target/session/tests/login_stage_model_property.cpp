// A RapidCheck state-machine model of the login phase, stage by stage
// (RFC 3720 §5.3, §10.12, §10.13), checked against TargetConnection. Each
// step is a Login Request: in the stage the target is in or another, with
// or without a transition, with the names of §5.3.1 or without them, with
// keys of the stage, of the wrong stage, or repeated. The model gives the
// Status-Class/Detail, the T bit and the next stage of each answer; every
// answer echoes CSG, ITT and ISID and carries the next StatSN; a failed
// login closes the connection, and the answer that reaches full feature
// phase assigns a TSIH.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fake_scsi.h"
#include "initiator_harness.h"

namespace iscsi::session {
namespace {

using testing::FakeScsi;
using testing::InitiatorHarness;

constexpr std::uint32_t kFirstStatSn = 0x5000;
const wire::Isid kIsid{0, 0x3d, 0x1234, 0x56, 7};

struct Sut {
  Sut() {
    config.targets.push_back(TargetNode{"iqn.2025-12.local:storage.disk1", "", 1, &scsi});
    h = std::make_unique<InitiatorHarness>(config, sessions);
  }
  FakeScsi scsi;
  TargetConfig config;
  SessionTable sessions;
  std::unique_ptr<InitiatorHarness> h;
};

struct Model {
  std::optional<std::uint8_t> stage;  // unset before the first request
  bool done = false;                  // full feature phase reached
  bool failed = false;
  bool auth_rejected = false;  // no acceptable AuthMethod was offered
  std::set<std::string> sent;  // keys negotiated or declared so far
  std::uint32_t next_itt = 1;
  std::uint32_t next_stat_sn = kFirstStatSn;
};

// A key with a value and the stages it belongs to (§11: security keys;
// §12: operational keys, Any-Stage declarations).
struct KeyChoice {
  const char* key;
  const char* value;
  bool security;     // admissible in the SecurityNegotiation stage
  bool operational;  // admissible in the LoginOperationalNegotiation stage
};
constexpr KeyChoice kKeys[] = {
    {"AuthMethod", "None", true, false},
    {"AuthMethod", "CHAP", true, false},  // not acceptable: Reject, then no way out
    {"HeaderDigest", "None", false, true},
    {"DataDigest", "CRC32C,None", false, true},
    {"MaxBurstLength", "65536", false, true},
    {"InitialR2T", "Yes", false, true},
    {"ErrorRecoveryLevel", "0", false, true},
    {"InitiatorAlias", "model", true, true},  // Any-Stage declaration
};

struct Expected {
  std::uint16_t status = 0;  // Status-Class << 8 | Status-Detail
  bool class_only = false;   // only the Status-Class is fixed by the RFC
  bool transit = false;
  std::uint8_t nsg = 0;
};

struct LoginStep : rc::state::Command<Model, Sut> {
  std::uint8_t csg_pick = *rc::gen::inRange<std::uint8_t>(0, 12);  // > 3: the current stage
  bool transit = *rc::gen::arbitrary<bool>();
  std::uint8_t nsg = *rc::gen::element<std::uint8_t>(1, 3, 3, 1, 0, 2);
  bool names = *rc::gen::inRange(0, 10) != 0;
  std::vector<std::size_t> keys = *rc::gen::container<std::vector<std::size_t>>(
      rc::gen::inRange<std::size_t>(0, std::size(kKeys)));

  void checkPreconditions(const Model& m) const override { RC_PRE(!m.done && !m.failed); }

  std::uint8_t csg(const Model& m) const {
    if (csg_pick > 3) return m.stage.value_or(csg_pick % 2);
    return csg_pick;
  }

  std::vector<std::pair<std::string, std::string>> text(const Model& m) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (!m.stage && names) {
      out.push_back({"InitiatorName", "iqn.2025-12.local:initiator"});
      out.push_back({"TargetName", "iqn.2025-12.local:storage.disk1"});
    }
    std::set<std::string> seen;
    for (std::size_t k : keys) {
      if (seen.insert(kKeys[k].key).second) out.push_back({kKeys[k].key, kKeys[k].value});
    }
    return out;
  }

  Expected step(Model& m) const {
    const auto fail = [&](std::uint16_t status, bool class_only = false) {
      m.failed = true;
      return Expected{status, class_only, false, 0};
    };
    const std::uint8_t c = csg(m);
    const bool first = !m.stage;
    // §10.12.3: CSG is 0 or 1; §5.3: the initiator stays in the target's stage.
    if (c > 1 || (m.stage && *m.stage != c)) return fail(0x0200, true);
    if (first) m.stage = c;
    // §10.12.3: a transition goes forward, never to the reserved stage 2.
    if (transit && (nsg == 2 || nsg <= c)) return fail(0x0200, true);
    // §5.3.1, §10.13.5: "Missing parameters (e.g., iSCSI Initiator and/or Target Name)".
    if (first && !names) return fail(0x0207);
    std::set<std::string> seen;
    for (std::size_t k : keys) {
      const KeyChoice& kc = kKeys[k];
      if (!seen.insert(kc.key).second) continue;
      // §11/§12: a key outside its stage; §5.3: a key negotiated twice.
      if (!(c == 0 ? kc.security : kc.operational)) return fail(0x0200, true);
      if (!m.sent.insert(kc.key).second) return fail(0x0200, true);
      if (std::string(kc.key) == "AuthMethod" && std::string(kc.value) == "CHAP")
        m.auth_rejected = true;
    }
    if (!transit) return {};
    // §11.1: leaving the security stage without an acceptable method.
    if (c == 0 && m.auth_rejected) return fail(0x0201);
    m.stage = nsg;
    if (nsg == 3) m.done = true;
    return {0, false, true, nsg};
  }

  void apply(Model& m) const override {
    step(m);
    m.next_itt += 1;
    m.next_stat_sn += 1;
  }

  void run(const Model& m, Sut& s) const override {
    Model after = m;
    const Expected e = step(after);
    wire::LoginRequest req;
    req.transit = transit;
    req.csg = csg(m);
    req.nsg = transit ? nsg : 0;
    req.isid = kIsid;
    req.initiator_task_tag = m.next_itt;
    req.cmd_sn = 1;
    req.exp_stat_sn = m.next_stat_sn;
    req.data = testing::text_of(text(m));
    const auto out = s.h->exchange(wire::Pdu(req));
    RC_ASSERT(out.size() == 1u);
    RC_ASSERT(std::holds_alternative<wire::LoginResponse>(out[0]));
    const auto& r = std::get<wire::LoginResponse>(out[0]);
    const std::uint16_t status = static_cast<std::uint16_t>(r.status_class << 8 | r.status_detail);
    if (e.class_only) {
      RC_ASSERT(r.status_class == (e.status >> 8));
    } else {
      RC_ASSERT(status == e.status);
    }
    // §10.13: the answer echoes ITT and ISID, and carries the next StatSN.
    RC_ASSERT(r.initiator_task_tag == m.next_itt);
    RC_ASSERT(r.isid == kIsid);
    RC_ASSERT(r.stat_sn == m.next_stat_sn);
    RC_ASSERT(r.version_active == 0);
    if (status == 0) RC_ASSERT(r.csg == req.csg);
    RC_ASSERT(r.transit == e.transit);
    if (e.transit) RC_ASSERT(r.nsg == e.nsg);
    // §10.13.5: after a non-zero Status-Class the connection is closed.
    RC_ASSERT(s.h->connection().wants_close() == after.failed);
    if (after.done) {
      RC_ASSERT(r.tsih != 0);  // §10.13.4: the target assigns the TSIH on the final answer
      RC_ASSERT(s.h->connection().phase() == TargetConnection::Phase::FullFeature);
    } else {
      RC_ASSERT(s.h->connection().phase() == TargetConnection::Phase::Login);
    }
  }

  void show(std::ostream& os) const override {
    os << "Login Request CSG " << (csg_pick > 3 ? std::string("current") : std::to_string(csg_pick))
       << (transit ? " T NSG " + std::to_string(nsg) : std::string(""))
       << (names ? "" : " without names") << " keys";
    for (std::size_t k : keys) os << " " << kKeys[k].key << "=" << kKeys[k].value;
  }
};

// Once the login ended (either way) the connection stays where it is.
struct Settled : rc::state::Command<Model, Sut> {
  void checkPreconditions(const Model& m) const override { RC_PRE(m.done || m.failed); }
  void apply(Model&) const override {}
  void run(const Model& m, Sut& s) const override {
    RC_ASSERT(s.h->collect().empty());
    RC_ASSERT(s.h->connection().wants_close() == m.failed);
    RC_ASSERT((s.h->connection().phase() == TargetConnection::Phase::FullFeature) == m.done);
  }
  void show(std::ostream& os) const override { os << "settled"; }
};

RC_GTEST_PROP(LoginStageModel, EachStageAnswersAsTheRfcSays, ()) {
  Sut sut;
  rc::state::check(Model{}, sut, rc::state::gen::execOneOfWithArgs<LoginStep, Settled>());
}

}  // namespace
}  // namespace iscsi::session
