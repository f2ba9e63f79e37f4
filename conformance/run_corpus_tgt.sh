#!/usr/bin/env bash
# Runs the conformance corpus against a private TGT (Debian tgt): its own
# iSCSI port and control port, one RAM-backed LUN (a file in /dev/shm). The
# divergences TGT is expected to show, each with the RFC sentence it breaks,
# are in EXPECTED; an unlisted divergence fails the run.
# The whole corpus runs against target 1 (no authentication); the auth/
# cases then run against target 2 with a CHAP account and a discovery
# account, target 3 with incoming and outgoing (mutual) accounts, and
# target 4 with an initiator ACL. TGT accepts CHAP passwords of any length
# (no §8.2.1 minimum; its account passwords are copied into 256-byte
# buffers), and a target has at most one outgoing account.
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
rc=$?

# The auth/ configurations (credentials as run_corpus_tcp.sh uses).
tgt() { tgtadm -C "$ctl" --lld iscsi "$@" >>"$log" 2>&1 || { echo "tgtadm $* failed"; cat "$log"; exit 1; }; }
account() { tgt --op new --mode account --user "$1" --password "$2"; }
new_target() {
  tgt --op new --mode target --tid "$1" -T "$2"
  tgt --op new --mode logicalunit --tid "$1" --lun 1 --bstype rdwr -b "$backing"
}
account iscsi-sim tcp-initiator-secret-1
account iscsi-target tcp-target-secret-2
account iscsi-sim-discovery tcp-discovery-secret-3
account iscsi-target-discovery tcp-discovery-target-secret-4
auth_run() {
  local name=$1 target=$2
  shift 2
  local out=${junit%.xml}-$name.xml
  local a=(run --target "127.0.0.1:${port},${target},1" --expected "$expected" --junit "$out" "$@")
  [[ -n $json ]] && a+=(--json "${json%.json}-$name.json")
  echo "== TGT $name"
  "$sim" "${a[@]}" "$cases/auth" || rc=1
}
# Target 2: one-way CHAP; discovery CHAP is TGT's global account binding (no --tid).
new_target 2 iqn.2025-12.local:storage.chap
tgt --op bind --mode target --tid 2 -I ALL
tgt --op bind --mode account --tid 2 --user iscsi-sim
tgt --op bind --mode account --user iscsi-sim-discovery
auth_run chap iqn.2025-12.local:storage.chap --chap iscsi-sim:tcp-initiator-secret-1 \
  --discovery-chap iscsi-sim-discovery:tcp-discovery-secret-3
# Target 3: mutual CHAP (an outgoing account), discovery mutual as well.
new_target 3 iqn.2025-12.local:storage.mutual
tgt --op bind --mode target --tid 3 -I ALL
tgt --op bind --mode account --tid 3 --user iscsi-sim
tgt --op bind --mode account --tid 3 --user iscsi-target --outgoing
tgt --op bind --mode account --user iscsi-target-discovery --outgoing
auth_run mutual iqn.2025-12.local:storage.mutual --chap iscsi-sim:tcp-initiator-secret-1 \
  --mutual-chap iscsi-target:tcp-target-secret-2 \
  --discovery-chap iscsi-sim-discovery:tcp-discovery-secret-3 \
  --discovery-mutual-chap iscsi-target-discovery:tcp-discovery-target-secret-4
# Target 4: only the harness's InitiatorName is admitted.
new_target 4 iqn.2025-12.local:storage.acl
tgt --op bind --mode target --tid 4 --initiator-name iqn.2025-12.local:iscsi-sim
auth_run acl iqn.2025-12.local:storage.acl --acl
exit $rc
