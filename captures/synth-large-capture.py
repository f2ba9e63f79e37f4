#!/usr/bin/env python3
"""Writes a large synthetic capture for measuring decode throughput.

Each of CONNECTIONS TCP connections (Ethernet/IPv4, client ports 40000 and
up, target port 3260) logs in (one Login Request and Response, no digests)
and then runs COMMANDS READ(10) commands of BLOCK bytes each: a SCSI Command
PDU from the initiator, and one Data-In PDU with the status (S bit, RFC 3720
§10.7.3) from the target, each in its own TCP segment with the peer's ACK
riding on the next segment. Connections are interleaved command by command.
The PDU layouts follow RFC 3720 §10.3, §10.7 and §10.12-13; checksums are
left zero (the decoder does not check them).

usage: synth-large-capture.py OUT.pcap [--connections C] [--commands N] [--block BYTES]
"""
import argparse
import struct


def bhs(opcode, byte1, dsl, rest):
    """48-byte header: opcode, flags, 2 opcode-specific bytes, TotalAHSLength 0,
    DataSegmentLength, then bytes 8-47 given in `rest` (40 bytes)."""
    assert len(rest) == 40
    return bytes([opcode, byte1, 0, 0, 0]) + dsl.to_bytes(3, "big") + rest


def pad(b):
    return b + bytes((4 - len(b) % 4) % 4)


def keys(*pairs):
    return b"".join(p.encode() + b"\0" for p in pairs)


class Conn:
    def __init__(self, index):
        self.cport = 40000 + index
        self.cseq = 1000 + index * 7919
        self.sseq = 500000 + index * 104729
        self.cmd_sn = 1
        self.stat_sn = 1


def frame(conn, from_client, payload, flags):
    mac_c = b"\x02\x00\x00\x00\x00\x01"
    mac_s = b"\x02\x00\x00\x00\x00\x02"
    ip_c = bytes([10, 0, 0, 1])
    ip_s = bytes([10, 0, 0, 2])
    if from_client:
        seq, ack, sport, dport = conn.cseq, conn.sseq, conn.cport, 3260
        src_mac, dst_mac, src_ip, dst_ip = mac_c, mac_s, ip_c, ip_s
    else:
        seq, ack, sport, dport = conn.sseq, conn.cseq, 3260, conn.cport
        src_mac, dst_mac, src_ip, dst_ip = mac_s, mac_c, ip_s, ip_c
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0, src_ip, dst_ip)
    advance = len(payload) + (1 if flags & 0x02 else 0)
    if from_client:
        conn.cseq += advance
    else:
        conn.sseq += advance
    return dst_mac + src_mac + b"\x08\x00" + ip + tcp + payload


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--commands", type=int, default=100000, help="per connection")
    ap.add_argument("--block", type=int, default=512)
    a = ap.parse_args()

    t = [1_700_000_000 * 1_000_000]
    pdus = 0
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

        def put(b):
            t[0] += 3
            f.write(struct.pack("<IIII", t[0] // 1_000_000, t[0] % 1_000_000, len(b), len(b)) + b)

        conns = [Conn(i) for i in range(a.connections)]
        for c in conns:
            put(frame(c, True, b"", 0x02))   # SYN
            put(frame(c, False, b"", 0x12))  # SYN-ACK
            text = keys("InitiatorName=iqn.2024-01.org.example:synth", "TargetName=iqn.2024-01.org.example:disk",
                        "SessionType=Normal", "HeaderDigest=None", "DataDigest=None")
            isid = bytes([0x00, 0x23, 0x45, 0x67, 0x89, 0xAB])
            # Login Request (§10.12): I bit, T=1 CSG=1 NSG=3.
            rest = isid + b"\0\0" + struct.pack(">IHHII", 1, 0, 0, c.cmd_sn, 0) + bytes(16)
            put(frame(c, True, pad(bhs(0x43, 0x87, len(text), rest) + text), 0x18))
            answer = keys("HeaderDigest=None", "DataDigest=None", "MaxRecvDataSegmentLength=262144")
            # Login Response (§10.13): TSIH 1, StatSN 0, status 0.
            rest = isid + b"\0\x01" + struct.pack(">IIIIIBB", 1, 0, 0, c.cmd_sn, c.cmd_sn + 63, 0, 0) + bytes(10)
            put(frame(c, False, pad(bhs(0x23, 0x87, len(answer), rest) + answer), 0x18))
            pdus += 2
        data = bytes(i & 0xFF for i in range(a.block))
        blocks = a.block // 512
        for n in range(a.commands):
            for c in conns:
                itt = n + 16
                cdb = bytes([0x28, 0]) + struct.pack(">I", n) + bytes([0]) + struct.pack(">H", blocks) + bytes(7)
                # SCSI Command (§10.3): F=1 R=1 ATTR=Simple.
                rest = bytes(8) + struct.pack(">IIII", itt, a.block, c.cmd_sn, c.stat_sn) + cdb
                put(frame(c, True, bhs(0x01, 0xC1, 0, rest), 0x18))
                # Data-In with status (§10.7): F=1 S=1, GOOD.
                rest = bytes(8) + struct.pack(">IIIIIIII", itt, 0xFFFFFFFF, c.stat_sn, c.cmd_sn + 1, c.cmd_sn + 64,
                                              0, 0, 0)
                put(frame(c, False, pad(bhs(0x25, 0x81, a.block, rest) + data), 0x18))
                c.cmd_sn += 1
                c.stat_sn += 1
                pdus += 2
    print(f"{a.out}: {pdus} PDUs")


if __name__ == "__main__":
    main()
