#!/usr/bin/env python3
"""Hostile strings: every format renders them safely for that format.

usage: check_hostile.py TCPSTATE HOSTILE_DIR

HOSTILE_DIR holds one capture (testdata/hostile/generate.py) whose file
name carries markup, quotes, ';', '&', a backslash and a leading '=', and
whose damaged tail makes every report carry an error message naming it.
tcpstate is run with the bare file name (from inside HOSTILE_DIR), so the
name reaches the reports exactly as it is, '=' first. For each format:

  text     no control characters but LF; the name shown, "\\" doubled
  json     parses; inputs[0].name and the error hold the exact name; no
           raw '<' or '>' (escaped as \\u003c/\\u003e)
  jsonl    every line parses; the summary line names the input
  csv      RFC 4180 parse, one width; no text cell starts with = + - @
           TAB CR
  zeek     zeek-cut-style read (check_zeek_log.read_log) succeeds; only
           printable ASCII
  mermaid  strict grammar (check_mermaid.parse); the title decodes to the
           exact name; no raw markup, quote, '&' or '%'
  html     the name only as escaped text (& < > " ' as references), never
           raw; only the page's own three <script> elements; the data
           island without '<' (tests/browser also opens the page)

and on standard error one line, "tcpstate: NAME: record 10 at byte
offset N: ...", exit status 2 (the damage).
"""

import csv
import glob
import io
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_mermaid  # noqa: E402
import check_zeek_log  # noqa: E402

NUMERIC = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def main():
    tcpstate, directory = os.path.abspath(sys.argv[1]), sys.argv[2]
    pcaps = glob.glob(os.path.join(directory, "*.pcap"))
    if len(pcaps) != 1:
        print("FAIL expected one capture in %s, found %d" % (directory,
                                                             len(pcaps)))
        return 1
    name = os.path.basename(pcaps[0])
    # How the terminal (text report, stderr) shows it: '\' doubled.
    shown = name.replace("\\", "\\\\")
    failures = []

    def check(cond, fmt, what):
        if not cond:
            failures.append("%s: %s" % (fmt, what))

    def run(fmt, extra=()):
        p = subprocess.run([tcpstate, "--format", fmt, *extra, "-r", name],
                           capture_output=True, cwd=directory, timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        check(p.returncode == 2, fmt, "exit %d, expected 2" % p.returncode)
        lines = err.splitlines()
        check(len(lines) == 1 and lines[0].startswith("tcpstate: %s: record 10 "
                                                      % shown),
              fmt, "stderr %r" % err)
        check(not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", err), fmt,
              "control character on stderr")
        return p.stdout

    for ch in "<>\"';&\\=":
        check(ch in name, "setup", "file name lacks %r" % ch)

    out = run("text").decode("utf-8")
    check(not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", out), "text",
          "control characters")
    check(shown in out, "text", "name not shown")

    raw = run("json").decode("utf-8")
    doc = json.loads(raw)
    check(doc["inputs"][0]["name"] == name, "json", "inputs[0].name")
    check(name in (doc["error"] or ""), "json", "error lacks the name")
    check("<" not in raw and ">" not in raw, "json", "raw < or >")

    lines = run("jsonl").decode("utf-8").splitlines()
    objs = [json.loads(l) for l in lines]
    check(objs[-1]["type"] == "summary" and
          objs[-1]["inputs"][0]["name"] == name, "jsonl", "summary line")
    check(all("<" not in l for l in lines), "jsonl", "raw <")

    text = run("csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check(len(rows) == 2, "csv", "%d rows" % len(rows))
    check(len({len(r) for r in rows}) == 1, "csv", "ragged rows")
    for cell in rows[1]:
        if cell and not NUMERIC.match(cell):
            check(cell[0] not in "=+-@\t\r", "csv", "formula cell %r" % cell)

    try:
        header, zrows = check_zeek_log.read_log(run("zeek").decode("ascii"))
        check(len(zrows) == 1, "zeek", "%d rows" % len(zrows))
    except (ValueError, UnicodeDecodeError, KeyError) as e:
        failures.append("zeek: unreadable: %s" % e)

    mmd = run("mermaid", ["--connection", "1"]).decode("utf-8")
    try:
        d = check_mermaid.parse(mmd)
        check(d.title == "tcpstate connection 1 (%s)" % name, "mermaid",
              "title %r" % d.title)
    except ValueError as e:
        failures.append("mermaid: %s" % e)
    text_only = re.sub(r"^    (Client|Server)(->>|-x|-->>)", "", mmd,
                       flags=re.M)
    check(not re.search(r"[<>\"'&%\\]", text_only), "mermaid", "raw markup")

    page = run("html").decode("utf-8")
    escaped = (name.replace("&", "&amp;").replace("<", "&lt;")
               .replace(">", "&gt;").replace('"', "&quot;")
               .replace("'", "&#39;"))
    check(escaped in page, "html", "escaped name not shown")
    check(name not in page, "html", "raw name in the page")
    check(page.count("<script") == 3, "html",
          "%d <script> tags" % page.count("<script"))
    island = page.split('id="conn-data">', 1)[-1].split("</script>", 1)[0]
    check("<" not in island, "html", "raw < in the data island")

    for f in failures:
        print("FAIL", f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
