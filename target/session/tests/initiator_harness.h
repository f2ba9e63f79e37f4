// Drives a TargetConnection in-process like an initiator: encodes PDUs,
// feeds the bytes, and frames what the target sends back.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session/connection.h"
#include "wire/framer.h"
#include "wire/pdu_codec.h"
#include "wire/text.h"

namespace iscsi::session::testing {

inline wire::Bytes text_of(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<wire::text::KeyValue> kv;
  for (const auto& [k, v] : pairs) kv.push_back({k, v});
  return wire::text::encode(kv);
}

inline std::vector<wire::text::KeyValue> pairs_of(const wire::Bytes& data) {
  auto parsed = wire::text::parse(data);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? *parsed : std::vector<wire::text::KeyValue>{};
}

inline std::string value_of(const wire::Bytes& data, const std::string& key) {
  for (const auto& kv : pairs_of(data)) {
    if (kv.key == key) return kv.value;
  }
  return "<absent>";
}

class InitiatorHarness {
 public:
  using Clock = TargetConnection::Clock;

  InitiatorHarness(const TargetConfig& config, SessionTable& sessions)
      : now_(Clock::time_point{} + std::chrono::hours(1)), conn_(config, sessions, now_) {}

  TargetConnection& connection() { return conn_; }
  Clock::time_point& now() { return now_; }

  void set_digests(wire::DigestSettings d) {
    digests_ = d;
    wire::FramerSettings fs;
    fs.digests = d;
    fs.max_recv_data_segment_length = 1 << 24;
    framer_.set_settings(fs);
  }

  // Sends one PDU and returns every PDU the target answers with.
  std::vector<wire::Pdu> exchange(const wire::Pdu& pdu) {
    return exchange_bytes(wire::encode(pdu, digests_));
  }

  std::vector<wire::Pdu> exchange_bytes(const wire::Bytes& bytes) {
    conn_.receive(bytes, now_);
    return collect();
  }

  std::vector<wire::Pdu> collect() {
    std::vector<wire::Pdu> out;
    wire::ByteView pending = conn_.pending_output();
    const std::size_t total = pending.size();
    while (!pending.empty()) {
      const auto step = framer_.feed(pending);
      pending = pending.subspan(step.consumed);
      if (step.state == wire::Framer::State::Failed) {
        ADD_FAILURE() << "target output does not frame: " << framer_.failure().detail;
        break;
      }
      if (step.state == wire::Framer::State::Ready) {
        auto pdu = framer_.frame().decode();
        EXPECT_TRUE(pdu.ok());
        if (pdu.ok()) out.push_back(*pdu);
      }
    }
    conn_.consume_output(total);
    return out;
  }

  // Logs in straight from the operational stage to full feature phase.
  wire::LoginResponse login(std::vector<std::pair<std::string, std::string>> keys,
                            wire::DigestSettings after = {}) {
    wire::LoginRequest req;
    req.transit = true;
    req.csg = 1;
    req.nsg = 3;
    req.isid = wire::Isid{0, 0x3d, 0x1234, 0x56, 0x0001};
    req.initiator_task_tag = 0x1000;
    req.cmd_sn = cmd_sn_;
    req.exp_stat_sn = 0x100;
    req.data = text_of(keys);
    auto rsp = exchange(wire::Pdu(req));
    EXPECT_EQ(rsp.size(), 1u);
    if (rsp.empty() || !std::holds_alternative<wire::LoginResponse>(rsp[0])) return {};
    auto lr = std::get<wire::LoginResponse>(rsp[0]);
    exp_stat_sn_ = lr.stat_sn + 1;
    if (lr.status_class == 0 && lr.transit && lr.nsg == 3) set_digests(after);
    return lr;
  }

  std::uint32_t next_cmd_sn() { return cmd_sn_++; }
  std::uint32_t cmd_sn() const { return cmd_sn_; }
  std::uint32_t exp_stat_sn() const { return exp_stat_sn_; }

 private:
  Clock::time_point now_;
  TargetConnection conn_;
  wire::Framer framer_;
  wire::DigestSettings digests_;
  std::uint32_t cmd_sn_ = 10;
  std::uint32_t exp_stat_sn_ = 0;
};

inline std::vector<std::pair<std::string, std::string>> normal_login_keys(
    const std::string& target = "iqn.2025-12.local:storage.disk1") {
  return {{"InitiatorName", "iqn.2025-12.local:initiator"},
          {"TargetName", target},
          {"SessionType", "Normal"},
          {"HeaderDigest", "None"},
          {"DataDigest", "None"},
          {"InitialR2T", "Yes"},
          {"ImmediateData", "Yes"},
          {"MaxRecvDataSegmentLength", "8192"},
          {"MaxBurstLength", "262144"},
          {"FirstBurstLength", "65536"},
          {"ErrorRecoveryLevel", "0"}};
}

}  // namespace iscsi::session::testing
