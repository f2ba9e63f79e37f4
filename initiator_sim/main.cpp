// iscsi-sim: the scriptable initiator and conformance runner.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_number.h"
#include "decode_command.h"
#include "pcap/pcap_writer.h"
#include "replay_command.h"
#include "report/html_report.h"
#include "report/report.h"
#include "runner/runner.h"
#include "scenario/scenario.h"

using namespace iscsi;
using namespace iscsi::sim;

namespace {

const char* kUsage =
    R"(usage: iscsi-sim run [--target HOST:PORT,IQN[,LUN] | --spawn] [--filter ID|SECTION|TAG]...
                    [--strict] [--junit FILE] [--json FILE] [--html FILE] [--expected FILE] [--timeout MS]
                    [--pcap FILE] [--list] [--inject-fault NAME|list]...
                    [--chap U:S [--mutual-chap U:S]] [--discovery-chap U:S [--discovery-mutual-chap U:S]]
                    [--acl] [PATH...]
       iscsi-sim explain ID [PATH...]
       iscsi-sim report --html OUT.html RUN.json...
       iscsi-sim decode CAPTURE [--json] [--port PORT]... [--data-bytes N]
       iscsi-sim replay CAPTURE (--target HOST:PORT[,IQN] | --spawn) [--profile FILE]
                    [--expected FILE] [--junit FILE] [--json FILE] [--map-target IQN]
                    [--map-lun FROM=TO]... [--chap U:S [--mutual-chap U:S]] [--timeout MS]
       iscsi-sim --help | --version

run      runs the conformance cases under PATH (default: conformance/cases) against a
         target reached over TCP (--target) or an in-process reference target
         (--spawn); exits 1 when any case has an unexpected result (a failure or
         error not listed in --expected, or with --strict a not-applicable case)
         --inject-fault (with --spawn; testing the suite itself): the in-process
         target breaks that RFC rule on purpose; `list` prints the faults
         --chap USER:SECRET, --mutual-chap USER:SECRET (the target's name and
         secret), --discovery-chap, --discovery-mutual-chap, --acl (it admits only
         iqn.2025-12.local:iscsi-sim): how the --target is configured; cases whose
         preconditions need another configuration are not applicable
explain  prints a case's requirement and steps
decode   prints every PDU of a pcap/pcapng capture
replay   re-drives a capture's initiator side against a live target and diffs the answers
report   merges JSON reports of several targets into one HTML matrix
)";

int fail(const std::string& message) {
  std::fprintf(stderr, "iscsi-sim: %s\n", message.c_str());
  return 2;
}

bool parse_target(const std::string& text, TargetSpec& t) {
  // HOST:PORT,IQN[,LUN]
  const auto comma = text.find(',');
  if (comma == std::string::npos) return false;
  const std::string portal = text.substr(0, comma);
  std::string rest = text.substr(comma + 1);
  const auto colon = portal.rfind(':');
  if (colon == std::string::npos) return false;
  t.host = portal.substr(0, colon);
  if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']')
    t.host = t.host.substr(1, t.host.size() - 2);
  std::uint64_t port = 0;
  if (!parse_cli_number(portal.substr(colon + 1), 65535, port) || port == 0) return false;
  t.port = static_cast<std::uint16_t>(port);
  const auto comma2 = rest.find(',');
  t.iqn = rest.substr(0, comma2);
  if (comma2 != std::string::npos) {
    std::uint64_t lun = 0;
    if (!parse_cli_number(rest.substr(comma2 + 1), 16383, lun)) return false;
    t.lun = static_cast<decltype(t.lun)>(lun);
  }
  return !t.iqn.empty();
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

