#!/usr/bin/env bash
# Runs the Linux kernel initiator (../shared/tools/kernel-initiator) against a
# private reference target built by PRESET.
#   ci/kernel_initiator.sh PRESET MODE [run.sh options...]
set -uo pipefail
cd "$(dirname "$0")/.."
preset=$1
mode=$2
shift 2
tool=../shared/tools/kernel-initiator/run.sh
[[ -x $tool ]] || { echo "kernel_initiator: $tool not found (../shared must sit beside the clone)" >&2; exit 1; }
. conformance/peers/target_fixture.sh
start_target "build/${preset}/bin/iscsi-target" || exit 1
echo "kernel_initiator: ${preset} target on 127.0.0.1:${TARGET_PORT}, mode ${mode} $*"
timeout 1200 "$tool" --mode "$mode" --port "$TARGET_PORT" --iqn "$TARGET_IQN" "$@"
rc=$?
stop_target || rc=1
exit $rc
