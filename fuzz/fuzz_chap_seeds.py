#!/usr/bin/env python3
"""Builds fuzz/corpus/fuzz_chap/ from the security-stage texts of the
conformance cases in conformance/cases/auth/ (input format: fuzz_chap.cpp).

    python3 fuzz/fuzz_chap_seeds.py
"""
import hashlib
import json
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
cases = root / "conformance" / "cases" / "auth"
out = root / "fuzz" / "corpus" / "fuzz_chap"
CHAP = ("CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R")


def value(v):
    """Harness expressions become fuzz_chap's placeholders."""
    if re.fullmatch(r"\$\{chap_response(_b64)?\(chap_i, chap_c\)\}", v):
        return "@R"
    v = v.replace("${chap_i}", "@I").replace("${chap_c}", "@C")
    v = v.replace("${chap_user}", "fuzz-user").replace("${discovery_user}", "fuzz-user")
    return re.sub(r"\$\{[^}]*\}", "", v)


out.mkdir(parents=True, exist_ok=True)
for path in sorted(cases.glob("*.json")):
    case = json.loads(path.read_text())
    texts = []
    for step in case["steps"]:
        send = step.get("send")
        if not send or send.get("fields", {}).get("CSG") != 0:
            continue
        pairs = [(k, value(v)) for k, v in send.get("text", []) if k in CHAP]
        if pairs:
            texts.append(b"".join(f"{k}={v}".encode() + b"\0" for k, v in pairs))
    if not texts:
        continue
    mutual = case.get("preconditions", {}).get("auth") == "mutual-chap"
    data = bytes([0x05 if mutual else 0x04]) + b"\0".join(texts)
    (out / (path.stem + "-" + hashlib.sha1(data).hexdigest()[:8])).write_bytes(data)
