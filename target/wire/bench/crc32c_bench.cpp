// CRC32C throughput of the dispatched and the portable implementation over
// buffers the size of typical data segments.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "wire/crc32c.h"

namespace {

iscsi::wire::Bytes make_buffer(std::size_t n) {
  iscsi::wire::Bytes b(n);
  std::uint32_t x = 0x9e3779b9u;
  for (auto& byte : b) {
    x = x * 1664525u + 1013904223u;
    byte = static_cast<std::uint8_t>(x >> 24);
  }
  return b;
}

void BM_Crc32cDispatched(benchmark::State& state) {
  const auto buffer = make_buffer(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(iscsi::wire::crc32c(buffer));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetLabel(std::string(iscsi::wire::crc32c_implementation()));
}

void BM_Crc32cPortable(benchmark::State& state) {
  const auto buffer = make_buffer(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(iscsi::wire::crc32c_finish(
        iscsi::wire::crc32c_update_portable(iscsi::wire::kCrc32cInit, buffer)));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetLabel("slicing-by-8");
}

BENCHMARK(BM_Crc32cDispatched)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_Crc32cPortable)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);

}  // namespace