int explain(const std::string& id, std::vector<std::string> paths) {
  if (paths.empty()) paths.push_back("conformance/cases");
  auto cases = load_scenarios(paths);
  if (!cases) return fail(cases.error());
  for (const auto& s : *cases) {
    if (s.id != id) continue;
    std::cout << s.id << ": " << s.title << "\n  RFC 3720 §";
    for (const auto& sec : s.rfc3720) std::cout << sec << " ";
    if (!s.rfc7143.empty()) {
      std::cout << "  RFC 7143 §";
      for (const auto& sec : s.rfc7143) std::cout << sec << " ";
    }
    std::cout << "\n  " << level_name(s.level) << ": " << s.requirement << "\n  steps:\n";
    for (std::size_t i = 0; i < s.steps.size(); ++i)
      std::cout << "    " << i + 1 << ". " << s.steps[i].dump() << "\n";
    std::cout << "  file: " << s.path << "\n";
    return 0;
  }
  return fail("no case " + id);
}

// iscsi-sim report --html OUT JSON...: one matrix from several runs' JSON reports.
int report_command(const std::vector<std::string>& args) {
  std::string html_out;
  std::vector<nlohmann::json> runs;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--html" && i + 1 < args.size()) {
      html_out = args[++i];
      continue;
    }
    std::ifstream in(args[i]);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("cases"))
      return fail(args[i] + ": not an iscsi-sim JSON report");
    runs.push_back(std::move(j));
  }
  if (html_out.empty() || runs.empty()) return fail("report --html OUT.html RUN.json...");
  return write_file(html_out, html_matrix(runs)) ? 0 : fail("cannot write " + html_out);
}

