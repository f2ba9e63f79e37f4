// A scripted ScsiPort for session tests: LUN 0 exists, READ(10) returns a
// pattern, WRITE(10) records what it got, TEST UNIT READY succeeds, anything
// else is CHECK CONDITION / INVALID COMMAND OPERATION CODE. SANITIZE (48h)
// starts a long operation: its status is deferred until `sanitize_end`
// (the time advance() last reported), the way a logical unit with a
// minimum sanitize time answers.
#pragma once

#include <algorithm>
#include <vector>

#include "session/scsi_port.h"

namespace iscsi::session::testing {

class FakeScsi : public ScsiPort {
 public:
  static constexpr std::uint32_t kBlock = 512;

  ScsiPlan plan(std::uint64_t lun, wire::ByteView cdb, std::uint64_t, std::uint32_t) override {
    ScsiPlan p;
    if (lun != 0) {
      p.early = ScsiOutcome{0x02, sense(0x05, 0x25, 0x00), {}};
      return p;
    }
    switch (cdb[0]) {
      case 0x00:  // TEST UNIT READY
      case 0x48:  // SANITIZE
        return p;
      case 0x28:  // READ(10)
        p.direction = DataDirection::Read;
        p.transfer_length = wire::load_be16(cdb.data() + 7) * kBlock;
        return p;
      case 0x2a:  // WRITE(10)
        p.direction = DataDirection::Write;
        p.transfer_length = wire::load_be16(cdb.data() + 7) * kBlock;
        return p;
      default:
        p.early = ScsiOutcome{0x02, sense(0x05, 0x20, 0x00), {}};
        return p;
    }
  }

  ScsiOutcome execute(std::uint64_t, wire::ByteView cdb, std::uint64_t, wire::ByteView data_out,
                      std::uint32_t capacity) override {
    ++executed;
    ScsiOutcome o;
    if (cdb[0] == 0x48) {
      o.deferred = ScsiOutcome::Deferred{++last_token, sanitize_end};
      return o;
    }
    if (cdb[0] == 0x28) {
      const std::uint32_t n =
          std::min<std::uint32_t>(capacity, wire::load_be16(cdb.data() + 7) * kBlock);
      o.data_in.resize(n);
      for (std::uint32_t i = 0; i < n; ++i) o.data_in[i] = static_cast<std::uint8_t>(i * 7);
    } else if (cdb[0] == 0x2a) {
      written.assign(data_out.begin(), data_out.end());
    }
    return o;
  }

  bool lun_exists(std::uint64_t lun) const override { return lun == 0; }
  void advance(ScsiTime t) override { now = std::max(now, t); }
  ScsiOutcome poll(std::uint64_t, std::uint64_t token) override {
    polled.push_back(token);
    ScsiOutcome o;
    if (now < sanitize_end) o.deferred = ScsiOutcome::Deferred{token, sanitize_end};
    return o;
  }
  void forget(std::uint64_t, std::uint64_t token) override { forgotten.push_back(token); }
  void reset(ResetKind kind, std::uint64_t, std::uint64_t) override { resets.push_back(kind); }
  void nexus_lost(std::uint64_t nexus) override { lost_nexuses.push_back(nexus); }

  static wire::Bytes sense(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq) {
    wire::Bytes s(18, 0);
    s[0] = 0x70;
    s[2] = key;
    s[7] = 10;
    s[12] = asc;
    s[13] = ascq;
    return s;
  }

  int executed = 0;
  wire::Bytes written;
  std::vector<ResetKind> resets;
  ScsiTime now{};
  ScsiTime sanitize_end{};
  std::uint64_t last_token = 0;
  std::vector<std::uint64_t> polled;
  std::vector<std::uint64_t> forgotten;
  std::vector<std::uint64_t> lost_nexuses;
};

}  // namespace iscsi::session::testing
