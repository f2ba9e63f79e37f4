// Comparing a live target's PDU with the recorded one: header fields by
// their RFC names, login and text keys, sense data and data bytes, under a
// tolerance profile. Session variables (StatSN, TSIH, Target Transfer Tag)
// are not compared here: replay maps them from the live session.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "replay/replay_profile.h"
#include "wire/bytes.h"
#include "wire/pdu.h"

namespace iscsi::replay {

struct FieldDelta {
  std::string field;  // "Status", "key MaxBurstLength", "data", "sense"
  std::string recorded;
  std::string live;
};

// Fields of the two PDUs (same opcode) that differ and are not tolerated.
// `skip` names further fields the caller compares itself.
std::vector<FieldDelta> compare_header(const wire::Pdu& recorded, const wire::Pdu& live,
                                       const ReplayProfile& profile,
                                       const std::vector<std::string>& skip = {});

// The keys of two Login/Text Response texts: values that differ, keys
// only one side sent. Keys of the profile's ignore list are left out.
std::vector<FieldDelta> compare_keys(wire::ByteView recorded_text, wire::ByteView live_text,
                                     const ReplayProfile& profile);

// The sense data of two SCSI Response data segments (§10.4.7: SenseLength,
// then the sense data): the sense key, ASC and ASCQ, or every byte when
// the profile says so.
std::optional<FieldDelta> compare_sense(wire::ByteView recorded_segment,
                                        wire::ByteView live_segment, const ReplayProfile& profile);

// Two byte strings: their lengths, or the first offset where they differ.
std::optional<FieldDelta> compare_bytes(std::string_view name, wire::ByteView recorded,
                                        wire::ByteView live);

// Sense key, ASC and ASCQ of fixed or descriptor format sense data
// (SPC-4 §4.5), as "KEY/ASC/ASCQ" in hex; empty when there is none.
std::string sense_code(wire::ByteView sense);

}  // namespace iscsi::replay
