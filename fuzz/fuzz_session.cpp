// Structure-aware fuzzing of the full feature phase (RFC 3720 §3.2, §10):
// the input chooses the target's limits and a valid login (digests,
// InitialR2T, ImmediateData, burst and segment lengths), then a list of
// actions against the logged-in session on an in-memory LUN: SCSI commands
// (real CDB templates with fuzzed fields, immediate and unsolicited data),
// Data-Out (answering R2Ts correctly, or with fuzzed tags, DataSN, offsets
// and lengths), NOP-Out, task management, text negotiation and SendTargets,
// logout, SNACK, corrupted PDUs and clock ticks. TargetDriver checks every
// PDU the target sends (see support/target_driver.h).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "support/fuzz_check.h"
#include "support/pdu_gen.h"
#include "support/target_driver.h"
#include "support/text_gen.h"
#include "wire/pdu_codec.h"
#include "wire/text.h"

using namespace iscsi;
using iscsi::fuzz::TargetDriver;

namespace {

constexpr std::uint32_t kBlocks = 64;

struct Unsolicited {
  std::uint32_t itt = 0;
  std::uint64_t lun = 0;
  std::uint32_t next_offset = 0;
  std::uint32_t next_data_sn = 0;
  std::uint32_t limit = 0;  // min(FirstBurstLength, ExpectedDataTransferLength)
};

struct Session {
  TargetDriver& d;
  FuzzedDataProvider& in;
  std::uint32_t cmd_sn = 0;
  std::uint32_t target_mrdsl = 8192;  // what the target declared it receives
  std::uint32_t initiator_mrdsl = 8192;
  std::uint32_t first_burst = 65536;
  bool immediate_data = true;
  bool initial_r2t = true;
  std::uint32_t block_size = 512;
  std::optional<Unsolicited> unsolicited;
  std::uint32_t next_itt = 1;

  std::uint32_t pick_itt() {
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
      case 0:
        return wire::kReservedTag;
      case 1:
        return in.ConsumeIntegral<std::uint32_t>();
      case 2:
      case 3:
        return in.ConsumeIntegralInRange<std::uint32_t>(1, 8);
      default:
        return next_itt++;
    }
  }

  std::uint32_t pick_cmd_sn(bool advance) {
    switch (in.ConsumeIntegralInRange<int>(0, 15)) {
      case 0:
        return in.ConsumeIntegral<std::uint32_t>();
      case 1:
        // Ahead of ExpCmdSN, inside or just outside the window (§3.2.2.1).
        return d.exp_cmd_sn() + in.ConsumeIntegralInRange<std::uint32_t>(1, 140);
      case 2:
        return d.exp_cmd_sn() - in.ConsumeIntegralInRange<std::uint32_t>(1, 4);
      default:
        return advance ? cmd_sn++ : cmd_sn;
    }
  }

  std::uint64_t pick_lun() {
    switch (in.ConsumeIntegralInRange<int>(0, 15)) {
      case 0:
        return 0x0001000000000000ULL;  // LUN 1, single level
      case 1:
        return 0x0005000000000000ULL;  // no such LUN
      case 2:
        return in.ConsumeIntegral<std::uint64_t>();
      default:
        return 0;
    }
  }

  void scsi_command();
  void data_out_for_r2t();
  void data_out_fuzzed();
  void data_out_unsolicited();
  void nop_out();
  void task_management();
  void text();
  void logout();
  void snack();
  void corrupted();
};

// A CDB from one of the templates the logical unit implements, with fuzzed
// fields; returns the bytes it transfers (0 when unknown) and its direction.
struct CdbChoice {
  std::array<std::uint8_t, 16> cdb{};
  std::uint32_t length = 0;
  bool read = false;
  bool write = false;
};

