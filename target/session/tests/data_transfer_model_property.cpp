// R2T, Data-Out and Data-In sequencing (RFC 3720 §3.2.4, §10.7, §10.8,
// §12.12-§12.17) checked three ways:
//   - a RapidCheck state-machine model of WriteTransfer: immediate data,
//     the unsolicited sequence, R2Ts and the Data-Out answering them, correct
//     or wrong in one field;
//   - split_data_in over any length and limits;
//   - whole writes and reads through a logged-in TargetConnection with
//     random negotiated limits, the initiator answering every R2T.
// The rules: R2TSN and DataSN count from 0 without gaps, every R2T asks for
// 0 < n <= MaxBurstLength bytes within the expected length, at most
// MaxOutstandingR2T are open, unsolicited data stays within FirstBurstLength,
// every data segment fits the receiver's MaxRecvDataSegmentLength, every
// Data-In sequence fits MaxBurstLength, and the lengths add up to the
// expected transfer length.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <deque>
#include <map>
#include <vector>

#include "fake_scsi.h"
#include "initiator_harness.h"
#include "session/data_in.h"
#include "session/write_transfer.h"

namespace iscsi::session {
namespace {

// The byte an initiator writes at `offset` (so misplaced data shows).
std::uint8_t pattern(std::uint32_t offset) {
  return static_cast<std::uint8_t>(offset * 31 + 7);
}

wire::Bytes pattern_bytes(std::uint32_t offset, std::uint32_t n) {
  wire::Bytes b(n);
  for (std::uint32_t i = 0; i < n; ++i) b[i] = pattern(offset + i);
  return b;
}

// ---------------------------------------------------------------------------
// WriteTransfer as a state machine.

struct WtSut {
  WtSut(std::uint32_t expected, std::uint32_t wanted, std::uint32_t immediate, const WriteLimits& l)
      : transfer(expected, wanted, pattern_bytes(0, immediate), l) {}
  WriteTransfer transfer;
  std::uint32_t next_ttt = 0x100;
};

struct WtModel {
  struct Seq {
    std::uint32_t ttt, offset, length, received, next_sn;
  };
  std::uint32_t expected = 0, wanted = 0;
  WriteLimits limits;
  bool unsolicited_open = false;
  std::uint32_t unsolicited_received = 0, unsolicited_next_sn = 0, unsolicited_limit = 0;
  std::vector<Seq> outstanding;
  std::uint32_t solicit_offset = 0;
  std::uint32_t r2ts = 0;
  std::uint32_t next_ttt = 0x100;
  std::vector<bool> received;  // bytes of [0, wanted) that arrived
  bool failed = false;         // a Data-Out was refused: the task ends

  void mark(std::uint32_t offset, std::uint32_t n) {
    for (std::uint32_t i = offset; i < offset + n && i < wanted; ++i) received[i] = true;
  }
  bool complete() const {
    return !unsolicited_open && outstanding.empty() && solicit_offset >= wanted;
  }

