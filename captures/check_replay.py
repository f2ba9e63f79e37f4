#!/usr/bin/env python3
"""Replays every trace under captures/ against the reference target, in
process (--spawn) and over TCP (a fresh iscsi-target per trace), and checks
each replay against the trace's expected verdict in captures/expected/.

usage: captures/check_replay.py BUILD_DIR [TRACE...] [--junit-dir DIR]

Every trace must have captures/expected/<name>.json (name: the file name
without .pcap/.pcapng and compression suffixes):
  {
    "target_args": ["--lun", "0=ram:64M"],   iscsi-target arguments for the
                                              TCP run (besides --portal)
    "replay_args": ["--map-lun", "1=0"],     extra iscsi-sim replay arguments
                                              (run from the repository's root)
    "timeout_ms": 2000,                      per awaited answer (default 2000)
    "differences": [{"connection": 1, "pdu": 17, "kind": "missing",
                     "reason": "RFC 3720 §...", "only": "tcp"}]
  }
A difference with "only" applies to that run ("spawn" or "tcp") alone.
Exits 1 when a replay has an unexplained difference or an expected one is
not seen, 2 on a harness error. Stops only the targets it started.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPTURES = os.path.join(ROOT, "captures")
TRACE_DIRS = [CAPTURES, os.path.join(CAPTURES, "tgt"), os.path.join(CAPTURES, "negative")]
SUFFIX = re.compile(r"\.(pcap|pcapng)(\.gz|\.xz)?$")


def traces():
    found = []
    for d in TRACE_DIRS:
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if SUFFIX.search(f):
                found.append(os.path.join(d, f))
    return found


def expectation_for(trace):
    name = SUFFIX.sub("", os.path.basename(trace))
    return os.path.join(CAPTURES, "expected", name + ".json")


def start_target(build, args):
    out = tempfile.NamedTemporaryFile("w+", delete=False, prefix="replay-target-")
    proc = subprocess.Popen([os.path.join(build, "bin", "iscsi-target"), "--portal",
                             "127.0.0.1:0", "--log-level", "warn"] + args,
                            stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while time.time() < deadline:
        with open(out.name) as f:
            m = re.search(r"ready on 127\.0\.0\.1:(\d+)", f.read())
        if m:
            return proc, int(m.group(1)), out.name
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop_target(proc)
    with open(out.name) as f:
        raise RuntimeError("iscsi-target did not start: " + f.read())


def stop_target(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_replay(build, trace, mode_args, spec, mode, junit):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        diffs = [d for d in spec.get("differences", []) if d.get("only", mode) == mode]
        json.dump({"differences": [{k: v for k, v in d.items() if k != "only"} for d in diffs]}, f)
        expected = f.name
    cmd = [os.path.join(build, "bin", "iscsi-sim"), "replay", trace] + mode_args + \
        spec.get("replay_args", []) + ["--expected", expected,
                                       "--timeout", str(spec.get("timeout_ms", 2000))]
    if junit:
        cmd += ["--junit", junit]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    finally:
        os.unlink(expected)
    return r


def main():
    args = sys.argv[1:]
    junit_dir = None
    if "--junit-dir" in args:
        i = args.index("--junit-dir")
        junit_dir = args[i + 1]
        del args[i:i + 2]
        os.makedirs(junit_dir, exist_ok=True)
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(args[0])
    chosen = [os.path.abspath(t) for t in args[1:]] or traces()
    if not chosen:
        print("no traces found", file=sys.stderr)
        return 2
    failed = []
    for trace in chosen:
        exp = expectation_for(trace)
        if not os.path.exists(exp):
            print(f"FAIL {trace}: no expected verdict {os.path.relpath(exp, ROOT)}")
            failed.append(trace)
            continue
        with open(exp) as f:
            spec = json.load(f)
        base = SUFFIX.sub("", os.path.basename(trace))
        for mode in ("spawn", "tcp"):
            junit = os.path.join(junit_dir, f"{base}-{mode}.xml") if junit_dir else None
            if mode == "spawn":
                r = run_replay(build, trace, ["--spawn"], spec, mode, junit)
            else:
                proc, port, log = start_target(build, spec.get("target_args", []))
                try:
                    r = run_replay(build, trace, ["--target", f"127.0.0.1:{port}"], spec, mode,
                                   junit)
                finally:
                    stop_target(proc)
                    os.unlink(log)
            summary = [l for l in r.stdout.splitlines() if l.startswith("summary:")]
            line = summary[-1] if summary else r.stderr.strip()
            verdict = "PASS" if r.returncode == 0 else "FAIL"
            print(f"{verdict} {os.path.relpath(trace, ROOT)} [{mode}] {line}")
            if r.returncode != 0:
                print(r.stdout + r.stderr)
                failed.append(f"{trace} [{mode}]")
    print(f"{len(chosen)} traces, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
