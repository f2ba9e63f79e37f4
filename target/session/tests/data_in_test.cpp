// Data-In splitting: the overload that takes the buffer over builds the
// same PDUs as the one that copies from a view.
#include "session/data_in.h"

#include <gtest/gtest.h>

namespace iscsi::session {
namespace {

wire::Bytes pattern(std::size_t n) {
  wire::Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 13 + 1);
  return b;
}

TEST(DataIn, MovedBufferGivesTheSamePdusAsACopiedOne) {
  const DataInLimits limits_list[] = {{8192, 262144}, {512, 1024}, {4096, 4096}, {1, 3}};
  const std::size_t sizes[] = {0, 1, 511, 512, 513, 1024, 4096, 4097, 20000};
  for (const DataInLimits& limits : limits_list) {
    for (std::size_t n : sizes) {
      const wire::Bytes data = pattern(n);
      const auto copied = split_data_in(wire::ByteView(data), 0x42, limits);
      wire::Bytes buffer = data;
      const auto moved = split_data_in(std::move(buffer), 0x42, limits);
      EXPECT_EQ(moved, copied) << "size " << n << ", segment " << limits.max_segment;
    }
  }
}

TEST(DataIn, OneSegmentIsOneFinalPduWithAllTheData) {
  const auto pdus = split_data_in(pattern(4096), 7, DataInLimits{8192, 262144});
  ASSERT_EQ(pdus.size(), 1u);
  EXPECT_TRUE(pdus[0].final);
  EXPECT_FALSE(pdus[0].status_present);
  EXPECT_EQ(pdus[0].initiator_task_tag, 7u);
  EXPECT_EQ(pdus[0].target_transfer_tag, wire::kReservedTag);
  EXPECT_EQ(pdus[0].data_sn, 0u);
  EXPECT_EQ(pdus[0].buffer_offset, 0u);
  EXPECT_EQ(pdus[0].data, pattern(4096));
}

}  // namespace
}  // namespace iscsi::session
