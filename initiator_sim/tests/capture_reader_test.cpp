#include "capture/capture_reader.h"

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <fstream>
#include <random>

#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using test::Bytes;

void le16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void le32(Bytes& b, std::uint32_t v) {
  le16(b, static_cast<std::uint16_t>(v));
  le16(b, static_cast<std::uint16_t>(v >> 16));
}

// A pcapng file (little-endian) with one Ethernet interface and one
// Enhanced Packet Block per frame; timestamps in microseconds (the default
// if_tsresol of 10^-6).
Bytes pcapng(const std::vector<std::pair<Bytes, std::uint64_t>>& frames) {
  Bytes f;
  // Section Header Block: type, length 28, byte-order magic, version 1.0,
  // section length unknown (-1), length again.
  le32(f, 0x0a0d0d0a);
  le32(f, 28);
  le32(f, 0x1a2b3c4d);
  le16(f, 1);
  le16(f, 0);
  le32(f, 0xffffffff);
  le32(f, 0xffffffff);
  le32(f, 28);
  // Interface Description Block: link type, reserved, snap length.
  le32(f, 1);
  le32(f, 20);
  le16(f, DLT_EN10MB);
  le16(f, 0);
  le32(f, 262144);
  le32(f, 20);
  for (const auto& [data, micros] : frames) {
    const std::uint32_t padded = static_cast<std::uint32_t>((data.size() + 3) & ~std::size_t{3});
    const std::uint32_t length = 32 + padded;
    le32(f, 6);
    le32(f, length);
    le32(f, 0);  // interface 0
    le32(f, static_cast<std::uint32_t>(micros >> 32));
    le32(f, static_cast<std::uint32_t>(micros));
    le32(f, static_cast<std::uint32_t>(data.size()));
    le32(f, static_cast<std::uint32_t>(data.size()));
    f.insert(f.end(), data.begin(), data.end());
    f.resize(f.size() + (padded - data.size()), 0);
    le32(f, length);
  }
  return f;
}

Bytes file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(CaptureReader, ReadsPcapFramesInOrderWithTimesAndLengths) {
  const std::string path = test::scratch("reader_pcap.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB,
                               {{Bytes(60, 0x11), 1'700'000'000'000'001, 0},
                                {Bytes(54, 0x22), 1'700'000'000'500'000, 1514}}));
  auto reader = CaptureReader::open_file(path);
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ(reader->link_type(), DLT_EN10MB);
  EXPECT_EQ(reader->link_type_name(), "EN10MB");

  auto first = reader->next();
  ASSERT_TRUE(first && first->has_value());
  EXPECT_EQ((*first)->ref.frame, 1u);
  EXPECT_EQ((*first)->ref.time, std::chrono::microseconds(1'700'000'000'000'001));
  EXPECT_EQ((*first)->data.size(), 60u);
  EXPECT_EQ((*first)->data[0], 0x11);
  EXPECT_EQ((*first)->original_length, 60u);

  auto second = reader->next();
  ASSERT_TRUE(second && second->has_value());
  EXPECT_EQ((*second)->ref.frame, 2u);
  EXPECT_EQ((*second)->data.size(), 54u);
  EXPECT_EQ((*second)->original_length, 1514u);  // cut by the snapshot length

  auto end = reader->next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->has_value());
  EXPECT_FALSE(reader->next()->has_value());  // stays at the end
}

TEST(CaptureReader, ReadsPcapngFromMemory) {
  const Bytes file =
      pcapng({{Bytes(60, 0x33), 1'600'000'000'123'456}, {Bytes(61, 0x44), 1'600'000'001'000'000}});
  auto reader = CaptureReader::open_memory(file);
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ(reader->link_type(), DLT_EN10MB);
  auto p = reader->next();
  ASSERT_TRUE(p && p->has_value());
  EXPECT_EQ((*p)->ref.time, std::chrono::microseconds(1'600'000'000'123'456));
  EXPECT_EQ((*p)->data.size(), 60u);
  p = reader->next();
  ASSERT_TRUE(p && p->has_value());
  EXPECT_EQ((*p)->data.size(), 61u);
  EXPECT_EQ((*p)->data[60], 0x44);
  EXPECT_FALSE(reader->next()->has_value());
}

TEST(CaptureReader, TimestampsBeyondTheYear2262AreClamped) {
  // pcapng timestamps are 64-bit counts of (here) microseconds: this one is
  // about 18 million years after the epoch, past 64-bit nanoseconds.
  auto reader = CaptureReader::open_memory(pcapng({{Bytes(60, 0), 0xffffffffffffffffull}}));
  ASSERT_TRUE(reader) << reader.error().message;
  auto p = reader->next();
  ASSERT_TRUE(p && p->has_value());
  EXPECT_GE((*p)->ref.time, std::chrono::seconds(9'000'000'000));
  EXPECT_LT((*p)->ref.time, std::chrono::seconds(9'000'000'001));
}

TEST(CaptureReader, TruncatedRecordIsAnErrorAfterTheIntactFrames) {
  const std::string path = test::scratch("reader_truncated.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_EN10MB,
                               {{Bytes(60, 1), 1'000'000, 0}, {Bytes(100, 2), 2'000'000, 0}}));
  Bytes bytes = file_bytes(path);
  bytes.resize(bytes.size() - 30);  // cut into the second frame's data
  auto reader = CaptureReader::open_memory(bytes);
  ASSERT_TRUE(reader) << reader.error().message;
  auto first = reader->next();
  ASSERT_TRUE(first && first->has_value());
  auto second = reader->next();
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("after frame 1"), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find("truncated"), std::string::npos) << second.error().message;
  auto after = reader->next();
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->has_value());
}

TEST(CaptureReader, RandomBytesAreNotACapture) {
  std::mt19937 rng(7);
  Bytes junk(4096);
  for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
  auto reader = CaptureReader::open_memory(junk);
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message.find("not a readable pcap or pcapng capture"), std::string::npos)
      << reader.error().message;
}

TEST(CaptureReader, EmptyAndMissingFilesAreErrors) {
  auto none = CaptureReader::open_memory({});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("empty"), std::string::npos);

  const std::string empty = test::scratch("reader_empty.pcap");
  std::ofstream(empty).close();
  auto e = CaptureReader::open_file(empty);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("empty file"), std::string::npos) << e.error().message;

  auto missing = CaptureReader::open_file(test::scratch("no_such_file.pcap"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
}

TEST(CaptureReader, HeaderOnlyFileHasNoPackets) {
  const std::string path = test::scratch("reader_header_only.pcap");
  ASSERT_TRUE(test::write_pcap(path, DLT_LINUX_SLL2, {}));
  auto reader = CaptureReader::open_file(path);
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ(reader->link_type(), DLT_LINUX_SLL2);
  auto p = reader->next();
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_value());
}

}  // namespace
}  // namespace iscsi::capture
