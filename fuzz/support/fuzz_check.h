// Invariant checks inside fuzz targets: a violated invariant prints what
// failed and aborts, which libFuzzer (and the standalone replay driver)
// reports as a crash with the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace iscsi::fuzz {

[[noreturn]] inline void check_failed(const char* expr, const char* file, int line,
                                      const std::string& what) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n  %s\n", file, line, expr, what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace iscsi::fuzz

#define FUZZ_CHECK(cond, what)                                                   \
  do {                                                                           \
    if (!(cond)) ::iscsi::fuzz::check_failed(#cond, __FILE__, __LINE__, (what)); \
  } while (0)
