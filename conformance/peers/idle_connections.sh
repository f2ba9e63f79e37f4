#!/usr/bin/env bash
# Abuse limit check (issue 7 "done when"): with 100 TCP connections to the
# portal that never log in, a well-behaved initiator still logs in and does
# I/O (libiscsi's iscsi-inq, and iscsi-sim writing and reading back data),
# and the idle connections are closed once the login timeout passes.
#   idle_connections.sh ISCSI_TARGET ISCSI_SIM CASES_DIR
# 127.0.0.1 only; stops only the target it started.
set -uo pipefail
here=$(dirname "$0")
. "$here/target_fixture.sh"
target_bin=$1 sim=$2 cases=$3
timeout_s=3
command -v iscsi-inq >/dev/null || { echo "iscsi-inq (libiscsi-bin) not installed"; exit 77; }
start_target "$target_bin" --lun 0=ram:64M,thin --login-timeout "$timeout_s" || exit 1
python3 - "$TARGET_PORT" "$TARGET_IQN" "$sim" "$cases" "$timeout_s" <<'PY'
import socket, subprocess, sys, time
port, iqn, sim, cases, timeout_s = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
idle = []
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setblocking(False)
    idle.append(s)
opened = time.monotonic()
print(f"opened {len(idle)} idle connections to 127.0.0.1:{port}")

def is_closed(s):
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True

ok = True
inq = subprocess.run(["iscsi-inq", f"iscsi://127.0.0.1:{port}/{iqn}/0"], capture_output=True,
                     text=True, timeout=30)
print(f"iscsi-inq rc={inq.returncode} at +{time.monotonic() - opened:.2f} s: "
      + " ".join(inq.stdout.split()[:12]))
ok = ok and inq.returncode == 0
io = subprocess.run([sim, "run", "--strict", "--target", f"127.0.0.1:{port},{iqn}", "--filter",
                     "rfc3720-10.7.1-read-data-round-trip", cases], capture_output=True,
                    text=True, timeout=60)
print(f"iscsi-sim write+read round trip rc={io.returncode} at +{time.monotonic() - opened:.2f} s: "
      + io.stdout.strip().splitlines()[-1])
ok = ok and io.returncode == 0
still_open = sum(not is_closed(s) for s in idle)
print(f"idle connections still open after the I/O: {still_open}/100")
deadline = opened + timeout_s + 5
closed_at = {}
while time.monotonic() < deadline and len(closed_at) < len(idle):
    for i, s in enumerate(idle):
        if i not in closed_at and is_closed(s):
            closed_at[i] = time.monotonic() - opened
    time.sleep(0.05)
for s in idle:
    s.close()
times = sorted(closed_at.values())
if times:
    print(f"closed by the target: {len(times)}/100, first at +{times[0]:.2f} s, last at +{times[-1]:.2f} s "
          f"(login timeout {timeout_s} s)")
else:
    print("closed by the target: 0/100")
ok = ok and len(times) == 100 and times[0] >= timeout_s - 0.5
sys.exit(0 if ok else 1)
PY
rc=$?
stop_target || rc=1
exit $rc
