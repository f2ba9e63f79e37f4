#!/usr/bin/env bash
# The reference target and a private TGT side by side, on the same machine,
# with the same RAM-backed LUN, through the same libiscsi clients
# (../shared/tools/perf/bench.sh: qemu-img bench over iscsi://, iscsi-perf,
# iscsi-inq and iscsi-ls storms), runs interleaved so that both see the same
# moment of a shared, noisy host. Prints a table: figure, ours, TGT, ratio,
# with medians and [min-max] over the runs, the same-run loopback references
# (one TCP stream, a TCP round trip, the CPU floor of a login) and the
# performance goals of the project.
#
#   bash ci/bench.sh [--runs N] [--duration S] [--size-mb M] [--workloads "W..."]
#                    [--preset PRESET] [--out DIR] [--no-tgt]
#
#   --runs N          interleaved runs per target (default 3; medians need >= 3)
#   --duration S      seconds per workload (default 5)
#   --size-mb M       LUN size in MiB (default 1024), RAM on both targets
#   --workloads "..." a subset of bench.sh's workloads (default: all)
#   --preset P        CMake preset that builds iscsi-target (default release)
#   --out DIR         where the raw JSON lines and the table go
#                     (default build/bench-<time>)
#   --no-tgt          measure only the reference target
#
# Needs root for tgtd. The perf kit installs its own Debian packages (jq,
# iperf3, qemu-utils, libiscsi-bin) when missing.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
kit=$root/../shared/tools/perf

runs=3 duration=5 size_mb=1024 workloads="" preset=release out="" with_tgt=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --size-mb) size_mb=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --preset) preset=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-tgt) with_tgt=0; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ && $duration =~ ^[1-9][0-9]*$ && $size_mb =~ ^[1-9][0-9]*$ ]] ||
  { echo "bench.sh: --runs, --duration and --size-mb take positive numbers" >&2; exit 2; }
[[ -x $kit/bench.sh ]] || { echo "bench.sh: the perf kit is missing: $kit" >&2; exit 2; }
out=${out:-$root/build/bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
log() { printf '[ci/bench] %s\n' "$*" >&2; }

# The build's own packages (compilers, CMake, libraries) on a fresh machine.
bash "$root/ci/deps.sh" >&2 || { echo "bench.sh: installing the build dependencies failed" >&2; exit 1; }
cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" --target iscsi-target >/dev/null ||
  { echo "bench.sh: building iscsi-target ($preset) failed" >&2; exit 1; }
target_bin=$root/build/$preset/bin/iscsi-target
iqn_ours=iqn.2025-12.local:bench
iqn_tgt=iqn.2025-12.local:bench-tgt

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

ours_pid="" tgt_pid="" tgt_ctl="" backing=""
cleanup() {
  if [[ -n $ours_pid ]]; then
    kill -TERM "$ours_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$ours_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$ours_pid" 2>/dev/null
    wait "$ours_pid" 2>/dev/null
  fi
  if [[ -n $tgt_pid ]]; then
    # tgtd exits on "delete system" once its targets are gone.
    tgtadm -C "$tgt_ctl" --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1
    tgtadm -C "$tgt_ctl" --op delete --mode system >/dev/null 2>&1
    for _ in $(seq 1 50); do kill -0 "$tgt_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$tgt_pid" 2>/dev/null
    wait "$tgt_pid" 2>/dev/null
  fi
  [[ -n $backing ]] && rm -f "$backing"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The reference target: LUN 1 in RAM (bench.sh measures LUN 1 of both).
"$target_bin" --portal 127.0.0.1:0 --target "$iqn_ours" --lun "1=ram:${size_mb}M" \
  >"$out/iscsi-target.log" 2>&1 &
ours_pid=$!
ours_port=""
for _ in $(seq 1 200); do
  ours_port=$(sed -n 's/.*ready on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out/iscsi-target.log" | head -1)
  [[ -n $ours_port ]] && break
  kill -0 "$ours_pid" 2>/dev/null || break
  sleep 0.05
done
[[ -n $ours_port ]] || { echo "iscsi-target did not start:" >&2; cat "$out/iscsi-target.log" >&2; exit 1; }
log "iscsi-target pid $ours_pid on 127.0.0.1:$ours_port"

if [[ $with_tgt == 1 ]]; then
  command -v tgtd >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y tgt >&2
  tgt_port=$(free_port)
  tgt_ctl=$(( (tgt_port % 30000) + 1 ))  # tgtd's control socket, named after a number
  backing=$(mktemp "/dev/shm/bench-tgt-XXXXXX")
  truncate -s "${size_mb}M" "$backing"
  tgtd -f -C "$tgt_ctl" --iscsi "portal=127.0.0.1:$tgt_port" >"$out/tgtd.log" 2>&1 </dev/null &
  tgt_pid=$!
  ready=""
  for _ in $(seq 1 100); do
    tgtadm -C "$tgt_ctl" --op show --mode system >/dev/null 2>&1 && { ready=1; break; }
    kill -0 "$tgt_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $ready ]] || { echo "tgtd did not start:" >&2; cat "$out/tgtd.log" >&2; exit 1; }
  T=(tgtadm -C "$tgt_ctl" --lld iscsi)
  "${T[@]}" --op new --mode target --tid 1 -T "$iqn_tgt" &&
    "${T[@]}" --op new --mode logicalunit --tid 1 --lun 1 -b "$backing" &&
    "${T[@]}" --op bind --mode target --tid 1 -I ALL || { echo "tgtadm failed" >&2; exit 1; }
  log "tgtd pid $tgt_pid on 127.0.0.1:$tgt_port ($(dpkg-query -W -f '${Version}' tgt 2>/dev/null))"
fi

# The CPU floor of a login+logout: a minimal epoll server doing the same
# accept, six loopback exchanges and close (ci/login_floor.c).
floor_bin=$out/login_floor
cc -O2 -Wall -Wextra -Werror -o "$floor_bin" "$root/ci/login_floor.c" ||
  { echo "bench.sh: building ci/login_floor.c failed" >&2; exit 1; }

bench() { # NAME PID PORT IQN RUN
  log "run $5: $1"
  env TARGET_PID="$2" DURATION="$duration" REFERENCE=1 LABEL="$1 run $5" \
    ${workloads:+WORKLOADS="$workloads"} \
    "$kit/bench.sh" "127.0.0.1:$3" "$4" 1 >"$out/$1-$5.jsonl" ||
    log "bench.sh against $1 exited $? (run $5)"
  "$floor_bin" >>"$out/$1-$5.jsonl" || log "login_floor exited $? (run $5)"
}
for r in $(seq 1 "$runs"); do
  # Alternate which target goes first, so neither always gets the quieter slot.
  if [[ $with_tgt == 1 && $((r % 2)) == 0 ]]; then
    bench tgt "$tgt_pid" "$tgt_port" "$iqn_tgt" "$r"
    bench ours "$ours_pid" "$ours_port" "$iqn_ours" "$r"
  else
    bench ours "$ours_pid" "$ours_port" "$iqn_ours" "$r"
    [[ $with_tgt == 1 ]] && bench tgt "$tgt_pid" "$tgt_port" "$iqn_tgt" "$r"
  fi
done

python3 "$root/ci/bench_table.py" "$out" | tee "$out/table.md"
log "raw results in $out"
