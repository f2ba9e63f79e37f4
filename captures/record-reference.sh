#!/bin/sh
# Records small reference captures of initiators talking to the reference
# target over loopback: libiscsi's tools (iscsi-ls, iscsi-inq,
# iscsi-readcapacity16, iscsi-perf) and the simulator running conformance
# cases (digests, data transfers, task management).
#
# usage: captures/record-reference.sh [BUILD_DIR] [OUT_DIR]
#   BUILD_DIR  holds bin/iscsi-target and bin/iscsi-sim (default: build/default)
#   OUT_DIR    where the .pcap files go (default: captures)
# Needs tcpdump with the right to capture on lo (root or CAP_NET_RAW) and
# libiscsi-bin. Stops only the processes it started.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build/default}
OUT=${2:-$ROOT/captures}
IQN=iqn.2025-12.local:storage.disk1
WORK=$(mktemp -d)
TARGET_PID=
DUMP_PID=

cleanup() {
  [ -n "$DUMP_PID" ] && kill -INT "$DUMP_PID" 2>/dev/null && wait "$DUMP_PID" 2>/dev/null || true
  [ -n "$TARGET_PID" ] && kill -TERM "$TARGET_PID" 2>/dev/null && wait "$TARGET_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The target on a free port; its ready line names the port.
"$BUILD/bin/iscsi-target" --portal 127.0.0.1:0 --lun 0=ram:64M --log-level warn >"$WORK/target.out" 2>&1 &
TARGET_PID=$!
PORT=
for _ in $(seq 50); do
  PORT=$(sed -n 's/^iscsi-target: ready on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/target.out")
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "the target did not start" >&2; cat "$WORK/target.out" >&2; exit 1; }
echo "reference target on 127.0.0.1:$PORT"

# start_capture FILE [MAX_PACKETS]: tcpdump on lo, every packet written at once.
start_capture() {
  count=
  [ $# -ge 2 ] && count="-c $2"
  # shellcheck disable=SC2086
  tcpdump -i lo --immediate-mode -U -s 0 $count -w "$1" "tcp port $PORT" 2>"$WORK/tcpdump.err" &
  DUMP_PID=$!
  for _ in $(seq 50); do
    grep -q "listening on" "$WORK/tcpdump.err" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "tcpdump did not start" >&2
  cat "$WORK/tcpdump.err" >&2
  exit 1
}

stop_capture() {
  sleep 0.5  # let the last segments (FINs, ACKs) through
  kill -INT "$DUMP_PID" 2>/dev/null || true
  wait "$DUMP_PID" 2>/dev/null || true
  DUMP_PID=
}

URL=iscsi://127.0.0.1:$PORT/$IQN/0

# 1. Discovery (SendTargets), then normal sessions: INQUIRY (standard data
#    and the supported VPD pages) and READ CAPACITY(16).
start_capture "$OUT/reference-libiscsi-discovery-inquiry.pcap"
iscsi-ls -s "iscsi://127.0.0.1:$PORT" >/dev/null
iscsi-inq "$URL" >/dev/null
iscsi-inq -e 1 -c 0 "$URL" >/dev/null
iscsi-readcapacity16 "$URL" >/dev/null
stop_capture

# 2. A read workload: iscsi-perf with one block per READ and 4 in flight,
#    cut after 200 packets (it runs until stopped).
start_capture "$OUT/reference-libiscsi-perf.pcap" 200
timeout -s INT 3 iscsi-perf -m 4 -b 1 "$URL" >/dev/null 2>&1 || true
wait "$DUMP_PID" 2>/dev/null || true
DUMP_PID=

# 3. The simulator: digests negotiated and in use, digest errors, and
#    writes with immediate, unsolicited and solicited data (R2T).
start_capture "$OUT/reference-sim-digests.pcap"
"$BUILD/bin/iscsi-sim" run --target "127.0.0.1:$PORT,$IQN" "$ROOT/conformance/cases/digests" >/dev/null || true
stop_capture
# The task management cases, but the one with an undefined function: tshark
# does not take that PDU for iSCSI, and every PDU of these captures is
# checked against tshark.
set --
for f in "$ROOT"/conformance/cases/tmf/*.json; do
  case "$f" in */undefined-function.json) ;; *) set -- "$@" "$f" ;; esac
done
start_capture "$OUT/reference-sim-data-transfer.pcap"
"$BUILD/bin/iscsi-sim" run --target "127.0.0.1:$PORT,$IQN" \
  "$ROOT/conformance/cases/data-transfer/write-solicited-by-r2t.json" \
  "$ROOT/conformance/cases/data-transfer/multiple-r2ts-max-burst.json" \
  "$ROOT/conformance/cases/data-transfer/unsolicited-data-out-then-r2t.json" \
  "$ROOT/conformance/cases/data-transfer/imm-yes-r2t-no-fbl-65536-write-1536.json" \
  "$@" >/dev/null || true
stop_capture

chmod a+r "$OUT"/reference-*.pcap
ls -l "$OUT"/reference-*.pcap