CdbChoice pick_cdb(FuzzedDataProvider& in, std::uint32_t block_size) {
  CdbChoice c;
  auto& b = c.cdb;
  const auto lba = in.ConsumeIntegralInRange<std::uint32_t>(0, kBlocks + 2);
  const auto blocks = in.ConsumeIntegralInRange<std::uint32_t>(0, 24);
  switch (in.ConsumeIntegralInRange<int>(0, 17)) {
    case 0:  // TEST UNIT READY
      break;
    case 1:  // INQUIRY, standard or a VPD page
      b[0] = 0x12;
      if (in.ConsumeBool()) {
        b[1] = 1;
        b[2] = in.PickValueInArray({0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2, 0x55});
      }
      wire::store_be16(&b[3], 255);
      c.length = 255;
      c.read = true;
      break;
    case 2:  // REQUEST SENSE
      b[0] = 0x03;
      b[4] = 252;
      c.length = 252;
      c.read = true;
      break;
    case 3:  // MODE SENSE(6)
      b[0] = 0x1a;
      b[2] = in.PickValueInArray({0x3f, 0x08, 0x0a, 0x1c, 0x00});
      b[4] = 255;
      c.length = 255;
      c.read = true;
      break;
    case 4:  // MODE SENSE(10)
      b[0] = 0x5a;
      b[2] = in.PickValueInArray({0x3f, 0x08, 0x0a, 0x1c});
      wire::store_be16(&b[7], 1024);
      c.length = 1024;
      c.read = true;
      break;
    case 5:  // READ CAPACITY(10)
      b[0] = 0x25;
      c.length = 8;
      c.read = true;
      break;
    case 6:  // READ CAPACITY(16)
      b[0] = 0x9e;
      b[1] = 0x10;
      wire::store_be32(&b[10], 32);
      c.length = 32;
      c.read = true;
      break;
    case 7:  // REPORT LUNS
      b[0] = 0xa0;
      b[2] = in.PickValueInArray({0, 1, 2, 0x10});
      wire::store_be32(&b[6], 256);
      c.length = 256;
      c.read = true;
      break;
    case 8:  // READ(10)
    case 9:  // WRITE(10)
      b[0] = (in.ConsumeBool() ? 0x28 : 0x2a);
      wire::store_be32(&b[2], lba);
      wire::store_be16(&b[7], static_cast<std::uint16_t>(blocks));
      c.length = blocks * block_size;
      c.read = b[0] == 0x28;
      c.write = !c.read;
      break;
    case 10:  // READ(16) / WRITE(16)
      b[0] = (in.ConsumeBool() ? 0x88 : 0x8a);
      wire::store_be64(&b[2], lba);
      wire::store_be32(&b[10], blocks);
      c.length = blocks * block_size;
      c.read = b[0] == 0x88;
      c.write = !c.read;
      break;
    case 11:  // READ(6) / WRITE(6)
      b[0] = (in.ConsumeBool() ? 0x08 : 0x0a);
      b[3] = static_cast<std::uint8_t>(lba);
      b[4] = static_cast<std::uint8_t>(blocks);
      c.length = (blocks == 0 ? 256 : blocks) * block_size;
      c.read = b[0] == 0x08;
      c.write = !c.read;
      break;
    case 12:  // READ(12) / WRITE(12)
      b[0] = (in.ConsumeBool() ? 0xa8 : 0xaa);
      wire::store_be32(&b[2], lba);
      wire::store_be32(&b[6], blocks);
      c.length = blocks * block_size;
      c.read = b[0] == 0xa8;
      c.write = !c.read;
      break;
    case 13:  // VERIFY(10), with or without BYTCHK
      b[0] = 0x2f;
      b[1] = in.ConsumeBool() ? 0x02 : 0x00;
      wire::store_be32(&b[2], lba);
      wire::store_be16(&b[7], static_cast<std::uint16_t>(blocks));
      c.write = b[1] != 0;
      c.length = c.write ? blocks * block_size : 0;
      break;
    case 14:  // SYNCHRONIZE CACHE(10)
      b[0] = 0x35;
      wire::store_be32(&b[2], lba);
      break;
    case 15:  // START STOP UNIT
      b[0] = 0x1b;
      b[4] = in.ConsumeIntegral<std::uint8_t>();
      break;
    default:  // anything
      in.ConsumeData(b.data(), b.size());
      c.length = in.ConsumeIntegralInRange<std::uint32_t>(0, 8192);
      c.read = in.ConsumeBool();
      c.write = in.ConsumeBool();
      break;
  }
  return c;
}

