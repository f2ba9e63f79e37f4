// Type and range checking of a text value against its key's entry in the
// table (RFC 3720 §5.1 value syntax, §11/§12/Appendix A ranges).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "negotiation/keys.h"

namespace iscsi::negotiation {

enum class ValueCheck : std::uint8_t {
  Ok,
  Malformed,   // not the key's syntax
  OutOfRange,  // the key's syntax, outside its range or list of admissible values
  TooLong,     // over the key's length limit
};

// §5.2: "The constants "None", "Reject", "Irrelevant", and "NotUnderstood"
// are reserved and MUST ONLY be used as described here." True for the three
// that may only appear in answers.
bool is_answer_constant(std::string_view v);

// The value an originator sends: the whole list for list keys, a range (or a
// single value) for the marker intervals, the value itself otherwise.
ValueCheck check_offer(const KeyDef& def, std::string_view value);

// A responder's selection (§5.2.1, §5.2.2): exactly one value for list keys
// and marker intervals, the value itself otherwise. Reserved constants are
// not checked here.
ValueCheck check_answer(const KeyDef& def, std::string_view value);

// A numerical value within the key's [min, max].
std::optional<std::uint64_t> parse_number(const KeyDef& def, std::string_view value);

struct Interval {
  std::uint64_t low;
  std::uint64_t high;
  bool operator==(const Interval&) const = default;
};

// Appendix A.3.2 offer: "a~b", or one value ("In case it only wants a
// specific value, only a single value has to be specified"), within bounds.
std::optional<Interval> parse_interval(const KeyDef& def, std::string_view value);

// §12.9 16-bit-binary-value: decimal, hex or base64, at most 0xffff.
std::optional<std::uint16_t> parse_binary16(std::string_view value);

// §12.8 TargetAddress=domainname[:port][,portal-group-tag].
struct TargetAddressValue {
  std::string_view host;  // DNS name, dotted IPv4 or bracketed IPv6 (brackets included)
  std::optional<std::uint16_t> port;
  std::optional<std::uint16_t> portal_group_tag;
};
std::optional<TargetAddressValue> parse_target_address(std::string_view value);

// Well-formed UTF-8 without NUL (iSCSI-local-name-value, §12.6).
bool is_utf8_text(std::string_view value);

}  // namespace iscsi::negotiation
