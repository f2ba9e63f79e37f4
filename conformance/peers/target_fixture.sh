# Sourced by the peer runners: starts a private iscsi-target on 127.0.0.1 with
# a kernel-chosen port, waits for its ready line, and stops it by its PID.
#   start_target BIN [ARGS...]   sets TARGET_PID, TARGET_PORT, TARGET_LOG
#   stop_target                  SIGTERM, wait (bounded), then report sanitizer output

TARGET_IQN=${TARGET_IQN:-iqn.2025-12.local:storage.disk1}

start_target() {
  local bin=$1
  shift
  TARGET_LOG=$(mktemp /tmp/iscsi-target-XXXXXX.log)
  "$bin" --portal 127.0.0.1:0 "$@" >"$TARGET_LOG" 2>&1 &
  TARGET_PID=$!
  local i
  for i in $(seq 1 200); do
    if grep -q "ready on" "$TARGET_LOG"; then
      TARGET_PORT=$(sed -n 's/.*ready on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TARGET_LOG" | head -1)
      [[ -n $TARGET_PORT ]] && return 0
    fi
    if ! kill -0 "$TARGET_PID" 2>/dev/null; then
      echo "iscsi-target exited early:" >&2
      cat "$TARGET_LOG" >&2
      return 1
    fi
    sleep 0.05
  done
  echo "iscsi-target did not become ready within 10 s" >&2
  cat "$TARGET_LOG" >&2
  kill "$TARGET_PID" 2>/dev/null || true
  return 1
}

# Returns non-zero when the target did not exit cleanly or a sanitizer spoke.
stop_target() {
  local rc=0 i
  [[ -n ${TARGET_PID:-} ]] || return 0
  kill -TERM "$TARGET_PID" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$TARGET_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$TARGET_PID" 2>/dev/null; then
    echo "iscsi-target did not exit within 10 s of SIGTERM" >&2
    kill -KILL "$TARGET_PID" 2>/dev/null || true
    rc=1
  fi
  wait "$TARGET_PID" 2>/dev/null || rc=$?
  if grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$TARGET_LOG"; then
    echo "sanitizer report from iscsi-target:" >&2
    cat "$TARGET_LOG" >&2
    rc=1
  fi
  rm -f "$TARGET_LOG"
  TARGET_PID=
  return $rc
}
