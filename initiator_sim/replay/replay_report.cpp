#include "replay/replay_report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "report/report.h"

namespace iscsi::replay {

namespace {

using Json = nlohmann::ordered_json;

std::string difference_line(const Difference& d) {
  std::string s = d.kind;
  if (d.recorded_pdu) s += " at recorded PDU #" + std::to_string(d.recorded_pdu);
  if (!d.field.empty()) s += ": " + d.field;
  if (!d.recorded.empty() || !d.live.empty()) {
    s += ": recorded " + (d.recorded.empty() ? std::string("-") : d.recorded) + ", live " +
         (d.live.empty() ? std::string("-") : d.live);
  }
  return s;
}

std::vector<const ExpectedDifference*> unseen(const std::vector<ExpectedDifference>& expected) {
  std::vector<const ExpectedDifference*> out;
  for (const auto& e : expected) {
    if (!e.seen && !e.optional) out.push_back(&e);
  }
  return out;
}

std::string expectation_line(const ExpectedDifference& e) {
  return "expected difference not seen: connection " + std::to_string(e.connection) + ", PDU #" +
         std::to_string(e.pdu) + ", " + e.kind + (e.field.empty() ? "" : " " + e.field) + " (" +
         e.reason + ")";
}

std::string seconds(std::chrono::nanoseconds ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", std::chrono::duration<double>(ns).count());
  return buf;
}

}  // namespace

wire::Result<std::vector<ExpectedDifference>, std::string> parse_expectations(
    const std::string& text, const std::string& name) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("differences") ||
      !j.at("differences").is_array()) {
    return wire::Unexpected(name +
                            ": an expectations file is an object with a \"differences\" "
                            "array");
  }
  std::vector<ExpectedDifference> out;
  for (const auto& e : j.at("differences")) {
    if (!e.is_object() || !e.contains("connection") || !e.contains("pdu") || !e.contains("kind") ||
        !e.contains("reason") || !e.at("connection").is_number_unsigned() ||
        !e.at("pdu").is_number_unsigned() || !e.at("kind").is_string() ||
        !e.at("reason").is_string() || (e.contains("field") && !e.at("field").is_string()) ||
        (e.contains("optional") && !e.at("optional").is_boolean())) {
      return wire::Unexpected(name +
                              ": each difference needs connection and pdu (numbers), kind "
                              "and reason (strings), and may name a field");
    }
    ExpectedDifference x;
    x.connection = e.at("connection").get<std::uint32_t>();
    x.pdu = e.at("pdu").get<std::uint64_t>();
    x.kind = e.at("kind").get<std::string>();
    x.field = e.value("field", std::string());
    x.reason = e.at("reason").get<std::string>();
    x.optional = e.value("optional", false);
    if (x.reason.empty()) return wire::Unexpected(name + ": a difference needs its reason");
    out.push_back(std::move(x));
  }
  return out;
}