void Session::scsi_command() {
  const CdbChoice c = pick_cdb(in, block_size);
  wire::ScsiCommand cmd;
  cmd.cdb = c.cdb;
  cmd.lun = pick_lun();
  cmd.initiator_task_tag = pick_itt();
  cmd.read = c.read;
  cmd.write = c.write;
  cmd.expected_data_transfer_length = c.length;
  // ATTR: mostly Simple, sometimes any of the 3-bit values (5-7 reserved).
  cmd.attr = static_cast<std::uint8_t>(wire::ScsiCommand::Simple);
  if (in.ConsumeIntegralInRange<int>(0, 7) > 5)
    cmd.attr = in.ConsumeIntegralInRange<std::uint8_t>(0, 7);
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
    // Flags and lengths that disagree with the CDB (§10.4.5 residuals).
    cmd.read = in.ConsumeBool();
    cmd.write = in.ConsumeBool();
    cmd.expected_data_transfer_length = in.ConsumeIntegralInRange<std::uint32_t>(0, 40000);
  }
  if (in.ConsumeIntegralInRange<int>(0, 15) == 0) {
    cmd.ahs.push_back(wire::make_extended_cdb_ahs(
        in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(1, 20))));
  }
  if (cmd.read && cmd.write && in.ConsumeBool()) {
    cmd.ahs.push_back(
        wire::make_bidi_read_length_ahs(in.ConsumeIntegralInRange<std::uint32_t>(0, 9000)));
  }
  if (cmd.write) {
    const std::uint32_t edtl = cmd.expected_data_transfer_length;
    std::uint32_t immediate = 0;
    if (immediate_data && in.ConsumeBool()) {
      immediate =
          in.ConsumeIntegralInRange<std::uint32_t>(0, std::min({edtl, first_burst, target_mrdsl}));
    }
    if (in.ConsumeIntegralInRange<int>(0, 15) == 0) {
      immediate = in.ConsumeIntegralInRange<std::uint32_t>(0, target_mrdsl);
    }
    cmd.data.assign(immediate, 0x5a);
    // F=0: unsolicited Data-Out follows (§10.3.1), only with InitialR2T=No.
    if ((!initial_r2t && immediate < std::min(edtl, first_burst) && in.ConsumeBool()) ||
        in.ConsumeIntegralInRange<int>(0, 31) == 0) {
      cmd.final = false;
    }
  }
  cmd.immediate = in.ConsumeIntegralInRange<int>(0, 15) == 0;
  cmd.cmd_sn = pick_cmd_sn(!cmd.immediate);
  cmd.exp_stat_sn = d.exp_stat_sn();
  if (!cmd.final) {
    unsolicited =
        Unsolicited{cmd.initiator_task_tag, cmd.lun, static_cast<std::uint32_t>(cmd.data.size()), 0,
                    std::min(first_burst, cmd.expected_data_transfer_length)};
  }
  d.send(wire::Pdu(cmd), in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<std::size_t>(1, 64));
}

void Session::data_out_for_r2t() {
  auto& r2ts = d.open_r2ts();
  if (r2ts.empty()) return;
  const std::size_t which = in.ConsumeIntegralInRange<std::size_t>(0, r2ts.size() - 1);
  const fuzz::OpenR2t r = r2ts[which];
  r2ts.erase(r2ts.begin() + static_cast<std::ptrdiff_t>(which));
  // §10.7: the R2T's data in PDUs within the target's MaxRecvDataSegmentLength,
  // DataSN from 0, F on the last.
  // Within the target's limit, and at most 64 PDUs per R2T where that
  // limit allows, so one input stays fast.
  const std::uint32_t segment = std::min(
      target_mrdsl, std::max((r.length + 63) / 64,
                             in.ConsumeBool() ? target_mrdsl
                                              : in.ConsumeIntegralInRange<std::uint32_t>(1, 4096)));
  std::vector<wire::Pdu> stream;
  std::uint32_t sent = 0;
  std::uint32_t sn = 0;
  while (sent < r.length) {
    wire::ScsiDataOut out;
    out.lun = r.lun;
    out.initiator_task_tag = r.itt;
    out.target_transfer_tag = r.ttt;
    out.exp_stat_sn = d.exp_stat_sn();
    out.data_sn = sn++;
    out.buffer_offset = r.offset + sent;
    const std::uint32_t n = std::min(segment, r.length - sent);
    out.data.assign(n, static_cast<std::uint8_t>(r.itt + sent));
    sent += n;
    out.final = sent == r.length;
    stream.push_back(wire::Pdu(std::move(out)));
  }
  d.send_many(stream, in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<std::size_t>(1, 512));
}

