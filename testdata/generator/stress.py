#!/usr/bin/python3
"""Stress captures with kernel truth: many concurrent real TCP connections
with random scripts through a path that damages traffic before and after
the tap (run as root with /usr/bin/python3).

Topology (this kernel has no sch_netem, so the damage is done in user
space, by relays that forward Ethernet frames between veth pairs with
AF_PACKET sockets):

    tcpss-c [c0 198.18.7.1, 2001:db8:7::1]
       | veth
    tcpss-r1 [r1a | relay 1 | r1b]      <- tcpdump on r1b: the tap
       | veth ("the tap link")
    tcpss-r2 [r2a | relay 2 | r2b]
       | veth
    tcpss-s [s0 198.18.7.2, 2001:db8:7::2]

Relay 1 damages client->server traffic before the tap and server->client
traffic after it; relay 2 the reverse. Each connection's client port picks
its script (what the applications do) and its damage (which impairment, at
which relay, in which direction), from the seed: the drivers in tcpss-c
and tcpss-s and both relays compute the same choice.

Truth: `ss -tan` in both end namespaces, read just before the capture
stops and again just after; an endpoint whose state differs between the
two reads is ambiguous (marked, not scored).

    /usr/bin/python3 testdata/generator/stress.py OUT_PREFIX --seed N \
        [--connections 600] [--duration 10]

writes OUT_PREFIX.pcap and OUT_PREFIX.truth.json.
"""

import argparse
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

NS_C, NS_R1, NS_R2, NS_S = "tcpss-c", "tcpss-r1", "tcpss-r2", "tcpss-s"
C4, S4 = "198.18.7.1", "198.18.7.2"
C6, S6 = "2001:db8:7::1", "2001:db8:7::2"
MAC_C, MAC_S = "02:00:00:00:07:01", "02:00:00:00:07:02"
PORT, TINY_PORT, CLOSED_PORT = 8000, 8001, 8002
FIRST_CLIENT_PORT = 20000
HERE = os.path.dirname(os.path.abspath(__file__))

SS_STATES = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECEIVED",
    "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2",
    "CLOSE-WAIT": "CLOSE_WAIT", "CLOSING": "CLOSING", "LAST-ACK": "LAST_ACK",
    "TIME-WAIT": "TIME_WAIT",
}

SCRIPTS = [
    "client_closes", "server_closes", "simultaneous_close", "client_aborts",
    "server_aborts", "close_unread", "close_wait_leak", "left_open",
    "keepalive", "tiny_rcvbuf", "half_close", "bulk_at_end", "refused",
]
IMPAIRMENTS = ["none", "loss", "jitter", "dup", "rate", "fin_drop",
               "blackhole"]


# ---- the choices, shared by every process ----------------------------------

def plan(seed, port):
    """Script and damage of the connection from client `port`."""
    r = random.Random(seed * 1000003 + port)
    script = r.choice(SCRIPTS)
    kind = r.choices(IMPAIRMENTS, weights=[3, 2, 2, 1, 1, 1, 2])[0]
    damage = {
        "kind": kind,
        "hop": r.choice([1, 2]),            # which relay
        "dir": r.choice(["c2s", "s2c"]),    # which direction
        "p": r.choice([0.03, 0.08, 0.2]),   # loss / duplication probability
        "jitter": r.choice([0.005, 0.02, 0.05]),
        "rate": r.choice([20000, 60000]),   # bytes/s
        "qlen": r.choice([4, 16]),
        "after": r.choice([0.0, 0.3, 1.0, 2.5, 4.0]),  # blackhole start, s
    }
    return {
        "script": script,
        "v6": port % 2 == 1,
        "start": r.uniform(0.0, 4.0),
        "bytes": r.choice([100, 3000, 40000]),
        "reply": r.choice([0, 200, 20000]),
        "hold": r.uniform(0.2, 3.0),
        "damage": damage,
    }


def before_tap(hop, direction):
    return (hop == 1) == (direction == "c2s")


# ---- relay ------------------------------------------------------------------

