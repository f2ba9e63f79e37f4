#!/usr/bin/env bash
# Runs the libFuzzer targets, or measures the line coverage their corpora reach.
#
#   bash ci/fuzz.sh [SECONDS] [TARGET...]   fuzz each target for SECONDS (default 60)
#   bash ci/fuzz.sh --coverage [TARGET...]  line coverage of target/wire,
#                                           target/negotiation and target/session
#                                           reached by the corpora
#   bash ci/fuzz.sh --merge [TARGET...]     minimise the working corpora into
#                                           fuzz/corpus/TARGET (libFuzzer -merge=1)
#
# Fuzzing builds the `fuzz` preset (clang-14, -fsanitize=fuzzer,address,undefined)
# unless FUZZ_NO_BUILD=1; FUZZ_BUILD names another build directory. Each target
# starts from its seed corpus (fuzz/corpus/TARGET) and regression inputs
# (fuzz/regressions/TARGET), with the dictionary and options of
# fuzz/TARGET.options, and keeps what it finds in FUZZ_WORK/TARGET/corpus
# (default build/fuzz-work). The table at the end gives, per target, the
# executions per second, the coverage libFuzzer reached (cov: edges, ft:
# features) and the findings (crash-, leak-, timeout- and oom- artifacts in
# FUZZ_WORK/TARGET/artifacts). The exit status is 1 when anything was found.
# FUZZ_FLAGS adds libFuzzer flags, e.g. FUZZ_FLAGS='-fork=1 -ignore_crashes=1'
# to go on past a known finding (every crash is still saved and counted).
#
# Coverage builds the project with clang's source-based coverage into
# build/fuzz-coverage (FUZZ_COVERAGE_BUILD), replays the seed corpora through
# the standalone driver (FUZZ_CORPUS=work adds the working corpora) and prints
# the report. By hand, the same is:
#   cmake -S . -B build/fuzz-coverage -DCMAKE_C_COMPILER=clang-14 \
#     -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug -DISCSI_WERROR=OFF \
#     -DCMAKE_CXX_FLAGS='-fprofile-instr-generate -fcoverage-mapping' \
#     -DCMAKE_EXE_LINKER_FLAGS='-fprofile-instr-generate'
#   cmake --build build/fuzz-coverage --target fuzz_pdu_decode fuzz_text_keys \
#     fuzz_login fuzz_session fuzz_scsi_cdb
#   for t in fuzz_pdu_decode fuzz_text_keys fuzz_login fuzz_session fuzz_scsi_cdb; do
#     LLVM_PROFILE_FILE=build/fuzz-coverage/prof/$t-%p.profraw \
#       build/fuzz-coverage/bin/$t fuzz/corpus/$t
#   done
#   llvm-profdata-14 merge -sparse build/fuzz-coverage/prof/*.profraw \
#     -o build/fuzz-coverage/fuzz.profdata
#   llvm-cov-14 report build/fuzz-coverage/bin/fuzz_pdu_decode \
#     -object build/fuzz-coverage/bin/fuzz_text_keys -object build/fuzz-coverage/bin/fuzz_login \
#     -object build/fuzz-coverage/bin/fuzz_session -object build/fuzz-coverage/bin/fuzz_scsi_cdb \
#     -instr-profile build/fuzz-coverage/fuzz.profdata \
#     target/wire/*.cpp target/negotiation/*.cpp target/session/*.cpp
# The TOTAL line's "Lines" column is the figure the fuzzing issue tracks.
set -uo pipefail
cd "$(dirname "$0")/.."

# Every fuzz/fuzz_*.cpp is a target.
all_targets=()
for f in fuzz/fuzz_*.cpp; do all_targets+=("$(basename "$f" .cpp)"); done
mode=fuzz
seconds=60
case ${1:-} in
  --coverage) mode=coverage; shift ;;
  --merge) mode=merge; shift ;;
  '') ;;
  *[!0-9]*) ;;
  *) seconds=$1; shift ;;
esac
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
build=${FUZZ_BUILD:-build/fuzz}
work=${FUZZ_WORK:-build/fuzz-work}

