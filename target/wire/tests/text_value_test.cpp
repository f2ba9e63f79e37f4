#include "wire/text_value.h"

#include <gtest/gtest.h>

#include <string>

namespace iscsi::wire::text {
namespace {

// --- standard-label and key-name (§5.1, §12.22) ---

TEST(TextValueLabel, AcceptsRfcKeys) {
  for (const char* k : {"HeaderDigest", "MaxRecvDataSegmentLength", "InitiatorName", "CHAP_A",
                        "SRP_U", "TargetAddress", "A", "K.a-b+c@d_e9"}) {
    EXPECT_TRUE(is_standard_label(k)) << k;
  }
}

TEST(TextValueLabel, MustBeginWithCapitalLetter) {
  EXPECT_FALSE(is_standard_label("headerDigest"));
  EXPECT_FALSE(is_standard_label("9Key"));
  EXPECT_FALSE(is_standard_label("_Key"));
  EXPECT_FALSE(is_standard_label(".Key"));
  EXPECT_FALSE(is_standard_label(""));
}

TEST(TextValueLabel, RejectsCharactersOutsideTheSet) {
  for (const char* k : {"Key Name", "Key/x", "Key:x", "Key[", "Key]", "Key,", "Key~", "Key#",
                        "Key=", "Key\t", "Kéy"}) {
    EXPECT_FALSE(is_standard_label(k)) << k;
  }
  EXPECT_FALSE(is_standard_label(std::string("Key\0x", 5)));
}

TEST(TextValueLabel, LengthLimitIs63) {
  const std::string k63 = "K" + std::string(62, 'a');
  const std::string k64 = "K" + std::string(63, 'a');
  EXPECT_TRUE(is_standard_label(k63));
  EXPECT_FALSE(is_standard_label(k64));
}

TEST(TextValueKeyName, StandardLabelsAreKeyNames) {
  EXPECT_TRUE(is_key_name("HeaderDigest"));
  EXPECT_FALSE(is_key_name("headerdigest"));
  EXPECT_FALSE(is_key_name(""));
}

TEST(TextValueKeyName, ExtensionKeys) {
  // §12.22 example form "X-reversed.vendor.dns_name.do_something".
  EXPECT_TRUE(is_key_name("X-reversed.vendor.dns_name.do_something"));
  EXPECT_TRUE(is_key_name("X-com.example.Feature"));
  EXPECT_TRUE(is_key_name("X#org.example.Public"));
  EXPECT_TRUE(is_key_name("X#a"));
  // Nothing after the prefix.
  EXPECT_FALSE(is_key_name("X-"));
  EXPECT_FALSE(is_key_name("X#"));
  // The remainder follows the key-name character set.
  EXPECT_FALSE(is_key_name("X#com example"));
  EXPECT_FALSE(is_key_name("X-a/b"));
  EXPECT_FALSE(is_key_name("X#a#b"));
  // '#' is only allowed right after the X.
  EXPECT_FALSE(is_key_name("Y#abc"));
  EXPECT_FALSE(is_key_name("x-abc"));
}

TEST(TextValueKeyName, ExtensionKeyLengthLimitIs63) {
  const std::string k63 = "X#" + std::string(61, 'a');
  const std::string k64 = "X#" + std::string(62, 'a');
  EXPECT_TRUE(is_key_name(k63));
  EXPECT_FALSE(is_key_name(k64));
  EXPECT_TRUE(is_key_name("X-" + std::string(61, 'a')));
  EXPECT_FALSE(is_key_name("X-" + std::string(62, 'a')));
}

// --- text-value (§5.1) ---

TEST(TextValueText, AcceptsItsCharacterSet) {
  EXPECT_TRUE(is_text_value(""));
  EXPECT_TRUE(is_text_value("None"));
  EXPECT_TRUE(is_text_value("CRC32C"));
  EXPECT_TRUE(is_text_value("abcXYZ019.-+@_/[]:"));
  EXPECT_TRUE(is_text_value("[fe80::1]:3260"));
}

TEST(TextValueText, RejectsOtherCharacters) {
  for (const char* v : {"a b", "a,b", "a=b", "a~b", "a#b", "a\"b", "a*b", "a\tb", "é"}) {
    EXPECT_FALSE(is_text_value(v)) << v;
  }
  EXPECT_FALSE(is_text_value(std::string("a\0b", 3)));
}

// --- iSCSI-name-value (§3.2.6) ---

TEST(TextValueIscsiName, AcceptsRfcIqnExamples) {
  // §3.2.6.3.1 examples.
  EXPECT_TRUE(is_iscsi_name_value("iqn.2001-04.com.example:storage:diskarrays-sn-a8675309"));
  EXPECT_TRUE(is_iscsi_name_value("iqn.2001-04.com.example"));
  EXPECT_TRUE(is_iscsi_name_value("iqn.2001-04.com.example:storage.tape1.sys1.xyz"));
  EXPECT_TRUE(is_iscsi_name_value("iqn.2001-04.com.example:storage.disk2.sys1.xyz"));
  EXPECT_TRUE(is_iscsi_name_value("iqn.1994-05.com.redhat:5f3e2c1a9b"));
  EXPECT_TRUE(is_iscsi_name_value("iqn.2003-01.org.linux-iscsi.host.x8664:sn.0123456789ab"));
}

TEST(TextValueIscsiName, IqnDateCode) {
  EXPECT_TRUE(is_iscsi_name_value("iqn.2001-01.com.example"));
  EXPECT_TRUE(is_iscsi_name_value("iqn.2001-12.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-00.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-13.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-4.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.01-04.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.200104.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001.04.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04:com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04."));
  EXPECT_FALSE(is_iscsi_name_value("iqn.abcd-04.com.example"));
}

TEST(TextValueIscsiName, IqnNamingAuthority) {
  EXPECT_TRUE(is_iscsi_name_value("iqn.2001-04.com"));
  EXPECT_TRUE(is_iscsi_name_value("iqn.2001-04.com:"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04.:x"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04..com"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04.com..example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04.com.example."));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04.com.example.:x"));
}

TEST(TextValueIscsiName, UpperCaseIsRejected) {
  // Stringprep (RFC 3722) maps upper case to lower case, so a name on the wire
  // never contains it.
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04.com.Example"));
  EXPECT_FALSE(is_iscsi_name_value("IQN.2001-04.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("iqn.2001-04.com.example:Storage"));
  EXPECT_FALSE(is_iscsi_name_value("eui.02004567A425678D"));
  EXPECT_FALSE(is_iscsi_name_value("EUI.02004567a425678d"));
}

TEST(TextValueIscsiName, OtherCharactersAreRejected) {
  for (const char* n :
       {"iqn.2001-04.com.example:a b", "iqn.2001-04.com.example:a_b", "iqn.2001-04.com.example:a/b",
        "iqn.2001-04.com.example:a@b", "iqn.2001-04.com.ex_ample", "iqn.2001-04.com.example:é"}) {
    EXPECT_FALSE(is_iscsi_name_value(n)) << n;
  }
}

TEST(TextValueIscsiName, Eui) {
  // §3.2.6.3.2 example, lower-cased as stringprep outputs it.
  EXPECT_TRUE(is_iscsi_name_value("eui.02004567a425678d"));
  EXPECT_FALSE(is_iscsi_name_value("eui.02004567a425678"));    // 15 digits
  EXPECT_FALSE(is_iscsi_name_value("eui.02004567a425678d0"));  // 17 digits
  EXPECT_FALSE(is_iscsi_name_value("eui.02004567a425678g"));   // not hex
  EXPECT_FALSE(is_iscsi_name_value("eui."));
  EXPECT_FALSE(is_iscsi_name_value("eui.02004567a425678d:x"));
}

TEST(TextValueIscsiName, Naa) {
  EXPECT_TRUE(is_iscsi_name_value("naa.52004567ba64678d"));
  EXPECT_TRUE(is_iscsi_name_value("naa.62004567ba64678d0123456789abcdef"));
  EXPECT_FALSE(is_iscsi_name_value("naa.52004567ba64678"));
  EXPECT_FALSE(is_iscsi_name_value("naa.52004567ba64678d0"));
  EXPECT_FALSE(is_iscsi_name_value("naa.62004567ba64678d0123456789abcde"));
  EXPECT_FALSE(is_iscsi_name_value("naa.62004567ba64678d0123456789abcdef0"));
  EXPECT_FALSE(is_iscsi_name_value("naa.52004567BA64678D"));
}

TEST(TextValueIscsiName, UnknownTypeOrEmpty) {
  EXPECT_FALSE(is_iscsi_name_value(""));
  EXPECT_FALSE(is_iscsi_name_value("iqn"));
  EXPECT_FALSE(is_iscsi_name_value("abc.2001-04.com.example"));
  EXPECT_FALSE(is_iscsi_name_value("2001-04.com.example"));
}

TEST(TextValueIscsiName, LengthLimitIs223Bytes) {
  const std::string prefix = "iqn.2001-04.com.example:";
  const std::string n223 = prefix + std::string(223 - prefix.size(), 'a');
  const std::string n224 = prefix + std::string(224 - prefix.size(), 'a');
  ASSERT_EQ(n223.size(), 223u);
  EXPECT_TRUE(is_iscsi_name_value(n223));
  EXPECT_FALSE(is_iscsi_name_value(n224));
}

// --- boolean-value (§5.1) ---

TEST(TextValueBoolean, ExactlyYesOrNo) {
  EXPECT_EQ(parse_boolean("Yes"), std::optional<bool>(true));
  EXPECT_EQ(parse_boolean("No"), std::optional<bool>(false));
  for (const char* v : {"yes", "no", "YES", "NO", "Y", "N", "", "Yes ", "1", "0", "true"}) {
    EXPECT_EQ(parse_boolean(v), std::nullopt) << v;
  }
  EXPECT_EQ(format_boolean(true), "Yes");
  EXPECT_EQ(format_boolean(false), "No");
}

// --- numerical-value (§5.1) ---

TEST(TextValueNumerical, Decimal) {
  EXPECT_EQ(parse_numerical("0"), 0u);
  EXPECT_EQ(parse_numerical("1"), 1u);
  EXPECT_EQ(parse_numerical("9"), 9u);
  EXPECT_EQ(parse_numerical("8192"), 8192u);
  EXPECT_EQ(parse_numerical("262144"), 262144u);
}

TEST(TextValueNumerical, DecimalLeadingZerosRejected) {
  EXPECT_EQ(parse_numerical("00"), std::nullopt);
  EXPECT_EQ(parse_numerical("01"), std::nullopt);
  EXPECT_EQ(parse_numerical("0123"), std::nullopt);
}

TEST(TextValueNumerical, DecimalBoundaryAt2To64) {
  EXPECT_EQ(parse_numerical("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_numerical("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_numerical("18446744073709551620"), std::nullopt);
  EXPECT_EQ(parse_numerical("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_numerical("100000000000000000000000000000"), std::nullopt);
}

TEST(TextValueNumerical, Hex) {
  EXPECT_EQ(parse_numerical("0x0"), 0u);
  EXPECT_EQ(parse_numerical("0x1"), 1u);
  EXPECT_EQ(parse_numerical("0X1f"), 0x1fu);
  EXPECT_EQ(parse_numerical("0xABCdef"), 0xabcdefu);
  EXPECT_EQ(parse_numerical("0x2000"), 8192u);
  // Leading zeros are discouraged, not forbidden.
  EXPECT_EQ(parse_numerical("0x00000000000000000000ff"), 0xffu);
}

TEST(TextValueNumerical, HexBoundaryAt2To64) {
  EXPECT_EQ(parse_numerical("0xffffffffffffffff"), UINT64_MAX);
  EXPECT_EQ(parse_numerical("0x0ffffffffffffffff"), UINT64_MAX);
  EXPECT_EQ(parse_numerical("0x10000000000000000"), std::nullopt);
  EXPECT_EQ(parse_numerical("0x1ffffffffffffffff"), std::nullopt);
}

TEST(TextValueNumerical, HexNeedsDigits) {
  EXPECT_EQ(parse_numerical("0x"), std::nullopt);
  EXPECT_EQ(parse_numerical("0X"), std::nullopt);
  EXPECT_EQ(parse_numerical("0xzz"), std::nullopt);
  EXPECT_EQ(parse_numerical("0x1g"), std::nullopt);
  EXPECT_EQ(parse_numerical("x1"), std::nullopt);
  EXPECT_EQ(parse_numerical("00x1"), std::nullopt);
}

TEST(TextValueNumerical, RejectsNonNumbers) {
  for (const char* v : {"", " 1", "1 ", "+1", "-1", "1.0", "1e3", "abc", "1,2", "1~2", "Yes"}) {
    EXPECT_EQ(parse_numerical(v), std::nullopt) << v;
  }
}

TEST(TextValueNumerical, Base64OnlyWhenAllowed) {
  // "AQA=" is the two bytes 01 00.
  EXPECT_EQ(parse_numerical("0bAQA="), std::nullopt);
  EXPECT_EQ(parse_numerical("0bAQA=", true), 256u);
  EXPECT_EQ(parse_numerical("0BAQA=", true), 256u);
  // Eight 0xff bytes: "//////////8=".
  EXPECT_EQ(parse_numerical("0b//////////8=", true), UINT64_MAX);
  // Nine bytes 01 00 .. 00 is 2^64: "AQAAAAAAAAAA".
  EXPECT_EQ(parse_numerical("0bAQAAAAAAAAAA", true), std::nullopt);
  // Nine bytes with a leading zero byte still fit: 00 ff*8 is "AP//////////".
  EXPECT_EQ(parse_numerical("0bAP//////////", true), UINT64_MAX);
  EXPECT_EQ(parse_numerical("0b", true), std::nullopt);
  EXPECT_EQ(parse_numerical("0bAQA", true), std::nullopt);
}

TEST(TextValueNumerical, FormatIsDecimal) {
  EXPECT_EQ(format_numerical(0), "0");
  EXPECT_EQ(format_numerical(65536), "65536");
  EXPECT_EQ(format_numerical(UINT64_MAX), "18446744073709551615");
}

// --- numerical-range (§5.1) ---

TEST(TextValueRange, Valid) {
  using P = std::pair<std::uint64_t, std::uint64_t>;
  EXPECT_EQ(parse_range("1~2"), (P{1, 2}));
  EXPECT_EQ(parse_range("5~5"), (P{5, 5}));
  EXPECT_EQ(parse_range("0~18446744073709551615"), (P{0, UINT64_MAX}));
  EXPECT_EQ(parse_range("0x10~0x20"), (P{16, 32}));
  EXPECT_EQ(parse_range("16~0x20"), (P{16, 32}));
}

TEST(TextValueRange, RightMustNotBeLowerThanLeft) {
  EXPECT_EQ(parse_range("2~1"), std::nullopt);
  EXPECT_EQ(parse_range("0x21~32"), std::nullopt);
}

TEST(TextValueRange, Malformed) {
  for (const char* v : {"", "~", "1~", "~2", "1", "1~2~3", "1-2", "01~2", "1~0x", "a~b", "1 ~2",
                        "1~18446744073709551616"}) {
    EXPECT_EQ(parse_range(v), std::nullopt) << v;
  }
}

// --- binary values (§5.1) ---

TEST(TextValueBinary, HexEvenDigits) {
  EXPECT_EQ(parse_binary("0x0a0b", 16), (Bytes{0x0a, 0x0b}));
  EXPECT_EQ(parse_binary("0XDEADbeef", 16), (Bytes{0xde, 0xad, 0xbe, 0xef}));
  // Leading zeros count toward the byte length of a binary string.
  EXPECT_EQ(parse_binary("0x0000", 16), (Bytes{0x00, 0x00}));
}

TEST(TextValueBinary, HexOddDigitsHaveImplicitLeadingZeroNibble) {
  // §5.1: n digits give (n+1)/2 bytes.
  EXPECT_EQ(parse_binary("0xabc", 16), (Bytes{0x0a, 0xbc}));
  EXPECT_EQ(parse_binary("0x0", 16), (Bytes{0x00}));
  EXPECT_EQ(parse_binary("0xf", 16), (Bytes{0x0f}));
  EXPECT_EQ(parse_binary("0x12345", 16), (Bytes{0x01, 0x23, 0x45}));
}

TEST(TextValueBinary, HexInvalid) {
  EXPECT_EQ(parse_binary("0x", 16), std::nullopt);
  EXPECT_EQ(parse_binary("0xzz", 16), std::nullopt);
  EXPECT_EQ(parse_binary("0xab cd", 16), std::nullopt);
  EXPECT_EQ(parse_binary("0xabg", 16), std::nullopt);
}

TEST(TextValueBinary, HexLengthLimit) {
  EXPECT_EQ(parse_binary("0x01020304", 4), (Bytes{1, 2, 3, 4}));
  EXPECT_EQ(parse_binary("0x0102030405", 4), std::nullopt);
  EXPECT_EQ(parse_binary("0x102030405", 4), std::nullopt);  // 9 digits = 5 bytes
  EXPECT_EQ(parse_binary("0x1020304", 4), (Bytes{0x01, 0x02, 0x03, 0x04}));
  EXPECT_EQ(parse_binary("0x0", 0), std::nullopt);
  const std::string big = "0x" + std::string(2 * 1024, 'a');
  EXPECT_EQ(parse_binary(big, 1023), std::nullopt);
  const auto decoded = parse_binary(big, 1024);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->size(), 1024u);
  EXPECT_EQ(decoded->front(), 0xaa);
}

TEST(TextValueBinary, Base64) {
  // RFC 4648 §10 test vectors, written as base64-constants.
  EXPECT_EQ(parse_binary("0bZg==", 16), bytes_of("f"));
  EXPECT_EQ(parse_binary("0bZm8=", 16), bytes_of("fo"));
  EXPECT_EQ(parse_binary("0bZm9v", 16), bytes_of("foo"));
  EXPECT_EQ(parse_binary("0bZm9vYg==", 16), bytes_of("foob"));
  EXPECT_EQ(parse_binary("0bZm9vYmE=", 16), bytes_of("fooba"));
  EXPECT_EQ(parse_binary("0BZm9vYmFy", 16), bytes_of("foobar"));
  EXPECT_EQ(parse_binary("0b+/8=", 16), (Bytes{0xfb, 0xff}));
}

TEST(TextValueBinary, Base64BadPadding) {
  for (const char* v : {"0bZg", "0bZg=", "0bZg===", "0bZm8", "0bZ===", "0b====", "0b=Zg=", "0bZ=g=",
                        "0bZm9v=", "0bZm9vYg", "0bZg==Zg==", "0b"}) {
    EXPECT_EQ(parse_binary(v, 64), std::nullopt) << v;
  }
}

TEST(TextValueBinary, Base64RejectsWhitespaceAndForeignCharacters) {
  for (const char* v : {"0bZm9v Yg==", "0bZm9v\nYg==", "0bZm9-", "0bZm9_", "0bZm9.", "0b Zm9v"}) {
    EXPECT_EQ(parse_binary(v, 64), std::nullopt) << v;
  }
}

TEST(TextValueBinary, Base64NonZeroPadBitsRejected) {
  // "Zh==" and "Zm9=" decode to the same bytes as "Zg==" and "Zm8=" but with
  // non-zero pad bits (RFC 4648 §3.5).
  EXPECT_EQ(parse_binary("0bZh==", 16), std::nullopt);
  EXPECT_EQ(parse_binary("0bZm9=", 16), std::nullopt);
}

TEST(TextValueBinary, Base64LengthLimit) {
  EXPECT_EQ(parse_binary("0bZm9vYmFy", 6), bytes_of("foobar"));
  EXPECT_EQ(parse_binary("0bZm9vYmFy", 5), std::nullopt);
  EXPECT_EQ(parse_binary("0bZm9vYmE=", 5), bytes_of("fooba"));
  EXPECT_EQ(parse_binary("0bZm9vYmE=", 4), std::nullopt);
}

TEST(TextValueBinary, DecimalOnlyWhenAllowed) {
  EXPECT_EQ(parse_binary("258", 8), std::nullopt);
  EXPECT_EQ(parse_binary("258", 8, true), (Bytes{0x01, 0x02}));
  EXPECT_EQ(parse_binary("0", 8, true), (Bytes{0x00}));
  EXPECT_EQ(parse_binary("255", 1, true), (Bytes{0xff}));
  EXPECT_EQ(parse_binary("256", 1, true), std::nullopt);
  EXPECT_EQ(parse_binary("18446744073709551615", 8, true), Bytes(8, 0xff));
  // A regular-binary-value is at most 64 bits.
  EXPECT_EQ(parse_binary("18446744073709551616", 16, true), std::nullopt);
  EXPECT_EQ(parse_binary("012", 8, true), std::nullopt);
  EXPECT_EQ(parse_binary("", 8, true), std::nullopt);
  EXPECT_EQ(parse_binary("12a", 8, true), std::nullopt);
}

TEST(TextValueBinary, FormatHex) {
  EXPECT_EQ(format_hex(Bytes{0x0a, 0xbc}), "0x0abc");
  EXPECT_EQ(format_hex(Bytes{0x00}), "0x00");
  EXPECT_EQ(format_hex(Bytes{0xde, 0xad, 0xbe, 0xef}), "0xdeadbeef");
}

TEST(TextValueBinary, FormatBase64) {
  EXPECT_EQ(format_base64(bytes_of("f")), "0bZg==");
  EXPECT_EQ(format_base64(bytes_of("fo")), "0bZm8=");
  EXPECT_EQ(format_base64(bytes_of("foo")), "0bZm9v");
  EXPECT_EQ(format_base64(bytes_of("foob")), "0bZm9vYg==");
  EXPECT_EQ(format_base64(bytes_of("fooba")), "0bZm9vYmE=");
  EXPECT_EQ(format_base64(bytes_of("foobar")), "0bZm9vYmFy");
  EXPECT_EQ(format_base64(Bytes{0xfb, 0xff}), "0b+/8=");
}

TEST(TextValueBinary, FormatParseRoundTrip) {
  Bytes data;
  for (int n = 1; n <= 70; ++n) {
    data.push_back(static_cast<std::uint8_t>(n * 37 + 11));
    EXPECT_EQ(parse_binary(format_hex(data), 1024), data) << n;
    EXPECT_EQ(parse_binary(format_base64(data), 1024), data) << n;
  }
}

// --- list-of-values (§5.1) ---

TEST(TextValueList, Splits) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split_list("CRC32C,None"), (V{"CRC32C", "None"}));
  EXPECT_EQ(split_list("None"), (V{"None"}));
  EXPECT_EQ(split_list("KRB5,SRP,CHAP,None"), (V{"KRB5", "SRP", "CHAP", "None"}));
}

TEST(TextValueList, KeepsEmptyElements) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split_list(""), (V{""}));
  EXPECT_EQ(split_list("a,"), (V{"a", ""}));
  EXPECT_EQ(split_list(",a"), (V{"", "a"}));
  EXPECT_EQ(split_list("a,,b"), (V{"a", "", "b"}));
  EXPECT_EQ(split_list(","), (V{"", ""}));
}

}  // namespace
}  // namespace iscsi::wire::text
