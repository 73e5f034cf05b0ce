#!/usr/bin/env python3
"""End-to-end check of the ISN analysis (issue 4).

Usage: check_isn.py TCPSTATE CAPTURES_DIR

For every CAPTURES_DIR/isn_*.expected.json (written by
testdata/generator/isn_lab.py) run `TCPSTATE --format json -r NAME.pcap` and
check, per expected host: every listed field of hosts[].isn (class,
predictable, gcd, sp, difficulty, next_predicted, samples), "min_samples" /
"min_same_tuple" lower bounds, and "anomaly" (whether the host has a
predictable_isn anomaly; when it has, the detail must give the predicted
next value).  An "nmap" entry compares GCD exactly and ISR/SP within
"tolerance" with what nmap printed in its SEQ line.  Prints PASS/FAIL lines
and `N passed, M failed`; exits 1 on any failure.  Standard library only.
"""

import glob
import json
import os
import subprocess
import sys

FIELDS = ("class", "predictable", "gcd", "sp", "difficulty",
          "next_predicted", "samples")


def run(binary, pcap):
    p = subprocess.run([binary, "--format", "json", "-r", pcap],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        return None, "exit %d: %s" % (p.returncode, p.stderr.strip())
    return json.loads(p.stdout), None


def check_host(name, addr, want, host):
    isn = (host or {}).get("isn") or {}
    for k in FIELDS:
        if k in want:
            yield isn.get(k) == want[k], "%s %s %s: want %r, got %r" % (
                name, addr, k, want[k], isn.get(k))
    for k, field in (("min_samples", "samples"),
                     ("min_same_tuple", "same_tuple")):
        if k in want:
            got = isn.get(field) or 0
            yield got >= want[k], "%s %s %s: want >= %d, got %d" % (
                name, addr, field, want[k], got)
    if "anomaly" in want:
        an = [a for a in (host or {}).get("anomalies", [])
              if a["kind"] == "predictable_isn"]
        yield bool(an) == want["anomaly"], "%s %s predictable_isn: want " \
            "%s, got %d" % (name, addr, want["anomaly"], len(an))
        if an and "next_predicted" in want:
            text = "predicted as %d" % want["next_predicted"]
            yield text in an[0]["detail"], "%s %s detail has %r" % (
                name, addr, text)


def check_nmap(name, nmap, hosts):
    isn = (hosts.get(nmap["host"]) or {}).get("isn") or {}
    tol = nmap.get("tolerance", 8)
    yield isn.get("gcd") == nmap["gcd"], "%s GCD: nmap %d, tcpstate %r" % (
        name, nmap["gcd"], isn.get("gcd"))
    for k in ("isr", "sp"):
        got = isn.get(k)
        ok = got is not None and abs(got - nmap[k]) <= tol
        yield ok, "%s %s: nmap %d, tcpstate %r (tolerance %d)" % (
            name, k.upper(), nmap[k], got, tol)


def check(binary, path):
    with open(path) as f:
        exp = json.load(f)
    name = exp["scenario"]
    doc, problem = run(binary, os.path.join(os.path.dirname(path),
                                            name + ".pcap"))
    if problem:
        yield False, "%s: %s" % (name, problem)
        return
    hosts = {h["addr"]: h for h in doc.get("hosts", [])}
    for addr, want in sorted(exp.get("hosts", {}).items()):
        yield from check_host(name, addr, want, hosts.get(addr))
    if "nmap" in exp:
        yield from check_nmap(name, exp["nmap"], hosts)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    files = sorted(glob.glob(os.path.join(argv[2], "isn_*.expected.json")))
    passed = failed = 0
    if not files:
        print("FAIL: no isn_*.expected.json in %s" % argv[2])
        failed = 1
    for path in files:
        for ok, line in check(argv[1], path):
            print(("PASS " if ok else "FAIL ") + line)
            passed += ok
            failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
