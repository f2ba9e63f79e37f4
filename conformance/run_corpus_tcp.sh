#!/usr/bin/env bash
# Runs the whole conformance corpus over TCP against a private iscsi-target.
#   run_corpus_tcp.sh ISCSI_TARGET ISCSI_SIM CASES_DIR JUNIT_FILE
set -uo pipefail
here=$(dirname "$0")
. "$here/peers/target_fixture.sh"
target_bin=$1 sim=$2 cases=$3 junit=$4
start_target "$target_bin" --lun 0=ram:64M,thin || exit 1
"$sim" run --target "127.0.0.1:${TARGET_PORT},${TARGET_IQN}" --junit "$junit" "$cases"
rc=$?
stop_target || rc=1
exit $rc
