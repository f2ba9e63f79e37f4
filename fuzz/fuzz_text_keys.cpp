// Fuzzes the key=value text codec (RFC 3720 §5.1) and the negotiation engine
// with its answer encoding (§5.2, §5.3, §11, §12).
//
// Input: one mode byte, then up to four texts separated by an empty pair
// ("\0\0" — never part of a valid text). The mode byte chooses:
//   bits 0-1  stage: SecurityNegotiation, LoginOperationalNegotiation, full
//             feature phase, or SecurityNegotiation then operational
//   bit 2     the engine's role: target (answers offers) or initiator (offers
//             every key first, then checks the texts as answers)
//   bit 3     a non-leading connection
//   bit 4     a Discovery session in the context
//   bit 5     small NotUnderstood bounds (4 keys, 128 bytes), so the bounded
//             NotUnderstood path (LIO CVE-2013-2850 class) is reached
//   bit 6     small parse limits (16 pairs, 64-byte values)
//   bit 7     an initiator in full feature phase asks SendTargets first, so
//             the texts are parsed as SendTargets responses
//   bits 5-7  also the size of the pieces the texts are assembled from
// Checked: the assembler rebuilds the text from any split; a text that
// parses re-encodes to the same bytes; number and binary values that parse
// survive format/parse; the engine's answers name only keys it received,
// answer every unknown key NotUnderstood, never answer a declaration, stay
// within the NotUnderstood bounds, re-parse as a text, and obey the result
// function of each key (§5.2.1, §5.2.2, §12, Appendix A.3.2).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "negotiation/negotiator.h"
#include "negotiation/send_targets.h"
#include "negotiation/value_check.h"
#include "support/fuzz_check.h"
#include "wire/text.h"
#include "wire/text_value.h"

using namespace iscsi;
namespace neg = iscsi::negotiation;
namespace txt = iscsi::wire::text;

