#!/usr/bin/env python3
"""A connection's end is handled before what other connections sent after it.

One event-loop thread (--threads 1). Connection A holds an SPC-2 RESERVE(6),
which connection B's READ(10) conflicts with. With the target stopped
(SIGSTOP), A's TCP connection is closed and then B's READ(10) is sent, so
that the target sees both in one epoll batch when it runs again (SIGCONT).
A's session ends without a logout: its I_T nexus is lost, which releases its
reservation (SPC-2 RESERVE(6)). As the close came first, B's READ must find
the reservation gone and complete with GOOD, not RESERVATION CONFLICT.

    close_order_test.py TARGET_BIN
Exit 0 on pass, 1 on failure (with the reason), 77 when the process cannot be
stopped (no permission).
"""
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

TARGET_IQN = "iqn.2025-12.local:storage.disk1"
STATUS_GOOD = 0x00
STATUS_CHECK_CONDITION = 0x02
STATUS_RESERVATION_CONFLICT = 0x18
TIMEOUT_S = 10


class Fail(Exception):
    pass


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise Fail("the target closed the connection")
        buf += chunk
    return buf


def read_pdu(sock):
    bhs = recv_exact(sock, 48)
    ahs = bhs[4] * 4
    dlen = int.from_bytes(bhs[5:8], "big")
    rest = recv_exact(sock, ahs + ((dlen + 3) & ~3))
    return bhs, rest[ahs:ahs + dlen]


class Connection:
    """A minimal iSCSI initiator: no digests, operational-stage login."""

    def __init__(self, port, isid):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
        self.cmd_sn = 1
        self.exp_stat_sn = 0
        self.itt = 1
        self.login(isid)

    def login(self, isid):
        keys = [
            "InitiatorName=iqn.2025-12.local:close-order",
            "TargetName=" + TARGET_IQN,
            "SessionType=Normal",
            "HeaderDigest=None",
            "DataDigest=None",
        ]
        data = ("\0".join(keys) + "\0").encode()
        for _ in range(4):
            bhs = bytearray(48)
            bhs[0] = 0x43  # Login Request, immediate
            bhs[1] = 0x80 | (1 << 2) | 3  # T=1, CSG=1 (operational), NSG=3 (FFP)
            bhs[5:8] = len(data).to_bytes(3, "big")
            bhs[8:14] = isid
            struct.pack_into(">IHHII", bhs, 16, self.itt, 0, 0, self.cmd_sn, self.exp_stat_sn)
            self.sock.sendall(bytes(bhs) + data + b"\0" * (-len(data) % 4))
            rsp, _ = read_pdu(self.sock)
            if rsp[0] & 0x3F != 0x23:
                raise Fail("login: answer opcode 0x%02x" % rsp[0])
            if rsp[36] != 0:
                raise Fail("login refused: status 0x%02x%02x" % (rsp[36], rsp[37]))
            self.exp_stat_sn = struct.unpack_from(">I", rsp, 24)[0] + 1
            if rsp[1] & 0x80 and rsp[1] & 0x03 == 3:
                return
            data = b""
        raise Fail("login did not reach full feature phase")

    def send_command(self, cdb, read_length=0):
        bhs = bytearray(48)
        bhs[0] = 0x01
        bhs[1] = 0x80 | (0x40 if read_length else 0) | 0x01  # F, R, SIMPLE
        struct.pack_into(">IIII", bhs, 16, self.itt, read_length, self.cmd_sn, self.exp_stat_sn)
        bhs[32:32 + len(cdb)] = cdb
        self.cmd_sn += 1
        self.sock.sendall(bytes(bhs))
        self.itt += 1

    def status(self):
        """The status of the last command (SCSI Response or Data-In with S)."""
        while True:
            bhs, _ = read_pdu(self.sock)
            op = bhs[0] & 0x3F
            if op == 0x21:  # SCSI Response
                self.exp_stat_sn = struct.unpack_from(">I", bhs, 24)[0] + 1
                return bhs[3]
            if op == 0x25 and bhs[1] & 0x01:  # Data-In with S
                self.exp_stat_sn = struct.unpack_from(">I", bhs, 24)[0] + 1
                return bhs[3]
            if op != 0x25:
                raise Fail("unexpected PDU opcode 0x%02x" % op)

    def command(self, cdb, read_length=0):
        self.send_command(cdb, read_length)
        return self.status()

    def clear_unit_attention(self):
        for _ in range(8):
            if self.command(bytes(6)) == STATUS_GOOD:  # TEST UNIT READY
                return
        raise Fail("TEST UNIT READY never returned GOOD")


