#!/usr/bin/env python3
"""End-to-end check: the anomalies tcpstate raises on the real-kernel captures.

Usage: check_anomalies.py TCPSTATE_BINARY CAPTURES_DIR [SCENARIO ...]

For every CAPTURES_DIR/NAME.expected.json with an "anomalies" field (written
by testdata/generator/generate.py from each scenario's design, see
testdata/README.md), run

    TCPSTATE --format json [args] --stuck-after STUCK_AFTER -r NAME.pcap

and check:

- expect[]: each entry's kind is present with a summed `count` of at least
  min_count.  A connection entry ("client": "addr:port" in ss syntax,
  optional "endpoint": client/server, optional "incarnation": the n-th
  record of that 4-tuple, counted from 0) is looked up in that connection's
  anomalies[]; a host entry ("scope": "host", "endpoint": an address) in the
  top-level anomalies[].  "detail_contains" adds a check that the detail of
  one of the matching anomalies contains that text.
- forbid[]: a kind id must not appear anywhere (connections or host level);
  an object {"kind", "client"[, "endpoint"]} forbids it on one connection.
- forbid_others: every anomaly raised must be accounted for by an expect[]
  entry (same kind, connection and endpoint) or by a kind in allow[];
  anything else is a false positive.  Kinds already named in forbid[] are
  reported by their own check, not again here.

Prints one PASS/FAIL line per check and ends with `N passed, M failed`;
exits 1 when anything failed.  A capture that tcpstate cannot analyse
(exit 2, for example an option it does not know yet) is one failed check.
Standard library only; no root needed.
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


def ep(addr, port):
    a = norm_addr(addr)
    return ("[%s]:%d" if ":" in a else "%s:%d") % (a, int(port))


def norm_ep(text):
    """'198.18.0.1:40000' or '[2001:db8::1]:40000' -> canonical form."""
    text = str(text)
    addr, _, port = text.rpartition(":")
    if not addr or not port.isdigit():
        return text
    return ep(addr, port)


def host_of(endpoint):
    """An anomaly's host endpoint: a bare address, or addr:port."""
    text = str(endpoint)
    try:
        return norm_addr(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        addr, _, port = text.rpartition(":")
        if addr and port.isdigit():
            return norm_addr(addr)
        return text


def run_tool(binary, args):
    try:
        res = subprocess.run([binary] + args, capture_output=True, text=True,
                             timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "could not run tcpstate: %s" % e
    if res.returncode == 2:
        return None, "tcpstate exited 2: %s" % " ".join(
            res.stderr.split())[:300]
    try:
        doc = json.loads(res.stdout)
    except ValueError as e:
        return None, "output is not JSON (exit %d): %s" % (res.returncode, e)
    if not isinstance(doc, dict) or not isinstance(
            doc.get("connections"), list):
        return None, "output JSON has no connections[] list"
    return doc, None


class Found:
    """Every anomaly in a report, flattened."""

    def __init__(self, doc):
        self.items = []  # dicts: kind, endpoint, count, detail, conn, inc
        seen = {}
        for r in doc.get("connections", []):
            try:
                cl = ep(r["client"]["addr"], r["client"]["port"])
                sv = ep(r["server"]["addr"], r["server"]["port"])
            except (KeyError, TypeError, ValueError):
                continue
            inc = seen.get((cl, sv), 0)
            seen[(cl, sv)] = inc + 1
            for a in r.get("anomalies") or []:
                self.items.append(self._item(a, cl, inc, r.get("id")))
        for a in doc.get("anomalies") or []:
            self.items.append(self._item(a, None, None, None))
        # hosts[]: only to say where a host anomaly went if not top-level
        self.in_hosts = []
        for h in doc.get("hosts") or []:
            for a in h.get("anomalies") or []:
                self.in_hosts.append((a.get("kind"), h.get("addr")))

    @staticmethod
    def _item(a, conn, inc, conn_id):
        count = a.get("count")
        return {"kind": a.get("kind"), "endpoint": a.get("endpoint"),
                "count": count if isinstance(count, int) else 1,
                "detail": a.get("detail") or "", "conn": conn, "inc": inc,
                "id": conn_id}

    def matching(self, e):
        out = []
        host = e.get("scope") == "host"
        for it in self.items:
            if it["kind"] != e["kind"]:
                continue
            if host:
                if it["conn"] is not None:
                    continue
                if "endpoint" in e and host_of(it["endpoint"]) != \
                        host_of(e["endpoint"]):
                    continue
            else:
                if it["conn"] is None:
                    continue
                if "client" in e and it["conn"] != norm_ep(e["client"]):
                    continue
                if "endpoint" in e and it["endpoint"] != e["endpoint"]:
                    continue
                if "incarnation" in e and it["inc"] != e["incarnation"]:
                    continue
            out.append(it)
        return out


def where(e):
    if e.get("scope") == "host":
        return "host %s" % e.get("endpoint", "?")
    s = ""
    if "endpoint" in e:
        s += "%s of " % e["endpoint"]
    s += e.get("client", "any connection")
    if "incarnation" in e:
        s += " #%d" % e["incarnation"]
    return s


def describe(items, limit=4):
    parts = []
    for it in items[:limit]:
        loc = ("host" if it["conn"] is None else "%s #%s %s" % (
            it["conn"], it["inc"], it["endpoint"]))
        parts.append("%s on %s x%d" % (it["kind"], loc, it["count"]))
    if len(items) > limit:
        parts.append("... %d more" % (len(items) - limit))
    return "; ".join(parts)


def check_capture(binary, exp_path):
    """Yield (ok, line) per check."""
    with open(exp_path) as f:
        exp = json.load(f)
    spec = exp.get("anomalies")
    if not isinstance(spec, dict):
        return
    name = exp.get("scenario") or os.path.basename(exp_path).split(".")[0]
    pcap = os.path.join(os.path.dirname(exp_path), name + ".pcap")
    if not os.path.exists(pcap):
        yield False, "FAIL %s: missing %s" % (name, pcap)
        return
    args = ["--format", "json"] + [str(a) for a in spec.get("args", [])]
    if spec.get("stuck_after"):
        args += ["--stuck-after", str(spec["stuck_after"])]
    args += ["-r", pcap]
    doc, problem = run_tool(binary, args)
    if problem:
        yield False, "FAIL %s: %s (no anomaly checked; args: %s)" % (
            name, problem, " ".join(args[2:-2]) or "none")
        return
    found = Found(doc)
    expects = spec.get("expect", [])
    for e in expects:
        hits = found.matching(e)
        total = sum(it["count"] for it in hits)
        need = int(e.get("min_count", 1))
        ok = total >= need
        line = "%s %s: %s on %s: count %d, want >= %d" % (
            "PASS" if ok else "FAIL", name, e["kind"], where(e), total, need)
        if not ok:
            other = [it for it in found.items if it["kind"] == e["kind"]]
            if other:
                line += " (raised elsewhere: %s)" % describe(other)
            elif e.get("scope") == "host":
                hosts = [a for k, a in found.in_hosts if k == e["kind"]]
                if hosts:
                    line += " (found only under hosts[] for %s)" % \
                        ", ".join(map(str, hosts))
        yield ok, line
        text = e.get("detail_contains")
        if text:
            dok = any(text in it["detail"] for it in hits)
            got = hits[0]["detail"] if hits else "(no such anomaly)"
            yield dok, "%s %s: %s detail on %s says %r: %s" % (
                "PASS" if dok else "FAIL", name, e["kind"], where(e), text,
                got if not dok else "yes")
    forbidden_kinds = set()
    for fb in spec.get("forbid", []):
        if isinstance(fb, str):
            forbidden_kinds.add(fb)
            hits = [it for it in found.items if it["kind"] == fb]
            label = "%s absent" % fb
        else:
            hits = found.matching(fb)
            label = "%s absent on %s" % (fb["kind"], where(fb))
        ok = not hits
        yield ok, "%s %s: %s%s" % ("PASS" if ok else "FAIL", name, label,
                                   "" if ok else ": got " + describe(hits))
    if spec.get("forbid_others"):
        allow = set(spec.get("allow", []))
        stray = []
        for it in found.items:
            if it["kind"] in allow or it["kind"] in forbidden_kinds:
                continue
            if any(it in found.matching(e) for e in expects):
                continue
            stray.append(it)
        ok = not stray
        yield ok, "%s %s: no other kinds (allowed: %s)%s" % (
            "PASS" if ok else "FAIL", name, ", ".join(sorted(allow)) or "none",
            "" if ok else ": got " + describe(stray, 6))


def main(argv):
    if len(argv) < 3:
        print("usage: check_anomalies.py TCPSTATE CAPTURES_DIR [SCENARIO...]",
              file=sys.stderr)
        return 2
    binary, capdir, only = argv[1], argv[2], set(argv[3:])
    files = sorted(glob.glob(os.path.join(capdir, "*.expected.json")))
    if only:
        files = [f for f in files
                 if os.path.basename(f).split(".")[0] in only]
    passed = failed = 0
    with_spec = 0
    for path in files:
        checks = list(check_capture(binary, path))
        with_spec += bool(checks)
        for ok, line in checks:
            print(line)
            if ok:
                passed += 1
            else:
                failed += 1
    if not with_spec:
        print("FAIL: no expected file with an \"anomalies\" field in %s" %
              capdir)
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
