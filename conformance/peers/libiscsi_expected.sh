#!/usr/bin/env bash
# Runs libiscsi's whole suite (iscsi-test-cu --dataloss --allow-sanitize
# --test ALL) against a private reference target configured as one LU
# configuration of EXPECTED_JSON, and compares every test's result with the
# results that file expects (libiscsi_compare.py).
#   libiscsi_expected.sh TARGET_BIN EXPECTED_JSON CONFIG [OUT_DIR]
# OUT_DIR (default: a temporary directory) receives the suite's output and a
# JSON summary. Fails on any difference, any sanitizer report from the
# target, or an unclean target exit.
set -uo pipefail
here=$(dirname "$0")
. "$here/target_fixture.sh"
bin=$1
expected=$2
config=$3
out_dir=${4:-$(mktemp -d /tmp/libiscsi-XXXXXX)}
mkdir -p "$out_dir"
command -v iscsi-test-cu >/dev/null || { echo "iscsi-test-cu missing (ci/deps.sh installs libiscsi-bin)" >&2; exit 1; }

# The configuration's target arguments and whether the second URL is given
# (libiscsi's multipath tests log in to it as a second initiator).
read -r multipath target_args < <(python3 - "$expected" "$config" <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1], encoding="utf-8"))
c = spec["configurations"][sys.argv[2]]
print("yes" if c.get("multipath") else "no", c["target_args"])
EOF
) || { echo "no configuration $config in $expected" >&2; exit 1; }
read -r -a args <<<"$target_args"

iscsi-test-cu --list >"$out_dir/list-$config.txt" 2>&1
start_target "$bin" "${args[@]}" || exit 1
url="iscsi://127.0.0.1:${TARGET_PORT}/${TARGET_IQN}/0"
urls=("$url")
[[ $multipath == yes ]] && urls+=("$url")
started=$(date +%s)
timeout 1500 iscsi-test-cu --dataloss --allow-sanitize --test ALL "${urls[@]}" \
  >"$out_dir/$config.txt" 2>&1
status=$?
elapsed=$(($(date +%s) - started))
rc=0
stop_target || rc=1
echo "iscsi-test-cu [$config: $target_args, ${#urls[@]} URL(s)]: exit $status after ${elapsed} s;" \
  "output in $out_dir/$config.txt"
if [[ $status -eq 124 ]]; then
  echo "iscsi-test-cu did not finish within 1500 s" >&2
  rc=1
fi
python3 "$here/libiscsi_compare.py" "$expected" "$config" "$out_dir/$config.txt" \
  "$out_dir/list-$config.txt" --summary-json "$out_dir/$config.json" || rc=1
exit $rc
