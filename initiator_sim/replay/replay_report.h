// What a replay reports: a text summary for people, a JSON document, JUnit
// XML (one test suite per capture, one test case per connection), and the
// expectations file that explains the differences a trace is known to show.
//
// An expectations file (captures/expected/<trace>.json) lists explained
// differences:
//   {"differences": [{"connection": 1, "pdu": 17, "kind": "field",
//                     "field": "Status", "reason": "RFC 3720 §... says ..."}]}
// "field" may be left out to cover every field of that PDU and kind. A
// difference no entry explains fails the replay, and so does an entry no
// difference matched (the file must not outlive what it explains), unless
// the entry says "optional": true (a difference whose appearance depends on
// timing; its reason must say why).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "replay/replayer.h"
#include "wire/result.h"

namespace iscsi::replay {

struct ExpectedDifference {
  std::uint32_t connection = 0;
  std::uint64_t pdu = 0;
  std::string kind;
  std::string field;  // empty: any
  std::string reason;
  bool optional = false;
  bool seen = false;
};

wire::Result<std::vector<ExpectedDifference>, std::string> load_expectations(
    const std::string& path);
wire::Result<std::vector<ExpectedDifference>, std::string> parse_expectations(
    const std::string& text, const std::string& name);

// Sets the explanation of every difference an entry covers and marks the
// entries seen.
void explain(ReplayResult& result, std::vector<ExpectedDifference>& expected);

std::string replay_text(const ReplayResult& result,
                        const std::vector<ExpectedDifference>& expected);
nlohmann::ordered_json replay_json(const ReplayResult& result,
                                   const std::vector<ExpectedDifference>& expected);
std::string replay_junit(const ReplayResult& result,
                         const std::vector<ExpectedDifference>& expected);

// True when nothing is unexplained and every expectation was seen.
bool replay_passed(const ReplayResult& result, const std::vector<ExpectedDifference>& expected);

}  // namespace iscsi::replay
