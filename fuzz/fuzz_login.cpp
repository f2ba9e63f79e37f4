// Fuzzes the login phase of a target connection (RFC 3720 §5.3, §10.12,
// §10.13) through session::TargetConnection: a FuzzedDataProvider-driven
// sequence of Login Requests (header fields, stage transitions, C-bit text
// continuation, key=value texts from the RFC's keys and from noise), PDUs of
// every other opcode in the wrong phase, raw bytes, and clock ticks. The
// target runs on an in-memory LUN; once a login succeeds the same sequence
// goes on in full feature phase. TargetDriver checks everything the target
// sends (see support/target_driver.h).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>

#include "session/chap_crypto.h"
#include "support/pdu_gen.h"
#include "support/target_driver.h"
#include "support/text_gen.h"
#include "wire/text.h"
#include "wire/text_value.h"

using namespace iscsi;
using iscsi::fuzz::TargetDriver;

namespace {

constexpr char kUser[] = "fuzz-user";
constexpr char kSecret[] = "fuzz-secret-123";
constexpr char kTargetUser[] = "fuzz-target";
constexpr char kTargetSecret[] = "target-secret-99";

struct LoginState {
  wire::Isid isid{0, 0x3d, 0x1234, 0x56, 1};
  std::uint16_t tsih = 0;
  std::uint16_t cid = 1;
  std::uint32_t itt = 0x100;
  std::uint32_t cmd_sn = 1;
  std::uint8_t stage = 0;  // the CSG the target is in, as the responses tell
  bool first = true;
};

void note_responses(const TargetDriver& d, LoginState& s) {
  for (const auto& pdu : d.received()) {
    if (const auto* r = std::get_if<wire::LoginResponse>(&pdu)) {
      if (r->status_class == 0 && r->transit) s.stage = r->nsg;
    }
  }
}

void send_login(FuzzedDataProvider& in, TargetDriver& d, LoginState& s) {
  wire::LoginRequest req;
  req.isid = s.isid;
  req.tsih = s.tsih;
  req.cid = s.cid;
  req.initiator_task_tag = s.itt;
  req.cmd_sn = s.cmd_sn;
  req.exp_stat_sn = d.exp_stat_sn();
  req.csg = s.stage > 1 ? 1 : s.stage;
  req.nsg = in.ConsumeBool() ? 3 : 1;
  req.transit = in.ConsumeIntegralInRange<int>(0, 3) != 0;
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
    // Header fields out of line: any stage, version, TSIH, CID, ISID.
    req.csg = in.ConsumeIntegralInRange<std::uint8_t>(0, 3);
    req.nsg = in.ConsumeIntegralInRange<std::uint8_t>(0, 3);
    req.version_max = in.ConsumeIntegral<std::uint8_t>();
    req.version_min = in.ConsumeIntegral<std::uint8_t>();
    req.tsih = in.ConsumeIntegral<std::uint16_t>();
    req.cid = in.ConsumeIntegral<std::uint16_t>();
    req.isid = wire::Isid::from_u64(in.ConsumeIntegral<std::uint64_t>() & 0xffffffffffffULL);
    req.cmd_sn = in.ConsumeIntegral<std::uint32_t>();
  }
  const bool raw_text = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  wire::Bytes text;
  if (raw_text) {
    text = in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, 9000));
  } else {
    text = wire::text::encode(fuzz::fuzz_login_pairs(in, s.first, 12));
  }
  s.first = false;
  const std::size_t chunk = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<std::size_t>(1, 64);
  // §10.12.2: a text may be spread over several requests with C=1.
  auto segments = wire::text::split(
      text, in.ConsumeBool() ? 8192 : in.ConsumeIntegralInRange<std::size_t>(1, 8192));
  for (std::size_t i = 0; i < segments.size() && !d.closed(); ++i) {
    const bool last = i + 1 == segments.size();
    wire::LoginRequest part = req;
    part.data = std::move(segments[i]);
    part.continue_ = !last;
    if (!last) part.transit = false;
    d.send(wire::Pdu(part), chunk);
    note_responses(d, s);
  }
  // Further parts of a long response text are fetched with empty requests.
  for (int i = 0; i < 16 && !d.closed(); ++i) {
    const auto& got = d.received();
    if (got.empty()) break;
    const auto* r = std::get_if<wire::LoginResponse>(&got.back());
    if (!r || !r->continue_) break;
    wire::LoginRequest more = req;
    more.transit = false;
    more.continue_ = false;
    more.exp_stat_sn = d.exp_stat_sn();
    d.send(wire::Pdu(more));
    note_responses(d, s);
  }
}

std::optional<std::string> last_received(const TargetDriver& d, std::string_view key) {
  auto pairs = wire::text::parse(d.login_text_received());
  if (!pairs) return std::nullopt;
  std::optional<std::string> v;
  for (const auto& kv : *pairs) {
    if (kv.key == key) v = kv.value;
  }
  return v;
}