READ10_ONE_BLOCK = bytes([0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0])
RESERVE6 = bytes([0x16, 0, 0, 0, 0, 0])


def thread_states(pid):
    """(state, wchan) of every thread of `pid`."""
    out = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open("/proc/%d/task/%s/wchan" % (pid, tid)) as f:
                out.append((state, f.read()))
        except OSError:
            continue
    return out


def wait_until_stopped(pid):
    """Waits until every thread has taken the SIGSTOP: kill() only queues it,
    and a thread still running could pick up the next event first."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if all(state in ("T", "t") for state, _ in thread_states(pid)):
            return
        time.sleep(0.01)
    raise Fail("the target did not stop on SIGSTOP")


def wait_until_idle(pid):
    """Waits until every thread of the target sleeps, its loop in epoll_wait.

    epoll reports level-triggered items again until a later epoll_wait finds
    them not ready: stopped while still busy with B's last command, the
    target would see B's socket ahead of A's close. Asleep in epoll_wait,
    its ready list holds nothing but what arrives next, in arrival order.
    """
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        threads = thread_states(pid)
        if all(st == "S" for st, _ in threads) and any("epoll" in w for _, w in threads):
            return
        time.sleep(0.01)
    raise Fail("the target's threads never all slept in epoll_wait")


def start_target(binary):
    log = tempfile.NamedTemporaryFile(prefix="close-order-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [binary, "--portal", "127.0.0.1:0", "--threads", "1", "--lun", "0=ram:64M,bs=512"],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        with open(log.name, encoding="utf-8", errors="replace") as f:
            m = re.search(r"ready on 127\.0\.0\.1:(\d+)", f.read())
        if m:
            return proc, int(m.group(1)), log.name
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise Fail("iscsi-target did not become ready; log in " + log.name)


def run(binary):
    proc, port, log = start_target(binary)
    stopped = False
    try:
        b = Connection(port, bytes.fromhex("023d000000b1"))
        b.clear_unit_attention()
        a = Connection(port, bytes.fromhex("023d000000a1"))
        a.clear_unit_attention()
        if a.command(RESERVE6) != STATUS_GOOD:
            raise Fail("RESERVE(6) on A did not return GOOD")
        # The reservation is in force: the check below can fail.
        st = b.command(READ10_ONE_BLOCK, 512)
        if st != STATUS_RESERVATION_CONFLICT:
            raise Fail("READ(10) from B under A's reservation: status 0x%02x, "
                       "expected RESERVATION CONFLICT" % st)
        wait_until_idle(proc.pid)
        try:
            os.kill(proc.pid, signal.SIGSTOP)
        except PermissionError:
            return 77
        stopped = True
        wait_until_stopped(proc.pid)
        a.sock.close()
        b.send_command(READ10_ONE_BLOCK, 512)
        time.sleep(0.2)  # both reach the target's socket queues
        os.kill(proc.pid, signal.SIGCONT)
        stopped = False
        st = b.status()
        if st != STATUS_GOOD:
            raise Fail("READ(10) from B sent after A's connection closed: status 0x%02x, "
                       "expected GOOD (A's nexus loss releases its reservation first)" % st)
        b.sock.close()
        print("close_order: A's close was handled before B's later READ(10): GOOD")
        return 0
    finally:
        if stopped:
            os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        try:
            proc.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with open(log, encoding="utf-8", errors="replace") as f:
            text = f.read()
        os.unlink(log)
        if re.search(r"ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:", text):
            print(text, file=sys.stderr)
            raise Fail("sanitizer report from iscsi-target")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return run(argv[1])
    except (Fail, OSError) as e:
        print("close_order: FAIL: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
