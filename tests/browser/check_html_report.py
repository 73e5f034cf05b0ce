#!/usr/bin/env python3
"""Browser test of the HTML report: headless Chromium renders the report of
real captures, and the DOM after the page's scripts ran must hold the
connections of the JSON report of the same capture, ladders with one arrow
per segment and the endpoints' states, no script error, and nothing a
hostile file name could inject. Also takes a screenshot and checks it is a
real picture.

usage: check_html_report.py TCPSTATE REPO_DIR

Chromium comes from Debian's `chromium` package: when it is missing the test
installs it (apt-get, as root); if that fails the test FAILS. Set
TCPSTATE_BROWSER_TESTS=0 to skip it on a machine without a browser.
"""
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

CAPTURES = ["port_reuse", "fin_ack_lost_after_tap"]
# No '/' (it cannot be in a file name); an unescaped "<script>" would eat the
# rest of the page and "<img ... onerror>" would run.
HOSTILE_NAME = "x\"'><script>alert(1);<img src=x onerror=alert(2)>;.pcap"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
PAGE_SCRIPTS = 3  # error trap, data island, table script

failures = []
passes = []


def check(ok, what):
    if ok:
        print("PASS " + what)
        passes.append(what)
    else:
        print("FAIL " + what)
        failures.append(what)
    return ok


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