int run(const std::vector<std::string>& args) {
  TargetSpec target;
  bool have_target = false, strict = false, list = false;
  std::vector<std::string> filters, paths;
  std::string junit, json_out, html_out, expected_path, pcap_path, target_text, fault_names;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&](std::string& v) {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    std::string v;
    if (a == "--target") {
      if (!next(target_text) || !parse_target(target_text, target))
        return fail("--target HOST:PORT,IQN[,LUN]");
      have_target = true;
    } else if (a == "--spawn") {
      target.in_process = true;
      have_target = true;
      target_text = "in-process reference target";
    } else if (a == "--filter") {
      if (!next(v)) return fail("--filter needs an id, section or tag");
      filters.push_back(v);
    } else if (a == "--strict") {
      strict = true;
    } else if (a == "--junit") {
      if (!next(junit)) return fail("--junit needs a file");
    } else if (a == "--json") {
      if (!next(json_out)) return fail("--json needs a file");
    } else if (a == "--expected") {
      if (!next(expected_path)) return fail("--expected needs a file");
    } else if (a == "--pcap") {
      if (!next(pcap_path)) return fail("--pcap needs a file");
    } else if (a == "--timeout") {
      std::uint64_t ms = 0;
      if (!next(v)) return fail("--timeout needs milliseconds");
      if (!parse_cli_number(v, std::numeric_limits<unsigned>::max(), ms) || ms == 0)
        return fail("--timeout needs a positive number of milliseconds, not '" + v + "'");
      target.timeout = std::chrono::milliseconds(ms);
    } else if (a == "--chap" || a == "--mutual-chap" || a == "--discovery-chap" ||
               a == "--discovery-mutual-chap") {
      // The credentials the live target is configured with (cases whose
      // preconditions need another configuration are not applicable).
      auto c = next(v) ? session::parse_credentials(v) : std::nullopt;
      if (!c) return fail(a + " needs USER:SECRET");
      (a == "--chap"             ? target.auth.chap
       : a == "--mutual-chap"    ? target.auth.mutual
       : a == "--discovery-chap" ? target.auth.discovery_chap
                                 : target.auth.discovery_mutual) = *c;
    } else if (a == "--acl") {
      target.auth.acl = true;
    } else if (a == "--inject-fault") {
      if (!next(v)) return fail("--inject-fault needs a fault name (or list)");
      if (v == "list") {
        for (const auto& f : session::all_faults())
          std::cout << f.name << "  §" << f.section << "  breaks: " << f.rule << "\n";
        return 0;
      }
      const auto fault = session::fault_from_name(v);
      if (!fault) return fail("unknown fault " + v + " (see --inject-fault list)");
      target.faults.add(*fault);
      fault_names += (fault_names.empty() ? "" : ", ") + v;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--list") {
      list = true;
    } else if (a == "--html") {
      if (!next(html_out)) return fail("--html needs a file");
    } else if (!a.empty() && a[0] == '-') {
      return fail("unknown option " + a);
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) paths.push_back("conformance/cases");
  auto loaded = load_scenarios(paths);
  if (!loaded) return fail(loaded.error());
  std::vector<const Scenario*> selected;
  for (const auto& s : *loaded) {
    bool ok = filters.empty();
    for (const auto& f : filters) ok = ok || scenario_matches(s, f);
    if (ok) selected.push_back(&s);
  }
  if (list) {
    for (const Scenario* s : selected)
      std::cout << s->id << "  §" << s->rfc3720.front() << "  " << s->title << "\n";
    return 0;
  }
  if (!have_target) return fail("run needs --target HOST:PORT,IQN[,LUN] or --spawn");
  if (!target.faults.empty()) {
    if (!target.in_process) return fail("--inject-fault works only with --spawn");
    target_text += " with injected faults: " + fault_names;
  }

  RunReport report;
  report.target = target_text;
  if (!expected_path.empty()) {
    std::ifstream in(expected_path);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return fail(expected_path + ": expected {\"id\": \"reason\", ...}");
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!it.value().is_string() || it.value().get<std::string>().empty()) {
        return fail(expected_path + ": " + it.key() + " needs a reason");
      }
      report.expected[it.key()] = it.value().get<std::string>();
    }
  }
  std::unique_ptr<capture::PcapWriter> pcap_writer;
  Runner runner(target);
  if (!pcap_path.empty()) {
    auto w = capture::PcapWriter::create(pcap_path);
    if (!w) return fail("--pcap: " + w.error().message);
    pcap_writer = std::make_unique<capture::PcapWriter>(std::move(*w));
    auto* writer = pcap_writer.get();
    auto conns = std::make_shared<std::map<int, capture::ConnectionId>>();
    // Capture time is synthetic: 100 us per PDU from a fixed epoch, so the
    // same run gives the same file.
    auto clock = std::make_shared<capture::Timestamp>(std::chrono::seconds(1'700'000'000));
    runner.set_tap([writer, conns, clock](int conn, bool to_target, wire::ByteView bytes) {
      *clock += std::chrono::microseconds(100);
      auto it = conns->find(conn);
      if (it == conns->end()) {
        auto id = writer->open_connection(*clock);
        if (!id) return;
        it = conns->emplace(conn, *id).first;
      }
      (void)writer->send(
          it->second,
          to_target ? capture::Direction::ClientToServer : capture::Direction::ServerToClient,
          bytes, *clock);
    });
  }
  const bool tty = isatty(STDOUT_FILENO);
  for (const Scenario* s : selected) {
    if (tty) std::cout << "  .. " << s->id << "\r" << std::flush;
    CaseResult r = runner.run(*s);
    print_case_line(std::cout, *s, r);
    report.scenarios.push_back(s);
    report.results.push_back(std::move(r));
  }
  if (pcap_writer) (void)pcap_writer->flush();
  print_summary(std::cout, report, strict);
  if (!junit.empty() && !write_file(junit, junit_xml(report))) return fail("cannot write " + junit);
  if (!json_out.empty() && !write_file(json_out, json_report(report)))
    return fail("cannot write " + json_out);
  if (!html_out.empty() &&
      !write_file(html_out, html_matrix({nlohmann::json::parse(json_report(report))}))) {
    return fail("cannot write " + html_out);
  }
  for (const auto& r : report.results) {
    if (report.unexpected(r, strict)) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::printf("iscsi-sim %s\n", ISCSI_VERSION);
    return 0;
  }
  const std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "run") return run(args);
  if (cmd == "report") return report_command(args);
  if (cmd == "decode") return decode_command(args);
  if (cmd == "replay") return replay_command(args);
  if (cmd == "explain") {
    if (args.empty()) return fail("explain needs a case id");
    const std::string id = args[0];
    args.erase(args.begin());
    return explain(id, args);
  }
  return fail("unknown command " + cmd + " (see --help)");
}
