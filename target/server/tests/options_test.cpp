#include "server/options.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

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

TEST(Options, AuthenticationFlags) {
  auto o =
      parse_options({"--chap", "alice:initiator:secret", "--mutual-chap", "tgt:target-secret-1",
                     "--allow-initiator", "iqn.2025-12.local:host1", "--allow-initiator",
                     "iqn.2025-12.local:host2", "--discovery-chap", "disc:discovery-secret",
                     "--discovery-mutual-chap", "dtgt:discovery-target-1"});
  ASSERT_TRUE(o.ok()) << o.error();
  const TargetSpec& t = o->targets.at(0);
  ASSERT_TRUE(t.auth.chap.has_value());
  EXPECT_EQ(t.auth.chap->user, "alice");
  EXPECT_EQ(t.auth.chap->secret, "initiator:secret");
  EXPECT_EQ(t.auth.mutual->user, "tgt");
  EXPECT_EQ(t.allowed_initiators.size(), 2u);
  EXPECT_EQ(o->discovery_auth.chap->user, "disc");
  EXPECT_EQ(o->discovery_auth.mutual->secret, "discovery-target-1");
}

TEST(Options, AuthenticationFlagErrorsNeverEchoTheSecret) {
  auto bad = parse_options({"--chap", "nocolon-secret"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().find("nocolon-secret"), std::string::npos);
  EXPECT_FALSE(parse_options({"--chap"}).ok());
  EXPECT_FALSE(parse_options({"--allow-initiator", "not a name"}).ok());
}

TEST(Options, ConnectionLimitFlags) {
  auto o =
      parse_options({"--max-connections-per-portal", "10", "--max-connections-per-address", "3"});
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(o->connection_limits.per_portal, 10u);
  EXPECT_EQ(o->connection_limits.per_address, 3u);
  EXPECT_FALSE(parse_options({"--max-connections-per-address", "0"}).ok());
  auto d = parse_options({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->connection_limits.per_address, 128u);  // above 100 idle connections from one host
}

std::string write_config(const std::string& name, const std::string& body, mode_t mode) {
  const std::string path = ::testing::TempDir() + "/" + name;
  {
    std::ofstream f(path);
    f << body;
  }
  ::chmod(path.c_str(), mode);
  return path;
}

constexpr const char* kConfigWithSecrets = R"({
  "targets": [{"name": "iqn.2025-12.local:a", "luns": ["0=ram:8M"],
               "chap": {"user": "alice", "secret": "initiator-secret"},
               "mutual_chap": {"user": "tgt", "secret": "target-secret-1"},
               "allowed_initiators": ["iqn.2025-12.local:host1"]}],
  "discovery_auth": {"chap": {"user": "disc", "secret": "discovery-secret"}},
  "limits": {"max_login_keys": 100, "max_pending_write_bytes": 1048576,
             "max_connections_per_address": 5, "failed_login_window_s": 30}})";

TEST(Options, ConfigFileWithAuthenticationAndLimits) {
  const std::string path = write_config("iscsi-auth-ok.json", kConfigWithSecrets, 0600);
  auto o = parse_options({"--config", path});
  ASSERT_TRUE(o.ok()) << o.error();
  const TargetSpec& t = o->targets.at(0);
  EXPECT_EQ(t.auth.chap->secret, "initiator-secret");
  EXPECT_EQ(t.auth.mutual->user, "tgt");
  EXPECT_EQ(t.allowed_initiators, std::vector<std::string>{"iqn.2025-12.local:host1"});
  EXPECT_EQ(o->discovery_auth.chap->user, "disc");
  EXPECT_EQ(o->limits.max_login_keys, 100u);
  EXPECT_EQ(o->limits.max_pending_write_bytes, 1048576u);
  EXPECT_EQ(o->connection_limits.per_address, 5u);
  EXPECT_EQ(o->connection_limits.failed_login_window, std::chrono::seconds(30));
  std::remove(path.c_str());
}

TEST(Options, ConfigFileWithSecretsMustNotBeWorldReadable) {
  const std::string path = write_config("iscsi-auth-readable.json", kConfigWithSecrets, 0644);
  auto o = parse_options({"--config", path});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().find("readable"), std::string::npos) << o.error();
  EXPECT_EQ(o.error().find("initiator-secret"), std::string::npos);
  // Without secrets, a readable file is fine.
  const std::string plain = write_config("iscsi-plain-readable.json",
                                         R"({"targets": [{"name": "iqn.2025-12.local:a"}]})", 0644);
  EXPECT_TRUE(parse_options({"--config", plain}).ok());
  std::remove(path.c_str());
  std::remove(plain.c_str());
}

TEST(Options, ConfigFileAuthenticationErrors) {
  const std::string path = write_config(
      "iscsi-auth-bad.json",
      R"({"targets": [{"name": "iqn.2025-12.local:a", "chap": {"user": "alice"}}]})", 0600);
  EXPECT_FALSE(parse_options({"--config", path}).ok());
  write_config("iscsi-auth-bad.json",
               R"({"targets": [{"name": "iqn.2025-12.local:a", "allowed_initiators": ["x y"]}]})",
               0600);
  EXPECT_FALSE(parse_options({"--config", path}).ok());
  std::remove(path.c_str());
}

// Flags that configure the command line's target need that target.
TEST(Options, TargetAuthenticationFlagsNeedTheCommandLineTarget) {
  const std::string path =
      write_config("iscsi-two.json", R"({"targets": [{"name": "iqn.2025-12.local:a"}]})", 0600);
  EXPECT_FALSE(parse_options({"--config", path, "--chap", "u:some-secret-1"}).ok());
  auto o = parse_options(
      {"--config", path, "--target", "iqn.2025-12.local:b", "--chap", "u:some-secret-1"});
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_TRUE(o->targets.at(1).auth.chap.has_value());
  EXPECT_FALSE(o->targets.at(0).auth.chap.has_value());
  EXPECT_FALSE(parse_options({"--config", path, "--target", "iqn.2025-12.local:a"}).ok());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace iscsi::server
