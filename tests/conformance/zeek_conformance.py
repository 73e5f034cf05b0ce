#!/usr/bin/env python3
"""Compare tcpstate's conn_state and history with Zeek's own test baselines.

For every row of <corpus>/ZEEK-PAIRS.tsv this runs
    tcpstate --format json -r <pcap>
and compares each TCP connection with the rows of the Zeek baseline beside
the pcap. See tests/conformance/README.md for the method and the quirks of
the corpus. python3 standard library only.

Exit status: 0 when conn_state agreement >= --min-agreement (or the corpus
is absent: "SKIPPED"), 1 otherwise, 2 on usage errors.
"""

import argparse
import collections
import gzip
import ipaddress
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

CONN_STATES = {
    "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH",
    "SH", "SHR", "OTH",
}
# Zeek endpoint states as numbers in printed endpoint records (TCP_Endpoint.h).
INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET = range(7)

HISTORY_RE = re.compile(r"^\^?[ShHaAdDfFrRcCgGtTwWiIqQxX^]+$")
UID_RE = re.compile(r"^C[0-9A-Za-z]{14,18}$")
# Services Zeek logs for non-TCP connections; used only when a baseline has
# no proto column (zeek-cut extracts).
NON_TCP_SERVICES = {
    "dns", "vxlan", "geneve", "teredo", "ayiya", "gtpv1", "ntp", "dhcp",
    "snmp", "syslog", "mdns", "quic", "radius", "sip", "netbios-ns", "dtls",
}
# Field-name aliases seen in the corpus (logging.field-name-map renames
# id.orig_h -> src_ip and so on).
FIELD_ALIASES = {
    "id.orig_h": "orig_h", "id_orig_h": "orig_h", "src_ip": "orig_h", "orig_h": "orig_h",
    "id.orig_p": "orig_p", "id_orig_p": "orig_p", "src_port": "orig_p", "orig_p": "orig_p",
    "id.resp_h": "resp_h", "id_resp_h": "resp_h", "dst_ip": "resp_h", "resp_h": "resp_h",
    "id.resp_p": "resp_p", "id_resp_p": "resp_p", "dst_port": "resp_p", "resp_p": "resp_p",
}
TUPLE_FIELDS = ("orig_h", "orig_p", "resp_h", "resp_p")

# Baselines whose expectation depends on a Zeek setting tcpstate has no
# equivalent of. They are listed (with the reason) but not counted.
EXCLUDED = {
    "chksums__localhost-bad-chksum.core.checksums_ignore_nets.conn-failed.log":
        "Zeek validated checksums here (no -C, net not in ignore_checksums_nets) and "
        "dropped the bad-checksum packets; the conn-worked baselines of the same trace "
        "are the ones that match a checksum-ignoring tracker",
}


def canon_addr(text):
    text = text.strip()
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return text.lower()


def canon_port(text):
    text = str(text).strip()
    if "/" in text:  # "80/tcp" in printed conn_ids
        text = text.split("/", 1)[0]
    try:
        return int(text)
    except ValueError:
        return None


# ---------------------------------------------------------------- index files


