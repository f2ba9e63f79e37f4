// Opening the backend a LUN spec names.
#include "scsi/backend_factory.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace iscsi::scsi {
namespace {

LunSpec spec(const char* text) {
  auto s = parse_lun_spec(text);
  EXPECT_TRUE(s) << text;
  return s ? *s : LunSpec{};
}

TEST(OpenBackend, RamAndNullTakeSizeAndBlockSize) {
  auto ram = open_backend(spec("0=ram:1G,thin"));
  ASSERT_TRUE(ram) << ram.error();
  EXPECT_EQ((*ram)->block_size(), 512u);
  EXPECT_EQ((*ram)->capacity_blocks(), (1u << 30) / 512);
  EXPECT_TRUE((*ram)->view(0, 512).has_value());  // it is the RAM backend

  auto null = open_backend(spec("1=null:64M,bs=4096"));
  ASSERT_TRUE(null) << null.error();
  EXPECT_EQ((*null)->block_size(), 4096u);
  EXPECT_EQ((*null)->capacity_blocks(), (64u << 20) / 4096);
  EXPECT_FALSE((*null)->view(0, 512).has_value());
}

TEST(OpenBackend, FileBackendIsCreated) {
  testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string text = "2=file:" + dir.file("lun2.img") + ":4M,bs=4096";
  auto dev = open_backend(spec(text.c_str()));
  ASSERT_TRUE(dev) << dev.error();
  EXPECT_EQ((*dev)->capacity_blocks(), 1024u);
}

TEST(OpenBackend, ErrorsNameTheLun) {
  testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string text = "7=file:" + dir.file("missing.img") + ",ro";
  auto dev = open_backend(spec(text.c_str()));
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().rfind("LUN 7: ", 0), 0u) << dev.error();
}

}  // namespace
}  // namespace iscsi::scsi