namespace {

constexpr char kInitiator[] = "iqn.2025-12.local:fuzz.initiator";
constexpr char kTarget[] = "iqn.2025-12.local:fuzz.disk";

void check_values(const txt::KeyValue& kv) {
  const std::string& v = kv.value;
  // Plain hex (bytes.h) survives to_hex/from_hex.
  wire::Bytes raw;
  if (wire::from_hex(v, raw)) {
    wire::Bytes again;
    FUZZ_CHECK(wire::from_hex(wire::to_hex(raw), again) && again == raw,
               "hex does not survive to_hex/from_hex: " + v);
  }
  if (auto n = txt::parse_numerical(v)) {
    FUZZ_CHECK(txt::parse_numerical(txt::format_numerical(*n)) == n,
               "a numerical value does not survive format/parse: " + v);
  }
  if (auto n = txt::parse_numerical(v, true)) {
    FUZZ_CHECK(txt::parse_numerical(txt::format_numerical(*n), true) == n,
               "a large numerical value does not survive format/parse");
  }
  if (auto b = txt::parse_binary(v, 4096, true); b && !b->empty()) {
    FUZZ_CHECK(txt::parse_binary(txt::format_hex(*b), 4096) == b,
               "a binary value does not survive hex format/parse: " + v);
    FUZZ_CHECK(txt::parse_binary(txt::format_base64(*b), 4096) == b,
               "a binary value does not survive base64 format/parse: " + v);
  }
  if (auto r = txt::parse_range(v)) {
    FUZZ_CHECK(r->first <= r->second, "a range with low above high: " + v);
  }
  (void)txt::split_list(v);
  (void)txt::is_text_value(v);
  (void)txt::is_iscsi_name_value(v);
  (void)neg::parse_target_address(v);
  (void)neg::parse_binary16(v);
  (void)neg::is_utf8_text(v);
  if (const auto k = neg::find_key(kv.key)) {
    const neg::KeyDef& def = neg::key_def(*k);
    (void)neg::check_offer(def, v);
    (void)neg::check_answer(def, v);
    (void)neg::parse_number(def, v);
    (void)neg::parse_interval(def, v);
  }
}

// An answer to an offer follows the key's result function.
void check_answer_rule(const neg::KeyDef& def, const std::string& offer,
                       const std::string& answer) {
  if (answer == "Reject" || answer == "Irrelevant") return;
  FUZZ_CHECK(neg::check_answer(def, answer) == neg::ValueCheck::Ok,
             std::string(def.name) + "=" + answer + " is not an admissible answer");
  switch (def.result) {
    case neg::ResultFunction::FirstAcceptable: {
      // §5.2.1: the first value the responder supports, from the offer.
      const auto list = txt::split_list(offer);
      FUZZ_CHECK(std::find(list.begin(), list.end(), answer) != list.end(),
                 std::string(def.name) + "=" + answer + " was not offered in " + offer);
      break;
    }
    case neg::ResultFunction::Minimum:
      FUZZ_CHECK(*neg::parse_number(def, answer) <= *neg::parse_number(def, offer),
                 std::string(def.name) + "=" + answer + " above the offer " + offer);
      break;
    case neg::ResultFunction::Maximum:
      FUZZ_CHECK(*neg::parse_number(def, answer) >= *neg::parse_number(def, offer),
                 std::string(def.name) + "=" + answer + " below the offer " + offer);
      break;
    case neg::ResultFunction::And:
      FUZZ_CHECK(offer == "Yes" || answer == "No", std::string(def.name) + ": AND of No is No");
      break;
    case neg::ResultFunction::Or:
      FUZZ_CHECK(offer == "No" || answer == "Yes", std::string(def.name) + ": OR of Yes is Yes");
      break;
    case neg::ResultFunction::RangeSelect: {
      const auto range = neg::parse_interval(def, offer);
      const auto v = neg::parse_number(def, answer);
      FUZZ_CHECK(range && v && *v >= range->low && *v <= range->high,
                 std::string(def.name) + "=" + answer + " outside the offered " + offer);
      break;
    }
    default:
      break;
  }
}

neg::Policy target_policy() {
  neg::Policy p(neg::Role::Target);
  p.set_list(neg::Key::AuthMethod, {"CHAP", "SRP", "None"});
  p.set_list(neg::Key::HeaderDigest, {"CRC32C", "None"});
  p.set_list(neg::Key::DataDigest, {"None", "CRC32C"});
  p.set_number(neg::Key::MaxConnections, 4);
  p.set_boolean(neg::Key::InitialR2T, false);
  p.set_number(neg::Key::MaxBurstLength, 131072);
  p.set_number(neg::Key::FirstBurstLength, 65536);
  p.set_number(neg::Key::MaxOutstandingR2T, 8);
  p.set_number(neg::Key::ErrorRecoveryLevel, 2);
  p.set_number(neg::Key::DefaultTime2Wait, 5);
  p.set_interval(neg::Key::OFMarkInt, {512, 4096});
  p.set_boolean(neg::Key::OFMarker, true);
  p.set_number(neg::Key::MaxRecvDataSegmentLength, 65536);
  p.set_offer(neg::Key::MaxRecvDataSegmentLength);
  p.set_text(neg::Key::TargetAlias, "fuzz");
  p.set_offer(neg::Key::TargetAlias);
  p.set_number(neg::Key::TargetPortalGroupTag, 7);
  p.set_offer(neg::Key::TargetPortalGroupTag);
  return p;
}

// An initiator that proposes every key it may send.
neg::Policy initiator_policy(bool discovery) {
  neg::Policy p(neg::Role::Initiator);
  p.set_text(neg::Key::InitiatorName, kInitiator);
  p.set_text(neg::Key::TargetName, kTarget);
  p.set_text(neg::Key::SessionType, discovery ? "Discovery" : "Normal");
  p.set_list(neg::Key::AuthMethod, {"CHAP", "None"});
  p.set_list(neg::Key::HeaderDigest, {"CRC32C", "None"});
  p.set_number(neg::Key::MaxBurstLength, 65536);
  p.set_number(neg::Key::FirstBurstLength, 512);
  p.set_number(neg::Key::MaxRecvDataSegmentLength, 4096);
  p.set_boolean(neg::Key::ImmediateData, false);
  p.set_boolean(neg::Key::IFMarker, true);
  p.set_interval(neg::Key::IFMarkInt, {100, 200});
  for (std::size_t i = 0; i < neg::kKeyCount; ++i) p.set_offer(static_cast<neg::Key>(i));
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const wire::ByteView input(data + 1, size - 1);

  // The texts: split at each empty pair.
  std::vector<wire::ByteView> texts;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 1 < input.size() && texts.size() < 3; ++i) {
    if (input[i] == 0 && input[i + 1] == 0) {
      texts.push_back(input.subspan(start, i + 1 - start));
      start = i + 2;
      ++i;
    }
  }
  texts.push_back(input.subspan(std::min(start, input.size())));

