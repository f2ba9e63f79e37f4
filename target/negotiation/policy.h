// Local policy: the values this side offers, declares or accepts for each
// key, which keys it proposes on its own, and the engine's resource limits.
// Every value is checked against the key table when it is set.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "negotiation/keys.h"
#include "negotiation/types.h"
#include "negotiation/value_check.h"

namespace iscsi::negotiation {

struct Limits {
  // Bound on the NotUnderstood answers of one reply, in count and in bytes of
  // answer text. An unbounded echo of unknown keys is what LIO's
  // CVE-2013-2850 overflowed. Exceeding either bound is an error value, never
  // a larger buffer. The defaults answer any text within RFC 3720 §5.1's
  // "at least 8192 bytes of key=value data" in full: a pair takes at least 3
  // bytes ("A=\0"), so there are at most 2730 pairs, and an answer
  // ("A=NotUnderstood\0") is at most 13 bytes longer than its pair, so all
  // answers fit in 8192 + 13 * 2730 = 43682 bytes.
  std::size_t max_not_understood_keys = 4096;
  std::size_t max_not_understood_bytes = 65536;
};

// The local value of a key: a boolean, a number, a marker interval, a list
// (preference order when offering, the acceptable set when responding) or a
// text (declarations, SessionType, SendTargets).
using PolicyValue = std::variant<std::monostate, bool, std::uint64_t, Interval,
                                 std::vector<std::string>, std::string>;

class Policy {
 public:
  // Starts from the table's defaults; nothing is offered.
  explicit Policy(Role role);

  Role role() const { return role_; }

  // Each setter returns false and leaves the policy unchanged when the value
  // does not fit the key's type, range or admissible values.
  bool set_boolean(Key k, bool v);
  bool set_number(Key k, std::uint64_t v);
  bool set_interval(Key k, Interval v);
  bool set_list(Key k, std::vector<std::string> v);
  bool set_text(Key k, std::string v);

  // Whether this side proposes (negotiated keys) or declares (declarative
  // keys) the key on its own when the stage admits it.
  void set_offer(Key k, bool offer = true) { offer_[index_of(k)] = offer; }
  bool offers(Key k) const { return offer_[index_of(k)]; }

  const PolicyValue& value(Key k) const { return values_[index_of(k)]; }

  // The value in wire form as this side would send it; nullopt when unset.
  std::optional<std::string> wire_value(Key k) const;

  // §12.21: "The target can either accept it or reject it."
  std::vector<SessionType> accepted_session_types = {SessionType::Normal, SessionType::Discovery};

  Limits limits;

 private:
  Role role_;
  std::array<PolicyValue, kKeyCount> values_;
  std::array<bool, kKeyCount> offer_{};
};

}  // namespace iscsi::negotiation
