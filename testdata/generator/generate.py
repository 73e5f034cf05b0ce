#!/usr/bin/python3
"""Real-kernel test-capture generator for tcpstate.

Usage (as root, with Debian's /usr/bin/python3):
    /usr/bin/python3 testdata/generator/generate.py [SCENARIO ...]
    /usr/bin/python3 testdata/generator/generate.py --list
    /usr/bin/python3 testdata/generator/generate.py --verify-tap
    python3 testdata/generator/generate.py --rewrite-expectations [SCENARIO ...]

Every scenario runs real sockets in two fresh network namespaces joined by a
veth pair (see lab.py), captures on the client-side veth with tcpdump, reads
`ss -tano` in both namespaces just before stopping tcpdump, and writes
testdata/captures/NAME.pcap and NAME.expected.json.  Expected endpoint
states come only from the kernel (ss), never from what we think should
happen.  The "anomalies" field is the exception: the anomaly kinds each
scenario is designed to raise (the `anomalies=` table of its @scenario),
which --rewrite-expectations rewrites in place without re-running anything.
"""

import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402
import pcapread  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "captures")
SPORT = 8000

SYSCTL_KEYS = [
    "net.ipv4.tcp_timestamps", "net.ipv4.tcp_sack",
    "net.ipv4.tcp_window_scaling", "net.ipv4.tcp_syncookies",
    "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_syn_retries",
    "net.ipv4.tcp_synack_retries", "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_ecn", "net.ipv4.tcp_challenge_ack_limit",
    "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
]

SCENARIOS = {}


def scenario(name, description, offload=False, sysctls=None, snaplen=256,
             early_capture=True, anomalies=None):
    """Register a scenario.  `anomalies` is its expected-anomaly table (see
    expect_anomalies()): what the scenario does to the stack, written into
    NAME.expected.json as the "anomalies" field."""
    def deco(fn):
        SCENARIOS[name] = dict(fn=fn, description=description,
                               offload=offload, sysctls=sysctls or {},
                               snaplen=snaplen, early_capture=early_capture,
                               anomalies=anomalies)
        return fn
    return deco


# --------------------------------------------------------------------------
# expected anomalies
#
# Derived from each scenario's design (what it does to the kernel), never
# from tcpstate's output.  Kind ids and their definitions are those of
# analyzer/anomaly_catalogue.cc.  tests/e2e/check_anomalies.py reads them.

CLIENT4 = "198.18.0.1:40000"
CLIENT6 = "[2001:db8::1]:40000"
STUCK_AFTER = "2s"   # every capture that must show a stuck state lasts > 3 s
SYN_FLOOD_ARGS = ["--syn-flood-min", "50", "--syn-flood-sources", "20",
                  "--syn-flood-window", "10s"]


def want(kind, endpoint=None, client=CLIENT4, min_count=1, **extra):
    """One expected anomaly on the connection of `client` (ss syntax).
    extra: incarnation (n-th record of that 4-tuple), detail_contains."""
    e = {"kind": kind}
    if endpoint:
        e["endpoint"] = endpoint
    e["client"] = client
    e["min_count"] = min_count
    e.update(extra)
    return e


def want_host(kind, addr, min_count=1):
    """One expected host-level anomaly (top-level anomalies[])."""
    return {"kind": kind, "scope": "host", "endpoint": addr,
            "min_count": min_count}


def expect_anomalies(expect=(), forbid=(), allow=(), why="", args=(),
                     stuck_after=STUCK_AFTER, forbid_others=True):
    """expect: want()/want_host() entries; forbid: kind ids that must not
    appear anywhere in the capture, or {"kind", "client"[, "endpoint"]}
    objects for one connection; allow: kinds the scenario legitimately
    produces besides the expected ones (with forbid_others every other kind
    is a false positive); args: extra tcpstate arguments."""
    return {"stuck_after": stuck_after, "args": list(args),
            "expect": list(expect), "forbid": list(forbid),
            "forbid_others": forbid_others, "allow": list(allow),
            "why": why}


CLEAN = expect_anomalies(
    forbid=["retransmission", "lost_segment", "rst_teardown",
            "close_wait_stuck", "fin_wait_2_stuck", "duplicate_packet"],
    why="a clean exchange and an orderly close: nothing to report")


class Ctx:
    """What a scenario function records besides its sockets."""

    def __init__(self, lab, name, snaplen):
        self.lab, self.name, self.snaplen = lab, name, snaplen
        self.pcap = os.path.join(OUT, name + ".pcap")
        self.conns = []
        self.drops = []
        self.notes = {}

    def start_capture(self):
        self.lab.start_capture(self.pcap, self.snaplen)

    def conn(self, caddr, cport, saddr, sport=SPORT, **extra):
        self.conns.append(dict(client=(caddr, cport), server=(saddr, sport),
                               extra=extra))

    def drop(self, where, what):
        self.drops.append({"where": where, "what": what})

    def packets(self):
        return list(pcapread.packets(self.pcap))


# --------------------------------------------------------------------------
# small socket helpers

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise RuntimeError("unexpected EOF after %d bytes" % len(buf))
        buf += chunk
    return buf


