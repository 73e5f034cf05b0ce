#!/usr/bin/env python3
"""Round trips through the connection: tcpstate's per-direction RTT
(min/avg/max of its samples) against TShark's tcp.analysis.ack_rtt.

TShark sets ack_rtt on an ACK whose number is exactly the end of a segment
it remembers (tcp.analysis.acks_frame names that segment). Of those
samples this keeps, as tcpstate takes them, the ones whose acknowledged
frame carried data (no SYN, no bare FIN), was no keep-alive or zero-window
probe, and whose bytes no other frame of the same direction carried before
the ACK (Karn's rule: data sent twice gives no sample). Then, per
connection direction with samples on both sides, min, avg and max must
agree within 1%; every other difference is printed with its cause.

usage: ack_rtt_compare.py TCPSTATE CORPUS_DIR [--tsv OUT] [--quiet]
       ack_rtt_compare.py TCPSTATE --expected FILE   (no TShark: compare
                                                      with a saved TSV)
Writes the TShark side as TSV with --tsv (tests/conformance/ack_rtt.tsv
is such a file, so the test runs without TShark).
Exit 1 when a direction disagrees unexplained; 0 otherwise.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

FIELDS = ["frame.number", "frame.protocols", "frame.time_epoch", "tcp.stream",
          "ip.src",
          "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport",
          "tcp.seq_raw", "tcp.len", "tcp.ack_raw", "tcp.flags.syn",
          "tcp.flags.fin",
          "tcp.flags.reset", "tcp.analysis.ack_rtt", "tcp.analysis.acks_frame",
          "tcp.analysis.keep_alive", "tcp.analysis.zero_window_probe",
          "tcp.analysis.retransmission", "ip.id", "_ws.malformed", "ip.len",
          "ip.hdr_len", "ipv6.plen", "tcp.hdr_len"]
TOLERANCE = 0.01
# A copy of a frame (same IPv4 ID) this soon after it is a duplicate
# capture (SPAN ports, "-i any"), as tcpstate's duplicate rule sees it, not
# a retransmission.
DUPLICATE_WINDOW = 0.005
SLOTS = 6  # RttTracker::kSlots


def endpoint(addr, port):
    return ("[%s]:%s" % (addr, port)) if ":" in addr else "%s:%s" % (addr, port)


def tshark_samples(pcap):
    """{(sender, receiver): [rtt seconds, ...]} after Karn's rule."""
    cmd = ["tshark", "-n", "-r", pcap, "-Y", "tcp", "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=l"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    frames = {}
    order = []
    for line in out.splitlines():
        v = line.split("\t")
        if len(v) < len(FIELDS):
            continue
        r = dict(zip(FIELDS, v))
        # The innermost IP header carries the TCP segment (tunnels).
        protocols = r["frame.protocols"].split(":")
        v6 = "ipv6" in protocols and (
            "ip" not in protocols or
            max(i for i, p in enumerate(protocols) if p == "ipv6") >
            max(i for i, p in enumerate(protocols) if p == "ip"))
        src = r["ipv6.src"] if v6 else r["ip.src"]
        dst = r["ipv6.dst"] if v6 else r["ip.dst"]
        if not src or not r["tcp.seq_raw"]:
            continue
        n = int(r["frame.number"])
        frames[n] = {
            "t": float(r["frame.time_epoch"]), "stream": r["tcp.stream"],
            "src": endpoint(src, r["tcp.srcport"]),
            "dst": endpoint(dst, r["tcp.dstport"]),
            "seq": int(r["tcp.seq_raw"]), "len": int(r["tcp.len"] or 0),
            "ack": int(r["tcp.ack_raw"] or 0),
            "ip_id": r["ip.id"] if not v6 else None,
            "malformed": bool(r["_ws.malformed"]),
            "syn": r["tcp.flags.syn"] in ("1", "True"),
            "rst": r["tcp.flags.reset"] in ("1", "True"),
            "probe": bool(r["tcp.analysis.keep_alive"] or
                          r["tcp.analysis.zero_window_probe"]),
            # Set on TShark's fast and spurious retransmissions too.
            "resent": bool(r["tcp.analysis.retransmission"]),
            "rtt": float(r["tcp.analysis.ack_rtt"]) if r["tcp.analysis.ack_rtt"] else None,
            "acks": int(r["tcp.analysis.acks_frame"]) if r["tcp.analysis.acks_frame"] else None,
            "ip_len": ip_payload(r, v6),
        }
        order.append(n)
    # Data frames per direction, in capture order, for Karn's rule.
    sent = collections.defaultdict(list)
    for n in order:
        f = frames[n]
        if f["len"] > 0 and not f["rst"]:
            sent[(f["stream"], f["src"])].append(n)
    in_flight = max_in_flight(frames, order)
    # Segments TShark gave up on (e.g. an empty SACK option) before its
    # analysis, in either direction: it takes no sample from or of them.
    malformed = collections.Counter()
    for f in frames.values():
        if f["malformed"]:
            malformed[(f["src"], f["dst"])] += 1
            malformed[(f["dst"], f["src"])] += 1
    short = short_segments_acked(frames, order)
    samples = collections.defaultdict(list)
    for f in frames.values():  # every direction TShark decoded, sampled or not
        samples[(f["src"], f["dst"])]
    for n in order:
        f = frames[n]
        if f["acks"] not in frames:
            continue
        # TShark leaves ack_rtt out when it is zero (an ACK within the
        # timestamp's resolution of its data: a tap beside the receiver),
        # though acks_frame names the segment: a sample of 0.
        rtt = f["rtt"] if f["rtt"] is not None else 0.0
        a = frames[f["acks"]]
        # Karn's rule as TShark sees it: a segment it calls a
        # retransmission gives no sample (tcpstate's classifier likewise).
        if a["len"] == 0 or a["probe"] or a["rst"] or a["resent"]:
            continue
        begin = (a["seq"] + (1 if a["syn"] else 0)) % 2**32
        if repeated(frames, sent[(a["stream"], a["src"])], f["acks"], n,
                    begin, a["len"]):
            continue
        samples[(a["src"], a["dst"])].append(rtt)
    return samples, in_flight, malformed, short


def ip_payload(r, v6):
    """The TCP payload length the IP header states (None if unknown)."""
    try:
        tcp_header = int(r["tcp.hdr_len"])
        if v6:
            return int(r["ipv6.plen"]) - tcp_header
        return int(r["ip.len"]) - int(r["ip.hdr_len"]) - tcp_header
    except ValueError:
        return None


def short_segments_acked(frames, order):
    """{(sender, receiver): data frames that hold fewer bytes than their IP
    header states, whose peer acknowledged exactly the stated end}.

    TShark ends such a segment at the bytes present ("IPv4 total length
    exceeds packet length"); tcpstate at the IP length, which the peer's
    ACK proves was sent: they pair different ACKs and apply Karn's rule to
    different byte ranges."""
    acked = collections.defaultdict(set)  # (src, dst) -> ACK numbers seen
    for n in order:
        f = frames[n]
        acked[(f["src"], f["dst"])].add(f["ack"])
    short = collections.Counter()
    for n in order:
        f = frames[n]
        if f["ip_len"] is None or f["ip_len"] <= f["len"] or f["len"] == 0:
            continue
        end = (f["seq"] + f["ip_len"] + (1 if f["syn"] else 0)) % 2**32
        if end in acked[(f["dst"], f["src"])]:
            short[(f["src"], f["dst"])] += 1
    return short


def max_in_flight(frames, order):
    """{(sender, receiver): the most data segments unacknowledged at once}."""
    unacked = collections.defaultdict(list)  # (src, dst) -> [end, ...]
    most = collections.defaultdict(int)
    for n in order:
        f = frames[n]
        back = unacked[(f["dst"], f["src"])]
        back[:] = [e for e in back if (e - f.get("ack", 0)) % 2**32 < 2**31
                   and e != f.get("ack", 0)]
        if f["len"] > 0 and not f["rst"]:
            mine = unacked[(f["src"], f["dst"])]
            mine.append((f["seq"] + f["len"] + (1 if f["syn"] else 0)) % 2**32)
            most[(f["src"], f["dst"])] = max(most[(f["src"], f["dst"])],
                                             len(mine))
    return most


def repeated(frames, data_frames, acked, ack_frame, begin, length):
    """Whether another data frame of that direction, before the ACK, shares
    a byte with [begin, begin + length) (modulo 2^32)."""
    for n in data_frames:
        if n >= ack_frame:
            break
        if n == acked:
            continue
        g = frames[n]
        a = frames[acked]
        if (g["seq"] == a["seq"] and g["len"] == a["len"] and
                g["ip_id"] == a["ip_id"] and
                abs(g["t"] - a["t"]) <= DUPLICATE_WINDOW):
            continue  # the same packet captured twice, not sent twice
        b = (g["seq"] + (1 if g["syn"] else 0)) % 2**32
        d = (b - begin) % 2**32
        if d < length or (begin - b) % 2**32 < g["len"]:
            return True
    return False


def summarise(found):
    samples, in_flight, malformed, short = found
    return {k: (len(v), min(v) if v else 0, sum(v) / len(v) if v else 0,
                max(v) if v else 0, in_flight.get(k, 0), malformed.get(k, 0),
                short.get(k, 0))
            for k, v in samples.items()}


def tcpstate_rtts(binary, pcap):
    proc = subprocess.run([binary, "--format", "json", "-r", pcap],
                          capture_output=True, text=True)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        return {}
    out = {"backwards": report.get("summary", {}).get("timestamps_backwards", 0),
           "error": report.get("error") or ""}
    for c in report.get("connections", []):
        for side, peer in (("client", "server"), ("server", "client")):
            e, p = c[side], c[peer]
            rtt = e.get("rtt")
            if rtt:
                key = (endpoint(e["addr"], e["port"]), endpoint(p["addr"], p["port"]))
                old = out.get(key)
                if old:  # the same 4-tuple reused: pool the connections
                    n = old[0] + rtt["samples"]
                    out[key] = (n, min(old[1], rtt["min"]),
                                (old[2] * old[0] + rtt["avg"] * rtt["samples"]) / n,
                                max(old[3], rtt["max"]))
                else:
                    out[key] = (rtt["samples"], rtt["min"], rtt["avg"], rtt["max"])
    return out


def close(a, b):
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b)) or abs(a - b) < 1.5e-9


