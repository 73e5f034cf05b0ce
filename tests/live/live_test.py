#!/usr/bin/python3
"""Live-capture end-to-end tests: `tcpstate -i` on a veth pair between two
network namespaces while real sockets run the generator's scenarios.

Usage (as root, with Debian's /usr/bin/python3):
    live_test.py TCPSTATE TEST
TEST: kernel_states, wall_clock, sigterm_idle, drop_privileges, live_view,
threads.

The lab is testdata/generator/lab.py (renamed per test, so the tests run
beside each other and beside the generator) and the scenarios are
generate.py's own, run in one lab with their ports shifted (PortLab) so
several share one capture.  Not root: prints SKIPPED and exits 0.  Root
(CI): a missing tool is a failure (tools/run.sh installs them).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "testdata", "generator"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import lab as L  # noqa: E402
import generate as G  # noqa: E402
import check_kernel_states as KS  # noqa: E402

TOOLS = {"ip": "iproute2", "ss": "iproute2", "nft": "nftables",
         "ethtool": "ethtool", "tmux": "tmux"}


class PortLab(L.Lab):
    """The lab with every port shifted by `offset`, so that several
    scenarios share one lab and one capture without reusing a 4-tuple."""
    offset = 0

    def listener(self, port=8000, *args, **kw):
        return super().listener(port + self.offset, *args, **kw)

    def client(self, port, *args, **kw):
        return super().client(port + self.offset, *args, **kw)

    def connect_pair(self, lst, cport, family=socket.AF_INET, sport=8000,
                     opts=()):
        # super() calls self.client(), which shifts the client port.
        return super().connect_pair(lst, cport, family, sport + self.offset,
                                    opts)


class LiveCtx(G.Ctx):
    """generate.py's scenario context, with the lab's port shift; the
    capture is tcpstate's, not tcpdump's."""

    def __init__(self, lab):
        super().__init__(lab, "live", 256)

    def start_capture(self):
        pass

    def conn(self, caddr, cport, saddr, sport=G.SPORT, **extra):
        off = self.lab.offset
        super().conn(caddr, cport + off, saddr, sport + off, **extra)


def up(tag):
    L.use_names("tcpst-l%s-c" % tag, "tcpst-l%s-s" % tag,
                "tcpst-l%sc" % tag, "tcpst-l%ss" % tag)
    lab = PortLab()
    lab.up()
    return lab


class Tcpstate:
    """tcpstate -i in the client namespace; stdout collected line by line
    with arrival times."""

    def __init__(self, binary, args, stdout=subprocess.PIPE, prefix=()):
        self.lines = []  # (arrival time, line)
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", L.NS_C] + list(prefix) + [binary] + args,
            stdout=stdout, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        self.banner = line
        if "listening on" not in line:
            self.proc.kill()
            raise AssertionError("tcpstate did not start: %r %s" %
                                 (line, self.proc.stderr.read()))
        self.reader = None
        if stdout == subprocess.PIPE:
            self.reader = threading.Thread(target=self._read, daemon=True)
            self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append((time.time(), line))

    def stop(self, sig=signal.SIGTERM, timeout=5):
        """Signal it; return (exit status, seconds until it exited)."""
        t = time.time()
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        if self.reader:
            self.reader.join(timeout=5)
        return rc, time.time() - t

    def json_lines(self):
        return [(t, json.loads(line)) for t, line in self.lines]


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, ok, what):
        print("%s %s" % ("PASS" if ok else "FAIL", what), flush=True)
        if not ok:
            self.failed += 1


# ---------------------------------------------------------------------------
# tests

def t_kernel_states(binary, work, c):
    """Scenarios on real sockets; the report written after SIGTERM must
    give every endpoint the state `ss -tan` showed just before."""
    lab = up("ks")
    out = os.path.join(work, "report.json")
    try:
        tool = Tcpstate(binary, ["-i", L.DEV_C, "--format", "json",
                                 "-o", out])
        ctx = LiveCtx(lab)
        for i, name in enumerate(["normal_close_client", "abortive_close",
                                  "server_never_closes"]):
            lab.offset = 10 * i
            G.SCENARIOS[name]["fn"](lab, ctx)
        rows_c, rows_s = L.Lab.ss(L.NS_C), L.Lab.ss(L.NS_S)
        rc, _ = tool.stop()
    finally:
        lab.down()
    c.check(rc == 0, "tcpstate exits 0 after SIGTERM (got %d)" % rc)
    with open(out) as f:
        doc = json.load(f)
    expected = []
    for cn in ctx.conns:
        (ca, cp), (sa, sp) = cn["client"], cn["server"]
        cst, _ = G.find_state(rows_c, L.ep(ca, cp), L.ep(sa, sp))
        sst, _ = G.find_state(rows_s, L.ep(sa, sp), L.ep(ca, cp))
        expected.append({"client_addr": ca, "client_port": cp,
                         "server_addr": sa, "server_port": sp,
                         "client_state": cst, "server_state": sst})
    for ok, line in KS.compare("live", expected, doc["connections"]):
        c.check(ok, line.split(" ", 1)[1])  # without compare's PASS/FAIL
    live = doc["summary"].get("live_capture") or {}
    c.check(live.get("stop_reason") == "signal" and live.get("complete"),
            "summary.live_capture: stopped by signal, complete: %s" % live)
    c.check(live.get("packets_received", 0) >= doc["summary"]["tcp_packets"]
            > 0, "packets received and analysed")


def t_wall_clock(binary, work, c):
    """A leaked CLOSE_WAIT and then silence: close_wait_stuck comes out on
    the JSONL stream within the threshold + 1 s, and only once."""
    lab = up("wc")
    try:
        tool = Tcpstate(binary, ["-i", L.DEV_C, "--stuck-after",
                                 "close_wait_stuck=3s"])
        lst = lab.listener()
        cl, acc = lab.connect_pair(lst, 40000)
        G.exchange(cl, acc, 1)
        cl.shutdown(socket.SHUT_WR)
        G.read_eof(acc)  # the server ACKed the FIN: CLOSE_WAIT from here
        t0 = time.time()
        deadline = t0 + 6
        fired = None
        while time.time() < deadline and fired is None:
            for t, ev in tool.json_lines():
                if ev.get("type") == "anomaly" and \
                        ev.get("kind") == "close_wait_stuck":
                    fired = (t, ev)
            time.sleep(0.05)
        rc, _ = tool.stop()
    finally:
        lab.down()
    c.check(fired is not None, "close_wait_stuck on the stream")
    if fired is None:
        return
    t, ev = fired
    c.check(2.9 <= t - t0 <= 4.0,
            "fired %.2f s after the leak (threshold 3 s, at most +1 s)" %
            (t - t0))
    c.check(ev["endpoint"] == "server" and
            ev["server_state"] == "CLOSE_WAIT" and
            ev["client"] == "198.18.0.1:40000", "event names the server "
            "endpoint in CLOSE_WAIT: %s" % json.dumps(ev)[:200])
    events = [e for _, e in tool.json_lines()]
    c.check(rc == 0 and events and events[-1]["type"] == "summary",
            "exit 0, the summary line ends the stream")
    fires = [e for e in events if e.get("type") == "anomaly" and
             e.get("kind") == "close_wait_stuck"]
    c.check(len(fires) == 1, "announced once (%d)" % len(fires))
    conns = [e for e in events if e.get("type") == "connection"]
    kinds = [a["kind"] for r in conns for a in r["anomalies"]]
    c.check(len(conns) == 1 and kinds.count("close_wait_stuck") == 1,
            "the final record carries it exactly once: %s" % kinds)


def t_sigterm_idle(binary, work, c):
    """No traffic at all: SIGTERM (and SIGINT) stop it within 2 s with a
    complete report."""
    lab = up("si")
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            out = os.path.join(work, "idle.json")
            tool = Tcpstate(binary, ["-i", L.DEV_C, "--format", "json",
                                     "-o", out, "tcp"])
            time.sleep(0.5)
            rc, took = tool.stop(sig)
            c.check(rc == 0 and took < 2.0, "%s: exit %d after %.2f s" %
                    (signal.Signals(sig).name, rc, took))
            with open(out) as f:
                doc = json.load(f)
            live = doc["summary"].get("live_capture") or {}
            c.check(doc["connections"] == [] and
                    live.get("stop_reason") == "signal" and
                    live.get("complete") is True and
                    doc["inputs"][0]["name"] == L.DEV_C,
                    "complete report: %s" % live)
    finally:
        lab.down()


def proc_status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.split()
    return fields


def t_drop_privileges(binary, work, c):
    """-Z nobody: once listening, the process runs as nobody with no
    capabilities, and still captures."""
    lab = up("pd")
    try:
        tool = Tcpstate(binary, ["-i", L.DEV_C, "-Z", "nobody"])
        st = proc_status(tool.proc.pid)
        c.check(st["Name"] == ["tcpstate"], "the pid is tcpstate's")
        c.check(all(u != "0" for u in st["Uid"]) and
                all(g != "0" for g in st["Gid"]),
                "Uid %s Gid %s" % (st["Uid"], st["Gid"]))
        c.check(int(st["CapEff"][0], 16) == 0 and
                int(st["CapPrm"][0], 16) == 0,
                "CapEff %s CapPrm %s" % (st["CapEff"], st["CapPrm"]))
        c.check(st["NoNewPrivs"] == ["1"], "no_new_privs")
        lst = lab.listener()
        cl, acc = lab.connect_pair(lst, 40000)
        G.exchange(cl, acc, 1)
        time.sleep(0.5)
        rc, _ = tool.stop()
        summary = tool.json_lines()[-1][1]
        c.check(rc == 0 and summary["summary"]["tcp_packets"] >= 5,
                "still captures after the drop: %d TCP packets" %
                summary["summary"]["tcp_packets"])
        bad = subprocess.run(["ip", "netns", "exec", L.NS_C, binary, "-i",
                              L.DEV_C, "-Z", "no-such-user-tcpst"],
                             capture_output=True, text=True, timeout=10)
        c.check(bad.returncode == 2 and "no such user" in bad.stderr,
                "unknown user: exit 2, %s" % bad.stderr.strip())
        cap_only(binary, work, c)
    finally:
        lab.down()


def cap_only(binary, work, c):
    """Started as nobody with only CAP_NET_RAW: -Z nobody drops it and
    captures; -Z root is refused."""
    exe = os.path.join(work, "tcpstate")
    shutil.copy(binary, exe)
    os.chmod(exe, 0o755)
    caps = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            "--inh-caps=+net_raw", "--ambient-caps=+net_raw"]
    tool = Tcpstate(exe, ["-i", L.DEV_C, "-Z", "nobody"], prefix=caps)
    st = proc_status(tool.proc.pid)
    c.check(st["Uid"][0] != "0" and int(st["CapEff"][0], 16) == 0 and
            int(st["CapAmb"][0], 16) == 0,
            "CAP_NET_RAW only, -Z nobody: Uid %s CapEff %s CapAmb %s" %
            (st["Uid"], st["CapEff"], st["CapAmb"]))
    rc, _ = tool.stop()
    c.check(rc == 0, "and it ran (exit %d)" % rc)
    bad = subprocess.run(["ip", "netns", "exec", L.NS_C] + caps +
                         [exe, "-i", L.DEV_C, "-Z", "root"],
                         capture_output=True, text=True, timeout=10)
    c.check(bad.returncode == 2 and "not permitted" in bad.stderr,
            "CAP_NET_RAW only, -Z root: exit 2, %s" % bad.stderr.strip())


def tmux(*args):
    return subprocess.run(["tmux"] + list(args), capture_output=True,
                          text=True, check=True).stdout


def wait_pane(session, pred, timeout, history=False):
    """Polls the pane (with `history`, its scrollback too: a report longer
    than the pane scrolls its first lines away)."""
    deadline = time.time() + timeout
    screen = ""
    while time.time() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session,
                      *(["-S", "-500"] if history else []))
        if pred(screen):
            return True, screen
        time.sleep(0.2)
    return False, screen


def stream(sender, receiver, seconds, chunk=20000, every=0.1):
    """`sender` sends `chunk` bytes every `every` seconds for `seconds`;
    the peer reads them."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        sender.sendall(b"x" * chunk)
        G.recv_exact(receiver, chunk)
        time.sleep(every)


