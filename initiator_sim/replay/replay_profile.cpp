#include "replay/replay_profile.h"

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "replay/default_profile_text.h"

namespace iscsi::replay {

namespace {

using Json = nlohmann::json;

wire::Result<std::set<std::string>, std::string> string_set(const Json& j, const char* key) {
  std::set<std::string> out;
  if (!j.contains(key)) return out;
  const Json& v = j.at(key);
  if (!v.is_array()) return wire::Unexpected(std::string(key) + " must be an array of strings");
  for (const auto& e : v) {
    if (!e.is_string()) return wire::Unexpected(std::string(key) + " must hold only strings");
    out.insert(e.get<std::string>());
  }
  return out;
}

wire::Result<std::string, std::string> choice(const Json& j, const char* key,
                                              std::initializer_list<std::string_view> allowed,
                                              std::string fallback) {
  if (!j.contains(key)) return fallback;
  const Json& v = j.at(key);
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    for (auto a : allowed) {
      if (s == a) return s;
    }
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : " | ") + std::string(a);
  return wire::Unexpected(std::string(key) + " must be one of " + list);
}

}  // namespace

bool ReplayProfile::field_ignored(wire::Opcode op, std::string_view field) const {
  if (ignore_fields.contains(std::string(field))) return true;
  const auto name = wire::opcode_name(static_cast<std::uint8_t>(op));
  return name && ignore_fields.contains(std::string(*name) + "." + std::string(field));
}

wire::Result<ReplayProfile, std::string> parse_profile(std::string_view text,
                                                       const std::string& name) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return wire::Unexpected(name + ": not a JSON object");
  }
  static const std::set<std::string> known{"description",        "ignore_fields", "ignore_keys",
                                           "ignore_scsi_data",   "sense",         "data_in",
                                           "unsolicited_nop_in", "async_messages"};
  for (const auto& [k, v] : j.items()) {
    if (!known.contains(k)) return wire::Unexpected(name + ": unknown key \"" + k + "\"");
  }
  ReplayProfile p;
  p.name = name;
  if (j.contains("description")) {
    if (!j.at("description").is_string())
      return wire::Unexpected(name + ": description must be a string");
    p.description = j.at("description").get<std::string>();
  }
  auto fields = string_set(j, "ignore_fields");
  if (!fields) return wire::Unexpected(name + ": " + fields.error());
  p.ignore_fields = std::move(*fields);
  auto keys = string_set(j, "ignore_keys");
  if (!keys) return wire::Unexpected(name + ": " + keys.error());
  p.ignore_keys = std::move(*keys);
  if (j.contains("ignore_scsi_data")) {
    const Json& d = j.at("ignore_scsi_data");
    if (!d.is_object())
      return wire::Unexpected(name + ": ignore_scsi_data must map opcodes to reasons");
    for (const auto& [k, v] : d.items()) {
      unsigned op = 0;
      const bool hex = k.size() > 2 && k[0] == '0' && (k[1] == 'x' || k[1] == 'X');
      const char* b = k.data() + (hex ? 2 : 0);
      const char* e = k.data() + k.size();
      auto [ptr, ec] = std::from_chars(b, e, op, hex ? 16 : 10);
      if (ec != std::errc() || ptr != e || op > 0xff || !v.is_string()) {
        return wire::Unexpected(name + ": ignore_scsi_data: \"" + k +
                                "\" must be an operation code (0x00-0xff) with a reason");
      }
      p.ignore_scsi_data[static_cast<std::uint8_t>(op)] = v.get<std::string>();
    }
  }
  auto sense = choice(j, "sense", {"key-asc-ascq", "bytes"}, "key-asc-ascq");
  auto data_in = choice(j, "data_in", {"by-task", "by-pdu"}, "by-task");
  auto nop = choice(j, "unsolicited_nop_in", {"ignore", "compare"}, "compare");
  auto async = choice(j, "async_messages", {"ignore", "compare"}, "compare");
  for (const auto* r : {&sense, &data_in, &nop, &async}) {
    if (!*r) return wire::Unexpected(name + ": " + r->error());
  }
  p.sense_bytes = *sense == "bytes";
  p.data_in_by_task = *data_in == "by-task";
  p.ignore_unsolicited_nop_in = *nop == "ignore";
  p.ignore_async_messages = *async == "ignore";
  return p;
}

wire::Result<ReplayProfile, std::string> load_profile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return wire::Unexpected(path + ": cannot read the profile");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_profile(text.str(), path);
}

const ReplayProfile& default_profile() {
  static const ReplayProfile profile = [] {
    auto p = parse_profile(kDefaultProfileText, "default");
    // The built-in text is checked by a test; an invalid one cannot ship.
    return p ? *p : strict_profile();
  }();
  return profile;
}

ReplayProfile strict_profile() {
  ReplayProfile p;
  p.name = "strict";
  p.description = "nothing tolerated";
  p.data_in_by_task = false;
  p.sense_bytes = true;
  p.ignore_unsolicited_nop_in = false;
  p.ignore_async_messages = false;
  return p;
}

}  // namespace iscsi::replay
