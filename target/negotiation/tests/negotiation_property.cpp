// RapidCheck properties of the negotiation engine (RFC 3720 §5.2, §12,
// Appendix A.3.2): a responder's result lies within both sides' values and
// follows the key's result function, unknown keys get NotUnderstood within
// the configured bounds, declarations are never answered, and two engines
// negotiating with each other end with the same values.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "negotiation/negotiator.h"
#include "wire/text_value.h"

namespace iscsi::negotiation {
namespace {

using KV = wire::text::KeyValue;

const std::string kInitiator = "iqn.2025-12.local:initiator";
const std::string kTarget = "iqn.2025-12.local:target";

constexpr Context kOperational{Stage::LoginOperationalNegotiation, true, SessionType::Normal};

std::optional<std::string> answer_for(const std::vector<KV>& answers, std::string_view key) {
  for (const KV& kv : answers) {
    if (kv.key == key) return kv.value;
  }
  return std::nullopt;
}

std::uint64_t number_in(const KeyDef& def) {
  return *rc::gen::inRange<std::uint64_t>(def.min, def.max + 1);
}

// The target's answer to `offer` (with the names every first request
// carries, §5.3.1), in the operational stage.
std::vector<KV> target_answers(const Policy& policy, std::vector<KV> offer) {
  Negotiator target(Role::Target, policy);
  offer.insert(offer.begin(), {{"InitiatorName", kInitiator}, {"TargetName", kTarget}});
  auto answers = target.receive(offer, kOperational);
  RC_ASSERT(answers.ok());
  return *answers;
}

RC_GTEST_PROP(NegotiationProperty, MinimumKeysSelectTheSmallerValue, ()) {
  // §12: '"Minimum" means that the selected value cannot exceed the offered
  // value'; the responder selects its own value when that is smaller.
  const Key k = *rc::gen::element(Key::MaxConnections, Key::MaxBurstLength, Key::DefaultTime2Retain,
                                  Key::MaxOutstandingR2T, Key::ErrorRecoveryLevel);
  const KeyDef& def = key_def(k);
  const std::uint64_t offered = number_in(def);
  const std::uint64_t local = number_in(def);
  Policy p(Role::Target);
  RC_ASSERT(p.set_number(k, local));
  const auto answers =
      target_answers(p, {{std::string(def.name), wire::text::format_numerical(offered)}});
  const auto answer = answer_for(answers, def.name);
  RC_ASSERT(answer.has_value());
  const auto selected = wire::text::parse_numerical(*answer);
  RC_ASSERT(selected == std::min(offered, local));
}

RC_GTEST_PROP(NegotiationProperty, FirstBurstLengthStaysWithinMaxBurstLength, ()) {
  // §12.14: Minimum, and "FirstBurstLength MUST NOT exceed MaxBurstLength".
  const KeyDef& fb = key_def(Key::FirstBurstLength);
  const std::uint64_t offered_fb = number_in(fb);
  const std::uint64_t offered_mb = number_in(key_def(Key::MaxBurstLength));
  const std::uint64_t local_fb = number_in(fb);
  const std::uint64_t local_mb = number_in(key_def(Key::MaxBurstLength));
  Policy p(Role::Target);
  RC_ASSERT(p.set_number(Key::FirstBurstLength, local_fb));
  RC_ASSERT(p.set_number(Key::MaxBurstLength, local_mb));
  p.set_boolean(Key::InitialR2T, false);
  const auto answers =
      target_answers(p, {{"InitialR2T", "No"},
                         {"MaxBurstLength", wire::text::format_numerical(offered_mb)},
                         {"FirstBurstLength", wire::text::format_numerical(offered_fb)}});
  const auto mb = wire::text::parse_numerical(answer_for(answers, "MaxBurstLength").value_or(""));
  const auto fbv =
      wire::text::parse_numerical(answer_for(answers, "FirstBurstLength").value_or(""));
  RC_ASSERT(mb == std::min(offered_mb, local_mb));
  RC_ASSERT(fbv.has_value());
  RC_ASSERT(*fbv <= offered_fb);
  RC_ASSERT(*fbv <= local_fb);
  RC_ASSERT(*fbv <= *mb);
}

RC_GTEST_PROP(NegotiationProperty, MaximumKeySelectsTheLargerValue, ()) {
  // §12.15 DefaultTime2Wait: "Result function is Maximum".
  const KeyDef& def = key_def(Key::DefaultTime2Wait);
  const std::uint64_t offered = number_in(def);
  const std::uint64_t local = number_in(def);
  Policy p(Role::Target);
  RC_ASSERT(p.set_number(Key::DefaultTime2Wait, local));
  const auto answers =
      target_answers(p, {{"DefaultTime2Wait", wire::text::format_numerical(offered)}});
  RC_ASSERT(wire::text::parse_numerical(answer_for(answers, "DefaultTime2Wait").value_or("")) ==
            std::max(offered, local));
}

RC_GTEST_PROP(NegotiationProperty, BooleanKeysFollowAndOr, (bool offered, bool local)) {
  // §12.10/§12.18/§12.19 OR, §12.11 and Appendix A.3.1 AND.
  const Key k = *rc::gen::element(Key::InitialR2T, Key::ImmediateData, Key::DataPDUInOrder,
                                  Key::DataSequenceInOrder, Key::OFMarker, Key::IFMarker);
  const KeyDef& def = key_def(k);
  Policy p(Role::Target);
  RC_ASSERT(p.set_boolean(k, local));
  const auto answers = target_answers(
      p, {{std::string(def.name), std::string(wire::text::format_boolean(offered))}});
  const bool expected = def.result == ResultFunction::And ? (offered && local) : (offered || local);
  RC_ASSERT(answer_for(answers, def.name) == std::string(wire::text::format_boolean(expected)));
}

RC_GTEST_PROP(NegotiationProperty, ListKeysSelectTheFirstValueBothSupport, ()) {
  // §5.2.1: "the first value that it supports ... selected from the
  // originator list", or Reject when there is none.
  const Key k = *rc::gen::element(Key::HeaderDigest, Key::DataDigest);
  const KeyDef& def = key_def(k);
  const auto offered = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(
      rc::gen::element<std::string>("CRC32C", "None", "Y-vendor", "MD5")));
  const auto accepted = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(
      rc::gen::element<std::string>("CRC32C", "None")));
  Policy p(Role::Target);
  RC_ASSERT(p.set_list(k, accepted));
  std::string list;
  for (std::size_t i = 0; i < offered.size(); ++i) list += (i ? "," : "") + offered[i];
  const auto answers = target_answers(p, {{std::string(def.name), list}});
  std::string expected = "Reject";
  for (const std::string& v : offered) {
    if (std::find(accepted.begin(), accepted.end(), v) != accepted.end()) {
      expected = v;
      break;
    }
  }
  RC_ASSERT(answer_for(answers, def.name) == expected);
}

