// Reports of a run: console progress and summary, JUnit XML, JSON.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "runner/runner.h"
#include "scenario/scenario.h"

namespace iscsi::sim {

struct RunReport {
  std::string target;  // what was tested, as given on the command line
  std::vector<const Scenario*> scenarios;
  std::vector<CaseResult> results;
  // Known divergences ({"id": "reason"}, --expected): a failure listed here
  // is expected and does not fail the run.
  std::map<std::string, std::string> expected;

  bool unexpected(const CaseResult& r, bool strict) const;
  std::size_t count(Verdict v) const;
};

void print_case_line(std::ostream& os, const Scenario& s, const CaseResult& r);
void print_summary(std::ostream& os, const RunReport& report, bool strict);
std::string junit_xml(const RunReport& report);
std::string json_report(const RunReport& report);

// Text escaped for XML and HTML character data and attribute values; control
// characters XML 1.0 cannot carry become spaces.
std::string xml_escape(std::string_view s);

}  // namespace iscsi::sim
