#include "negotiation/send_targets.h"

#include "negotiation/keys.h"
#include "negotiation/value_check.h"

namespace iscsi::negotiation {

using wire::Result;
using wire::Unexpected;
using wire::text::KeyValue;

Result<std::vector<SendTargetsRecord>, NegotiationError> parse_send_targets_response(
    const std::vector<KeyValue>& pairs) {
  std::vector<SendTargetsRecord> records;
  for (const KeyValue& kv : pairs) {
    if (kv.key == key_def(Key::TargetName).name) {
      if (check_offer(key_def(Key::TargetName), kv.value) != ValueCheck::Ok) {
        return Unexpected{make_error(Errc::InvalidSendTargetsResponse, kv.key,
                                     "TargetName is not an iSCSI name: " + kv.value)};
      }
      records.push_back(SendTargetsRecord{kv.value, {}});
      continue;
    }
    if (kv.key == key_def(Key::TargetAddress).name) {
      if (records.empty()) {
        return Unexpected{make_error(Errc::InvalidSendTargetsResponse, kv.key,
                                     "TargetAddress before any TargetName")};
      }
      const auto address = parse_target_address(kv.value);
      if (!address) {
        return Unexpected{make_error(Errc::InvalidSendTargetsResponse, kv.key,
                                     "malformed TargetAddress: " + kv.value)};
      }
      if (!address->portal_group_tag) {
        return Unexpected{make_error(Errc::InvalidSendTargetsResponse, kv.key,
                                     "TargetAddress without portal group tag: " + kv.value)};
      }
      records.back().addresses.push_back(kv.value);
      continue;
    }
    return Unexpected{make_error(Errc::InvalidSendTargetsResponse, kv.key,
                                 "key not permitted in a SendTargets response")};
  }
  return records;
}

std::vector<KeyValue> format_send_targets_response(const std::vector<SendTargetsRecord>& records) {
  std::vector<KeyValue> out;
  for (const SendTargetsRecord& r : records) {
    out.push_back({std::string(key_def(Key::TargetName).name), r.target_name});
    for (const std::string& a : r.addresses) {
      out.push_back({std::string(key_def(Key::TargetAddress).name), a});
    }
  }
  return out;
}

}  // namespace iscsi::negotiation
