// Test support for tshark_wire_test: running tshark and reading what its
// JSON output reports for each iSCSI PDU (fields, expert info, malformed
// packets).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace iscsi::wire::tshark_check {

// Ordered, so that repeated fields (key=value pairs, AHS entries) keep the
// order in which tshark reports them.
using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------
// Running tshark.

struct CommandResult {
  int exit_code = -1;
  std::string out;
};

// Runs `command` through the shell with a hard time limit, capturing stdout.
inline CommandResult run_command(const std::string& command, int timeout_seconds) {
  CommandResult r;
  const std::string full =
      "timeout -k 5 " + std::to_string(timeout_seconds) + " " + command + " </dev/null";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (!pipe) return r;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Preferences fixed on the command line so that a personal Wireshark profile
// cannot change the result: reassembly on (PDUs span TCP segments), checksum
// validation on (a bad IPv4 or TCP checksum becomes an expert error), the
// iSCSI port and bogus-PDU filter at their defaults.
const char* const kTsharkPrefs =
    "-o tcp.desegment_tcp_streams:TRUE -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE "
    "-o tcp.analyze_sequence_numbers:TRUE -o iscsi.desegment_iscsi_messages:TRUE "
    "-o iscsi.target_ports:3260 -o iscsi.bogus_pdu_filter:TRUE "
    "-o iscsi.bogus_pdu_max_data_len:262144";

class TsharkRunner {
 public:
  explicit TsharkRunner(std::filesystem::path config_dir) : config_dir_(std::move(config_dir)) {}

  // Output of `tshark -r file <args>`, stderr discarded ("running as root"
  // notes). An empty WIRESHARK_CONFIG_DIR keeps personal preferences out.
  CommandResult run(const std::string& file, const std::string& args) const {
    return run_command("env WIRESHARK_CONFIG_DIR=" + shell_quote(config_dir_.string()) +
                           " tshark -n -r " + shell_quote(file) + " " + kTsharkPrefs + " " + args +
                           " 2>/dev/null",
                       300);
  }

 private:
  std::filesystem::path config_dir_;
};

// ---------------------------------------------------------------------------
// What tshark reports for one PDU.

struct Reported {
  // Field name -> values in report order (a field can repeat, e.g. keyvalue).
  std::map<std::string, std::vector<std::string>> fields;
};

// Collects the string-valued fields under `node` (recursing through
// subtrees such as "iscsi.flags_tree", "Key/Value Pairs" and "LUN") whose
// name starts with one of `prefixes`.
inline void collect_fields(const Json& node, const std::vector<std::string>& prefixes,
                           Reported& out) {
  auto wanted = [&](const std::string& key) {
    for (const std::string& p : prefixes) {
      if (key.rfind(p, 0) == 0) return true;
    }
    return false;
  };
  if (node.is_array()) {
    for (const Json& v : node) collect_fields(v, prefixes, out);
    return;
  }
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string& key = it.key();
    const Json& value = it.value();
    if (key == "_ws.expert") continue;  // checked separately
    if (value.is_string()) {
      if (wanted(key)) out.fields[key].push_back(value.get<std::string>());
    } else if (value.is_array()) {
      for (const Json& v : value) {
        if (v.is_string()) {
          if (wanted(key)) out.fields[key].push_back(v.get<std::string>());
        } else {
          collect_fields(v, prefixes, out);
        }
      }
    } else if (value.is_object()) {
      collect_fields(value, prefixes, out);
    }
  }
}

const std::vector<std::string> kIscsiPrefixes = {"iscsi.", "scsi.lun"};

// Walks a frame's layers for expert info at warning/error severity and for
// malformed-packet markers; returns a description of each.
inline void collect_problems(const Json& node, std::vector<std::string>& problems) {
  // Severity values of epan/proto.h: PI_WARN 0x00600000, PI_ERROR 0x00800000.
  constexpr long long kWarn = 0x00600000;
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "_ws.malformed") {
        problems.push_back("malformed packet: " + it.value().dump());
      } else if (it.key() == "_ws.expert") {
        auto check = [&](const Json& e) {
          long long severity = 0;
          if (e.is_object() && e.contains("_ws.expert.severity")) {
            severity = std::stoll(e["_ws.expert.severity"].get<std::string>(), nullptr, 0);
          }
          if (severity >= kWarn) problems.push_back("expert info: " + e.dump());
        };
        if (it.value().is_array()) {
          for (const Json& e : it.value()) check(e);
        } else {
          check(it.value());
        }
      }
      collect_problems(it.value(), problems);
    }
  } else if (node.is_array()) {
    for (const Json& v : node) collect_problems(v, problems);
  }
}

struct DissectedPdu {
  long frame = 0;
  Reported iscsi;
  Reported scsi;  // fields of the SCSI layer(s) of the same frame
};

struct Dissection {
  std::vector<DissectedPdu> pdus;
  std::vector<std::string> problems;  // "frame N: ..."
};

inline Dissection parse_dissection(const Json& packets) {
  Dissection d;
  for (const Json& packet : packets) {
    const Json& layers = packet["_source"]["layers"];
    const long frame = std::stol(layers["frame"]["frame.number"].get<std::string>());
    std::vector<std::string> problems;
    collect_problems(layers, problems);
    for (const std::string& p : problems) {
      d.problems.push_back("frame " + std::to_string(frame) + ": " + p);
    }
    if (!layers.contains("iscsi")) continue;
    Reported scsi;
    if (layers.contains("scsi")) collect_fields(layers["scsi"], {"scsi", "data.data"}, scsi);
    // tshark 4.0 quirk: the flags byte of several PDUs ("iscsi.flags" and
    // its "iscsi.flags_tree") is added to the frame's top-level tree rather
    // than under the iSCSI protocol item, so it shows up beside the "iscsi"
    // layer. It belongs to the frame's PDU; with several PDUs in one frame
    // it could not be attributed, which the check below refuses.
    Reported top;
    for (auto it = layers.begin(); it != layers.end(); ++it) {
      if (it.key().rfind("iscsi.", 0) != 0) continue;
      Json wrapper = Json::object();
      wrapper[it.key()] = it.value();
      collect_fields(wrapper, kIscsiPrefixes, top);
    }
    const Json& iscsi = layers["iscsi"];
    const std::size_t count = iscsi.is_array() ? iscsi.size() : 1;
    if (count > 1 && !top.fields.empty()) {
      d.problems.push_back("frame " + std::to_string(frame) +
                           ": top-level iSCSI fields in a frame with several PDUs");
    }
    auto add = [&](const Json& one) {
      DissectedPdu p;
      p.frame = frame;
      collect_fields(one, kIscsiPrefixes, p.iscsi);
      for (const auto& [k, v] : top.fields) {
        p.iscsi.fields[k].insert(p.iscsi.fields[k].end(), v.begin(), v.end());
      }
      p.scsi = scsi;
      d.pdus.push_back(std::move(p));
    };
    if (iscsi.is_array()) {
      for (const Json& one : iscsi) add(one);
    } else {
      add(iscsi);
    }
  }
  return d;
}

}  // namespace iscsi::wire::tshark_check
