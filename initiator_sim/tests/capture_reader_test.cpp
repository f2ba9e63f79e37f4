#include "capture/capture_reader.h"

#include <gtest/gtest.h>
#include <pcap/dlt.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
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

// ---------------------------------------------------------------------------
// Compressed captures: read through `gzip -dc` / `xz -dc` in a child.

void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// Compresses `in` with the system's `program` (gzip or xz) into `out`.
bool compress(const std::string& program, const std::string& in, const std::string& out) {
  const std::string cmd = program + " -c < '" + in + "' > '" + out + "'";
  return std::system(cmd.c_str()) == 0;
}

// No child of this process is left, running or as a zombie.
bool no_children_left() {
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// A capture of `count` frames of distinct sizes and contents.
std::vector<test::Frame> numbered_frames(int count) {
  std::vector<test::Frame> frames;
  std::mt19937 rng(11);
  for (int i = 0; i < count; ++i) {
    Bytes b(60 + static_cast<std::size_t>(i % 500));
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    frames.push_back({b, 1'700'000'000'000'000 + i * 1000, 0});
  }
  return frames;
}

struct ReadAll {
  std::vector<Bytes> frames;
  std::optional<std::string> error;
};

ReadAll read_all(CaptureReader& reader) {
  ReadAll r;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    auto p = reader.next();
    if (!p) {
      r.error = p.error().message;
      break;
    }
    if (!p->has_value()) break;
    r.frames.emplace_back((*p)->data.begin(), (*p)->data.end());
  }
  return r;
}

class CompressedCapture : public ::testing::TestWithParam<const char*> {};

TEST_P(CompressedCapture, ReadsLikeThePlainFileWhateverItsName) {
  const std::string program = GetParam();
  const std::string plain = test::scratch("plain_" + program + ".pcap");
  const auto frames = numbered_frames(300);
  ASSERT_TRUE(test::write_pcap(plain, DLT_EN10MB, frames));
  // A name that says nothing of the compression: the magic bytes decide.
  const std::string packed = test::scratch("packed_" + program + ".cap");
  ASSERT_TRUE(compress(program, plain, packed));
  ASSERT_NE(file_bytes(packed), file_bytes(plain));

  auto reader = CaptureReader::open_file(packed);
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ(reader->link_type(), DLT_EN10MB);
  const ReadAll r = read_all(*reader);
  ASSERT_FALSE(r.error) << *r.error;
  ASSERT_EQ(r.frames.size(), frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) EXPECT_EQ(r.frames[i], frames[i].bytes) << i;
  EXPECT_TRUE(no_children_left()) << "the decompressor is reaped at the end";
}

TEST_P(CompressedCapture, ReadsCompressedPcapng) {
  const std::string program = GetParam();
  const std::string plain = test::scratch("plain_" + program + ".pcapng");
  write_bytes(plain, pcapng({{Bytes(60, 0x33), 1'600'000'000'123'456},
                             {Bytes(61, 0x44), 1'600'000'001'000'000}}));
  const std::string packed = plain + (program == "gzip" ? ".gz" : ".xz");
  ASSERT_TRUE(compress(program, plain, packed));
  auto reader = CaptureReader::open_file(packed);
  ASSERT_TRUE(reader) << reader.error().message;
  auto p = reader->next();
  ASSERT_TRUE(p && p->has_value());
  EXPECT_EQ((*p)->ref.time, std::chrono::microseconds(1'600'000'000'123'456));
  const ReadAll rest = read_all(*reader);
  ASSERT_FALSE(rest.error) << *rest.error;
  ASSERT_EQ(rest.frames.size(), 1u);
  EXPECT_EQ(rest.frames[0], Bytes(61, 0x44));
}

// A compressed file cut anywhere, even just before its final checksum
// (every frame decompressed, the stream not complete), is an error: at
// open or from next(), never a clean end and never a hang.
TEST_P(CompressedCapture, TruncatedStreamIsAnError) {
  const std::string program = GetParam();
  const std::string plain = test::scratch("trunc_" + program + ".pcap");
  ASSERT_TRUE(test::write_pcap(plain, DLT_EN10MB, numbered_frames(400)));
  const std::string packed = plain + ".z";
  ASSERT_TRUE(compress(program, plain, packed));
  const Bytes whole = file_bytes(packed);
  ASSERT_GT(whole.size(), 1000u);
  // From the smallest cut that still shows the magic bytes of both formats.
  for (std::size_t keep : {std::size_t{6}, std::size_t{10}, std::size_t{40}, whole.size() / 2,
                           whole.size() - 9, whole.size() - 4, whole.size() - 1}) {
    SCOPED_TRACE("kept " + std::to_string(keep) + " of " + std::to_string(whole.size()));
    const std::string cut = test::scratch("cut_" + program + ".bin");
    write_bytes(cut, Bytes(whole.begin(), whole.begin() + static_cast<long>(keep)));
    auto reader = CaptureReader::open_file(cut);
    std::string message;
    if (!reader) {
      message = reader.error().message;
      EXPECT_NE(message.find(cut), std::string::npos) << message;
    } else {
      const ReadAll r = read_all(*reader);
      ASSERT_TRUE(r.error) << "a truncated stream read as a whole capture of " << r.frames.size()
                           << " frames";
      message = *r.error;
    }
    EXPECT_NE(message.find("stream is damaged or truncated"), std::string::npos) << message;
    EXPECT_NE(
        message.find(program == "gzip" ? "unexpected end of file" : "Unexpected end of input"),
        std::string::npos)
        << message;
    EXPECT_TRUE(no_children_left());
  }
}

TEST_P(CompressedCapture, GarbageAfterTheMagicIsAnError) {
  const std::string program = GetParam();
  Bytes bytes = program == "gzip" ? Bytes{0x1f, 0x8b} : Bytes{0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
  std::mt19937 rng(5);
  for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<std::uint8_t>(rng()));
  const std::string path = test::scratch("garbage_" + program + ".pcap.gz");
  write_bytes(path, bytes);
  auto reader = CaptureReader::open_file(path);
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message.find("the " + program + " stream is damaged"), std::string::npos)
      << reader.error().message;
  EXPECT_TRUE(no_children_left());
}

TEST_P(CompressedCapture, ACompressedFileThatIsNoCaptureIsAnError) {
  const std::string program = GetParam();
  const std::string plain = test::scratch("text_" + program + ".txt");
  std::ofstream(plain) << "this is not a capture, but it is long enough to fill a header\n";
  const std::string packed = plain + ".packed";
  ASSERT_TRUE(compress(program, plain, packed));
  auto reader = CaptureReader::open_file(packed);
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message.find("not a readable " + program +
                                        "-compressed pcap or pcapng capture"),
            std::string::npos)
      << reader.error().message;
  EXPECT_TRUE(no_children_left());
}

TEST_P(CompressedCapture, AReaderDroppedEarlyStopsAndReapsTheDecompressor) {
  const std::string program = GetParam();
  const std::string plain = test::scratch("early_" + program + ".pcap");
  // Far more than a pipe holds: the child is still writing when dropped.
  ASSERT_TRUE(test::write_pcap(plain, DLT_EN10MB, numbered_frames(3000)));
  const std::string packed = plain + ".z";
  ASSERT_TRUE(compress(program, plain, packed));
  {
    auto reader = CaptureReader::open_file(packed);
    ASSERT_TRUE(reader) << reader.error().message;
    auto p = reader->next();
    ASSERT_TRUE(p && p->has_value());
    EXPECT_FALSE(no_children_left()) << "the decompressor runs while the capture is read";
  }
  EXPECT_TRUE(no_children_left());
}

INSTANTIATE_TEST_SUITE_P(GzipAndXz, CompressedCapture, ::testing::Values("gzip", "xz"));

TEST(CaptureReader, GzipTrailingGarbageIsOnlyAWarning) {
  // gzip decompresses the whole stream, warns about the bytes after it
  // and exits with 2: nothing of the capture is lost.
  const std::string plain = test::scratch("trailing.pcap");
  const auto frames = numbered_frames(20);
  ASSERT_TRUE(test::write_pcap(plain, DLT_EN10MB, frames));
  const std::string packed = plain + ".gz";
  ASSERT_TRUE(compress("gzip", plain, packed));
  Bytes bytes = file_bytes(packed);
  for (char c : std::string("garbage!")) bytes.push_back(static_cast<std::uint8_t>(c));
  write_bytes(packed, bytes);
  auto reader = CaptureReader::open_file(packed);
  ASSERT_TRUE(reader) << reader.error().message;
  const ReadAll r = read_all(*reader);
  ASSERT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.frames.size(), frames.size());
}

TEST(CaptureReader, AMissingDecompressorIsNamed) {
  const std::string plain = test::scratch("nodecomp.pcap");
  ASSERT_TRUE(test::write_pcap(plain, DLT_EN10MB, numbered_frames(2)));
  const std::string packed = plain + ".xz";
  ASSERT_TRUE(compress("xz", plain, packed));
  // execvp searches PATH: an empty directory has no xz.
  const std::string empty_dir = test::scratch("empty_path_dir");
  std::filesystem::create_directories(empty_dir);
  const char* old = std::getenv("PATH");
  const std::string saved = old ? old : "";
  ::setenv("PATH", empty_dir.c_str(), 1);
  auto reader = CaptureReader::open_file(packed);
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message.find("cannot run xz to decompress the xz-compressed capture"),
            std::string::npos)
      << reader.error().message;
  EXPECT_TRUE(no_children_left());
}

}  // namespace
}  // namespace iscsi::capture