  // The target's policy (write_transfer.h): R2Ts once the unsolicited
  // sequence ended, in offset order, each at most MaxBurstLength, at most
  // MaxOutstandingR2T open.
  std::vector<R2tRequest> take_r2ts() {
    std::vector<R2tRequest> out;
    while (!unsolicited_open && solicit_offset < wanted &&
           outstanding.size() < limits.max_outstanding_r2t) {
      const std::uint32_t n = std::min(limits.max_burst_length, wanted - solicit_offset);
      out.push_back({next_ttt, r2ts, solicit_offset, n});
      outstanding.push_back({next_ttt, solicit_offset, n, 0, 0});
      ++next_ttt;
      ++r2ts;
      solicit_offset += n;
    }
    return out;
  }
};

void check_state(const WtModel& m, const WtSut& s) {
  RC_ASSERT(s.transfer.complete() == m.complete());
  RC_ASSERT(s.transfer.r2ts_sent() == m.r2ts);
  const wire::Bytes& data = s.transfer.data();
  RC_ASSERT(data.size() == m.wanted);
  for (std::uint32_t i = 0; i < m.wanted; ++i) {
    if (m.received[i]) RC_ASSERT(data[i] == pattern(i));
  }
}

struct TakeR2ts : rc::state::Command<WtModel, WtSut> {
  void checkPreconditions(const WtModel& m) const override { RC_PRE(!m.failed); }
  void apply(WtModel& m) const override { m.take_r2ts(); }
  void run(const WtModel& m, WtSut& s) const override {
    WtModel after = m;
    const auto expected = after.take_r2ts();
    const auto got = s.transfer.take_r2ts([&s] { return s.next_ttt++; });
    RC_ASSERT(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      // §10.8.2 R2TSN from 0 without gaps; §10.8.4 0 < length <= MaxBurstLength.
      RC_ASSERT(got[i].r2t_sn == m.r2ts + i);
      RC_ASSERT(got[i].desired_length > 0);
      RC_ASSERT(got[i].desired_length <= m.limits.max_burst_length);
      RC_ASSERT(got[i].buffer_offset == expected[i].buffer_offset);
      RC_ASSERT(got[i].desired_length == expected[i].desired_length);
      RC_ASSERT(got[i].target_transfer_tag == expected[i].target_transfer_tag);
      RC_ASSERT(std::uint64_t{got[i].buffer_offset} + got[i].desired_length <= m.expected);
    }
    // §12.17: at most MaxOutstandingR2T R2Ts are open.
    RC_ASSERT(after.outstanding.size() <= m.limits.max_outstanding_r2t);
    check_state(after, s);
  }
  void show(std::ostream& os) const override { os << "take R2Ts"; }
};

struct AnswerR2t : rc::state::Command<WtModel, WtSut> {
  std::size_t pick = *rc::gen::inRange<std::size_t>(0, 8);
  std::uint32_t want = *rc::gen::inRange<std::uint32_t>(1, 70000);

  void checkPreconditions(const WtModel& m) const override {
    RC_PRE(!m.failed);
    RC_PRE(!m.outstanding.empty());
  }
  std::size_t index(const WtModel& m) const { return pick % m.outstanding.size(); }
  std::uint32_t length(const WtModel& m) const {
    const auto& q = m.outstanding[index(m)];
    return std::min(want, q.length - q.received);
  }
  void apply(WtModel& m) const override {
    auto& q = m.outstanding[index(m)];
    const std::uint32_t n = length(m);
    m.mark(q.offset + q.received, n);
    q.received += n;
    q.next_sn += 1;
    if (q.received == q.length)
      m.outstanding.erase(m.outstanding.begin() + static_cast<std::ptrdiff_t>(index(m)));
  }
  void run(const WtModel& m, WtSut& s) const override {
    const auto& q = m.outstanding[index(m)];
    const std::uint32_t n = length(m);
    wire::ScsiDataOut d;
    d.target_transfer_tag = q.ttt;
    d.data_sn = q.next_sn;
    d.buffer_offset = q.offset + q.received;
    d.data = pattern_bytes(d.buffer_offset, n);
    // §10.7.1: F on the last PDU of the sequence the R2T asked for.
    d.final = q.received + n == q.length;
    const auto err = s.transfer.on_data_out(d);
    RC_ASSERT(!err.has_value());
    WtModel after = m;
    apply(after);
    check_state(after, s);
  }
  void show(std::ostream& os) const override { os << "answer R2T #" << pick << " with " << want; }
};

struct SendUnsolicited : rc::state::Command<WtModel, WtSut> {
  std::uint32_t want = *rc::gen::inRange<std::uint32_t>(0, 70000);
  bool final = *rc::gen::arbitrary<bool>();

