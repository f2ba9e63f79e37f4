#include "wire/crc32c.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace iscsi::wire {
namespace {

std::array<std::uint8_t, 4> digest_bytes(ByteView data) {
  std::array<std::uint8_t, 4> out{};
  store_digest(out.data(), crc32c(data));
  return out;
}

using Digest = std::array<std::uint8_t, 4>;

// RFC 3720 Appendix B.4, "32 bytes of zeroes".
TEST(Crc32c, Rfc3720B4Zeroes) {
  const Bytes data(32, 0x00);
  EXPECT_EQ(digest_bytes(data), (Digest{0xaa, 0x36, 0x91, 0x8a}));
}

// RFC 3720 Appendix B.4, "32 bytes of ones".
TEST(Crc32c, Rfc3720B4Ones) {
  const Bytes data(32, 0xff);
  EXPECT_EQ(digest_bytes(data), (Digest{0x43, 0xab, 0xa8, 0x62}));
}

// RFC 3720 Appendix B.4, "32 bytes of incrementing 00..1f".
TEST(Crc32c, Rfc3720B4Incrementing) {
  Bytes data(32);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(digest_bytes(data), (Digest{0x4e, 0x79, 0xdd, 0x46}));
}

// RFC 3720 Appendix B.4, "32 bytes of decrementing 1f..00".
TEST(Crc32c, Rfc3720B4Decrementing) {
  Bytes data(32);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(31 - i);
  EXPECT_EQ(digest_bytes(data), (Digest{0x5c, 0xdb, 0x3f, 0x11}));
}

// RFC 3720 Appendix B.4, "An iSCSI - SCSI Read (10) Command PDU".
const Bytes kReadCommandPdu = {
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
    0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

TEST(Crc32c, Rfc3720B4ReadCommandPdu) {
  ASSERT_EQ(kReadCommandPdu.size(), 48u);
  EXPECT_EQ(digest_bytes(kReadCommandPdu), (Digest{0x56, 0x3a, 0x96, 0xd9}));
}

TEST(Crc32c, PortableImplementationMatchesRfcVectors) {
  const Bytes zeroes(32, 0x00);
  Digest d{};
  store_digest(d.data(), crc32c_finish(crc32c_update_portable(kCrc32cInit, zeroes)));
  EXPECT_EQ(d, (Digest{0xaa, 0x36, 0x91, 0x8a}));
  store_digest(d.data(), crc32c_finish(crc32c_update_portable(kCrc32cInit, kReadCommandPdu)));
  EXPECT_EQ(d, (Digest{0x56, 0x3a, 0x96, 0xd9}));
}

// The catalogue check value of CRC-32C (iSCSI): the CRC of the ASCII string
// "123456789".
TEST(Crc32c, StandardCheckValue) {
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xe3069283u);
  EXPECT_EQ(crc32c_finish(crc32c_update_portable(kCrc32cInit, bytes_of("123456789"))), 0xe3069283u);
}

TEST(Crc32c, EmptyInput) {
  EXPECT_EQ(crc32c({}), 0u);
  EXPECT_EQ(crc32c_update(0x12345678u, {}), 0x12345678u);
  EXPECT_EQ(crc32c_update_portable(0x12345678u, {}), 0x12345678u);
}

TEST(Crc32c, DigestByteOrderIsLeastSignificantFirst) {
  Digest d{};
  store_digest(d.data(), 0x8a9136aau);
  EXPECT_EQ(d, (Digest{0xaa, 0x36, 0x91, 0x8a}));
  EXPECT_EQ(load_digest(d.data()), 0x8a9136aau);
  const Digest other{0x01, 0x02, 0x03, 0x04};
  EXPECT_EQ(load_digest(other.data()), 0x04030201u);
}

TEST(Crc32c, ImplementationNameIsKnown) {
  const std::string_view name = crc32c_implementation();
  EXPECT_TRUE(name == "sse4.2" || name == "slicing-by-8") << name;
#if defined(__x86_64__)
  __builtin_cpu_init();
  EXPECT_EQ(name == "sse4.2", static_cast<bool>(__builtin_cpu_supports("sse4.2")));
#endif
}

Bytes random_bytes(std::mt19937& rng, std::size_t n) {
  std::uniform_int_distribution<int> byte(0, 255);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(byte(rng));
  return out;
}

TEST(Crc32c, IncrementalEqualsOneShotAcrossSplits) {
  std::mt19937 rng(20240601);
  const Bytes data = random_bytes(rng, 1000);
  const std::uint32_t whole = crc32c(data);
  const ByteView view(data);
  // Every single split point.
  for (std::size_t cut = 0; cut <= data.size(); ++cut) {
    std::uint32_t s = crc32c_update(kCrc32cInit, view.first(cut));
    s = crc32c_update(s, view.subspan(cut));
    ASSERT_EQ(crc32c_finish(s), whole) << "cut " << cut;
    std::uint32_t p = crc32c_update_portable(kCrc32cInit, view.first(cut));
    p = crc32c_update_portable(p, view.subspan(cut));
    ASSERT_EQ(crc32c_finish(p), whole) << "portable cut " << cut;
  }
  // Many random chunkings, mixing both implementations mid-stream: their
  // register states are interchangeable.
  std::uniform_int_distribution<std::size_t> chunk(0, 40);
  for (int round = 0; round < 200; ++round) {
    std::uint32_t s = kCrc32cInit;
    std::size_t pos = 0;
    bool portable = (round & 1) != 0;
    while (pos < data.size()) {
      const std::size_t n = std::min(chunk(rng), data.size() - pos);
      s = portable ? crc32c_update_portable(s, view.subspan(pos, n))
                   : crc32c_update(s, view.subspan(pos, n));
      portable = !portable;
      pos += n;
    }
    ASSERT_EQ(crc32c_finish(s), whole) << "round " << round;
  }
}

TEST(Crc32c, PortableAndDispatchedAgreeOnRandomBuffers) {
  std::mt19937 rng(3720);
  // Extra bytes in front so the same data can start at every alignment.
  const Bytes backing = random_bytes(rng, 70000 + 16);
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 80; ++n) lengths.push_back(n);
  for (std::size_t n : {127u, 128u, 129u, 255u, 256u, 511u, 512u, 1023u, 1024u, 4095u, 4096u, 4097u,
                        8191u, 12288u, 65535u, 65536u, 65537u, 70000u}) {
    lengths.push_back(n);
  }
  for (std::size_t n : lengths) {
    for (std::size_t offset = 0; offset < 16; ++offset) {
      const ByteView view = ByteView(backing).subspan(offset, n);
      const std::uint32_t dispatched = crc32c_update(kCrc32cInit, view);
      const std::uint32_t portable = crc32c_update_portable(kCrc32cInit, view);
      ASSERT_EQ(dispatched, portable) << "length " << n << " offset " << offset;
    }
  }
}

// A bitwise reference, written from the definition (reflected polynomial,
// one bit at a time), to check the table-driven code against.
std::uint32_t bitwise_crc32c(ByteView data) {
  std::uint32_t crc = 0xffffffffu;
  for (std::uint8_t b : data) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

TEST(Crc32c, MatchesBitwiseDefinition) {
  std::mt19937 rng(7);
  for (std::size_t n = 0; n < 300; n += 7) {
    const Bytes data = random_bytes(rng, n);
    ASSERT_EQ(crc32c(data), bitwise_crc32c(data)) << n;
  }
}

TEST(Crc32c, DetectsSingleBitFlips) {
  std::mt19937 rng(11);
  Bytes data = random_bytes(rng, 64);
  const std::uint32_t good = crc32c(data);
  for (std::size_t i = 0; i < data.size() * 8; ++i) {
    data[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    ASSERT_NE(crc32c(data), good) << "bit " << i;
    data[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
  }
}

}  // namespace
}  // namespace iscsi::wire
