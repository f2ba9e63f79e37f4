// Serial number arithmetic for CmdSN, StatSN, DataSN and R2TSN. RFC 3720
// §3.2.2.1: "Comparisons and arithmetic on CmdSN ... MUST be performed using
// Serial Number Arithmetic as defined in [RFC1982] where SERIAL_BITS = 32."
#pragma once

#include <cstdint>

namespace iscsi::session {

// RFC 1982 §3.2: s1 < s2 when the distance from s1 forward to s2 is less than
// 2^31. Two numbers exactly 2^31 apart are not comparable; both lt and gt
// are then false.
constexpr bool sn_lt(std::uint32_t s1, std::uint32_t s2) {
  return s1 != s2 && (s2 - s1) < 0x80000000u;
}
constexpr bool sn_gt(std::uint32_t s1, std::uint32_t s2) {
  return s1 != s2 && (s1 - s2) < 0x80000000u;
}
constexpr bool sn_le(std::uint32_t s1, std::uint32_t s2) {
  return s1 == s2 || sn_lt(s1, s2);
}
constexpr bool sn_ge(std::uint32_t s1, std::uint32_t s2) {
  return s1 == s2 || sn_gt(s1, s2);
}

// True when `sn` lies in the window [low, high] (inclusive, serial order).
constexpr bool sn_in_window(std::uint32_t sn, std::uint32_t low, std::uint32_t high) {
  return sn_le(low, sn) && sn_le(sn, high);
}

}  // namespace iscsi::session
