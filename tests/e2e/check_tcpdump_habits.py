#!/usr/bin/env python3
"""The habits of tcpdump and tshark users work.

usage: check_tcpdump_habits.py TCPSTATE SOURCE_DIR

- `-n`, `-nn`, `-nr FILE`, `-nnr FILE`: the same report as `-r FILE`;
- `-c 10` on a file: the summary says 10 packets (also with a filter:
  10 packets the filter kept);
- `-F FILE`: the same report as the filter on the command line; both at
  once is exit 2;
- compressed captures (gzip, several gzip members one after the other,
  zstd, xz; from a file and from standard input) give the same analysis
  as the plain one; cut short or damaged, exit 2 with the compression
  named and the report of what was read;
- the shell trap `--fail-on severity` names the fix.
"""

import gzip
import json
import lzma
import os
import pty
import shutil
import subprocess
import sys
import tempfile

from e2e_common import run

failures = []


def check(what, ok, detail=""):
    if not ok:
        failures.append("%s%s" % (what, (": " + detail) if detail else ""))


def on_terminal(args, env):
    """What `args` writes to a pseudo-terminal."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(args[0], args, env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out


def analysis(stdout):
    """The json report without the input names (they differ by file)."""
    doc = json.loads(stdout)
    for i in doc["inputs"]:
        i.pop("name")
        i.pop("bytes")  # captured bytes read: the same; file sizes not
    return doc


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tcpstate, src = sys.argv[1:]
    cap = os.path.join(src, "testdata", "captures", "close_wait_idle.pcap")
    big = os.path.join(src, "testdata", "flood", "syn_burst.pcap")
    tmp = tempfile.mkdtemp(prefix="tcpstate-habits-")
    try:
        want = run([tcpstate, "-r", cap])
        for flags in (["-n", "-r", cap], ["-nn", "-r", cap], ["-nr", cap],
                      ["-nnr", cap], ["-nr" + cap], ["-n", "-r" + cap]):
            got = run([tcpstate] + flags)
            check(" ".join(flags), got == want,
                  got[2].decode(errors="replace"))

        rc, out, err = run([tcpstate, "-r", big, "-c", "10", "--format",
                            "json"])
        check("-c 10", rc == 0 and json.loads(out)["summary"]["packets"] == 10,
              err.decode(errors="replace"))
        rc, out, _ = run([tcpstate, "-nc", "10", "-r", big, "--format",
                          "json"])
        check("-nc 10", rc == 0 and json.loads(out)["summary"]["packets"] == 10)
        rc, out, _ = run([tcpstate, "-r", big, "-c", "5", "--format", "json",
                          "tcp[13] & 2 != 0"])
        doc = json.loads(out) if rc == 0 else {}
        check("-c 5 with a filter", rc == 0 and
              doc["summary"]["packets"] == 5 and
              doc["summary"]["tcp_packets"] == 5)

        filt = os.path.join(tmp, "filter.bpf")
        with open(filt, "w") as f:
            f.write("tcp\n  and port 443\n")
        a = run([tcpstate, "-r", big, "--format", "json", "-F", filt])
        b = run([tcpstate, "-r", big, "--format", "json", "tcp and port 443"])
        check("-F FILE", a == b and a[0] == 0)
        rc, _, err = run([tcpstate, "-r", big, "-F", filt, "port", "80"])
        check("-F FILE and a filter", rc == 2 and b"not both" in err)

        plain = run([tcpstate, "-r", big, "--format", "json"])
        data = open(big, "rb").read()
        half = len(data) // 2
        made = {
            "gz": gzip.compress(data),
            "two.gz": gzip.compress(data[:half]) + gzip.compress(data[half:]),
            "xz": lzma.compress(data),
        }
        if shutil.which("zstd"):
            made["zst"] = subprocess.run(["zstd", "-q", "-c"], input=data,
                                         stdout=subprocess.PIPE,
                                         check=True).stdout
        else:
            print("zstd not installed: .zst checked no further")
        for ext, blob in made.items():
            path = os.path.join(tmp, "syn_burst.pcap." + ext)
            with open(path, "wb") as f:
                f.write(blob)
            got = run([tcpstate, "-r", path, "--format", "json"])
            check("." + ext, got[0] == 0 and
                  analysis(got[1]) == analysis(plain[1]),
                  got[2].decode(errors="replace"))
            p = subprocess.run([tcpstate, "-r", "-", "--format", "json"],
                               input=blob, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            check("." + ext + " on standard input", p.returncode == 0 and
                  analysis(p.stdout) == analysis(plain[1]),
                  p.stderr.decode(errors="replace"))
            cut = os.path.join(tmp, "cut." + ext)
            with open(cut, "wb") as f:
                f.write(blob[:len(blob) * 2 // 3])
            rc, out, err = run([tcpstate, "-r", cut, "--format", "json"])
            name = {"gz": b"gzip", "two.gz": b"gzip", "xz": b"xz",
                    "zst": b"zstd"}[ext]
            # What decoded before the cut is reported (zstd decodes whole
            # blocks of up to 128 KiB: maybe nothing of a small capture).
            check("." + ext + " cut short", rc == 2 and name in err and
                  (ext == "zst" or json.loads(out)["summary"]["packets"] > 0),
                  err.decode(errors="replace"))
        bad = bytearray(made["gz"])
        bad[len(bad) // 2] ^= 0xFF
        path = os.path.join(tmp, "bad.gz")
        open(path, "wb").write(bytes(bad))
        rc, out, err = run([tcpstate, "-r", path, "--format", "json"])
        check("a damaged .gz", rc == 2 and b"damaged gzip data" in err,
              err.decode(errors="replace"))

        rc, _, err = run([tcpstate, "-r", cap, "--fail-on", "severity"])
        check("the shell trap", rc == 2 and b"--fail-on-severity" in err)

        # Colours on a terminal, none with NO_COLOR (https://no-color.org).
        for no_color, want_escape in ((None, True), ("1", False)):
            env = dict(os.environ)
            env.pop("NO_COLOR", None)
            if no_color:
                env["NO_COLOR"] = no_color
            shown = on_terminal([tcpstate, "-r", cap, "--stuck-after", "1s"],
                                env)
            check("NO_COLOR=%s" % no_color, (b"\x1b[" in shown) == want_escape,
                  shown[:200].decode(errors="replace"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL", f)
    print("tcpdump habits: %d failures" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
