#!/usr/bin/env python3
"""The progress line: on a terminal only, never with --quiet, cleared.

usage: check_progress.py TCPSTATE CAPTURES_DIR

A run must last over a second before progress shows, so the capture is fed
through standard input slowly: the records of normal_close_client.pcap,
repeated to 1200, with a pause of 1.5 s half way. Standard error is then a
pseudo-terminal (progress expected: '\\r'-refreshed "tcpstate: ... MiB
read, N packets, ..." lines, cleared at the end), the same with --quiet
(nothing), and a pipe (nothing). The report on standard output is the
same in all three runs.
"""

import os
import pty
import struct
import subprocess
import sys
import threading
import time


def capture_bytes(source):
    with open(source, "rb") as f:
        data = f.read()
    header, records, off = data[:24], [], 24
    while off < len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        records.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    records = (records * (1200 // len(records) + 1))[:1200]
    return header, records


def run(tcpstate, header, records, quiet, terminal):
    args = [tcpstate, "-r", "-", "--format", "json"] + (["--quiet"] if quiet
                                                        else [])
    master = slave = None
    if terminal:
        master, slave = pty.openpty()
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=slave if terminal else subprocess.PIPE)
    if slave is not None:
        os.close(slave)
    chunks = []

    def drain():
        if terminal:
            while True:
                try:
                    b = os.read(master, 4096)
                except OSError:
                    break
                if not b:
                    break
                chunks.append(b)
        else:
            chunks.append(p.stderr.read())

    reader = threading.Thread(target=drain)
    reader.start()
    out_box = []
    out_reader = threading.Thread(target=lambda: out_box.append(p.stdout.read()))
    out_reader.start()
    half = len(records) // 2
    p.stdin.write(header + b"".join(records[:half]))
    p.stdin.flush()
    time.sleep(1.5)
    p.stdin.write(b"".join(records[half:]))
    p.stdin.close()
    rc = p.wait(timeout=60)
    out_reader.join()
    reader.join(timeout=5)
    if master is not None:
        os.close(master)
    return rc, out_box[0], b"".join(chunks).decode("utf-8", "replace")


def main():
    tcpstate, captures = sys.argv[1], sys.argv[2]
    header, records = capture_bytes(os.path.join(captures,
                                                 "normal_close_client.pcap"))
    failures = []
    rc, out_tty, err = run(tcpstate, header, records, False, True)
    if rc != 0 or "\rtcpstate: " not in err or "MiB read, " not in err:
        failures.append("terminal: no progress line (exit %d): %r" % (rc, err))
    elif not err.endswith("\r") or "\n" in err:
        failures.append("terminal: line not cleared at the end: %r" % err)
    else:
        last = err[:-1].rsplit("\r", 1)[1]
        if last.strip(" ") != "":
            failures.append("terminal: last write is not blanks: %r" % last)
    rc, out_quiet, err = run(tcpstate, header, records, True, True)
    if err:
        failures.append("--quiet on a terminal printed %r" % err)
    rc, out_pipe, err = run(tcpstate, header, records, False, False)
    if err:
        failures.append("a pipe got %r" % err)
    if not (out_tty == out_quiet == out_pipe) or not out_tty:
        failures.append("reports differ between the runs")
    for f in failures:
        print("FAIL", f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