def corpus_pcaps(corpus):
    for root, _, files in sorted(os.walk(corpus)):
        for name in sorted(files):
            if name.endswith((".pcap", ".pcapng", ".cap")):
                path = os.path.join(root, name)
                if os.path.exists(path.rsplit(".", 1)[0] + ".tshark-tcp.tsv"):
                    yield path


def load_expected(path):
    expected = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            pcap, src, dst, n, lo, avg, hi, flight, bad, short = \
                line.rstrip("\n").split("\t")
            expected.setdefault(pcap, {})
            if src != "-":
                expected[pcap][(src, dst)] = (int(n), float(lo), float(avg),
                                              float(hi), int(flight), int(bad),
                                              int(short))
    return expected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tcpstate")
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--expected")
    ap.add_argument("--tsv")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--max-unexplained", type=int,
                    help="exit 0 with at most this many unexplained "
                    "differences (a ratchet while they are worked on)")
    args = ap.parse_args()
    if args.expected:
        expected = load_expected(args.expected)
        base = os.path.dirname(os.path.abspath(args.expected))
        corpus = os.path.normpath(os.path.join(base, "..", "..", "..", "shared",
                                               "corpus"))
        corpus = os.environ.get("TCPSTATE_CORPUS", corpus)
        if not os.path.isdir(corpus):
            print("SKIPPED: corpus not found at %s" % corpus)
            return 0
        runs = [(os.path.join(corpus, p), e) for p, e in sorted(expected.items())]
    else:
        runs = [(p, None) for p in corpus_pcaps(args.corpus)]
    rows = []
    agree = 0
    explained = collections.Counter()
    unexplained = []
    for pcap, theirs in runs:
        rel = os.path.relpath(pcap, args.corpus) if args.corpus else None
        if theirs is None:
            theirs = summarise(tshark_samples(pcap))
            for (src, dst), v in sorted(theirs.items()):
                rows.append("%s\t%s\t%s\t%d\t%.9f\t%.9f\t%.9f\t%d\t%d\t%d" %
                            ((rel, src, dst) + v))
            if not theirs:  # still compared: tcpstate must find none either
                rows.append("%s\t-\t-\t0\t0\t0\t0\t0\t0\t0" % rel)
        if not os.path.exists(pcap):
            print("SKIPPED %s: not in the corpus" % pcap)
            continue
        ours = tcpstate_rtts(args.tcpstate, pcap)
        backwards = ours.pop("backwards", 0)
        error = ours.pop("error", "")
        for key in sorted(set(theirs) | set(ours)):
            t, o = theirs.get(key), ours.get(key)
            label = "%s %s -> %s" % (os.path.basename(pcap), key[0], key[1])
            decoded = t is not None
            t = t if t and t[0] > 0 else None
            if not t and not o:
                continue  # neither has a sample
            why = explain(t, o, backwards, decoded, error)
            if t and o and all(close(a, b) for a, b in zip(t[1:4], o[1:4])):
                agree += 1
                if not args.quiet:
                    print("AGREE %s: n %d/%d min %.6f avg %.6f max %.6f" %
                          (label, t[0], o[0], o[1], o[2], o[3]))
                continue
            text = describe(t, o)
            if why:
                explained[why] += 1
                print("EXPLAINED (%s) %s: %s" % (why, label, text))
            else:
                unexplained.append("%s: %s" % (label, text))
    if args.tsv:
        with open(args.tsv, "w") as f:
            f.write("# TShark %s tcp.analysis.ack_rtt per direction, Karn's "
                    "rule applied (tests/conformance/ack_rtt_compare.py)\n"
                    "# pcap\tsender\treceiver\tsamples\tmin\tavg\tmax\t"
                    "max_segments_in_flight\tmalformed_acks\t"
                    "short_segments_acked\n"
                    % tshark_version())
            f.write("\n".join(rows) + "\n")
    for u in unexplained:
        print("DIFFER " + u)
    print("%d directions agree within 1%%; %d differ for a known reason (%s); "
          "%d differ unexplained" %
          (agree, sum(explained.values()),
           ", ".join("%s %d" % kv for kv in sorted(explained.items())),
           len(unexplained)))
    if args.max_unexplained is not None:
        return 1 if len(unexplained) > args.max_unexplained else 0
    return 1 if unexplained else 0


