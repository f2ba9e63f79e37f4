#include "negotiation/policy.h"

#include <utility>

#include "wire/text_value.h"

namespace iscsi::negotiation {

namespace txt = iscsi::wire::text;

Policy::Policy(Role role) : role_(role) {
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    const Key k = static_cast<Key>(i);
    const KeyDef& def = key_def(k);
    if (def.default_value.empty()) continue;
    switch (def.type) {
      case ValueType::Boolean:
        values_[i] = default_boolean(k);
        break;
      case ValueType::Numerical:
        values_[i] = default_number(k);
        break;
      case ValueType::NumericalRange:
        values_[i] = Interval{default_number(k), default_number(k)};
        break;
      case ValueType::ListOfValues:
        values_[i] = std::vector<std::string>{std::string(def.default_value)};
        break;
      default:
        values_[i] = std::string(def.default_value);
        break;
    }
  }
}

bool Policy::set_boolean(Key k, bool v) {
  if (key_def(k).type != ValueType::Boolean) return false;
  values_[index_of(k)] = v;
  return true;
}

bool Policy::set_number(Key k, std::uint64_t v) {
  const KeyDef& def = key_def(k);
  if (def.type != ValueType::Numerical && def.type != ValueType::Binary16) return false;
  if (v < def.min || v > def.max) return false;
  values_[index_of(k)] = v;
  return true;
}

bool Policy::set_interval(Key k, Interval v) {
  const KeyDef& def = key_def(k);
  if (def.type != ValueType::NumericalRange) return false;
  if (v.low > v.high || v.low < def.min || v.high > def.max) return false;
  values_[index_of(k)] = v;
  return true;
}

bool Policy::set_list(Key k, std::vector<std::string> v) {
  const KeyDef& def = key_def(k);
  if (def.type != ValueType::ListOfValues || v.empty()) return false;
  // Only the values the table names: a policy never proposes or accepts a
  // value this implementation does not know.
  for (const std::string& e : v) {
    bool known = false;
    for (std::string_view allowed : def.values) known = known || (e == allowed);
    if (!known) return false;
  }
  values_[index_of(k)] = std::move(v);
  return true;
}

bool Policy::set_text(Key k, std::string v) {
  const KeyDef& def = key_def(k);
  switch (def.type) {
    case ValueType::IscsiName:
    case ValueType::LocalName:
    case ValueType::TextString:
    case ValueType::TargetAddress:
    case ValueType::Enumerated:
    case ValueType::SendTargets:
      break;
    default:
      return false;
  }
  if (check_offer(def, v) != ValueCheck::Ok) return false;
  values_[index_of(k)] = std::move(v);
  return true;
}

std::optional<std::string> Policy::wire_value(Key k) const {
  const PolicyValue& v = value(k);
  if (const bool* b = std::get_if<bool>(&v)) return std::string(txt::format_boolean(*b));
  if (const auto* n = std::get_if<std::uint64_t>(&v)) return txt::format_numerical(*n);
  if (const auto* r = std::get_if<Interval>(&v)) {
    if (r->low == r->high) return txt::format_numerical(r->low);
    return txt::format_numerical(r->low) + "~" + txt::format_numerical(r->high);
  }
  if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
    std::string out;
    for (const std::string& e : *l) {
      if (!out.empty()) out += ',';
      out += e;
    }
    return out;
  }
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return std::nullopt;
}

}  // namespace iscsi::negotiation
