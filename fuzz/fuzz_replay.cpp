// Fuzzes capture replay end to end: the input is a capture file, turned into
// a replay script and re-driven against an in-process reference target
// configured from it (--spawn), so that the replayer's matching, rewriting
// and comparison meet arbitrary recorded sessions. Bad captures must give a
// clear error; replays must end (virtual time, bounded waits) with outcomes
// that agree with their differences.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "replay/replayer.h"
#include "replay/spawn_target.h"
#include "transport/inprocess_transport.h"

using namespace iscsi;
using namespace iscsi::replay;

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_replay: invariant violated: %s\n", what);
  std::abort();
}

#define REPLAY_CHECK(cond)        \
  do {                            \
    if (!(cond)) violated(#cond); \
  } while (0)

// LUNs stay small whatever READ CAPACITY answers the capture holds.
constexpr std::uint64_t kMaxLunBytes = std::uint64_t{4} << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  capture::DecoderOptions decoder;
  decoder.limits.max_connections = 16;
  decoder.limits.max_buffered_total = std::size_t{1} << 20;
  ScriptLimits limits;
  limits.max_total_data = std::uint64_t{1} << 20;
  auto script = load_capture_script_bytes(wire::ByteView(data, size), decoder, limits);
  if (!script) {
    REPLAY_CHECK(!script.error().empty());
    return 0;
  }
  ReplayOptions options;
  options.timeout = std::chrono::milliseconds(20);
  SpawnPlan plan = plan_spawn(*script, std::nullopt, {});
  for (auto& lun : plan.luns) {
    const std::uint64_t block = lun.options.block_size;
    lun.backend.size = std::min<std::uint64_t>(*lun.backend.size, kMaxLunBytes) / block * block;
    if (*lun.backend.size == 0) lun.backend.size = block;
  }
  auto target = spawn_target(plan);
  if (!target) return 0;
  SpawnedTarget& t = **target;
  Connector connect = [&t]() -> wire::Result<std::unique_ptr<sim::Transport>, std::string> {
    return std::unique_ptr<sim::Transport>(
        std::make_unique<sim::InProcessTransport>(t.config, t.sessions));
  };
  const ReplayResult result = replay_capture(*script, options, connect);
  REPLAY_CHECK(result.connections.size() == script->connections.size());
  std::uint64_t sent = 0;
  for (const auto& c : result.connections) {
    const auto& sc = script->connections.at(c.id);
    std::uint64_t to_target = 0;
    for (const std::size_t i : sc.pdus) to_target += script->pdus[i].to_target ? 1 : 0;
    REPLAY_CHECK(c.sent + c.not_sent <= to_target);
    REPLAY_CHECK(c.compared <= sc.pdus.size() - to_target);
    REPLAY_CHECK((c.verdict == ConnectionVerdict::Differ) == !c.differences.empty());
    if (c.verdict == ConnectionVerdict::Skipped) REPLAY_CHECK(c.sent == 0 && !c.reason.empty());
    for (const auto& d : c.differences) {
      REPLAY_CHECK(!d.kind.empty());
      REPLAY_CHECK(d.connection == c.id);
    }
    sent += c.sent;
  }
  REPLAY_CHECK(sent == result.sent);
  return 0;
}