class DomBuilder(html.parser.HTMLParser):
    """The serialised DOM (Chromium's --dump-dom) as a tree of Nodes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.text += data


def parse_dom(text):
    builder = DomBuilder()
    builder.feed(text)
    return builder.root


def by_id(root, ident):
    for n in root.walk():
        if n.attrs.get("id") == ident:
            return n
    return None


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium():
    path = find_chromium()
    if path:
        return path
    print("chromium missing: installing Debian's chromium package")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                 "chromium"],
                ["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                 "chromium"]):
        subprocess.run(sudo + cmd, env=env, stdout=subprocess.DEVNULL)
        path = find_chromium()
        if path:
            return path
    return None


def chromium(browser, page, extra, query=""):
    profile = tempfile.mkdtemp(prefix="tcpstate-chromium-")
    try:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync",
               "--user-data-dir=" + profile, "--virtual-time-budget=5000",
               *extra, "file://" + page + query]
        return subprocess.run(cmd, capture_output=True, timeout=60)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(browser, page, query=""):
    proc = chromium(browser, page, ["--dump-dom"], query)
    if proc.returncode != 0:
        print(proc.stderr.decode("utf-8", "replace")[-2000:])
    return proc.stdout.decode("utf-8")


def png_is_picture(path):
    """A valid PNG whose pixels are not all one colour."""
    if not os.path.exists(path) or os.path.getsize(path) < 2000:
        return False
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    pos, idat = 8, b""
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(idat)
    return len(set(pixels)) > 16


def run_tcpstate(binary, args):
    return subprocess.run([binary, *args], capture_output=True)


def page_health(dom, label):
    body = next((n for n in dom.walk() if n.tag == "body"), None)
    check(body is not None and body.attrs.get("data-ready") == "1",
          label + ": scripts finished (body data-ready=1)")
    errors = by_id(dom, "js-errors")
    check(errors is not None and errors.all_text().strip() == "",
          label + ": no script errors (#js-errors empty: %r)"
          % (errors.all_text().strip() if errors else None))
    scripts = [n for n in dom.walk() if n.tag == "script"]
    check(len(scripts) == PAGE_SCRIPTS,
          label + ": only the page's own %d scripts (found %d)"
          % (PAGE_SCRIPTS, len(scripts)))


def expected_segments(conn):
    ladder = conn.get("ladder")
    if isinstance(ladder, dict) and "segments" in ladder:
        return len(ladder["segments"])
    return conn["client"]["packets"] + conn["server"]["packets"]


def check_table(dom, report, label):
    rows = {}
    table = by_id(dom, "conn-table")
    for tr in (table.walk() if table else []):
        if tr.tag == "tr" and "data-conn" in tr.attrs:
            cells = [td for td in tr.children if td.tag == "td"]
            rows[int(tr.attrs["data-conn"])] = [
                td.all_text() for td in cells] + [
                [s.all_text() for s in cells[-1].children if s.tag == "span"]]
    for conn in report["connections"]:
        cid = conn["id"]
        cells = rows.get(cid)
        if not check(cells is not None, "%s: connection %d in the table"
                     % (label, cid)):
            continue
        client = "%s:%d" % (conn["client"]["addr"], conn["client"]["port"])
        server = "%s:%d" % (conn["server"]["addr"], conn["server"]["port"])
        check(cells[1:5] == [client, server, conn["client"]["state"],
                             conn["server"]["state"]],
              "%s: row %d shows %s -> %s, %s/%s (got %r)"
              % (label, cid, client, server, conn["client"]["state"],
                 conn["server"]["state"], cells[1:5]))
        kinds = sorted("%s (%s)" % (a["kind"], a["endpoint"])
                       if a["endpoint"] else a["kind"]
                       for a in conn["anomalies"])
        check(sorted(cells[-1]) == kinds,
              "%s: row %d lists anomalies %r (got %r)"
              % (label, cid, kinds, cells[-1]))


def check_ladders(dom, report, label):
    for conn in report["connections"]:
        cid = conn["id"]
        svg = by_id(dom, "ladder-%d" % cid)
        if not check(svg is not None, "%s: ladder of connection %d" % (label, cid)):
            continue
        arrows = [n for n in svg.walk() if n.tag == "g" and "seg" in n.classes()]
        want = expected_segments(conn)
        check(len(arrows) == want, "%s: ladder %d has %d arrows (got %d)"
              % (label, cid, want, len(arrows)))
        for side in ("client", "server"):
            states = [n.all_text().split("at packet")[0] for n in svg.walk()
                      if n.tag == "g" and n.classes() == ["state", side]]
            labels = [n.all_text() for n in svg.walk() if n.tag == "text"
                      and n.parent.tag == "g" and n.parent.classes() == ["state", side]]
            want_states = [c["state"] for c in conn[side]["timeline"]]
            check(labels == want_states and len(states) == len(want_states),
                  "%s: ladder %d %s states %r (got %r)"
                  % (label, cid, side, want_states, labels))


def table_ids(dom):
    table = by_id(dom, "conn-table")
    return [int(n.attrs["data-conn"]) for n in (table.walk() if table else [])
            if n.tag == "tr" and "data-conn" in n.attrs]


# Sorting and filtering, driven by the page's query string: port_reuse has
# connection 1 (CLOSED/CLOSED, 0.19 ms, no anomaly) and connection 2
# (ESTABLISHED, 42 ms, port_reuse), both 198.18.0.1 -> 198.18.0.2:8000.
VIEWS = [
    ("?sort=id&desc=1", [2, 1]),
    ("?sort=duration", [1, 2]),
    ("?sort=duration&desc=1", [2, 1]),
    ("?state=c:CLOSED&port=8000", [1]),
    ("?state=s:ESTABLISHED", [2]),
    ("?anomaly=port_reuse&addr=198.18.0.2", [2]),
    ("?anomaly=-", [1]),
    ("?port=40001", []),
]


def check_views(browser, page, label):
    for query, want in VIEWS:
        dom = parse_dom(dump_dom(browser, page, query))
        got = table_ids(dom)
        check(got == want, "%s%s: table rows %r (got %r)"
              % (label, query, want, got))
    errors = by_id(dom, "js-errors")
    check(errors is not None and errors.all_text().strip() == "",
          label + ": no script errors after filtering")


# Injected into a copy of a report (never into the report itself): measures
# the rendered page and writes what it found into <pre id="probe"> as JSON.
# With "#print" in the URL it first applies the report's @media print rules
# to the screen, so the window stands for a printed page.
PROBE = r"""<script>
window.addEventListener('load', function () {
  function rect(r) { return {x: r.left, y: r.top, w: r.width, h: r.height}; }
  function box(e) { var b = e.getBBox(); return {x: b.x, y: b.y, w: b.width, h: b.height}; }
  if (location.hash === '#print') {
    var css = '';
    Array.prototype.forEach.call(document.styleSheets, function (sheet) {
      Array.prototype.forEach.call(sheet.cssRules, function (rule) {
        if (rule.media && rule.media.mediaText === 'print') {
          Array.prototype.forEach.call(rule.cssRules, function (inner) {
            css += inner.cssText + '\n';
          });
        }
      });
    });
    var style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);
  }
  var out = {viewport: {w: window.innerWidth, h: window.innerHeight},
             ladders: [], ticks: [], segs: []};
  document.querySelectorAll('svg.ladder').forEach(function (svg) {
    var clipped = false;
    for (var e = svg.parentElement; e; e = e.parentElement) {
      var o = getComputedStyle(e);
      if (o.overflowX !== 'visible' || o.overflowY !== 'visible') { clipped = true; }
    }
    out.ladders.push({id: svg.id, rect: rect(svg.getBoundingClientRect()),
                      clipped: clipped});
  });
  document.querySelectorAll('svg .tick-x').forEach(function (t) {
    var svg = t.ownerSVGElement;
    out.ticks.push({text: t.textContent, box: box(t),
                    width: svg.viewBox.baseVal.width});
  });
  document.querySelectorAll('svg.ladder g.seg').forEach(function (g) {
    var line = g.querySelector('line');
    var seg = {svg: g.ownerSVGElement.id, packet: g.getAttribute('data-packet'),
               y1: line.y1.baseVal.value, y2: line.y2.baseVal.value,
               x1: line.x1.baseVal.value, x2: line.x2.baseVal.value,
               lbl: box(g.querySelector('.lbl'))};
    var kinds = g.querySelector('.kinds');
    if (kinds) { seg.kinds = box(kinds); }
    var cross = g.querySelector('.x');
    if (cross) { seg.cross = box(cross); }
    out.segs.push(seg);
  });
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""

TICK = re.compile(r"^\+(0|\d+(\.\d+)?(µs|ms|s)|(\d+[dhm])+(\d+(\.\d+)?s)?)$")


def probe(browser, page, work, size, fragment=""):
    with open(page, encoding="utf-8") as f:
        text = f.read()
    copy = os.path.join(work, "probe-" + os.path.basename(page))
    with open(copy, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", PROBE + "</body>"))
    proc = chromium(browser, copy, ["--dump-dom", "--window-size=" + size],
                    fragment)
    dom = parse_dom(proc.stdout.decode("utf-8"))
    node = by_id(dom, "probe")
    return json.loads(node.all_text()) if node else None


def overlap(a, b):
    return (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and
            a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])


def check_geometry(browser, page, work, label):
    """Ladders whole (no scroll box; within the page when printed), labels
    on their arrows and clear of each other, round time ticks."""
    screen = probe(browser, page, work, "1280,900")
    if not check(screen is not None, label + ": probe ran on screen"):
        return
    check(len(screen["ladders"]) > 0, label + ": ladders drawn")
    for lad in screen["ladders"]:
        check(not lad["clipped"] and lad["rect"]["w"] <= screen["viewport"]["w"],
              "%s: %s whole on screen (no scroll box, %dpx wide)"
              % (label, lad["id"], lad["rect"]["w"]))
    printed = probe(browser, page, work, "794,1123", "#print")  # A4, 96 dpi
    if check(printed is not None, label + ": probe ran as printed"):
        vp = printed["viewport"]
        for lad in printed["ladders"]:
            r = lad["rect"]
            check(r["w"] <= vp["w"] and r["h"] <= vp["h"] and r["h"] > 100,
                  "%s: %s fits a printed page (%dx%d in %dx%d)"
                  % (label, lad["id"], r["w"], r["h"], vp["w"], vp["h"]))
    bad = [t["text"] for t in screen["ticks"] if not TICK.match(t["text"])]
    check(screen["ticks"] and not bad,
          "%s: %d time ticks in human units (bad: %r)"
          % (label, len(screen["ticks"]), bad))
    clipped = [t["text"] for t in screen["ticks"]
               if t["box"]["x"] < 0 or t["box"]["x"] + t["box"]["w"] > t["width"]]
    check(not clipped, "%s: no tick label clipped (%r)" % (label, clipped))
    check_labels(screen["segs"], label)


def check_labels(segs, label):
    boxes = []
    for s in segs:
        top = min(s["y1"], s["y2"])
        lbl = s["lbl"]
        check(top - 18 <= lbl["y"] and lbl["y"] + lbl["h"] <= top + 2,
              "%s: %s #%s label sits on its arrow (label %.0f-%.0f, arrow at %.0f)"
              % (label, s["svg"], s["packet"], lbl["y"], lbl["y"] + lbl["h"], top))
        if "kinds" in s:
            k = s["kinds"]
            check(k["y"] >= top and k["y"] <= max(s["y1"], s["y2"]) + 20,
                  "%s: %s #%s anomaly kinds right under its arrow"
                  % (label, s["svg"], s["packet"]))
        if "cross" in s:
            check(not overlap(lbl, s["cross"]) and
                  not ("kinds" in s and overlap(s["kinds"], s["cross"])),
                  "%s: %s #%s lost mark clear of the labels"
                  % (label, s["svg"], s["packet"]))
        boxes += [(s["svg"], s["packet"], b) for b in
                  (lbl, s.get("kinds")) if b]
    clashes = [(a[1], b[1]) for i, a in enumerate(boxes)
               for b in boxes[i + 1:] if a[0] == b[0] and overlap(a[2], b[2])]
    check(not clashes, "%s: no two arrow labels overlap (%r)" % (label, clashes[:5]))


def check_hosts(binary, browser, repo, work):
    """The hosts section: a fixed-increment host's prediction, a flood's
    source count."""
    for name, want in (("isn_fixed", "predicted as"),
                       ("syn_flood", "distinct sources")):
        pcap = os.path.join(repo, "testdata", "captures", name + ".pcap")
        report = json.loads(run_tcpstate(
            binary, ["--format", "json", "-r", pcap]).stdout)
        page = os.path.join(work, name + ".html")
        run_tcpstate(binary, ["--format", "html", "-o", page, "-r", pcap])
        dom = parse_dom(dump_dom(browser, page))
        page_health(dom, name)
        hosts = by_id(dom, "hosts")
        text = " ".join(hosts.all_text().split()) if hosts else ""
        if name == "isn_fixed":
            isn = next(h["isn"] for h in report["hosts"]
                       if h.get("isn", {}).get("predictable"))
            # (The parser keeps a node's own text apart from its children's.)
            said = [n for n in (hosts.walk() if hosts else [])
                    if "isn-sentence" in n.classes()
                    and "The next ISN is predicted as" in n.text
                    and any(c.tag == "b" and c.all_text() ==
                            str(isn["next_predicted"]) for c in n.children)]
            check(len(said) == 1, "%s: hosts section says the next ISN is "
                  "predicted as %d" % (name, isn["next_predicted"]))
            plot = next((n for n in dom.walk() if "isn-plot" in n.classes()), None)
            check(plot is not None and
                  int(plot.attrs.get("data-samples", 0)) >= 4,
                  "%s: the ISN samples are plotted" % name)
        else:
            flood = next(a for a in report["anomalies"] if a["kind"] == "syn_flood")
            sources = re.search(r"from (about )?[\d,]+ distinct sources",
                                flood["detail"]).group(0)
            table = by_id(dom, "syn-floods")
            check(table is not None and sources in " ".join(
                      table.all_text().split()),
                  "%s: the flood's row says %r" % (name, sources))
            check(want in text, "%s: hosts section names the sources" % name)
    return os.path.join(work, "isn_fixed.html")


def check_capture(binary, browser, repo, work, name):
    pcap = os.path.join(repo, "testdata", "captures", name + ".pcap")
    proc = run_tcpstate(binary, ["--format", "json", "-r", pcap])
    report = json.loads(proc.stdout)
    page = os.path.join(work, name + ".html")
    proc = run_tcpstate(binary, ["--format", "html", "-o", page, "-r", pcap])
    check(proc.returncode == 0, name + ": tcpstate --format html exits 0")
    dom = parse_dom(dump_dom(browser, page))
    page_health(dom, name)
    check_table(dom, report, name)
    check_ladders(dom, report, name)
    return page


def check_hostile(binary, browser, repo, work, source_pcap, name):
    """A capture under a hostile file name, with a damaged tail so that the
    error message (which names the file) is rendered too."""
    hostile_dir = os.path.join(work, "hostile")
    os.makedirs(hostile_dir, exist_ok=True)
    path = os.path.join(hostile_dir, name)
    with open(source_pcap, "rb") as src, open(path, "wb") as dst:
        dst.write(src.read())
        dst.write(b"\x01\x02\x03\x04\x05\x06")  # a truncated record header
    page = os.path.join(work, "hostile.html")
    proc = run_tcpstate(binary, ["--format", "html", "-o", page, "-r", path])
    check(proc.returncode == 2, "hostile: damaged input exits 2 (got %d)"
          % proc.returncode)
    dom = parse_dom(dump_dom(browser, page))
    page_health(dom, "hostile")
    check(not any(n.tag == "img" for n in dom.walk()),
          "hostile: no element injected from the file name")
    error = by_id(dom, "input-error")
    check(error is not None and path in error.all_text(),
          "hostile: the error naming the file is shown as text")
    title = next((n for n in dom.walk() if n.tag == "title"), None)
    check(title is not None and name in title.all_text(),
          "hostile: the file name is shown as text in the title")


def check_committed_hostile(binary, browser, repo, work):
    """Captures committed under testdata/hostile/ (when there are any)."""
    directory = os.path.join(repo, "testdata", "hostile")
    if not os.path.isdir(directory):
        return
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith((".pcap", ".pcapng")):
            continue
        page = os.path.join(work, "committed-hostile.html")
        run_tcpstate(binary, ["--format", "html", "-o", page, "-r",
                              os.path.join(directory, entry)])
        dom = parse_dom(dump_dom(browser, page))
        page_health(dom, "testdata/hostile/" + entry)
        check(not any(n.tag == "img" for n in dom.walk()),
              "testdata/hostile/%s: no injected element" % entry)


def main():
    binary, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if os.environ.get("TCPSTATE_BROWSER_TESTS") == "0":
        print("SKIPPED: TCPSTATE_BROWSER_TESTS=0")
        return 0
    browser = ensure_chromium()
    if not browser:
        print("FAIL chromium is not installed and could not be installed")
        print("0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp(prefix="tcpstate-browser-")
    try:
        pages = [check_capture(binary, browser, repo, work, name)
                 for name in CAPTURES]
        check_views(browser, pages[0], CAPTURES[0])
        for name, page in zip(CAPTURES, pages):
            check_geometry(browser, page, work, name)
        check_geometry(browser, check_hosts(binary, browser, repo, work), work,
                       "isn_fixed")
        # A ladder twice as tall as a printed page.
        tall = os.path.join(work, "bulk_offload.html")
        run_tcpstate(binary, ["--format", "html", "-o", tall, "-r",
                              os.path.join(repo, "testdata", "captures",
                                           "bulk_offload.pcap")])
        check_geometry(browser, tall, work, "bulk_offload")
        shot = os.path.join(work, "report.png")
        chromium(browser, pages[0], ["--screenshot=" + shot,
                                     "--window-size=1280,2000"])
        check(png_is_picture(shot), "screenshot is a non-trivial PNG")
        if os.environ.get("TCPSTATE_KEEP_SCREENSHOT"):
            shutil.copy(shot, os.environ["TCPSTATE_KEEP_SCREENSHOT"])
        check_hostile(binary, browser, repo, work,
                      os.path.join(repo, "testdata", "captures",
                                   CAPTURES[0] + ".pcap"), HOSTILE_NAME)
        check_committed_hostile(binary, browser, repo, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (len(passes), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
