#!/usr/bin/env bash
# iscsi-ls (libiscsi) lists the reference target through SendTargets and
# reports its LUN.
set -uo pipefail
here=$(dirname "$0")
. "$here/target_fixture.sh"
start_target "$1" --lun 0=ram:64M || exit 1
out=$(timeout 60 iscsi-ls -s "iscsi://127.0.0.1:${TARGET_PORT}" 2>&1)
echo "$out"
rc=0
grep -q "Target:${TARGET_IQN} Portal:127.0.0.1:${TARGET_PORT},1" <<<"$out" || { echo "target not listed" >&2; rc=1; }
# iscsi-ls prints block size x RETURNED LOGICAL BLOCK ADDRESS (the last LBA,
# one block short of the capacity), so a 64 MiB LUN is listed as 63M.
grep -q "Lun:0 .*DIRECT_ACCESS (Size:63M)" <<<"$out" || { echo "LUN 0 not listed as a disk" >&2; rc=1; }
# The capacity itself, from READ CAPACITY(16): 131072 blocks of 512 bytes.
cap=$(timeout 60 iscsi-readcapacity16 "iscsi://127.0.0.1:${TARGET_PORT}/${TARGET_IQN}/0" 2>&1)
echo "$cap"
grep -qi "Total size:67108864" <<<"$cap" || { echo "READ CAPACITY(16) does not give 64 MiB" >&2; rc=1; }
stop_target || rc=1
exit $rc
