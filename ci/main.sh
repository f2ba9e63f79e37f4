#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the reference target
# on its embedded default disk, runs the conformance suite against it and
# prints the report.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"

bin=build/default/bin
if [[ ! -x ${bin}/iscsi-target || ! -x ${bin}/iscsi-sim ]]; then
  echo "main: the build has no iscsi-target/iscsi-sim yet; the protocol core is built and"
  echo "main: its tests run with 'bash ci/test.sh'. Wire-level self-check:"
  "${bin}/wire_test" --gtest_brief=1
  exit 0
fi

port=${ISCSI_PORT:-3260}
"${bin}/iscsi-target" --portal "127.0.0.1:${port}" >build/default/iscsi-target.log 2>&1 &
target_pid=$!
trap 'kill "${target_pid}" 2>/dev/null || true; wait "${target_pid}" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "ready" build/default/iscsi-target.log 2>/dev/null && break
  sleep 0.1
done
"${bin}/iscsi-sim" run --target "127.0.0.1:${port},iqn.2025-12.local:storage.disk1" conformance
