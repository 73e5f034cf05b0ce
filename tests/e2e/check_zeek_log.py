#!/usr/bin/env python3
"""`--format zeek`: a Zeek conn.log that Zeek's own tools can read.

usage: check_zeek_log.py TCPSTATE CAPTURES_DIR

For every capture, reads tcpstate's conn.log the way zeek-cut does (the
#separator line, then #fields naming the columns, #unset_field and
#empty_field markers, \\xNN escapes) and checks it against the JSON report
of the same capture: one row per connection (in the order connections
finished, as Zeek writes them), with the same
endpoints, conn_state, history, packet and byte counts. Also checks the
header lines Zeek's ASCII writer writes (#set_separator, #path, #open,
#types with one type per field, #close) and that two runs are identical.
"""

import glob
import json
import os
import re
import subprocess
import sys

FIELDS = ("ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service "
          "duration orig_bytes resp_bytes conn_state local_orig local_resp "
          "missed_bytes history orig_pkts orig_ip_bytes resp_pkts "
          "resp_ip_bytes tunnel_parents "
          # tcpstate's own columns, after Zeek's.
          "handshake_rtt orig_state orig_possible_states resp_state "
          "resp_possible_states orig_rtt_samples orig_rtt_min orig_rtt_avg "
          "orig_rtt_max resp_rtt_samples resp_rtt_min resp_rtt_avg "
          "resp_rtt_max").split()
UID_RE = re.compile(r"^C[0-9A-Za-z]{17}$")
STAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$")


def zeek_state(e):
    return e["state"] + {"confirmed": "", "inferred": "?"}.get(
        e["certainty"], "??")


def zeek_possible(e):
    return ",".join(p["state"] for p in e["possible_states"])


def unescape(value):
    return re.sub(r"\\x([0-9a-fA-F]{2})",
                  lambda m: chr(int(m.group(1), 16)), value)


def read_log(text):
    """(header dict, rows as dicts) as zeek-cut reads them."""
    lines = text.split("\n")
    if lines[-1] != "":
        raise ValueError("no final newline")
    lines = lines[:-1]
    if not lines[0].startswith("#separator "):
        raise ValueError("first line is not #separator")
    sep = unescape(lines[0].split(" ", 1)[1])
    header, rows, names = {}, [], None
    for line in lines[1:]:
        if line.startswith("#"):
            parts = line.split(sep)
            header[parts[0][1:]] = parts[1:]
            if parts[0] == "#fields":
                names = parts[1:]
            continue
        if names is None:
            raise ValueError("row before #fields")
        cells = line.split(sep)
        if len(cells) != len(names):
            raise ValueError("row has %d cells, #fields %d" % (len(cells),
                                                               len(names)))
        row = {}
        for k, v in zip(names, cells):
            if v == header["unset_field"][0]:
                row[k] = None
            elif v == header["empty_field"][0]:
                row[k] = ""
            else:
                row[k] = unescape(v)
        rows.append(row)
    return header, rows


def main():
    tcpstate, captures = sys.argv[1], sys.argv[2]
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    for path in sorted(glob.glob(os.path.join(captures, "*.pcap"))):
        name = os.path.basename(path)
        z1 = subprocess.run([tcpstate, "--format", "zeek", "-r", path],
                            capture_output=True, timeout=120)
        z2 = subprocess.run([tcpstate, "--format", "zeek", "-r", path],
                            capture_output=True, timeout=120)
        js = subprocess.run([tcpstate, "--format", "json", "-r", path],
                            capture_output=True, timeout=120)
        check(z1.returncode == 0, "%s: exit %d" % (name, z1.returncode))
        check(z1.stdout == z2.stdout, "%s: two runs differ" % name)
        report = json.loads(js.stdout, parse_float=str)  # exact text
        try:
            header, rows = read_log(z1.stdout.decode("ascii"))
        except (ValueError, UnicodeDecodeError, KeyError) as e:
            failures.append("%s: unreadable: %s" % (name, e))
            continue
        check(header.get("set_separator") == [","], name + ": #set_separator")
        check(header.get("path") == ["conn"], name + ": #path")
        check(header.get("fields") == FIELDS, name + ": #fields")
        check(len(header.get("types", [])) == len(FIELDS), name + ": #types")
        for key in ("open", "close"):
            check(len(header.get(key, [])) == 1 and
                  STAMP_RE.match(header[key][0]), "%s: #%s" % (name, key))
        conns = report["connections"]
        check(len(rows) == len(conns), "%s: %d rows for %d connections" % (
            name, len(rows), len(conns)))
        # Rows come in the order connections finished (as Zeek writes
        # conn.log); each matches one connection by 5-tuple and start.
        def key(ts, oh, op, rh, rp):
            return (ts, oh, str(op), rh, str(rp))
        by_key = {key(r["ts"], r["id.orig_h"], r["id.orig_p"], r["id.resp_h"],
                      r["id.resp_p"]): r for r in rows}
        check(len(by_key) == len(rows), name + ": two rows for one connection")
        paired = []
        for c in conns:
            k = key(c["first_seen"], c["client"]["addr"], c["client"]["port"],
                    c["server"]["addr"], c["server"]["port"])
            check(k in by_key, "%s conn %d: no row" % (name, c["id"]))
            if k in by_key:
                paired.append((by_key[k], c))
        uids = set()
        for row, c in paired:
            where = "%s conn %d" % (name, c["id"])
            uids.add(row["uid"])
            check(UID_RE.match(row["uid"] or ""), where + ": uid")
            want = {
                "ts": c["first_seen"],
                "id.orig_h": c["client"]["addr"],
                "id.orig_p": str(c["client"]["port"]),
                "id.resp_h": c["server"]["addr"],
                "id.resp_p": str(c["server"]["port"]),
                "proto": "tcp",
                "conn_state": c["conn_state"],
                "history": c["history"] or None,
                "orig_pkts": str(c["client"]["packets"]),
                "resp_pkts": str(c["server"]["packets"]),
                "orig_ip_bytes": str(c["client"]["ip_bytes"]),
                "resp_ip_bytes": str(c["server"]["ip_bytes"]),
                "missed_bytes": str(c["client"]["missed_bytes"] +
                                    c["server"]["missed_bytes"]),
                "handshake_rtt": c["handshake_rtt"],
                "orig_state": zeek_state(c["client"]),
                "orig_possible_states": zeek_possible(c["client"]),
                "resp_state": zeek_state(c["server"]),
                "resp_possible_states": zeek_possible(c["server"]),
            }
            for prefix, side in (("orig", "client"), ("resp", "server")):
                rtt = c[side]["rtt"]
                want[prefix + "_rtt_samples"] = str(rtt["samples"] if rtt else 0)
                for k in ("min", "avg", "max"):
                    want["%s_rtt_%s" % (prefix, k)] = (
                        str(rtt[k]) if rtt else None)
            if float(c["duration"]) > 0:
                want["orig_bytes"] = str(c["client"]["bytes"])
                want["resp_bytes"] = str(c["server"]["bytes"])
                want["duration"] = c["duration"]
            else:
                want["duration"] = None
            for k, v in want.items():
                check(row[k] == v, "%s: %s is %r, json says %r" % (
                    where, k, row[k], v))
        check(len(uids) == len(rows), name + ": uids not unique")

    for f in failures:
        print("FAIL", f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