  void checkPreconditions(const WtModel& m) const override {
    RC_PRE(!m.failed);
    RC_PRE(m.unsolicited_open);
  }
  std::uint32_t length(const WtModel& m) const {
    return std::min(want, m.unsolicited_limit - m.unsolicited_received);
  }
  // §10.7.1 / §3.2.4.2: the PDU that reaches FirstBurstLength (or the
  // expected length) ends the unsolicited sequence and must carry F.
  bool refused(const WtModel& m) const {
    return !final && m.unsolicited_received + length(m) == m.unsolicited_limit;
  }
  void apply(WtModel& m) const override {
    const std::uint32_t n = length(m);
    m.mark(m.unsolicited_received, n);
    m.unsolicited_received += n;
    m.unsolicited_next_sn += 1;
    if (final) {
      m.unsolicited_open = false;
      m.solicit_offset = std::max(m.solicit_offset, std::min(m.unsolicited_received, m.wanted));
    } else if (m.unsolicited_received == m.unsolicited_limit) {
      m.failed = true;
    }
  }
  void run(const WtModel& m, WtSut& s) const override {
    wire::ScsiDataOut d;
    d.target_transfer_tag = wire::kReservedTag;
    d.data_sn = m.unsolicited_next_sn;
    d.buffer_offset = m.unsolicited_received;
    d.data = pattern_bytes(d.buffer_offset, length(m));
    d.final = final;
    const auto err = s.transfer.on_data_out(d);
    RC_ASSERT(err.has_value() == refused(m));
    if (!err) {
      WtModel after = m;
      apply(after);
      check_state(after, s);
    }
  }
  void show(std::ostream& os) const override {
    os << "unsolicited Data-Out of " << want << (final ? " with F" : "");
  }
};

// One field wrong; §10.7 / §10.17.1 give the reaction.
struct SendWrong : rc::state::Command<WtModel, WtSut> {
  int kind = *rc::gen::inRange(0, 5);
  std::uint32_t delta = *rc::gen::inRange<std::uint32_t>(1, 1000);

