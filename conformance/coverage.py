#!/usr/bin/env python3
"""Prints how many RFC 3720 requirements of conformance/requirements.json
have at least one conformance case.

Usage: coverage.py [--min PERCENT] [--requirements FILE] [--cases DIR] [--uncovered]
Exits 1 when a mapped case id does not exist, when an entry is malformed,
or when coverage of the unconditional requirements is below --min
(default 95)."""
import argparse
import collections
import json
import pathlib
import sys

here = pathlib.Path(__file__).resolve().parent
ap = argparse.ArgumentParser()
ap.add_argument("--min", type=float, default=95.0)
ap.add_argument("--requirements", default=str(here / "requirements.json"))
ap.add_argument("--cases", default=str(here / "cases"))
ap.add_argument("--uncovered", action="store_true", help="list the requirements without a case")
args = ap.parse_args()

ids = set()
for f in pathlib.Path(args.cases).rglob("*.json"):
    ids.add(json.loads(f.read_text())["id"])

doc = json.loads(pathlib.Path(args.requirements).read_text())
errors = []
seen = set()
by_area = collections.OrderedDict()
conditional = []
for r in doc["requirements"]:
    for k in ("id", "section", "level", "text", "cases"):
        if k not in r:
            errors.append(f"{r.get('id', '?')}: missing '{k}'")
    if r.get("level") not in ("MUST", "MUST NOT", "SHALL", "SHALL NOT", "REQUIRED"):
        errors.append(f"{r.get('id')}: level {r.get('level')!r} is not a MUST-class keyword")
    if r["id"] in seen:
        errors.append(f"{r['id']}: duplicate requirement id")
    seen.add(r["id"])
    for c in r.get("cases", []):
        if c not in ids:
            errors.append(f"{r['id']}: mapped case {c} does not exist")
    if "condition" in r:
        conditional.append(r)
        continue
    area = r["section"].split(".")[0]
    area = "§" + area if area[0].isdigit() else "App. " + area
    by_area.setdefault(area, []).append(r)

total = sum(len(v) for v in by_area.values())
covered = sum(1 for v in by_area.values() for r in v if r["cases"])
print(f"{'area':10} {'reqs':>5} {'covered':>8} {'cases':>6}")
for area, reqs in by_area.items():
    n_cases = len({c for r in reqs for c in r["cases"]})
    print(f"{area:10} {len(reqs):5} {sum(1 for r in reqs if r['cases']):8} {n_cases:6}")
pct = 100.0 * covered / total if total else 0.0
print(f"{'total':10} {total:5} {covered:8} {len({c for v in by_area.values() for r in v for c in r['cases']}):6}")
print(f"coverage: {covered}/{total} = {pct:.1f} % of the unconditional requirements "
      f"({len(conditional)} conditional requirements not counted)")
mapped = {c for r in doc["requirements"] for c in r.get("cases", [])}
unmapped = sorted(ids - mapped)
if unmapped:
    print(f"{len(unmapped)} cases map to no requirement: {' '.join(unmapped)}")
if args.uncovered:
    for v in by_area.values():
        for r in v:
            if not r["cases"]:
                print(f"uncovered {r['id']} ({r['level']}): {r['text']}")
    for r in conditional:
        print(f"conditional {r['id']} [{r['condition']}]: {r['text']}")
for e in errors:
    print("error:", e, file=sys.stderr)
if errors:
    sys.exit(1)
if pct < args.min:
    print(f"coverage {pct:.1f} % is below {args.min} %", file=sys.stderr)
    sys.exit(1)
