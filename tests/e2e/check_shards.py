#!/usr/bin/env python3
"""--shard K/N parts merged equal a single run, and mixed parts are refused.

usage: check_shards.py [--quick] TCPSTATE SOURCE_DIR

For every capture under SOURCE_DIR/testdata and every N from 1 to 5, runs
tcpstate --shard K/N for each K, merges the parts with `tcpstate merge`,
and requires the merge's standard output, standard error and exit code to
equal a single run's (--threads 1), byte for byte, in the formats json,
jsonl, zeek, csv and text (html on a few captures; the CI options
--fail-on and --junit on all). The SYN flood capture must show its
host-level finding (syn_flood), so the test cannot pass without one.

Then checks that parts which do not belong together exit 2 with a message
saying why: other inputs, another shard count, other options, another
tcpstate version or part format, a shard missing or given twice, a file
that is not a part, an unfinished or damaged part; and that options given
to the wrong step are refused.

--quick: N from 1 to 3 and the formats json and zeek only.
"""

import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from e2e_common import captures, run

FORMATS = ["json", "jsonl", "zeek", "csv", "text"]
COUNTS = [1, 2, 3, 4, 5]
HTML_EVERY = 10  # html on every tenth capture (it reads the inputs again)


def make_parts(tcpstate, capture, n, workdir, extra=(), unopened=False):
    """The parts' paths; with `unopened`, (exit, stderr) of a shard run
    that wrote no part (its input does not open)."""
    parts = []
    for k in range(n):
        part = os.path.join(workdir, "part%d_of_%d" % (k, n))
        if os.path.exists(part):
            os.remove(part)
        rc, _, err = run([tcpstate, "--quiet", "--shard", "%d/%d" % (k, n),
                          "-r", capture, "-o", part] + list(extra))
        if unopened and rc == 2 and not os.path.exists(part):
            return rc, err
        if rc not in (0, 2) or not os.path.exists(part):
            raise RuntimeError("%s --shard %d/%d: exit %d: %s" %
                               (capture, k, n, rc, err.decode(errors="replace")))
        parts.append(part)
    return parts


def single(tcpstate, capture, args, workdir):
    """A single run's exit, stdout, stderr and JUnit file."""
    junit = os.path.join(workdir, "single.xml")
    if os.path.exists(junit):
        os.remove(junit)
    got = run([tcpstate, "--quiet", "-r", capture, "--threads", "1",
               "--junit", junit] + args)
    xml = open(junit, "rb").read() if os.path.exists(junit) else None
    return got + (xml,)


def compare(tcpstate, capture, parts, n, args, want, workdir):
    """The merge of `parts` against a single run's `want`."""
    junit = os.path.join(workdir, "merge.xml")
    if os.path.exists(junit):
        os.remove(junit)
    got = run([tcpstate, "merge"] + parts + ["--quiet", "--junit", junit] +
              args)
    got += (open(junit, "rb").read() if os.path.exists(junit) else None,)
    what = [k for k, a, b in zip(("exit", "stdout", "stderr", "junit"),
                                 want, got) if a != b]
    if what:
        return ["%s N=%d %s: %s differ" % (capture, n, " ".join(args),
                                           ", ".join(what))]
    return []


def check_capture(tcpstate, capture, index, counts, formats):
    failures = []
    workdir = tempfile.mkdtemp(prefix="tcpstate-shards-")
    try:
        reports = []
        for fmt in formats:
            args = ["--format", fmt]
            if fmt == "json":
                args += ["--fail-on", "severity>=warning"]
            reports.append(args)
        if index % HTML_EVERY == 0 and len(formats) > 2:
            reports.append(["--format", "html"])
        wants = [single(tcpstate, capture, args, workdir) for args in reports]
        for n in counts:
            parts = make_parts(tcpstate, capture, n, workdir, unopened=True)
            if isinstance(parts, tuple):
                # The input does not open: the shard run says what a
                # single run says, and writes no part.
                if (wants[0][0], wants[0][2]) != (parts[0], parts[1]):
                    failures.append("%s --shard 0/%d: not the single run's "
                                    "error" % (capture, n))
                continue
            for args, want in zip(reports, wants):
                failures += compare(tcpstate, capture, parts, n, args, want,
                                    workdir)
    except RuntimeError as e:
        failures.append(str(e))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return failures


def expect_refused(failures, what, args, needle):
    rc, out, err = run(args)
    text = err.decode(errors="replace")
    if rc != 2 or needle not in text:
        failures.append("%s: want exit 2 and '%s', got exit %d: %s" %
                        (what, needle, rc, text.strip()))


def patched(src, dst, old, new):
    data = open(src, "rb").read()
    assert old in data, (src, old)
    open(dst, "wb").write(data.replace(old, new, 1))


