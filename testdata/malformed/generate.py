#!/usr/bin/env python3
"""Generates one capture per packet malformation.

usage: python3 testdata/malformed/generate.py   (rewrites this directory)

Each NAME.pcap holds two Ethernet frames: the malformed packet
(198.51.100.7:50000 -> 192.0.2.80:80), then a valid SYN on another
connection (198.51.100.1:40000 -> 192.0.2.80:80) that must still be
analysed. MANIFEST.json names the one decode counter each malformation
bumps (checked by tests/e2e/check_malformed.py). "also" lists the
informational counters that necessarily come with it: a TCP checksum
cannot be verified over a cut segment, so that counts
tcp_checksum_unverified too; a lone IP fragment is held for reassembly and
never completes, so it counts ip_reassembly_unfinished at the end of the
capture (and, never decoded as TCP, no tcp_checksum_unverified). Standard
library only.
"""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_BAD, SRC_OK, DST = "198.51.100.7", "198.51.100.1", "192.0.2.80"
SRC6, DST6 = "2001:db8::7", "2001:db8::80"

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    head, _, tail = a.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack(">8H", *(h + [0] * (8 - len(h) - len(t)) + t))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp(sport=50000, dport=80, seq=1000, ack=0, flags=SYN, options=b"",
        payload=b"", offset_words=None, src=SRC_BAD, dst=DST, v6=False,
        bad_checksum=False):
    opts = options + b"\0" * ((-len(options)) % 4)
    words = (20 + len(opts)) // 4 if offset_words is None else offset_words
    hdr = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, words << 4, flags,
                      65535, 0, 0) + opts
    seg = hdr + payload
    if v6:
        pseudo = ip6(src) + ip6(dst) + struct.pack(">IxxxB", len(seg), 6)
    else:
        pseudo = ip4(src) + ip4(dst) + struct.pack(">xBH", 6, len(seg))
    c = csum(pseudo + seg) ^ (1 if bad_checksum else 0)
    return seg[:16] + struct.pack(">H", c) + seg[18:]


def ipv4(payload, src=SRC_BAD, dst=DST, ihl=5, total=None, frag=0,
         proto=6, options=b""):
    total = 4 * max(ihl, 5) + len(payload) if total is None else total
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, total, 0x1234, frag,
                      64, proto, 0, ip4(src), ip4(dst)) + options
    hdr = hdr[:10] + struct.pack(">H", csum(hdr[:20] + options)) + hdr[12:]
    return hdr + payload


def ipv6(payload, next_header=6, src=SRC6, dst=DST6, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack(">IHBB16s16s", 0x60000000, plen, next_header, 64,
                       ip6(src), ip6(dst)) + payload


def ether(ip, v6=False):
    return (b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" +
            (b"\x86\xdd" if v6 else b"\x08\x00") + ip)


def pcap(frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000, 1000 * i, len(f), len(f)) + f
    return out


VALID = ether(ipv4(tcp(sport=40000, src=SRC_OK, options=b"\x02\x04\x05\xb4"),
                   src=SRC_OK))


def cases():
    syn = tcp()
    c = {}
    c["ipv4_header_length_below_20"] = (
        ether(ipv4(syn, ihl=4)), "ipv4_bad_header_length")
    c["ipv4_header_length_beyond_total_length"] = (
        ether(ipv4(syn, ihl=15, total=40)[:40]), "ipv4_bad_total_length")
    c["ipv4_header_length_beyond_packet"] = (
        ether(ipv4(syn, ihl=15, total=80)[:40]), "ipv4_truncated")
    c["ipv4_total_length_too_small"] = (
        ether(ipv4(syn, total=19)), "ipv4_bad_total_length")
    c["ipv4_total_length_beyond_packet"] = (
        ether(ipv4(syn, total=1500)), "tcp_payload_truncated",
        ["tcp_checksum_unverified"])
    c["tcp_data_offset_below_5"] = (
        ether(ipv4(tcp(offset_words=4))), "tcp_bad_data_offset")
    c["tcp_data_offset_beyond_segment"] = (
        ether(ipv4(tcp(offset_words=15))), "tcp_bad_data_offset")
    c["tcp_option_length_0"] = (
        ether(ipv4(tcp(options=b"\x08\x00\x01\x01"))), "tcp_option_bad_length")
    c["tcp_option_length_1"] = (
        ether(ipv4(tcp(options=b"\x08\x01\x01\x01"))), "tcp_option_bad_length")
    c["tcp_option_length_overrun"] = (
        ether(ipv4(tcp(options=b"\x02\x04\x05\xb4\x08\x0a\x00\x00"))),
        "tcp_option_bad_length")
    c["tcp_mss_on_non_syn"] = (
        ether(ipv4(tcp(flags=ACK, ack=1, options=b"\x02\x04\x05\xb4"))),
        "tcp_mss_on_non_syn")
    c["tcp_window_scale_above_14"] = (
        ether(ipv4(tcp(options=b"\x01\x03\x03\x0f"))),
        "tcp_window_scale_too_large")
    c["tcp_syn_fin"] = (ether(ipv4(tcp(flags=SYN | FIN))), "tcp_syn_fin")
    c["tcp_syn_rst"] = (ether(ipv4(tcp(flags=SYN | RST))), "tcp_syn_rst")
    c["tcp_null_flags"] = (ether(ipv4(tcp(flags=0))), "tcp_null_flags")
    c["tcp_xmas_flags"] = (ether(ipv4(tcp(flags=FIN | PSH | URG))),
                           "tcp_xmas_flags")
    c["tcp_bad_checksum"] = (ether(ipv4(tcp(bad_checksum=True))),
                             "tcp_bad_checksum")
    c["ipv4_first_fragment"] = (
        ether(ipv4(tcp(payload=b"x" * 32)[:24], total=44, frag=0x2000)),
        "ipv4_first_fragment", ["ip_reassembly_unfinished"])
    c["ipv4_non_first_fragment"] = (
        ether(ipv4(b"y" * 16, frag=0x0003)), "ipv4_non_first_fragment",
        ["ip_reassembly_unfinished"])
    seg6 = tcp(src=SRC6, dst=DST6, v6=True, payload=b"z" * 32)
    c["ipv6_first_fragment"] = (
        ether(ipv6(struct.pack(">BBHI", 6, 0, 0x0001, 7) + seg6[:32],
                   next_header=44), v6=True),
        "ipv6_first_fragment", ["ip_reassembly_unfinished"])
    c["ipv6_non_first_fragment"] = (
        ether(ipv6(struct.pack(">BBHI", 6, 0, 0x0020, 7) + b"w" * 16,
                   next_header=44), v6=True),
        "ipv6_non_first_fragment", ["ip_reassembly_unfinished"])
    c["ipv6_ext_header_truncated"] = (
        ether(ipv6(b"\x06\x05\0\0", next_header=0, plen=48), v6=True),
        "ipv6_ext_header_truncated")
    return c


def main():
    manifest = {}
    for name, (frame, counter, *also) in sorted(cases().items()):
        with open(os.path.join(HERE, name + ".pcap"), "wb") as f:
            f.write(pcap([frame, VALID]))
        manifest[name + ".pcap"] = {"counter": counter,
                                    "also": also[0] if also else []}
    with open(os.path.join(HERE, "MANIFEST.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
