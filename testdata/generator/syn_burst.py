#!/usr/bin/python3
"""A SYN flood that the capture does not outlive, and a port scan, against a
real Linux listener (run as root with /usr/bin/python3).

    /usr/bin/python3 testdata/generator/syn_burst.py OUT_DIR

writes OUT_DIR/syn_burst.pcap: 1,000 SYNs from 1,000 spoofed sources
(198.18.128.0/17) within one second to a listener with a backlog of 64 (so
most get SYN cookies: never retransmitted), the capture ending two seconds
after the last; and OUT_DIR/syn_scan.pcap: 1,000 SYNs from one source to
1,000 ports of the server (one listening), likewise. The server's answers
to the spoofed sources cross the tap and are dropped after it. The lab is
lab.py's (two namespaces, the tap on the client's veth).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

# Raw IPv4 SYNs built by hand and sent with IP_HDRINCL from the client
# namespace: fast enough for 1,000 in well under a second.
SENDER = r'''
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
dst, mode = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
d = socket.inet_aton(dst)
for i in range(1000):
    if mode == "burst":
        src = socket.inet_aton("198.18.%d.%d" % (128 + i // 250, 1 + i % 250))
        sport, dport = 1025 + i, 8000
    else:
        src = socket.inet_aton("198.18.200.1")
        sport, dport = 40000, 7000 + i
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000003 * i, 0, 5 << 4,
                      0x02, 64240, 0, 0)
    ph = struct.pack("!4s4sBBH", src, d, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i + 1, 0, 64,
                     6, 0, src, d)
    sock.sendto(ip + tcp, (dst, 0))
'''


def one(out_dir, mode):
    lab = L.Lab()
    try:
        lab.up()
        lst = lab.listener(backlog=64)
        L.run("ip", "route", "add", "198.18.128.0/17", "via", L.C4,
              ns=L.NS_S)
        lab.nft(L.NS_C, """table inet t { chain p {
            type filter hook prerouting priority -300;
            ip daddr 198.18.128.0/17 drop; } }""")
        lab.start_capture(os.path.join(out_dir, "syn_%s.pcap" % mode))
        t0 = time.time()
        L.run("/usr/bin/python3", "-c", SENDER, L.S4, mode, ns=L.NS_C)
        sent = time.time() - t0
        if sent >= 1.0:
            raise RuntimeError("sending took %.2f s, not within 1 s" % sent)
        time.sleep(2.0)
        lab.stop_capture()
        lst.close()
        print("syn_%s.pcap: 1000 SYNs in %.3f s" % (mode, sent))
    finally:
        lab.down()


def main():
    if os.geteuid() != 0:
        sys.exit("syn_burst.py needs root (network namespaces)")
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for mode in ("burst", "scan"):
        one(out_dir, mode)


if __name__ == "__main__":
    main()
