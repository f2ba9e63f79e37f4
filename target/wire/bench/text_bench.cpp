// The §5.1 text codec on a typical operational-stage login text (the keys a
// Linux initiator sends). Figures only; nothing is asserted.
#include <benchmark/benchmark.h>

#include "wire/text.h"

namespace iscsi::wire {
namespace {

std::vector<text::KeyValue> login_keys() {
  return {{"InitiatorName", "iqn.2005-03.org.open-iscsi:0123456789ab"},
          {"InitiatorAlias", "host1"},
          {"TargetName", "iqn.2025-12.local:storage.disk1"},
          {"SessionType", "Normal"},
          {"HeaderDigest", "None"},
          {"DataDigest", "None"},
          {"DefaultTime2Wait", "2"},
          {"DefaultTime2Retain", "0"},
          {"IFMarker", "No"},
          {"OFMarker", "No"},
          {"ErrorRecoveryLevel", "0"},
          {"InitialR2T", "No"},
          {"ImmediateData", "Yes"},
          {"MaxBurstLength", "16776192"},
          {"FirstBurstLength", "262144"},
          {"MaxOutstandingR2T", "1"},
          {"MaxConnections", "1"},
          {"DataPDUInOrder", "Yes"},
          {"DataSequenceInOrder", "Yes"},
          {"MaxRecvDataSegmentLength", "262144"}};
}

void BM_TextParseLogin(benchmark::State& state) {
  const Bytes encoded = text::encode(login_keys());
  for (auto _ : state) benchmark::DoNotOptimize(text::parse(encoded));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(encoded.size()));
}
BENCHMARK(BM_TextParseLogin);

void BM_TextEncodeLogin(benchmark::State& state) {
  const auto keys = login_keys();
  for (auto _ : state) benchmark::DoNotOptimize(text::encode(keys));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TextEncodeLogin);

}  // namespace
}  // namespace iscsi::wire
