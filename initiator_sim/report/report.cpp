#include "report/report.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "wire/bytes.h"

namespace iscsi::sim {

bool RunReport::unexpected(const CaseResult& r, bool strict) const {
  if (r.verdict == Verdict::Pass) return false;
  if (r.verdict == Verdict::NotApplicable) return strict;
  return !expected.contains(r.id);
}

std::size_t RunReport::count(Verdict v) const {
  std::size_t n = 0;
  for (const auto& r : results) n += r.verdict == v;
  return n;
}

void print_case_line(std::ostream& os, const Scenario& s, const CaseResult& r) {
  static const char* kTags[] = {"PASS", "FAIL", "N/A ", "ERR "};
  os << kTags[static_cast<int>(r.verdict)] << "  " << s.id;
  if (r.verdict != Verdict::Pass) {
    os << "\n      step " << r.step << ": " << r.message;
    if (r.verdict == Verdict::Fail || r.verdict == Verdict::Error) {
      os << "\n      requirement (" << level_name(s.level) << ", RFC 3720 §" << s.rfc3720.front()
         << "): " << s.requirement;
      const std::size_t from = r.exchange.size() > 6 ? r.exchange.size() - 6 : 0;
      for (std::size_t i = from; i < r.exchange.size(); ++i) {
        const auto& w = r.exchange[i];
        os << "\n      " << (w.to_target ? "-> " : "<- ") << w.summary << "\n         "
           << wire::to_hex(
                  wire::ByteView(w.bytes).first(std::min<std::size_t>(w.bytes.size(), 48)));
      }
    }
  }
  os << '\n';
}

namespace {

// The RFC area of a section: its first two components ("10.7.3" -> "10.7").
std::string area_of(const std::string& section) {
  const auto first = section.find('.');
  if (first == std::string::npos) return section;
  const auto second = section.find('.', first + 1);
  return section.substr(0, second);
}

std::string exchange_text(const CaseResult& r) {
  std::ostringstream os;
  for (const auto& w : r.exchange) {
    os << (w.to_target ? "-> " : "<- ") << w.summary << "\n   " << wire::to_hex(w.bytes) << "\n";
  }
  return os.str();
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';  // not representable in XML 1.0
        } else {
          out += c;
        }
    }
  }
  return out;
}

void print_summary(std::ostream& os, const RunReport& report, bool strict) {
  std::map<std::string, std::array<std::size_t, 4>> areas;
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    areas[area_of(report.scenarios[i]->rfc3720.front())]
         [static_cast<int>(report.results[i].verdict)]++;
  }
  os << "\n"
     << std::left << std::setw(14) << "RFC 3720 §" << std::right << std::setw(6) << "pass"
     << std::setw(6) << "fail" << std::setw(6) << "n/a" << std::setw(6) << "error"
     << "\n";
  for (const auto& [area, c] : areas) {
    os << std::left << std::setw(14) << area << std::right << std::setw(6) << c[0] << std::setw(6)
       << c[1] << std::setw(6) << c[2] << std::setw(6) << c[3] << "\n";
  }
  std::size_t unexpected = 0;
  for (const auto& r : report.results) unexpected += report.unexpected(r, strict);
  os << std::left << std::setw(14) << "total" << std::right << std::setw(6)
     << report.count(Verdict::Pass) << std::setw(6) << report.count(Verdict::Fail) << std::setw(6)
     << report.count(Verdict::NotApplicable) << std::setw(6) << report.count(Verdict::Error)
     << "\n";
  os << report.results.size() << " cases against " << report.target << ": " << unexpected
     << " unexpected result" << (unexpected == 1 ? "" : "s") << "\n";
}

std::string junit_xml(const RunReport& report) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(6);  // JUnit consumers want plain decimals, not 1e-05
  double total = 0;
  for (const auto& r : report.results) total += r.seconds;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites name=\"iscsi-conformance\" tests=\"" << report.results.size()
     << "\" failures=\"" << report.count(Verdict::Fail) << "\" errors=\""
     << report.count(Verdict::Error) << "\" time=\"" << total << "\">\n";
  os << "  <testsuite name=\"" << xml_escape(report.target) << "\" tests=\""
     << report.results.size() << "\" failures=\"" << report.count(Verdict::Fail) << "\" errors=\""
     << report.count(Verdict::Error) << "\" skipped=\"" << report.count(Verdict::NotApplicable)
     << "\" time=\"" << total << "\">\n";
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const auto& s = *report.scenarios[i];
    const auto& r = report.results[i];
    os << "    <testcase classname=\"rfc3720." << xml_escape(s.rfc3720.front()) << "\" name=\""
       << xml_escape(s.id) << "\" time=\"" << r.seconds << "\"";
    if (r.verdict == Verdict::Pass) {
      os << "/>\n";
      continue;
    }
    os << ">\n";
    const std::string body = "step " + std::to_string(r.step) + ": " + r.message +
                             "\nrequirement (" + std::string(level_name(s.level)) +
                             "): " + s.requirement + "\n" + exchange_text(r);
    if (r.verdict == Verdict::NotApplicable) {
      os << "      <skipped message=\"" << xml_escape(r.message) << "\"/>\n";
    } else {
      const char* tag = r.verdict == Verdict::Fail ? "failure" : "error";
      os << "      <" << tag << " message=\"" << xml_escape(r.message) << "\" type=\""
         << (report.expected.contains(s.id) ? "expected-divergence" : "conformance") << "\">"
         << xml_escape(body) << "</" << tag << ">\n";
    }
    os << "    </testcase>\n";
  }
  os << "  </testsuite>\n</testsuites>\n";
  return os.str();
}

std::string json_report(const RunReport& report) {
  nlohmann::json j;
  j["target"] = report.target;
  j["summary"] = {{"cases", report.results.size()},
                  {"pass", report.count(Verdict::Pass)},
                  {"fail", report.count(Verdict::Fail)},
                  {"not_applicable", report.count(Verdict::NotApplicable)},
                  {"error", report.count(Verdict::Error)}};
  j["cases"] = nlohmann::json::array();
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const auto& s = *report.scenarios[i];
    const auto& r = report.results[i];
    nlohmann::json c{{"id", s.id},
                     {"title", s.title},
                     {"rfc3720", s.rfc3720},
                     {"rfc7143", s.rfc7143},
                     {"level", std::string(level_name(s.level))},
                     {"verdict", std::string(verdict_name(r.verdict))},
                     {"seconds", r.seconds}};
    if (r.verdict != Verdict::Pass) {
      c["step"] = r.step;
      c["message"] = r.message;
      if (auto it = report.expected.find(s.id); it != report.expected.end())
        c["expected_divergence"] = it->second;
      nlohmann::json ex = nlohmann::json::array();
      for (const auto& w : r.exchange) {
        ex.push_back({{"direction", w.to_target ? "to-target" : "from-target"},
                      {"pdu", w.summary},
                      {"hex", wire::to_hex(w.bytes)}});
      }
      c["exchange"] = std::move(ex);
    }
    j["cases"].push_back(std::move(c));
  }
  return j.dump(2) + "\n";
}

}  // namespace iscsi::sim
