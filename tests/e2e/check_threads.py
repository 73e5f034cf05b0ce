#!/usr/bin/env python3
"""--threads never changes the output.

usage: check_threads.py [--formats F,F] [--skip DIR] [--quick]
                        TCPSTATE SOURCE_DIR [CORPUS_DIR]

For every capture under SOURCE_DIR/testdata and, when present, under
CORPUS_DIR (the shared public corpus; skipped with a message when absent),
runs tcpstate with --threads 1, 2, 3 and 4 and requires the same standard
output, standard error and exit code, byte for byte, in the formats json,
jsonl, zeek, csv and text (html and mermaid too on a few captures: they read
twice). A capture that fills the flow table is the documented exception
(eviction is decided per shard); the captures here do not.

--formats narrows the formats, --skip leaves out captures under
SOURCE_DIR/testdata/DIR (repeatable), --quick leaves out html and mermaid
(the ThreadSanitizer build uses these: it is slow).

Also checks that a run with --threads 2 does use threads: a shard's table
sees only its share of the flows, so a tiny --max-connections evicts
differently from --threads 1 on a capture with many connections.
"""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from e2e_common import captures

FORMATS = ["json", "jsonl", "zeek", "csv", "text"]
THREADS = ["2", "3", "4"]


def run(tcpstate, capture, args):
    p = subprocess.run([tcpstate, "-r", capture, "--quiet"] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    return p.returncode, p.stdout, p.stderr


def check_capture(tcpstate, capture, formats):
    failures = []
    for fmt in formats:
        extra = ["--format", fmt]
        if fmt == "mermaid":
            extra += ["--connection", "1"]
        want = run(tcpstate, capture, extra + ["--threads", "1"])
        for n in THREADS:
            got = run(tcpstate, capture, extra + ["--threads", n])
            if got != want:
                what = [k for k, a, b in zip(("exit", "stdout", "stderr"),
                                             want, got) if a != b]
                failures.append("%s --format %s --threads %s: %s differ" %
                                (capture, fmt, n, ", ".join(what)))
    return failures


def main():
    global FORMATS
    args = sys.argv[1:]
    skips = []
    quick = False
    while args and args[0].startswith("--"):
        if args[0] == "--formats" and len(args) > 1:
            FORMATS = args[1].split(",")
            args = args[2:]
        elif args[0] == "--skip" and len(args) > 1:
            skips.append(args[1])
            args = args[2:]
        elif args[0] == "--quick":
            quick = True
            args = args[1:]
        else:
            print(__doc__)
            return 2
    if len(args) not in (2, 3):
        print(__doc__)
        return 2
    tcpstate, source = args[0], args[1]
    testdata = os.path.join(source, "testdata")
    files = [f for f in captures(testdata)
             if not any(f.startswith(os.path.join(testdata, d) + os.sep)
                        for d in skips)]
    corpus = args[2] if len(args) == 3 else ""
    if corpus and os.path.isdir(corpus):
        files += captures(corpus)
    else:
        print("corpus: SKIPPED (%s is absent)" % (corpus or "not given"))
    if len(files) < 20:
        print("FAIL: only %d captures found" % len(files))
        return 1
    jobs = []
    for i, f in enumerate(files):
        # html and mermaid (two reads each) on every tenth capture.
        twice = ["html", "mermaid"] if i % 10 == 0 and not quick else []
        jobs.append((f, FORMATS + twice))
    failures = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for result in pool.map(lambda j: check_capture(tcpstate, *j), jobs):
            failures += result
    # The sharded path really runs: per-shard caps evict differently.
    flood = os.path.join(source, "testdata", "flood", "syn_burst.pcap")
    caps = ["--format", "jsonl", "--max-connections", "64"]
    one = run(tcpstate, flood, caps + ["--threads", "1"])
    two = run(tcpstate, flood, caps + ["--threads", "2"])
    if one[1] == two[1]:
        failures.append("%s: --threads 2 evicted exactly like --threads 1 "
                        "under --max-connections 64 (shards not used?)" % flood)
    for f in failures:
        print("FAIL:", f)
    print("%d captures, formats %s, threads 1 vs %s: %d failure(s)" %
          (len(files), ",".join(FORMATS), ",".join(THREADS), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