def t_live_view(binary, work, c):
    """The live view in a 120x40 terminal (tmux): the state pairs, the
    stuck and closing endpoints, the established connections with their
    rates, colour, `s` re-sorts, `q` quits and the report follows."""
    lab = up("lv")
    session = "tcpst-live-view-%d" % os.getpid()
    cmd = "ip netns exec %s %s -i %s; sleep 60" % (L.NS_C, binary, L.DEV_C)
    try:
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40",
             cmd)
        ok, screen = wait_pane(session, lambda s: "tcpstate live on" in s, 5)
        c.check(ok, "the view is up")
        lst = lab.listener()
        keep, kept = lab.connect_pair(lst, 40001)  # stays ESTABLISHED
        G.exchange(keep, kept, 1)
        # The server streams to the kept connection while the view runs.
        streamer = threading.Thread(target=stream, args=(kept, keep, 8),
                                    daemon=True)
        streamer.start()
        ctx = LiveCtx(lab)
        lab.offset = 10
        G.SCENARIOS["close_wait_idle"]["fn"](lab, ctx)  # sleeps 3 s
        want = ["FIN_WAIT_2/CLOSE_WAIT 1", "ESTABLISHED/ESTABLISHED 1",
                "198.18.0.1:40010 -> 198.18.0.2:8010",
                "ESTABLISHED (by rate, largest first): 1"]
        ok, screen = wait_pane(session,
                               lambda s: all(w in s for w in want), 3)
        print(screen)
        c.check(ok, "state pairs, closing rows, established list: %s" % want)
        c.check("server CLOSE_WAIT" in " ".join(screen.split()),
                "the server's CLOSE_WAIT is listed with its age")
        rate = re.compile(r"\s0B/s\s+\d+(\.\d)?(kB|MB)/s\s+\d+B\s+"
                          r"\d+(\.\d)?(kB|MB)\s+\S+\s+198\.18\.0\.1:40001 ")
        ok, screen = wait_pane(session, lambda s: rate.search(s), 4)
        c.check(ok, "the streaming connection's row shows its server-to-"
                "client rate and bytes")
        colored = tmux("capture-pane", "-p", "-e", "-t", session)
        c.check("\x1b[1m" in colored and "\x1b[32m" in colored,
                "in colour (bold titles, a green connection moving data)")
        tmux("send-keys", "-t", session, "s")
        ok, screen = wait_pane(
            session, lambda s: "ESTABLISHED (by bytes" in s, 3)
        c.check(ok, "s: the established list is ordered by bytes")
        tmux("send-keys", "-t", session, "q")
        ok, screen = wait_pane(
            session, lambda s: "Summary" in s and "stopped by quit" in s, 10,
            history=True)
        c.check(ok,
                "q: the view ends and the text report follows")
        streamer.join(timeout=10)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session],
                       capture_output=True)
        lab.down()


