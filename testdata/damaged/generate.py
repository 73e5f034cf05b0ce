#!/usr/bin/env python3
"""Generates the damaged-capture corpus from normal_close_client.pcap.

usage: python3 testdata/damaged/generate.py   (rewrites this directory)

One file per kind of damage, plus MANIFEST.json saying what tcpstate must
do with each (checked by tests/e2e/check_damaged.py):
  exit        expected exit code (2 = damaged input, partial results)
  good        how many records of the source capture precede the damage;
              the report must equal the report of exactly those records
  record      record number the error names (null: none, e.g. a bad file
              header); offset: the byte offset it names (null: none)
  reason      a substring of the error message
  backwards   expected summary.timestamps_backwards (when given)
  packets     expected summary.packets (when given; default `good`)
  counters    decode counters that must be this much above the source's
Standard library only; the output is deterministic.
"""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "captures", "normal_close_client.pcap")
DAMAGE_AT = 6  # the record (1-based) the damage hits


def read_source():
    with open(SOURCE, "rb") as f:
        data = f.read()
    header = data[:24]
    assert header[:4] == b"\xd4\xc3\xb2\xa1", "expected little-endian usec pcap"
    records = []
    off = 24
    while off < len(data):
        sec, usec, caplen, length = struct.unpack("<IIII", data[off:off + 16])
        records.append((sec, usec, length, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return header, records


def record(sec, usec, frame, caplen=None, length=None):
    caplen = len(frame) if caplen is None else caplen
    length = len(frame) if length is None else length
    return struct.pack("<IIII", sec, usec, caplen, length) + frame


def pcap(header, records):
    return header + b"".join(record(s, u, f, length=l) for s, u, l, f in records)


def offset_of(header, records, n):
    """Byte offset of record n (1-based) in pcap(header, records)."""
    return len(pcap(header, records[:n - 1]))


# pcapng (draft-ietf-opsawg-pcapng), little endian.
def block(btype, body):
    pad = (-len(body)) % 4
    total = 12 + len(body) + pad
    return (struct.pack("<II", btype, total) + body + b"\0" * pad +
            struct.pack("<I", total))


def shb(major=1, minor=0):
    return block(0x0A0D0D0A,
                 struct.pack("<IHHq", 0x1A2B3C4D, major, minor, -1))


def idb(linktype=1, snaplen=262144):
    return block(0x00000001, struct.pack("<HHI", linktype, 0, snaplen))


def epb(rec, interface=0):
    sec, usec, length, frame = rec
    ts = sec * 1000000 + usec
    body = struct.pack("<IIIII", interface, ts >> 32, ts & 0xFFFFFFFF,
                       len(frame), length) + frame
    body += b"\0" * ((-len(frame)) % 4)
    return block(0x00000006, body)


def pcapng(records, extra=None):
    """SHB + IDB + one EPB per record; extra(i) may replace EPB i (1-based)."""
    out = shb() + idb()
    offsets = []
    for i, rec in enumerate(records, 1):
        offsets.append(len(out))
        blob = extra(i, rec) if extra else None
        out += blob if blob is not None else epb(rec)
    return out, offsets


def main():
    header, recs = read_source()
    n = DAMAGE_AT
    at = offset_of(header, recs, n)
    cases = {}

    def add(name, data, exit_code, good, record_no, offset, reason, **more):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        cases[name] = dict(exit=exit_code, good=good, record=record_no,
                           offset=offset, reason=reason, **more)

    whole = pcap(header, recs)
    add("empty_file.pcap", b"", 2, 0, None, None, "")
    add("bad_magic.pcap", b"\xde\xad\xbe\xef" + whole[4:], 2, 0, None, None,
        "")
    add("truncated_global_header.pcap", whole[:10], 2, 0, None, None, "")
    add("truncated_record_header.pcap", whole[:at + 9], 2, n - 1, n, at,
        "header")
    add("truncated_record_data.pcap", whole[:at + 16 + 20], 2, n - 1, n, at,
        "")
    # A record longer than the file header's snaplen (256 here) yet within
    # libpcap's limit for the link type.
    s, u, _, frame = recs[n - 1]
    long_frame = frame + b"\0" * (300 - len(frame))
    # libpcap (sf-pcap.c) reads the first snaplen bytes of such a record,
    # skips the rest and clamps caplen: not an error. The padding cut here
    # is Ethernet trailer, so every connection comes out unchanged.
    add("caplen_over_snaplen.pcap",
        pcap(header, recs[:n - 1]) + record(s, u, long_frame) +
        b"".join(record(*r[:2], r[3], length=r[2]) for r in recs[n:]),
        0, len(recs), None, None, "", packets=len(recs))
    add("caplen_huge.pcap",
        pcap(header, recs[:n - 1]) +
        struct.pack("<IIII", s, u, 0x7FFFFFFF, 0x7FFFFFFF) + frame,
        2, n - 1, n, at, "")
    # A record with caplen 0 is valid framing (tcpdump prints "[Invalid
    # header: caplen==0, len==0]" and goes on): one more packet, counted as
    # link_truncated, and nothing else changes.
    # It is put last, so that packet numbers stay those of the source.
    s20, u20 = recs[-1][:2]
    add("zero_length_record.pcap", whole + record(s20, u20, b""),
        0, len(recs), None, None, "", packets=len(recs) + 1,
        counters={"link_truncated": 1})
    back = list(recs)
    s6, u6, l6, f6 = back[n - 1]
    back[n - 1] = (s6 - 50, u6, l6, f6)
    add("timestamps_backwards.pcap", pcap(header, back), 0, len(recs), None,
        None, "", backwards=1, packets=len(recs))
    add("unsupported_link_type.pcap",
        header[:20] + struct.pack("<I", 65000) + whole[24:], 2, 0, None, None,
        "65000")

    ng, offs = pcapng(recs)
    del ng
    bad_len, offs = pcapng(recs, lambda i, r: (
        epb(r)[:4] + struct.pack("<I", 0x7FFFFFF0) + epb(r)[8:]
        if i == n else None))
    add("pcapng_bad_block_length.pcapng", bad_len, 2, n - 1, n, offs[n - 1],
        "")
    # Within libpcap's own 16 MiB limit for pcapng blocks, far over ours:
    # the block guard stops it before libpcap sizes a buffer from it.
    big_block, offs = pcapng(recs, lambda i, r: (
        epb(r)[:4] + struct.pack("<I", (16 << 20) - 4) + epb(r)[8:]
        if i == n else None))
    add("pcapng_block_too_large.pcapng", big_block, 2, n - 1, n, offs[n - 1],
        "over tcpstate's limit")
    # A 68-byte file whose section header claims 16 MiB.
    huge_shb = shb()[:4] + struct.pack("<I", 16 << 20) + shb()[8:]
    add("pcapng_huge_section_header.pcapng",
        (huge_shb + b"\0" * 68)[:68], 2, 0, None, None,
        "header at byte offset 0: pcapng block declares 16777216 bytes")
    bad_shb, offs = pcapng(recs, lambda i, r: (
        shb(major=9) + idb() + epb(r) if i == n else None))
    add("pcapng_bad_section_header.pcapng", bad_shb, 2, n - 1, n,
        offs[n - 1], "")
    unknown, offs = pcapng(recs, lambda i, r: (
        block(0x0BADB10C, b"not a known block type!!") + epb(r)
        if i == n else None))
    # libpcap skips blocks of types it does not know: nothing is lost.
    add("pcapng_unknown_block.pcapng", unknown, 0, len(recs), None, None, "",
        packets=len(recs))
    bad_if, offs = pcapng(recs, lambda i, r: epb(r, interface=7)
                          if i == n else None)
    add("pcapng_bad_interface_id.pcapng", bad_if, 2, n - 1, n, offs[n - 1],
        "interface")

    with open(os.path.join(HERE, "MANIFEST.json"), "w") as f:
        json.dump({"source": "../captures/normal_close_client.pcap",
                   "cases": cases}, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
