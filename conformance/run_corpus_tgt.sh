#!/usr/bin/env bash
# Runs the conformance corpus against a private TGT (Debian tgt): its own
# iSCSI port and control port, one RAM-backed LUN (a file in /dev/shm). The
# divergences TGT is expected to show, each with the RFC sentence it breaks,
# are in EXPECTED; an unlisted divergence fails the run.
#   run_corpus_tgt.sh ISCSI_SIM CASES_DIR EXPECTED_JSON JUNIT_FILE [JSON_FILE]
# Exits 77 (skipped) when tgtd is not installed or cannot run here.
set -uo pipefail
sim=$1 cases=$2 expected=$3 junit=$4 json=${5:-}
iqn=iqn.2025-12.local:storage.disk1
command -v tgtd >/dev/null && command -v tgtadm >/dev/null || { echo "tgtd not installed"; exit 77; }
[[ $(id -u) == 0 ]] || { echo "tgtd needs root"; exit 77; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
# tgtd's control channel is a unix socket named after the control port
# (tgtd accepts control ports up to 32767).
ctl=$(( (port % 30000) + 1 ))
backing=$(mktemp /dev/shm/tgt-lun-XXXXXX)
log=$(mktemp /tmp/tgtd-XXXXXX.log)
truncate -s 64M "$backing"
tgtd -f -C "$ctl" --iscsi "portal=127.0.0.1:${port}" >"$log" 2>&1 &
pid=$!
cleanup() {
  tgtadm -C "$ctl" --op delete --mode system >/dev/null 2>&1 || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null
  rm -f "$backing" "$log"
}
trap cleanup EXIT
ready=
for _ in $(seq 1 100); do
  if tgtadm -C "$ctl" --op show --mode system >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $ready ]] || { echo "tgtd did not start:"; cat "$log"; exit 77; }
tgtadm -C "$ctl" --lld iscsi --op new --mode target --tid 1 -T "$iqn" || exit 1
tgtadm -C "$ctl" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rdwr -b "$backing" || exit 1
tgtadm -C "$ctl" --lld iscsi --op bind --mode target --tid 1 -I ALL || exit 1
args=(run --target "127.0.0.1:${port},${iqn},1" --expected "$expected" --junit "$junit")
[[ -n $json ]] && args+=(--json "$json")
"$sim" "${args[@]}" "$cases"
