#include "scenario/scenario.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "wire/opcode.h"
#include "wire/pdu_fields.h"

namespace iscsi::sim {

using nlohmann::json;
using wire::Unexpected;

std::string_view level_name(Level l) {
  switch (l) {
    case Level::Must:
      return "MUST";
    case Level::MustNot:
      return "MUST NOT";
    case Level::Should:
      return "SHOULD";
    case Level::ShouldNot:
      return "SHOULD NOT";
    case Level::May:
      return "MAY";
  }
  return "?";
}

namespace {

// The keys each step kind accepts.
const std::map<std::string, std::set<std::string>>& step_keys() {
  static const std::map<std::string, std::set<std::string>> k{
      {"connect", {"name"}},
      {"use", {}},
      {"login",
       {"keys", "security", "security_stage", "isid", "tsih", "cid", "expect", "require",
        "replace_defaults", "auth"}},
      {"send", {"pdu", "fields", "cdb", "data", "text", "fill", "ahs", "raw"}},
      {"expect",
       {"pdu", "fields", "keys", "data", "data_length", "sense", "capture", "within_ms", "any_of",
        "closed", "capture_keys"}},
      {"expect_close", {"within_ms"}},
      {"expect_silence", {"ms"}},
      {"scsi", {"cdb", "read", "write", "edtl", "data", "fill", "lun", "attr", "expect"}},
      // A Logout Response is checked by the step itself (it must come, with
      // Response 0); cases that examine its fields send a LogoutRequest and
      // expect the response instead.
      {"logout", {}},
      {"clear_unit_attention", {}},
      {"sleep", {"ms"}},
  };
  return k;
}

// rfc3720-<section>-<words> (section: digits separated by dots; words:
// [a-z0-9]+ separated by single dashes) or rfc3720-app-<letter>-<words>.
// Matched by hand: std::regex recurses per character and a long id from a
// hostile case file overflowed the stack.
bool valid_case_id(std::string_view id) {
  constexpr std::size_t kMaxLength = 200;
  constexpr std::string_view kPrefix = "rfc3720-";
  if (id.size() > kMaxLength || !id.starts_with(kPrefix)) return false;
  id.remove_prefix(kPrefix.size());
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (id.starts_with("app-") && id.size() > 6 && id[4] >= 'a' && id[4] <= 'z' && id[5] == '-') {
    const std::string_view words = id.substr(6);
    for (char c : words) {
      if (!lower_or_digit(c) && c != '-') return false;
    }
    return true;
  }
  // The section: [0-9]+(\.[0-9]+)*
  std::size_t i = 0;
  for (;;) {
    const std::size_t start = i;
    while (i < id.size() && digit(id[i])) ++i;
    if (i == start) return false;
    if (i < id.size() && id[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  if (i >= id.size() || id[i] != '-') return false;
  // The words: [a-z0-9]+(-[a-z0-9]+)*
  bool word_started = false;
  for (++i; i < id.size(); ++i) {
    if (lower_or_digit(id[i])) {
      word_started = true;
    } else if (id[i] == '-' && word_started) {
      word_started = false;
    } else {
      return false;
    }
  }
  return word_started;
}

}  // namespace

std::optional<wire::Opcode> pdu_by_name(const std::string& name) {
  static const std::map<std::string, wire::Opcode> names{
      {"NopOut", wire::Opcode::NopOut},
      {"ScsiCommand", wire::Opcode::ScsiCommand},
      {"TaskManagementRequest", wire::Opcode::TaskManagementRequest},
      {"LoginRequest", wire::Opcode::LoginRequest},
      {"TextRequest", wire::Opcode::TextRequest},
      {"ScsiDataOut", wire::Opcode::ScsiDataOut},
      {"LogoutRequest", wire::Opcode::LogoutRequest},
      {"SnackRequest", wire::Opcode::SnackRequest},
      {"NopIn", wire::Opcode::NopIn},
      {"ScsiResponse", wire::Opcode::ScsiResponse},
      {"TaskManagementResponse", wire::Opcode::TaskManagementResponse},
      {"LoginResponse", wire::Opcode::LoginResponse},
      {"TextResponse", wire::Opcode::TextResponse},
      {"ScsiDataIn", wire::Opcode::ScsiDataIn},
      {"LogoutResponse", wire::Opcode::LogoutResponse},
      {"ReadyToTransfer", wire::Opcode::ReadyToTransfer},
      {"AsyncMessage", wire::Opcode::AsyncMessage},
      {"Reject", wire::Opcode::Reject}};
  auto it = names.find(name);
  if (it == names.end()) return std::nullopt;
  return it->second;
}

namespace {

std::optional<std::string> check_fields(const json& fields, wire::Opcode op,
                                        const std::string& where) {
  if (!fields.is_object()) return where + ": \"fields\" must be an object";
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const wire::FieldInfo* f = wire::find_field(op, it.key());
    if (!f || f->kind == wire::FieldKind::Bytes) {
      return where + ": " + std::string(wire::opcode_name(op)) + " has no numeric field \"" +
             it.key() + "\"";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_expect(const json& e, const std::string& where) {
  if (!e.is_object()) return where + ": expect must be an object";
  for (auto it = e.begin(); it != e.end(); ++it) {
    if (!step_keys().at("expect").contains(it.key())) {
      return where + ": unknown expect key \"" + it.key() + "\"";
    }
  }
  if (e.contains("any_of")) {
    if (!e["any_of"].is_array() || e["any_of"].empty())
      return where + ": any_of needs alternatives";
    for (std::size_t i = 0; i < e["any_of"].size(); ++i) {
      if (auto err = check_expect(e["any_of"][i], where + " any_of[" + std::to_string(i) + "]"))
        return err;
    }
    return std::nullopt;
  }
  if (e.value("closed", false)) return std::nullopt;
  if (!e.contains("pdu") || !e["pdu"].is_string()) return where + ": expect needs \"pdu\"";
  const auto op = pdu_by_name(e["pdu"].get<std::string>());
  if (!op) return where + ": unknown PDU \"" + e["pdu"].get<std::string>() + "\"";
  if (e.contains("fields")) {
    if (auto err = check_fields(e["fields"], *op, where)) return err;
  }
  if (e.contains("capture")) {
    if (!e["capture"].is_object()) return where + ": capture must map names to fields";
    for (auto it = e["capture"].begin(); it != e["capture"].end(); ++it) {
      if (!it.value().is_string() || !wire::find_field(*op, it.value().get<std::string>())) {
        return where + ": capture of an unknown field";
      }
    }
  }
  if (e.contains("capture_keys")) {
    if (!e["capture_keys"].is_object()) return where + ": capture_keys must map names to keys";
    for (auto it = e["capture_keys"].begin(); it != e["capture_keys"].end(); ++it) {
      if (!it.value().is_string()) return where + ": capture_keys maps names to key names";
    }
  }
  return std::nullopt;
}

wire::Result<AuthNeed, std::string> auth_need(const json& j, const std::string& where) {
  static const std::map<std::string, AuthNeed> names{{"any", AuthNeed::Any},
                                                     {"none", AuthNeed::None},
                                                     {"chap", AuthNeed::Chap},
                                                     {"mutual-chap", AuthNeed::MutualChap}};
  if (!j.is_string() || !names.contains(j.get<std::string>()))
    return Unexpected(where + " must be any, none, chap or mutual-chap");
  return names.at(j.get<std::string>());
}

wire::Result<Preconditions, std::string> parse_preconditions(const json& j,
                                                             const std::string& path) {
  if (!j.is_object()) return Unexpected(path + ": preconditions must be an object");
  Preconditions p{AuthNeed::Any, AuthNeed::Any, std::nullopt};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "auth" || it.key() == "discovery_auth") {
      auto need = auth_need(it.value(), path + ": preconditions." + it.key());
      if (!need) return Unexpected(need.error());
      (it.key() == "auth" ? p.auth : p.discovery_auth) = *need;
    } else if (it.key() == "acl") {
      if (!it.value().is_boolean()) return Unexpected(path + ": preconditions.acl is a boolean");
      p.acl = it.value().get<bool>();
    } else {
      return Unexpected(path + ": unknown precondition \"" + it.key() + "\"");
    }
  }
  return p;
}

std::optional<std::string> check_step(const json& step, const std::string& where) {
  if (!step.is_object()) return where + ": a step is an object";
  std::string kind;
  for (auto it = step.begin(); it != step.end(); ++it) {
    if (it.key() == "note") continue;
    if (!step_keys().contains(it.key())) return where + ": unknown step \"" + it.key() + "\"";
    if (!kind.empty()) return where + ": one action per step (" + kind + ", " + it.key() + ")";
    kind = it.key();
  }
  if (kind.empty()) return where + ": empty step";
  const json& body = step[kind];
  if (kind == "use")
    return body.is_string() ? std::nullopt
                            : std::optional<std::string>(where + ": use needs a connection name");
  if (!body.is_object()) return where + ": " + kind + " takes an object";
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (!step_keys().at(kind).contains(it.key())) {
      return where + ": " + kind + " has no option \"" + it.key() + "\"";
    }
  }
  if (kind == "send") {
    if (!body.contains("pdu") || !body["pdu"].is_string()) return where + ": send needs \"pdu\"";
    const auto op = pdu_by_name(body["pdu"].get<std::string>());
    if (!op) return where + ": unknown PDU \"" + body["pdu"].get<std::string>() + "\"";
    if (body.contains("fields")) {
      if (auto err = check_fields(body["fields"], *op, where)) return err;
    }
    if (body.contains("raw")) {
      if (!body["raw"].is_array()) return where + ": raw is a list of {offset, hex}";
      for (const auto& r : body["raw"]) {
        if (!r.is_object() || !r.contains("offset") || !r["offset"].is_number_unsigned() ||
            !r.contains("hex") || !r["hex"].is_string()) {
          return where + ": raw entries are {\"offset\": N, \"hex\": \"..\"}";
        }
      }
    }
  }
  if (kind == "expect") return check_expect(body, where);
  if (kind == "scsi" && !body.contains("cdb")) return where + ": scsi needs \"cdb\"";
  if (kind == "login" && body.contains("expect") && !body["expect"].is_object()) {
    return where + ": login expect must be an object";
  }
  if (kind == "login" && body.contains("auth")) {
    const json& a = body["auth"];
    if (!a.is_string() || (a != "none" && a != "chap" && a != "mutual-chap"))
      return where + ": login auth is none, chap or mutual-chap";
  }
  return std::nullopt;
}

}  // namespace

wire::Result<Scenario, std::string> parse_scenario(const json& j, const std::string& path) {
  static const std::set<std::string> top{"$schema", "id",           "title", "rfc3720",
                                         "rfc7143", "requirement",  "level", "tags",
                                         "steps",   "preconditions"};
  if (!j.is_object()) return Unexpected(path + ": not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!top.contains(it.key())) return Unexpected(path + ": unknown field \"" + it.key() + "\"");
  }
  Scenario s;
  s.path = path;
  try {
    s.id = j.at("id").get<std::string>();
    if (!valid_case_id(s.id)) {
      return Unexpected(path + ": id \"" + s.id + "\" is not rfc3720-<section>-<words>");
    }
    s.title = j.at("title").get<std::string>();
    s.rfc3720 = j.at("rfc3720").get<std::vector<std::string>>();
    s.rfc7143 = j.value("rfc7143", std::vector<std::string>{});
    s.requirement = j.at("requirement").get<std::string>();
    const std::string level = j.at("level").get<std::string>();
    static const std::map<std::string, Level> levels{{"MUST", Level::Must},
                                                     {"MUST NOT", Level::MustNot},
                                                     {"SHOULD", Level::Should},
                                                     {"SHOULD NOT", Level::ShouldNot},
                                                     {"MAY", Level::May}};
    if (!levels.contains(level))
      return Unexpected(path + ": level must be MUST, MUST NOT, SHOULD, SHOULD NOT or MAY");
    s.level = levels.at(level);
    s.tags = j.value("tags", std::vector<std::string>{});
    if (s.rfc3720.empty()) return Unexpected(path + ": rfc3720 lists no section");
    if (j.contains("preconditions")) {
      auto p = parse_preconditions(j["preconditions"], path);
      if (!p) return Unexpected(p.error());
      s.preconditions = *p;
    }
    const json& steps = j.at("steps");
    if (!steps.is_array() || steps.empty())
      return Unexpected(path + ": steps must be a non-empty list");
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (auto err = check_step(steps[i], path + ": step " + std::to_string(i + 1)))
        return Unexpected(*err);
      s.steps.push_back(steps[i]);
    }
  } catch (const json::exception& e) {
    return Unexpected(path + ": " + e.what());
  }
  return s;
}

wire::Result<Scenario, std::string> load_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected("cannot read " + path);
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return Unexpected(path + ": not valid JSON");
  return parse_scenario(j, path);
}

wire::Result<std::vector<Scenario>, std::string> load_scenarios(
    const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".json" &&
            e.path().filename().string().find("schema") == std::string::npos &&
            e.path().parent_path().filename() != "expected") {
          files.push_back(e.path().string());
        }
      }
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      return Unexpected("no such file or directory: " + p);
    }
  }
  std::vector<Scenario> out;
  std::set<std::string> ids;
  for (const std::string& f : files) {
    auto s = load_scenario(f);
    if (!s) return Unexpected(s.error());
    if (!ids.insert(s->id).second) return Unexpected(f + ": duplicate id " + s->id);
    out.push_back(std::move(*s));
  }
  std::sort(out.begin(), out.end(),
            [](const Scenario& a, const Scenario& b) { return a.id < b.id; });
  return out;
}

bool scenario_matches(const Scenario& s, const std::string& filter) {
  if (filter.empty() || s.id == filter) return true;
  for (const std::string& sec : s.rfc3720) {
    if (sec == filter || sec.rfind(filter + ".", 0) == 0) return true;
  }
  return std::find(s.tags.begin(), s.tags.end(), filter) != s.tags.end();
}

}  // namespace iscsi::sim
