#!/usr/bin/env python3
"""Writes the hostile-strings capture: tcpstate must render it safely.

usage: python3 testdata/hostile/generate.py   (rewrites this directory)

Packet payloads never reach a report, so the strings an attacker controls
are the input file name (inputs[] in every report), the error message that
names it, and the addresses. The capture file name holds markup, quotes, a
statement separator, an entity, a backslash and a leading '=' (spreadsheet
formula); its content is one IPv4 connection (3-way handshake, one data
segment each way, 4-way close) followed by a record whose header promises
more bytes than the file holds, so every report also carries an error
message with the name in it. tests/e2e/check_hostile.py checks each format.

Standard library only; the output is deterministic (fixed timestamps,
addresses, ports and sequence numbers).
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "=1+2;<script>alert('x')<script>\"q\"&amp;\\.pcap"

CLIENT = (bytes([198, 18, 0, 1]), 40000)
SERVER = (bytes([198, 18, 0, 2]), 8000)
MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def frame(src, dst, seq, ack, flags, payload=b"", ip_id=1, mss=False):
    options = struct.pack("!BBH", 2, 4, 1460) if mss else b""
    offset = (20 + len(options)) // 4
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, ack, offset << 4,
                      flags, 64240, 0, 0) + options + payload
    pseudo = src[0] + dst[0] + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ip_id, 0x4000,
                     64, 6, 0, src[0], dst[0])
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    macs = (MAC_S + MAC_C) if src == CLIENT else (MAC_C + MAC_S)
    return macs + b"\x08\x00" + ip + tcp


def packets():
    c, s = CLIENT, SERVER
    ci, si = 1000, 5000  # ISNs
    return [
        frame(c, s, ci, 0, SYN, ip_id=11, mss=True),
        frame(s, c, si, ci + 1, SYN | ACK, ip_id=21, mss=True),
        frame(c, s, ci + 1, si + 1, ACK, ip_id=12),
        frame(c, s, ci + 1, si + 1, PSH | ACK, b"<script>", ip_id=13),
        frame(s, c, si + 1, ci + 9, PSH | ACK, b"\"';\t\n!", ip_id=22),
        frame(c, s, ci + 9, si + 7, FIN | ACK, ip_id=14),
        frame(s, c, si + 7, ci + 10, ACK, ip_id=23),
        frame(s, c, si + 7, ci + 10, FIN | ACK, ip_id=24),
        frame(c, s, ci + 10, si + 8, ACK, ip_id=15),
    ]


def main():
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    sec, usec = 1700000000, 0
    for i, f in enumerate(packets()):
        usec = i * 1500
        out += struct.pack("<IIII", sec, usec, len(f), len(f)) + f
    # Damaged tail: a record header promising 60 bytes, with only 10.
    out += struct.pack("<IIII", sec, 20000, 60, 60) + b"\0" * 10
    for old in os.listdir(HERE):
        if old.endswith(".pcap"):
            os.remove(os.path.join(HERE, old))
    with open(os.path.join(HERE, NAME), "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