RC_GTEST_PROP(NegotiationProperty, MarkerIntervalSelectionLiesInBothRanges, ()) {
  // Appendix A.3.2: "The responder selects a value within the minimum and
  // maximum offered"; an unacceptable interval is answered Reject.
  const auto a = *rc::gen::inRange<std::uint64_t>(1, 65536);
  const auto b = *rc::gen::inRange<std::uint64_t>(a, 65536);
  const auto c = *rc::gen::inRange<std::uint64_t>(1, 65536);
  const auto d = *rc::gen::inRange<std::uint64_t>(c, 65536);
  Policy p(Role::Target);
  RC_ASSERT(p.set_boolean(Key::OFMarker, true));
  RC_ASSERT(p.set_interval(Key::OFMarkInt, {c, d}));
  const std::string offer = wire::text::format_numerical(a) + "~" + wire::text::format_numerical(b);
  const auto answers = target_answers(p, {{"OFMarker", "Yes"}, {"OFMarkInt", offer}});
  RC_ASSERT(answer_for(answers, "OFMarker") == std::string("Yes"));
  const auto answer = answer_for(answers, "OFMarkInt");
  RC_ASSERT(answer.has_value());
  if (std::max(a, c) > std::min(b, d)) {
    RC_ASSERT(*answer == "Reject");
  } else {
    const auto v = wire::text::parse_numerical(*answer);
    RC_ASSERT(v.has_value());
    RC_ASSERT(*v >= a);
    RC_ASSERT(*v <= b);
    RC_ASSERT(*v >= c);
    RC_ASSERT(*v <= d);
  }
}

RC_GTEST_PROP(NegotiationProperty, ValuesOutsideTheRangeAreRejectedAndKeepTheDefault, ()) {
  // §5.2.2: "Proposing a value not admissible (e.g., not within the
  // specified bounds) MAY be answered with the constant Reject"; §5.2: the
  // key then keeps its current value.
  const Key k =
      *rc::gen::element(Key::MaxConnections, Key::MaxBurstLength, Key::DefaultTime2Wait,
                        Key::DefaultTime2Retain, Key::MaxOutstandingR2T, Key::ErrorRecoveryLevel);
  const KeyDef& def = key_def(k);
  const std::uint64_t bad =
      *rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(def.max + 1, def.max + 100000),
                      rc::gen::inRange<std::uint64_t>(0, def.min + 1));
  RC_PRE(bad < def.min || bad > def.max);
  Negotiator target(Role::Target, Policy(Role::Target));
  const auto answers = target.receive({{"InitiatorName", kInitiator},
                                       {"TargetName", kTarget},
                                       {std::string(def.name), wire::text::format_numerical(bad)}},
                                      kOperational);
  RC_ASSERT(answers.ok());
  RC_ASSERT(answer_for(*answers, def.name) == std::string("Reject"));
  RC_ASSERT(target.outcome(k) == Outcome::Rejected);
  Negotiator baseline(Role::Target, Policy(Role::Target));
  RC_ASSERT(baseline.receive({{"InitiatorName", kInitiator}, {"TargetName", kTarget}}, kOperational)
                .ok());
  RC_ASSERT(target.parameters(kOperational) == baseline.parameters(kOperational));
}

