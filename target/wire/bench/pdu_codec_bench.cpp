// BHS encode/decode and framing throughput. Figures only; nothing is asserted.
#include <benchmark/benchmark.h>

#include "wire/framer.h"
#include "wire/pdu_codec.h"

namespace iscsi::wire {
namespace {

ScsiCommand sample_command() {
  ScsiCommand cmd;
  cmd.read = true;
  cmd.initiator_task_tag = 0x10;
  cmd.expected_data_transfer_length = 4096;
  cmd.cmd_sn = 77;
  cmd.cdb = {0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0};
  return cmd;
}

void BM_EncodeBhs(benchmark::State& state) {
  const Pdu pdu = sample_command();
  for (auto _ : state) benchmark::DoNotOptimize(encode_bhs(pdu));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeBhs);

void BM_DecodeBhs(benchmark::State& state) {
  const Bytes wire = encode(Pdu(sample_command()));
  for (auto _ : state) benchmark::DoNotOptimize(decode(wire));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeBhs);

// A stream of 4 KiB Data-Out PDUs with both digests, framed in 64 KiB reads.
void BM_FrameDataOut(benchmark::State& state) {
  const DigestSettings d{true, true};
  Bytes stream;
  for (int i = 0; i < 64; ++i) {
    encode_append(
        Pdu(ScsiDataOut{.data_sn = static_cast<std::uint32_t>(i), .data = Bytes(4096, 7)}), d,
        stream);
  }
  for (auto _ : state) {
    Framer framer({.digests = d, .max_recv_data_segment_length = 262144});
    ByteView rest(stream);
    std::size_t frames = 0;
    while (!rest.empty()) {
      const auto step = framer.feed(rest.first(std::min<std::size_t>(rest.size(), 65536)));
      rest = rest.subspan(step.consumed);
      if (step.state == Framer::State::Ready) ++frames;
    }
    benchmark::DoNotOptimize(frames);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_FrameDataOut);

}  // namespace
}  // namespace iscsi::wire
