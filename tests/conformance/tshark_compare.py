#!/usr/bin/env python3
"""Compare tcpstate's data-transfer anomaly counts with TShark's.

For every pcap in the corpus that has a <name>.tshark-tcp.tsv beside it
(per tcp.stream counts of TShark 4.0's tcp.analysis.* flags), this runs
    tcpstate --format json -r <pcap>
and compares, connection by connection, the counts of retransmissions (with
fast and spurious ones), duplicate ACKs, zero windows, keep-alives,
zero-window probes, window-full segments, lost segments and out-of-order
segments. See tests/conformance/README.md for the matching rules.

It is a report, not a gate: exit 0 unless it crashes (2 on usage errors).
When the corpus is absent it prints "SKIPPED: ..." and exits 0.
python3 standard library only.
"""

import argparse
import collections
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

# Comparison rows: (name, how to count ours, how to count TShark's). Ours
# are tcpstate anomaly kinds summed over both endpoints of a connection;
# theirs are columns of the TSV. TShark's "retransmission" field is also set
# on every fast and spurious retransmission, so the totals are compared as
# such and the plain class is compared as TShark's total minus the two.
KINDS = [
    ("retransmission_total",
     ("retransmission", "fast_retransmission", "spurious_retransmission"),
     ("retransmission",), ()),
    ("retransmission_plain", ("retransmission",), ("retransmission",),
     ("fast_retransmission", "spurious_retransmission")),
    ("fast_retransmission", ("fast_retransmission",), ("fast_retransmission",), ()),
    ("spurious_retransmission", ("spurious_retransmission",),
     ("spurious_retransmission",), ()),
    ("out_of_order", ("out_of_order",), ("out_of_order",), ()),
    ("lost_segment", ("lost_segment",), ("lost_segment",), ()),
    ("duplicate_ack", ("duplicate_ack",), ("duplicate_ack",), ()),
    ("zero_window", ("zero_window",), ("zero_window",), ()),
    ("zero_window_probe", ("zero_window_probe",), ("zero_window_probe",), ()),
    ("window_full", ("window_full",), ("window_full",), ()),
    ("keepalive", ("keepalive",), ("keep_alive",), ()),
]
PCAP_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def split_endpoint(text):
    """'1.2.3.4:80' or 'fe80::1:80' (IPv6 unbracketed) -> (addr, port)."""
    text = text.strip()
    if text.startswith("["):
        addr, _, port = text[1:].partition("]:")
        return addr.lower(), int(port)
    addr, _, port = text.rpartition(":")
    return addr.lower(), int(port)


def canon_addr(addr):
    try:
        import ipaddress  # stdlib; imported here to keep startup light
        return str(ipaddress.ip_address(addr))
    except ValueError:
        return addr.lower()


def tuple_key(a, b):
    """Unordered 4-tuple: both directions of a connection give one key."""
    ea = (canon_addr(a[0]), a[1])
    eb = (canon_addr(b[0]), b[1])
    return (ea, eb) if ea <= eb else (eb, ea)


def read_tshark_tsv(path):
    """Rows of a tshark-tcp.tsv as dicts (ints where numeric), with 'key'."""
    rows = []
    header = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            row = dict(zip(header, cells))
            for k, v in row.items():
                if k not in ("a", "b") and v.lstrip("-").isdigit():
                    row[k] = int(v)
            try:
                a, b = split_endpoint(row["a"]), split_endpoint(row["b"])
            except (KeyError, ValueError):
                continue
            row["key"] = tuple_key(a, b)
            rows.append(row)
    return rows


def pcap_for(tsv_path):
    base = tsv_path[: -len(".tshark-tcp.tsv")]
    for suffix in PCAP_SUFFIXES:
        if os.path.exists(base + suffix):
            return base + suffix
    return None


def find_cases(corpus, only):
    cases = []
    for root, _, files in os.walk(corpus):
        for name in sorted(files):
            if not name.endswith(".tshark-tcp.tsv"):
                continue
            tsv = os.path.join(root, name)
            rel = os.path.relpath(tsv, corpus)
            if only and not any(o in rel for o in only):
                continue
            cases.append(tsv)
    return sorted(cases)


