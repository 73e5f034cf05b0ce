#!/usr/bin/env python3
"""Damaged captures: partial results, one precise error line, exit code.

usage: check_damaged.py TCPSTATE DAMAGED_DIR

For every case of DAMAGED_DIR/MANIFEST.json (testdata/damaged/generate.py):
  * the exit code is the expected one (2 for damage, 0 for what libpcap
    recovers from: skipped pcapng blocks, clamped caplen, zero-length
    records, timestamps going backwards);
  * on damage, stderr holds one line "tcpstate: FILE: record N at [...]byte
    offset M: reason" naming this file, the record and offset (when the
    damage is in a record);
  * the report (JSON and text) equals the report of exactly the records
    before the damage, written as an undamaged file;
  * recovered cases report every record, with the stated counters.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile



def without_rtt(connections):
    out = json.loads(json.dumps(connections))
    for c in out:
        for side in ("client", "server"):
            c[side].pop("rtt", None)
    return out

def run(tcpstate, path, fmt):
    p = subprocess.run([tcpstate, "-r", path, "--format", fmt],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def prefix_pcap(source, records, out):
    with open(source, "rb") as f:
        data = f.read()
    off, n = 24, 0
    while n < records:
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        off += 16 + caplen
        n += 1
    with open(out, "wb") as f:
        f.write(data[:off])


def comparable(report):
    """The report without what names the input or its error."""
    r = dict(report)
    for key in ("inputs", "error", "tcpstate_version"):
        r.pop(key, None)
    return r


def main():
    tcpstate, directory = sys.argv[1], sys.argv[2]
    with open(os.path.join(directory, "MANIFEST.json")) as f:
        manifest = json.load(f)
    source = os.path.normpath(os.path.join(directory, manifest["source"]))
    failures = []
    tmp = tempfile.mkdtemp(prefix="tcpstate_damaged_")

    def check(cond, name, what):
        if not cond:
            failures.append("%s: %s" % (name, what))
        return cond

    rc, full_json, _ = run(tcpstate, source, "json")
    full = json.loads(full_json)
    for name, case in sorted(manifest["cases"].items()):
        path = os.path.join(directory, name)
        rc, out, err = run(tcpstate, path, "json")
        check(rc == case["exit"], name,
              "exit code %d, expected %d (stderr: %s)" % (rc, case["exit"],
                                                         err.strip()))
        lines = [l for l in err.splitlines() if l.strip()]
        if case["exit"] == 0:
            check(not lines, name, "unexpected stderr: %r" % err)
        else:
            if check(len(lines) == 1, name, "expected one error line, got %r"
                     % lines):
                line = lines[0]
                check(line.startswith("tcpstate: %s: " % path), name,
                      "error line does not name the file: %r" % line)
                if case["record"] is not None:
                    check(" record %d at " % case["record"] in line, name,
                          "error line lacks record %d: %r"
                          % (case["record"], line))
                    check("byte offset %d:" % case["offset"] in line, name,
                          "error line lacks byte offset %d: %r"
                          % (case["offset"], line))
                check(case["reason"] in line, name,
                      "error line lacks %r: %r" % (case["reason"], line))
        good = case["good"]
        if case["exit"] != 0 and good == 0:
            # Nothing before the damage: no report, or an empty one.
            if out.strip():
                report = json.loads(out)
                check(report["summary"]["packets"] == 0, name,
                      "report of a file damaged before any record has "
                      "packets")
            continue
        try:
            report = json.loads(out)
        except ValueError:
            check(False, name, "no JSON report on stdout")
            continue
        summary = report["summary"]
        check(summary["packets"] == case.get("packets", good), name,
              "summary.packets %d, expected %d"
              % (summary["packets"], case.get("packets", good)))
        if "backwards" in case:
            check(summary["timestamps_backwards"] == case["backwards"], name,
                  "timestamps_backwards %d, expected %d"
                  % (summary["timestamps_backwards"], case["backwards"]))
        if case["exit"] != 0:
            check(report.get("error", "") != "", name,
                  "report does not carry the error")
            want = os.path.join(tmp, "prefix_%d.pcap" % good)
            prefix_pcap(source, good, want)
            _, pout, _ = run(tcpstate, want, "json")
            check(comparable(report) == comparable(json.loads(pout)), name,
                  "JSON report differs from the report of the first %d "
                  "records" % good)
            _, text, _ = run(tcpstate, path, "text")
            _, ptext, _ = run(tcpstate, want, "text")
            strip = lambda t, p: [l for l in t.replace(p, "FILE").splitlines()
                                  if "FILE" not in l]
            check(strip(text, path) == strip(ptext, want), name,
                  "text report differs from the report of the first %d "
                  "records" % good)
        else:
            for key in ("connections", "hosts", "anomalies"):
                ours, theirs = report[key], full[key]
                if key == "connections" and "backwards" in case:
                    # Round trips are times between packets: moving a
                    # timestamp moves them, and nothing else may change.
                    ours, theirs = without_rtt(ours), without_rtt(theirs)
                check(ours == theirs, name,
                      "%s differ from the undamaged capture's" % key)
            want_counters = dict(full["summary"]["decode_counters"])
            for k, v in case.get("counters", {}).items():
                want_counters[k] = want_counters.get(k, 0) + v
            check(summary["decode_counters"] == want_counters, name,
                  "decode counters %s, expected %s"
                  % ({k: v for k, v in summary["decode_counters"].items() if v},
                     {k: v for k, v in want_counters.items() if v}))
        print("ok   %-36s exit %d, %d packets%s" % (
            name, rc, summary["packets"],
            (", " + lines[0]) if lines else ""))
    for f in failures:
        print("FAIL " + f)
    print("%d cases, %d failures" % (len(manifest["cases"]), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
