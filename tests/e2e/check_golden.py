#!/usr/bin/env python3
"""End-to-end golden test: tcpstate's JSON, text, CSV and Zeek reports
(and Mermaid ladders of some connections, the HTML report of one capture)
for a set of real-kernel captures must equal the committed golden files
byte for byte, and two runs must give identical output (deterministic
reports).

usage: check_golden.py TCPSTATE CAPTURES_DIR GOLDEN_DIR
Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.

The HTML golden leaves out the inlined style sheet and scripts (see
without_inline_assets); the unit test tests/reports/html_report_test.cc
checks that the page inlines them.
"""
import os
import re
import subprocess
import sys

CAPTURES = [
    "normal_close_client", "server_never_closes", "fin_ack_lost_after_tap",
    "final_ack_lost_after_tap", "forged_rst_ignored", "simultaneous_close",
    "port_reuse", "mid_stream", "ipv6", "refused",
]
# The default flow-table cap is derived from sizeof(Connection) (see the
# docs/accuracy.md "Caps and eviction"); a memory cap far above need makes the
# reported cap the fixed --max-connections default, so the goldens do not
# change whenever that struct does.
STABLE_CAP = ["--max-memory", "1048576"]
FORMATS = {"json": ["--format", "json", *STABLE_CAP],
           "txt": ["--format", "text", *STABLE_CAP],
           "csv": ["--format", "csv"], "zeek.log": ["--format", "zeek"]}
# Mermaid ladders of one connection: a normal close, a lost ACK of a FIN
# (drawn as an arrow that stops short), a reset, a reused port.
MERMAID = {"normal_close_client": 1, "fin_ack_lost_after_tap": 1,
           "refused": 1, "port_reuse": 2}
# The HTML report is large: one capture is enough for its golden.
HTML_CAPTURES = ["fin_ack_lost_after_tap"]


# What is left inside each inlined asset of an HTML report; the same as
# kInlineAssetMarker in tests/reports/result_testutil.h.
INLINE_ASSET_MARKER = b"/* inline asset: checked apart from the golden file */"
# A <style> or <script> element written without attributes: the style sheet
# and scripts from reports/html_assets.cc and html_script.cc, not the JSON
# data island.
INLINE_ASSET = re.compile(rb"(<(style|script)>)(.*?)(</\2>)", re.DOTALL)


def without_inline_assets(html):
    """Returns `html` with the content of each inlined asset replaced by the
    marker, as WithoutInlineAssets in tests/reports/result_testutil.cc does
    (blank content is left as it is, so it differs from the golden), and
    the problems found: such a blank asset."""
    problems = []

    def strip(match):
        if not match.group(3).strip():
            problems.append("empty inline %s" % match.group(2).decode())
            return match.group(0)
        return (match.group(1) + b"\n" + INLINE_ASSET_MARKER + b"\n"
                + match.group(4))

    return INLINE_ASSET.sub(strip, html), problems


# The build's version (git describe: it changes with every commit) stands
# as this placeholder in the golden files.
VERSION_FIELD = re.compile(rb'("tcpstate_version": ?")[^"]*(")')


def without_version(out):
    return VERSION_FIELD.sub(rb"\1VERSION\2", out)


def run(binary, repo, rel_pcap, args):
    # A path relative to the repository, so the golden files hold no
    # checkout location.
    proc = subprocess.run([binary, *args, "-r", rel_pcap], capture_output=True,
                          cwd=repo)
    return proc.returncode, proc.stdout


def main():
    binary, captures, golden = sys.argv[1], sys.argv[2], sys.argv[3]
    update = os.environ.get("UPDATE_GOLDEN") == "1"
    passed = failed = 0
    binary = os.path.abspath(binary)
    captures = os.path.abspath(captures)
    repo = os.path.dirname(os.path.dirname(captures))
    for name in CAPTURES:
        rel = os.path.relpath(os.path.join(captures, name + ".pcap"), repo)
        formats = dict(FORMATS)
        if name in HTML_CAPTURES:
            formats["html"] = ["--format", "html", *STABLE_CAP]
        if name in MERMAID:
            formats["mmd"] = ["--format", "mermaid", "--connection",
                              str(MERMAID[name])]
        for ext, args in formats.items():
            rc1, out1 = run(binary, repo, rel, args)
            rc2, out2 = run(binary, repo, rel, args)
            path = os.path.join(golden, "%s.%s" % (name, ext))
            problems = []
            if rc1 != 0 or rc2 != 0:
                problems.append("exit codes %d/%d" % (rc1, rc2))
            if out1 != out2:
                problems.append("two runs differ (non-deterministic output)")
            out1 = without_version(out1)
            if ext == "html":
                out1, asset_problems = without_inline_assets(out1)
                problems.extend(asset_problems)
            if update and not problems:
                with open(path, "wb") as f:
                    f.write(out1)
            elif not os.path.exists(path):
                problems.append("no golden file %s (run with UPDATE_GOLDEN=1)"
                                % path)
            else:
                with open(path, "rb") as f:
                    want = f.read()
                if want != out1:
                    problems.append("differs from %s" % path)
            if problems:
                failed += 1
                print("FAIL %s.%s: %s" % (name, ext, "; ".join(problems)))
            else:
                passed += 1
                print("PASS %s.%s" % (name, ext))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
