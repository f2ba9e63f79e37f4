#include "negotiation/value_check.h"

#include <cstddef>

#include "wire/text_value.h"

namespace iscsi::negotiation {

namespace txt = iscsi::wire::text;

namespace {

// A list element (§5.1): a non-empty text-value within the per-element limit
// that is not an answer constant. "None" is a legitimate list element.
ValueCheck check_list_element(const KeyDef& def, std::string_view e) {
  if (e.empty() || !txt::is_text_value(e)) return ValueCheck::Malformed;
  if (e.size() > def.max) return ValueCheck::TooLong;
  if (is_answer_constant(e)) return ValueCheck::Malformed;
  return ValueCheck::Ok;
}

ValueCheck check_number(const KeyDef& def, std::string_view v) {
  const auto n = txt::parse_numerical(v);
  if (!n) return ValueCheck::Malformed;
  if (*n < def.min || *n > def.max) return ValueCheck::OutOfRange;
  return ValueCheck::Ok;
}

ValueCheck check_binary(const KeyDef& def, std::string_view v) {
  if (txt::parse_binary(v, static_cast<std::size_t>(def.max))) return ValueCheck::Ok;
  // A decoded value is never longer than its encoding, so this bound
  // separates "too long" from "not a binary-value" without a larger buffer
  // than the input itself.
  if (v.size() > def.max && txt::parse_binary(v, v.size())) return ValueCheck::TooLong;
  return ValueCheck::Malformed;
}

ValueCheck check_binary16(std::string_view v) {
  if (parse_binary16(v)) return ValueCheck::Ok;
  if (txt::parse_binary(v, 8, /*allow_decimal=*/true)) return ValueCheck::OutOfRange;
  return ValueCheck::Malformed;
}

ValueCheck check_utf8(const KeyDef& def, std::string_view v) {
  if (!is_utf8_text(v)) return ValueCheck::Malformed;
  if (v.size() > def.max) return ValueCheck::TooLong;
  return ValueCheck::Ok;
}

ValueCheck check_enumerated(const KeyDef& def, std::string_view v) {
  for (std::string_view allowed : def.values) {
    if (v == allowed) return ValueCheck::Ok;
  }
  return (v.empty() || !txt::is_text_value(v)) ? ValueCheck::Malformed : ValueCheck::OutOfRange;
}

bool is_dns_or_ipv4(std::string_view host) {
  // RFC 1035 labels (letters, digits, '-') separated by dots; a dotted
  // IPv4 address has the same shape.
  if (host.empty() || host.front() == '.' || host.back() == '.') return false;
  char prev = '.';
  for (char c : host) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!alnum && c != '-') {
      return false;
    }
    prev = c;
  }
  return true;
}

bool is_ipv6_literal(std::string_view inner) {
  // RFC 2732: hex digits, colons and (for an embedded IPv4 part) dots.
  if (inner.size() < 2) return false;
  bool colon = false;
  for (char c : inner) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == ':') colon = true;
    if (!hex && c != ':' && c != '.') return false;
  }
  return colon;
}

}  // namespace

bool is_answer_constant(std::string_view v) {
  return v == "Reject" || v == "Irrelevant" || v == "NotUnderstood";
}