# The [libfuzzer] options of fuzz/TARGET.options as -key=value flags; the
# dictionary path is relative to fuzz/.
options_of() {
  local file=fuzz/$1.options key value
  [[ -f $file ]] || return 0
  while IFS='=' read -r key value; do
    key=${key// /}
    value=${value# }
    [[ -z $key || $key == \[* || $key == \#* ]] && continue
    [[ $key == dict ]] && value=fuzz/$value
    printf -- '-%s=%s\n' "$key" "$value"
  done <"$file"
}

inputs_of() {
  [[ -d fuzz/corpus/$1 ]] && echo "fuzz/corpus/$1"
  [[ -d fuzz/regressions/$1 ]] && echo "fuzz/regressions/$1"
  return 0
}

if [[ $mode == coverage ]]; then
  cov=${FUZZ_COVERAGE_BUILD:-build/fuzz-coverage}
  cmake -S . -B "$cov" -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=Debug -DISCSI_WERROR=OFF \
    -DCMAKE_CXX_FLAGS='-fprofile-instr-generate -fcoverage-mapping' \
    -DCMAKE_EXE_LINKER_FLAGS='-fprofile-instr-generate' >/dev/null || exit 1
  cmake --build "$cov" -j "$(nproc)" --target "${targets[@]}" >/dev/null || exit 1
  rm -rf "$cov/prof"
  mkdir -p "$cov/prof"
  objects=()
  for t in "${targets[@]}"; do
    # The corpus only: a regression input that still fails would abort the
    # replay before its profile is written.
    inputs=()
    [[ -d fuzz/corpus/$t ]] && inputs+=("fuzz/corpus/$t")
    [[ ${FUZZ_CORPUS:-} == work && -d $work/$t/corpus ]] && inputs+=("$work/$t/corpus")
    ((${#inputs[@]})) || continue
    LLVM_PROFILE_FILE="$cov/prof/$t-%p.profraw" "$cov/bin/$t" "${inputs[@]}" >/dev/null ||
      echo "warning: $t failed on its corpus; its coverage is missing" >&2
    ((${#objects[@]})) && objects+=(-object)
    objects+=("$cov/bin/$t")
  done
  llvm-profdata-14 merge -sparse "$cov"/prof/*.profraw -o "$cov/fuzz.profdata" || exit 1
  llvm-cov-14 report "${objects[@]}" -instr-profile "$cov/fuzz.profdata" \
    target/wire/*.cpp target/negotiation/*.cpp target/session/*.cpp
  exit $?
fi

if [[ -z ${FUZZ_NO_BUILD:-} ]]; then
  if [[ -z ${FUZZ_BUILD:-} ]]; then
    cmake --preset fuzz >/dev/null || exit 1
  fi
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" || exit 1
fi

if [[ $mode == merge ]]; then
  for t in "${targets[@]}"; do
    [[ -d $work/$t/corpus ]] || continue
    mapfile -t opts < <(options_of "$t")
    # Hand-named seeds stay; the content-named inputs of earlier merges and
    # the working corpus are merged in again, keeping only what adds coverage.
    fresh=$(mktemp -d)
    previous=$(mktemp -d)
    for f in "fuzz/corpus/$t"/*; do
      [[ -f $f ]] || continue
      if [[ $(basename "$f") =~ ^[0-9a-f]{40}$ ]]; then cp "$f" "$previous/"; else cp "$f" "$fresh/"; fi
    done
    "$build/bin/$t" "${opts[@]}" -merge=1 "$fresh" "$previous" "$work/$t/corpus" \
      >"$work/$t/merge.log" 2>&1 || { echo "merge of $t failed, see $work/$t/merge.log"; exit 1; }
    rm -f "fuzz/corpus/$t"/*
    cp "$fresh"/* "fuzz/corpus/$t/"
    rm -rf "$fresh" "$previous"
    echo "$t: $(ls "fuzz/corpus/$t" | wc -l) inputs"
  done
  exit 0
fi

status=0
printf '%-16s %8s %10s %8s %8s %9s %9s  %s\n' target seconds execs exec/s cov ft findings artifacts
for t in "${targets[@]}"; do
  dir=$work/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  mapfile -t opts < <(options_of "$t")
  mapfile -t inputs < <(inputs_of "$t")
  log=$dir/fuzz.log
  # shellcheck disable=SC2086
  "$build/bin/$t" "${opts[@]}" ${FUZZ_FLAGS:-} -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" "${inputs[@]}" >"$log" 2>&1
  last=$(grep -E '^#[0-9]+:?[[:space:]].*cov: ' "$log" | tail -1)
  execs=$(awk '/stat::number_of_executed_units/ {print $NF}' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $NF}' "$log")
  # Fork mode prints no final stats: the last status line has the count.
  [[ -n $execs ]] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  [[ -n $rate || -z $execs ]] || rate=$((execs / seconds))
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")
  findings=$(find "$dir/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | wc -l)
  ((findings)) && status=1
  printf '%-16s %8s %10s %8s %8s %9s %9s  %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "$findings" "$dir/artifacts"
  if grep -qE 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|libFuzzer)|invariant violated|runtime error' "$log"; then
    status=1
    grep -m3 -E 'ERROR:|invariant violated|runtime error|SUMMARY' "$log" | sed 's/^/    /'
  fi
done
exit $status
