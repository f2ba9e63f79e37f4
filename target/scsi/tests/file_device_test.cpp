// File backend: creation and sizing rules, scatter-gather round trips with
// more buffers than one preadv/pwritev call takes, FUA, flush, unmap, and the
// read-only mode. Files live in a temporary directory the test removes.
#include "scsi/file_device.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <numeric>
#include <vector>

#include "temp_dir.h"

namespace iscsi::scsi {
namespace {

using testing::TempDir;
using wire::Bytes;

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void make_file(const std::string& path, std::uint64_t size, std::uint8_t fill = 0) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  const Bytes data(static_cast<std::size_t>(size), fill);
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::close(fd);
}

Bytes file_bytes(const std::string& path, std::uint64_t offset, std::size_t n) {
  Bytes out(n);
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return {};
  const ssize_t r = ::pread(fd, out.data(), n, static_cast<off_t>(offset));
  ::close(fd);
  out.resize(r < 0 ? 0 : static_cast<std::size_t>(r));
  return out;
}

class FileDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  TempDir dir_;
};

TEST_F(FileDeviceTest, CreatesAndExtendsToTheGivenSize) {
  const std::string path = dir_.file("new.img");
  auto dev = FileDevice::open(path, 64u << 20, 512, false);
  ASSERT_TRUE(dev) << dev.error();
  EXPECT_EQ((*dev)->capacity_blocks(), (64u << 20) / 512);
  EXPECT_EQ(file_size(path), 64u << 20);
}

TEST_F(FileDeviceTest, ExtendsASmallerFileAndKeepsItsData) {
  const std::string path = dir_.file("small.img");
  make_file(path, 4096, 0x77);
  auto dev = FileDevice::open(path, 16384, 4096, false);
  ASSERT_TRUE(dev) << dev.error();
  EXPECT_EQ((*dev)->capacity_blocks(), 4u);
  EXPECT_EQ(file_bytes(path, 0, 4096), Bytes(4096, 0x77));
}

TEST_F(FileDeviceTest, UsesTheFileSizeWhenNoSizeIsGiven) {
  const std::string path = dir_.file("existing.img");
  make_file(path, 8 * 512);
  auto dev = FileDevice::open(path, std::nullopt, 512, false);
  ASSERT_TRUE(dev) << dev.error();
  EXPECT_EQ((*dev)->capacity_blocks(), 8u);
}

TEST_F(FileDeviceTest, RefusesBadSizes) {
  const std::string odd = dir_.file("odd.img");
  make_file(odd, 1000);
  auto r = FileDevice::open(odd, std::nullopt, 512, false);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("not a multiple of the block size 512"), std::string::npos) << r.error();

  auto empty = FileDevice::open(dir_.file("empty.img"), std::nullopt, 512, false);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("is empty"), std::string::npos) << empty.error();

  const std::string big = dir_.file("big.img");
  make_file(big, 8192);
  auto shrink = FileDevice::open(big, 4096, 512, false);
  ASSERT_FALSE(shrink);
  EXPECT_NE(shrink.error().find("refusing to truncate"), std::string::npos) << shrink.error();
  EXPECT_EQ(file_size(big), 8192u);

  auto not_multiple = FileDevice::open(dir_.file("nm.img"), 4096 + 512, 4096, false);
  ASSERT_FALSE(not_multiple);

  EXPECT_FALSE(FileDevice::open(dir_.file("bs.img"), 4096, 1024, false));
}

TEST_F(FileDeviceTest, RefusesDirectoriesAndMissingReadOnlyFiles) {
  auto d = FileDevice::open(dir_.path(), std::nullopt, 512, false);
  ASSERT_FALSE(d);
  auto missing = FileDevice::open(dir_.file("missing.img"), 4096, 512, true);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("missing.img"), std::string::npos) << missing.error();
}

