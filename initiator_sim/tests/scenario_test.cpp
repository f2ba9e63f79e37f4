#include "scenario/scenario.h"

#include <gtest/gtest.h>

namespace iscsi::sim {
namespace {

nlohmann::json minimal() {
  return nlohmann::json::parse(R"({
    "id": "rfc3720-10.18-example-case",
    "title": "t", "rfc3720": ["10.18"], "requirement": "r", "level": "MUST",
    "steps": [{"login": {}}, {"send": {"pdu": "NopOut", "fields": {"CmdSN": "auto+1"}}},
              {"expect": {"pdu": "NopIn", "fields": {"InitiatorTaskTag": "$itt"}}}]})");
}

TEST(Scenario, LoadsAValidCase) {
  auto s = parse_scenario(minimal(), "x.json");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->id, "rfc3720-10.18-example-case");
  EXPECT_EQ(s->level, Level::Must);
  EXPECT_EQ(s->steps.size(), 3u);
}

TEST(Scenario, CaseIdsFollowTheSectionAndWordsPattern) {
  for (const char* id : {"rfc3720-10.18-example-case", "rfc3720-3-x", "rfc3720-12.1.2-a1-b2",
                         "rfc3720-app-d-discovery-rejects-scsi"}) {
    auto j = minimal();
    j["id"] = id;
    EXPECT_TRUE(parse_scenario(j, "x.json").ok()) << id;
  }
  for (const char* id : {"rfc3720-10.18-", "rfc3720-10.18", "rfc3720-.18-x", "rfc3720-10..18-x",
                         "rfc3720-10.18-a--b", "rfc3720-10.18-Upper", "rfc3720-app-d-",
                         "rfc3720-app-dd-x", "rfc7143-10.18-x", "rfc3720-10.18-a b"}) {
    auto j = minimal();
    j["id"] = id;
    EXPECT_FALSE(parse_scenario(j, "x.json").ok()) << id;
  }
  // A hostile case file's very long id is refused, not matched recursively.
  auto j = minimal();
  j["id"] = "rfc3720-12.13-" + std::string(100000, 'a');
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());
}

TEST(Scenario, RejectsStructuralMistakesWithTheirLocation) {
  auto j = minimal();
  j["id"] = "cmdsn-test";
  EXPECT_NE(parse_scenario(j, "x.json").error().find("is not rfc3720-"), std::string::npos);

  j = minimal();
  j["steps"][1]["send"]["pdu"] = "NoSuchPdu";
  EXPECT_NE(parse_scenario(j, "x.json").error().find("step 2"), std::string::npos);

  j = minimal();
  j["steps"][1]["send"]["fields"] = {{"StatSN", 1}};  // not a NOP-Out field
  EXPECT_NE(parse_scenario(j, "x.json").error().find("StatSN"), std::string::npos);

  j = minimal();
  j["steps"][0] = {{"login", {}}, {"logout", {}}};
  EXPECT_NE(parse_scenario(j, "x.json").error().find("one action per step"), std::string::npos);

  // A logout step checks the response itself; an expectation it would not
  // check is refused rather than silently ignored.
  j = minimal();
  j["steps"][1] = {{"logout", {{"expect", {{"fields", {{"Response", 0}}}}}}}};
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());

  j = minimal();
  j["level"] = "MUSTN'T";
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());

  j = minimal();
  j["surprise"] = 1;
  EXPECT_NE(parse_scenario(j, "x.json").error().find("unknown field"), std::string::npos);

  j = minimal();
  j["steps"] = nlohmann::json::array();
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());

  j = minimal();
  j["steps"][2]["expect"]["capture"] = {{"v", "NoField"}};
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());
}

TEST(Scenario, FilterBySectionPrefixIdOrTag) {
  auto s = *parse_scenario(minimal(), "x.json");
  s.tags = {"nop"};
  EXPECT_TRUE(scenario_matches(s, "10"));
  EXPECT_TRUE(scenario_matches(s, "10.18"));
  EXPECT_FALSE(scenario_matches(s, "10.1"));  // a prefix counts only at a section boundary
  EXPECT_TRUE(scenario_matches(s, "nop"));
  EXPECT_TRUE(scenario_matches(s, "rfc3720-10.18-example-case"));
  EXPECT_FALSE(scenario_matches(s, "logout"));
}

}  // namespace
}  // namespace iscsi::sim

namespace iscsi::sim {
namespace {

TEST(Scenario, Preconditions) {
  // Without the object: no authentication, no ACL.
  auto s = parse_scenario(minimal(), "x.json");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->preconditions.auth, AuthNeed::None);
  EXPECT_EQ(s->preconditions.discovery_auth, AuthNeed::None);
  EXPECT_EQ(s->preconditions.acl, std::optional<bool>(false));
  // Within it, what is not named is "any".
  auto j = minimal();
  j["preconditions"] = {{"auth", "mutual-chap"}};
  s = parse_scenario(j, "x.json");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->preconditions.auth, AuthNeed::MutualChap);
  EXPECT_EQ(s->preconditions.discovery_auth, AuthNeed::Any);
  EXPECT_FALSE(s->preconditions.acl.has_value());
  j["preconditions"] = {{"discovery_auth", "chap"}, {"acl", true}};
  s = parse_scenario(j, "x.json");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->preconditions.discovery_auth, AuthNeed::Chap);
  EXPECT_EQ(s->preconditions.acl, std::optional<bool>(true));

  j["preconditions"] = {{"auth", "kerberos"}};
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());
  j["preconditions"] = {{"chap", true}};
  EXPECT_NE(parse_scenario(j, "x.json").error().find("unknown precondition"), std::string::npos);
  j["preconditions"] = {{"acl", "yes"}};
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());
}

TEST(Scenario, LoginAuthAndCaptureKeys) {
  auto j = minimal();
  j["steps"][0] = {{"login", {{"auth", "chap"}}}};
  EXPECT_TRUE(parse_scenario(j, "x.json").ok());
  j["steps"][0] = {{"login", {{"auth", "srp"}}}};
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());
  j = minimal();
  j["steps"][2]["expect"]["capture_keys"] = {{"chap_c", "CHAP_C"}};
  EXPECT_TRUE(parse_scenario(j, "x.json").ok());
  j["steps"][2]["expect"]["capture_keys"] = {{"chap_c", 5}};
  EXPECT_FALSE(parse_scenario(j, "x.json").ok());
}

}  // namespace
}  // namespace iscsi::sim
