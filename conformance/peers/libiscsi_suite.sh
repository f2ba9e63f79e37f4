#!/usr/bin/env bash
# Runs libiscsi's iscsi-test-cu against a private reference target.
#   libiscsi_suite.sh TARGET_BIN "TARGET ARGS" TEST...
# Passes when every listed test family reports no failure.
set -uo pipefail
here=$(dirname "$0")
. "$here/target_fixture.sh"
bin=$1
read -r -a target_args <<<"$2"
shift 2
command -v iscsi-test-cu >/dev/null || { echo "iscsi-test-cu missing (ci/deps.sh installs libiscsi-bin)" >&2; exit 1; }
start_target "$bin" "${target_args[@]}" || exit 1
rc=0
for t in "$@"; do
  out=$(timeout 600 iscsi-test-cu --dataloss --test "$t" \
        "iscsi://127.0.0.1:${TARGET_PORT}/${TARGET_IQN}/0" 2>&1)
  status=$?
  summary=$(grep -E "^ +(tests|asserts) " <<<"$out")
  failed=$(awk '$1=="tests"{print $5}' <<<"$summary")
  echo "== $t: exit $status"
  echo "$summary"
  if [[ $status -ne 0 || -z $failed || $failed -ne 0 ]]; then
    grep -E "FAILED|Test:" <<<"$out" | grep -B1 FAILED | head -40
    rc=1
  fi
done
stop_target || rc=1
exit $rc
