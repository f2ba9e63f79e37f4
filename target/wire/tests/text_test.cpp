#include "wire/text.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace iscsi::wire::text {
namespace {

// Bytes of a string literal that may contain NULs.
template <std::size_t N>
Bytes raw(const char (&s)[N]) {
  return Bytes(s, s + N - 1);
}

using Pairs = std::vector<KeyValue>;

// --- parse ---

TEST(TextParse, EmptyInputIsEmptyList) {
  const auto r = parse({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(TextParse, PairsInOrder) {
  const auto r = parse(raw("HeaderDigest=CRC32C,None\0MaxConnections=1\0"));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, (Pairs{{"HeaderDigest", "CRC32C,None"}, {"MaxConnections", "1"}}));
}

TEST(TextParse, KeyIsWhateverPrecedesTheFirstEquals) {
  // §5.1: the value runs from after the first '=' to the NUL, so it may hold
  // further '=' (e.g. base64 padding).
  const auto r = parse(raw("CHAP_C=0bZg==\0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"CHAP_C", "0bZg=="}}));
}

TEST(TextParse, EmptyValueAllowed) {
  const auto r = parse(raw("Key=\0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"Key", ""}}));
}

TEST(TextParse, DuplicateKeysAreKept) {
  // Whether a repeat is allowed is key-specific (e.g. TargetAddress); the
  // negotiation layer decides.
  const auto r = parse(raw("TargetAddress=a\0TargetAddress=b\0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 2u);
}

TEST(TextParse, ExtensionKeys) {
  const auto r = parse(raw("X-com.example.Thing=1\0X#org.example.Other=2\0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Pairs{{"X-com.example.Thing", "1"}, {"X#org.example.Other", "2"}}));
}

TEST(TextParse, MissingEquals) {
  const auto r = parse(raw("HeaderDigest=None\0MaxConnections\0"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TextErrc::MissingEquals);
  EXPECT_EQ(r.error().pair_index, 1u);
}

TEST(TextParse, MissingFinalNul) {
  // §5.1: every pair, including the last, MUST be followed by one NUL.
  const auto r = parse(raw("HeaderDigest=None\0MaxConnections=1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TextErrc::MissingTerminator);
  EXPECT_EQ(r.error().pair_index, 1u);

  const auto only = parse(raw("HeaderDigest=None"));
  ASSERT_FALSE(only.ok());
  EXPECT_EQ(only.error().code, TextErrc::MissingTerminator);
  EXPECT_EQ(only.error().pair_index, 0u);
}

TEST(TextParse, EmptyPairIsRejected) {
  for (const Bytes& text : {raw("\0"), raw("A=1\0\0"), raw("A=1\0\0B=2\0"), raw("\0A=1\0")}) {
    const auto r = parse(text);
    ASSERT_FALSE(r.ok()) << to_hex(text);
    EXPECT_EQ(r.error().code, TextErrc::MissingEquals) << to_hex(text);
  }
  const auto r = parse(raw("A=1\0\0"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().pair_index, 1u);
}

TEST(TextParse, TwoNulsAfterAPairAreNotOneDelimiter) {
  // "followed by one null": a second NUL starts an (empty) pair.
  EXPECT_FALSE(parse(raw("HeaderDigest=None\0\0")).ok());
}

TEST(TextParse, InvalidKeyNames) {
  for (const Bytes& text :
       {raw("=value\0"), raw("lowercase=1\0"), raw("Key Name=1\0"), raw("1Key=1\0"),
        raw("Key/x=1\0"), raw("X-=1\0"), raw("X#=1\0"), raw("A=1\0\xff\xfe=2\0")}) {
    const auto r = parse(text);
    ASSERT_FALSE(r.ok()) << to_hex(text);
    EXPECT_EQ(r.error().code, TextErrc::InvalidKeyName) << to_hex(text);
  }
  const auto r = parse(raw("A=1\0\x01K=2\0"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().pair_index, 1u);
  // Control bytes of the key are escaped in the detail.
  EXPECT_EQ(r.error().detail.find('\x01'), std::string::npos);
}

TEST(TextParse, KeyLengthLimit) {
  const std::string k63 = "K" + std::string(62, 'k');
  const std::string k64 = "K" + std::string(63, 'k');
  const auto ok = parse(encode({{k63, "v"}}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0].key, k63);

  const auto bad = parse(encode({{k64, "v"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, TextErrc::KeyTooLong);
  EXPECT_EQ(bad.error().pair_index, 0u);
}

TEST(TextParse, ValueLengthLimit) {
  ParseLimits limits;
  limits.max_value_length = 255;
  const auto ok = parse(encode({{"A", std::string(255, 'v')}}), limits);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0].value.size(), 255u);

  const auto bad = parse(encode({{"A", "x"}, {"B", std::string(256, 'v')}}), limits);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, TextErrc::ValueTooLong);
  EXPECT_EQ(bad.error().pair_index, 1u);
}

TEST(TextParse, DefaultValueLimitAllowsLongChapValues) {
  // CHAP_C / CHAP_R may be far longer than 255 bytes (§11.1.4 large-binary).
  const std::string challenge = "0x" + std::string(2048, 'a');
  const auto r = parse(encode({{"CHAP_C", challenge}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].value, challenge);
}

TEST(TextParse, PairCountLimit) {
  ParseLimits limits;
  limits.max_pairs = 3;
  const Pairs three = {{"A", "1"}, {"B", "2"}, {"C", "3"}};
  ASSERT_TRUE(parse(encode(three), limits).ok());
  Pairs four = three;
  four.push_back({"D", "4"});
  const auto r = parse(encode(four), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TextErrc::TooManyPairs);
  EXPECT_EQ(r.error().pair_index, 3u);
}

TEST(TextParse, ValueBytesArePassedThrough) {
  // Value syntax is key-specific and left to the negotiation layer; parse
  // keeps the bytes (here UTF-8 of an alias) unchanged.
  const auto r = parse(raw("InitiatorAlias=h\xc3\xb4te\0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].value, "h\xc3\xb4te");
}

// --- encode ---

TEST(TextEncode, EveryPairFollowedByOneNul) {
  EXPECT_EQ(encode({{"HeaderDigest", "None"}, {"Key", ""}}), raw("HeaderDigest=None\0Key=\0"));
  EXPECT_TRUE(encode({}).empty());
}

TEST(TextEncode, ParseRoundTrip) {
  const Pairs pairs = {{"InitiatorName", "iqn.2001-04.com.example:host"},
                       {"SessionType", "Normal"},
                       {"AuthMethod", "CHAP,None"},
                       {"X-com.example.Empty", ""}};
  const auto r = parse(encode(pairs));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, pairs);
}

TEST(TextErrcName, AllCodesNamed) {
  for (TextErrc c : {TextErrc::MissingTerminator, TextErrc::MissingEquals, TextErrc::InvalidKeyName,
                     TextErrc::KeyTooLong, TextErrc::ValueTooLong, TextErrc::TooManyPairs,
                     TextErrc::TooLarge, TextErrc::ContinuationError}) {
    EXPECT_FALSE(text_errc_name(c).empty());
    EXPECT_NE(text_errc_name(c), "unknown text error");
  }
}

// --- Assembler ---

TEST(TextAssembler, SingleSegment) {
  Assembler a;
  const auto r = a.add(raw("A=1\0"), false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_TRUE(a.complete());
  EXPECT_EQ(a.take(), raw("A=1\0"));
  EXPECT_FALSE(a.complete());
  EXPECT_EQ(a.size(), 0u);
}

TEST(TextAssembler, PairsStraddlingPduBoundaries) {
  // §5.1: a key=value pair may span PDUs; the key, the '=', the value and
  // the NUL each end up split here.
  Assembler a;
  auto r = a.add(raw("HeaderDig"), true);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_FALSE(a.complete());
  ASSERT_TRUE(a.add(raw("est"), true).ok());
  ASSERT_TRUE(a.add(raw("=No"), true).ok());
  ASSERT_TRUE(a.add(raw("ne"), true).ok());
  ASSERT_TRUE(a.add(raw("\0Max"), true).ok());
  ASSERT_TRUE(a.add({}, true).ok());  // an empty continuation PDU
  r = a.add(raw("Connections=1\0"), false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  const Bytes text = a.take();
  const auto parsed = parse(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, (Pairs{{"HeaderDigest", "None"}, {"MaxConnections", "1"}}));
}

TEST(TextAssembler, ExactLimitAccepted) {
  Assembler a(8);
  ASSERT_TRUE(a.add(raw("A=12"), true).ok());
  ASSERT_TRUE(a.add(raw("345\0"), false).ok());
  EXPECT_EQ(a.size(), 8u);
}

TEST(TextAssembler, OverLimitRejectedWithoutGrowth) {
  Assembler a(8);
  ASSERT_TRUE(a.add(raw("A=12"), true).ok());
  const auto r = a.add(raw("3456\0"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TextErrc::TooLarge);
  EXPECT_EQ(a.size(), 4u);
  EXPECT_FALSE(a.complete());
  a.reset();
  EXPECT_EQ(a.size(), 0u);
  EXPECT_TRUE(a.add(raw("B=1\0"), false).ok());
}

TEST(TextAssembler, HugeSegmentRejectedBeforeCopy) {
  Assembler a(8192);
  const Bytes big(8193, 'a');
  const auto r = a.add(big, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TextErrc::TooLarge);
  EXPECT_EQ(a.size(), 0u);
}

TEST(TextAssembler, SupportsTheRfcMinimumOf8192Bytes) {
  // §5.1: receivers MUST support at least 8192 bytes of key=value data.
  Assembler a(8192);
  const std::vector<Bytes> parts = split(Bytes(8192, 'a'), 512);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    ASSERT_TRUE(a.add(parts[i], i + 1 < parts.size()).ok()) << i;
  }
  EXPECT_TRUE(a.complete());
  EXPECT_EQ(a.size(), 8192u);
}

TEST(TextAssembler, SegmentAfterFinalIsAnError) {
  Assembler a;
  ASSERT_TRUE(a.add(raw("A=1\0"), false).ok());
  const auto r = a.add(raw("B=2\0"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, TextErrc::ContinuationError);
  EXPECT_EQ(a.take(), raw("A=1\0"));
  EXPECT_TRUE(a.add(raw("B=2\0"), false).ok());
}

// --- split ---

TEST(TextSplit, SegmentsAtMostMaxAndConcatenateBack) {
  const Bytes text = encode({{"A", "1234567"}, {"B", "xyz"}});  // 10 + 6 bytes
  const auto parts = split(text, 4);
  ASSERT_EQ(parts.size(), 4u);
  Bytes joined;
  for (const auto& p : parts) {
    EXPECT_LE(p.size(), 4u);
    joined.insert(joined.end(), p.begin(), p.end());
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(parts[0], raw("A=12"));
  EXPECT_EQ(parts[3], raw("xyz\0"));
}

TEST(TextSplit, ExactMultipleAndLargeMax) {
  const Bytes text(12, 'a');
  EXPECT_EQ(split(text, 4).size(), 3u);
  EXPECT_EQ(split(text, 5).size(), 3u);
  const auto one = split(text, 8192);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], text);
}

TEST(TextSplit, EmptyTextIsOneEmptySegment) {
  const auto parts = split({}, 512);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_TRUE(parts[0].empty());
}

TEST(TextSplit, ZeroMaxYieldsNoSegments) {
  EXPECT_TRUE(split(raw("A=1\0"), 0).empty());
}

TEST(TextSplit, SplitAssembleRoundTrip) {
  Pairs pairs;
  for (int i = 0; i < 40; ++i) {
    pairs.push_back({"Key" + std::to_string(i), std::string(static_cast<std::size_t>(i * 7), 'v')});
  }
  const Bytes text = encode(pairs);
  for (std::size_t max : {1u, 2u, 3u, 7u, 512u, 1000u, 100000u}) {
    const auto parts = split(text, max);
    Assembler a(text.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto r = a.add(parts[i], i + 1 < parts.size());
      ASSERT_TRUE(r.ok()) << "max " << max << " part " << i;
      EXPECT_EQ(*r, i + 1 == parts.size());
    }
    ASSERT_TRUE(a.complete());
    const auto parsed = parse(a.take());
    ASSERT_TRUE(parsed.ok()) << "max " << max;
    EXPECT_EQ(*parsed, pairs) << "max " << max;
  }
}

}  // namespace
}  // namespace iscsi::wire::text