void Session::data_out_fuzzed() {
  wire::ScsiDataOut out;
  const auto& r2ts = d.open_r2ts();
  if (!r2ts.empty() && in.ConsumeBool()) {
    const auto& r = r2ts[in.ConsumeIntegralInRange<std::size_t>(0, r2ts.size() - 1)];
    out.initiator_task_tag = r.itt;
    out.target_transfer_tag = in.ConsumeBool() ? r.ttt : in.ConsumeIntegral<std::uint32_t>();
    out.buffer_offset = r.offset + in.ConsumeIntegralInRange<std::uint32_t>(0, r.length + 8);
  } else {
    out.initiator_task_tag = pick_itt();
    out.target_transfer_tag =
        in.ConsumeBool() ? wire::kReservedTag : in.ConsumeIntegral<std::uint32_t>();
    out.buffer_offset = in.ConsumeIntegralInRange<std::uint32_t>(0, 70000);
  }
  out.lun = pick_lun();
  out.data_sn = in.ConsumeIntegralInRange<std::uint32_t>(0, 3);
  out.final = in.ConsumeBool();
  out.exp_stat_sn = d.exp_stat_sn();
  out.data.assign(
      in.ConsumeIntegralInRange<std::uint32_t>(0, std::min<std::uint32_t>(target_mrdsl, 20000)),
      0xa5);
  d.send(wire::Pdu(out));
}

void Session::data_out_unsolicited() {
  if (!unsolicited) return;
  Unsolicited& u = *unsolicited;
  wire::ScsiDataOut out;
  out.lun = u.lun;
  out.initiator_task_tag = u.itt;
  out.target_transfer_tag = wire::kReservedTag;
  out.exp_stat_sn = d.exp_stat_sn();
  out.data_sn = u.next_data_sn++;
  out.buffer_offset = u.next_offset;
  const std::uint32_t left = u.limit > u.next_offset ? u.limit - u.next_offset : 0;
  std::uint32_t n =
      std::min({left, target_mrdsl, in.ConsumeIntegralInRange<std::uint32_t>(0, 9000)});
  if (in.ConsumeIntegralInRange<int>(0, 15) == 0)
    n = in.ConsumeIntegralInRange<std::uint32_t>(0, target_mrdsl);
  out.data.assign(n, 0x3c);
  u.next_offset += n;
  out.final = u.next_offset >= u.limit || in.ConsumeIntegralInRange<int>(0, 7) == 0;
  if (out.final) unsolicited.reset();
  d.send(wire::Pdu(out));
}

void Session::nop_out() {
  wire::NopOut nop;
  nop.lun = pick_lun();
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      // §10.18: the answer to a target ping carries its TTT, ITT 0xffffffff.
      nop.target_transfer_tag = d.ping_ttt().value_or(in.ConsumeIntegral<std::uint32_t>());
      nop.initiator_task_tag = wire::kReservedTag;
      nop.immediate = true;
      break;
    case 1:
      nop.initiator_task_tag = wire::kReservedTag;
      nop.immediate = true;
      break;
    default:
      nop.initiator_task_tag = pick_itt();
      nop.immediate = in.ConsumeBool();
      // Ping data within the initiator's MaxRecvDataSegmentLength, the
      // longest echo the target may send (§10.18.5, §12.12). Longer ping
      // data is pinned by ConnectionRegression.NopInEchoWithinInitiatorLimit.
      nop.data = in.ConsumeBytes<std::uint8_t>(
          in.ConsumeIntegralInRange<std::size_t>(0, std::min<std::size_t>(600, initiator_mrdsl)));
      break;
  }
  nop.cmd_sn = pick_cmd_sn(!nop.immediate);
  nop.exp_stat_sn = d.exp_stat_sn();
  d.send(wire::Pdu(nop));
}

void Session::task_management() {
  wire::TaskManagementRequest tmf;
  tmf.function = in.ConsumeIntegralInRange<int>(0, 7) == 0
                     ? in.ConsumeIntegralInRange<std::uint8_t>(0, 127)
                     : in.ConsumeIntegralInRange<std::uint8_t>(1, 8);
  tmf.lun = pick_lun();
  tmf.initiator_task_tag = pick_itt();
  tmf.referenced_task_tag = in.ConsumeBool()
                                ? in.ConsumeIntegralInRange<std::uint32_t>(1, next_itt + 1)
                                : wire::kReservedTag;
  tmf.immediate = in.ConsumeBool();
  tmf.ref_cmd_sn = d.exp_cmd_sn() + in.ConsumeIntegralInRange<std::uint32_t>(0, 8) - 4;
  tmf.cmd_sn = pick_cmd_sn(!tmf.immediate);
  tmf.exp_stat_sn = d.exp_stat_sn();
  d.send(wire::Pdu(tmf));
}

