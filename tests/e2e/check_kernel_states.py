#!/usr/bin/env python3
"""End-to-end check: tcpstate's endpoint states versus the Linux kernel's.

Usage: check_kernel_states.py TCPSTATE_BINARY CAPTURES_DIR

For every CAPTURES_DIR/NAME.expected.json (written by
testdata/generator/generate.py from `ss` in both namespaces), run
`TCPSTATE --format json -r NAME.pcap` and compare each expected connection's
client_state / server_state with the tool's JSON (connections[] with
client{addr,port,state} and server{addr,port,state}).

Matching: on (client addr, client port, server addr, server port).  When a
4-tuple occurs several times (port reuse), expected entries and output
records are paired in order of appearance: the first expected entry with the
first record for that 4-tuple, and so on (the output is assumed to list
connections in order of first packet).  An expected entry without a record
fails, as does a capture for which tcpstate exits with 2 or prints nothing.
Entries marked "client_spoofed": true (spoofed SYN sources: there is no
client socket anywhere) compare only the server side.

Prints one line per connection and ends with `N passed, M failed`; exits 1
when anything failed.  Standard library only; no root needed.
"""

import glob
import ipaddress
import json
import os
import subprocess
import sys


def norm_addr(a):
    try:
        return str(ipaddress.ip_address(str(a).strip("[]")))
    except ValueError:
        return str(a)


def key_of(caddr, cport, saddr, sport):
    return (norm_addr(caddr), int(cport), norm_addr(saddr), int(sport))


def expected_key(c):
    return key_of(c["client_addr"], c["client_port"], c["server_addr"],
                  c["server_port"])


def record_key(r):
    return key_of(r["client"]["addr"], r["client"]["port"],
                  r["server"]["addr"], r["server"]["port"])


def fmt_key(k):
    def ep(a, p):
        return ("[%s]:%d" if ":" in a else "%s:%d") % (a, p)
    return "%s -> %s" % (ep(k[0], k[1]), ep(k[2], k[3]))


def run_tool(binary, pcap):
    """Return (records or None, problem string or None)."""
    try:
        res = subprocess.run([binary, "--format", "json", "-r", pcap],
                             capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "could not run tcpstate: %s" % e
    if res.returncode == 2:
        return None, "tcpstate exited 2: %s" % res.stderr.strip()[:300]
    if not res.stdout.strip():
        return None, "tcpstate printed nothing (exit %d): %s" % (
            res.returncode, res.stderr.strip()[:300])
    try:
        doc = json.loads(res.stdout)
    except ValueError as e:
        return None, "output is not JSON: %s" % e
    conns = doc.get("connections") if isinstance(doc, dict) else None
    if not isinstance(conns, list):
        return None, "output JSON has no connections[] list"
    return conns, None


def check_capture(binary, exp_path):
    """Yield (ok, line) per expected connection."""
    with open(exp_path) as f:
        exp = json.load(f)
    name = exp.get("scenario") or os.path.basename(exp_path).split(".")[0]
    pcap = os.path.join(os.path.dirname(exp_path), name + ".pcap")
    expected = exp.get("connections", [])
    if not os.path.exists(pcap):
        yield False, "FAIL %s: missing %s" % (name, pcap)
        return
    records, problem = run_tool(binary, pcap)
    if problem:
        yield False, "FAIL %s: %s (%d expected connections not checked)" % (
            name, problem, len(expected))
        return
    yield from compare(name, expected, records)


def compare(name, expected, records):
    """Yield (ok, line) per expected connection (generate.py's entries)
    against tcpstate's JSON connections[]; tests/live/ uses it too."""
    by_key = {}
    for r in records:
        try:
            by_key.setdefault(record_key(r), []).append(r)
        except (KeyError, TypeError, ValueError):
            continue
    used = {}
    for c in expected:
        k = expected_key(c)
        i = used.get(k, 0)
        used[k] = i + 1
        label = "%s %s" % (name, fmt_key(k))
        if len(by_key.get(k, [])) > 1 or i > 0:
            label += " #%d" % i
        cands = by_key.get(k, [])
        if i >= len(cands):
            yield False, "FAIL %s: expected client %s server %s, got no " \
                "record (%d for this 4-tuple)" % (
                    label, c["client_state"], c["server_state"], len(cands))
            continue
        r = cands[i]
        got_c = (r.get("client") or {}).get("state")
        got_s = (r.get("server") or {}).get("state")
        ok = got_s == c["server_state"]
        if not c.get("client_spoofed"):
            ok = ok and got_c == c["client_state"]
            want = "client %s server %s" % (c["client_state"],
                                            c["server_state"])
            got = "client %s server %s" % (got_c, got_s)
        else:
            want = "server %s (client spoofed)" % c["server_state"]
            got = "server %s" % got_s
        yield ok, "%s %s: expected %s, got %s" % (
            "PASS" if ok else "FAIL", label, want, got)


def main(argv):
    if len(argv) != 3:
        print("usage: check_kernel_states.py TCPSTATE CAPTURES_DIR",
              file=sys.stderr)
        return 2
    binary, capdir = argv[1], argv[2]
    files = sorted(glob.glob(os.path.join(capdir, "*.expected.json")))
    passed = failed = 0
    if not files:
        print("FAIL: no *.expected.json in %s" % capdir)
        failed += 1
    for path in files:
        for ok, line in check_capture(binary, path):
            print(line)
            if ok:
                passed += 1
            else:
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
