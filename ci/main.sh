#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the reference target
# on its embedded default disk (LUN 0 = ram:1G,thin), runs the conformance
# suite against it and prints the report. Exit status 0 only when every case
# passed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash ci/deps.sh || exit 1
cmake --preset default >/dev/null || exit 1
cmake --build --preset default -j "$(nproc)" || exit 1

. conformance/peers/target_fixture.sh
start_target build/default/bin/iscsi-target || exit 1
trap 'stop_target >/dev/null 2>&1' EXIT
url="iscsi://127.0.0.1:${TARGET_PORT}/${TARGET_IQN}/0"
echo "=== reference target ${TARGET_IQN} on 127.0.0.1:${TARGET_PORT}"

if [[ -x build/default/bin/iscsi-sim ]]; then
  build/default/bin/iscsi-sim run --target "127.0.0.1:${TARGET_PORT},${TARGET_IQN}" conformance
  exit $?
fi

# Until the project's own scenario corpus runs, the report comes from
# libiscsi's independent suite: the iSCSI protocol family and the SCSI
# families the reference target implements.
families=(iSCSI Inquiry ReadCapacity10 ReadCapacity16 Read6 Read10 Read12 Read16 Write10
          Write12 Write16 Verify10 Verify12 Verify16 TestUnitReady StartStopUnit ModeSense6)
rc=0
printf '%-16s %6s %6s %6s\n' family tests passed failed
for f in "${families[@]}"; do
  out=$(timeout 600 iscsi-test-cu --dataloss --test "ALL.${f}" "$url" 2>&1)
  read -r total passed failed < <(awk '$1=="tests"{print $2, $4, $5}' <<<"$out")
  printf '%-16s %6s %6s %6s\n' "$f" "${total:-?}" "${passed:-?}" "${failed:-?}"
  if [[ -z ${failed:-} || $failed -ne 0 ]]; then
    rc=1
    grep -B1 "FAILED" <<<"$out" | head -20
  fi
done
stop_target || rc=1
trap - EXIT
echo "=== $([[ $rc -eq 0 ]] && echo PASS || echo FAIL)"
exit $rc