  void checkPreconditions(const WtModel& m) const override {
    RC_PRE(!m.failed);
    if (kind != 3) RC_PRE(!m.outstanding.empty());
  }
  void apply(WtModel& m) const override { m.failed = true; }
  void run(const WtModel& m, WtSut& s) const override {
    wire::ScsiDataOut d;
    wire::RejectReason reason = wire::RejectReason::ProtocolError;
    std::uint8_t ascq = 0;
    if (kind == 3) {
      // A TTT no R2T carried (§10.17.1: Invalid PDU field).
      d.target_transfer_tag = 0x7fff0000;
      d.data = {1};
      reason = wire::RejectReason::InvalidPduField;
      ascq = 0x01;
    } else {
      const auto& q = m.outstanding.front();
      d.target_transfer_tag = q.ttt;
      d.data_sn = q.next_sn;
      d.buffer_offset = q.offset + q.received;
      d.data = pattern_bytes(d.buffer_offset, 1);
      d.final = q.received + 1 == q.length;
      switch (kind) {
        case 0:  // DataSN out of sequence (§10.7.5)
          d.data_sn += delta;
          break;
        case 1:  // BufferOffset out of order (§12.18 DataPDUInOrder=Yes)
          d.buffer_offset += delta;
          reason = wire::RejectReason::InvalidPduField;
          ascq = 0x05;
          break;
        case 2:  // more than the R2T asked for
          d.data = pattern_bytes(d.buffer_offset, q.length - q.received + delta);
          d.final = true;
          ascq = 0x02;
          break;
        default:  // F before the R2T's data is complete, or missing at its end
          d.final = !d.final;
          break;
      }
    }
    const auto err = s.transfer.on_data_out(d);
    RC_ASSERT(err.has_value());
    RC_ASSERT(err->reject_reason == reason);
    RC_ASSERT(err->ascq == ascq);
  }
  void show(std::ostream& os) const override { os << "wrong Data-Out, kind " << kind; }
};

RC_GTEST_PROP(DataTransferModel, WriteTransferFollowsTheSequencingRules, ()) {
  WriteLimits l;
  l.first_burst_length = *rc::gen::inRange<std::uint32_t>(512, 20000);
  l.max_burst_length = *rc::gen::inRange<std::uint32_t>(512, 20000);
  l.max_outstanding_r2t = *rc::gen::inRange<std::uint16_t>(1, 5);
  l.unsolicited_allowed = *rc::gen::arbitrary<bool>();
  const auto expected = *rc::gen::inRange<std::uint32_t>(0, 30000);
  const auto wanted = *rc::gen::inRange<std::uint32_t>(0, expected + 1);
  const auto immediate =
      *rc::gen::inRange<std::uint32_t>(0, std::min(expected, l.first_burst_length) + 1);
  WtSut sut(expected, wanted, immediate, l);
  WtModel m;
  m.expected = expected;
  m.wanted = wanted;
  m.limits = l;
  m.received.assign(wanted, false);
  m.mark(0, immediate);
  m.unsolicited_limit = std::min(l.first_burst_length, expected);
  m.unsolicited_received = immediate;
  m.unsolicited_open = l.unsolicited_allowed && immediate < m.unsolicited_limit;
  m.solicit_offset = std::min(immediate, wanted);
  check_state(m, sut);
  rc::state::check(
      m, sut, rc::state::gen::execOneOfWithArgs<TakeR2ts, AnswerR2t, SendUnsolicited, SendWrong>());
}

RC_GTEST_PROP(DataTransferModel, WriteTransferCompletesWhenEveryR2tIsAnswered, ()) {
  // Driving the whole transfer: the unsolicited part, then R2Ts answered in
  // order. The bytes add up to the expected length and arrive in place.
  WriteLimits l;
  l.first_burst_length = *rc::gen::inRange<std::uint32_t>(512, 20000);
  l.max_burst_length = *rc::gen::inRange<std::uint32_t>(512, 20000);
  l.max_outstanding_r2t = *rc::gen::inRange<std::uint16_t>(1, 5);
  l.unsolicited_allowed = *rc::gen::arbitrary<bool>();
  const auto expected = *rc::gen::inRange<std::uint32_t>(0, 100000);
  const auto immediate =
      *rc::gen::inRange<std::uint32_t>(0, std::min(expected, l.first_burst_length) + 1);
  WriteTransfer t(expected, expected, pattern_bytes(0, immediate), l);
  std::uint64_t total = immediate;
  std::uint32_t offset = immediate;
  if (l.unsolicited_allowed && immediate < std::min(expected, l.first_burst_length)) {
    const std::uint32_t limit = std::min(expected, l.first_burst_length);
    std::uint32_t sn = 0;
    while (offset < limit) {
      wire::ScsiDataOut d;
      d.data_sn = sn++;
      d.buffer_offset = offset;
      d.data = pattern_bytes(offset,
                             std::min(limit - offset, *rc::gen::inRange<std::uint32_t>(1, 9000)));
      offset += static_cast<std::uint32_t>(d.data.size());
      d.final = offset == limit;
      RC_ASSERT(!t.on_data_out(d).has_value());
      total += d.data.size();
    }
  }
  std::uint32_t next_ttt = 1;
  std::uint32_t r2ts = 0;
  std::deque<R2tRequest> open;
  for (int guard = 0; guard < 10000; ++guard) {
    for (const auto& r : t.take_r2ts([&] { return next_ttt++; })) {
      RC_ASSERT(r.r2t_sn == r2ts++);
      RC_ASSERT(r.buffer_offset == offset);  // DataSequenceInOrder=Yes: in order, no gaps
      offset += r.desired_length;
      open.push_back(r);
    }
    RC_ASSERT(open.size() <= l.max_outstanding_r2t);
    if (open.empty()) break;
    const R2tRequest r = open.front();
    open.pop_front();
    std::uint32_t sent = 0;
    std::uint32_t sn = 0;
    while (sent < r.desired_length) {
      wire::ScsiDataOut d;
      d.target_transfer_tag = r.target_transfer_tag;
      d.data_sn = sn++;
      d.buffer_offset = r.buffer_offset + sent;
      d.data = pattern_bytes(d.buffer_offset, std::min(r.desired_length - sent,
                                                       *rc::gen::inRange<std::uint32_t>(1, 9000)));
      sent += static_cast<std::uint32_t>(d.data.size());
      d.final = sent == r.desired_length;
      RC_ASSERT(!t.on_data_out(d).has_value());
    }
    total += sent;
  }
  RC_ASSERT(t.complete());
  // The unsolicited and solicited lengths add up to the expected length.
  RC_ASSERT(total == expected);
  RC_ASSERT(t.data() == pattern_bytes(0, expected));
}

// ---------------------------------------------------------------------------
// Data-In.

RC_GTEST_PROP(DataTransferModel, DataInSplitsWithinSegmentAndBurstLimits, ()) {
  const auto length = *rc::gen::inRange<std::uint32_t>(0, 200000);
  const DataInLimits limits{*rc::gen::inRange<std::uint32_t>(512, 70000),
                            *rc::gen::inRange<std::uint32_t>(512, 300000)};
  const wire::Bytes data = pattern_bytes(0, length);
  const auto pdus = split_data_in(data, 0x42, limits);
  wire::Bytes joined;
  std::uint32_t burst = 0;
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const auto& d = pdus[i];
    RC_ASSERT(d.initiator_task_tag == 0x42u);
    RC_ASSERT(d.data_sn == i);                    // §10.7.5
    RC_ASSERT(d.buffer_offset == joined.size());  // contiguous offsets
    RC_ASSERT(!d.data.empty());
    RC_ASSERT(d.data.size() <= limits.max_segment);  // §12.12
    burst += static_cast<std::uint32_t>(d.data.size());
    RC_ASSERT(burst <= limits.max_burst);  // §12.13
    // §10.7.1: F closes each sequence; a sequence ends only at MaxBurstLength
    // or at the end of the data.
    RC_ASSERT(d.final == (burst == limits.max_burst || i + 1 == pdus.size()));
    if (d.final) burst = 0;
    RC_ASSERT(!d.status_present);
    joined.insert(joined.end(), d.data.begin(), d.data.end());
  }
  RC_ASSERT(joined == data);
}

// ---------------------------------------------------------------------------
// Through a connection.

struct Negotiated {
  std::uint32_t initiator_mrdsl, target_mrdsl, max_burst, first_burst;
  std::uint16_t max_outstanding_r2t;
  bool initial_r2t, immediate_data;
};

RC_GTEST_PROP(DataTransferModel, WritesAndReadsThroughAConnection, ()) {
  testing::FakeScsi scsi;
  TargetConfig config;
  config.targets.push_back(TargetNode{"iqn.2025-12.local:storage.disk1", "", 1, &scsi});
  TargetLimits& tl = config.limits;
  tl.max_recv_data_segment_length = *rc::gen::element<std::uint32_t>(512, 4096, 65536);
  tl.max_burst_length = *rc::gen::inRange<std::uint32_t>(512, 70000);
  tl.first_burst_length = *rc::gen::inRange<std::uint32_t>(512, 70000);
  tl.max_outstanding_r2t = *rc::gen::inRange<std::uint16_t>(1, 5);
  tl.initial_r2t = *rc::gen::arbitrary<bool>();
  tl.immediate_data = *rc::gen::arbitrary<bool>();
  SessionTable sessions;
  testing::InitiatorHarness h(config, sessions);

  const auto i_mrdsl = *rc::gen::element<std::uint32_t>(512, 1000, 8192, 65536);
  const auto i_mb = *rc::gen::inRange<std::uint32_t>(512, 70000);
  const auto i_fb = *rc::gen::inRange<std::uint32_t>(512, i_mb + 1);
  const auto i_r2t = *rc::gen::inRange<std::uint16_t>(1, 5);
  const bool i_initial_r2t = *rc::gen::arbitrary<bool>();
  const bool i_immediate = *rc::gen::arbitrary<bool>();
  auto keys = testing::normal_login_keys();
  for (auto& [k, v] : keys) {
    if (k == "MaxRecvDataSegmentLength") v = std::to_string(i_mrdsl);
    if (k == "MaxBurstLength") v = std::to_string(i_mb);
    if (k == "FirstBurstLength") v = std::to_string(i_fb);
    if (k == "InitialR2T") v = i_initial_r2t ? "Yes" : "No";
    if (k == "ImmediateData") v = i_immediate ? "Yes" : "No";
  }
  keys.emplace_back("MaxOutstandingR2T", std::to_string(i_r2t));
  RC_ASSERT(h.login(keys).status_class == 0);
  // §12.10 OR, §12.11 AND, §12.13/§12.14/§12.17 Minimum.
  Negotiated n{i_mrdsl,
               tl.max_recv_data_segment_length,
               std::min(i_mb, tl.max_burst_length),
               0,
               std::min(i_r2t, tl.max_outstanding_r2t),
               i_initial_r2t || tl.initial_r2t,
               i_immediate && tl.immediate_data};
  n.first_burst = std::min({i_fb, tl.first_burst_length, n.max_burst});

  // WRITE(10) of `blocks` blocks.
  const auto blocks = *rc::gen::inRange<std::uint16_t>(1, 200);
  const std::uint32_t edtl = blocks * testing::FakeScsi::kBlock;
  const wire::Bytes data = pattern_bytes(0, edtl);
  wire::ScsiCommand w;
  w.write = true;
  w.initiator_task_tag = 7;
  w.expected_data_transfer_length = edtl;
  w.cmd_sn = h.next_cmd_sn();
  w.exp_stat_sn = h.exp_stat_sn();
  w.cdb = {0x2a,
           0,
           0,
           0,
           0,
           0,
           0,
           static_cast<std::uint8_t>(blocks >> 8),
           static_cast<std::uint8_t>(blocks)};
  const std::uint32_t unsolicited_limit = std::min(edtl, n.first_burst);
  std::uint32_t immediate = 0;
  if (n.immediate_data) {
    immediate =
        *rc::gen::inRange<std::uint32_t>(0, std::min(unsolicited_limit, n.target_mrdsl) + 1);
  }
  w.data.assign(data.begin(), data.begin() + immediate);
  const bool unsolicited = !n.initial_r2t && immediate < unsolicited_limit;
  w.final = !unsolicited;
  std::vector<wire::Pdu> out = h.exchange(wire::Pdu(w));
  std::uint32_t sent = immediate;
  if (unsolicited) {
    std::uint32_t sn = 0;
    while (sent < unsolicited_limit) {
      wire::ScsiDataOut d;
      d.initiator_task_tag = 7;
      d.data_sn = sn++;
      d.buffer_offset = sent;
      const std::uint32_t len = std::min(
          {unsolicited_limit - sent, n.target_mrdsl, *rc::gen::inRange<std::uint32_t>(1, 70000)});
      d.data.assign(data.begin() + sent, data.begin() + sent + len);
      sent += len;
      d.final = sent == unsolicited_limit;
      auto more = h.exchange(wire::Pdu(d));
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  std::deque<wire::ReadyToTransfer> open;
  std::vector<bool> covered(edtl, false);
  std::fill(covered.begin(), covered.begin() + sent, true);
  std::uint32_t r2t_count = 0;
  std::optional<wire::ScsiResponse> response;
  for (int guard = 0; guard < 10000 && !response; ++guard) {
    for (auto& pdu : out) {
      if (auto* r = std::get_if<wire::ReadyToTransfer>(&pdu)) {
        RC_ASSERT(r->initiator_task_tag == 7u);
        RC_ASSERT(r->r2t_sn == r2t_count);
        ++r2t_count;
        RC_ASSERT(r->target_transfer_tag != wire::kReservedTag);
        RC_ASSERT(r->desired_data_transfer_length > 0);
        RC_ASSERT(r->desired_data_transfer_length <= n.max_burst);
        RC_ASSERT(std::uint64_t{r->buffer_offset} + r->desired_data_transfer_length <= edtl);
        for (std::uint32_t i = 0; i < r->desired_data_transfer_length; ++i) {
          RC_ASSERT(!covered[r->buffer_offset + i]);  // nothing asked for twice
          covered[r->buffer_offset + i] = true;
        }
        open.push_back(*r);
        RC_ASSERT(open.size() <= n.max_outstanding_r2t);
      } else if (auto* s = std::get_if<wire::ScsiResponse>(&pdu)) {
        response = *s;
      } else {
        RC_FAIL("unexpected PDU during a write");
      }
    }
    out.clear();
    if (response || open.empty()) break;
    // Answer one open R2T (any of them), in PDUs within the target's limit.
    const std::size_t which = *rc::gen::inRange<std::size_t>(0, open.size());
    const wire::ReadyToTransfer r = open[which];
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(which));
    std::vector<wire::Pdu> burst;
    std::uint32_t done = 0, sn = 0;
    while (done < r.desired_data_transfer_length) {
      wire::ScsiDataOut d;
      d.initiator_task_tag = 7;
      d.target_transfer_tag = r.target_transfer_tag;
      d.data_sn = sn++;
      d.buffer_offset = r.buffer_offset + done;
      const std::uint32_t len = std::min({r.desired_data_transfer_length - done, n.target_mrdsl,
                                          *rc::gen::inRange<std::uint32_t>(1, 70000)});
      d.data.assign(data.begin() + d.buffer_offset, data.begin() + d.buffer_offset + len);
      done += len;
      d.final = done == r.desired_data_transfer_length;
      auto more = h.exchange(wire::Pdu(d));
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  RC_ASSERT(response.has_value());
  RC_ASSERT(response->status == 0);
  RC_ASSERT(!response->residual_overflow);
  RC_ASSERT(!response->residual_underflow);
  // §10.4.8: ExpDataSN counts the R2Ts of the command.
  RC_ASSERT(response->exp_data_sn == r2t_count);
  RC_ASSERT(std::all_of(covered.begin(), covered.end(), [](bool b) { return b; }));
  RC_ASSERT(scsi.written == data);

  // READ(10) of as many blocks: Data-In within the initiator's limits.
  wire::ScsiCommand rd;
  rd.read = true;
  rd.initiator_task_tag = 8;
  rd.expected_data_transfer_length = edtl;
  rd.cmd_sn = h.next_cmd_sn();
  rd.exp_stat_sn = h.exp_stat_sn();
  rd.cdb = {0x28,
            0,
            0,
            0,
            0,
            0,
            0,
            static_cast<std::uint8_t>(blocks >> 8),
            static_cast<std::uint8_t>(blocks)};
  const auto in = h.exchange(wire::Pdu(rd));
  RC_ASSERT(!in.empty());
  wire::Bytes got;
  std::uint32_t burst = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto* d = std::get_if<wire::ScsiDataIn>(&in[i]);
    RC_ASSERT(d != nullptr);
    RC_ASSERT(d->data_sn == i);
    RC_ASSERT(d->buffer_offset == got.size());
    RC_ASSERT(d->data.size() <= n.initiator_mrdsl);
    burst += static_cast<std::uint32_t>(d->data.size());
    RC_ASSERT(burst <= n.max_burst);
    if (d->final) burst = 0;
    // §10.7.3: status only on the last PDU, which carries F.
    RC_ASSERT(d->status_present == (i + 1 == in.size()));
    got.insert(got.end(), d->data.begin(), d->data.end());
  }
  const auto& last = std::get<wire::ScsiDataIn>(in.back());
  RC_ASSERT(last.final);
  RC_ASSERT(last.status == 0);
  RC_ASSERT(got.size() == edtl);
  for (std::uint32_t i = 0; i < edtl; ++i) RC_ASSERT(got[i] == static_cast<std::uint8_t>(i * 7));
}

}  // namespace
}  // namespace iscsi::session
