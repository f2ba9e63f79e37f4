// Expressions in the text values of scenario steps, so a case can craft
// every CHAP key by hand from what the target sent. A value is copied
// verbatim except for `${...}` substitutions:
//
//   ${NAME}                          a variable: a key value captured with
//                                    `capture_keys`, or a harness name
//                                    (chap_user, mutual_user, ...)
//   ${chap_response(I, C)}           RFC 1994 §4.1 MD5(I || secret || C) as
//   ${chap_response(I, C, SECRET)}   "0x" and 32 hex digits
//   ${chap_response_b64(I, C[, SECRET])}  the same as "0b" and base64
//   ${chap_response_digits(I, C[, SECRET])}  the 32 hex digits alone (to
//                                    build malformed values: "0x0${...}")
//
// I is a variable holding a CHAP_I value or a number (decimal or 0x), with
// an optional +N or -N (modulo 256: a response to the wrong identifier).
// C is a variable holding a CHAP_C value or a literal 0x.../0b... constant.
// SECRET names a harness secret (initiator, the default; target;
// discovery; discovery_target) or is a literal in single quotes ('wrong').
// Values are decoded by the target's CHAP decoders (session/chap_value).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace iscsi::sim {

struct ExpressionScope {
  // A variable's text (captured key values and harness names).
  std::function<std::optional<std::string>(const std::string&)> variable;
  // A named harness secret.
  std::function<std::optional<std::string>(const std::string&)> secret;
};

// `text` with every ${...} replaced; an error names the faulty expression.
wire::Result<std::string, std::string> expand_expressions(std::string_view text,
                                                          const ExpressionScope& scope);

}  // namespace iscsi::sim
