#!/usr/bin/env python3
"""A record's end reason agrees with its endpoints' states.

usage: check_end_reasons.py TCPSTATE SOURCE_DIR [CORPUS_DIR]

On every capture under testdata/captures and, with CORPUS_DIR, every
.pcap/.pcapng of the public corpus (skipped when absent), runs
`tcpstate --format jsonl` and requires of every connection record:
  - "closed" and "time_wait_expired": both endpoints CLOSED;
  - "reset": both endpoints CLOSED and an RST among its packets.
The flow table ends a connection on the states it keeps as segments
arrive, while the record replays the endpoints' events: a kept state that
missed a change (a SYN-ACK retransmitted after its sender looked given up
once wrote "closed" beside SYN_RECEIVED) breaks this.
"""

import glob
import json
import os
import subprocess
import sys

BOTH_CLOSED = ("closed", "time_wait_expired", "reset")


def captures(source_dir, corpus_dir):
    found = sorted(glob.glob(os.path.join(source_dir, "testdata", "captures",
                                          "**", "*.pcap*"), recursive=True))
    if corpus_dir and os.path.isdir(corpus_dir):
        for ext in ("*.pcap", "*.pcapng"):
            found += sorted(glob.glob(os.path.join(corpus_dir, "**", ext),
                                      recursive=True))
    else:
        print("corpus not found: checking testdata only")
    return found


def check(tcpstate, capture):
    p = subprocess.run([tcpstate, "--format", "jsonl", "--quiet", "-r",
                        capture], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=300)
    problems = []
    records = 0
    for line in p.stdout.decode(errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a damaged capture's error line, reported elsewhere
        if rec.get("type") != "connection":
            continue
        records += 1
        reason = rec["end_reason"]
        states = (rec["client"]["state"], rec["server"]["state"])
        if reason in BOTH_CLOSED and states != ("CLOSED", "CLOSED"):
            problems.append("%s: connection %d ends %r with states %s/%s" %
                            (capture, rec["id"], reason, *states))
        rsts = rec["client"]["rsts"] + rec["server"]["rsts"]
        if reason == "reset" and rsts == 0:
            problems.append("%s: connection %d ends 'reset' without an RST" %
                            (capture, rec["id"]))
    return records, problems


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    tcpstate, source_dir = sys.argv[1], sys.argv[2]
    corpus_dir = sys.argv[3] if len(sys.argv) == 4 else None
    files = captures(source_dir, corpus_dir)
    total = 0
    problems = []
    for capture in files:
        records, found = check(tcpstate, capture)
        total += records
        problems += found
    for p in problems:
        print("FAIL", p)
    print("%d captures, %d records, %d disagreements" %
          (len(files), total, len(problems)))
    if total == 0:
        print("FAIL: no records checked")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
