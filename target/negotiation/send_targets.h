// SendTargets responses (RFC 3720 Appendix D): a list of target records,
// each a TargetName followed by its TargetAddress keys.
#pragma once

#include <string>
#include <vector>

#include "negotiation/status.h"
#include "wire/result.h"
#include "wire/text.h"

namespace iscsi::negotiation {

struct SendTargetsRecord {
  std::string target_name;
  std::vector<std::string> addresses;  // TargetAddress values, in order
  bool operator==(const SendTargetsRecord&) const = default;
};

// Checks and splits a complete SendTargets response. Appendix D: "A target
// record begins with the TargetName text key, followed by a list of
// TargetAddress text keys, and bounded by the end of the text response or
// the next TargetName key ... No text keys other than TargetName and
// TargetAddress are permitted within a SendTargets response." §12.8: within
// a SendTargets response "the portal group tag MUST be included".
wire::Result<std::vector<SendTargetsRecord>, NegotiationError> parse_send_targets_response(
    const std::vector<wire::text::KeyValue>& pairs);

// The pairs of a response listing `records`.
std::vector<wire::text::KeyValue> format_send_targets_response(
    const std::vector<SendTargetsRecord>& records);

}  // namespace iscsi::negotiation
