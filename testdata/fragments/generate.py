#!/usr/bin/python3
"""Captures of TCP connections whose data segments travel in IP fragments.

usage: /usr/bin/python3 testdata/fragments/generate.py   (needs python3-scapy;
rewrites this directory)

Each NAME.pcap is a complete connection (handshake, data both ways, FIN
close) in which the data segments are split into IP fragments, sent out of
order with one fragment duplicated; NAME.expected.json holds what
tests/e2e/check_fragments.py asserts on tcpstate's JSON report:

  ipv4_tcp     IPv4 fragments (RFC 791)
  ipv6_tcp     IPv6 fragment headers (RFC 8200 4.5)
  gre_ipv4     an outer IPv4 packet carrying GRE, fragmented; the TCP
               segment inside is only whole once the outer datagram is
  overlap      as ipv4_tcp, but one data segment's fragments overlap with
               different bytes (an evasion technique): that datagram is
               dropped (ip_reassembly_overlap) and the sender's
               retransmission, unfragmented, carries the data

Deterministic: fixed addresses, ISNs, IP ids and timestamps.
"""

import json
import os

from scapy.all import (GRE, IP, IPv6, IPv6ExtHdrFragment, TCP, Ether, Raw,
                       fragment, fragment6, wrpcap)

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1700000000.0
CISN, SISN = 1000, 5000
CDATA = bytes((i * 7) & 0xFF for i in range(3000))
SDATA = bytes((i * 13 + 1) & 0xFF for i in range(2000))


class Conn:
    """Builds the packets of one connection; ip(...) wraps a TCP layer."""

    def __init__(self, ip):
        self.ip = ip
        self.frames = []

    def seg(self, client, flags, seq, ack, data=b""):
        t = TCP(sport=40000 if client else 80, dport=80 if client else 40000,
                flags=flags, seq=seq, ack=ack, window=65535)
        return self.ip(client) / t / Raw(data) if data else self.ip(client) / t

    def add(self, *pkts):
        for p in pkts:
            self.frames.append(Ether(src="02:00:00:00:00:01",
                                     dst="02:00:00:00:00:02") / p
                               if not isinstance(p, Ether) else p)


def shuffled(frags):
    """Last fragment first, then the first, the first again (duplicate),
    then the rest: out of order with one duplicate."""
    return [frags[-1], frags[0], frags[0]] + frags[1:-1]


def connection(c, split, overlap=False, order=shuffled):
    c.add(c.seg(True, "S", CISN, 0), c.seg(False, "SA", SISN, CISN + 1),
          c.seg(True, "A", CISN + 1, SISN + 1))
    data = c.seg(True, "PA", CISN + 1, SISN + 1, CDATA)
    if overlap:
        frags = split(data)
        bad = frags[1].copy()
        raw = bytes(bad[Raw].load) if Raw in bad else b""
        bad[Raw].load = b"\xee" * len(raw)  # same range, other bytes
        c.add(frags[0], bad, *frags[1:])
        c.add(data)  # the retransmission, whole (jumbo frame)
    else:
        c.add(*order(split(data)))
    c.add(c.seg(False, "A", SISN + 1, CISN + 1 + len(CDATA)))
    reply = c.seg(False, "PA", SISN + 1, CISN + 1 + len(CDATA), SDATA)
    c.add(*order(split(reply))[::-1] if order is shuffled else
          order(split(reply)))
    end_c, end_s = CISN + 1 + len(CDATA), SISN + 1 + len(SDATA)
    c.add(c.seg(True, "A", end_c, end_s), c.seg(True, "FA", end_c, end_s),
          c.seg(False, "FA", end_s, end_c + 1),
          c.seg(True, "A", end_c + 1, end_s + 1))


def v4(ident=[0x100]):
    def ip(client):
        ident[0] += 1
        return IP(src="192.0.2.1" if client else "192.0.2.2",
                  dst="192.0.2.2" if client else "192.0.2.1", id=ident[0],
                  ttl=64)
    return ip


def v6(client):
    return IPv6(src="2001:db8::1" if client else "2001:db8::2",
                dst="2001:db8::2" if client else "2001:db8::1", hlim=64)


def split4(pkt):
    return fragment(pkt, fragsize=1000)


def split6(pkt, ident=[0x7000]):
    ident[0] += 1
    p = pkt[IPv6]
    payload = p.payload
    p.remove_payload()
    return fragment6(p / IPv6ExtHdrFragment(id=ident[0]) / payload, 1100)


def gre_wrap(pkt):
    """Outer 203.0.113.1 -> 203.0.113.2 GRE around the inner IPv4 packet,
    then the outer packet fragmented."""
    outer = (IP(src="203.0.113.1", dst="203.0.113.2", id=0x4242 + len(pkt))
             / GRE(proto=0x0800) / pkt[IP])
    frags = fragment(outer, fragsize=800)
    return shuffled(frags) if len(frags) > 1 else frags


def write(name, frames, expected):
    for i, f in enumerate(frames):
        f.time = T0 + i * 0.001
    wrpcap(os.path.join(HERE, name + ".pcap"), frames)
    with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)
        f.write("\n")


def expect(counters):
    return {
        "client_bytes": len(CDATA),
        "server_bytes": len(SDATA),
        "client_state": "TIME_WAIT",
        "server_state": "CLOSED",
        "anomalies": [],
        "counters": counters,  # every non-zero decode counter
    }


def main():
    c = Conn(v4())
    connection(c, split4)
    # 3000 + 20 TCP bytes in 1000-byte fragments: 4; 2020 reply bytes: 3.
    # 3020 TCP bytes in 1000-byte fragments: 4, sent as 5 frames (2 carry
    # offset 0); the reply's 2020: 3 fragments, 4 frames, in reverse.
    write("ipv4_tcp", c.frames, expect({
        "ip_fragments_reassembled": 2, "ip_reassembly_duplicate": 2,
        "ipv4_first_fragment": 4, "ipv4_non_first_fragment": 5}))

    c = Conn(v6)
    connection(c, split6)
    # 3020 bytes in 1048-byte fragments: 3, as 4 frames; 2020: 2, as 3.
    write("ipv6_tcp", c.frames, expect({
        "ip_fragments_reassembled": 2, "ip_reassembly_duplicate": 2,
        "ipv6_first_fragment": 4, "ipv6_non_first_fragment": 3}))

    c = Conn(v4())
    inner = []
    connection(c, lambda p: [p], order=lambda frags: frags)
    for f in c.frames:
        inner.extend(gre_wrap(f[IP]))
    c.frames = []
    c.add(*inner)
    # Only the outer packets of the two data segments need fragments (4 +
    # 3 of 800 bytes, as 5 + 4 frames); the inner TCP of all 10 segments
    # is found in the tunnel.
    write("gre_ipv4", c.frames, expect({
        "ip_fragments_reassembled": 2, "ip_reassembly_duplicate": 2,
        "tunnel_decapsulated": 10, "ipv4_first_fragment": 4,
        "ipv4_non_first_fragment": 5}))

    c = Conn(v4())
    connection(c, split4, overlap=True)
    # The overlapping datagram is dropped; its later fragments are
    # absorbed; the reply is as in ipv4_tcp.
    write("overlap", c.frames, expect({
        "ip_fragments_reassembled": 1, "ip_reassembly_duplicate": 1,
        "ip_reassembly_overlap": 1, "ipv4_first_fragment": 3,
        "ipv4_non_first_fragment": 6}))


if __name__ == "__main__":
    main()