def read_tsv(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    header = lines[0].split("\t")
    return [dict(zip(header, l.split("\t"))) for l in lines[1:]]


def btest_name(baseline_path):
    # testing/btest/Baseline/<btest-name>/<file>
    parts = baseline_path.split("/")
    if "Baseline" in parts:
        i = parts.index("Baseline")
        if i + 1 < len(parts):
            return parts[i + 1]
    return ""


def load_manifest_options(corpus):
    """local_file -> {btest name: option text}."""
    out = {}
    path = os.path.join(corpus, "MANIFEST.tsv")
    if not os.path.exists(path):
        return out
    for row in read_tsv(path):
        notes = row.get("options_notes", "")
        per = {}
        for part in notes.split(" | "):
            name, sep, opts = part.partition(":")
            if sep:
                per[name.strip()] = opts.strip()
        out[row.get("local_file", "")] = per
    return out


# ---------------------------------------------------------------- Zeek side


class ZeekRow:
    """One expected connection. Tuple fields may be None (cut extracts)."""

    def __init__(self, fields, line_no):
        self.orig_h = canon_addr(fields["orig_h"]) if fields.get("orig_h") not in (None, "", "-") else None
        self.orig_p = canon_port(fields["orig_p"]) if fields.get("orig_p") not in (None, "", "-") else None
        self.resp_h = canon_addr(fields["resp_h"]) if fields.get("resp_h") not in (None, "", "-") else None
        self.resp_p = canon_port(fields["resp_p"]) if fields.get("resp_p") not in (None, "", "-") else None
        self.proto = fields.get("proto") or None
        cs = fields.get("conn_state")
        self.conn_state = cs if cs in CONN_STATES else None
        hist = fields.get("history")
        # "-" is Zeek's unset value: a TCP row with an empty history.
        self.history = None if hist is None else ("" if hist == "-" else hist)
        self.service = fields.get("service") or "-"
        self.uid = fields.get("uid")
        ts = fields.get("ts", "")
        try:
            self.ts = float(ts)
        except ValueError:
            self.ts = None  # masked as XXXXXXXXXX.XXXXXX in btest baselines
        self.line_no = line_no

    def tuple_known(self):
        return [f for f in TUPLE_FIELDS if getattr(self, f) is not None]

    def is_tcp(self):
        if self.proto:
            return self.proto == "tcp"
        # No proto column: TCP-only history letters settle it; otherwise a
        # row whose services are all UDP-only ones is taken as not TCP.
        if self.history and re.search(r"[SHhAaFfRrGgTtWwIiQq]", self.history.replace("^", "")):
            return True
        services = {x for x in self.service.split(",") if x and x != "-"}
        return not (services and services <= NON_TCP_SERVICES)

    def key(self):
        return (self.orig_h, self.orig_p, self.resp_h, self.resp_p)


def _unescape_sep(text):
    return text.encode().decode("unicode_escape") if "\\x" in text else text


def infer_headerless(tokens):
    """Guess the columns of a zeek-cut line printed without a header."""
    fields = {}
    for i in range(len(tokens) - 3):
        if _is_ip(tokens[i]) and tokens[i + 1].isdigit() and _is_ip(tokens[i + 2]) and tokens[i + 3].isdigit():
            fields.update(orig_h=tokens[i], orig_p=tokens[i + 1], resp_h=tokens[i + 2], resp_p=tokens[i + 3])
            break
    for t in tokens:
        if t in ("tcp", "udp", "icmp") and "proto" not in fields:
            fields["proto"] = t
        elif t in CONN_STATES and "conn_state" not in fields:
            fields["conn_state"] = t
        elif UID_RE.match(t) and "uid" not in fields:
            fields["uid"] = t
    for t in tokens:
        if t not in CONN_STATES and not UID_RE.match(t) and HISTORY_RE.match(t) and "history" not in fields:
            fields["history"] = t
    return fields


def _is_ip(text):
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def parse_zeek_log(path):
    """Rows of a conn.log: Zeek TSV, JSON lines, or a zeek-cut extract."""
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = [l.rstrip("\n") for l in f]
    lines = [l for l in raw if l and not l.startswith("###")]
    rows = []
    if any(l.startswith("#fields") for l in lines):
        sep, unset, empty, names = "\t", "-", "(empty)", None
        for n, line in enumerate(lines):
            if line.startswith("#separator"):
                sep = _unescape_sep(line.split(" ", 1)[1] if " " in line else "\\x09")
                continue
            if line.startswith("#"):
                parts = line.split(sep)
                if parts[0] == "#fields":
                    names = [FIELD_ALIASES.get(x, x) for x in parts[1:]]
                elif parts[0] == "#unset_field":
                    unset = parts[1]
                elif parts[0] == "#empty_field":
                    empty = parts[1]
                continue
            if names is None:
                continue
            vals = line.split(sep)
            fields = {}
            for k, v in zip(names, vals):
                if v == unset and k != "history":
                    v = None
                elif v == empty:
                    v = ""
                fields[k] = v
            rows.append(ZeekRow(fields, n))
        return rows
    if lines and lines[0].lstrip().startswith("{"):
        for n, line in enumerate(lines):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            flat = {}
            for k, v in obj.items():
                if isinstance(v, dict):  # {"id": {"orig_h": ...}}
                    for k2, v2 in v.items():
                        flat[FIELD_ALIASES.get(f"{k}.{k2}", f"{k}.{k2}")] = str(v2)
                else:
                    flat[FIELD_ALIASES.get(k, k)] = v if isinstance(v, str) else str(v)
            rows.append(ZeekRow(flat, n))
        return rows
    # zeek-cut extract: a header line of field names (zeek-cut -c style
    # without '#'), or no header at all, in which case columns are inferred.
    if not lines:
        return rows
    first = lines[0].split("\t")
    names = None
    if all(re.match(r"^[a-z_][a-z0-9_.]*$", t) for t in first) and not any(t in ("tcp", "udp", "icmp") for t in first):
        names = [FIELD_ALIASES.get(x, x) for x in first]
        body = lines[1:]
    else:
        body = lines
    for n, line in enumerate(body):
        toks = line.split("\t")
        fields = dict(zip(names, toks)) if names else infer_headerless(toks)
        for k in list(fields):
            if fields[k] == "-" and k != "history":
                fields[k] = None
        rows.append(ZeekRow(fields, n))
    return rows


CONN_ID_RE = re.compile(
    r"\[orig_h=([^,\]]+), orig_p=(\d+)/tcp, resp_h=([^,\]]+), resp_p=(\d+)/tcp[^\]]*\]")
ENDPOINT_RE = re.compile(r"^(?:\w+:, )?\[size=(\d+), state=(\d+),")


def zeek_conn_state(os_, rs, osize, rsize, history=""):
    """Zeek's conn_state from its two endpoint states (see docs/accuracy.md)."""
    o_inactive = os_ in (INACTIVE, PARTIAL)
    r_inactive = rs in (INACTIVE, PARTIAL)
    if rs == RESET:
        if os_ in (SYN_SENT, SYN_ACK_SENT) or (os_ == RESET and osize == 0 and rsize == 0):
            return "REJ"
        if o_inactive:
            return "RSTRH"
        return "RSTR"
    if os_ == RESET:
        if r_inactive:
            return "RSTOS0" if re.match(r"^\^?S[^HAFGIQ]*R.*", history) else "OTH"
        return "RSTO"
    if os_ == CLOSED and rs == CLOSED:
        return "SF"
    if os_ == CLOSED:
        return "SH" if r_inactive else "S2"
    if rs == CLOSED:
        return "SHR" if o_inactive else "S3"
    if os_ == SYN_SENT and rs == INACTIVE:
        return "S0"
    if os_ == ESTABLISHED and rs == ESTABLISHED:
        return "S1"
    return "OTH"


def parse_event_output(path, summary):
    """Rows from printed-event baselines that state a history or endpoint
    states. Returns None when the baseline carries neither."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("###")]
    # "history, conn_state" lines, one per trace; the summary names the line.
    m = re.search(r"line (\d+) = ", summary)
    if m and "conn_state" in summary:
        idx = int(m.group(1)) - 1
        if idx < len(lines):
            hist, _, cs = (p.strip() for p in lines[idx].partition(","))
            return [ZeekRow({"history": hist, "conn_state": cs, "proto": "tcp"}, idx)]
    rows = []
    # connection_state_remove / REMOVE lines with a conn_id and a history.
    for n, line in enumerate(lines):
        if not re.match(r"^(?:[\d.]+, )?(connection_state_remove|REMOVE:)", line):
            continue
        cid = CONN_ID_RE.search(line)
        if not cid:
            continue
        rest = line[cid.end():].split(",")
        hist = rest[1].strip() if len(rest) > 1 and HISTORY_RE.match(rest[1].strip()) else None
        rows.append(ZeekRow({"orig_h": cid.group(1), "orig_p": cid.group(2), "resp_h": cid.group(3),
                             "resp_p": cid.group(4), "proto": "tcp", "history": hist}, n))
    if rows:
        return rows
    # Printed endpoint records: orig then resp, optionally after a conn_id.
    eps = [(n, ENDPOINT_RE.match(l)) for n, l in enumerate(lines)]
    eps = [(n, m) for n, m in eps if m]
    if len(eps) == 2 and "endpoint-state" in summary:
        (n1, mo), (_, mr) = eps
        cs = zeek_conn_state(int(mo.group(2)), int(mr.group(2)), int(mo.group(1)), int(mr.group(1)))
        fields = {"proto": "tcp", "conn_state": cs}
        for line in lines[:n1]:
            cid = CONN_ID_RE.search(line)
            if cid:
                fields.update(orig_h=cid.group(1), orig_p=cid.group(2), resp_h=cid.group(3),
                              resp_p=cid.group(4))
        return [ZeekRow(fields, n1)]
    return None


# ---------------------------------------------------------------- our side


class OurConn:
    def __init__(self, obj, index):
        c, s = obj.get("client", {}), obj.get("server", {})
        self.c_addr = canon_addr(str(c.get("addr", "")))
        self.c_port = canon_port(c.get("port", ""))
        self.s_addr = canon_addr(str(s.get("addr", "")))
        self.s_port = canon_port(s.get("port", ""))
        self.conn_state = obj.get("conn_state")
        self.history = obj.get("history")
        self.mid_stream = obj.get("mid_stream")
        self.client_state = c.get("state")
        self.server_state = s.get("state")
        self.id = obj.get("id", index)
        self.first_seen = obj.get("first_seen")
        self.index = index

    def key(self):
        return (self.c_addr, self.c_port, self.s_addr, self.s_port)

    def flipped_key(self):
        return (self.s_addr, self.s_port, self.c_addr, self.c_port)

    def sort_key(self):
        fs = self.first_seen
        if isinstance(fs, (int, float)):
            return (0, float(fs), self.index)
        return (1, 0.0, self.index)  # ids are in first-packet order already


def tcpstate_help(binary):
    try:
        p = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10)
        return (p.stdout or "") + (p.stderr or "")
    except (OSError, subprocess.SubprocessError):
        return ""


def run_tcpstate(binary, pcap, extra, env, timeout):
    cmd = [binary, "--format", "json", "-r", pcap] + extra
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s", cmd
    except OSError as e:
        return None, f"cannot run: {e}", cmd
    if p.returncode != 0 and not p.stdout.strip():
        return None, f"exit {p.returncode}: {p.stderr.strip()[:300]}", cmd
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return None, f"output is not JSON ({e}); exit {p.returncode}", cmd
    conns = doc.get("connections") if isinstance(doc, dict) else None
    if conns is None:
        return [], "no 'connections' in the JSON output", cmd
    return [OurConn(o, i) for i, o in enumerate(conns)], None, cmd


# ---------------------------------------------------------------- matching


def match_rows(zrows, ours):
    """Pairs Zeek rows with our connections. Returns (pairs, unmatched_ours)
    where pairs is a list of (zeek_row, our_conn or None, how)."""
    used = set()
    result = {}
    by_key = collections.defaultdict(list)
    for o in sorted(ours, key=OurConn.sort_key):
        by_key[o.key()].append(o)

    def take(cands):
        for o in cands:
            if o.index not in used:
                used.add(o.index)
                return o
        return None

    # Full tuples: same orientation first, in time order on both sides
    # (Zeek's timestamps are masked, so its log order stands in for time).
    full = [z for z in zrows if len(z.tuple_known()) == 4]
    zsort = sorted(full, key=lambda z: (z.ts if z.ts is not None else 0.0, z.line_no))
    for z in zsort:
        o = take(by_key.get(z.key(), []))
        if o:
            result[id(z)] = (z, o, "direct")
    # Then the flipped tuple: a role disagreement.
    flipped = collections.defaultdict(list)
    for o in sorted(ours, key=OurConn.sort_key):
        flipped[o.flipped_key()].append(o)
    for z in zsort:
        if id(z) in result:
            continue
        o = take(flipped.get(z.key(), []))
        if o:
            result[id(z)] = (z, o, "flipped")
    # Partial tuples (cut extracts): match on the fields present.
    partial = [z for z in zrows if 0 < len(z.tuple_known()) < 4]
    for z in partial:
        for orient, how in ((OurConn.key, "partial"), (OurConn.flipped_key, "partial-flipped")):
            cands = []
            for o in sorted(ours, key=OurConn.sort_key):
                k = dict(zip(TUPLE_FIELDS, orient(o)))
                if all(k[f] == getattr(z, f) for f in z.tuple_known()):
                    cands.append(o)
            o = take(cands)
            if o:
                result[id(z)] = (z, o, how)
                break
    # No tuple at all: pair in order with what is left.
    bare = [z for z in zrows if not z.tuple_known()]
    rest = [o for o in sorted(ours, key=OurConn.sort_key)]
    for z in sorted(bare, key=lambda z: z.line_no):
        o = take(rest)
        if o:
            result[id(z)] = (z, o, "order")
    pairs = [result.get(id(z), (z, None, "missing")) for z in zrows]
    unmatched = [o for o in ours if o.index not in used]
    return pairs, unmatched


# ---------------------------------------------------------------- driver


def prepare_pcap(corpus, rel, tmpdir):
    src = os.path.join(corpus, rel)
    if not rel.endswith(".gz"):
        return src
    dst = os.path.join(tmpdir, os.path.basename(rel)[:-3])
    if not os.path.exists(dst):
        with gzip.open(src, "rb") as fin, open(dst, "wb") as fout:
            shutil.copyfileobj(fin, fout)
    return dst


def bpf_of(options):
    m = re.search(r"-f\s+'([^']+)'", options) or re.search(r'-f\s+"([^"]+)"', options)
    return m.group(1) if m else None


def apply_options(options, help_text, pcap, tmpdir):
    """Translates the Zeek options that matter into tcpstate flags (when
    tcpstate has them) or into a pre-filtered pcap. Returns (pcap, extra
    args, notes)."""
    extra, notes = [], []
    bpf = bpf_of(options)
    if bpf:
        if re.search(r"(^|\s)--filter\b", help_text):
            extra += ["--filter", bpf]
            notes.append(f"BPF '{bpf}' via --filter")
        elif shutil.which("tcpdump"):
            out = os.path.join(tmpdir, "bpf-" + os.path.basename(pcap))
            p = subprocess.run(["tcpdump", "-r", pcap, "-w", out, bpf], capture_output=True)
            if p.returncode == 0:
                pcap = out
                notes.append(f"BPF '{bpf}' applied with tcpdump")
            else:
                notes.append(f"BPF '{bpf}' NOT applied (tcpdump failed)")
        else:
            notes.append(f"BPF '{bpf}' NOT applied (no --filter, no tcpdump)")
    m = re.search(r"tcp_inactivity_timeout\s*=\s*(\d+)\s*sec", options)
    if m:
        if re.search(r"--idle-timeout\b", help_text):
            extra += ["--idle-timeout", m.group(1) + "s"]
            notes.append(f"--idle-timeout {m.group(1)}s")
        else:
            notes.append(f"tcp_inactivity_timeout={m.group(1)}s NOT applied")
    return pcap, extra, notes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tcpstate", required=True, help="path to the tcpstate binary (or a stand-in)")
    ap.add_argument("--corpus", required=True, help="the shared corpus directory")
    ap.add_argument("--min-agreement", type=float, default=95.0,
                    help="conn_state agreement %% needed to pass (default 95)")
    ap.add_argument("--only", help="run only pairs whose pcap, baseline or btest name contains this")
    ap.add_argument("--json-out", help="write per-row results here")
    ap.add_argument("--timeout", type=float, default=60.0, help="per tcpstate run, seconds")
    ap.add_argument("--self-test", action="store_true",
                    help="stand-in mode: one run per baseline (no caching); require 100%% on everything")
    ap.add_argument("--quiet", action="store_true", help="no per-pair lines")
    args = ap.parse_args()

    pairs_path = os.path.join(args.corpus, "ZEEK-PAIRS.tsv")
    if not os.path.exists(pairs_path):
        print(f"SKIPPED: corpus not found at {os.path.abspath(args.corpus)}")
        return 0
    if not (os.path.exists(args.tcpstate) and os.access(args.tcpstate, os.X_OK)):
        print(f"FAIL: tcpstate binary not found or not executable: {args.tcpstate}")
        return 1
    started = time.monotonic()
    manifest = load_manifest_options(args.corpus)
    help_text = tcpstate_help(args.tcpstate)
    pair_rows = read_tsv(pairs_path)

    tmpdir = tempfile.mkdtemp(prefix="zeek-conformance-")
    cache = {}
    per_row = []
    pair_results = []
    skipped = []
    excluded = []
    totals = collections.Counter()
    confusion = collections.Counter()
    confusion_examples = collections.defaultdict(list)
    try:
        for pr in pair_rows:
            rel_pcap, rel_exp = pr["local_pcap"], pr["local_expected"]
            name = os.path.basename(rel_exp)
            bt = btest_name(pr.get("baseline_path(zeek repo)", ""))
            if args.only and not any(args.only in s for s in (rel_pcap, rel_exp, bt)):
                continue
            if name in EXCLUDED:
                excluded.append((name, EXCLUDED[name]))
                continue
            exp_path = os.path.join(args.corpus, rel_exp)
            if not os.path.exists(exp_path) or not os.path.exists(os.path.join(args.corpus, rel_pcap)):
                skipped.append((name, "file missing from corpus"))
                continue
            if pr["kind"] == "conn.log":
                zrows = parse_zeek_log(exp_path)
                full_log = True
            else:
                zrows = parse_event_output(exp_path, pr.get("summary", ""))
                full_log = False
                if zrows is None:
                    skipped.append((name, "event output without history/conn_state"))
                    continue
            no_proto = any(z.proto is None for z in zrows)
            zrows = [z for z in zrows if z.is_tcp()]
            if args.self_test:
                _check_summary(name, bt, pr.get("summary", ""), zrows, no_proto, totals)
            if not zrows:
                skipped.append((name, "no TCP rows in baseline"))
                continue
            options = manifest.get(rel_pcap, {}).get(bt, "")
            pcap = prepare_pcap(args.corpus, rel_pcap, tmpdir)
            pcap, extra, notes = apply_options(options, help_text, pcap, tmpdir)
            env = dict(os.environ, ZEEK_CONFORMANCE_CORPUS=args.corpus,
                       ZEEK_CONFORMANCE_EXPECTED=exp_path, ZEEK_CONFORMANCE_KIND=pr["kind"],
                       ZEEK_CONFORMANCE_SUMMARY=pr.get("summary", ""))
            ckey = (pcap, tuple(extra), exp_path if args.self_test else None)
            if ckey not in cache:
                cache[ckey] = run_tcpstate(args.tcpstate, pcap, extra, env, args.timeout)
            ours, err, cmd = cache[ckey]
            if ours is None:
                ours = []
                notes.append("tcpstate failed: " + err)
            elif err:
                notes.append(err)
            matched, unmatched = match_rows(zrows, ours)

            pc = collections.Counter()
            for z, o, how in matched:
                rec = {
                    "pair": name, "pcap": rel_pcap, "btest": bt, "match": how,
                    "zeek": {"orig_h": z.orig_h, "orig_p": z.orig_p, "resp_h": z.resp_h, "resp_p": z.resp_p,
                             "conn_state": z.conn_state, "history": z.history},
                    "ours": None,
                }
                pc["rows"] += 1
                if o is None:
                    pc["missing_ours"] += 1
                    if z.conn_state:
                        pc["cs_missing"] += 1
                        confusion[(z.conn_state, "(missing)")] += 1
                        _example(confusion_examples, (z.conn_state, "(missing)"), name)
                    if z.history is not None:
                        pc["hist_missing"] += 1
                    per_row.append(rec)
                    continue
                rec["ours"] = {"client": [o.c_addr, o.c_port], "server": [o.s_addr, o.s_port],
                               "conn_state": o.conn_state, "history": o.history,
                               "client_state": o.client_state, "server_state": o.server_state,
                               "mid_stream": o.mid_stream}
                pc["matched"] += 1
                if how.endswith("flipped"):
                    pc["role_flipped"] += 1
                if z.conn_state:
                    pc["cs_compared"] += 1
                    ours_cs = o.conn_state or "(none)"
                    confusion[(z.conn_state, ours_cs)] += 1
                    _example(confusion_examples, (z.conn_state, ours_cs), name)
                    if ours_cs == z.conn_state:
                        pc["cs_equal"] += 1
                    rec["conn_state_equal"] = ours_cs == z.conn_state
                if z.history is not None:
                    pc["hist_compared"] += 1
                    if (o.history or "") == z.history:
                        pc["hist_equal"] += 1
                    rec["history_equal"] = (o.history or "") == z.history
                per_row.append(rec)
            if full_log:
                pc["extra_ours"] += len(unmatched)
                for o in unmatched:
                    per_row.append({"pair": name, "pcap": rel_pcap, "btest": bt, "match": "extra-ours",
                                    "zeek": None,
                                    "ours": {"client": [o.c_addr, o.c_port], "server": [o.s_addr, o.s_port],
                                             "conn_state": o.conn_state, "history": o.history}})
            totals.update(pc)
            totals["pairs"] += 1
            ok = (pc["cs_equal"] == pc["cs_compared"] and pc["hist_equal"] == pc["hist_compared"]
                  and not pc["missing_ours"] and not pc["extra_ours"] and not pc["role_flipped"])
            pair_results.append((name, ok, pc, notes))
            if not args.quiet:
                print(_pair_line(name, ok, pc, notes, matched))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    print()
    return _summary(args, totals, confusion, confusion_examples, pair_results, skipped, excluded,
                    per_row, time.monotonic() - started)


def _check_summary(name, bt, summary, zrows, no_proto, totals):
    """Self-test only: the row counts in ZEEK-PAIRS.tsv's summary were made
    independently of this parser; they must agree with what it read."""
    counts = set()
    for seg in summary.split(" | "):
        if seg.startswith(bt + ":"):
            m = re.search(r"tcp rows=(\d+)", seg)
            if m:
                counts.add(int(m.group(1)))
    if counts and len(zrows) not in counts:
        if no_proto:  # the summary counted every row of a proto-less extract
            print(f"note {name}: {len(zrows)} TCP rows by service/history, ZEEK-PAIRS counts "
                  f"{sorted(counts)} (no proto column)")
            return
        totals["summary_mismatch"] += 1
        print(f"SUMMARY MISMATCH {name}: parsed {len(zrows)} TCP rows, ZEEK-PAIRS says {sorted(counts)}")


def _example(store, key, name):
    short = name.split(".", 1)[0]
    if short not in store[key] and len(store[key]) < 3:
        store[key].append(short)


def _pair_line(name, ok, pc, notes, matched):
    parts = [f"{'ok  ' if ok else 'DIFF'} {name}: rows={pc['rows']}"]
    if pc["cs_compared"] or pc["cs_missing"]:
        parts.append(f"conn_state={pc['cs_equal']}/{pc['cs_compared'] + pc['cs_missing']}")
    if pc["hist_compared"] or pc["hist_missing"]:
        parts.append(f"history={pc['hist_equal']}/{pc['hist_compared'] + pc['hist_missing']}")
    for k in ("missing_ours", "extra_ours", "role_flipped"):
        if pc[k]:
            parts.append(f"{k}={pc[k]}")
    line = " ".join(parts)
    if not ok:
        diffs = []
        for z, o, how in matched:
            zs = f"{z.conn_state or '?'}/{z.history if z.history is not None else '?'}"
            os_ = "missing" if o is None else f"{o.conn_state}/{o.history}"
            if o is None or (z.conn_state and z.conn_state != o.conn_state) or \
               (z.history is not None and z.history != (o.history or "")) or how.endswith("flipped"):
                tup = f"{z.orig_h}:{z.orig_p}>{z.resp_h}:{z.resp_p}" if z.tuple_known() else "(no tuple)"
                diffs.append(f"      {tup} zeek={zs} ours={os_} [{how}]")
        if diffs:
            line += "\n" + "\n".join(diffs[:8]) + ("\n      ..." if len(diffs) > 8 else "")
    if notes:
        line += "\n      note: " + "; ".join(notes)
    return line


def _pct(a, b):
    return 100.0 * a / b if b else 0.0


def _summary(args, t, confusion, examples, pair_results, skipped, excluded, per_row, elapsed):
    cs_total = t["cs_compared"] + t["cs_missing"]
    cs_agree = _pct(t["cs_equal"], cs_total)
    hist_total = t["hist_compared"] + t["hist_missing"]
    print("== Zeek conformance summary ==")
    print(f"pairs compared: {t['pairs']} ({sum(1 for p in pair_results if p[1])} fully equal); "
          f"skipped: {len(skipped)}; excluded: {len(excluded)}; {elapsed:.1f}s")
    print(f"Zeek TCP rows: {t['rows']}; matched: {t['matched']} "
          f"(role disagreements, matched on the flipped tuple: {t['role_flipped']})")
    print(f"rows missing from tcpstate: {t['missing_ours']}; tcpstate connections absent from Zeek "
          f"(full conn.logs only): {t['extra_ours']}")
    print(f"conn_state equal: {t['cs_equal']}/{cs_total} = {cs_agree:.1f}% "
          f"(of matched rows: {t['cs_equal']}/{t['cs_compared']} = {_pct(t['cs_equal'], t['cs_compared']):.1f}%)")
    print(f"history equal:    {t['hist_equal']}/{hist_total} = {_pct(t['hist_equal'], hist_total):.1f}% "
          f"(of matched rows: {t['hist_equal']}/{t['hist_compared']} = "
          f"{_pct(t['hist_equal'], t['hist_compared']):.1f}%)")
    if confusion:
        print("\nconn_state confusion (zeek -> ours), disagreements first:")
        print(f"  {'zeek':7} {'ours':10} {'count':>5}  examples")
        for (z, o), n in sorted(confusion.items(), key=lambda kv: (kv[0][0] == kv[0][1], -kv[1], kv[0])):
            mark = "  " if z == o else "* "
            print(f"{mark}{z:7} {o:10} {n:5}  {', '.join(examples[(z, o)])}")
    if skipped:
        print("\nskipped (no comparable oracle):")
        for name, why in skipped:
            print(f"  {name}: {why}")
    if excluded:
        print("\nexcluded:")
        for name, why in excluded:
            print(f"  {name}: {why}")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump({"totals": dict(t), "rows": per_row,
                       "confusion": [{"zeek": z, "ours": o, "count": n, "examples": examples[(z, o)]}
                                     for (z, o), n in sorted(confusion.items())],
                       "skipped": skipped, "excluded": excluded}, f, indent=1)
        print(f"\nper-row results written to {args.json_out}")
    if args.self_test:
        perfect = (not t["summary_mismatch"] and t["cs_equal"] == cs_total and t["hist_equal"] == hist_total and not t["missing_ours"]
                   and not t["extra_ours"] and not t["role_flipped"] and t["rows"] > 0)
        print("\nSELF-TEST " + ("PASSED: 100% agreement" if perfect else "FAILED"))
        return 0 if perfect else 1
    if cs_total == 0:
        print(f"\nFAIL: no conn_state compared (is tcpstate producing connections?)")
        return 1
    verdict = cs_agree >= args.min_agreement
    print(f"\n{'PASS' if verdict else 'FAIL'}: conn_state agreement {cs_agree:.1f}% "
          f"(minimum {args.min_agreement:.1f}%)")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
