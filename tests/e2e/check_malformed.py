#!/usr/bin/env python3
"""Malformed packets: each bumps exactly its one decode counter, and the
valid packet after it is still analysed.

usage: check_malformed.py TCPSTATE MALFORMED_DIR

For every NAME.pcap of MALFORMED_DIR/MANIFEST.json
(testdata/malformed/generate.py): tcpstate exits 0, no stderr; the only
non-zero decode counters are the named counter (= 1) plus those of the
valid SYN alone (none: the baseline is measured on a capture of the valid
frame by itself), apart from the informational "also" counters that
necessarily come with it (tcp_checksum_unverified on a cut segment,
ip_reassembly_unfinished on a lone fragment); both frames are counted as
packets; and the valid SYN's
connection (198.51.100.1:40000 -> 192.0.2.80:80) is in the report.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile


def report(tcpstate, path):
    p = subprocess.run([tcpstate, "-r", path, "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stderr, (json.loads(p.stdout) if p.stdout else None)


def last_frame_only(path, out):
    """Writes a pcap of `path`'s last record alone (the valid SYN)."""
    with open(path, "rb") as f:
        data = f.read()
    off, last = 24, None
    while off < len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        last = data[off:off + 16 + caplen]
        off += 16 + caplen
    with open(out, "wb") as f:
        f.write(data[:24] + last)


def main():
    tcpstate, directory = sys.argv[1], sys.argv[2]
    with open(os.path.join(directory, "MANIFEST.json")) as f:
        manifest = json.load(f)
    failures = []
    tmp = tempfile.mkdtemp(prefix="tcpstate_malformed_")
    for name, case in sorted(manifest.items()):
        path = os.path.join(directory, name)
        base_path = os.path.join(tmp, name)
        last_frame_only(path, base_path)
        _, _, base = report(tcpstate, base_path)
        rc, err, rep = report(tcpstate, path)
        problems = []
        if rc != 0 or err.strip():
            problems.append("exit %d, stderr %r" % (rc, err.strip()))
        if rep is None:
            failures.append("%s: no report" % name)
            continue
        counters = rep["summary"]["decode_counters"]
        want = dict(base["summary"]["decode_counters"])
        for counter in [case["counter"]] + case.get("also", []):
            want[counter] = want.get(counter, 0) + 1
        if counters != want:
            problems.append("counters %s, expected %s" % (
                {k: v for k, v in counters.items() if v},
                {k: v for k, v in want.items() if v}))
        if rep["summary"]["packets"] != 2:
            problems.append("%d packets, expected 2" % rep["summary"]["packets"])
        valid = [c for c in rep["connections"]
                 if c["client"]["port"] == 40000 and c["server"]["port"] == 80]
        if len(valid) != 1:
            problems.append("the valid SYN after it was not analysed")
        if problems:
            failures.append("%s: %s" % (name, "; ".join(problems)))
        else:
            print("ok   %-40s %s=1" % (name, case["counter"]))
    for f in failures:
        print("FAIL " + f)
    print("%d malformations, %d failures" % (len(manifest), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