void Session::text() {
  wire::TextRequest req;
  req.initiator_task_tag = pick_itt();
  req.immediate = in.ConsumeBool();
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
      req.data = wire::text::encode({{"SendTargets", "All"}});
      break;
    case 1:
      req.data = wire::text::encode({{"SendTargets", ""}});
      break;
    case 2:
      req.data = wire::text::encode({{"SendTargets", fuzz::kTargetName}});
      break;
    case 3:
      // Continue the target's long response: an empty request with its TTT.
      req.target_transfer_tag = d.text_ttt().value_or(in.ConsumeIntegral<std::uint32_t>());
      break;
    default:
      req.data = wire::text::encode(fuzz::fuzz_pairs(in, 10));
      break;
  }
  if (in.ConsumeIntegralInRange<int>(0, 5) == 0) {
    req.continue_ = true;
    req.final = in.ConsumeBool();
  }
  req.cmd_sn = pick_cmd_sn(!req.immediate);
  req.exp_stat_sn = d.exp_stat_sn();
  d.send(wire::Pdu(req));
}

void Session::logout() {
  wire::LogoutRequest req;
  req.reason_code = in.ConsumeIntegralInRange<std::uint8_t>(0, 4);
  req.cid = in.ConsumeBool() ? 1 : in.ConsumeIntegral<std::uint16_t>();
  req.initiator_task_tag = pick_itt();
  req.immediate = in.ConsumeBool();
  req.cmd_sn = pick_cmd_sn(!req.immediate);
  req.exp_stat_sn = d.exp_stat_sn();
  d.send(wire::Pdu(req));
}

void Session::snack() {
  wire::SnackRequest req;
  req.type = in.ConsumeIntegralInRange<std::uint8_t>(0, 15);
  req.initiator_task_tag = pick_itt();
  req.beg_run = in.ConsumeIntegralInRange<std::uint32_t>(0, 4);
  req.run_length = in.ConsumeIntegralInRange<std::uint32_t>(0, 4);
  req.exp_stat_sn = d.exp_stat_sn();
  d.send(wire::Pdu(req));
}

