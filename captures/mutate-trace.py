#!/usr/bin/env python3
"""Writes a mutated copy of an iSCSI capture, for negative replay traces.

usage: captures/mutate-trace.py IN.pcap OUT.pcap MUTATION [ARGS] [--sim ISCSI_SIM]
       captures/mutate-trace.py --self-test

PDUs are named by the number `iscsi-sim decode` gives them (its --json
"index"); the decoder locates each PDU in its TCP stream, and this script
finds the bytes in the packets from the same stream offsets.

Mutations:
  truncate PDU            the capture ends in the middle of PDU: the packet
                          holding the PDU's middle byte is cut there and
                          every later packet is dropped
  cmdsn PDU DELTA         adds DELTA (may be negative) to the CmdSN of a
                          command PDU, e.g. to put it outside the window
  data-digest PDU         flips a byte of the data segment, so the captured
                          data digest (DataDigest=CRC32C) no longer matches
  past-r2t PDU [OFFSET]   sets the BufferOffset of a solicited Data-Out; by
                          default to the end of what its R2T asked for, so
                          all its data lies past the solicited range

A changed header gets a new header digest when header digests are on; every
changed packet gets new IPv4 and TCP checksums and lengths (unchanged packets
are copied as they are). Reads classic pcap, also .xz or .gz compressed, and
writes it uncompressed; link layers Ethernet, Linux cooked (SLL, SLL2), BSD
loopback or raw IP; IPv4 or IPv6. iscsi-sim is taken from --sim, $ISCSI_SIM, the
PATH, or a build directory under build/.

--self-test checks the CRC32C against RFC 3720 Appendix B.4.
"""
import glob
import gzip
import ipaddress
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class MutationError(Exception):
    pass


# --- CRC32C (Castagnoli, reflected polynomial 0x82f63b78), RFC 3720 §12.1 ---

def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def digest_bytes(data):
    # iSCSI sends the CRC least significant byte first (RFC 3720 Appendix
    # B.4 shows the vectors' digests as they appear on the wire).
    return struct.pack("<I", crc32c(data))


def self_test():
    vectors = [
        (bytes(32), 0x8A9136AA),
        (b"\xff" * 32, 0x62A8AB43),
        (bytes(range(32)), 0x46DD794E),
    ]
    ok = True
    for data, want in vectors:
        got = crc32c(data)
        status = "ok" if got == want else "MISMATCH"
        print(f"crc32c({data[:4].hex()}...) = 0x{got:08x}, RFC 3720 B.4: 0x{want:08x} {status}")
        ok &= got == want
    return 0 if ok else 1


# --- classic pcap ---

