// The --lun N=BACKEND[,OPTION...] parser.
#include "scsi/lun_spec.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

TEST(ParseSize, BinaryMultiples) {
  EXPECT_EQ(*parse_size("512"), 512u);
  EXPECT_EQ(*parse_size("64K"), 65536u);
  EXPECT_EQ(*parse_size("64k"), 65536u);
  EXPECT_EQ(*parse_size("64M"), 64ull << 20);
  EXPECT_EQ(*parse_size("1G"), 1ull << 30);
  EXPECT_EQ(*parse_size("2T"), 2ull << 40);
}

TEST(ParseSize, RejectsNonsense) {
  for (const char* bad :
       {"", "G", "1.5G", "-1", "1P", "0", "0M", "1 G", "18446744073709551616", "16777216T"}) {
    EXPECT_FALSE(parse_size(bad)) << bad;
  }
  EXPECT_NE(parse_size("1P").error().find("'1P'"), std::string::npos);
}

TEST(ParseLunSpec, DefaultSpec) {
  auto s = parse_lun_spec(kDefaultLunSpec);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->lun, 0);
  EXPECT_EQ(s->backend.kind, BackendKind::Ram);
  EXPECT_EQ(s->backend.size, 1ull << 30);
  EXPECT_TRUE(s->options.thin);
  EXPECT_FALSE(s->options.read_only);
  EXPECT_FALSE(s->options.removable);
  EXPECT_EQ(s->options.block_size, 512u);
}

TEST(ParseLunSpec, FileWithSizeAndOptions) {
  auto s = parse_lun_spec("1=file:/tmp/x.img:64M,bs=4096,ro");
  ASSERT_TRUE(s) << s.error();
  const LunSpec expected{
      .lun = 1,
      .backend = {.kind = BackendKind::File, .path = "/tmp/x.img", .size = 64ull << 20},
      .options = {.read_only = true, .removable = false, .thin = false, .block_size = 4096}};
  EXPECT_EQ(*s, expected);
}

TEST(ParseLunSpec, FileWithoutSizeAndWithColonsInThePath) {
  auto plain = parse_lun_spec("2=file:/var/lib/disk.img");
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->backend.path, "/var/lib/disk.img");
  EXPECT_FALSE(plain->backend.size.has_value());

  auto colon = parse_lun_spec("3=file:/data/a:b.img");
  ASSERT_TRUE(colon) << colon.error();
  EXPECT_EQ(colon->backend.path, "/data/a:b.img");
  EXPECT_FALSE(colon->backend.size.has_value());

  auto both = parse_lun_spec("3=file:/data/a:b.img:1G,removable");
  ASSERT_TRUE(both) << both.error();
  EXPECT_EQ(both->backend.path, "/data/a:b.img");
  EXPECT_EQ(both->backend.size, 1ull << 30);
  EXPECT_TRUE(both->options.removable);
}

TEST(ParseLunSpec, NullBackendAndLargeLun) {
  auto s = parse_lun_spec("16383=null:2T,thin,removable");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->lun, 16383);
  EXPECT_EQ(s->backend.kind, BackendKind::Null);
  EXPECT_EQ(s->backend.size, 2ull << 40);
  EXPECT_TRUE(s->options.thin);
  EXPECT_TRUE(s->options.removable);
}

TEST(ParseLunSpec, SanitizeTime) {
  // Default: a sanitize takes as long as the backend needs, no minimum.
  auto plain = parse_lun_spec("0=ram:1M");
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->options.sanitize_seconds, 0u);
  auto s = parse_lun_spec("0=ram:1M,thin,sanitize-time=5");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->options.sanitize_seconds, 5u);
  EXPECT_TRUE(s->options.thin);
  // The bounds: 0 and one hour.
  auto zero = parse_lun_spec("0=ram:1M,sanitize-time=0");
  ASSERT_TRUE(zero) << zero.error();
  EXPECT_EQ(zero->options.sanitize_seconds, 0u);
  auto hour = parse_lun_spec("0=ram:1M,sanitize-time=3600");
  ASSERT_TRUE(hour) << hour.error();
  EXPECT_EQ(hour->options.sanitize_seconds, 3600u);
}

struct Bad {
  const char* spec;
  const char* names;  // the part the error must name
};

class ParseLunSpecErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(ParseLunSpecErrors, NameTheBadPart) {
  auto s = parse_lun_spec(GetParam().spec);
  ASSERT_FALSE(s) << GetParam().spec;
  EXPECT_NE(s.error().find(GetParam().names), std::string::npos)
      << GetParam().spec << " -> " << s.error();
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseLunSpecErrors,
    ::testing::Values(Bad{"ram:1G", "'='"},            // no LUN number
                      Bad{"x=ram:1G", "'x'"},          // LUN not a number
                      Bad{"16384=ram:1G", "'16384'"},  // beyond flat space
                      Bad{"=ram:1G", "LUN number"},    // empty LUN
                      Bad{"0=disk:1G", "'disk'"},      // unknown backend
                      Bad{"0=ram", "needs a size"},    // ram without size
                      Bad{"0=ram:", "needs a size"}, Bad{"0=null:12Q", "'12Q'"},  // bad size
                      Bad{"0=ram:1000", "multiple of the block size 512"},
                      Bad{"0=ram:1M,bs=1024", "'bs=1024'"},  // bad block size
                      Bad{"0=ram:6K,bs=4096", "multiple of the block size 4096"},
                      Bad{"0=ram:1G,fast", "'fast'"},  // unknown option
                      Bad{"0=ram:1G,,ro", "empty option"},
                      Bad{"0=ram:1G,ro,ro", "'ro' is given twice"},
                      Bad{"0=ram:1G,bs=512,bs=4096", "given twice"}, Bad{"0=file:", "needs a path"},
                      Bad{"0=file::1G", "needs a path"},
                      Bad{"0=ram:1M,sanitize-time=3601", "'sanitize-time=3601'"},  // > 1 hour
                      Bad{"0=ram:1M,sanitize-time=", "0 to 3600 seconds"},
                      Bad{"0=ram:1M,sanitize-time=-1", "'sanitize-time=-1'"},
                      Bad{"0=ram:1M,sanitize-time=1.5", "'sanitize-time=1.5'"},
                      Bad{"0=ram:1M,sanitize-time=1,sanitize-time=2", "given twice"}));

}  // namespace
}  // namespace iscsi::scsi