bool is_utf8_text(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // RFC 3629 §3: overlong forms, surrogates and code points above U+10FFFF
    // are not UTF-8.
    static constexpr std::uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::optional<std::uint64_t> parse_number(const KeyDef& def, std::string_view value) {
  const auto n = txt::parse_numerical(value);
  if (!n || *n < def.min || *n > def.max) return std::nullopt;
  return n;
}

std::optional<Interval> parse_interval(const KeyDef& def, std::string_view value) {
  if (value.find('~') == std::string_view::npos) {
    const auto n = parse_number(def, value);
    if (!n) return std::nullopt;
    return Interval{*n, *n};
  }
  const auto r = txt::parse_range(value);
  if (!r || r->first < def.min || r->second > def.max) return std::nullopt;
  return Interval{r->first, r->second};
}

std::optional<std::uint16_t> parse_binary16(std::string_view value) {
  // §12.9: "TargetPortalGroupTag=<16-bit-binary-value>", example
  // "TargetPortalGroupTag=1": a decimal constant is admitted.
  const auto bytes = txt::parse_binary(value, 2, /*allow_decimal=*/true);
  if (!bytes || bytes->empty()) return std::nullopt;
  std::uint16_t v = 0;
  for (std::uint8_t b : *bytes) v = static_cast<std::uint16_t>((v << 8) | b);
  return v;
}

std::optional<TargetAddressValue> parse_target_address(std::string_view value) {
  if (value.empty() || value.size() > kSimpleValueMax) return std::nullopt;
  TargetAddressValue out;
  std::string_view rest = value;
  if (const std::size_t comma = rest.find(','); comma != std::string_view::npos) {
    const auto tag = parse_binary16(rest.substr(comma + 1));
    if (!tag) return std::nullopt;
    out.portal_group_tag = tag;
    rest = rest.substr(0, comma);
  }
  std::string_view port;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos || !is_ipv6_literal(rest.substr(1, close - 1))) {
      return std::nullopt;
    }
    out.host = rest.substr(0, close + 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t colon = rest.find(':');
    out.host = rest.substr(0, colon);
    if (!is_dns_or_ipv4(out.host)) return std::nullopt;
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      has_port = true;
    }
  }
  if (has_port) {
    // §12.8: "The formats for the port and portal-group-tag are the same as
    // the one specified in TargetPortalGroupTag."
    const auto p = parse_binary16(port);
    if (!p) return std::nullopt;
    out.port = p;
  }
  return out;
}

ValueCheck check_offer(const KeyDef& def, std::string_view v) {
  switch (def.type) {
    case ValueType::ListOfValues: {
      for (std::string_view e : txt::split_list(v)) {
        if (const ValueCheck c = check_list_element(def, e); c != ValueCheck::Ok) return c;
      }
      return ValueCheck::Ok;
    }
    case ValueType::NumberList: {
      for (std::string_view e : txt::split_list(v)) {
        if (const ValueCheck c = check_number(def, e); c != ValueCheck::Ok) return c;
      }
      return ValueCheck::Ok;
    }
    case ValueType::Enumerated:
      return check_enumerated(def, v);
    case ValueType::Boolean:
      return txt::parse_boolean(v) ? ValueCheck::Ok : ValueCheck::Malformed;
    case ValueType::Numerical:
      return check_number(def, v);
    case ValueType::NumericalRange: {
      if (v.find('~') == std::string_view::npos) return check_number(def, v);
      const auto r = txt::parse_range(v);
      if (!r) return ValueCheck::Malformed;
      return (r->first < def.min || r->second > def.max) ? ValueCheck::OutOfRange : ValueCheck::Ok;
    }
    case ValueType::IscsiName:
      return txt::is_iscsi_name_value(v) ? ValueCheck::Ok : ValueCheck::Malformed;
    case ValueType::LocalName:
    case ValueType::TextString:
      return check_utf8(def, v);
    case ValueType::Binary:
      return check_binary(def, v);
    case ValueType::Binary16:
      return check_binary16(v);
    case ValueType::TargetAddress:
      if (v.size() > def.max) return ValueCheck::TooLong;
      return parse_target_address(v) ? ValueCheck::Ok : ValueCheck::Malformed;
    case ValueType::SendTargets:
      // Appendix D: "All", an iSCSI target name, or nothing.
      if (v.empty() || v == "All") return ValueCheck::Ok;
      return txt::is_iscsi_name_value(v) ? ValueCheck::Ok : ValueCheck::Malformed;
  }
  return ValueCheck::Malformed;
}

ValueCheck check_answer(const KeyDef& def, std::string_view v) {
  switch (def.type) {
    case ValueType::ListOfValues:
      // §5.2.1: "respond with the same key and the first value that it
      // supports" -- one value, not a list.
      if (v.find(',') != std::string_view::npos) return ValueCheck::Malformed;
      return check_list_element(def, v);
    case ValueType::NumberList:
      if (v.find(',') != std::string_view::npos) return ValueCheck::Malformed;
      return check_number(def, v);
    case ValueType::NumericalRange:
      // Appendix A.3.2: "Responding: OFMarkInt=<numeric-value-from-1-to-65535>".
      return check_number(def, v);
    default:
      return check_offer(def, v);
  }
}

}  // namespace iscsi::negotiation