class Pcap:
    def __init__(self, path):
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:6] == b"\xfd7zXZ\x00":
            raw = lzma.decompress(raw)
        elif raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        if len(raw) < 24:
            raise MutationError(f"{path}: too short for a pcap header")
        magic = raw[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            self.endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            self.endian = ">"
        else:
            raise MutationError(f"{path}: not a classic pcap file (pcapng is not supported)")
        self.header = bytearray(raw[:24])
        self.linktype = struct.unpack(self.endian + "I", raw[20:24])[0] & 0x0FFFFFFF
        self.records = []  # [ts_sec, ts_frac, orig_len, bytearray]
        off = 24
        while off < len(raw):
            if off + 16 > len(raw):
                raise MutationError(f"{path}: truncated record header at byte {off}")
            sec, frac, incl, orig = struct.unpack(self.endian + "IIII", raw[off:off + 16])
            if off + 16 + incl > len(raw):
                raise MutationError(f"{path}: truncated record at byte {off}")
            self.records.append([sec, frac, orig, bytearray(raw[off + 16:off + 16 + incl])])
            off += 16 + incl

    def write(self, path):
        out = bytearray(self.header)
        for sec, frac, orig, data in self.records:
            out += struct.pack(self.endian + "IIII", sec, frac, len(data), orig)
            out += data
        with open(path, "wb") as f:
            f.write(out)


def network_offset(linktype, frame):
    """Offset of the IP header in a frame, or None when it carries no IP."""
    if linktype == 1:  # Ethernet, with any 802.1Q tags
        off, ethertype = 12, None
        while off + 2 <= len(frame):
            ethertype = struct.unpack(">H", frame[off:off + 2])[0]
            if ethertype in (0x8100, 0x88A8):
                off += 4
                continue
            break
        return off + 2 if ethertype in (0x0800, 0x86DD) else None
    if linktype == 113:  # Linux cooked SLL
        return 16 if len(frame) >= 16 and frame[14:16] in (b"\x08\x00", b"\x86\xdd") else None
    if linktype == 276:  # Linux cooked SLL2
        return 20 if len(frame) >= 20 and frame[0:2] in (b"\x08\x00", b"\x86\xdd") else None
    if linktype in (0, 109):  # BSD loopback / OpenBSD loop: 4-byte family
        return 4
    if linktype in (101, 12, 228, 229):  # raw IP
        return 0
    raise MutationError(f"unsupported link type {linktype}")


class Segment:
    """One TCP segment of a pcap record, with what is needed to edit it."""

    def __init__(self, record, ip, version, ihl, tcp, payload, end):
        self.record = record
        self.ip = ip  # IP header offset in the frame
        self.version = version
        self.ihl = ihl  # IP header length (IPv6: up to the TCP header)
        self.tcp = tcp  # TCP header offset
        self.payload = payload  # payload offset
        self.end = end  # end of the IP packet in the frame
        self.snapped = False  # the capture kept less than the IP packet

    @property
    def frame(self):
        return self.record[3]

    def addresses(self):
        f = self.frame
        if self.version == 4:
            src, dst = f[self.ip + 12:self.ip + 16], f[self.ip + 16:self.ip + 20]
        else:
            src, dst = f[self.ip + 8:self.ip + 24], f[self.ip + 24:self.ip + 40]
        sport, dport = struct.unpack(">HH", f[self.tcp:self.tcp + 4])
        return (bytes(src), sport), (bytes(dst), dport)

    def seq(self):
        return struct.unpack(">I", self.frame[self.tcp + 4:self.tcp + 8])[0]

    def syn(self):
        return bool(self.frame[self.tcp + 13] & 0x02)

    def payload_len(self):
        return self.end - self.payload

    def fix(self):
        """Recomputes the IP lengths and the IPv4 and TCP checksums."""
        f = self.frame
        ip_len = self.end - self.ip
        if self.version == 4:
            f[self.ip + 2:self.ip + 4] = struct.pack(">H", ip_len)
            f[self.ip + 10:self.ip + 12] = b"\0\0"
            f[self.ip + 10:self.ip + 12] = struct.pack(
                ">H", inet_checksum(f[self.ip:self.ip + self.ihl]))
            pseudo = f[self.ip + 12:self.ip + 20] + struct.pack(
                ">BBH", 0, 6, self.end - self.tcp)
        else:
            f[self.ip + 4:self.ip + 6] = struct.pack(">H", ip_len - 40)
            pseudo = f[self.ip + 8:self.ip + 40] + struct.pack(">IxxxB", self.end - self.tcp, 6)
        f[self.tcp + 16:self.tcp + 18] = b"\0\0"
        f[self.tcp + 16:self.tcp + 18] = struct.pack(
            ">H", inet_checksum(bytes(pseudo) + bytes(f[self.tcp:self.end])))


def inet_checksum(data):
    if len(data) % 2:
        data = bytes(data) + b"\0"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def tcp_segment(linktype, record):
    frame = record[3]
    ip = network_offset(linktype, frame)
    if ip is None or ip >= len(frame):
        return None
    version = frame[ip] >> 4
    if version == 4:
        if ip + 20 > len(frame):
            return None
        ihl = (frame[ip] & 0x0F) * 4
        total = struct.unpack(">H", frame[ip + 2:ip + 4])[0]
        flags_frag = struct.unpack(">H", frame[ip + 6:ip + 8])[0]
        if frame[ip + 9] != 6 or flags_frag & 0x3FFF:
            return None  # not TCP, or a fragment
        declared_end = ip + total
        end = min(declared_end, len(frame))
        tcp = ip + ihl
    elif version == 6:
        if ip + 40 > len(frame) or frame[ip + 6] != 6:
            return None  # extension headers are not followed
        ihl = 40
        declared_end = ip + 40 + struct.unpack(">H", frame[ip + 4:ip + 6])[0]
        end = min(declared_end, len(frame))
        tcp = ip + 40
    else:
        return None
    if tcp + 20 > end:
        return None
    payload = tcp + (frame[tcp + 12] >> 4) * 4
    if payload > end:
        return None
    seg = Segment(record, ip, version, ihl, tcp, payload, end)
    seg.snapped = end < declared_end
    return seg


# --- the decoder's view ---

def find_sim(explicit):
    for cand in [explicit, os.environ.get("ISCSI_SIM"), shutil.which("iscsi-sim")]:
        if cand and os.access(cand, os.X_OK):
            return cand
    found = sorted(glob.glob(os.path.join(ROOT, "build", "*", "bin", "iscsi-sim")) +
                   glob.glob(os.path.join(ROOT, "build", "bin", "iscsi-sim")),
                   key=os.path.getmtime, reverse=True)
    if found:
        return found[0]
    raise MutationError("iscsi-sim not found: pass --sim PATH or set ISCSI_SIM")


def decode(sim, path):
    r = subprocess.run([sim, "decode", path, "--json"], capture_output=True, text=True,
                       timeout=300)
    if r.returncode != 0:
        raise MutationError(f"iscsi-sim decode {path} failed: {r.stderr.strip()}")
    connections, pdus = {}, {}
    for line in r.stdout.splitlines():
        j = json.loads(line)
        if j.get("type") == "connection":
            connections[j["conn"]] = j
        elif j.get("type") == "pdu":
            pdus[j["index"]] = j
    return connections, pdus


def parse_endpoint(text):
    host, port = text.rsplit(":", 1)
    host = host.strip("[]")
    return ipaddress.ip_address(host).packed, int(port)


class Stream:
    """One direction of one TCP connection: stream offsets to packet bytes."""

    def __init__(self, pcap, src, dst):
        segs = [s for s in (tcp_segment(pcap.linktype, r) for r in pcap.records) if s]
        mine = [s for s in segs if s.addresses() == (src, dst)]
        if not mine:
            raise MutationError("no packets of that connection direction in the capture")
        syn = next((s for s in mine if s.syn()), None)
        data = [s for s in mine if s.payload_len() > 0]
        base = (syn.seq() + 1) & 0xFFFFFFFF if syn else (data[0].seq() if data else 0)
        self.pieces = []  # (stream offset, segment), retransmissions included
        for s in data:
            self.pieces.append(((s.seq() - base) & 0xFFFFFFFF, s))

    def locate(self, offset):
        """Every (segment, frame offset) that holds stream byte `offset`."""
        hits = []
        for start, s in self.pieces:
            if start <= offset < start + s.payload_len():
                hits.append((s, s.payload + offset - start))
        return hits

    def read(self, offset, length):
        out = bytearray()
        for i in range(length):
            hits = self.locate(offset + i)
            if not hits:
                raise MutationError(f"stream byte {offset + i} is not in the capture")
            s, at = hits[0]
            out.append(s.frame[at])
        return bytes(out)

    def write(self, offset, data, changed):
        for i, b in enumerate(data):
            hits = self.locate(offset + i)
            if not hits:
                raise MutationError(f"stream byte {offset + i} is not in the capture")
            for s, at in hits:
                if s.snapped:
                    raise MutationError("a packet to change was cut by the capture's snap "
                                        "length: its checksums cannot be recomputed")
                s.frame[at] = b
                changed[id(s.record)] = s


class Trace:
    def __init__(self, path, sim):
        self.pcap = Pcap(path)
        self.connections, self.pdus = decode(sim, path)
        self.changed = {}  # id(record) -> the Segment edited in it

    def pdu(self, index):
        if index not in self.pdus:
            raise MutationError(f"no PDU {index} (the decoder numbers {len(self.pdus)} PDUs)")
        return self.pdus[index]

    def stream(self, pdu):
        conn = self.connections.get(pdu["conn"])
        if not conn:
            raise MutationError(f"PDU {pdu['index']}: connection {pdu['conn']} not described")
        ini, tgt = parse_endpoint(conn["initiator"]), parse_endpoint(conn["target"])
        src, dst = (ini, tgt) if pdu["dir"] == "I->T" else (tgt, ini)
        s = Stream(self.pcap, src, dst)
        header = s.read(pdu["stream_offset"], 48)
        if header.hex() != pdu["bhs"]:
            raise MutationError(f"PDU {pdu['index']}: the captured bytes at stream offset "
                                f"{pdu['stream_offset']} are not its header")
        return s

    def layout(self, pdu):
        bhs = bytes.fromhex(pdu["bhs"])
        ahs = bhs[4] * 4
        dsl = int.from_bytes(bhs[5:8], "big")
        hd = 4 if "header_digest" in pdu else 0
        dd = 4 if "data_digest" in pdu else 0
        return ahs, dsl, hd, dd

    def set_header_field(self, pdu, at, value):
        """Writes a 4-byte BHS field and a new header digest when there is one."""
        s = self.stream(pdu)
        base = pdu["stream_offset"]
        ahs, _, hd, _ = self.layout(pdu)
        s.write(base + at, struct.pack(">I", value & 0xFFFFFFFF), self.changed)
        if hd:
            header = s.read(base, 48 + ahs)
            s.write(base + 48 + ahs, digest_bytes(header), self.changed)

    def write(self, out):
        for seg in self.changed.values():
            seg.fix()
        self.pcap.write(out)


def opcode(pdu):
    return bytes.fromhex(pdu["bhs"])[0] & 0x3F


def mutate_cmdsn(trace, index, delta):
    pdu = trace.pdu(index)
    if pdu["dir"] != "I->T" or opcode(pdu) not in (0x00, 0x01, 0x02, 0x03, 0x04, 0x06):
        raise MutationError(f"PDU {index} ({pdu['name']}) is not a command carrying CmdSN")
    old = pdu["fields"]["CmdSN"]
    trace.set_header_field(pdu, 24, old + delta)
    return f"PDU {index} ({pdu['name']}, conn {pdu['conn']}): CmdSN {old} -> " \
           f"{(old + delta) & 0xFFFFFFFF}"


def mutate_data_digest(trace, index):
    pdu = trace.pdu(index)
    ahs, dsl, hd, dd = trace.layout(pdu)
    if not dd or dsl == 0:
        raise MutationError(f"PDU {index} carries no data digest (DataDigest=CRC32C and data)")
    if pdu["data_digest"].get("check") != "good":
        raise MutationError(f"PDU {index}: its data digest is already bad")
    s = trace.stream(pdu)
    at = pdu["stream_offset"] + 48 + ahs + hd + dsl // 2
    old = s.read(at, 1)[0]
    s.write(at, bytes([old ^ 0xFF]), trace.changed)
    pad = (4 - dsl % 4) % 4
    data = s.read(pdu["stream_offset"] + 48 + ahs + hd, dsl + pad)
    digest = s.read(pdu["stream_offset"] + 48 + ahs + hd + dsl + pad, 4)
    if digest_bytes(data) == digest:
        raise MutationError("the flipped byte left the digest matching")
    return f"PDU {index} ({pdu['name']}, conn {pdu['conn']}): data byte {dsl // 2} of {dsl} " \
           f"0x{old:02x} -> 0x{old ^ 0xFF:02x}, data digest {pdu['data_digest']['value']} kept"


def mutate_past_r2t(trace, index, offset):
    pdu = trace.pdu(index)
    if pdu["dir"] != "I->T" or opcode(pdu) != 0x05:
        raise MutationError(f"PDU {index} ({pdu['name']}) is not a Data-Out")
    f = pdu["fields"]
    if f["TargetTransferTag"] == 0xFFFFFFFF:
        raise MutationError(f"PDU {index} is unsolicited (TTT 0xffffffff): no R2T to pass")
    r2t = None
    for i in sorted(trace.pdus):
        p = trace.pdus[i]
        if i >= index:
            break
        if (p["conn"] == pdu["conn"] and opcode(p) == 0x31 and
                p["fields"]["InitiatorTaskTag"] == f["InitiatorTaskTag"] and
                p["fields"]["TargetTransferTag"] == f["TargetTransferTag"]):
            r2t = p
    if r2t is None:
        raise MutationError(f"PDU {index}: the R2T it answers is not in the capture")
    r2t_end = r2t["fields"]["BufferOffset"] + r2t["fields"]["DesiredDataTransferLength"]
    new = r2t_end if offset is None else offset
    if new + pdu["data_segment_length"] <= r2t_end and new >= r2t["fields"]["BufferOffset"]:
        raise MutationError(f"BufferOffset {new} keeps the data within R2T PDU {r2t['index']}")
    trace.set_header_field(pdu, 40, new)
    return f"PDU {index} ({pdu['name']}, conn {pdu['conn']}): BufferOffset " \
           f"{f['BufferOffset']} -> {new}; R2T PDU {r2t['index']} asked for bytes " \
           f"{r2t['fields']['BufferOffset']}..{r2t_end}"


def mutate_truncate(trace, index):
    pdu = trace.pdu(index)
    s = trace.stream(pdu)
    middle = pdu["stream_offset"] + pdu["length"] // 2
    hits = s.locate(middle)
    if not hits:
        raise MutationError(f"PDU {index}: its middle byte is not in the capture")
    seg, at = hits[0]
    records = trace.pcap.records
    pos = next(i for i, r in enumerate(records) if r is seg.record)
    del records[pos + 1:]
    frame = seg.frame
    del frame[at:]
    seg.end = at
    seg.record[2] = len(frame)  # the length on the wire: the packet is now shorter
    trace.changed[id(seg.record)] = seg
    return f"PDU {index} ({pdu['name']}, conn {pdu['conn']}): capture ends at PDU byte " \
           f"{pdu['length'] // 2} of {pdu['length']}, in frame {pos + 1}; " \
           f"{len(trace.pcap.records)} packets kept"


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    sim = None
    if "--sim" in argv:
        i = argv.index("--sim")
        sim = argv[i + 1] if i + 1 < len(argv) else None
        del argv[i:i + 2]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, out, mutation, args = argv[0], argv[1], argv[2], argv[3:]
    try:
        ints = [int(a, 0) for a in args]
        trace = Trace(src, find_sim(sim))
        if mutation == "truncate" and len(ints) == 1:
            what = mutate_truncate(trace, ints[0])
        elif mutation == "cmdsn" and len(ints) == 2:
            what = mutate_cmdsn(trace, ints[0], ints[1])
        elif mutation == "data-digest" and len(ints) == 1:
            what = mutate_data_digest(trace, ints[0])
        elif mutation == "past-r2t" and len(ints) in (1, 2):
            what = mutate_past_r2t(trace, ints[0], ints[1] if len(ints) == 2 else None)
        else:
            raise MutationError(f"unknown mutation or wrong arguments: {mutation} {args}")
        trace.write(out)
    except (MutationError, ValueError, OSError, subprocess.SubprocessError) as e:
        print(f"mutate-trace: {e}", file=sys.stderr)
        return 2
    print(what)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