wire::Result<std::vector<ExpectedDifference>, std::string> load_expectations(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return wire::Unexpected(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_expectations(text.str(), path);
}

void explain(ReplayResult& result, std::vector<ExpectedDifference>& expected) {
  for (auto& c : result.connections) {
    for (auto& d : c.differences) {
      for (auto& e : expected) {
        if (e.connection == d.connection && e.pdu == d.recorded_pdu && e.kind == d.kind &&
            (e.field.empty() || e.field == d.field)) {
          d.explanation = e.reason;
          e.seen = true;
          break;
        }
      }
    }
  }
}

bool replay_passed(const ReplayResult& result, const std::vector<ExpectedDifference>& expected) {
  return result.unexplained() == 0 && unseen(expected).empty();
}

std::string replay_text(const ReplayResult& result,
                        const std::vector<ExpectedDifference>& expected) {
  std::ostringstream out;
  out << "replay of " << result.capture << " against " << result.target << "\n";
  for (const auto& c : result.connections) {
    out << "  c" << c.id << " " << (c.session_type.empty() ? "?" : c.session_type) << " "
        << c.endpoints << ": " << verdict_name(c.verdict);
    if (c.verdict == ConnectionVerdict::Skipped) {
      out << " (" << c.reason << ")\n";
      continue;
    }
    out << " (sent " << c.sent << ", answers compared " << c.compared;
    if (c.not_sent) out << ", not sent " << c.not_sent;
    if (c.tolerated) out << ", tolerated " << c.tolerated;
    out << ")\n";
    for (const auto& d : c.differences) {
      out << "    " << (d.explanation.empty() ? "DIFF " : "expected ") << difference_line(d)
          << "\n";
      if (!d.recorded_summary.empty()) out << "      recorded: " << d.recorded_summary << "\n";
      if (!d.live_summary.empty()) out << "      live:     " << d.live_summary << "\n";
      if (!d.explanation.empty()) out << "      why: " << d.explanation << "\n";
    }
    if (c.suppressed) out << "    ... and " << c.suppressed << " more differences not listed\n";
  }
  for (const auto* e : unseen(expected)) out << "  FAIL " << expectation_line(*e) << "\n";
  out << "summary: " << result.pdus << " PDUs in the capture, " << result.sent << " sent, "
      << result.compared << " answers compared, " << result.differences() << " differences ("
      << result.unexplained() << " unexplained), " << seconds(result.elapsed)
      << " s: " << (replay_passed(result, expected) ? "PASS" : "FAIL") << "\n";
  return out.str();
}

Json replay_json(const ReplayResult& result, const std::vector<ExpectedDifference>& expected) {
  Json j;
  j["capture"] = result.capture;
  j["target"] = result.target;
  j["passed"] = replay_passed(result, expected);
  j["pdus"] = result.pdus;
  j["sent"] = result.sent;
  j["compared"] = result.compared;
  j["differences"] = result.differences();
  j["unexplained"] = result.unexplained();
  j["seconds"] = std::chrono::duration<double>(result.elapsed).count();
  Json conns = Json::array();
  for (const auto& c : result.connections) {
    Json cj;
    cj["id"] = c.id;
    cj["session_type"] = c.session_type;
    cj["endpoints"] = c.endpoints;
    cj["verdict"] = verdict_name(c.verdict);
    if (!c.reason.empty()) cj["reason"] = c.reason;
    cj["sent"] = c.sent;
    cj["not_sent"] = c.not_sent;
    cj["compared"] = c.compared;
    cj["tolerated"] = c.tolerated;
    Json ds = Json::array();
    for (const auto& d : c.differences) {
      Json dj;
      dj["kind"] = d.kind;
      dj["recorded_pdu"] = d.recorded_pdu;
      dj["field"] = d.field;
      dj["recorded"] = d.recorded;
      dj["live"] = d.live;
      dj["recorded_summary"] = d.recorded_summary;
      dj["live_summary"] = d.live_summary;
      if (!d.explanation.empty()) dj["explanation"] = d.explanation;
      ds.push_back(std::move(dj));
    }
    cj["differences"] = std::move(ds);
    cj["differences_not_listed"] = c.suppressed;
    conns.push_back(std::move(cj));
  }
  j["connections"] = std::move(conns);
  Json missing = Json::array();
  for (const auto* e : unseen(expected)) missing.push_back(expectation_line(*e));
  j["expected_not_seen"] = std::move(missing);
  return j;
}

std::string replay_junit(const ReplayResult& result,
                         const std::vector<ExpectedDifference>& expected) {
  using sim::xml_escape;
  std::size_t failures = 0, skipped = 0;
  for (const auto& c : result.connections) {
    if (c.verdict == ConnectionVerdict::Skipped) ++skipped;
    if (c.suppressed || std::any_of(c.differences.begin(), c.differences.end(),
                                    [](const Difference& d) { return d.explanation.empty(); }))
      ++failures;
  }
  const auto missing = unseen(expected);
  const std::size_t tests = result.connections.size() + (missing.empty() ? 0 : 1);
  if (!missing.empty()) ++failures;
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  out << "  <testsuite name=\"replay " << xml_escape(result.capture) << "\" tests=\"" << tests
      << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\""
      << seconds(result.elapsed) << "\">\n";
  for (const auto& c : result.connections) {
    out << "    <testcase classname=\"" << xml_escape(result.capture) << "\" name=\"connection "
        << c.id << " " << xml_escape(c.session_type) << " " << xml_escape(c.endpoints) << "\">\n";
    if (c.verdict == ConnectionVerdict::Skipped) {
      out << "      <skipped message=\"" << xml_escape(c.reason) << "\"/>\n";
    }
    std::string body;
    std::size_t unexplained = 0;
    for (const auto& d : c.differences) {
      if (d.explanation.empty()) ++unexplained;
      body += (d.explanation.empty() ? "DIFF " : "expected ") + difference_line(d) + "\n";
      if (!d.recorded_summary.empty()) body += "  recorded: " + d.recorded_summary + "\n";
      if (!d.live_summary.empty()) body += "  live:     " + d.live_summary + "\n";
      if (!d.explanation.empty()) body += "  why: " + d.explanation + "\n";
    }
    unexplained += c.suppressed;
    if (c.suppressed) body += std::to_string(c.suppressed) + " more differences not listed\n";
    if (unexplained) {
      out << "      <failure message=\"" << unexplained << " unexplained differences\">"
          << xml_escape(body) << "</failure>\n";
    } else if (!body.empty()) {
      out << "      <system-out>" << xml_escape(body) << "</system-out>\n";
    }
    out << "    </testcase>\n";
  }
  if (!missing.empty()) {
    std::string body;
    for (const auto* e : missing) body += expectation_line(*e) + "\n";
    out << "    <testcase classname=\"" << xml_escape(result.capture)
        << "\" name=\"expected differences\">\n      <failure message=\"" << missing.size()
        << " expected differences not seen\">" << xml_escape(body) << "</failure>\n"
        << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace iscsi::replay