def tcp_ports(frame):
    """(src port, dst port, tcp flags) of an Ethernet frame, or None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack_from("!H", frame, 12)[0]
    if etype == 0x0800 and len(frame) >= 34:
        ihl = (frame[14] & 0x0F) * 4
        if frame[23] != 6 or len(frame) < 14 + ihl + 14:
            return None
        off = 14 + ihl
    elif etype == 0x86DD and len(frame) >= 54 + 14:
        if frame[20] != 6:
            return None
        off = 54
    else:
        return None
    sport, dport = struct.unpack_from("!HH", frame, off)
    return sport, dport, frame[off + 13]


class Relay:
    """Forwards frames between two interfaces, damaging some flows."""

    def __init__(self, hop, dev_client_side, dev_server_side, seed):
        self.hop, self.seed = hop, seed
        self.socks = {}
        for side, dev in (("c", dev_client_side), ("s", dev_server_side)):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(0x0003))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.bind((dev, 0))
            s.setblocking(False)
            self.socks[side] = s
        self.rng = random.Random(seed * 7 + hop)
        self.queue = []  # (due, n, side to send on, frame)
        self.n = 0
        self.plans = {}
        self.first_seen = {}
        self.busy_until = {}  # (port, dir) -> when the rate limiter frees

    def plan(self, port):
        p = self.plans.get(port)
        if p is None:
            p = self.plans[port] = plan(self.seed, port)
        return p

    def send_later(self, delay, side, frame):
        self.n += 1
        self.queue.append((time.monotonic() + delay, self.n, side, frame))

    def handle(self, frame, came_from):
        out = "s" if came_from == "c" else "c"
        direction = "c2s" if came_from == "c" else "s2c"
        info = tcp_ports(frame)
        if info is None:
            self.send_later(0, out, frame)
            return
        sport, dport, flags = info
        cport = sport if direction == "c2s" else dport
        if cport < FIRST_CLIENT_PORT:
            self.send_later(0, out, frame)
            return
        d = self.plan(cport)["damage"]
        now = time.monotonic()
        first = self.first_seen.setdefault(cport, now)
        if d["hop"] != self.hop or d["dir"] != direction or d["kind"] == "none":
            self.send_later(0, out, frame)
            return
        kind = d["kind"]
        if kind == "loss" and self.rng.random() < d["p"]:
            return
        if kind == "fin_drop" and flags & 0x01:
            return
        if kind == "blackhole" and now - first >= d["after"]:
            return
        if kind == "dup" and self.rng.random() < d["p"]:
            self.send_later(0, out, frame)
        if kind == "jitter":
            self.send_later(self.rng.uniform(0, d["jitter"]), out, frame)
            return
        if kind == "rate":
            key = (cport, direction)
            free = max(self.busy_until.get(key, now), now)
            if free - now > d["qlen"] * 1500.0 / d["rate"]:
                return  # the queue is full: tail drop
            free += len(frame) / float(d["rate"])
            self.busy_until[key] = free
            self.send_later(free - now, out, frame)
            return
        self.send_later(0, out, frame)

    def run(self):
        import select
        socks = list(self.socks.values())
        while True:
            timeout = 0.2
            if self.queue:
                timeout = max(0.0, min(q[0] for q in self.queue) -
                              time.monotonic())
            ready, _, _ = select.select(socks, [], [], timeout)
            for s in ready:
                side = "c" if s is self.socks["c"] else "s"
                for _ in range(256):
                    try:
                        frame, addr = s.recvfrom(65535)
                    except BlockingIOError:
                        break
                    if addr[2] == socket.PACKET_OUTGOING:
                        continue
                    self.handle(frame, side)
            if self.queue:
                now = time.monotonic()
                self.queue.sort()
                while self.queue and self.queue[0][0] <= now:
                    _, _, side, frame = self.queue.pop(0)
                    try:
                        self.socks[side].send(frame)
                    except OSError:
                        pass


# ---- drivers: what the applications do ---------------------------------------

HELD = []  # sockets kept open until the process is killed


def recv_some(s, want, timeout):
    s.settimeout(timeout)
    got = 0
    try:
        while want is None or got < want:
            b = s.recv(65536)
            if not b:
                return got, True
            got += len(b)
    except OSError:
        pass
    return got, False


def send_all(s, n, timeout=2.0):
    s.settimeout(timeout)
    try:
        s.sendall(b"x" * n)
        return True
    except OSError:
        return False


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def client_script(seed, port, base):
    p = plan(seed, port)
    fam = socket.AF_INET6 if p["v6"] else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((C6 if p["v6"] else C4, port))
    HELD.append(s)
    dport = {"tiny_rcvbuf": TINY_PORT, "refused": CLOSED_PORT}.get(
        p["script"], PORT)
    if p["script"] == "keepalive":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    time.sleep(max(0.0, base + p["start"] - time.time()))
    s.settimeout(30)
    try:
        s.connect((S6 if p["v6"] else S4, dport))
    except OSError:
        return
    script = p["script"]
    if script in ("client_closes", "close_wait_leak"):
        send_all(s, p["bytes"])
        recv_some(s, p["reply"], p["hold"])
        s.close()
    elif script == "server_closes":
        send_all(s, p["bytes"])
        recv_some(s, None, 8.0)
        s.close()
    elif script == "simultaneous_close":
        send_all(s, 100)
        recv_some(s, 100, 2.0)
        time.sleep(max(0.0, base + p["start"] + 2.5 - time.time()))
        s.close()
    elif script == "client_aborts":
        send_all(s, p["bytes"])
        time.sleep(p["hold"])
        abort(s)
    elif script in ("server_aborts", "close_unread"):
        send_all(s, p["bytes"])
        recv_some(s, None, 8.0)
        s.close()
    elif script in ("left_open", "keepalive"):
        send_all(s, p["bytes"])
        recv_some(s, p["reply"], p["hold"])
    elif script == "tiny_rcvbuf":
        send_all(s, 200000, timeout=p["hold"])
        s.close()
    elif script == "half_close":
        send_all(s, p["bytes"])
        s.shutdown(socket.SHUT_WR)
        recv_some(s, None, 8.0)
        s.close()
    elif script == "bulk_at_end":
        s.settimeout(0.5)
        while True:
            try:
                s.send(b"y" * 1000)
            except socket.timeout:
                pass
            except OSError:
                return
            time.sleep(0.05)


def server_script(seed, conn, port, base):
    p = plan(seed, port)
    HELD.append(conn)
    script = p["script"]
    if script == "client_closes":
        recv_some(conn, p["bytes"], 3.0)
        send_all(conn, p["reply"])
        recv_some(conn, None, 8.0)
        conn.close()
    elif script == "close_wait_leak":
        recv_some(conn, p["bytes"], 3.0)
        send_all(conn, p["reply"])
    elif script == "server_closes":
        recv_some(conn, p["bytes"], 3.0)
        send_all(conn, p["reply"])
        time.sleep(p["hold"])
        conn.close()
    elif script == "simultaneous_close":
        recv_some(conn, 100, 2.0)
        send_all(conn, 100)
        time.sleep(max(0.0, base + p["start"] + 2.5 - time.time()))
        conn.close()
    elif script == "client_aborts":
        recv_some(conn, None, 8.0)
        conn.close()
    elif script == "server_aborts":
        recv_some(conn, p["bytes"], 3.0)
        time.sleep(p["hold"])
        abort(conn)
    elif script == "close_unread":
        time.sleep(p["hold"])  # never reads: close() sends an RST
        conn.close()
    elif script in ("left_open", "keepalive"):
        recv_some(conn, p["bytes"], 3.0)
        send_all(conn, p["reply"])
    elif script == "tiny_rcvbuf":
        time.sleep(p["hold"])
        recv_some(conn, 3000, 0.5)
    elif script == "half_close":
        recv_some(conn, None, 8.0)
        send_all(conn, p["reply"] or 100)
        conn.close()
    elif script == "bulk_at_end":
        while not recv_some(conn, None, 1.0)[1]:
            pass
        conn.close()


def drive(role, seed, ports, base):
    if role == "client":
        for port in ports:
            threading.Thread(target=client_script, args=(seed, port, base),
                             daemon=True).start()
    else:
        listeners = []
        for fam, addr in ((socket.AF_INET, S4), (socket.AF_INET6, S6)):
            for lport, rcvbuf in ((PORT, None), (TINY_PORT, 4096)):
                s = socket.socket(fam, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if rcvbuf:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
                s.bind((addr, lport))
                s.listen(4096)
                listeners.append(s)

        def accept_loop(lst):
            while True:
                conn, peer = lst.accept()
                threading.Thread(target=server_script,
                                 args=(seed, conn, peer[1], base),
                                 daemon=True).start()
        for lst in listeners:
            threading.Thread(target=accept_loop, args=(lst,),
                             daemon=True).start()
    signal.sigwait([signal.SIGTERM])


# ---- the lab ------------------------------------------------------------------

def sh(*cmd, ns=None, check=True):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    res = subprocess.run(cmd, capture_output=True, text=True)
    if check and res.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), res.stderr))
    return res.stdout


def teardown():
    for ns in (NS_C, NS_R1, NS_R2, NS_S):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def setup():
    teardown()
    for ns in (NS_C, NS_R1, NS_R2, NS_S):
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
    links = (("c0", NS_C, "r1a", NS_R1), ("r1b", NS_R1, "r2a", NS_R2),
             ("r2b", NS_R2, "s0", NS_S))
    for a, na, b, nb in links:
        sh("ip", "link", "add", a, "netns", na, "type", "veth", "peer",
           "name", b, "netns", nb)
    for dev, ns in (("c0", NS_C), ("r1a", NS_R1), ("r1b", NS_R1),
                    ("r2a", NS_R2), ("r2b", NS_R2), ("s0", NS_S)):
        # Wire-sized frames with full checksums: a relay forwards what it
        # reads as it is.
        sh("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
           "tx", "off", "rx", "off", ns=ns, check=False)
        sh("ip", "link", "set", dev, "up", ns=ns)
    sh("ip", "link", "set", "c0", "address", MAC_C, ns=NS_C)
    sh("ip", "link", "set", "s0", "address", MAC_S, ns=NS_S)
    for ns, dev, a4, a6, peer4, peer6, peer_mac in (
            (NS_C, "c0", C4, C6, S4, S6, MAC_S),
            (NS_S, "s0", S4, S6, C4, C6, MAC_C)):
        sh("ip", "addr", "add", a4 + "/24", "dev", dev, ns=ns)
        sh("ip", "addr", "add", a6 + "/64", "dev", dev, "nodad", ns=ns)
        # Fixed neighbours: a blackhole must not turn into ARP trouble.
        sh("ip", "neigh", "replace", peer4, "lladdr", peer_mac, "dev", dev,
           "nud", "permanent", ns=ns)
        sh("ip", "neigh", "replace", peer6, "lladdr", peer_mac, "dev", dev,
           "nud", "permanent", ns=ns)
    time.sleep(0.5)


def spawn(ns, *args):
    return subprocess.Popen(("ip", "netns", "exec", ns, "/usr/bin/python3",
                             os.path.abspath(__file__)) + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def read_ss(ns, local_is_client):
    """{(client addr, client port): state} of the scripted connections."""
    out = sh("ss", "-tanH", ns=ns)
    states = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) < 5 or f[0] not in SS_STATES:
            continue
        local, peer = f[3], f[4]
        ep = local if local_is_client else peer
        addr, _, port = ep.rpartition(":")
        addr = addr.strip("[]").split("%")[0]
        if int(port) >= FIRST_CLIENT_PORT:
            states[(addr, int(port))] = SS_STATES[f[0]]
    return states


def generate(prefix, seed, count, duration):
    ports = list(range(FIRST_CLIENT_PORT, FIRST_CLIENT_PORT + count))
    setup()
    procs = []
    try:
        pcap = prefix + ".pcap"
        tcpdump = subprocess.Popen(
            ["ip", "netns", "exec", NS_R1, "tcpdump", "-i", "r1b", "-n",
             "-U", "--immediate-mode", "-Z", "root", "-s", "128", "-w",
             pcap, "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if "listening" not in tcpdump.stderr.readline():
            raise RuntimeError("tcpdump did not start")
        procs.append(spawn(NS_R1, "relay", "1", "r1a", "r1b", str(seed)))
        procs.append(spawn(NS_R2, "relay", "2", "r2a", "r2b", str(seed)))
        base = time.time() + 1.0
        procs.append(spawn(NS_S, "server", str(seed), str(base), str(count)))
        time.sleep(0.3)
        procs.append(spawn(NS_C, "client", str(seed), str(base), str(count)))
        time.sleep(max(0.0, base + duration - time.time()))
        first = (read_ss(NS_C, True), read_ss(NS_S, False))
        time.sleep(0.1)
        tcpdump.send_signal(signal.SIGINT)
        tcpdump.wait(timeout=10)
        second = (read_ss(NS_C, True), read_ss(NS_S, False))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        teardown()
    truth = []
    for port in ports:
        p = plan(seed, port)
        addr = C6 if p["v6"] else C4
        key = (addr, port)
        row = {"client": [addr, port],
               "server": [S6 if p["v6"] else S4,
                          {"tiny_rcvbuf": TINY_PORT,
                           "refused": CLOSED_PORT}.get(p["script"], PORT)],
               "script": p["script"], "damage": p["damage"]["kind"],
               "before_tap": before_tap(p["damage"]["hop"],
                                        p["damage"]["dir"])}
        for i, name in ((0, "client"), (1, "server")):
            a = first[i].get(key, "CLOSED")
            b = second[i].get(key, "CLOSED")
            row[name + "_state"] = a
            row[name + "_ambiguous"] = a != b
        truth.append(row)
    with open(prefix + ".truth.json", "w") as f:
        json.dump({"generator": "testdata/generator/stress.py", "seed": seed,
                   "connections": truth}, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "relay":
        _, _, hop, a, b, seed = sys.argv
        Relay(int(hop), a, b, int(seed)).run()
        return
    if len(sys.argv) > 1 and sys.argv[1] in ("client", "server"):
        role, seed, base, count = sys.argv[1], int(sys.argv[2]), \
            float(sys.argv[3]), int(sys.argv[4])
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
        drive(role, seed,
              range(FIRST_CLIENT_PORT, FIRST_CLIENT_PORT + count), base)
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("prefix")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--connections", type=int, default=600)
    ap.add_argument("--duration", type=float, default=10.0)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("stress.py needs root (network namespaces)")
    generate(a.prefix, a.seed, a.connections, a.duration)


if __name__ == "__main__":
    main()
