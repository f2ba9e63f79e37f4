// Numbers on the iscsi-sim command line: the whole argument is a decimal
// number (no sign, spaces or trailing characters) no larger than `max`.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

namespace iscsi::sim {

inline bool parse_cli_number(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v > max) return false;
  out = v;
  return true;
}

}  // namespace iscsi::sim
