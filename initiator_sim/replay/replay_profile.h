// A tolerance profile: what may legitimately differ between the recorded
// target's answers and the live target's, when a capture is replayed.
// Everything a profile does not name must match.
//
// The file is JSON:
//   {
//     "description": "...",
//     "ignore_fields": ["TSIH", "Login Response.MaxCmdSN", ...],
//         BHS fields by their RFC name (wire/pdu_fields.h), for every PDU or
//         prefixed with the PDU's name ("SCSI Response.ExpDataSN")
//     "ignore_keys": ["TargetAlias", ...],
//         text keys whose values (and presence) may differ in Login and
//         Text Responses
//     "ignore_scsi_data": {"0x12": "why", ...},
//         SCSI operation codes whose Data-In payload may differ
//     "sense": "key-asc-ascq" | "bytes",
//         how sense data is compared
//     "data_in": "by-task" | "by-pdu",
//         by-task: a read's Data-In data and status are compared per task,
//         whatever the PDU boundaries and whether the status came in the
//         last Data-In (§10.7.3 phase collapse) or a SCSI Response
//     "unsolicited_nop_in": "ignore" | "compare",
//     "async_messages": "ignore" | "compare"
//   }
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "wire/opcode.h"
#include "wire/result.h"

namespace iscsi::replay {

struct ReplayProfile {
  std::string name;  // the file it came from, or "default"
  std::string description;
  std::set<std::string> ignore_fields;
  std::set<std::string> ignore_keys;
  std::map<std::uint8_t, std::string> ignore_scsi_data;  // opcode -> why
  bool sense_bytes = false;                              // compare sense byte for byte
  bool data_in_by_task = true;
  bool ignore_unsolicited_nop_in = true;
  bool ignore_async_messages = false;

  bool field_ignored(wire::Opcode op, std::string_view field) const;
  bool key_ignored(std::string_view key) const { return ignore_keys.contains(std::string(key)); }
};

wire::Result<ReplayProfile, std::string> parse_profile(std::string_view json,
                                                       const std::string& name);
wire::Result<ReplayProfile, std::string> load_profile(const std::string& path);
// The profile shipped in captures/profiles/default.json, built in.
const ReplayProfile& default_profile();
// Nothing tolerated: every field, key and byte must match, PDU by PDU.
ReplayProfile strict_profile();

}  // namespace iscsi::replay