// The next step of a CHAP exchange (RFC 3720 §11.1.4) in the security
// stage, from what the target sent so far: AuthMethod, then CHAP_A, then
// CHAP_N and CHAP_R computed from the target's CHAP_I and CHAP_C (with the
// right or a wrong secret, well or badly encoded), and for mutual
// authentication the initiator's own CHAP_I and CHAP_C.
void send_chap_step(FuzzedDataProvider& in, TargetDriver& d, LoginState& s) {
  std::vector<wire::text::KeyValue> pairs;
  if (s.first) {
    pairs.push_back({"InitiatorName", fuzz::kInitiatorName});
    pairs.push_back({"TargetName", fuzz::kTargetName});
    s.first = false;
  }
  const auto method = last_received(d, "AuthMethod");
  const auto challenge = last_received(d, "CHAP_C");
  const auto id = last_received(d, "CHAP_I");
  if (!method) {
    pairs.push_back({"AuthMethod", in.PickValueInArray({"CHAP,None", "CHAP", "None", "SRP,CHAP"})});
  } else if (!challenge || !id) {
    pairs.push_back({"CHAP_A", in.PickValueInArray({"5", "5,7", "7", "0x05", "256", "5,5"})});
  } else {
    const auto c = wire::text::parse_binary(*challenge, 1024);
    const auto i = wire::text::parse_numerical(*id);
    const bool right = in.ConsumeIntegralInRange<int>(0, 3) != 0;
    std::optional<session::chap::Md5Digest> r;
    if (c && i && *i <= 255) {
      r = session::chap::md5_response(static_cast<std::uint8_t>(*i),
                                      right ? kSecret : "wrong-secret-000", *c);
    }
    pairs.push_back({"CHAP_N", in.ConsumeIntegralInRange<int>(0, 7) ? kUser : "someone-else"});
    std::string response = r ? wire::text::format_hex(*r) : "0x00";
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0:
        if (r) response = wire::text::format_base64(*r);
        break;
      case 1:
        response.pop_back();  // odd digit count
        break;
      case 2:
        response += "zz";  // not hex
        break;
      case 3:
        response = "0x" + std::string(in.ConsumeIntegralInRange<std::size_t>(0, 2100), 'a');
        break;
      default:
        break;
    }
    pairs.push_back({"CHAP_R", response});
    if (in.ConsumeBool()) {
      // Mutual CHAP: the initiator challenges the target.
      pairs.push_back({"CHAP_I", std::to_string(in.ConsumeIntegral<std::uint8_t>())});
      auto mine = in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, 40));
      pairs.push_back({"CHAP_C", mine.empty() ? std::string("0x") : wire::text::format_hex(mine)});
    }
  }
  wire::LoginRequest req;
  req.isid = s.isid;
  req.tsih = s.tsih;
  req.cid = s.cid;
  req.initiator_task_tag = s.itt;
  req.cmd_sn = s.cmd_sn;
  req.exp_stat_sn = d.exp_stat_sn();
  req.csg = s.stage > 1 ? 1 : s.stage;
  req.transit = in.ConsumeBool();
  req.nsg = in.ConsumeBool() ? 1 : 3;
  req.data = wire::text::encode(pairs);
  d.send(wire::Pdu(req));
  note_responses(d, s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  session::TargetLimits limits;
  limits.max_text_bytes =
      in.ConsumeBool() ? 65536 : in.ConsumeIntegralInRange<std::size_t>(0, 4096);
  limits.cmd_window = in.ConsumeIntegralInRange<std::uint32_t>(1, 128);
  limits.initial_r2t = in.ConsumeBool();
  limits.immediate_data = in.ConsumeBool();
  limits.max_recv_data_segment_length = in.ConsumeBool() ? 262144 : 512;
  limits.nop_in_interval = std::chrono::milliseconds(in.ConsumeBool() ? 0 : 1000);
  // §11.1.4 CHAP required (one-way or mutual) or no authentication.
  session::AuthSettings auth;
  const int auth_mode = in.ConsumeIntegralInRange<int>(0, 2);
  if (auth_mode > 0) auth.chap = session::ChapCredentials{kUser, kSecret};
  if (auth_mode > 1) auth.mutual = session::ChapCredentials{kTargetUser, kTargetSecret};
  TargetDriver d(limits, fuzz::RamLunSetup{}, auth_mode > 0 ? &auth : nullptr);
  if (!d.ready()) return 0;

  LoginState s;
  int steps = 0;
  while (in.remaining_bytes() > 0 && !d.closed() && ++steps < 64) {
    switch (in.ConsumeIntegralInRange<int>(0, 15)) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
      case 10:
      case 11:
        send_login(in, d, s);
        break;
      case 12:
      case 13:
      case 14:
        send_chap_step(in, d, s);
        break;
      case 5: {
        // A PDU of another opcode: in the login phase every one of them
        // must end the login with 0x020B (§5.3); afterwards it is handled.
        wire::Pdu pdu = fuzz::fuzz_pdu_of(in, fuzz::fuzz_opcode(in), 1024);
        d.send(pdu, in.ConsumeBool() ? 0 : 7);
        break;
      }
      case 6:
        d.send_bytes(fuzz::fuzz_raw_pdu(in, 2048), in.ConsumeIntegralInRange<std::size_t>(0, 100));
        break;
      case 7:
        d.advance(std::chrono::milliseconds(in.ConsumeIntegralInRange<int>(0, 40000)));
        break;
      case 8: {
        // A full feature PDU the initiator would send next, typed.
        wire::NopOut nop;
        nop.immediate = in.ConsumeBool();
        nop.initiator_task_tag = in.ConsumeBool() ? 0x77 : wire::kReservedTag;
        nop.target_transfer_tag = d.ping_ttt().value_or(wire::kReservedTag);
        nop.cmd_sn = d.exp_cmd_sn();
        nop.exp_stat_sn = d.exp_stat_sn();
        d.send(wire::Pdu(nop));
        break;
      }
      default:
        if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
          d.request_logout(std::chrono::seconds(in.ConsumeIntegralInRange<int>(0, 5)));
        }
        break;
    }
  }
  return 0;
}
