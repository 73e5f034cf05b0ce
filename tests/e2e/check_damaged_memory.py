#!/usr/bin/env python3
"""No damaged record makes tcpstate allocate much: peak heap per case.

usage: check_damaged_memory.py TCPSTATE DAMAGED_DIR

Runs tcpstate on every capture of DAMAGED_DIR under Valgrind's massif and
fails when the peak heap of any run exceeds LIMIT. A record or pcapng block
that claims megabytes (pcapng_huge_section_header.pcapng is 68 bytes and
declares 16 MiB) must be refused before libpcap sizes a buffer from it; the
whole run, flow table included, stays under 512 KiB (the largest record
tcpstate accepts is 256 KiB).
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

LIMIT = 512 * 1024


def peak_heap(tcpstate, path, out):
    subprocess.run(["valgrind", "--tool=massif", "--massif-out-file=" + out,
                    tcpstate, "-r", path, "--format", "json"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=120)
    with open(out) as f:
        values = [int(v) + int(x) for v, x in re.findall(
            r"mem_heap_B=(\d+)\nmem_heap_extra_B=(\d+)", f.read())]
    return max(values) if values else None


def main():
    tcpstate, directory = sys.argv[1], sys.argv[2]
    if shutil.which("valgrind") is None:
        print("SKIPPED: valgrind is not installed")
        return 0
    tmp = tempfile.mkdtemp(prefix="tcpstate_massif_")
    failures = []
    cases = sorted(glob.glob(os.path.join(directory, "*.pcap*")))
    for path in cases:
        name = os.path.basename(path)
        peak = peak_heap(tcpstate, path, os.path.join(tmp, name + ".out"))
        if peak is None:
            failures.append("%s: massif wrote no snapshot" % name)
            continue
        ok = peak <= LIMIT
        print("%s %-36s peak heap %7d bytes" % ("ok  " if ok else "FAIL",
                                               name, peak))
        if not ok:
            failures.append("%s: peak heap %d > %d" % (name, peak, LIMIT))
    shutil.rmtree(tmp, ignore_errors=True)
    print("%d cases, %d failures" % (len(cases), len(failures)))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