def run_tcpstate(binary, pcap, tmpdir, timeout):
    if pcap.endswith(".gz"):
        plain = os.path.join(tmpdir, os.path.basename(pcap)[:-3])
        with gzip.open(pcap, "rb") as fin, open(plain, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        pcap = plain
    cmd = [binary, "--format", "json", "-r", pcap]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"
    except OSError as e:
        return None, str(e)
    try:
        doc = json.loads(p.stdout.decode("utf-8", "replace"))
    except ValueError:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, f"exit {p.returncode}, no JSON: {err[-1] if err else ''}"
    return doc, None


def our_connections(doc):
    conns = []
    for c in doc.get("connections", []):
        cl, sv = c.get("client", {}), c.get("server", {})
        try:
            key = tuple_key((cl["addr"], int(cl["port"])),
                            (sv["addr"], int(sv["port"])))
        except (KeyError, TypeError, ValueError):
            continue
        counts = collections.Counter()
        for a in c.get("anomalies", []):
            counts[a.get("kind", "")] += int(a.get("count", 0))
        conns.append({"key": key, "id": c.get("id"),
                      "first_packet": c.get("first_packet", 0),
                      "packets": int(cl.get("packets", 0)) + int(sv.get("packets", 0)),
                      "counts": counts})
    return conns


def match(theirs, ours):
    """Pairs TShark streams with tcpstate connections on the 4-tuple.

    One of each on a tuple: paired. Several on both sides in equal numbers:
    paired in order (tcp.stream order against first packet). Unequal
    numbers (one tool split a tuple the other did not): the tuple's streams
    and connections are merged and compared as one unit.
    """
    by_t = collections.defaultdict(list)
    by_o = collections.defaultdict(list)
    for r in theirs:
        by_t[r["key"]].append(r)
    for c in ours:
        by_o[c["key"]].append(c)
    units, only_theirs, only_ours = [], [], []
    for key in sorted(set(by_t) | set(by_o), key=str):
        ts = sorted(by_t.get(key, []), key=lambda r: r.get("stream", 0))
        os_ = sorted(by_o.get(key, []), key=lambda c: c["first_packet"])
        if not os_:
            only_theirs.extend(ts)
        elif not ts:
            only_ours.extend(os_)
        elif len(ts) == len(os_):
            units.extend(([t], [o], False) for t, o in zip(ts, os_))
        else:
            units.append((ts, os_, True))
    return units, only_theirs, only_ours


def count_pair(kind_row, ts, os_):
    _, our_kinds, their_cols, their_minus = kind_row
    ours = sum(c["counts"].get(k, 0) for c in os_ for k in our_kinds)
    theirs = 0
    for r in ts:
        v = sum(int(r.get(col, 0) or 0) for col in their_cols)
        v -= sum(int(r.get(col, 0) or 0) for col in their_minus)
        theirs += v
    return ours, theirs


def compare_case(tsv, binary, tmpdir, timeout, stats, details, failures):
    pcap = pcap_for(tsv)
    rel = os.path.relpath(tsv, stats["corpus"])[: -len(".tshark-tcp.tsv")]
    if pcap is None:
        failures.append((rel, "no pcap beside the TSV"))
        return
    theirs = read_tshark_tsv(tsv)
    if not theirs:
        return
    doc, err = run_tcpstate(binary, pcap, tmpdir, timeout)
    if doc is None:
        failures.append((rel, err))
        return
    units, only_t, only_o = match(theirs, our_connections(doc))
    stats["pcaps"] += 1
    stats["only_theirs"] += len(only_t)
    stats["only_ours"] += len(only_o)
    stats["merged"] += sum(1 for u in units if u[2])
    for ts, os_, merged in units:
        diff = {}
        for kind_row in KINDS:
            name = kind_row[0]
            ours, theirs_n = count_pair(kind_row, ts, os_)
            s = stats["kinds"][name]
            s["compared"] += 1
            s["equal"] += ours == theirs_n
            s["ours"] += ours
            s["theirs"] += theirs_n
            if ours != theirs_n:
                diff[name] = [ours, theirs_n]
        dup = sum(c["counts"].get("duplicate_packet", 0) for c in os_)
        details.append({
            "pcap": rel, "streams": [r.get("stream") for r in ts],
            "connections": [c["id"] for c in os_], "merged": merged,
            "tuple": [f"{a}:{p}" for a, p in ts[0]["key"]],
            "duplicate_packets": dup, "diff": diff,
        })


def print_report(stats, details, failures, top, out):
    w = out.write
    w(f"tshark_compare: {stats['pcaps']} pcaps, "
      f"{stats['kinds']['keepalive']['compared']} connections compared "
      f"({stats['merged']} merged tuples), {stats['only_theirs']} TShark "
      f"streams and {stats['only_ours']} tcpstate connections unmatched\n\n")
    w(f"{'kind':<26}{'equal/compared':>16}{'%':>8}{'ours':>9}{'tshark':>9}\n")
    for name, *_ in KINDS:
        s = stats["kinds"][name]
        pct = 100.0 * s["equal"] / s["compared"] if s["compared"] else 100.0
        w(f"{name:<26}{s['equal']:>8}/{s['compared']:<7}{pct:>8.1f}"
          f"{s['ours']:>9}{s['theirs']:>9}\n")
    bad = [d for d in details if d["diff"]]
    bad.sort(key=lambda d: -sum(abs(o - t) for o, t in d["diff"].values()))
    if bad:
        with_dups = sum(1 for d in bad if d["duplicate_packets"])
        w(f"\n{len(bad)} connections disagree on some kind; {with_dups} of them "
          "hold packets tcpstate recognised as captured twice (duplicate_packet),\n"
          "which TShark counts as retransmissions and duplicate ACKs.\n")
        w(f"\nTop {min(top, len(bad))} of {len(bad)} connections that "
          "disagree (kind ours/tshark):\n")
    for d in bad[:top]:
        kinds = ", ".join(f"{k} {o}/{t}" for k, (o, t) in sorted(d["diff"].items()))
        extra = f" [duplicate_packet {d['duplicate_packets']}]" if d["duplicate_packets"] else ""
        w(f"  {d['pcap']} stream {','.join(map(str, d['streams']))} "
          f"({' <-> '.join(d['tuple'])}): {kinds}{extra}\n")
    for rel, err in failures:
        w(f"  NOT COMPARED {rel}: {err}\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tcpstate", required=True, help="tcpstate binary")
    ap.add_argument("--corpus", required=True, help="corpus directory")
    ap.add_argument("--json-out", help="write every comparison here as JSON")
    ap.add_argument("--only", action="append", default=[],
                    help="only pcaps whose corpus path contains this (repeatable, "
                         "or comma-separated)")
    ap.add_argument("--top", type=int, default=25, help="disagreements to list")
    ap.add_argument("--timeout", type=float, default=120.0, help="per pcap, seconds")
    args = ap.parse_args(argv)
    only = [o for arg in args.only for o in arg.split(",") if o]
    if not os.path.isdir(args.corpus):
        print(f"SKIPPED: corpus not found at {args.corpus}")
        return 0
    cases = find_cases(args.corpus, only)
    if not cases:
        print(f"SKIPPED: no *.tshark-tcp.tsv under {args.corpus}")
        return 0
    stats = {"corpus": args.corpus, "pcaps": 0, "only_theirs": 0,
             "only_ours": 0, "merged": 0,
             "kinds": {k[0]: collections.Counter() for k in KINDS}}
    details, failures = [], []
    with tempfile.TemporaryDirectory(prefix="tshark_compare.") as tmpdir:
        for tsv in cases:
            compare_case(tsv, args.tcpstate, tmpdir, args.timeout, stats,
                         details, failures)
    print_report(stats, details, failures, args.top, sys.stdout)
    if args.json_out:
        summary = {k: dict(v) for k, v in stats["kinds"].items()}
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump({"summary": summary, "pcaps": stats["pcaps"],
                       "unmatched_tshark_streams": stats["only_theirs"],
                       "unmatched_tcpstate_connections": stats["only_ours"],
                       "connections": details,
                       "not_compared": [{"pcap": r, "error": e} for r, e in failures]},
                      f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
