#include "report/html_report.h"

#include <map>
#include <set>
#include <sstream>

#include "report/report.h"

namespace iscsi::sim {
namespace {

// Hex in groups of 4 bytes, 16 bytes a line, for reading BHS fields by offset.
std::string hex_block(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0 && i % 32 == 0)
      out += '\n';
    else if (i > 0 && i % 8 == 0)
      out += ' ';
    out += hex.substr(i, 2);
  }
  return out;
}

}  // namespace

std::string html_matrix(const std::vector<nlohmann::json>& runs) {
  struct Row {
    nlohmann::json meta;
    std::map<std::size_t, nlohmann::json> cells;
  };
  std::map<std::string, Row> rows;
  for (std::size_t t = 0; t < runs.size(); ++t) {
    for (const auto& c : runs[t].value("cases", nlohmann::json::array())) {
      Row& row = rows[c.value("id", std::string())];
      if (row.meta.is_null()) row.meta = c;
      row.cells[t] = c;
    }
  }
  std::ostringstream os;
  os << R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>iSCSI conformance matrix</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#1b1b1b}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#f2f2f2;position:sticky;top:0}
td.pass{background:#dff3df}td.fail{background:#f8d4d4}td.not-applicable{background:#eee}
td.error{background:#fbe3b5}td.absent{background:#fff}
code,pre{font-family:ui-monospace,monospace;font-size:12px}
pre{white-space:pre;margin:4px 0;background:#fafafa;padding:4px;border:1px solid #ddd}
.sum{margin:0 0 1em 0}
</style></head><body>
<h1>iSCSI conformance matrix</h1>
)";
  os << "<table "
        "class=\"sum\"><tr><th>target</th><th>cases</th><th>pass</th><th>fail</th><th>n/a</"
        "th><th>error</th></tr>\n";
  for (const auto& r : runs) {
    const auto& s = r["summary"];
    os << "<tr><td>" << xml_escape(r.value("target", std::string())) << "</td><td>"
       << s.value("cases", 0) << "</td><td>" << s.value("pass", 0) << "</td><td>"
       << s.value("fail", 0) << "</td><td>" << s.value("not_applicable", 0) << "</td><td>"
       << s.value("error", 0) << "</td></tr>\n";
  }
  os << "</table>\n<table><tr><th>case</th><th>RFC 3720</th><th>level</th>";
  for (const auto& r : runs)
    os << "<th>" << xml_escape(r.value("target", std::string())) << "</th>";
  os << "</tr>\n";
  for (const auto& [id, row] : rows) {
    std::string sections;
    for (const auto& s : row.meta.value("rfc3720", nlohmann::json::array())) {
      sections += (sections.empty() ? "§" : ", §") + s.get<std::string>();
    }
    os << "<tr><td><code>" << xml_escape(id) << "</code><br>"
       << xml_escape(row.meta.value("title", std::string())) << "</td><td>" << xml_escape(sections)
       << "</td><td>" << xml_escape(row.meta.value("level", std::string())) << "</td>";
    for (std::size_t t = 0; t < runs.size(); ++t) {
      auto it = row.cells.find(t);
      if (it == row.cells.end()) {
        os << "<td class=\"absent\">—</td>";
        continue;
      }
      const auto& c = it->second;
      const std::string verdict = c.value("verdict", std::string("error"));
      os << "<td class=\"" << xml_escape(verdict) << "\">" << xml_escape(verdict);
      if (verdict != "pass") {
        os << "<details><summary>step " << c.value("step", 0) << ": "
           << xml_escape(c.value("message", std::string())) << "</summary>";
        if (c.contains("expected_divergence")) {
          os << "<p>expected divergence: "
             << xml_escape(c["expected_divergence"].get<std::string>()) << "</p>";
        }
        for (const auto& w : c.value("exchange", nlohmann::json::array())) {
          os << "<div>"
             << (w.value("direction", std::string()) == "to-target" ? "&rarr; " : "&larr; ")
             << "<code>" << xml_escape(w.value("pdu", std::string())) << "</code><pre>"
             << xml_escape(hex_block(w.value("hex", std::string()))) << "</pre></div>";
        }
        os << "</details>";
      }
      os << "</td>";
    }
    os << "</tr>\n";
  }
  os << "</table>\n</body></html>\n";
  return os.str();
}

}  // namespace iscsi::sim
