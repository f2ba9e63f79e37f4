#!/usr/bin/env bash
# Runs the conformance corpus over TCP against private iscsi-targets: the
# whole corpus against one without authentication, then the auth/ cases
# against targets configured with CHAP (and discovery CHAP), with mutual
# CHAP, and with an initiator ACL. A case whose preconditions another
# configuration meets is not applicable in a run; every auth/ case must
# pass in one of them.
#   run_corpus_tcp.sh ISCSI_TARGET ISCSI_SIM CASES_DIR JUNIT_FILE
set -uo pipefail
here=$(dirname "$0")
. "$here/peers/target_fixture.sh"
target_bin=$1 sim=$2 cases=$3 junit=$4
chap=iscsi-sim:tcp-initiator-secret-1
mutual=iscsi-target:tcp-target-secret-2
dchap=iscsi-sim-discovery:tcp-discovery-secret-3
dmutual=iscsi-target-discovery:tcp-discovery-target-secret-4
reports=$(mktemp -d /tmp/conformance-tcp-XXXXXX)
trap 'rm -rf "$reports"' EXIT
rc=0

# run NAME "TARGET ARGS" "SIM ARGS" CASES
run() {
  local name=$1 targs=$2 sargs=$3 what=$4 out
  # shellcheck disable=SC2086  # the argument lists are split on purpose
  start_target "$target_bin" --lun 0=ram:64M,thin $targs || { rc=1; return; }
  out=${junit%.xml}
  [[ $name == plain ]] && out=$junit || out=$out-$name.xml
  echo "== $name: iscsi-target $targs"
  # shellcheck disable=SC2086
  "$sim" run --target "127.0.0.1:${TARGET_PORT},${TARGET_IQN}" $sargs --junit "$out" \
    --json "$reports/$name.json" "$what" || rc=1
  stop_target || rc=1
}

run plain "" "" "$cases"
run chap "--chap $chap --discovery-chap $dchap" "--chap $chap --discovery-chap $dchap" "$cases/auth"
run mutual "--chap $chap --mutual-chap $mutual --discovery-chap $dchap --discovery-mutual-chap $dmutual" \
  "--chap $chap --mutual-chap $mutual --discovery-chap $dchap --discovery-mutual-chap $dmutual" "$cases/auth"
run acl "--allow-initiator iqn.2025-12.local:iscsi-sim" "--acl" "$cases/auth"

# Every auth/ case passed against one of the configurations.
python3 - "$reports" "$cases/auth" <<'PY' || rc=1
import json, pathlib, sys
reports, auth = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
passed = set()
for f in reports.glob("*.json"):
    passed |= {c["id"] for c in json.loads(f.read_text())["cases"] if c["verdict"] == "pass"}
ids = {json.loads(p.read_text())["id"] for p in auth.glob("*.json")}
missing = sorted(ids - passed)
print(f"auth cases passed over TCP: {len(ids) - len(missing)}/{len(ids)}")
for m in missing:
    print(f"  not passed in any configuration: {m}")
sys.exit(1 if missing else 0)
PY
exit $rc
