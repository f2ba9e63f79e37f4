#!/usr/bin/env bash
# qemu-img (libiscsi block driver) copies 64 MiB of random data to the target
# and back; both copies must have the same sha256.
set -uo pipefail
here=$(dirname "$0")
. "$here/target_fixture.sh"
work=$(mktemp -d /tmp/iscsi-qemu-img-XXXXXX)
trap 'rm -rf "$work"' EXIT
head -c $((64 << 20)) /dev/urandom >"$work/in.raw"
start_target "$1" --lun 0=ram:64M || exit 1
url="iscsi://127.0.0.1:${TARGET_PORT}/${TARGET_IQN}/0"
rc=0
timeout 300 qemu-img convert -n -f raw -O raw "$work/in.raw" "$url" || { echo "upload failed" >&2; rc=1; }
timeout 300 qemu-img convert -f raw -O raw "$url" "$work/out.raw" || { echo "download failed" >&2; rc=1; }
a=$(sha256sum <"$work/in.raw" | cut -d' ' -f1)
b=$(sha256sum <"$work/out.raw" 2>/dev/null | cut -d' ' -f1)
echo "sent $a"
echo "read $b"
[[ $rc -eq 0 && $a == "$b" ]] || rc=1
stop_target || rc=1
exit $rc
