#include "session/target_config.h"

namespace iscsi::session {

using negotiation::Key;

bool TargetNode::allows(std::string_view initiator_name) const {
  if (allowed_initiators.empty()) return true;
  // §3.2.6.1: iSCSI names are compared in their normalized form, in which
  // ASCII letters are lower case; folding ASCII case here lets the
  // configuration spell a name either way.
  auto fold = [](char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch; };
  for (const std::string& allowed : allowed_initiators) {
    if (allowed.size() != initiator_name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < allowed.size() && same; ++i) {
      same = fold(allowed[i]) == fold(initiator_name[i]);
    }
    if (same) return true;
  }
  return false;
}

const AuthSettings& auth_for(const TargetConfig& config, const TargetNode* node,
                             negotiation::SessionType type) {
  static const AuthSettings kNone;
  if (type == negotiation::SessionType::Discovery) return config.discovery_auth;
  return node ? node->auth : kNone;
}

negotiation::Policy target_policy(const TargetConfig& config, const TargetNode* node,
                                  const AuthSettings& auth) {
  const TargetLimits& l = config.limits;
  negotiation::Policy p(negotiation::Role::Target);
  // §11.1: with CHAP configured, CHAP is the only acceptable method (so a
  // login cannot choose None); without, only None is.
  p.set_list(Key::AuthMethod, {auth.required() ? "CHAP" : "None"});
  // §12.1: both digests are supported; the initiator's order decides.
  p.set_list(Key::HeaderDigest, {"CRC32C", "None"});
  p.set_list(Key::DataDigest, {"CRC32C", "None"});
  // One connection per session and ErrorRecoveryLevel 0 are what this target
  // implements; both are minimum-function keys (§12.2, §12.20).
  p.set_number(Key::MaxConnections, 1);
  p.set_number(Key::ErrorRecoveryLevel, 0);
  p.set_boolean(Key::InitialR2T, l.initial_r2t);
  p.set_boolean(Key::ImmediateData, l.immediate_data);
  p.set_number(Key::MaxBurstLength, l.max_burst_length);
  p.set_number(Key::FirstBurstLength, l.first_burst_length);
  p.set_number(Key::MaxOutstandingR2T, l.max_outstanding_r2t);
  // Data in order (OR-function keys): the target relies on in-order data.
  p.set_boolean(Key::DataPDUInOrder, true);
  p.set_boolean(Key::DataSequenceInOrder, true);
  // Markers (RFC 3720 Appendix A) are not implemented: AND with No.
  p.set_boolean(Key::OFMarker, false);
  p.set_boolean(Key::IFMarker, false);
  // Declarations the target makes on its own.
  p.set_number(Key::MaxRecvDataSegmentLength, l.max_recv_data_segment_length);
  p.set_offer(Key::MaxRecvDataSegmentLength);
  if (node) {
    p.set_number(Key::TargetPortalGroupTag, node->portal_group_tag);
    p.set_offer(Key::TargetPortalGroupTag);
    if (!node->alias.empty() && p.set_text(Key::TargetAlias, node->alias)) {
      p.set_offer(Key::TargetAlias);
    }
  }
  return p;
}

}  // namespace iscsi::session

namespace iscsi::session {

CredentialCheck check_auth(const TargetConfig& config) {
  CredentialCheck out;
  check_auth_settings(config.discovery_auth, "discovery sessions", out);
  std::vector<const AuthSettings*> all = {&config.discovery_auth};
  for (const TargetNode& t : config.targets) {
    check_auth_settings(t.auth, "target " + t.name, out);
    all.push_back(&t.auth);
  }
  // §8.2.1: "Any CHAP secret used for initiator authentication MUST NOT be
  // configured for authentication of any target, and any CHAP secret used
  // for target authentication MUST NOT be configured for authentication of
  // any initiator" -- across every target, not only within one.
  bool crossed = false;
  for (const AuthSettings* a : all) {
    if (!a->chap) continue;
    for (const AuthSettings* b : all) {
      if (a != b && b->mutual && b->mutual->secret == a->chap->secret) crossed = true;
    }
  }
  if (crossed) {
    out.errors.push_back(
        "a secret that authenticates initiators also authenticates a target (RFC 3720 §8.2.1 "
        "forbids one secret in both directions)");
  }
  return out;
}

}  // namespace iscsi::session
