#!/usr/bin/env python3
"""How fast a big HTML report shows in a browser: writes the report of a
capture, then opens a copy of it in headless Chromium (Debian's
`chromium`) several times with a probe that records, from navigation start:

  first paint          first-contentful-paint (the summary is on screen)
  table ready          the connection table's script finished (body
                       data-ready=1): sortable, filterable, first page drawn
  whole page           DOMContentLoaded (every ladder parsed)

and prints the page size and the median of each.

usage: bench/html_paint.py TCPSTATE CAPTURE [--runs N] [-- TCPSTATE-ARGS...]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PROBE = """<script>
(function () {
  var ready = null;
  new MutationObserver(function () {
    if (ready === null && document.body &&
        document.body.getAttribute('data-ready') === '1') {
      ready = performance.now();
    }
  }).observe(document.documentElement,
             {attributes: true, subtree: true, attributeFilter: ['data-ready']});
  window.addEventListener('load', function () {
    setTimeout(function () {
      var out = {table_ready: ready};
      performance.getEntriesByType('paint').forEach(function (e) {
        out[e.name] = e.startTime;
      });
      var nav = performance.getEntriesByType('navigation')[0];
      out.whole_page = nav ? nav.domContentLoadedEventEnd : null;
      var pre = document.createElement('pre');
      pre.id = 'probe';
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    }, 0);
  });
})();
</script>
"""


def browser():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("chromium is not installed (apt-get install chromium)")


def measure(chromium, page):
    profile = tempfile.mkdtemp(prefix="tcpstate-paint-")
    try:
        proc = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--user-data-dir=" + profile,
             "--window-size=1280,900", "--dump-dom", "file://" + page],
            capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    found = re.search(rb'<pre id="probe">([^<]*)</pre>', proc.stdout)
    if not found:
        sys.exit("the probe did not run:\n" +
                 proc.stderr.decode("utf-8", "replace")[-2000:])
    return json.loads(found.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tcpstate")
    parser.add_argument("capture")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args()
    chromium = browser()
    work = tempfile.mkdtemp(prefix="tcpstate-paint-")
    try:
        page = os.path.join(work, "report.html")
        start = time.monotonic()
        subprocess.run([args.tcpstate, "-r", args.capture, "--format", "html",
                        "-o", page, *args.extra], check=True)
        written = time.monotonic() - start
        with open(page, encoding="utf-8") as f:
            text = f.read()
        rows = text.count("\n[")
        probed = os.path.join(work, "probed.html")
        with open(probed, "w", encoding="utf-8") as f:
            f.write(text.replace("<head>\n", "<head>\n" + PROBE, 1))
        runs = [measure(chromium, probed) for _ in range(args.runs)]
        print("capture        %s" % args.capture)
        print("connections    %d" % rows)
        print("page           %.1f MB (%d bytes), written in %.1f s"
              % (os.path.getsize(page) / 1e6, os.path.getsize(page), written))
        for key, name in (("first-contentful-paint", "first paint"),
                          ("table_ready", "table ready"),
                          ("whole_page", "whole page")):
            values = [r[key] / 1000 for r in runs if r.get(key) is not None]
            print("%-14s %.2f s (median of %d: %s)"
                  % (name, statistics.median(values), len(values),
                     ", ".join("%.2f" % v for v in values)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