VX_C, VX_S = "10.77.0.1", "10.77.0.2"


def vxlan_up():
    """A VXLAN tunnel over the veth pair (inner 10.77.0.0/24). Its MTU is
    the veth's, so a full-sized inner segment leaves as two outer IPv4
    fragments: the capture holds tunnelled and fragmented flows."""
    for ns, dev, local, remote, inner in (
            (L.NS_C, L.DEV_C, L.C4, L.S4, VX_C),
            (L.NS_S, L.DEV_S, L.S4, L.C4, VX_S)):
        L.run("ip", "link", "add", "tcpst-vx", "type", "vxlan", "id", "42",
              "local", local, "remote", remote, "dstport", "4789",
              ns=ns)
        L.run("ip", "link", "set", "tcpst-vx", "mtu", "1500", "up", ns=ns)
        L.run("ip", "addr", "add", inner + "/24", "dev", "tcpst-vx", ns=ns)


def vx_pair(lab, lst, cport):
    c = lab.sock(L.NS_C)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((VX_C, cport))
    c.settimeout(5)
    c.connect((VX_S, 9000))
    a, _ = lst.accept()
    lab.socks.append(a)
    a.settimeout(5)
    return c, a


def t_threads(binary, work, c):
    """--threads 2: two sockets in a PACKET_FANOUT group. Scenarios on the
    veth and, through a VXLAN tunnel, connections whose outer packets are
    fragmented (the kernel may give the two directions of an inner flow to
    different sockets: they are handed over). Every endpoint's state equals
    `ss`; SIGTERM gives the report within 2 s; -w writes one capture with
    every packet; the summary counts both sockets."""
    lab = up("th")
    out = os.path.join(work, "threads.json")
    cap = os.path.join(work, "threads.pcap")
    try:
        vxlan_up()
        tool = Tcpstate(binary, ["-i", L.DEV_C, "--threads", "2", "--format",
                                 "json", "-o", out, "-w", cap])
        c.check("2 sockets in PACKET_FANOUT group" in tool.banner,
                "two sockets joined a fanout group: %s" % tool.banner.strip())
        ctx = LiveCtx(lab)
        for i, name in enumerate(["normal_close_client", "abortive_close",
                                  "server_never_closes",
                                  "normal_close_server"]):
            lab.offset = 10 * i
            G.SCENARIOS[name]["fn"](lab, ctx)
        with L.InNs(L.NS_S):
            lst = socket.socket()
        lab.socks.append(lst)
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind((VX_S, 9000))
        lst.listen(16)
        vx = []
        for i in range(6):
            cl, acc = vx_pair(lab, lst, 45000 + i)
            G.exchange(cl, acc, 2, size=4000)  # full segments: fragments
            if i % 3 == 1:
                cl.shutdown(socket.SHUT_WR)  # server left in CLOSE_WAIT
                G.read_eof(acc)
            elif i % 3 == 2:
                cl.close()
                acc.close()
            vx.append(("10.77.0.1", 45000 + i))
        time.sleep(0.5)
        rows_c, rows_s = L.Lab.ss(L.NS_C), L.Lab.ss(L.NS_S)
        rc, took = tool.stop()
    finally:
        lab.down()
    c.check(rc == 0 and took < 2.0,
            "SIGTERM: exit %d, report written after %.2f s" % (rc, took))
    with open(out) as f:
        doc = json.load(f)
    expected = []
    conns = [(cn["client"], cn["server"]) for cn in ctx.conns] + \
        [((ca, cp), (VX_S, 9000)) for ca, cp in vx]
    for (ca, cp), (sa, sp) in conns:
        cst, _ = G.find_state(rows_c, L.ep(ca, cp), L.ep(sa, sp))
        sst, _ = G.find_state(rows_s, L.ep(sa, sp), L.ep(ca, cp))
        expected.append({"client_addr": ca, "client_port": cp,
                         "server_addr": sa, "server_port": sp,
                         "client_state": cst, "server_state": sst})
    for ok, line in KS.compare("threads", expected, doc["connections"]):
        c.check(ok, line.split(" ", 1)[1])
    summary = doc["summary"]
    live = summary.get("live_capture") or {}
    c.check(live.get("sockets") == 2 and live.get("complete"),
            "summary.live_capture: 2 sockets, complete: %s" % live)
    decode = summary.get("decode_counters") or {}
    c.check(decode.get("tunnel_decapsulated", 0) > 0,
            "tunnelled packets decoded: %s" %
            {k: v for k, v in decode.items()
             if v and ("tunnel" in k or "frag" in k)})
    read = subprocess.run([binary, "-r", cap, "--format", "json",
                           "--threads", "1"], capture_output=True, text=True)
    offline = json.loads(read.stdout) if read.returncode == 0 else {}
    c.check(offline.get("summary", {}).get("packets") ==
            summary["packets"] <= live.get("packets_received", 0),
            "-w: one capture with every packet (%s offline, %s live)" %
            (offline.get("summary", {}).get("packets"), summary["packets"]))


TESTS = {"kernel_states": t_kernel_states, "wall_clock": t_wall_clock,
         "sigterm_idle": t_sigterm_idle,
         "drop_privileges": t_drop_privileges, "live_view": t_live_view,
         "threads": t_threads}


def main(argv):
    if len(argv) != 3 or argv[2] not in TESTS:
        print("usage: live_test.py TCPSTATE %s" % "|".join(TESTS),
              file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("SKIPPED: live capture tests need root (network namespaces)")
        return 0
    missing = sorted({pkg for tool, pkg in TOOLS.items()
                      if shutil.which(tool) is None})
    if missing:
        print("FAIL: missing tools; run: apt-get install -y " +
              " ".join(missing))
        return 1
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="tcpst-live-") as work:
        os.chmod(work, 0o755)
        try:
            TESTS[argv[2]](os.path.abspath(argv[1]), work, c)
        except Exception as e:  # a crash is a failure with its reason
            c.check(False, "%s: %r" % (argv[2], e))
    print("%s: %s" % (argv[2], "FAILED" if c.failed else "passed"))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
