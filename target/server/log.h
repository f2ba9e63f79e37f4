// Minimal leveled logging to stderr for the target program.
#pragma once

#include <string_view>

namespace iscsi::server {

enum class LogLevel { Error = 0, Warn = 1, Info = 2, Debug = 3 };

void set_log_level(LogLevel level);
bool parse_log_level(std::string_view text, LogLevel& out);
bool log_enabled(LogLevel level);
void log(LogLevel level, std::string_view message);

}  // namespace iscsi::server
