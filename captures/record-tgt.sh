#!/bin/sh
# Records reference traces of initiators talking to a private TGT (Debian
# `tgt`) over loopback: libiscsi's tools, the simulator running the
# conformance cases TGT passes, and the Linux kernel initiator making and
# mounting a file system. Each trace is written xz-compressed to
# OUT_DIR/<name>.pcap.xz.
#
# usage: captures/record-tgt.sh [BUILD_DIR] [OUT_DIR] [--no-kernel]
#   BUILD_DIR  holds bin/iscsi-sim (default: build/default)
#   OUT_DIR    where the traces go (default: captures/tgt)
#   --no-kernel  leaves out the kernel-initiator run (it boots a QEMU VM)
# Needs root (tgtd, and tcpdump capturing on lo), tgt, tcpdump, xz,
# libiscsi-bin and, for the kernel run, ../shared/tools/kernel-initiator.
# TGT gets its own portal on a free port and its own control port; the
# script stops only the processes it started, by PID.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build/default}
OUT=${2:-$ROOT/captures/tgt}
KERNEL=yes
[ "${3:-}" = --no-kernel ] && KERNEL=no
SIM=$BUILD/bin/iscsi-sim
CASES=$ROOT/conformance/cases
KERNEL_INITIATOR=${KERNEL_INITIATOR:-$ROOT/../shared/tools/kernel-initiator/run.sh}
IQN=iqn.2025-12.local:storage.disk1
WORK=$(mktemp -d)
TGT_PID=
DUMP_PID=
CTL=

stop_tgt() {
  [ -n "$TGT_PID" ] || return 0
  tgtadm -C "$CTL" --op delete --mode system >/dev/null 2>&1 || true
  kill -TERM "$TGT_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$TGT_PID" 2>/dev/null || break; sleep 0.1; done
  # tgtd -f does not always end on SIGTERM.
  kill -KILL "$TGT_PID" 2>/dev/null || true
  wait "$TGT_PID" 2>/dev/null || true
  TGT_PID=
  rm -f "/var/run/tgtd/socket.$CTL" "/var/run/tgtd/socket.$CTL.lock"
}

cleanup() {
  if [ -n "$DUMP_PID" ]; then
    kill -INT "$DUMP_PID" 2>/dev/null || true
    wait "$DUMP_PID" 2>/dev/null || true
  fi
  stop_tgt
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for tool in tgtd tgtadm tcpdump xz iscsi-ls iscsi-inq iscsi-readcapacity16 iscsi-perf; do
  command -v "$tool" >/dev/null || { echo "record-tgt.sh: $tool is missing" >&2; exit 1; }
done
[ -x "$SIM" ] || { echo "record-tgt.sh: no $SIM (build iscsi-sim first)" >&2; exit 1; }
mkdir -p "$OUT"

# TGT on a free port; its control channel is a unix socket named after the
# control port (tgtd accepts control ports up to 32767).
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CTL=$(( (PORT % 30000) + 1 ))
# The LUN is a file in the scratch directory: reads return what was written.
truncate -s 64M "$WORK/lun1.img"
tgtd -f -C "$CTL" --iscsi "portal=127.0.0.1:$PORT" >"$WORK/tgtd.log" 2>&1 &
TGT_PID=$!
ready=
for _ in $(seq 100); do
  if tgtadm -C "$CTL" --op show --mode system >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$TGT_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { echo "tgtd did not start" >&2; cat "$WORK/tgtd.log" >&2; exit 1; }
tgtadm -C "$CTL" --lld iscsi --op new --mode target --tid 1 -T "$IQN"
tgtadm -C "$CTL" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rdwr -b "$WORK/lun1.img"
tgtadm -C "$CTL" --lld iscsi --op bind --mode target --tid 1 -I ALL
echo "tgt $(tgtd --version) ($(dpkg-query -W -f '${Version}' tgt 2>/dev/null || echo '?')) on 127.0.0.1:$PORT (control port $CTL)"

# start_capture NAME: tcpdump on lo into the scratch directory, every
# packet written at once, whole frames (-s 0: no PDU is cut), with a
# buffer large enough that the kernel drops nothing. The LUN is zeroed
# first, so that each trace starts from an empty disk and replays on its
# own (a replay's target starts empty too).
start_capture() {
  NAME=$1
  dd if=/dev/zero of="$WORK/lun1.img" bs=1M count=64 conv=notrunc status=none
  tcpdump -i lo --immediate-mode -U -s 0 -B 32768 -w "$WORK/$NAME.pcap" "tcp port $PORT" 2>"$WORK/tcpdump.err" &
  DUMP_PID=$!
  for _ in $(seq 50); do
    grep -q "listening on" "$WORK/tcpdump.err" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "tcpdump did not start" >&2
  cat "$WORK/tcpdump.err" >&2
  exit 1
}

# stop_capture: ends tcpdump and stores the trace compressed.
stop_capture() {
  sleep 0.5  # let the last segments (FINs, ACKs) through
  kill -INT "$DUMP_PID" 2>/dev/null || true
  wait "$DUMP_PID" 2>/dev/null || true
  DUMP_PID=
  xz -9 -c "$WORK/$NAME.pcap" >"$OUT/$NAME.pcap.xz"
  chmod a+r "$OUT/$NAME.pcap.xz"
  echo "$NAME: $(grep -o '[0-9]* packets captured' "$WORK/tcpdump.err" | head -1)," \
    "$(grep -o '[0-9]* packets dropped by kernel' "$WORK/tcpdump.err" | head -1)"
}

URL=iscsi://127.0.0.1:$PORT/$IQN/1
SIM_TARGET=127.0.0.1:$PORT,$IQN,1

# sim_passing DIR...: the case files under DIR that pass against this TGT
# (a first, unrecorded run decides), so that the traces show TGT answering
# as the RFC says.
sim_passing() {
  for _ in 1 2; do
    "$SIM" run --target "$SIM_TARGET" --json "$WORK/verdicts.json" "$@" >"$WORK/verdicts.out" 2>&1 || true
    python3 - "$WORK/verdicts.json" "$@" >"$WORK/passing" <<'EOF'
import json, os, sys
report = json.load(open(sys.argv[1]))
passed = {c["id"] for c in report["cases"] if c.get("verdict") == "pass"}
for root in sys.argv[2:]:
    files = [root] if root.endswith(".json") else sorted(
        os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".json"))
    for path in files:
        if json.load(open(path)).get("id") in passed:
            print(path)
EOF
    [ -s "$WORK/passing" ] && break
    sleep 1
  done
  if [ ! -s "$WORK/passing" ]; then
    echo "no case of $* passes against TGT:" >&2
    tail -5 "$WORK/verdicts.out" >&2
    exit 1
  fi
  echo "$(wc -l <"$WORK/passing") cases of $* pass against TGT" >&2
  cat "$WORK/passing"
}

