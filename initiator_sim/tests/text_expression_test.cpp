// ${...} expressions in scenario text values. Expected responses are
// MD5(identifier || secret || challenge) (RFC 1994 §4.1) computed outside
// this code base (Python hashlib).
#include "runner/text_expression.h"

#include <gtest/gtest.h>

#include <map>

namespace iscsi::sim {
namespace {

constexpr const char* kChallenge = "0x0123456789abcdeffedcba9876543210";

ExpressionScope scope() {
  static const std::map<std::string, std::string> vars{
      {"chap_i", "7"}, {"chap_c", kChallenge}, {"chap_user", "alice"}, {"big_i", "255"}};
  static const std::map<std::string, std::string> secrets{{"initiator", "secret-of-initiator"},
                                                          {"target", "target-secret-2"}};
  ExpressionScope s;
  s.variable = [](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  s.secret = [](const std::string& n) -> std::optional<std::string> {
    auto it = secrets.find(n);
    return it == secrets.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  return s;
}

std::string expand(const std::string& text) {
  auto r = expand_expressions(text, scope());
  EXPECT_TRUE(r.ok()) << text << ": " << r.error();
  return r.ok() ? *r : "";
}

bool fails(const std::string& text) {
  return !expand_expressions(text, scope()).ok();
}

TEST(TextExpression, PlainTextAndVariables) {
  EXPECT_EQ(expand("CHAP"), "CHAP");
  EXPECT_EQ(expand(""), "");
  EXPECT_EQ(expand("${chap_user}"), "alice");
  EXPECT_EQ(expand("x-${chap_user}-${chap_i}"), "x-alice-7");
}

TEST(TextExpression, ChapResponse) {
  // MD5(0x07 || "secret-of-initiator" || C)
  EXPECT_EQ(expand("${chap_response(chap_i, chap_c)}"), "0x8035881561d745bc51d268b34090da4f");
  EXPECT_EQ(expand("${chap_response(7, chap_c, initiator)}"), "0x8035881561d745bc51d268b34090da4f");
  EXPECT_EQ(expand("${chap_response(chap_i, " + std::string(kChallenge) + ")}"),
            "0x8035881561d745bc51d268b34090da4f");
  EXPECT_EQ(expand("${chap_response_b64(chap_i, chap_c)}"), "0bgDWIFWHXRbxR0mizQJDaTw==");
  EXPECT_EQ(expand("0x0${chap_response_digits(chap_i, chap_c)}"),
            "0x08035881561d745bc51d268b34090da4f");
  // The wrong identifier: MD5(0x08 || ...), and 0 from 0x07 - 7.
  EXPECT_EQ(expand("${chap_response(chap_i+1, chap_c)}"), "0xcf9e60807051cfcd3657557bee7bf6c1");
  EXPECT_EQ(expand("${chap_response(chap_i-7, chap_c)}"), "0x69a89ce4830d4a61fd5ec82fbc74eee6");
  // Identifiers wrap modulo 256: 255 + 8 is 7.
  EXPECT_EQ(expand("${chap_response(big_i+8, chap_c)}"), "0x8035881561d745bc51d268b34090da4f");
  // A literal secret, and the target's: MD5(0x2a || "target-secret-2" || C).
  EXPECT_EQ(expand("${chap_response(42, chap_c, 'target-secret-2')}"),
            "0xb15b53ce2171caa0007e5c256d0fba76");
  EXPECT_EQ(expand("${chap_response(0x2a, chap_c, target)}"), "0xb15b53ce2171caa0007e5c256d0fba76");
}

TEST(TextExpression, MistakesAreErrors) {
  EXPECT_TRUE(fails("${nobody}"));
  EXPECT_TRUE(fails("${chap_user"));
  EXPECT_TRUE(fails("${Bad-Name}"));
  EXPECT_TRUE(fails("${md5(chap_i, chap_c)}"));
  EXPECT_TRUE(fails("${chap_response(chap_i)}"));
  EXPECT_TRUE(fails("${chap_response(chap_i, chap_c, initiator, x)}"));
  EXPECT_TRUE(fails("${chap_response(chap_i, chap_c, nosuchsecret)}"));
  EXPECT_TRUE(fails("${chap_response(256, chap_c)}"));
  EXPECT_TRUE(fails("${chap_response(chap_i, 0xzz)}"));
  EXPECT_TRUE(fails("${chap_response(chap_i, chap_user)}"));  // "alice" is no binary value
  EXPECT_TRUE(fails("${chap_response(chap_i, chap_c}"));
}

}  // namespace
}  // namespace iscsi::sim
