#!/usr/bin/env python3
"""Proves the conformance suite detects broken targets.

For every fault of the reference target's fault-injection switch
(`iscsi-sim run --spawn --inject-fault NAME`), runs the corpus against the
in-process target so broken and checks that every case fault_injection.json
names for it fails, and that the same cases pass against the correct target.
Every fault the simulator knows must be listed, and every listed case must
exist. Exit 0 when all hold, 1 otherwise.

  check_fault_injection.py ISCSI_SIM CASES_DIR FAULTS_JSON [--out DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run_corpus(sim, cases, out_json, fault=None):
    cmd = [sim, "run", "--spawn", "--json", out_json]
    if fault:
        cmd += ["--inject-fault", fault]
    cmd.append(cases)
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, timeout=300)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
    with open(out_json) as f:
        report = json.load(f)
    return proc.returncode, {c["id"]: c["verdict"] for c in report["cases"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sim")
    ap.add_argument("cases")
    ap.add_argument("faults_json")
    ap.add_argument("--out", help="keep the per-fault JSON reports in this directory")
    args = ap.parse_args()

    with open(args.faults_json) as f:
        expected = json.load(f)["faults"]
    listing = subprocess.run([args.sim, "run", "--inject-fault", "list"], capture_output=True,
                             text=True, timeout=60, check=True).stdout
    known = [line.split()[0] for line in listing.splitlines() if line.strip()]

    problems = []
    for name in known:
        if name not in expected:
            problems.append(f"fault {name} is not listed in {args.faults_json}")
    for name, cases in expected.items():
        if name not in known:
            problems.append(f"{args.faults_json} lists {name}, which the target does not know")
        if not cases:
            problems.append(f"fault {name} names no case")

    out_dir = args.out or tempfile.mkdtemp(prefix="fault-injection-")
    os.makedirs(out_dir, exist_ok=True)
    _, baseline = run_corpus(args.sim, args.cases, os.path.join(out_dir, "no-fault.json"))
    for name, cases in expected.items():
        for case in cases:
            if case not in baseline:
                problems.append(f"{name}: no case {case} in {args.cases}")
            elif baseline[case] != "pass":
                problems.append(f"{name}: {case} is {baseline[case]} without any fault")

    print(f"{'fault':45} {'cases failing':>13}  named cases failing")
    for name, cases in expected.items():
        if name not in known:
            continue
        rc, verdicts = run_corpus(args.sim, args.cases,
                                  os.path.join(out_dir, f"{name}.json"), name)
        failing = [c for c, v in verdicts.items() if v == "fail"]
        named = [c for c in cases if verdicts.get(c) == "fail"]
        print(f"{name:45} {len(failing):13}  {len(named)}/{len(cases)}")
        for case in cases:
            if verdicts.get(case) != "fail":
                problems.append(f"{name}: {case} was {verdicts.get(case, 'not run')}, not fail")
        if rc != 1:
            problems.append(f"{name}: the run exited {rc}, not 1")

    sys.stdout.flush()
    for p in problems:
        print("FAULT INJECTION: " + p, file=sys.stderr)
    print(f"{len(expected)} faults, {sum(len(c) for c in expected.values())} named cases: "
          + ("all detected" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
