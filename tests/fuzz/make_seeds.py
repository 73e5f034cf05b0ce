#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from capture files.

usage: make_seeds.py OUT_DIR CAPTURE_OR_DIR...

Writes OUT_DIR/<target>/ for every target in tests/fuzz:
  pcap_reader  whole files (cut to 64 KiB), pcap and pcapng
  decode       one frame per seed, prefixed with the link type selector
  tcp          one TCP segment per seed, prefixed with its declared length
  ipv6_ext     IPv6 packets (the header onwards)
  pipeline     up to 64 frames of one capture in the "\\1PKT" chunk format
Only classic pcap is parsed for the per-packet targets. Standard library
only; deterministic output (names are content hashes).
"""

import hashlib
import os
import struct
import sys

MAX_FILE = 64 * 1024
MAX_FRAMES = 64
MAX_PER_TARGET = 3000
PKT_MAGIC = b"\x01PKT"

# libpcap DLT -> index into kLinkTypes of fuzz_decode.cc / fuzz_pipeline.cc.
LINK_SELECTOR = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 12: 5, 14: 5,
                 228: 6, 229: 7, 10: 8}


def read_pcap(data):
    """Returns (dlt, [(ts_seconds, frame bytes)]) or None if not pcap."""
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        return None
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    dlt = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    frames = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if caplen > len(data) - off:
            break
        frames.append((sec + frac / (1e9 if nano else 1e6),
                       data[off:off + caplen]))
        off += caplen
    return dlt, frames


def link_offset(dlt, frame):
    """Offset of the IP header, or None (Ethernet with VLANs, SLL, raw)."""
    if dlt == 1:
        off, etype = 12, None
        while off + 2 <= len(frame):
            etype = struct.unpack(">H", frame[off:off + 2])[0]
            if etype in (0x8100, 0x88A8):
                off += 4
                continue
            return off + 2 if etype in (0x0800, 0x86DD) else None
        return None
    if dlt == 113:
        return 16
    if dlt == 276:
        return 20
    if dlt in (0, 108):
        return 4
    if dlt in (101, 12, 14, 228, 229):
        return 0
    return None


def tcp_segment(ip):
    """(declared TCP length, captured segment bytes) or None."""
    if len(ip) < 1:
        return None
    version = ip[0] >> 4
    if version == 4 and len(ip) >= 20 and ip[9] == 6:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack(">H", ip[2:4])[0] or len(ip)
        return max(total - ihl, 0), ip[ihl:total]
    if version == 6 and len(ip) >= 40 and ip[6] == 6:
        plen = struct.unpack(">H", ip[4:6])[0] or (len(ip) - 40)
        return plen, ip[40:40 + plen]
    return None


class Writer:
    def __init__(self, out):
        self.out = out
        self.counts = {}
        self.seen = set()

    def put(self, target, blob):
        if self.counts.get(target, 0) >= MAX_PER_TARGET:
            return
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(blob).hexdigest()
        path = os.path.join(d, name)
        if path in self.seen:
            return
        self.seen.add(path)
        self.counts[target] = self.counts.get(target, 0) + 1
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(blob)


def step_byte(dt):
    if dt < 0:
        return 255
    if dt < 10:
        return min(int(dt / 0.05), 199)
    return min(199 + int(dt / 30) + 1, 254)


def seed_file(w, path):
    with open(path, "rb") as f:
        data = f.read(16 * 1024 * 1024)
    w.put("pcap_reader", data[:MAX_FILE])
    parsed = read_pcap(data)
    if parsed is None:
        return
    dlt, frames = parsed
    sel = LINK_SELECTOR.get(dlt)
    if sel is None:
        return
    chunks, last = [], None
    for ts, frame in frames[:MAX_FRAMES]:
        step = 0 if last is None else step_byte(ts - last)
        last = ts
        chunks.append(bytes([step]) + frame)
    if chunks:
        w.put("pipeline", bytes([sel, 0]) + PKT_MAGIC.join(chunks))
    for _, frame in frames[:200]:
        w.put("decode", bytes([sel]) + frame)
        off = link_offset(dlt, frame)
        if off is None:
            continue
        ip = frame[off:]
        if ip[:1] and ip[0] >> 4 == 6:
            w.put("ipv6_ext", ip)
        seg = tcp_segment(ip)
        if seg is not None:
            declared, captured = seg
            w.put("tcp", struct.pack(">HB", min(declared, 0xFFFF), 0) + captured)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    w = Writer(sys.argv[1])
    paths = []
    for arg in sys.argv[2:]:
        if os.path.isdir(arg):
            for root, _, files in os.walk(arg):
                paths += [os.path.join(root, f) for f in files
                          if f.endswith((".pcap", ".pcapng", ".cap"))]
        elif os.path.isfile(arg):
            paths.append(arg)
    for path in sorted(paths):
        seed_file(w, path)
    print("make_seeds.py: " + ", ".join(
        "%s %d" % kv for kv in sorted(w.counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
