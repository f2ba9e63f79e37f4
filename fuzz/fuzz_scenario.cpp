// Fuzzes the scenario loader and the step interpreter: the input is a case
// file. Text that is not JSON, and JSON that is not a valid case, must be
// refused with a message; a case that loads runs against the in-process
// reference target (where no real time passes) and ends with a verdict and,
// unless it passed, a message that says why. Never a crash or a hang.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "runner/runner.h"
#include "scenario/scenario.h"

using namespace iscsi::sim;

namespace {

// Case files are small; larger inputs only slow the fuzzer down.
constexpr std::size_t kMaxInput = 64 * 1024;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_scenario: invariant violated: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto scenario = parse_scenario(j, "fuzz.json");
  if (!scenario) {
    if (scenario.error().empty()) violated("a refused case has no message");
    return 0;
  }
  TargetSpec target;
  target.in_process = true;
  target.timeout = std::chrono::milliseconds(100);
  Runner runner(target);
  const CaseResult r = runner.run(*scenario);
  if (r.id != scenario->id) violated("the result names another case");
  if (r.verdict != Verdict::Pass && r.message.empty()) violated("a non-pass verdict without why");
  if (r.verdict == Verdict::Fail && (r.step == 0 || r.step > scenario->steps.size()))
    violated("a failure names no step of the case");
  return 0;
}