rc::Gen<std::string> unknown_key() {
  // Names no table key has: X- extensions and capitalised labels with a
  // suffix the table does not use.
  return rc::gen::map(
      rc::gen::pair(rc::gen::element<std::string>("X-com.example.", "X#", "Unknown"),
                    rc::gen::container<std::string>(rc::gen::elementOf(std::string("abcxyz0123")))),
      [](const std::pair<std::string, std::string>& p) { return p.first + p.second + "z"; });
}

RC_GTEST_PROP(NegotiationProperty, UnknownKeysAreNotUnderstoodWithinTheBound, ()) {
  // §5.2: "the answer for a key not understood MUST be key=NotUnderstood";
  // the answers of one reply are bounded (the CVE-2013-2850 class).
  auto keys = *rc::gen::container<std::vector<std::string>>(unknown_key());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  Policy p(Role::Target);
  p.limits.max_not_understood_keys = *rc::gen::inRange<std::size_t>(0, 20);
  p.limits.max_not_understood_bytes = *rc::gen::inRange<std::size_t>(0, 600);
  std::vector<KV> text = {{"InitiatorName", kInitiator}, {"TargetName", kTarget}};
  std::size_t bytes = 0;
  for (const auto& k : keys) {
    text.push_back({k, "value"});
    bytes += k.size() + std::string_view("=NotUnderstood").size() + 1;
  }
  Negotiator target(Role::Target, p);
  const auto answers = target.receive(text, kOperational);
  if (keys.size() > p.limits.max_not_understood_keys || bytes > p.limits.max_not_understood_bytes) {
    RC_ASSERT(!answers.ok());
    RC_ASSERT(answers.error().code == Errc::TooManyNotUnderstood);
    return;
  }
  RC_ASSERT(answers.ok());
  RC_ASSERT(answers->size() == keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    RC_ASSERT((*answers)[i] == (KV{keys[i], "NotUnderstood"}));
  }
}

RC_GTEST_PROP(NegotiationProperty, DeclarationsAreNeverAnswered, ()) {
  // §5.2 / §12: declarative keys (Declarative result) "do not require an
  // answer"; the engine records them and sends nothing back.
  const std::string alias =
      *rc::gen::container<std::string>(rc::gen::elementOf(std::string("abc XYZ-_.")));
  const auto mrdsl = number_in(key_def(Key::MaxRecvDataSegmentLength));
  Negotiator target(Role::Target, Policy(Role::Target));
  const auto answers =
      target.receive({{"InitiatorName", kInitiator},
                      {"TargetName", kTarget},
                      {"InitiatorAlias", alias},
                      {"MaxRecvDataSegmentLength", wire::text::format_numerical(mrdsl)},
                      {"SessionType", "Normal"}},
                     kOperational);
  RC_ASSERT(answers.ok());
  RC_ASSERT(answers->empty());
  RC_ASSERT(target.peer_value(Key::InitiatorAlias) == std::optional<std::string_view>(alias));
  const auto params = target.parameters(kOperational);
  RC_ASSERT(params.max_recv_data_segment_length_peer == mrdsl);
  // The target's own declaration is untouched by the initiator's.
  RC_ASSERT(params.max_recv_data_segment_length_local ==
            default_number(Key::MaxRecvDataSegmentLength));
}

// A policy with every negotiated key at a random admissible value.
Policy random_policy(Role role) {
  Policy p(role);
  for (Key k : {Key::MaxConnections, Key::MaxBurstLength, Key::FirstBurstLength,
                Key::DefaultTime2Wait, Key::DefaultTime2Retain, Key::MaxOutstandingR2T,
                Key::ErrorRecoveryLevel, Key::MaxRecvDataSegmentLength}) {
    RC_ASSERT(p.set_number(k, number_in(key_def(k))));
  }
  for (Key k : {Key::InitialR2T, Key::ImmediateData, Key::DataPDUInOrder, Key::DataSequenceInOrder,
                Key::OFMarker, Key::IFMarker}) {
    RC_ASSERT(p.set_boolean(k, *rc::gen::arbitrary<bool>()));
  }
  for (Key k : {Key::HeaderDigest, Key::DataDigest}) {
    RC_ASSERT(p.set_list(k, *rc::gen::elementOf(std::vector<std::vector<std::string>>{
                                {"None"}, {"CRC32C"}, {"CRC32C", "None"}, {"None", "CRC32C"}})));
  }
  for (Key k : {Key::OFMarkInt, Key::IFMarkInt}) {
    const auto low = *rc::gen::inRange<std::uint64_t>(1, 65536);
    RC_ASSERT(p.set_interval(k, {low, *rc::gen::inRange<std::uint64_t>(low, 65536)}));
  }
  return p;
}