TEST_F(FileDeviceTest, ScatterGatherRoundTripAcrossManyBuffers) {
  const std::string path = dir_.file("sg.img");
  auto dev = FileDevice::open(path, 1u << 20, 512, false);
  ASSERT_TRUE(dev) << dev.error();
  // 200 buffers of 100 bytes (more than the 64 iovecs of one call), with
  // empty buffers mixed in.
  std::vector<Bytes> pieces(200, Bytes(100));
  std::vector<wire::ByteView> src;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    std::iota(pieces[i].begin(), pieces[i].end(), static_cast<std::uint8_t>(i));
    src.push_back(pieces[i]);
    if (i % 7 == 0) src.push_back(wire::ByteView());
  }
  ASSERT_TRUE((*dev)->write(4096, src, false).ok());

  Bytes expected;
  for (const Bytes& p : pieces) expected.insert(expected.end(), p.begin(), p.end());
  EXPECT_EQ(file_bytes(path, 4096, expected.size()), expected);

  std::vector<Bytes> back(100, Bytes(200));
  std::vector<wire::MutableByteView> dst;
  for (Bytes& b : back) dst.emplace_back(b);
  ASSERT_TRUE((*dev)->read(4096, dst).ok());
  Bytes joined;
  for (const Bytes& b : back) joined.insert(joined.end(), b.begin(), b.end());
  EXPECT_EQ(joined, expected);
}

TEST_F(FileDeviceTest, FuaWriteAndFlush) {
  const std::string path = dir_.file("fua.img");
  auto dev = FileDevice::open(path, 65536, 4096, false);
  ASSERT_TRUE(dev) << dev.error();
  const Bytes data(8192, 0x3c);
  const wire::ByteView src[] = {data};
  ASSERT_TRUE((*dev)->write(8192, src, true).ok());
  EXPECT_EQ(file_bytes(path, 8192, 8192), data);
  EXPECT_TRUE((*dev)->flush().ok());
}

TEST_F(FileDeviceTest, RejectsRangesOutsideTheDevice) {
  auto dev = FileDevice::open(dir_.file("range.img"), 8192, 512, false);
  ASSERT_TRUE(dev);
  Bytes buf(1024);
  const wire::MutableByteView dst[] = {wire::MutableByteView(buf)};
  const wire::ByteView src[] = {buf};
  EXPECT_EQ((*dev)->read(7680, dst).code, IoErrc::OutOfRange);
  EXPECT_EQ((*dev)->write(8192, src, false).code, IoErrc::OutOfRange);
  EXPECT_EQ((*dev)->unmap(0, 8193).code, IoErrc::OutOfRange);
}

TEST_F(FileDeviceTest, UnmapReadsBackAsZeros) {
  const std::string path = dir_.file("unmap.img");
  auto dev = FileDevice::open(path, 1u << 20, 4096, false);
  ASSERT_TRUE(dev);
  const Bytes data(1u << 20, 0xa5);
  const wire::ByteView src[] = {data};
  ASSERT_TRUE((*dev)->write(0, src, false).ok());
  ASSERT_TRUE((*dev)->unmap(65536, 131072).ok());
  EXPECT_EQ(file_bytes(path, 65536, 131072), Bytes(131072, 0));
  EXPECT_EQ(file_bytes(path, 65536 - 4096, 4096), Bytes(4096, 0xa5));
  EXPECT_EQ(file_bytes(path, 65536 + 131072, 4096), Bytes(4096, 0xa5));
  EXPECT_EQ(file_size(path), 1u << 20);  // FALLOC_FL_KEEP_SIZE
}

TEST_F(FileDeviceTest, ReadOnlyDeviceReadsButRefusesChanges) {
  const std::string path = dir_.file("ro.img");
  make_file(path, 4096, 0x42);
  EXPECT_FALSE(FileDevice::open(path, 8192, 512, true));  // cannot extend
  auto dev = FileDevice::open(path, 4096, 512, true);
  ASSERT_TRUE(dev) << dev.error();
  Bytes buf(512);
  const wire::MutableByteView dst[] = {wire::MutableByteView(buf)};
  ASSERT_TRUE((*dev)->read(0, dst).ok());
  EXPECT_EQ(buf, Bytes(512, 0x42));
  const wire::ByteView src[] = {buf};
  EXPECT_EQ((*dev)->write(0, src, false).code, IoErrc::ReadOnly);
  EXPECT_EQ((*dev)->unmap(0, 512).code, IoErrc::ReadOnly);
  EXPECT_TRUE((*dev)->flush().ok());
}

TEST_F(FileDeviceTest, ReadPastAShrunkenFileIsAReadError) {
  const std::string path = dir_.file("shrink.img");
  auto dev = FileDevice::open(path, 8192, 512, false);
  ASSERT_TRUE(dev);
  ASSERT_EQ(::truncate(path.c_str(), 4096), 0);
  Bytes buf(1024);
  const wire::MutableByteView dst[] = {wire::MutableByteView(buf)};
  EXPECT_EQ((*dev)->read(6144, dst).code, IoErrc::ReadError);
}

}  // namespace
}  // namespace iscsi::scsi
