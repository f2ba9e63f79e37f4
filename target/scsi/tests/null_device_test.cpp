// Null backend: reads zeros, discards writes, keeps the range contract.
#include "scsi/null_device.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

using wire::Bytes;

TEST(NullDevice, RejectsBadGeometry) {
  EXPECT_FALSE(NullDevice::create(0, 512));
  EXPECT_FALSE(NullDevice::create(513, 512));
  EXPECT_FALSE(NullDevice::create(8192, 2048));
}

TEST(NullDevice, WritesAreDiscardedAndReadsGiveZeros) {
  auto dev = NullDevice::create(2ull << 40, 4096);  // 2 TiB costs nothing
  ASSERT_TRUE(dev) << dev.error();
  EXPECT_EQ((*dev)->capacity_blocks(), (2ull << 40) / 4096);
  const Bytes data(8192, 0xab);
  const wire::ByteView src[] = {data};
  ASSERT_TRUE((*dev)->write(4096, src, true).ok());
  Bytes back(8192, 0xff);
  const wire::MutableByteView dst[] = {wire::MutableByteView(back)};
  ASSERT_TRUE((*dev)->read(4096, dst).ok());
  EXPECT_EQ(back, Bytes(8192, 0));
  EXPECT_TRUE((*dev)->flush().ok());
  EXPECT_TRUE((*dev)->unmap(0, 4096).ok());
  EXPECT_FALSE((*dev)->view(0, 4096).has_value());
}

TEST(NullDevice, RejectsRangesOutsideTheDevice) {
  auto dev = NullDevice::create(4096, 512);
  ASSERT_TRUE(dev);
  Bytes buf(1024);
  const wire::MutableByteView dst[] = {wire::MutableByteView(buf)};
  const wire::ByteView src[] = {buf};
  EXPECT_EQ((*dev)->read(3584, dst).code, IoErrc::OutOfRange);
  EXPECT_EQ((*dev)->write(4096, src, false).code, IoErrc::OutOfRange);
  EXPECT_EQ((*dev)->unmap(4000, 512).code, IoErrc::OutOfRange);
}

}  // namespace
}  // namespace iscsi::scsi
