// RAM backend: data round trips, range checks, unmap, and that a large
// device costs no memory until written.
#include "scsi/ram_device.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <numeric>
#include <vector>

namespace iscsi::scsi {
namespace {

using wire::Bytes;

std::size_t page() {
  return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// Resident pages of the device's memory in [offset, offset + length).
std::size_t resident_pages(const RamDevice& dev, std::uint64_t offset, std::uint64_t length) {
  const auto v = dev.view(offset, length);
  if (!v) return 0;
  const std::size_t pages = (length + page() - 1) / page();
  std::vector<unsigned char> vec(pages);
  if (::mincore(const_cast<std::uint8_t*>(v->data()), static_cast<std::size_t>(length),
                vec.data()) != 0) {
    return SIZE_MAX;
  }
  std::size_t n = 0;
  for (unsigned char c : vec) n += c & 1;
  return n;
}

TEST(RamDevice, RejectsBadGeometry) {
  EXPECT_FALSE(RamDevice::create(0, 512));
  EXPECT_FALSE(RamDevice::create(1000, 512));
  EXPECT_FALSE(RamDevice::create(4096, 1024));
  auto r = RamDevice::create(4096 + 512, 4096);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("multiple of the block size 4096"), std::string::npos) << r.error();
}

TEST(RamDevice, ReportsGeometry) {
  auto dev = RamDevice::create(1 << 20, 4096);
  ASSERT_TRUE(dev) << dev.error();
  EXPECT_EQ((*dev)->capacity_blocks(), 256u);
  EXPECT_EQ((*dev)->block_size(), 4096u);
  EXPECT_EQ((*dev)->capacity_bytes(), 1u << 20);
}

TEST(RamDevice, UnwrittenBlocksReadAsZeros) {
  auto dev = RamDevice::create(64 * 1024, 512);
  ASSERT_TRUE(dev);
  Bytes buf(4096, 0xee);
  const wire::MutableByteView dst[] = {wire::MutableByteView(buf)};
  ASSERT_TRUE((*dev)->read(8192, dst).ok());
  EXPECT_EQ(buf, Bytes(4096, 0));
}

TEST(RamDevice, ScatterGatherRoundTrip) {
  auto dev = RamDevice::create(64 * 1024, 512);
  ASSERT_TRUE(dev);
  Bytes a(700), b(324), c(1024);
  std::iota(a.begin(), a.end(), 1);
  std::iota(b.begin(), b.end(), 50);
  std::iota(c.begin(), c.end(), 90);
  const wire::ByteView src[] = {a, wire::ByteView(), b, c};
  ASSERT_TRUE((*dev)->write(1024, src, false).ok());

  // Read back with a different split.
  Bytes x(1000), y(1048);
  const wire::MutableByteView dst[] = {wire::MutableByteView(x), wire::MutableByteView(y)};
  ASSERT_TRUE((*dev)->read(1024, dst).ok());
  Bytes joined(x);
  joined.insert(joined.end(), y.begin(), y.end());
  Bytes expected(a);
  expected.insert(expected.end(), b.begin(), b.end());
  expected.insert(expected.end(), c.begin(), c.end());
  EXPECT_EQ(joined, expected);

  // The direct view shows the same bytes.
  const auto v = (*dev)->view(1024, expected.size());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(Bytes(v->begin(), v->end()), expected);
}

TEST(RamDevice, RejectsRangesOutsideTheDevice) {
  auto dev = RamDevice::create(8192, 512);
  ASSERT_TRUE(dev);
  Bytes buf(512);
  const wire::MutableByteView dst[] = {wire::MutableByteView(buf)};
  const wire::ByteView src[] = {buf};
  EXPECT_TRUE((*dev)->read(8192 - 512, dst).ok());
  EXPECT_EQ((*dev)->read(8192 - 511, dst).code, IoErrc::OutOfRange);
  EXPECT_EQ((*dev)->write(8192, src, false).code, IoErrc::OutOfRange);
  EXPECT_EQ((*dev)->write(UINT64_MAX - 100, src, false).code, IoErrc::OutOfRange);
  EXPECT_EQ((*dev)->unmap(4096, 8192).code, IoErrc::OutOfRange);
  EXPECT_FALSE((*dev)->view(8000, 512).has_value());
}

TEST(RamDevice, UnmapZeroesTheRangeAndReleasesWholePages) {
  const std::size_t p = page();
  auto dev = RamDevice::create(16 * p, 512);
  ASSERT_TRUE(dev);
  const Bytes ones(16 * p, 0x11);
  const wire::ByteView src[] = {ones};
  ASSERT_TRUE((*dev)->write(0, src, false).ok());
  EXPECT_EQ(resident_pages(**dev, 0, 16 * p), 16u);

  // From half a page into page 2 to half a page into page 9: pages 3..8 go
  // back to the kernel, the partial edges are zeroed in place.
  const std::uint64_t off = 2 * p + p / 2;
  const std::uint64_t len = 7 * p;
  ASSERT_TRUE((*dev)->unmap(off, len).ok());
  EXPECT_EQ(resident_pages(**dev, 3 * p, 6 * p), 0u);

  Bytes all(16 * p);
  const wire::MutableByteView dst[] = {wire::MutableByteView(all)};
  ASSERT_TRUE((*dev)->read(0, dst).ok());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const bool inside = i >= off && i < off + len;
    ASSERT_EQ(all[i], inside ? 0x00 : 0x11) << "byte " << i;
  }
}

TEST(RamDevice, LargeSparseDeviceCommitsNoMemoryUntilWritten) {
  // 64 GiB of address space, MAP_NORESERVE: creating and reading it must not
  // make it resident.
  const std::uint64_t size = 64ull << 30;
  auto dev = RamDevice::create(size, 512);
  ASSERT_TRUE(dev) << dev.error();
  EXPECT_EQ((*dev)->capacity_blocks(), size / 512);

  Bytes block(4096, 0x5a);
  const wire::ByteView src[] = {block};
  const std::uint64_t far = size - 8192;
  ASSERT_TRUE((*dev)->write(far, src, false).ok());
  Bytes back(4096);
  const wire::MutableByteView dst[] = {wire::MutableByteView(back)};
  ASSERT_TRUE((*dev)->read(far, dst).ok());
  EXPECT_EQ(back, block);

  // Only the written page is resident in the last 64 MiB; the first 64 MiB,
  // never touched, has nothing resident.
  EXPECT_LE(resident_pages(**dev, size - (64u << 20), 64u << 20), 2u);
  EXPECT_EQ(resident_pages(**dev, 0, 64u << 20), 0u);
}

TEST(RamDevice, FlushSucceeds) {
  auto dev = RamDevice::create(4096, 512);
  ASSERT_TRUE(dev);
  EXPECT_TRUE((*dev)->flush().ok());
}

}  // namespace
}  // namespace iscsi::scsi
