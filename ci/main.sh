#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the reference target
# on its embedded default disk (LUN 0 = ram:1G,thin), runs the conformance
# suite (conformance/cases) against it over TCP and prints the report; JUnit,
# JSON and HTML copies go to build/default/. Exit status 0 only when every
# case passed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash ci/deps.sh || exit 1
cmake --preset default >/dev/null || exit 1
cmake --build --preset default -j "$(nproc)" || exit 1

. conformance/peers/target_fixture.sh
start_target build/default/bin/iscsi-target || exit 1
echo "=== reference target ${TARGET_IQN} on 127.0.0.1:${TARGET_PORT}"
build/default/bin/iscsi-sim run --target "127.0.0.1:${TARGET_PORT},${TARGET_IQN}" \
  --junit build/default/conformance-junit.xml --json build/default/conformance.json \
  --html build/default/conformance.html conformance/cases
rc=$?
stop_target || rc=1
echo "=== reports: build/default/conformance-junit.xml, conformance.json, conformance.html"
exit $rc
