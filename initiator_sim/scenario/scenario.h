// A conformance case: one JSON file, keyed to the RFC section whose
// requirement it checks (format: conformance/schema/scenario.schema.json).
// Loading checks the whole structure, so a case that loads runs without
// format surprises; steps keep their JSON and are interpreted by the runner.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "wire/opcode.h"
#include "wire/result.h"

namespace iscsi::sim {

enum class Level { Must, MustNot, Should, ShouldNot, May };

// What a case needs of the target's configuration (the optional top-level
// "preconditions" object). A case without it needs a target without
// authentication or ACL; within the object, an unnamed item is "any".
enum class AuthNeed { Any, None, Chap, MutualChap };

struct Preconditions {
  AuthNeed auth = AuthNeed::None;            // normal sessions
  AuthNeed discovery_auth = AuthNeed::None;  // discovery sessions
  // True: the target admits only the harness's InitiatorName; false: it
  // admits every initiator; nullopt: either.
  std::optional<bool> acl = false;
};

struct Scenario {
  std::string id;
  std::string title;
  std::vector<std::string> rfc3720;
  std::vector<std::string> rfc7143;
  std::string requirement;
  Level level = Level::Must;
  std::vector<std::string> tags;
  Preconditions preconditions;
  std::vector<nlohmann::json> steps;
  std::string path;  // where it was loaded from
};

std::string_view level_name(Level l);

// "ScsiCommand", "NopIn", ...: the PDU names scenarios use (the struct names of wire/pdu.h).
std::optional<wire::Opcode> pdu_by_name(const std::string& name);

// Parses and checks one scenario. Errors name the file, the step and the field.
wire::Result<Scenario, std::string> parse_scenario(const nlohmann::json& j,
                                                   const std::string& path);
wire::Result<Scenario, std::string> load_scenario(const std::string& path);

// Every *.json under each path (files or directories, recursively), sorted
// by id. Any file that fails to load is an error.
wire::Result<std::vector<Scenario>, std::string> load_scenarios(
    const std::vector<std::string>& paths);

// True when `filter` names the case: its id, a section it cites (prefix
// match on "3.2.2" also selects "3.2.2.1"), or one of its tags.
bool scenario_matches(const Scenario& s, const std::string& filter);

}  // namespace iscsi::sim