  const neg::Role role = (mode & 0x04) ? neg::Role::Initiator : neg::Role::Target;
  neg::Context ctx;
  switch (mode & 0x03) {
    case 0:
    case 3:
      ctx.stage = neg::Stage::SecurityNegotiation;
      break;
    case 1:
      ctx.stage = neg::Stage::LoginOperationalNegotiation;
      break;
    default:
      ctx.stage = neg::Stage::FullFeature;
      break;
  }
  ctx.leading = !(mode & 0x08);
  ctx.session_type = (mode & 0x10) ? neg::SessionType::Discovery : neg::SessionType::Normal;

  neg::Policy policy = role == neg::Role::Target ? target_policy() : initiator_policy(mode & 0x10);
  if (mode & 0x20) {
    policy.limits.max_not_understood_keys = 4;
    policy.limits.max_not_understood_bytes = 128;
  }
  txt::ParseLimits parse_limits;
  if (mode & 0x40) {
    parse_limits.max_pairs = 16;
    parse_limits.max_value_length = 64;
  }
  const std::size_t piece = 1 + ((mode >> 5) * 37);

  neg::Negotiator engine(role, policy);
  std::map<std::string, std::string> offered;  // this side's pending offers
  if (role == neg::Role::Initiator && ctx.stage == neg::Stage::FullFeature && (mode & 0x80)) {
    // Appendix D: the texts are the target's SendTargets response.
    auto query = engine.request_send_targets((mode & 0x10) ? "All" : "", ctx);
    FUZZ_CHECK(query.ok(), "an initiator could not ask SendTargets in full feature phase");
  } else if (role == neg::Role::Initiator) {
    const auto offers = engine.offers(ctx);
    for (const auto& kv : offers) offered[kv.key] = kv.value;
    const wire::Bytes enc = txt::encode(offers);
    auto back = txt::parse(enc);
    FUZZ_CHECK(back.ok() && *back == offers, "the engine's offers do not re-parse");
  }

