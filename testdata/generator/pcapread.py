"""Minimal classic-pcap reader (Ethernet, IPv4/IPv6, TCP) used by the
generator to sanity-check captures and to learn sequence numbers for the
forged-RST scenario.  Standard library only."""

import ipaddress
import struct

FLAGS = "FSRPAUEC"  # bit 0 .. 7


def flag_str(bits):
    return "".join(FLAGS[i] for i in range(8) if bits & (1 << i))


def packets(path):
    """Yield dicts for every TCP packet of an Ethernet pcap."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    else:
        end = ">"
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    off = 24
    idx = 0
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        pkt = data[off:off + incl]
        off += incl
        idx += 1
        ts = sec + frac / (1e9 if nano else 1e6)
        if len(pkt) < 14:
            continue
        etype = struct.unpack("!H", pkt[12:14])[0]
        p = pkt[14:]
        if etype == 0x0800 and len(p) >= 20:
            ihl = (p[0] & 15) * 4
            total = struct.unpack("!H", p[2:4])[0]
            if p[9] != 6:
                continue
            src = str(ipaddress.IPv4Address(p[12:16]))
            dst = str(ipaddress.IPv4Address(p[16:20]))
            l4 = p[ihl:]
            l4len = total - ihl
        elif etype == 0x86DD and len(p) >= 40:
            if p[6] != 6:
                continue
            src = str(ipaddress.IPv6Address(p[8:24]))
            dst = str(ipaddress.IPv6Address(p[24:40]))
            l4 = p[40:]
            l4len = struct.unpack("!H", p[4:6])[0]
        else:
            continue
        if len(l4) < 20:
            continue
        sport, dport, seq, ack, offf, flags, win = struct.unpack(
            "!HHIIBBH", l4[:16])
        hlen = (offf >> 4) * 4
        yield {"n": idx, "ts": ts, "src": src, "sport": sport, "dst": dst,
               "dport": dport, "seq": seq, "ack": ack, "flags": flags,
               "f": flag_str(flags), "win": win, "len": l4len - hlen,
               "wirelen": orig}
