#!/usr/bin/env bash
# The project's test command: installs what is missing, then builds and runs
# every test in the default (gcc) build, again under ASan+UBSan, and builds the
# libFuzzer targets with clang and replays their corpora.
#
#   bash ci/test.sh            # everything
#   bash ci/test.sh default    # one preset only (default | asan | fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/deps.sh

presets=("$@")
((${#presets[@]})) || presets=(default asan fuzz)
jobs=$(nproc)

for preset in "${presets[@]}"; do
  echo "=== ${preset}: configure and build"
  cmake --preset "${preset}" >/dev/null
  if [[ ${preset} == fuzz ]]; then
    cmake --build --preset fuzz -j "${jobs}" --target fuzzers
  else
    cmake --build --preset "${preset}" -j "${jobs}"
  fi
  echo "=== ${preset}: test"
  if [[ ${preset} == fuzz ]]; then
    # The clang build runs what the fuzz preset is for: the corpus replays.
    ctest --preset fuzz -L fuzz-corpus -j "${jobs}" --no-tests=error
  else
    ctest --preset "${preset}" -j "${jobs}" --no-tests=error
  fi
  # The reference target as a real disk: the Linux kernel initiator formats,
  # mounts, writes and reads back (plain on gcc, with digests under ASan).
  case ${preset} in
    default)
      bash ci/kernel_initiator.sh default smoke
      bash ci/kernel_initiator.sh default fs
      ;;
    asan)
      bash ci/kernel_initiator.sh asan fs \
        --iscsi-opt 'node.conn[0].iscsi.HeaderDigest = CRC32C' \
        --iscsi-opt 'node.conn[0].iscsi.DataDigest = CRC32C'
      ;;
  esac
done
echo "=== all green: ${presets[*]}"