def describe(t, o):
    side = lambda who, v: ("%s none" % who if not v else
                           "%s n=%d min %.9f avg %.9f max %.9f" %
                           ((who,) + tuple(v[:4])))
    return "%s; %s" % (side("TShark", t), side("tcpstate", o))


def explain(t, o, backwards, decoded, error):
    """The known reason a direction differs, or None."""
    if t and not o and error:
        # libpcap stops where TShark reads on, e.g. a pcapng whose second
        # interface has another link type.
        return "tcpstate stopped reading the capture"
    if o and not decoded:
        # TShark never decoded a TCP segment of this direction (a tunnel it
        # does not follow, e.g. Teredo past its first packets).
        return "TShark did not decode this TCP"
    if backwards:
        # tcpstate keeps capture time monotonic (a packet stamped before its
        # predecessor takes the predecessor's time); TShark subtracts the
        # raw stamps.
        return "timestamps went backwards"
    if t and o and t[5] > 0 and t[0] < o[0] <= t[0] + t[5]:
        # TShark stops dissecting a malformed segment (e.g. an empty SACK
        # option) before its analysis: no sample from or of it.
        return "TShark skipped malformed segments"
    if t and o and t[6] > 0:
        # Frames shorter than their IP length, acknowledged to the IP
        # length: TShark ends them at the bytes present, tcpstate at the
        # IP length (short_segments_acked).
        return "segments shorter than their IP length"
    if t and o and t[4] > SLOTS and o[0] < t[0] and \
            o[1] >= t[1] * (1 - TOLERANCE) and o[3] <= t[3] * (1 + TOLERANCE):
        # RttTracker times at most 8 segments in flight: a subset of
        # TShark's samples, within their range.
        return "more than %d segments in flight" % SLOTS
    return None


def tshark_version():
    out = subprocess.run(["tshark", "--version"], capture_output=True,
                         text=True).stdout
    found = re.search(r"\d+\.\d+\.\d+", out)
    return found.group(0) if found else "unknown"


if __name__ == "__main__":
    sys.exit(main())
