#include "runner/text_expression.h"

#include <cctype>
#include <vector>

#include "session/chap_crypto.h"
#include "session/chap_value.h"
#include "wire/text_value.h"

namespace iscsi::sim {

using wire::Unexpected;
namespace chap = session::chap;

namespace {

// Expressions are short; a bound keeps a broken case from building huge values.
constexpr std::size_t kMaxExpression = 4096;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_name(std::string_view s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  }
  return true;
}

std::vector<std::string_view> split_args(std::string_view s) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\'') quoted = !quoted;
    if (s[i] == ',' && !quoted) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(trim(s.substr(start)));
  return out;
}

wire::Result<std::string, std::string> text_of(std::string_view name,
                                               const ExpressionScope& scope) {
  if (!is_name(name)) return Unexpected("\"" + std::string(name) + "\" is not a variable name");
  auto v = scope.variable ? scope.variable(std::string(name)) : std::nullopt;
  if (!v) return Unexpected("unknown variable " + std::string(name));
  return std::move(*v);
}

// I: a variable or a number, optionally +N / -N, modulo 256.
wire::Result<std::uint8_t, std::string> identifier_of(std::string_view arg,
                                                      const ExpressionScope& scope) {
  std::int64_t offset = 0;
  if (const auto op = arg.find_first_of("+-"); op != std::string_view::npos) {
    const auto n = wire::text::parse_numerical(trim(arg.substr(op + 1)));
    if (!n || *n > 255) return Unexpected("bad identifier offset in \"" + std::string(arg) + "\"");
    offset = arg[op] == '+' ? static_cast<std::int64_t>(*n) : -static_cast<std::int64_t>(*n);
    arg = trim(arg.substr(0, op));
  }
  std::string value(arg);
  if (!arg.empty() && !std::isdigit(static_cast<unsigned char>(arg[0]))) {
    auto v = text_of(arg, scope);
    if (!v) return Unexpected(v.error());
    value = std::move(*v);
  }
  const auto id = chap::decode_identifier(value);
  if (!id) return Unexpected("identifier \"" + value + "\": " + id.error());
  return static_cast<std::uint8_t>((static_cast<std::int64_t>(*id) + offset + 256) % 256);
}

wire::Result<wire::Bytes, std::string> challenge_of(std::string_view arg,
                                                    const ExpressionScope& scope) {
  std::string value(arg);
  if (!arg.starts_with("0")) {
    auto v = text_of(arg, scope);
    if (!v) return Unexpected(v.error());
    value = std::move(*v);
  }
  auto c = chap::decode_binary(value);
  if (!c) return Unexpected("challenge \"" + value + "\": " + c.error());
  return std::move(*c);
}

wire::Result<std::string, std::string> secret_of(std::string_view arg,
                                                 const ExpressionScope& scope) {
  if (arg.size() >= 2 && arg.front() == '\'' && arg.back() == '\'') {
    return std::string(arg.substr(1, arg.size() - 2));
  }
  auto s = scope.secret ? scope.secret(std::string(arg)) : std::nullopt;
  if (!s) return Unexpected("no harness secret named \"" + std::string(arg) + "\"");
  return std::move(*s);
}

wire::Result<std::string, std::string> evaluate(std::string_view expr,
                                                const ExpressionScope& scope) {
  expr = trim(expr);
  const auto open = expr.find('(');
  if (open == std::string_view::npos) return text_of(expr, scope);
  if (expr.back() != ')') return Unexpected("missing ')' in \"" + std::string(expr) + "\"");
  const std::string_view fn = trim(expr.substr(0, open));
  const auto args = split_args(expr.substr(open + 1, expr.size() - open - 2));
  if (fn != "chap_response" && fn != "chap_response_b64" && fn != "chap_response_digits") {
    return Unexpected("unknown function " + std::string(fn));
  }
  if (args.size() < 2 || args.size() > 3) {
    return Unexpected(std::string(fn) + " takes (I, C) or (I, C, SECRET)");
  }
  const auto id = identifier_of(args[0], scope);
  if (!id) return Unexpected(id.error());
  const auto challenge = challenge_of(args[1], scope);
  if (!challenge) return Unexpected(challenge.error());
  const auto secret = secret_of(args.size() == 3 ? args[2] : "initiator", scope);
  if (!secret) return Unexpected(secret.error());
  const auto response = chap::md5_response(*id, *secret, *challenge);
  if (!response) return Unexpected(std::string("MD5 is not available"));
  if (fn == "chap_response_b64") return wire::text::format_base64(*response);
  std::string hex = chap::encode_binary(*response);
  return fn == "chap_response" ? hex : hex.substr(2);
}

}  // namespace

wire::Result<std::string, std::string> expand_expressions(std::string_view text,
                                                          const ExpressionScope& scope) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto start = text.find("${", pos);
    if (start == std::string_view::npos) break;
    const auto end = text.find('}', start);
    if (end == std::string_view::npos) return Unexpected(std::string("unterminated ${ in a value"));
    if (end - start > kMaxExpression) return Unexpected(std::string("expression too long"));
    out.append(text.substr(pos, start - pos));
    auto v = evaluate(text.substr(start + 2, end - start - 2), scope);
    if (!v)
      return Unexpected("${" + std::string(text.substr(start + 2, end - start - 2)) +
                        "}: " + v.error());
    out += *v;
    pos = end + 1;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace iscsi::sim
