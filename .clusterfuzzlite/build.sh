#!/bin/bash -eu
# Builds every libFuzzer target of fuzz/ with the compiler, flags and fuzzing
# engine ClusterFuzzLite / OSS-Fuzz provide ($CXX, $CXXFLAGS,
# $LIB_FUZZING_ENGINE), and puts each into $OUT with its dictionary, its
# .options file and its seed corpus (the corpus and the regression inputs).
cd "$SRC/iscsi-conformance"

# fuzz_pcap, fuzz_scenario, fuzz_chap and fuzz_replay fuzz the simulator, which needs libpcap and
# nlohmann/json; they run with the CMake `fuzz` preset (ci/fuzz.sh).
targets=(fuzz_pdu_decode fuzz_text_keys fuzz_login fuzz_session fuzz_scsi_cdb)
flags=(-std=c++20 -Itarget -Ifuzz)

# The code under test: the wire codec, negotiation, session and SCSI layers,
# and the fuzz support code, as one static library.
obj="$WORK/iscsi-obj"
rm -rf "$obj"
mkdir -p "$obj"
for src in target/wire/*.cpp target/negotiation/*.cpp target/session/*.cpp target/scsi/*.cpp \
           fuzz/support/*.cpp; do
  $CXX $CXXFLAGS "${flags[@]}" -c "$src" -o "$obj/$(echo "${src%.cpp}" | tr / _).o"
done
rm -f "$WORK/libiscsi_fuzz.a"
ar rcs "$WORK/libiscsi_fuzz.a" "$obj"/*.o

for t in "${targets[@]}"; do
  $CXX $CXXFLAGS "${flags[@]}" "fuzz/$t.cpp" -o "$OUT/$t" $LIB_FUZZING_ENGINE \
    "$WORK/libiscsi_fuzz.a" -lcrypto
  cp "fuzz/$t.dict" "fuzz/$t.options" "$OUT/"
  seeds="$WORK/seeds-$t"
  rm -rf "$seeds"
  mkdir -p "$seeds"
  cp fuzz/corpus/"$t"/* "$seeds/"
  if [[ -d fuzz/regressions/$t ]]; then cp fuzz/regressions/"$t"/* "$seeds/"; fi
  rm -f "$OUT/${t}_seed_corpus.zip"
  (cd "$seeds" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
done
