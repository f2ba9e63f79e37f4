// The simulator against the in-process reference target: one login and
// logout (the target's whole login path, sans I/O), and the whole
// conformance corpus. Figures only; nothing is asserted.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "runner/runner.h"
#include "scenario/scenario.h"

namespace iscsi::sim {
namespace {

TargetSpec in_process() {
  TargetSpec t;
  t.in_process = true;
  return t;
}

void BM_InProcessLoginLogout(benchmark::State& state) {
  const auto scenario = parse_scenario(nlohmann::json::parse(R"({
    "id": "rfc3720-5.3-bench-login-logout", "title": "login and logout",
    "rfc3720": ["5.3"], "requirement": "bench", "level": "MUST",
    "steps": [{"login": {}}, {"logout": {}}]})"),
                                       "bench.json");
  if (!scenario) {
    state.SkipWithError(scenario.error().c_str());
    return;
  }
  Runner runner(in_process());
  for (auto _ : state) {
    // The in-process target is built per case, as `iscsi-sim run --spawn` does.
    const CaseResult r = runner.run(*scenario);
    if (r.verdict != Verdict::Pass) {
      state.SkipWithError(r.message.c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InProcessLoginLogout);

void BM_InProcessCorpus(benchmark::State& state) {
  auto loaded = load_scenarios({ISCSI_CASES_DIR});
  if (!loaded) {
    state.SkipWithError(loaded.error().c_str());
    return;
  }
  Runner runner(in_process());
  for (auto _ : state) {
    for (const Scenario& s : *loaded) benchmark::DoNotOptimize(runner.run(s));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(loaded->size()));
  state.counters["cases"] = static_cast<double>(loaded->size());
}
BENCHMARK(BM_InProcessCorpus)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace iscsi::sim
