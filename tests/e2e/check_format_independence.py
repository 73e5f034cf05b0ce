#!/usr/bin/env python3
"""The analysis does not depend on the report format.

usage: check_format_independence.py TCPSTATE SOURCE_DIR [CORPUS_DIR]

For each case (a capture and analysis options), runs tcpstate once per
report format (text, json, jsonl, csv, zeek, html, mermaid) with the same
analysis options and the same CI options, and requires, byte for byte:
  - the `--write-baseline` file (state pairs and anomaly counts),
  - the `--junit` file (every --fail-on and --expect check, passed or not),
  - the exit code.
Cases include a SYN flood that fills the flow table: under a small
`--max-connections`, and under a small `--max-memory` (where ladder
recording for html used to shrink the table); with CORPUS_DIR, also the
real 37 k-connection flood of the stopddos corpus (skipped when absent).
"""

import json
import os
import subprocess
import sys
import tempfile

FORMATS = [["--format", "text"], ["--format", "json"], ["--format", "jsonl"],
           ["--format", "csv"], ["--format", "zeek"], ["--format", "html"],
           ["--format", "mermaid", "--connection", "1"]]

EXPECT = """\
expect no syn_flood
expect no rst_teardown
expect at most 2 retransmission
expect count client=ESTABLISHED server=ESTABLISHED >= 1
expect count server=SYN_RECEIVED >= 150
"""


def run_case(tcpstate, name, capture, options, tmp, must_evict):
    expect = os.path.join(tmp, "checks.expect")
    with open(expect, "w") as f:
        f.write(EXPECT)
    seen = None
    failures = []
    for fmt in FORMATS:
        label = fmt[1]
        baseline = os.path.join(tmp, "%s.%s.baseline" % (name, label))
        junit = os.path.join(tmp, "%s.%s.junit.xml" % (name, label))
        out = os.path.join(tmp, "%s.%s.out" % (name, label))
        cmd = [tcpstate, "-r", capture, "--quiet", "-o", out,
               "--write-baseline", baseline, "--junit", junit,
               "--fail-on", "severity>=warning", "--expect", expect] + \
            options + fmt
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=600)
        if p.returncode not in (0, 1):
            failures.append("%s %s: exit %d: %s" % (
                name, label, p.returncode, p.stderr.decode(errors="replace")))
            continue
        with open(baseline, "rb") as f:
            base = f.read()
        with open(junit, "rb") as f:
            jun = f.read()
        got = (p.returncode, base, jun)
        if label == "json" and must_evict:
            with open(out) as f:
                evicted = json.load(f)["summary"]["connections_evicted"]
            if evicted == 0:
                failures.append("%s: the table was never full: the case "
                                "does not test eviction" % name)
        if seen is None:
            seen = (label, got)
            continue
        ref_label, ref = seen
        for what, a, b in (("exit code", ref[0], got[0]),
                           ("--write-baseline", ref[1], got[1]),
                           ("--junit", ref[2], got[2])):
            if a != b:
                failures.append("%s: %s differs between %s and %s" % (
                    name, what, ref_label, label))
    return failures


def main():
    tcpstate, src = sys.argv[1], sys.argv[2]
    corpus = sys.argv[3] if len(sys.argv) > 3 else None
    caps = os.path.join(src, "testdata", "captures")
    flood = os.path.join(caps, "syn_flood.pcap")
    cases = [
        ("normal_close", os.path.join(caps, "normal_close_client.pcap"), [],
         False),
        ("fin_ack_lost", os.path.join(caps, "fin_ack_lost_after_tap.pcap"),
         [], False),
        ("port_reuse", os.path.join(caps, "port_reuse.pcap"), [], False),
        ("syn_flood", flood, [], False),
        ("syn_flood_full_table", flood, ["--max-connections", "64"], True),
        ("syn_flood_small_memory", flood, ["--max-memory", "1"], False),
    ]
    if corpus:
        real = os.path.join(corpus, "stopddos", "pkt.TCP.synflood.spoofed.pcap")
        if os.path.exists(real):
            cases.append(("stopddos_flood_small_memory", real,
                          ["--max-memory", "8"], False))
        else:
            print("SKIPPED stopddos flood: %s not present" % real)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, capture, options, must_evict in cases:
            f = run_case(tcpstate, name, capture, options, tmp, must_evict)
            print("%s %s" % ("FAIL" if f else "PASS", name))
            failures += f
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