void Session::corrupted() {
  // A valid PDU with bytes flipped: header fields, lengths, digests.
  wire::Pdu pdu = fuzz::fuzz_pdu_of(in, fuzz::fuzz_opcode(in), 512);
  wire::Bytes bytes = wire::encode(pdu, d.digests());
  const int flips = in.ConsumeIntegralInRange<int>(1, 4);
  for (int i = 0; i < flips; ++i) {
    const auto at = in.ConsumeIntegralInRange<std::size_t>(0, bytes.size() - 1);
    bytes[at] ^= in.ConsumeIntegralInRange<std::uint8_t>(1, 255);
  }
  d.send_bytes(bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);

  // The target's limits and the initiator's offers, all within the RFC's
  // ranges (§12.12-§12.17), so the login below must succeed.
  session::TargetLimits limits;
  limits.max_recv_data_segment_length =
      in.PickValueInArray<std::uint32_t>({512, 1024, 4096, 8192, 65536});
  limits.max_burst_length = in.PickValueInArray<std::uint32_t>({512, 4096, 16384, 262144});
  limits.first_burst_length =
      std::min(limits.max_burst_length, in.PickValueInArray<std::uint32_t>({512, 2048, 65536}));
  limits.max_outstanding_r2t = in.ConsumeIntegralInRange<std::uint16_t>(1, 4);
  limits.initial_r2t = in.ConsumeBool();
  limits.immediate_data = in.ConsumeBool();
  limits.cmd_window = in.ConsumeIntegralInRange<std::uint32_t>(1, 64);
  limits.nop_in_interval = std::chrono::milliseconds(in.ConsumeBool() ? 0 : 5000);
  fuzz::RamLunSetup lun;
  lun.blocks = kBlocks;
  lun.block_size = in.ConsumeBool() ? 512 : 4096;
  lun.thin = in.ConsumeBool();
  lun.removable = in.ConsumeBool();
  TargetDriver d(limits, lun);
  if (!d.ready()) return 0;

  const std::uint32_t initiator_mrdsl =
      in.PickValueInArray<std::uint32_t>({512, 1000, 8192, 262144});
  const std::uint32_t max_burst = in.PickValueInArray<std::uint32_t>({512, 1024, 65536, 262144});
  const std::uint32_t first_burst =
      std::min(max_burst, in.PickValueInArray<std::uint32_t>({512, 8192, 65536}));
  const bool initial_r2t = in.ConsumeBool();
  const bool immediate_data = in.ConsumeBool();
  const bool discovery = in.ConsumeIntegralInRange<int>(0, 15) == 0;
  std::vector<wire::text::KeyValue> keys = {
      {"InitiatorName", fuzz::kInitiatorName},
      {"SessionType", discovery ? "Discovery" : "Normal"},
      {"HeaderDigest", in.ConsumeBool() ? "CRC32C,None" : "None"},
      {"DataDigest", in.ConsumeBool() ? "CRC32C,None" : "None"},
      {"MaxRecvDataSegmentLength", std::to_string(initiator_mrdsl)}};
  if (!discovery) {
    keys.push_back({"TargetName", fuzz::kTargetName});
    keys.push_back({"InitialR2T", initial_r2t ? "Yes" : "No"});
    keys.push_back({"ImmediateData", immediate_data ? "Yes" : "No"});
    keys.push_back({"MaxBurstLength", std::to_string(max_burst)});
    keys.push_back({"FirstBurstLength", std::to_string(first_burst)});
    keys.push_back({"MaxOutstandingR2T", std::to_string(in.ConsumeIntegralInRange<int>(1, 4))});
    keys.push_back({"ErrorRecoveryLevel", "0"});
  }
  const std::uint32_t first_cmd_sn = in.ConsumeIntegral<std::uint32_t>();
  wire::LoginRequest login;
  login.transit = true;
  login.csg = 1;
  login.nsg = 3;
  login.isid = wire::Isid{0, 0x3d, 0x1234, 0x56, 1};
  login.cid = 1;
  login.initiator_task_tag = 0x1000;
  login.cmd_sn = first_cmd_sn;
  login.exp_stat_sn = in.ConsumeIntegral<std::uint32_t>();
  login.data = wire::text::encode(keys);
  d.send(wire::Pdu(login));
  FUZZ_CHECK(d.full_feature() && !d.closed(), "a login within the RFC's ranges failed");

  Session s{d, in};
  s.cmd_sn = first_cmd_sn;
  s.target_mrdsl = limits.max_recv_data_segment_length;
  s.initiator_mrdsl = initiator_mrdsl;
  // §12.10 OR, §12.11 AND, §12.14 Minimum.
  s.initial_r2t = initial_r2t || limits.initial_r2t;
  s.immediate_data = immediate_data && limits.immediate_data;
  s.first_burst = std::min(first_burst, limits.first_burst_length);
  s.block_size = lun.block_size;

  int steps = 0;
  while (in.remaining_bytes() > 0 && !d.closed() && ++steps < 200) {
    switch (in.ConsumeIntegralInRange<int>(0, 15)) {
      case 0:
      case 1:
      case 2:
        s.scsi_command();
        break;
      case 3:
      case 4:
        s.data_out_for_r2t();
        break;
      case 5:
        s.data_out_fuzzed();
        break;
      case 6:
        s.data_out_unsolicited();
        break;
      case 7:
        s.nop_out();
        break;
      case 8:
        s.task_management();
        break;
      case 9:
        s.text();
        break;
      case 10:
        if (in.ConsumeIntegralInRange<int>(0, 3) == 0) s.logout();
        break;
      case 11:
        s.snack();
        break;
      case 12:
        s.corrupted();
        break;
      case 13:
        d.advance(std::chrono::milliseconds(in.ConsumeIntegralInRange<int>(0, 40000)));
        break;
      case 14: {
        // A PDU of any opcode with fuzzed fields (Login Request in full
        // feature phase, target opcodes, ...).
        wire::Pdu pdu = fuzz::fuzz_pdu_of(in, fuzz::fuzz_opcode(in), 256);
        d.send(pdu);
        break;
      }
      default:
        if (in.ConsumeIntegralInRange<int>(0, 15) == 0) {
          d.request_logout(std::chrono::seconds(in.ConsumeIntegralInRange<int>(0, 5)));
        }
        break;
    }
  }
  return 0;
}
