#!/usr/bin/env python3
"""The table of ci/bench.sh: ours against TGT, from the perf kit's JSON lines.

  bench_table.py DIR     reads DIR/ours-N.jsonl and DIR/tgt-N.jsonl

Each cell is the median over the runs with [min-max]; ratios are taken per
run (ours and TGT measured in the same run) and their median printed. The
goals of the performance issue are listed with the measured value; they are
figures to read, not assertions.
"""
import glob
import json
import os
import statistics
import sys

# (label, workload, metric, digits, higher_is_better)
FIGURES = [
    ("4 KiB random read QD32, IOPS", "randread_4k_qd32", "iops", 0, True),
    ("4 KiB random write QD32, IOPS", "randwrite_4k_qd32", "iops", 0, True),
    ("4 KiB random read QD32, IOPS per target CPU-s", "randread_4k_qd32", "iops_per_target_cpu_s", 0, True),
    ("4 KiB random write QD32, IOPS per target CPU-s", "randwrite_4k_qd32", "iops_per_target_cpu_s", 0, True),
    ("4 KiB random read QD1, latency us", "randread_4k_qd1", "lat_mean_us", 1, False),
    ("4 KiB random write QD1, latency us", "randwrite_4k_qd1", "lat_mean_us", 1, False),
    ("1 MiB sequential read QD8, MB/s", "seqread_1m_qd8", "mb_s", 1, True),
    ("1 MiB sequential write QD8, MB/s", "seqwrite_1m_qd8", "mb_s", 1, True),
    ("iscsi-perf 4 KiB read QD32, IOPS", "iscsiperf_randread_4k_qd32", "iops", 0, True),
    ("login+logout (iscsi-inq), target CPU ms", "login_storm", "target_cpu_ms_per_login", 3, False),
    ("login+logout, 4 workers, logins/s", "login_storm_par4", "logins_per_s", 1, True),
    ("discovery (iscsi-ls), target CPU ms", "discovery_storm", "target_cpu_ms_per_login", 3, False),
]
REFERENCES = [
    ("loopback TCP stream, MB/s", "ref_iperf3", "mb_s", 0),
    ("loopback TCP round trip (4 KiB read shape), us", "ref_tcp_rr_read4k", "rtt_us", 1),
    ("loopback TCP round trip (4 KiB write shape), us", "ref_tcp_rr_write4k", "rtt_us", 1),
    ("login floor: minimal epoll server, accept + 6 exchanges + close, CPU ms",
     "ref_login_floor", "server_cpu_ms_per_conn", 3),
]
RATIOS = [
    ("QD1 read latency / TCP round trip", "qd1_read_lat_over_tcp_rtt", 2),
    ("QD1 write latency / TCP round trip", "qd1_write_lat_over_tcp_rtt", 2),
    ("1 MiB sequential read / TCP stream", "seqread_over_tcp_stream", 3),
    ("1 MiB sequential write / TCP stream", "seqwrite_over_tcp_stream", 3),
]


def load(directory, who):
    runs = {}
    for path in sorted(glob.glob(os.path.join(directory, f"{who}-*.jsonl"))):
        run = os.path.basename(path)[len(who) + 1:-len(".jsonl")]
        records = {}
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if "workload" in r:
                    records[r["workload"]] = r
        runs[run] = records
    return runs


def values(runs, workload, metric):
    out = {}
    for run, records in runs.items():
        v = records.get(workload, {}).get(metric)
        if isinstance(v, (int, float)):
            out[run] = float(v)
    return out


def cell(vals, digits):
    if not vals:
        return "-"
    v = sorted(vals)
    fmt = f"{{:.{digits}f}}"
    med = statistics.median(v)
    if len(v) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} [{fmt.format(v[0])}-{fmt.format(v[-1])}]"


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = sys.argv[1]
    ours, tgt = load(d, "ours"), load(d, "tgt")
    if not ours:
        print(f"bench_table: no ours-*.jsonl in {d}", file=sys.stderr)
        return 1
    print(f"runs: ours {len(ours)}, TGT {len(tgt)}. Cells: median [min-max]; "
          "ratio = median of the per-run ratios ours/TGT.\n")
    print("| figure | ours | TGT | ours/TGT |")
    print("|---|---|---|---|")
    med = {}
    for label, workload, metric, digits, _ in FIGURES:
        o, t = values(ours, workload, metric), values(tgt, workload, metric)
        if not o and not t:
            continue
        per_run = [o[r] / t[r] for r in o if r in t and t[r] > 0]
        ratio = f"{statistics.median(per_run):.2f}" if per_run else "-"
        med[(workload, metric)] = (statistics.median(o.values()) if o else None,
                                   statistics.median(per_run) if per_run else None)
        print(f"| {label} | {cell(o.values(), digits)} | {cell(t.values(), digits)} | {ratio} |")

    print("\n| same-run reference / ratio | during ours | during TGT |")
    print("|---|---|---|")
    for label, workload, metric, digits in REFERENCES:
        o, t = values(ours, workload, metric), values(tgt, workload, metric)
        if o or t:
            print(f"| {label} | {cell(o.values(), digits)} | {cell(t.values(), digits)} |")
    for label, key, digits in RATIOS:
        o, t = values(ours, "ratios", key), values(tgt, "ratios", key)
        med[("ratios", key)] = (statistics.median(o.values()) if o else None, None)
        if o or t:
            print(f"| {label} | {cell(o.values(), digits)} | {cell(t.values(), digits)} |")

    def goal(label, value, target, higher=True):
        if value is None:
            return f"| {label} | - | {target} | not measured |"
        met = value >= target if higher else value <= target
        return f"| {label} | {value:.2f} | {'>=' if higher else '<='} {target} | {'met' if met else 'NOT met'} |"

    print("\n| goal | measured | wanted | |")
    print("|---|---|---|---|")
    print(goal("4 KiB random read QD32 IOPS vs TGT", med.get(("randread_4k_qd32", "iops"), (None, None))[1], 1.8))
    print(goal("4 KiB random write QD32 IOPS vs TGT", med.get(("randwrite_4k_qd32", "iops"), (None, None))[1], 1.8))
    print(goal("read QD32 IOPS per target CPU-s vs TGT",
               med.get(("randread_4k_qd32", "iops_per_target_cpu_s"), (None, None))[1], 3))
    print(goal("write QD32 IOPS per target CPU-s vs TGT",
               med.get(("randwrite_4k_qd32", "iops_per_target_cpu_s"), (None, None))[1], 3))
    print(goal("QD1 read latency / TCP round trip", med.get(("ratios", "qd1_read_lat_over_tcp_rtt"), (None,))[0], 1.6, False))
    print(goal("QD1 write latency / TCP round trip", med.get(("ratios", "qd1_write_lat_over_tcp_rtt"), (None,))[0], 1.6, False))
    print(goal("1 MiB sequential read / TCP stream", med.get(("ratios", "seqread_over_tcp_stream"), (None,))[0], 0.7))
    print(goal("1 MiB sequential write / TCP stream", med.get(("ratios", "seqwrite_over_tcp_stream"), (None,))[0], 0.6))
    print(goal("target CPU ms per login+logout", med.get(("login_storm", "target_cpu_ms_per_login"), (None,))[0], 0.05, False))
    floor = values(ours, "ref_login_floor", "server_cpu_ms_per_conn")
    if floor:
        print(f"\nThe login goal against the same-run floor: a minimal epoll server spends "
              f"{statistics.median(floor.values()):.3f} ms of CPU on the same accept, six "
              f"exchanges and close.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