# 1. libiscsi: discovery (SendTargets, then REPORT LUNS and INQUIRY per
#    LUN), INQUIRY (standard data and VPD pages), READ CAPACITY(16), TEST
#    UNIT READY, logout.
start_capture tgt-libiscsi-discovery-inquiry
iscsi-ls -s "iscsi://127.0.0.1:$PORT" >/dev/null
iscsi-inq "$URL" >/dev/null
iscsi-inq -e 1 -c 0 "$URL" >/dev/null
iscsi-inq -e 1 -c 0x80 "$URL" >/dev/null
iscsi-inq -e 1 -c 0x83 "$URL" >/dev/null
iscsi-readcapacity16 "$URL" >/dev/null
stop_capture

# 2. libiscsi: a short read workload, 4 commands of 8 blocks in flight;
#    SIGINT makes iscsi-perf stop, print its figures and log out.
start_capture tgt-libiscsi-perf
timeout -s INT 0.3 iscsi-perf -m 4 -b 8 "$URL" >/dev/null 2>&1 || true
stop_capture

# record_sim NAME DIR...: records the simulator running the cases under
# DIR that pass against TGT.
record_sim() {
  name=$1
  shift
  sim_passing "$@" >"$WORK/cases"
  # shellcheck disable=SC2046
  set -- $(cat "$WORK/cases")
  [ $# -gt 0 ] || exit 1
  start_capture "$name"
  "$SIM" run --target "$SIM_TARGET" "$@" >/dev/null || true
  stop_capture
}

# 3. The simulator: immediate, unsolicited and solicited (R2T) data, writes
#    and reads across MaxRecvDataSegmentLength, FirstBurstLength and
#    MaxBurstLength, with the data-transfer keys negotiated each way.
record_sim tgt-sim-data-transfer "$CASES/data-transfer"
# 4. The simulator: logins with varied keys (every §12 key TGT accepts),
#    text requests, NOP-Out/NOP-In pings, logout.
record_sim tgt-sim-nop-text-logout "$CASES/nop" "$CASES/logout" "$CASES/text" "$CASES/keys"
# 5. The simulator: task management functions and their responses.
record_sim tgt-sim-tmf "$CASES/tmf"

# 6. The Linux kernel initiator (open-iscsi in a QEMU guest, reaching the
#    portal through a socat on lo): discovery, login, mkfs.ext4, mount,
#    small files written and verified, re-login read-only, logout. The big
#    file is left out (--big-mib 0) to keep the trace small.
if [ "$KERNEL" = yes ]; then
  start_capture tgt-kernel-mkfs-mount
  "$KERNEL_INITIATOR" --mode fs --port "$PORT" --iqn "$IQN" --big-mib 0 >"$WORK/kernel.out" 2>&1 || {
    echo "the kernel-initiator run failed:" >&2
    tail -20 "$WORK/kernel.out" >&2
    exit 1
  }
  grep '^RESULT' "$WORK/kernel.out" || true
  stop_capture
fi

ls -l "$OUT"
