#include "replay/replay_profile.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace iscsi::replay {
namespace {

TEST(ReplayProfile, BuiltInDefaultIsTheRepositoryFile) {
  std::ifstream in(std::string(ISCSI_SIM_SOURCE_DIR) + "/../captures/profiles/default.json");
  ASSERT_TRUE(in);
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse_profile(text.str(), "default");
  ASSERT_TRUE(parsed) << parsed.error();
  const ReplayProfile& built_in = default_profile();
  EXPECT_EQ(built_in.name, "default");
  EXPECT_EQ(built_in.ignore_fields, parsed->ignore_fields);
  EXPECT_EQ(built_in.ignore_keys, parsed->ignore_keys);
  EXPECT_EQ(built_in.ignore_scsi_data, parsed->ignore_scsi_data);
  EXPECT_TRUE(built_in.data_in_by_task);
  EXPECT_TRUE(built_in.ignore_unsolicited_nop_in);
  // Session variables are mapped, never tolerated wholesale.
  for (const char* f : {"StatSN", "TargetTransferTag", "TSIH", "InitiatorTaskTag"}) {
    EXPECT_FALSE(built_in.ignore_fields.contains(f)) << f;
  }
}

TEST(ReplayProfile, FieldsApplyToEveryPduOrToOneByName) {
  auto p = parse_profile(R"({"ignore_fields": ["MaxCmdSN", "SCSI Response.ExpDataSN"]})", "t");
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->field_ignored(wire::Opcode::NopIn, "MaxCmdSN"));
  EXPECT_TRUE(p->field_ignored(wire::Opcode::ScsiResponse, "ExpDataSN"));
  EXPECT_FALSE(p->field_ignored(wire::Opcode::TaskManagementResponse, "ExpDataSN"));
  EXPECT_FALSE(p->field_ignored(wire::Opcode::ScsiResponse, "Status"));
}

TEST(ReplayProfile, ScsiDataOpcodesInHexOrDecimal) {
  auto p = parse_profile(R"({"ignore_scsi_data": {"0x12": "inquiry", "26": "mode sense"}})", "t");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->ignore_scsi_data.size(), 2u);
  EXPECT_TRUE(p->ignore_scsi_data.contains(0x12));
  EXPECT_TRUE(p->ignore_scsi_data.contains(0x1a));
}

TEST(ReplayProfile, ChoicesDefaultToComparing) {
  auto p = parse_profile("{}", "t");
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->ignore_fields.empty());
  EXPECT_FALSE(p->sense_bytes);
  EXPECT_TRUE(p->data_in_by_task);
  EXPECT_FALSE(p->ignore_unsolicited_nop_in);
  EXPECT_FALSE(p->ignore_async_messages);
}

TEST(ReplayProfile, MalformedProfilesAreClearErrors) {
  for (const char* bad :
       {"", "[]", "{\"ignore_fields\": \"MaxCmdSN\"}", "{\"ignore_fields\": [1]}",
        "{\"data_in\": \"by-byte\"}", "{\"ignore_scsi_data\": {\"0x100\": \"x\"}}",
        "{\"ignore_scsi_data\": {\"zz\": \"x\"}}", "{\"ignore_scsi_data\": {\"0x12\": 5}}",
        "{\"ignore_field\": []}", "{\"sense\": 3}"}) {
    auto p = parse_profile(bad, "bad.json");
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().rfind("bad.json: ", 0), 0u) << p.error();
  }
}

TEST(ReplayProfile, StrictToleratesNothing) {
  const ReplayProfile p = strict_profile();
  EXPECT_TRUE(p.ignore_fields.empty());
  EXPECT_TRUE(p.ignore_keys.empty());
  EXPECT_TRUE(p.ignore_scsi_data.empty());
  EXPECT_TRUE(p.sense_bytes);
  EXPECT_FALSE(p.data_in_by_task);
}

TEST(ReplayProfile, MissingFileIsAnError) {
  auto p = load_profile("/nonexistent/profile.json");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace iscsi::replay
