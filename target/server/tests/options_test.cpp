#include "server/options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sys/stat.h>

namespace iscsi::server {
namespace {

TEST(Options, DefaultsAreOnePortalOneTargetOneThinRamLun) {
  auto o = parse_options({});
  ASSERT_TRUE(o.ok()) << o.error();
  ASSERT_EQ(o->portals.size(), 1u);
  EXPECT_EQ(o->portals[0].to_string(), "127.0.0.1:3260");
  ASSERT_EQ(o->targets.size(), 1u);
  EXPECT_EQ(o->targets[0].name, "iqn.2025-12.local:storage.disk1");
  ASSERT_EQ(o->targets[0].luns.size(), 1u);
  EXPECT_EQ(o->targets[0].luns[0].lun, 0);
  EXPECT_EQ(o->targets[0].luns[0].backend.size, 1ull << 30);
  EXPECT_TRUE(o->targets[0].luns[0].options.thin);
}

TEST(Options, FlagsNameTheTargetAndItsLuns) {
  auto o = parse_options({"--portal", "127.0.0.1:3261", "--portal", "[::1]:3262", "--target",
                          "iqn.2025-12.local:t2", "--lun", "0=null:64M", "--lun",
                          "3=ram:16M,ro,bs=4096", "--log-level", "debug", "--nop-interval", "5"});
  ASSERT_TRUE(o.ok()) << o.error();
  ASSERT_EQ(o->portals.size(), 2u);
  EXPECT_EQ(o->portals[1].to_string(), "[::1]:3262");
  EXPECT_EQ(o->targets.at(0).name, "iqn.2025-12.local:t2");
  ASSERT_EQ(o->targets[0].luns.size(), 2u);
  EXPECT_EQ(o->targets[0].luns[1].lun, 3);
  EXPECT_TRUE(o->targets[0].luns[1].options.read_only);
  EXPECT_EQ(o->log_level, LogLevel::Debug);
  EXPECT_EQ(o->limits.nop_in_interval, std::chrono::seconds(5));
}

TEST(Options, ErrorsNameTheBadArgument) {
  auto bad_lun = parse_options({"--lun", "0=tape:1G"});
  ASSERT_FALSE(bad_lun.ok());
  EXPECT_NE(bad_lun.error().find("--lun 0=tape:1G"), std::string::npos);
  EXPECT_FALSE(parse_options({"--portal", "127.0.0.1:99999"}).ok());
  EXPECT_FALSE(parse_options({"--portal"}).ok());
  EXPECT_FALSE(parse_options({"--frobnicate"}).ok());
  EXPECT_FALSE(parse_options({"--lun", "0=ram:1M", "--lun", "0=ram:2M"}).ok());
}

TEST(Options, ConfigFileWithSeveralTargets) {
  const std::string path = ::testing::TempDir() + "/iscsi-target-config-test.json";
  {
    std::ofstream f(path);
    f << R"({"portals": ["127.0.0.1:3270"],
             "targets": [{"name": "iqn.2025-12.local:a", "luns": ["0=ram:8M"]},
                         {"name": "iqn.2025-12.local:b", "alias": "bee", "portal_group_tag": 2,
                          "luns": ["1=null:8M,removable"]}],
             "limits": {"max_burst_length": 65536, "immediate_data": false}})";
  }
  ::chmod(path.c_str(), 0600);
  auto o = parse_options({"--config", path});
  ASSERT_TRUE(o.ok()) << o.error();
  ASSERT_EQ(o->targets.size(), 2u);
  EXPECT_EQ(o->targets[1].alias, "bee");
  EXPECT_EQ(o->targets[1].portal_group_tag, 2);
  EXPECT_EQ(o->limits.max_burst_length, 65536u);
  EXPECT_FALSE(o->limits.immediate_data);
  EXPECT_EQ(o->portals.at(0).port, 3270);
  std::remove(path.c_str());
}

TEST(Options, ConfigFileErrorsAreClear) {
  const std::string path = ::testing::TempDir() + "/iscsi-target-config-bad.json";
  {
    std::ofstream f(path);
    f << R"({"limits": {"max_burst_length": "big"}})";
  }
  ::chmod(path.c_str(), 0600);
  auto o = parse_options({"--config", path});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().find("max_burst_length"), std::string::npos) << o.error();
  {
    std::ofstream f(path);
    f << "{not json";
  }
  EXPECT_FALSE(parse_options({"--config", path}).ok());
  ::chmod(path.c_str(), 0666);
  EXPECT_FALSE(parse_options({"--config", path}).ok());  // world-writable
  std::remove(path.c_str());
  EXPECT_FALSE(parse_options({"--config", path}).ok());  // missing
}

TEST(Portal, Parsing) {
  EXPECT_EQ(parse_portal("10.0.0.1")->port, 3260);
  EXPECT_EQ(parse_portal("[fe80::1]:3261")->host, "fe80::1");
  EXPECT_FALSE(parse_portal("localhost:3260").has_value());  // addresses only
  EXPECT_FALSE(parse_portal(":3260").has_value());
  EXPECT_FALSE(parse_portal("1.2.3.4:").has_value());
}

}  // namespace
}  // namespace iscsi::server