def read_eof(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


def exchange(c, a, rounds=1, size=100):
    """Request/response: client sends `size` bytes, server answers."""
    for i in range(rounds):
        c.sendall(bytes([65 + i % 26]) * size)
        recv_exact(a, size)
        a.sendall(bytes([97 + i % 26]) * size)
        recv_exact(c, size)


def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def scapy_send(ns, pkt_expr, count_hint=""):
    """Send packets built by a scapy expression from inside namespace `ns`
    (a separate /usr/bin/python3, so scapy reads that namespace's routes).
    Uses kernel raw IP sockets (L3RawSocket), so no ARP games."""
    code = ("from scapy.all import *\n"
            "conf.L3socket = L3RawSocket\n"
            "send(%s, verbose=0)\n" % pkt_expr)
    L.run("/usr/bin/python3", "-c", code, ns=ns)


# --------------------------------------------------------------------------
# scenarios

C4, S4, C6, S6 = L.C4, L.S4, L.C6, L.S6


@scenario("normal_close_client",
          "Handshake, 3 request/response rounds of 100 bytes, client closes "
          "first (FIN, ACK), server reads EOF and closes (FIN, ACK). Kernel: "
          "client TIME_WAIT, server socket gone (CLOSED).",
          anomalies=CLEAN)
def s_normal_close_client(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 3)
    c.close()
    read_eof(a)
    a.close()
    time.sleep(0.3)


@scenario("normal_close_server",
          "Handshake, 3 request/response rounds, server closes first; client "
          "reads EOF and closes. Kernel: server TIME_WAIT, client CLOSED.",
          anomalies=CLEAN)
def s_normal_close_server(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 3)
    a.close()
    read_eof(c)
    c.close()
    time.sleep(0.3)


def never_closes(lab, ctx, family, caddr, saddr):
    lst = lab.listener(family=family)
    c, a = lab.connect_pair(lst, 40000, family)
    ctx.conn(caddr, 40000, saddr)
    exchange(c, a, 1)
    a.sendall(b"server-data-" * 10)
    recv_exact(c, 120)
    c.close()        # client FIN, server ACKs it; server app never closes
    time.sleep(IDLE_AFTER_CLOSE)
    mark_end(lab, ctx, family)


# Long enough for the stuck-state anomalies with --stuck-after 2s.
IDLE_AFTER_CLOSE = 3.0


def mark_end(lab, ctx, family=socket.AF_INET):
    """A pcap has no end-of-capture record: its end is its last packet.  So
    that an idle tail shows in the file, send one UDP datagram to the
    discard port just before the capture stops; the server's INPUT hook
    drops it (after the tap), so nothing answers."""
    lab.nft(L.NS_S, """table inet m { chain i {
        type filter hook input priority 0; udp dport 9 drop; } }""")
    ctx.drop("server input", "the end-of-capture marker (one UDP datagram "
             "to port 9)")
    u = lab.sock(L.NS_C, family, socket.SOCK_DGRAM)
    u.sendto(b"end", (S6 if family == socket.AF_INET6 else S4, 9))

SNC_DESC = ("Server sends a request/response round and 120 more bytes; client "
            "reads them and closes (FIN, ACKed by the server); the server "
            "application never reads EOF nor closes, and both stay idle "
            "~3 s; one UDP datagram to the discard port (dropped at the "
            "server's INPUT) marks the end of the capture. Kernel: client FIN_WAIT_2, server "
            "CLOSE_WAIT.")


def never_closes_anomalies(client):
    return expect_anomalies(
        expect=[want("close_wait_stuck", "server", client,
                     detail_contains="sent no data"),
                want("fin_wait_2_stuck", "client", client)],
        forbid=["retransmission", "lost_segment", "rst_teardown",
                "data_after_close", "last_ack_stuck"],
        why="the server ACKs the client's FIN and then neither closes nor "
        "sends anything for ~3 s (> --stuck-after 2s): CLOSE_WAIT stuck and "
        "idle; the client waits in FIN_WAIT_2 with a silent peer")


@scenario("server_never_closes", SNC_DESC,
          anomalies=never_closes_anomalies(CLIENT4))
def s_server_never_closes(lab, ctx):
    never_closes(lab, ctx, socket.AF_INET, C4, S4)


@scenario("ipv6_server_never_closes", "IPv6 version: " + SNC_DESC,
          anomalies=never_closes_anomalies(CLIENT6))
def s_ipv6_server_never_closes(lab, ctx):
    never_closes(lab, ctx, socket.AF_INET6, C6, S6)


@scenario("server_never_closes_offload",
          "Offload ON (TSO/GSO/tx-checksum left at veth defaults): capture "
          "shows unfinished TCP checksums. Server sends 40 KB in one send "
          "(GSO super-segment larger than the MTU on the tap), client reads "
          "it and closes; server app never closes; both idle ~3 s, then "
          "a UDP datagram to the discard port marks the end of the capture. "
          "Kernel: client FIN_WAIT_2, server CLOSE_WAIT.",
          offload=True, snaplen=128,
          anomalies=never_closes_anomalies(CLIENT4))
def s_server_never_closes_offload(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    a.sendall(b"x" * 40000)
    recv_exact(c, 40000)
    c.close()
    time.sleep(IDLE_AFTER_CLOSE)
    mark_end(lab, ctx)


@scenario("close_wait_sending",
          "One request/response round; the client calls shutdown(SHUT_WR) "
          "(FIN, ACKed) and keeps reading; the server application reads "
          "EOF but never closes: it keeps sending 200 bytes every 0.25 s "
          "for ~3 s in CLOSE_WAIT (12 segments, each ACKed by the client), "
          "and the capture ends ~0.4 s after the last one, marked by a UDP "
          "datagram to the discard port. Kernel: client "
          "FIN_WAIT_2, server CLOSE_WAIT.",
          anomalies=expect_anomalies(
              expect=[want("close_wait_stuck", "server",
                           detail_contains="kept sending data")],
              forbid=["fin_wait_2_stuck", "data_after_close",
                      "retransmission", "rst_teardown"],
              why="CLOSE_WAIT for ~3.3 s (> --stuck-after 2s) while still "
              "sending: stuck, but not idle; the client's peer is never "
              "silent for 2 s, so FIN_WAIT_2 is not stuck; the data follows "
              "the client's FIN, not the server's own"))
def s_close_wait_sending(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    c.shutdown(socket.SHUT_WR)
    read_eof(a)
    for i in range(12):
        a.sendall(bytes([48 + i]) * 200)
        time.sleep(0.25)
    recv_exact(c, 2400)
    time.sleep(0.1)
    mark_end(lab, ctx)


@scenario("close_wait_idle",
          "One request/response round; the client calls shutdown(SHUT_WR) "
          "(FIN, ACKed); the server application reads EOF and then does "
          "nothing: neither sends nor closes, for ~3 s; then a UDP datagram "
          "to the discard port marks the end of the capture. Kernel: client FIN_WAIT_2, server CLOSE_WAIT.",
          anomalies=expect_anomalies(
              expect=[want("close_wait_stuck", "server",
                           detail_contains="sent no data"),
                      want("fin_wait_2_stuck", "client")],
              forbid=["data_after_close", "retransmission", "rst_teardown"],
              why="CLOSE_WAIT for ~3 s (> --stuck-after 2s) without sending "
              "anything: stuck and idle; the client's peer is silent, so "
              "FIN_WAIT_2 is stuck too"))
def s_close_wait_idle(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    c.shutdown(socket.SHUT_WR)
    read_eof(a)
    time.sleep(IDLE_AFTER_CLOSE)
    mark_end(lab, ctx)


@scenario("half_close",
          "Client sends a request then shutdown(SHUT_WR) (FIN, ACKed); the "
          "server keeps sending 10 x 1000 bytes over ~1 s into the half-open "
          "connection, client ACKs and reads them; then the server closes "
          "(FIN) and the client, in FIN_WAIT_2, ACKs it and closes its fd. "
          "Kernel: client TIME_WAIT, server CLOSED.",
          anomalies=expect_anomalies(
              forbid=["close_wait_stuck", "data_after_close",
                      "retransmission", "rst_teardown", "fin_wait_2_stuck"],
              why="the server sends into the half-closed connection only "
              "~1 s, then closes: no stuck state; its data follows the "
              "client's FIN, not its own, so it is not data_after_close"))
def s_half_close(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    c.sendall(b"GET everything\n")
    c.shutdown(socket.SHUT_WR)
    read_eof(a)
    for i in range(10):
        a.sendall(bytes([48 + i]) * 1000)
        time.sleep(0.1)
    recv_exact(c, 10000)
    a.close()
    read_eof(c)
    c.close()
    time.sleep(0.3)


@scenario("abortive_close",
          "One request/response round, then the client sets SO_LINGER "
          "{on, 0} and closes: it sends RST instead of FIN. Kernel: no "
          "socket left on either side (both CLOSED).",
          anomalies=expect_anomalies(
              expect=[want("rst_teardown", "client")],
              forbid=["rst_ignored", "refused", "data_after_close"],
              why="SO_LINGER {1,0}: the client's close sends an acceptable "
              "RST (seq = the server's RCV.NXT)"))
def s_abortive_close(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    linger0(c)
    c.close()
    time.sleep(0.3)


@scenario("close_unread_data",
          "Client sends a request; the server answers 500 bytes that the "
          "client never reads; the client closes with unread data in its "
          "receive queue, so Linux sends RST (no FIN). Kernel: both CLOSED.",
          anomalies=expect_anomalies(
              expect=[want("rst_teardown", "client")],
              forbid=["rst_ignored", "refused", "data_after_close"],
              why="close with unread data: the client sends an acceptable "
              "RST instead of a FIN"))
def s_close_unread_data(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    c.sendall(b"q" * 50)
    recv_exact(a, 50)
    a.sendall(b"r" * 500)
    time.sleep(0.2)
    c.close()
    time.sleep(0.3)


@scenario("refused",
          "Client SYN to 198.18.0.2:8001 where nothing listens; the server "
          "kernel answers RST+ACK; connect() fails with ECONNREFUSED. "
          "Kernel: both CLOSED.",
          anomalies=expect_anomalies(
              expect=[want("refused", "server")],
              forbid=["rst_teardown", "syn_unanswered", "retransmission"],
              why="nothing listens on 8001: the SYN is answered by RST+ACK"))
def s_refused(lab, ctx):
    c = lab.client(40000)
    ctx.conn(C4, 40000, S4, 8001)
    err = c.connect_ex((S4, 8001))
    ctx.notes["connect_errno"] = err
    time.sleep(0.3)


@scenario("synack_lost_after_tap",
          "nft drops every SYN-ACK at the client's INPUT hook (after the "
          "tap): the tap sees the client SYN and its retransmissions (about "
          "one a second: linear SYN timeouts) and the server SYN-ACKs and "
          "their retransmissions, none "
          "acknowledged. Kernel after ~3.6 s: client SYN_SENT, server "
          "SYN_RECEIVED (embryonic request socket).",
          anomalies=expect_anomalies(
              expect=[want("half_open_handshake", "server"),
                      want("retransmission", "client"),
                      want("retransmission", "server")],
              forbid=["syn_unanswered", "refused", "rst_teardown"],
              allow=["duplicate_packet"],
              why="the SYN-ACKs are on the tap but never reach the client: "
              "the server never gets the final ACK (half-open, SYN-ACK "
              "retransmitted) and the client, in SYN_SENT, retransmits its "
              "SYN; the SYN was answered, so not syn_unanswered. Allowed: "
              "Linux answers a retransmitted SYN with a SYN-ACK that is "
              "byte-identical (IP ID 0, same TSval) to the one its own timer "
              "sends microseconds later; no capture can tell that copy from "
              "a duplicate"))
def s_synack_lost(lab, ctx):
    lab.nft(L.NS_C, """table inet t { chain i {
        type filter hook input priority 0;
        ip saddr 198.18.0.2 tcp flags & (syn|ack) == syn|ack drop; } }""")
    ctx.drop("client input", "every SYN-ACK from the server")
    lab.listener()
    c = lab.client(40000)
    ctx.conn(C4, 40000, S4)
    c.setblocking(False)
    c.connect_ex((S4, SPORT))
    time.sleep(3.6)


@scenario("final_ack_lost_after_tap",
          "Client closes first (FIN, ACKed: client FIN_WAIT_2), then nft at "
          "the server's INPUT hook starts dropping everything from the "
          "client and the server closes: its FIN reaches the client (TIME_"
          "WAIT), whose final ACK is seen on the tap but dropped at the "
          "server; the server retransmits its FIN (exponential backoff) and "
          "each re-ACK is dropped too. Kernel: client TIME_WAIT, server "
          "LAST_ACK.",
          anomalies=expect_anomalies(
              expect=[want("last_ack_stuck", "server"),
                      want("retransmission", "server")],
              forbid=["fin_wait_1_stuck", "close_wait_stuck",
                      "rst_teardown", "lost_segment"],
              allow=["duplicate_ack"],
              why="the server's FIN is retransmitted 5x (its ACK is lost "
              "after the tap): LAST_ACK stuck; the client's re-ACKs of the "
              "repeated FIN are duplicate ACKs"))
def s_final_ack_lost(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    c.close()
    read_eof(a)
    time.sleep(0.1)
    lab.nft(L.NS_S, """table inet t { chain i {
        type filter hook input priority 0;
        ip saddr 198.18.0.1 tcp sport 40000 drop; } }""")
    ctx.drop("server input", "everything from the client after the server's "
             "FIN: the final ACK and its repeats")
    a.close()
    time.sleep(1.6)


@scenario("fin_ack_lost_after_tap",
          "nft at the server's INPUT hook drops everything from the client, "
          "then the server closes first: the FIN reaches the client "
          "(CLOSE_WAIT, the app never closes), the client's ACK is seen on "
          "the tap but dropped at the server, which retransmits the FIN "
          "with backoff (each re-ACK dropped). Kernel: server FIN_WAIT_1, "
          "client CLOSE_WAIT.",
          anomalies=expect_anomalies(
              expect=[want("fin_wait_1_stuck", "server"),
                      want("retransmission", "server")],
              forbid=["last_ack_stuck", "rst_teardown", "lost_segment"],
              allow=["duplicate_ack"],
              why="the server's FIN is retransmitted 4x (the ACK is lost "
              "after the tap): FIN_WAIT_1 stuck; the client's re-ACKs are "
              "duplicate ACKs; the client's CLOSE_WAIT lasts < 2 s"))
def s_fin_ack_lost(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    lab.nft(L.NS_S, """table inet t { chain i {
        type filter hook input priority 0;
        ip saddr 198.18.0.1 tcp sport 40000 drop; } }""")
    ctx.drop("server input", "everything from the client after the server's "
             "FIN: the ACK of that FIN and its repeats")
    a.close()
    time.sleep(1.6)


@scenario("zero_window",
          "Server listener has SO_RCVBUF 4096 and the server app never "
          "reads; the client writes non-blocking until EAGAIN. The receive "
          "window fills and drops to 0; the client then sends zero-window "
          "probes (seq SND.UNA-1) with exponential backoff, answered by "
          "window-0 ACKs (the receiver may skip one: tcp_invalid_ratelimit). "
          "Snaplen 96. Kernel: both ESTABLISHED (client Send-Q full, "
          "server Recv-Q full).", snaplen=96,
          anomalies=expect_anomalies(
              expect=[want("zero_window", "server"),
                      want("zero_window_probe", "client"),
                      want("window_full", "client")],
              forbid=["keepalive", "lost_segment", "rst_teardown"],
              allow=["duplicate_ack", "retransmission"],
              why="the receiver never reads: the client fills the window, "
              "the server advertises 0, the client probes it (Linux probes "
              "with seq SND.UNA-1 and no data: they are zero-window probes, "
              "not keep-alives: no SO_KEEPALIVE); the server's window-0 "
              "answers may repeat; the tiny receive buffer makes the stack "
              "retransmit one early segment (D-SACKed on the tap)"))
def s_zero_window(lab, ctx):
    lst = lab.listener(rcvbuf=4096)
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    c.setblocking(False)
    sent = 0
    deadline = time.time() + 3
    while time.time() < deadline:
        try:
            sent += c.send(b"z" * 4096)
        except BlockingIOError:
            time.sleep(0.05)
            try:
                sent += c.send(b"z" * 4096)
            except BlockingIOError:
                break
    ctx.notes["client_bytes_buffered"] = sent
    time.sleep(4.0)


@scenario("loss_before_tap",
          "One 300-byte data segment is lost before the tap without the "
          "client's TCP knowing (an nft OUTPUT drop would not do: TCP sees "
          "the error and sends the segment later as if new): the client's "
          "neighbour entry for the server is deleted with ARP solicitation "
          "off, so the neighbour layer discards the segment silently; the "
          "entry is restored and the client (TCP_NODELAY) sends 100 more "
          "bytes, which the tap sees after a 300-byte sequence gap. The "
          "server SACKs them and the client retransmits the lost segment "
          "(the only copy on the tap); then a normal exchange and "
          "client-first close. Kernel: client TIME_WAIT, server CLOSED.",
          anomalies=expect_anomalies(
              expect=[want("lost_segment", "client")],
              forbid=["spurious_retransmission", "duplicate_packet",
                      "rst_teardown"],
              allow=["retransmission", "fast_retransmission",
                     "out_of_order", "duplicate_ack"],
              why="one data segment is lost before the tap and the next one "
              "is seen: a sequence gap; the segment that later fills it is "
              "the sender's retransmission (any retransmission class), "
              "after the server's SACK duplicate ACK"))
def s_loss_before_tap(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    exchange(c, a, 1)
    mac = json.loads(L.run("ip", "-j", "link", "show", L.DEV_S,
                           ns=L.NS_S))[0]["address"]
    key = "net.ipv4.neigh.%s.mcast_solicit" % L.DEV_C
    solicit = L.run("sysctl", "-n", key, ns=L.NS_C).strip()
    L.run("sysctl", "-qw", "%s=0" % key, ns=L.NS_C)
    L.run("ip", "neigh", "del", S4, "dev", L.DEV_C, ns=L.NS_C)
    c.sendall(b"L" * 300)         # neighbour FAILED: silently discarded
    L.run("ip", "neigh", "replace", S4, "lladdr", mac, "dev", L.DEV_C,
          "nud", "reachable", ns=L.NS_C)
    L.run("sysctl", "-qw", "%s=%s" % (key, solicit), ns=L.NS_C)
    c.sendall(b"M" * 100)         # on the tap after the gap
    ctx.drop("client neighbour layer (before the tap)",
             "the first 300-byte data segment (once, silently)")
    ctx.notes["lost_before_tap"] = "client seq +101..+401 (relative)"
    recv_exact(a, 400)            # the gap is filled by the retransmission
    a.sendall(b"k" * 100)
    recv_exact(c, 100)
    exchange(c, a, 1)
    c.close()
    read_eof(a)
    a.close()
    time.sleep(0.3)


@scenario("loss_after_tap",
          "nft at the server's INPUT hook (after the tap) drops exactly one "
          "300-byte data segment: the tap sees it twice (original, then "
          "the retransmission). Then a normal exchange and client-first "
          "close. Kernel: client TIME_WAIT, server CLOSED.",
          anomalies=expect_anomalies(
              expect=[want("retransmission", "client")],
              forbid=["lost_segment", "spurious_retransmission",
                      "duplicate_packet", "rst_teardown"],
              why="the segment is on the tap twice (lost after it): a "
              "retransmission, no sequence gap"))
def s_loss_after_tap(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    lab.nft(L.NS_S, """table inet t { chain i {
        type filter hook input priority 0;
        ip saddr 198.18.0.1 tcp sport 40000 ip length > 250 drop; } }""")
    c.sendall(b"L" * 300)         # seen by the tap, dropped at the server
    lab.nft_flush(L.NS_S)
    ctx.drop("server input", "the first 300-byte data segment (once)")
    recv_exact(a, 300)
    a.sendall(b"k" * 100)
    recv_exact(c, 100)
    exchange(c, a, 1)
    c.close()
    read_eof(a)
    a.close()
    time.sleep(0.3)


@scenario("simultaneous_close",
          "Both applications close within microseconds while a tbf qdisc "
          "(8 kbit/s, 100-byte bucket drained by one UDP datagram to the "
          "discard port, dropped at the peer's INPUT) on each veth holds "
          "the already-built FIN ~60 ms: both FINs are on the wire at once "
          "and neither acknowledges the other (crossing FINs), each side "
          "gets the peer's FIN in FIN_WAIT_1 (CLOSING: notes."
          "ss_between_fins_and_acks shows both), then the ACKs. "
          "Kernel: both TIME_WAIT.",
          anomalies=expect_anomalies(
              expect=[want("simultaneous_close", "client"),
                      want("simultaneous_close", "server")],
              forbid=["retransmission", "rst_teardown", "fin_wait_1_stuck"],
              why="crossing FINs: both endpoints go through CLOSING"))
def s_simultaneous_close(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 2)
    time.sleep(0.2)  # let delayed ACKs go before the shapers are installed
    for ns in (L.NS_C, L.NS_S):
        lab.nft(ns, """table inet t { chain i {
            type filter hook input priority 0; udp dport 9 drop; } }""")
    ctx.drop("client input", "one UDP datagram to port 9 (token drain)")
    ctx.drop("server input", "one UDP datagram to port 9 (token drain)")
    uc = lab.sock(L.NS_C, kind=socket.SOCK_DGRAM)
    us = lab.sock(L.NS_S, kind=socket.SOCK_DGRAM)
    for ns, dev in ((L.NS_C, L.DEV_C), (L.NS_S, L.DEV_S)):
        L.run("tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate",
              "8kbit", "burst", "100", "limit", "10000", ns=ns)
    uc.sendto(b"d" * 50, (S4, 9))   # 92-byte frame: bucket nearly empty
    us.sendto(b"d" * 50, (C4, 9))
    c.close()
    a.close()
    time.sleep(0.09)  # FINs have crossed (~60 ms), ACKs still held
    ctx.notes["ss_between_fins_and_acks"] = {
        "client": [r[3] for r in L.Lab.ss(L.NS_C)],
        "server": [r[3] for r in L.Lab.ss(L.NS_S)]}
    time.sleep(1.4)
    for ns, dev in ((L.NS_C, L.DEV_C), (L.NS_S, L.DEV_S)):
        L.run("tc", "qdisc", "del", "dev", dev, "root", ns=ns)
    time.sleep(0.2)


@scenario("port_reuse",
          "First connection from 198.18.0.1:40000: server closes first, so "
          "the server holds TIME_WAIT and the client ends CLOSED. A new "
          "client socket binds the same port and connects: the SYN hits "
          "the server's TIME_WAIT socket, which accepts it (newer "
          "timestamp) and a second incarnation of the same 4-tuple is "
          "established and exchanges data. Expected lists the 4-tuple "
          "twice, in order: incarnation 0 ends CLOSED/CLOSED (its TIME_WAIT "
          "was taken over; ss_before_reuse shows the snapshot), incarnation "
          "1 is ESTABLISHED on both sides.",
          anomalies=expect_anomalies(
              expect=[want("port_reuse", "client", incarnation=1)],
              forbid=["rst_teardown", "half_open_handshake",
                      "retransmission"],
              why="the second SYN reuses the 4-tuple of the first "
              "connection, whose server is in TIME_WAIT"))
def s_port_reuse(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    exchange(c, a, 1)
    a.close()
    read_eof(c)
    c.close()
    time.sleep(0.3)
    snap_c, snap_s = L.Lab.ss(L.NS_C), L.Lab.ss(L.NS_S)
    ctx.conn(C4, 40000, S4, incarnation=0,
             fixed_states=("CLOSED", "CLOSED"),
             ss_before_reuse={"client": [r[3] for r in snap_c],
                              "server": [r[3] for r in snap_s]})
    time.sleep(0.2)
    c2, a2 = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4, incarnation=1)
    exchange(c2, a2, 2)
    time.sleep(0.2)


@scenario("keepalive",
          "Client enables SO_KEEPALIVE with TCP_KEEPIDLE 1 s, "
          "TCP_KEEPINTVL 1 s, one exchange, then both stay idle ~3.6 s: "
          "the tap shows keep-alive probes (seq = SND.NXT-1, no data) each "
          "answered by a server ACK. Kernel: both ESTABLISHED.",
          anomalies=expect_anomalies(
              expect=[want("keepalive", "client", min_count=3)],
              forbid=["retransmission", "spurious_retransmission",
                      "out_of_order", "lost_segment"],
              why="3 keep-alive probes (seq SND.NXT-1, no data), each "
              "ACKed: keep-alives, never retransmissions"))
def s_keepalive(lab, ctx):
    lst = lab.listener()
    opts = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
            (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1),
            (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1),
            (socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 9)]
    c, a = lab.connect_pair(lst, 40000, opts=opts)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    time.sleep(3.6)


@scenario("mid_stream",
          "Handshake and 5 request/response rounds happen before tcpdump "
          "starts; the capture holds only 5 more rounds of 100-byte data "
          "(no SYN, no FIN). Kernel: both ESTABLISHED.",
          early_capture=False,
          anomalies=expect_anomalies(
              expect=[want("mid_stream", "client")],
              forbid=["lost_segment", "retransmission"],
              why="the capture starts after the handshake"))
def s_mid_stream(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 5)
    time.sleep(0.3)
    ctx.start_capture()
    exchange(c, a, 5)
    time.sleep(0.3)


@scenario("ipv6",
          "IPv6 [2001:db8::1]:40000 -> [2001:db8::2]:8000: handshake, 3 "
          "request/response rounds, client closes first, server closes. "
          "Kernel: client TIME_WAIT, server CLOSED.",
          anomalies=CLEAN)
def s_ipv6(lab, ctx):
    lst = lab.listener(family=socket.AF_INET6)
    c, a = lab.connect_pair(lst, 40000, socket.AF_INET6)
    ctx.conn(C6, 40000, S6)
    exchange(c, a, 3)
    c.close()
    read_eof(a)
    a.close()
    time.sleep(0.3)


@scenario("options_off",
          "tcp_timestamps=0, tcp_sack=0, tcp_window_scaling=0 in both "
          "namespaces: SYNs carry only MSS; 20 KB request and 20 KB reply, "
          "client closes first. Kernel: client TIME_WAIT, server CLOSED.",
          sysctls={"net.ipv4.tcp_timestamps": 0, "net.ipv4.tcp_sack": 0,
                   "net.ipv4.tcp_window_scaling": 0}, snaplen=128,
          anomalies=CLEAN)
def s_options_off(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1, size=20000)
    c.close()
    read_eof(a)
    a.close()
    time.sleep(0.3)


def last_seq_to(pkts, src, dst, dport):
    """RCV.NXT of the receiver `dst:dport`, from the last segment to it."""
    nxt = None
    for p in pkts:
        if p["src"] == src and p["dst"] == dst and p["dport"] == dport:
            end = p["seq"] + p["len"] + (1 if "S" in p["f"] else 0) + \
                (1 if "F" in p["f"] else 0)
            if nxt is None or ((end - nxt) & 0xffffffff) < 0x80000000:
                nxt = end & 0xffffffff
    return nxt


@scenario("forged_rst_ignored",
          "After 2 request/response rounds, scapy in the server namespace "
          "injects two RSTs spoofed as 198.18.0.2:8000 toward the client: "
          "one with seq RCV.NXT+2^30 (far outside the window: silently "
          "dropped), one with seq RCV.NXT+1000 (in window but not exactly "
          "RCV.NXT: the client answers with a challenge ACK, RFC 5961). "
          "Data then flows for 2 more rounds. Kernel: both ESTABLISHED.",
          anomalies=expect_anomalies(
              expect=[want("rst_ignored", min_count=2)],
              forbid=["rst_teardown"],
              allow=["duplicate_ack"],
              why="neither forged RST is at RCV.NXT: both ignored and the "
              "connection stays ESTABLISHED; the client's challenge ACK "
              "repeats its last ACK"))
def s_forged_rst(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 2)
    time.sleep(0.3)
    nxt = last_seq_to(ctx.packets(), S4, C4, 40000)
    far = (nxt + (1 << 30)) & 0xffffffff
    near = (nxt + 1000) & 0xffffffff
    ctx.notes["client_rcv_nxt"] = nxt
    ctx.notes["forged_rst_seqs"] = [far, near]
    for seq in (far, near):
        scapy_send(L.NS_S, "IP(src='%s',dst='%s')/TCP(sport=8000,"
                   "dport=40000,flags='R',seq=%d,window=0)" % (S4, C4, seq))
        time.sleep(0.3)
    exchange(c, a, 2)
    time.sleep(0.2)


@scenario("bulk_offload",
          "Offload ON (veth defaults: TSO/GSO on, tx checksum offload): "
          "the server sends 1 MB in one sendall; the tap shows GSO "
          "super-segments far above the 1500-byte MTU and unfinished TCP "
          "checksums; snaplen 128. Server closes first after sending, "
          "client reads to EOF and closes. Kernel: server TIME_WAIT, "
          "client CLOSED.", offload=True, snaplen=128,
          anomalies=expect_anomalies(
              forbid=["lost_segment", "duplicate_packet", "rst_teardown",
                      "out_of_order"],
              allow=["window_full", "zero_window", "retransmission"],
              why="GSO super-segments must not look like gaps, duplicates "
              "or reordering; a bulk sender may fill the reader's window "
              "(window_full, and the reader may briefly advertise a zero "
              "window), and Linux's tail loss probe really resends the last "
              "MSS of a burst after ~2 RTT (this capture: pkts 23 and 53, "
              "which TShark flags the same way)"))
def s_bulk_offload(lab, ctx):
    lst = lab.listener()
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    def sender():  # the server writes while the client reads
        a.sendall(b"B" * (1 << 20))
        a.close()
    t = threading.Thread(target=sender)
    t.start()
    got = read_eof(c)
    t.join()
    ctx.notes["bytes_received"] = len(got)
    c.close()
    time.sleep(0.3)


FLOOD_DESC = (
    "A real listener (backlog %d) on 198.18.0.2:8000 gets 200 SYNs sent by "
    "scapy from spoofed sources 198.18.128.1-200 (ports 1025-1224), before "
    "the real client. The server routes 198.18.128.0/17 via the client, so "
    "its SYN-ACKs cross the tap; the client namespace drops them at "
    "PREROUTING (after the tap) and never answers. %s A real client "
    "198.18.0.1:40000 then connects and exchanges data (ESTABLISHED both); "
    "the capture runs 4 s more, past the 1 s and 3 s SYN-ACK retransmissions. "
    "Spoofed connections carry client_spoofed: true (no client socket "
    "exists; only the server side is compared).")


def syn_flood(lab, ctx, backlog):
    lst = lab.listener(backlog=backlog)
    L.run("ip", "route", "add", "198.18.128.0/17", "via", C4, ns=L.NS_S)
    lab.nft(L.NS_C, """table inet t { chain p {
        type filter hook prerouting priority -300;
        ip daddr 198.18.128.0/17 drop; } }""")
    ctx.drop("client input", "server SYN-ACKs to the spoofed sources "
             "(prerouting hook, after the tap)")
    n = 200
    scapy_send(L.NS_C, "[IP(src='198.18.128.%%d' %% (i+1), dst='%s')/"
               "TCP(sport=1025+i, dport=8000, flags='S', seq=1000000*i, "
               "options=[('MSS',1460)]) for i in range(%d)]" % (S4, n))
    for i in range(n):
        ctx.conn("198.18.128.%d" % (i + 1), 1025 + i, S4, client_spoofed=True)
    time.sleep(0.3)
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 1)
    time.sleep(4.0)


# Both flood scenarios (with and without SYN cookies) expect the same.
SYN_FLOOD_EXPECT = expect_anomalies(
    expect=[want_host("syn_flood", "198.18.0.2"),
            want("half_open_handshake", "server",
                 client="198.18.128.1:1025"),
            want("half_open_handshake", "server",
                 client="198.18.128.200:1224")],
    forbid=["syn_unanswered", "refused", "rst_teardown",
            {"kind": "half_open_handshake", "client": CLIENT4}],
    allow=["half_open_handshake", "retransmission"],
    args=SYN_FLOOD_ARGS,
    why="200 spoofed SYNs from 200 sources within 1 s, answered "
    "and never completed: a SYN flood at the server (thresholds "
    "lowered on the command line); each spoofed handshake is "
    "half-open (SYN-ACK retransmitted, or a SYN cookie: never "
    "retransmitted); the real client completes its handshake")


@scenario("syn_flood", FLOOD_DESC % (
    256, "The SYN queue never fills, so every spoofed SYN gets a request "
    "socket (SYN_RECEIVED in ss) whose SYN-ACK is retransmitted after 1 s; "
    "no SYN cookies."), snaplen=128,
          anomalies=SYN_FLOOD_EXPECT)
def s_syn_flood(lab, ctx):
    syn_flood(lab, ctx, 256)


@scenario("syn_flood_cookies", FLOOD_DESC % (
    64, "The first 65 get request sockets (SYN_RECEIVED in ss, SYN-ACK "
    "retransmitted after 1 s); then the queue is full and the other 135 get "
    "SYN-cookie SYN-ACKs: no state at all (CLOSED in the kernel), never "
    "retransmitted. That missing retransmission is the only hint in the "
    "capture."), snaplen=128,
          anomalies=SYN_FLOOD_EXPECT)
def s_syn_flood_cookies(lab, ctx):
    syn_flood(lab, ctx, 64)


@scenario("duplicate_packets",
          "A netdev egress hook on the server's veth duplicates every "
          "server->client TCP segment (nft `dup to device`), so each one "
          "crosses the wire and the tap twice and the client kernel really "
          "receives duplicates (it answers each duplicate with a "
          "duplicate ACK, D-SACK for data). 3 request/response rounds, client "
          "closes first. Kernel: client TIME_WAIT, server CLOSED.",
          anomalies=expect_anomalies(
              expect=[want("duplicate_packet", "server")],
              forbid=["retransmission", "spurious_retransmission",
                      "out_of_order"],
              allow=["duplicate_ack"],
              why="every server segment is on the tap twice: duplicates, "
              "not retransmissions; the client really receives them and "
              "answers with duplicate (D-SACK) ACKs"))
def s_duplicate_packets(lab, ctx):
    lst = lab.listener()
    lab.nft(L.NS_S, """table netdev t { chain e {
        type filter hook egress device "%s" priority 0;
        meta mark 0 ip protocol tcp meta mark set 7 dup to "%s"; } }"""
            % (L.DEV_S, L.DEV_S))
    c, a = lab.connect_pair(lst, 40000)
    ctx.conn(C4, 40000, S4)
    exchange(c, a, 3)
    c.close()
    read_eof(a)
    a.close()
    time.sleep(0.3)


# --------------------------------------------------------------------------
# driver

def read_sysctls():
    res = {}
    for side, ns in (("client", L.NS_C), ("server", L.NS_S)):
        vals = {}
        for k in SYSCTL_KEYS:
            out = subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-n",
                                  k], capture_output=True, text=True)
            if out.returncode == 0:
                vals[k] = " ".join(out.stdout.split())
        res[side] = vals
    return res


def find_state(rows, local, peer):
    for state, loc, pr, raw in rows:
        if state == "LISTEN":
            continue
        if loc == local and pr == peer:
            return L.SS_STATES.get(state, state), raw
    return "CLOSED", ""


def summarize(pkts):
    s = {"packets": len(pkts), "syn": 0, "synack": 0, "fin": 0, "rst": 0,
         "data_segments": 0, "max_wire_len": 0}
    for p in pkts:
        f = p["f"]
        if "S" in f:
            s["synack" if "A" in f else "syn"] += 1
        s["fin"] += "F" in f
        s["rst"] += "R" in f
        s["data_segments"] += p["len"] > 0
        s["max_wire_len"] = max(s["max_wire_len"], p["wirelen"])
    return s


def run_scenario(name):
    sc = SCENARIOS[name]
    lab = L.Lab(offload=sc["offload"], sysctls=sc["sysctls"])
    ctx = Ctx(lab, name, sc["snaplen"])
    t0 = time.time()
    try:
        lab.up()
        sysctls = read_sysctls()
        if sc["early_capture"]:
            ctx.start_capture()
        sc["fn"](lab, ctx)
        rows_c, rows_s = L.Lab.ss(L.NS_C), L.Lab.ss(L.NS_S)
        lab.stop_capture()
    finally:
        lab.down()
    conns = []
    for cn in ctx.conns:
        (ca, cp), (sa, sp) = cn["client"], cn["server"]
        extra = dict(cn["extra"])
        cst, craw = find_state(rows_c, L.ep(ca, cp), L.ep(sa, sp))
        sst, sraw = find_state(rows_s, L.ep(sa, sp), L.ep(ca, cp))
        fixed = extra.pop("fixed_states", None)
        if fixed:
            cst, sst, craw, sraw = fixed[0], fixed[1], "", ""
        if extra.get("client_spoofed"):
            cst, craw = "CLOSED", ""
        rec = {"client": L.ep(ca, cp), "server": L.ep(sa, sp),
               "client_addr": ca, "client_port": cp,
               "server_addr": sa, "server_port": sp,
               "client_state": cst, "server_state": sst,
               "ss_client": craw, "ss_server": sraw}
        rec.update(extra)
        conns.append(rec)
    exp = {
        "scenario": name,
        "description": sc["description"],
        "offload": sc["offload"],
        "tap": "client veth (%s in netns %s)" % (L.DEV_C, L.NS_C),
        "snaplen": sc["snaplen"],
        "drops": ctx.drops,
        "kernel": os.uname().release,
        "sysctls": sysctls,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "capture_summary": summarize(ctx.packets()),
        "notes": ctx.notes,
        "ss_all": {"client": [r[3] for r in rows_c],
                   "server": [r[3] for r in rows_s]},
        "connections": conns,
    }
    if sc["anomalies"] is not None:
        exp["anomalies"] = sc["anomalies"]
    write_expected(name, exp)
    short = ", ".join("%s/%s" % (c["client_state"], c["server_state"])
                      for c in conns[:4])
    if len(conns) > 4:
        short += ", ... (%d connections)" % len(conns)
    print("%-28s %5.1fs  %s" % (name, time.time() - t0, short), flush=True)


def write_expected(name, exp):
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(exp, f, indent=1)
        f.write("\n")


def rewrite_expectations(names):
    """Rewrite only the "anomalies" field of existing expected files from
    the tables above; the captures and every other field stay as they
    are (no namespaces, no root needed)."""
    failed = 0
    for n in names:
        path = os.path.join(OUT, n + ".expected.json")
        if not os.path.exists(path):
            print("%-28s no %s (run the scenario first)" % (n, path),
                  file=sys.stderr)
            failed += 1
            continue
        with open(path) as f:
            exp = json.load(f)
        if SCENARIOS[n]["anomalies"] is None:
            exp.pop("anomalies", None)
        else:
            exp["anomalies"] = SCENARIOS[n]["anomalies"]
        write_expected(n, exp)
        print("%-28s anomalies rewritten" % n)
    return 1 if failed else 0


def verify_tap():
    """Experiment: which nft drop points does the client-side tap see?"""
    results = {}
    for where, ns, hook, rule in (
            ("client output", L.NS_C, "output", "ip daddr 198.18.0.2"),
            ("client input", L.NS_C, "input", "ip saddr 198.18.0.2"),
            ("server output", L.NS_S, "output", "ip daddr 198.18.0.1"),
            ("server input", L.NS_S, "input", "ip saddr 198.18.0.1")):
        lab = L.Lab()
        path = "/tmp/tcpst-verify-tap.pcap"
        try:
            lab.up()
            lab.start_capture(path)
            lab.nft(ns, "table inet t { chain x { type filter hook %s "
                    "priority 0; %s udp dport 9 drop; } }" % (hook, rule))
            # output drop: the rule's namespace sends; input: the other one
            sender = ns if hook == "output" else (
                L.NS_S if ns == L.NS_C else L.NS_C)
            src_ns, dst = ((L.NS_C, L.S4) if sender == L.NS_C
                           else (L.NS_S, L.C4))
            u = lab.sock(src_ns, kind=socket.SOCK_DGRAM)
            for _ in range(3):
                try:
                    u.sendto(b"probe", (dst, 9))
                except PermissionError:  # an OUTPUT drop reports EPERM
                    pass
            time.sleep(0.3)
            lab.stop_capture()
        finally:
            lab.down()
        out = subprocess.run(["tcpdump", "-nr", path, "udp port 9"],
                             capture_output=True, text=True).stdout
        seen = len(out.splitlines())
        results[where] = seen
        print("drop at %-14s: 3 UDP datagrams sent, tap saw %d -> %s" %
              (where, seen, "after the tap" if seen else "before the tap"))
    return results


def main(argv):
    if "--list" in argv:
        for n, sc in SCENARIOS.items():
            print(n)
        return 0
    if "--rewrite-expectations" in argv:
        names = [a for a in argv if a != "--rewrite-expectations"] or \
            list(SCENARIOS)
        bad = [n for n in names if n not in SCENARIOS]
        if bad:
            print("unknown scenario(s): %s (see --list)" % ", ".join(bad),
                  file=sys.stderr)
            return 2
        return rewrite_expectations(names)
    probs = L.check_tools()
    if probs:
        for p in probs:
            print("generate.py: " + p, file=sys.stderr)
        return 2
    if "--verify-tap" in argv:
        verify_tap()
        return 0
    names = argv or list(SCENARIOS)
    bad = [n for n in names if n not in SCENARIOS]
    if bad:
        print("unknown scenario(s): %s (see --list)" % ", ".join(bad),
              file=sys.stderr)
        return 2
    os.makedirs(OUT, exist_ok=True)
    failed = []
    try:
        for n in names:
            try:
                run_scenario(n)
            except Exception as e:  # keep going, report at the end
                failed.append(n)
                print("%-28s FAILED: %s" % (n, e), file=sys.stderr,
                      flush=True)
    finally:
        L.delete_namespaces()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
