#!/usr/bin/env python3
"""Issue 3 on the public corpus: the cases the corpus README lists for stuck
CLOSE_WAIT and LAST_ACK, RST teardown and injection, SYN floods,
retransmissions and gaps must be flagged as their oracles say.

usage: corpus_anomalies.py --tcpstate BIN --corpus DIR
Each case names its oracle (Suricata's expected EVE fields or events, Zeek's
baseline) and what tcpstate must report; known differences from an oracle
are asserted as tcpstate's own (more precise) answer and explained.
"""
import argparse
import json
import os
import subprocess
import sys

# (pcap, args, oracle, checks). A check is one of:
#   ("conn", kind, endpoint, min_count)  anomaly on some connection
#   ("absent", kind)                      on no connection
#   ("host", kind, addr)                  host-level anomaly
#   ("state", server_port, client_state, server_state)
#   ("bytes", server_port, side, value)   payload bytes by sequence space
CASES = [
    ("suricata-verify/bug-814.pcap", ["--stuck-after", "0s"],
     "Suricata tcp.state close_wait (server never closed)",
     [("conn", "close_wait_stuck", "server", 1),
      ("state", 80, "FIN_WAIT_2", "CLOSE_WAIT")]),
    # Suricata names this last_ack; the server's FIN (pkt 19) does not ACK
    # the client's FIN (pkt 18), so the server sent it before processing
    # the client's: RFC 9293 says FIN_WAIT_1 -> CLOSING, not LAST_ACK.
    ("suricata-verify/bug-2646-01.pcap", [],
     "Suricata tcp.state last_ack: server FIN sent 9 times, never ACKed",
     [("conn", "fin_wait_1_stuck", "server", 10),
      ("state", 443, "FIN_WAIT_2", "CLOSING")]),
    ("suricata-verify/security-4710-01.pcap", [],
     "Suricata stream-event suspected_rst_inject x1",
     [("conn", "rst_ignored", "client", 1)]),
    ("suricata-verify/security-4710-02.pcap", [],
     "Suricata stream-event suspected_rst_inject",
     [("conn", "rst_ignored", "client", 1)]),
    ("zeek/tcp__rst-inject-rae.pcap", [],
     "Zeek rst-after-syn: injected RSTs the stack did not act on",
     [("conn", "rst_ignored", "server", 1)]),
    ("stopddos/pkt.TCP.synflood.spoofed.pcap", [],
     "spoofed SYN flood sample",
     [("host", "syn_flood", "10.10.10.10"),
      ("conn", "syn_unanswered", "client", 1)]),
    ("zeek/tcp__ssh-dups.pcap", [],
     "Zeek ssh-dups: the same packets captured twice",
     [("conn", "duplicate_packet", "client", 100),
      ("absent", "retransmission")]),
    ("zeek/tcp__retransmit-fast009.pcap", [],
     "Zeek rxmit-history: responder retransmissions ('t' in ShADaGdgtR)",
     [("conn", "fast_retransmission", "server", 1),
      ("conn", "retransmission", "server", 1)]),
    ("zeek/tcp__miss_end_data.pcap", [],
     "Zeek miss-end-data: a content gap in the responder's data",
     [("conn", "lost_segment", "server", 1)]),
    ("zeek/ftp__bigtransfer.pcap", [],
     "Zeek conn.log resp_bytes 5416666670 (5.4 GB: 2^32 wraps)",
     [("bytes", 37150, "server", 5416666670)]),
]


def run(binary, pcap, args):
    proc = subprocess.run([binary, "--format", "json", *args, "-r", pcap],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("exit %d: %s" % (proc.returncode, proc.stderr))
    return json.loads(proc.stdout)


def check(doc, c):
    conns = doc["connections"]
    if c[0] == "conn":
        _, kind, endpoint, min_count = c
        got = sum(a["count"] for x in conns for a in x["anomalies"]
                  if a["kind"] == kind and a["endpoint"] == endpoint)
        return got >= min_count, "%s on %s: %d (want >= %d)" % (
            kind, endpoint, got, min_count)
    if c[0] == "absent":
        got = sum(a["count"] for x in conns for a in x["anomalies"]
                  if a["kind"] == c[1])
        return got == 0, "%s absent: %d" % (c[1], got)
    if c[0] == "host":
        ok = any(a["kind"] == c[1] and a["endpoint"] == c[2]
                 for a in doc["anomalies"])
        return ok, "host %s on %s" % (c[1], c[2])
    if c[0] == "state":
        _, port, cs, ss = c
        got = [(x["client"]["state"], x["server"]["state"]) for x in conns
               if x["server"]["port"] == port]
        return got[-1:] == [(cs, ss)], "states on port %d: %s (want %s/%s)" % (
            port, got, cs, ss)
    if c[0] == "bytes":
        _, port, side, value = c
        got = [x[side]["bytes"] for x in conns if x["server"]["port"] == port]
        return got == [value], "%s bytes on port %d: %s (want %d)" % (
            side, port, got, value)
    raise ValueError(c)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tcpstate", required=True)
    ap.add_argument("--corpus", required=True)
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        print("SKIPPED: corpus not found at %s" % a.corpus)
        return 0
    passed = failed = 0
    for pcap, args, oracle, checks in CASES:
        path = os.path.join(a.corpus, pcap)
        try:
            doc = run(a.tcpstate, path, args)
            results = [check(doc, c) for c in checks]
        except Exception as e:  # a crash or bad output fails the case
            results = [(False, "tcpstate failed: %s" % e)]
        for ok, what in results:
            print("%s %s (%s): %s" % ("PASS" if ok else "FAIL", pcap, oracle,
                                      what))
            passed += ok
            failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
