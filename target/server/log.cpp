#include "server/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace iscsi::server {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::mutex g_mutex;
}  // namespace

void set_log_level(LogLevel level) {
  g_level = static_cast<int>(level);
}

bool parse_log_level(std::string_view text, LogLevel& out) {
  if (text == "error")
    out = LogLevel::Error;
  else if (text == "warn")
    out = LogLevel::Warn;
  else if (text == "info")
    out = LogLevel::Info;
  else if (text == "debug")
    out = LogLevel::Debug;
  else
    return false;
  return true;
}

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) <= g_level.load();
}

void log(LogLevel level, std::string_view message) {
  if (!log_enabled(level)) return;
  static constexpr const char* kNames[] = {"error", "warn", "info", "debug"};
  std::lock_guard lock(g_mutex);
  std::fprintf(stderr, "iscsi-target: %s: %.*s\n", kNames[static_cast<int>(level)],
               static_cast<int>(message.size()), message.data());
}

}  // namespace iscsi::server