RC_GTEST_PROP(NegotiationProperty, TwoEnginesAgreeOnEveryResult, ()) {
  // An initiator proposing every operational key and a target answering
  // from the same table end the login with the same values (§5.2: both
  // sides compute the result from the offer and the answer).
  Policy ip = random_policy(Role::Initiator);
  RC_ASSERT(ip.set_text(Key::InitiatorName, kInitiator));
  RC_ASSERT(ip.set_text(Key::TargetName, kTarget));
  RC_ASSERT(ip.set_text(Key::SessionType, "Normal"));
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    const Key k = static_cast<Key>(i);
    if (k != Key::AuthMethod && *rc::gen::inRange(0, 4) != 0) ip.set_offer(k);
  }
  ip.set_offer(Key::InitiatorName);
  ip.set_offer(Key::TargetName);
  // §12.14: an initiator lowering MaxBurstLength below the default
  // FirstBurstLength must negotiate FirstBurstLength too; the engine reports
  // an integrity violation otherwise (IntegrityTest covers that).
  if (ip.offers(Key::MaxBurstLength)) ip.set_offer(Key::FirstBurstLength);
  Policy tp = random_policy(Role::Target);
  tp.set_offer(Key::MaxRecvDataSegmentLength);
  Negotiator initiator(Role::Initiator, ip);
  Negotiator target(Role::Target, tp);

  std::vector<KV> to_target = initiator.offers(kOperational);
  for (int round = 0; round < 4 && (!to_target.empty() || initiator.has_pending_offers());
       ++round) {
    auto answers = target.receive(to_target, kOperational);
    RC_ASSERT(answers.ok());
    std::vector<KV> to_initiator = std::move(*answers);
    for (auto& kv : target.offers(kOperational)) to_initiator.push_back(std::move(kv));
    auto back = initiator.receive(to_initiator, kOperational);
    if (!back.ok()) RC_FAIL("initiator refused the target's text: " + back.error().detail);
    to_target = std::move(*back);
    for (auto& kv : initiator.offers(kOperational)) to_target.push_back(std::move(kv));
  }
  if (!to_target.empty()) RC_ASSERT(target.receive(to_target, kOperational).ok());
  const auto ir = initiator.finish(kOperational);
  const auto tr = target.finish(kOperational);
  if (!ir.ok()) RC_FAIL("initiator: " + ir.error().detail);
  if (!tr.ok()) RC_FAIL("target: " + tr.error().detail);
  NegotiatedParameters i = *ir;
  NegotiatedParameters t = *tr;
  // §12.12: each side's declared receive limit is the other's send limit.
  RC_ASSERT(i.max_recv_data_segment_length_local == t.max_recv_data_segment_length_peer);
  RC_ASSERT(i.max_recv_data_segment_length_peer == t.max_recv_data_segment_length_local);
  std::swap(i.max_recv_data_segment_length_local, i.max_recv_data_segment_length_peer);
  // Names and the portal group tag are declarations of one side only.
  i.target_portal_group_tag = t.target_portal_group_tag;
  i.target_alias = t.target_alias;
  RC_ASSERT(i == t);
  // A negotiated Minimum result lies within what each side allows (keys
  // never offered keep their default).
  for (Key k : {Key::MaxBurstLength, Key::MaxConnections, Key::ErrorRecoveryLevel,
                Key::DefaultTime2Retain, Key::MaxOutstandingR2T}) {
    if (target.outcome(k) != Outcome::Agreed) continue;
    const auto value = [&](const NegotiatedParameters& p) -> std::uint64_t {
      switch (k) {
        case Key::MaxBurstLength:
          return p.max_burst_length;
        case Key::MaxConnections:
          return p.max_connections;
        case Key::ErrorRecoveryLevel:
          return p.error_recovery_level;
        case Key::DefaultTime2Retain:
          return p.default_time2retain;
        default:
          return p.max_outstanding_r2t;
      }
    }(t);
    RC_ASSERT(value <= std::get<std::uint64_t>(tp.value(k)));
    RC_ASSERT(value <= std::get<std::uint64_t>(ip.value(k)));
  }
}

}  // namespace
}  // namespace iscsi::negotiation