  for (std::size_t t = 0; t < texts.size(); ++t) {
    const wire::ByteView text = texts[t];
    // §10.10.2/§10.12.2: the same text arriving in pieces (C bit).
    txt::Assembler assembler(mode & 0x40 ? 256 : 65536);
    bool too_large = false;
    for (std::size_t pos = 0; pos < text.size() || pos == 0; pos += piece) {
      const auto part = text.subspan(std::min(pos, text.size()),
                                     std::min(piece, text.size() - std::min(pos, text.size())));
      const bool more = pos + piece < text.size();
      auto added = assembler.add(part, more);
      if (!added) {
        too_large = true;
        break;
      }
      FUZZ_CHECK(*added == !more, "the assembler's completion does not follow the C bit");
      if (!more) break;
    }
    if (!too_large) {
      FUZZ_CHECK(assembler.complete(), "the assembler did not complete on C=0");
      const wire::Bytes whole = assembler.take();
      FUZZ_CHECK(
          whole.size() == text.size() && std::equal(whole.begin(), whole.end(), text.begin()),
          "the assembler changed the text");
    } else {
      FUZZ_CHECK(text.size() > (mode & 0x40 ? 256u : 65536u),
                 "TooLarge for a text within the limit");
    }

    auto pairs = txt::parse(text, parse_limits);
    if (!pairs) {
      (void)txt::text_errc_name(pairs.error().code);
      break;
    }
    const wire::Bytes again = txt::encode(*pairs);
    FUZZ_CHECK(again.size() == text.size() && std::equal(again.begin(), again.end(), text.begin()),
               "a text that parses does not re-encode to the same bytes");
    for (const auto& kv : *pairs) check_values(kv);

    if (t == 1 && (mode & 0x03) == 3) ctx.stage = neg::Stage::LoginOperationalNegotiation;
    auto answers = engine.receive(*pairs, ctx);
    if (!answers) {
      FUZZ_CHECK(!answers.error().detail.empty(), "an error without a detail");
      FUZZ_CHECK(!neg::errc_name(answers.error().code).empty(), "an error without a name");
      FUZZ_CHECK(answers.error().status == neg::status_for(answers.error().code),
                 "an error whose login status is not its code's");
      (void)neg::login_status_name(answers.error().status);
      break;
    }

    // The answers: keys received, NotUnderstood for unknown keys, no answer
    // to a declaration, within the bounds.
    std::map<std::string, std::string> received;
    for (const auto& kv : *pairs) received.emplace(kv.key, kv.value);
    std::size_t not_understood = 0, not_understood_bytes = 0;
    for (const auto& kv : *answers) {
      const auto it = received.find(kv.key);
      FUZZ_CHECK(it != received.end(), "an answer for key " + kv.key + ", which was not received");
      const auto k = neg::find_key(kv.key);
      if (!k) {
        // §5.2: "the answer for a key not understood MUST be key=NotUnderstood".
        FUZZ_CHECK(kv.value == "NotUnderstood", "unknown key " + kv.key + " answered " + kv.value);
        not_understood += 1;
        not_understood_bytes += kv.key.size() + 15;
        continue;
      }
      const neg::KeyDef& def = neg::key_def(*k);
      // §5.2: declarative keys are not answered.
      FUZZ_CHECK(def.result != neg::ResultFunction::Declarative,
                 "declarative key " + kv.key + " was answered");
      FUZZ_CHECK(kv.value != "NotUnderstood", "standard key " + kv.key + " answered NotUnderstood");
      if (neg::is_negotiated(def) && !offered.contains(kv.key)) {
        check_answer_rule(def, it->second, kv.value);
      }
    }
    std::size_t unknown = 0;
    for (const auto& kv : *pairs) unknown += neg::find_key(kv.key) ? 0 : 1;
    FUZZ_CHECK(not_understood == unknown, "an unknown key went unanswered");
    FUZZ_CHECK(not_understood <= policy.limits.max_not_understood_keys &&
                   not_understood_bytes <= policy.limits.max_not_understood_bytes,
               "NotUnderstood answers beyond the configured bound");
    const wire::Bytes encoded = txt::encode(*answers);
    FUZZ_CHECK(encoded.size() <= text.size() + 24 * pairs->size(),
               "answers of " + std::to_string(encoded.size()) + " bytes to a text of " +
                   std::to_string(text.size()));
    auto reparsed = txt::parse(encoded);
    FUZZ_CHECK(reparsed.ok() && *reparsed == *answers, "the answers do not re-parse");
    for (const auto& kv : *pairs) offered.erase(kv.key);

    // This side's next offers, and SendTargets answered with records.
    const auto offers = engine.offers(ctx);
    for (const auto& kv : offers) offered[kv.key] = kv.value;
    auto offers_back = txt::parse(txt::encode(offers));
    FUZZ_CHECK(offers_back.ok(), "the engine's offers do not re-parse");
    if (engine.send_targets_query()) {
      neg::SendTargetsRecord rec;
      rec.target_name = kTarget;
      rec.addresses = {"10.0.0.1:3260,1", "[fe80::1]:3260,1"};
      const auto response = neg::format_send_targets_response({rec});
      auto records = neg::parse_send_targets_response(response);
      FUZZ_CHECK(records.ok() && records->size() == 1, "a SendTargets response does not re-parse");
    }
  }

  auto params = engine.finish(ctx);
  if (!params) (void)neg::login_status_name(params.error().status);
  if (params) {
    // §12.14: "FirstBurstLength MUST NOT exceed MaxBurstLength" (when relevant).
    FUZZ_CHECK(params->session_type == neg::SessionType::Discovery ||
                   (params->initial_r2t && !params->immediate_data) ||
                   params->first_burst_length <= params->max_burst_length,
               "negotiated FirstBurstLength above MaxBurstLength");
    FUZZ_CHECK(params->max_recv_data_segment_length_peer >= 512 &&
                   params->max_recv_data_segment_length_peer <= 16777215,
               "MaxRecvDataSegmentLength outside 512..2^24-1");
  }
  return 0;
}
