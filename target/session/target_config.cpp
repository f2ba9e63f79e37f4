#include "session/target_config.h"

namespace iscsi::session {

using negotiation::Key;

negotiation::Policy target_policy(const TargetConfig& config, const TargetNode* node) {
  const TargetLimits& l = config.limits;
  negotiation::Policy p(negotiation::Role::Target);
  // §11.1: no authentication is configured, so only None is acceptable.
  p.set_list(Key::AuthMethod, {"None"});
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
