#!/usr/bin/env python3
"""Validates every conformance case against conformance/schema/scenario.schema.json.

Usage: validate_cases.py [SCHEMA] [CASES_DIR]
Exits 1 naming each file that does not validate (or does not parse), or
when two files share an id."""
import json
import pathlib
import sys

import jsonschema

here = pathlib.Path(__file__).resolve().parent
schema_path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here / "schema" / "scenario.schema.json"
cases_dir = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else here / "cases"

schema = json.loads(schema_path.read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

bad = 0
ids = {}
files = sorted(cases_dir.rglob("*.json"))
for f in files:
    try:
        case = json.loads(f.read_text())
    except json.JSONDecodeError as e:
        print(f"{f}: not JSON: {e}")
        bad += 1
        continue
    errors = sorted(validator.iter_errors(case), key=lambda e: list(e.absolute_path))
    for e in errors[:3]:
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        print(f"{f}: {where}: {e.message[:300]}")
    bad += bool(errors)
    cid = case.get("id") if isinstance(case, dict) else None
    if cid in ids:
        print(f"{f}: duplicate id {cid} (also {ids[cid]})")
        bad += 1
    ids[cid] = f
if not files:
    print(f"no case files under {cases_dir}")
    sys.exit(1)
print(f"{len(files)} case files, {bad} invalid")
sys.exit(1 if bad else 0)
