#!/usr/bin/env python3
"""Compares an iscsi-test-cu run with the expected results of one LU
configuration.

    libiscsi_compare.py EXPECTED_JSON CONFIG OUTPUT_TXT LIST_TXT [--summary-json FILE]

OUTPUT_TXT is iscsi-test-cu's normal (CUnit basic) output; LIST_TXT is the
output of `iscsi-test-cu --list`, which names every test that must have run.

Every test passes unless EXPECTED_JSON lists it for CONFIG as "skip" or
"fail" (with the reason). libiscsi reports a skipped test as passed after
logging "[SKIPPED] ..."; a passed test that logged [SKIPPED] counts as
skipped. Exit status 0 when every result matches, 1 otherwise: an
unexpected failure or skip, a listed skip or failure that now passes (the
file must be updated), or a test that did not run at all.
"""
import json
import re
import sys

# CUnit basic mode: "Suite: NAME" at the start of a line, "  Test: NAME ..."
# and then, after whatever the test logs, "passed" or "FAILED" either right
# after the "..." or at the start of a line (test logs are indented).
TOKENS = re.compile(
    r"(?m)^Suite: (?P<suite>\S+)"
    r"|^  Test: (?P<test>.+?) \.\.\."
    r"|(?P<result>(?:(?<=\.\.\.)|^)(?:passed|FAILED))"
    r"|(?P<skip>\[SKIPPED\])"
)


def parse_results(text):
    """{"Suite.Test": "pass" | "skip" | "fail"} in run order."""
    results = {}
    suite = None
    current = None
    skipped = False
    for m in TOKENS.finditer(text):
        if m.group("suite"):
            suite = m.group("suite")
        elif m.group("test"):
            current = f"{suite}.{m.group('test').strip()}"
            skipped = False
        elif m.group("skip"):
            if current is not None:
                skipped = True
        elif m.group("result") and current is not None:
            if m.group("result") == "FAILED":
                results[current] = "fail"
            else:
                results[current] = "skip" if skipped else "pass"
            current = None
    return results


def listed_tests(text):
    """Suite.Test names from `iscsi-test-cu --list` (ALL.Suite.Test lines)."""
    names = []
    for line in text.splitlines():
        parts = line.strip().split(".")
        if len(parts) == 3 and parts[0] == "ALL":
            names.append(f"{parts[1]}.{parts[2]}")
    return names


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    expected_file, config, output_file, list_file = argv[1:5]
    summary_file = argv[6] if len(argv) > 6 and argv[5] == "--summary-json" else None
    with open(expected_file, encoding="utf-8") as f:
        spec = json.load(f)
    if config not in spec["configurations"]:
        print(f"no configuration {config!r} in {expected_file}", file=sys.stderr)
        return 2
    expected = spec["configurations"][config].get("expected", {})
    with open(output_file, encoding="utf-8", errors="replace") as f:
        actual = parse_results(f.read())
    with open(list_file, encoding="utf-8", errors="replace") as f:
        every = listed_tests(f.read())

    problems = []
    for name in sorted(expected):
        if name not in every:
            problems.append(f"{name}: listed in {expected_file} but not a libiscsi test")
        if expected[name].get("result") not in ("skip", "fail"):
            problems.append(f"{name}: expected result must be 'skip' or 'fail'")
        if not expected[name].get("reason"):
            problems.append(f"{name}: no reason given")
    counts = {"pass": 0, "skip": 0, "fail": 0, "missing": 0}
    for name in every:
        want = expected.get(name, {}).get("result", "pass")
        got = actual.get(name)
        if got is None:
            counts["missing"] += 1
            problems.append(f"{name}: did not run (expected {want})")
            continue
        counts[got] += 1
        if got == want:
            continue
        if want == "pass":
            problems.append(f"{name}: {got.upper()}, expected to pass")
        elif got == "pass":
            problems.append(
                f"{name}: now PASSES, expected {want} ({expected[name]['reason']}); "
                f"remove it from {expected_file}"
            )
        else:
            problems.append(f"{name}: {got.upper()}, expected {want}")

    print(
        f"libiscsi [{config}]: {counts['pass']} passed, {counts['skip']} skipped, "
        f"{counts['fail']} failed, {counts['missing']} did not run, of {len(every)}"
    )
    if summary_file:
        with open(summary_file, "w", encoding="utf-8") as f:
            json.dump({"configuration": config, "counts": counts, "results": actual}, f, indent=1)
    if problems:
        print(f"{len(problems)} difference(s) from {expected_file}:")
        for p in problems:
            print(f"  {p}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
