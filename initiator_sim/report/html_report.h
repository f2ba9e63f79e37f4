// A self-contained HTML page: the matrix of cases × targets, each failing
// cell with the step, the message and the bytes exchanged.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace iscsi::sim {

// `runs` are JSON reports (json_report()), one per target, in column order.
std::string html_matrix(const std::vector<nlohmann::json>& runs);

}  // namespace iscsi::sim