def check_mixed(tcpstate, source_dir):
    failures = []
    caps = os.path.join(source_dir, "testdata", "captures")
    a, b = sorted(captures(caps))[:2]
    flood = os.path.join(source_dir, "testdata", "flood", "syn_burst.pcap")
    workdir = tempfile.mkdtemp(prefix="tcpstate-mixed-")
    try:
        os.mkdir(os.path.join(workdir, "a2"))
        a2 = make_parts(tcpstate, a, 2, os.path.join(workdir, "a2"))
        os.mkdir(os.path.join(workdir, "b2"))
        b2 = make_parts(tcpstate, b, 2, os.path.join(workdir, "b2"))
        os.mkdir(os.path.join(workdir, "a3"))
        a3 = make_parts(tcpstate, a, 3, os.path.join(workdir, "a3"))
        os.mkdir(os.path.join(workdir, "opt"))
        opt = make_parts(tcpstate, a, 2, os.path.join(workdir, "opt"),
                         ["--stuck-after", "7s"])
        merge = [tcpstate, "merge"]
        expect_refused(failures, "other inputs", merge + [a2[0], b2[1]],
                       "different inputs")
        expect_refused(failures, "other shard count", merge + [a2[0], a3[1]],
                       "different shard counts")
        expect_refused(failures, "other options", merge + [a2[0], opt[1]],
                       "different options")
        expect_refused(failures, "a shard missing", merge + [a2[0]],
                       "shard 1/2 is missing")
        expect_refused(failures, "a shard twice", merge + [a2[0], a2[0]],
                       "given twice")
        expect_refused(failures, "not a part", merge + [a, a2[1]],
                       "not a tcpstate part")
        version = os.path.join(workdir, "version")
        rc, out, _ = run([tcpstate, "--version"])
        v = out.decode().split()[-1].encode()
        other = b"9" * len(v) if v != b"9" * len(v) else b"8" * len(v)
        patched(a2[1], version, v, other)
        expect_refused(failures, "another version", merge + [a2[0], version],
                       "written by tcpstate")
        # Both parts of another version: not this tcpstate's to merge.
        version0 = os.path.join(workdir, "version0")
        patched(a2[0], version0, v, other)
        expect_refused(failures, "parts of another version",
                       merge + [version0, version], "and this is tcpstate")
        fmt = os.path.join(workdir, "format")
        patched(a2[1], fmt, b"TCPSTATE-PART\n\x02", b"TCPSTATE-PART\n\x07")
        expect_refused(failures, "another part format", merge + [a2[0], fmt],
                       "part format version 7")
        cut = os.path.join(workdir, "cut")
        data = open(a2[1], "rb").read()
        open(cut, "wb").write(data[:len(data) // 2])
        expect_refused(failures, "a part cut short", merge + [a2[0], cut],
                       "unfinished")
        bad = os.path.join(workdir, "bad")
        header_end = data.index(b"\x02", 40)  # the first finished entry
        damaged = bytearray(data)
        damaged[header_end + 1] = 0xFF  # its length: past the entries
        open(bad, "wb").write(bytes(damaged))
        expect_refused(failures, "a damaged part", merge + [a2[0], bad],
                       "damaged part at byte")
        expect_refused(failures, "--shard K >= N",
                       [tcpstate, "--shard", "2/2", "-r", a, "-o", cut],
                       "is not K/N")
        expect_refused(failures, "--format on a shard run",
                       [tcpstate, "--shard", "0/2", "--format", "json", "-r",
                        a, "-o", cut], "give it to `tcpstate merge")
        expect_refused(failures, "an analysis option on a merge",
                       merge + a2 + ["--stuck-after", "5s"],
                       "is not a merge option")
        expect_refused(failures, "a merge with no parts", merge, "no parts")
        # The flood's host-level finding survives the merge.
        os.mkdir(os.path.join(workdir, "flood"))
        fl = make_parts(tcpstate, flood, 3, os.path.join(workdir, "flood"))
        rc, out, _ = run(merge + fl + ["--format", "json"])
        if b'"kind":"syn_flood"' not in out.replace(b" ", b""):
            failures.append("the merged SYN flood lost its syn_flood finding")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return failures


def main():
    args = sys.argv[1:]
    counts, formats = COUNTS, FORMATS
    if args and args[0] == "--quick":
        counts, formats = [1, 2, 3], ["json", "zeek"]
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    tcpstate, source_dir = args
    found = captures(os.path.join(source_dir, "testdata"))
    if not found:
        sys.exit("no captures under %s/testdata" % source_dir)
    failures = check_mixed(tcpstate, source_dir)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for f in pool.map(lambda ic: check_capture(tcpstate, ic[1], ic[0],
                                                   counts, formats),
                          enumerate(found)):
            failures += f
    for f in failures:
        print("FAIL", f)
    print("%d captures, N = %s: %d failures" %
          (len(found), ",".join(map(str, counts)), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
