#!/usr/bin/env python3
"""IP fragment reassembly end to end.

usage: check_fragments.py TCPSTATE FRAGMENTS_DIR

For every NAME.pcap with NAME.expected.json in FRAGMENTS_DIR
(testdata/fragments/generate.py): tcpstate --format json exits 0 with no
stderr; the capture holds exactly one connection, whose client and server
byte counts and final states are the expected ones and whose anomaly kinds
are exactly the expected ones (none: no false lost_segment gap); and the
non-zero decode counters are exactly the expected ones.

Then the same captures with --no-reassembly must show the bug reassembly
fixes (short byte counts and lost_segment), so these captures do exercise
it.
"""

import json
import os
import subprocess
import sys


def report(tcpstate, path, *extra):
    p = subprocess.run([tcpstate, "-r", path, "--format", "json", *extra],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stderr, (json.loads(p.stdout) if p.stdout else None)


def check(rep, want):
    problems = []
    conns = rep["connections"]
    if len(conns) != 1:
        return ["%d connections, expected 1" % len(conns)]
    c = conns[0]
    got = {
        "client_bytes": c["client"]["bytes"],
        "server_bytes": c["server"]["bytes"],
        "client_state": c["client"]["state"],
        "server_state": c["server"]["state"],
        "anomalies": sorted(a["kind"] for a in c["anomalies"]),
        "counters": {k: v for k, v in rep["summary"]["decode_counters"].items()
                     if v},
    }
    for key, value in sorted(want.items()):
        if got[key] != value:
            problems.append("%s %r, expected %r" % (key, got[key], value))
    return problems


def main():
    tcpstate, directory = sys.argv[1], sys.argv[2]
    names = sorted(n[:-len(".expected.json")] for n in os.listdir(directory)
                   if n.endswith(".expected.json"))
    failures = []
    for name in names:
        path = os.path.join(directory, name + ".pcap")
        with open(os.path.join(directory, name + ".expected.json")) as f:
            want = json.load(f)
        rc, err, rep = report(tcpstate, path)
        if rc != 0 or err.strip() or rep is None:
            failures.append("%s: exit %d, stderr %r" % (name, rc, err.strip()))
            continue
        problems = check(rep, want)
        _, _, off = report(tcpstate, path, "--no-reassembly")
        kinds = [a["kind"] for c in off["connections"] for a in c["anomalies"]]
        if "lost_segment" not in kinds:
            problems.append("--no-reassembly shows no lost_segment: the "
                            "capture does not exercise reassembly")
        if problems:
            failures.append("%s: %s" % (name, "; ".join(problems)))
        else:
            print("ok   %s" % name)
    for f in failures:
        print("FAIL " + f)
    print("%d captures, %d failures" % (len(names), len(failures)))
    return 1 if failures or not names else 0


if __name__ == "__main__":
    sys.exit(main())
