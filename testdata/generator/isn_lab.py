#!/usr/bin/python3
"""ISN-analysis captures (issue 4): run as root with /usr/bin/python3.

    /usr/bin/python3 testdata/generator/isn_lab.py [SCENARIO ...]

Writes testdata/captures/isn_SCENARIO.pcap and isn_SCENARIO.expected.json
(read by tests/e2e/check_isn.py).  Own namespaces, so it can run beside
generate.py:

    netns isn-p [isn-pd 198.18.4.1/24]  -- veth --  netns isn-t [isn-td 198.18.4.2/24]
                                                     + 198.18.4.3: a scapy
                                                       responder (no address)

Scenarios:
  nmap      nmap -O (Debian's nmap) against the Linux target (22 open, 81
            closed); nmap's normal output with -d --reason is kept beside
            the capture as isn_nmap.nmap.txt (its SEQ line is the oracle).
  fixed     scapy at 198.18.4.3 answers 20 kernel SYNs with ISNs +64000.
  constant  the same with one constant ISN.
  linux     real Linux: 12 connections to and 12 from the target, and one
            4-tuple reused 5 times in each direction (aborted with RST).
"""

import json
import os
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "captures")
NS_P, NS_T = "isn-p", "isn-t"
DEV_P, DEV_T = "isn-pd", "isn-td"
P4, T4, FAKE4 = "198.18.4.1", "198.18.4.2", "198.18.4.3"
FIXED_BASE, FIXED_STEP, FIXED_N = 0xFFF00000, 64000, 20
CONST_ISN = 0x12345678

sys.path.insert(0, HERE)
from lab import InNs, run  # noqa: E402


def up():
    down()
    run("ip", "netns", "add", NS_P)
    run("ip", "netns", "add", NS_T)
    run("ip", "link", "add", DEV_P, "netns", NS_P, "type", "veth", "peer",
        "name", DEV_T, "netns", NS_T)
    for ns, dev, a4 in ((NS_P, DEV_P, P4), (NS_T, DEV_T, T4)):
        run("ip", "link", "set", "lo", "up", ns=ns)
        run("ip", "addr", "add", a4 + "/24", "dev", dev, ns=ns)
        run("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
            "tx", "off", ns=ns)
        run("ip", "link", "set", dev, "up", ns=ns)
    time.sleep(1)
    mac = mac_of(NS_T, DEV_T)
    run("ip", "neigh", "replace", FAKE4, "lladdr", mac, "dev", DEV_P, ns=NS_P)


def down():
    for ns in (NS_P, NS_T):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def mac_of(ns, dev):
    out = run("ip", "-o", "link", "show", dev, ns=ns)
    return out.split("link/ether")[1].split()[0]


def start_tap(pcap):
    tap = subprocess.Popen(["ip", "netns", "exec", NS_P, "tcpdump", "-U",
                            "-n", "-i", DEV_P, "-w", pcap, "tcp"],
                           stderr=subprocess.PIPE)
    time.sleep(1.5)
    return tap


def stop_tap(tap):
    time.sleep(1)
    tap.terminate()
    tap.wait()


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def connect(ns, dst, port, sport=0):
    with InNs(ns):
        s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sport:
        s.bind(("", sport))
    s.settimeout(3)
    s.connect((dst, port))
    return s


def listen(ns, addr, port):
    with InNs(ns):
        s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    return s


def responder(mode):
    """Child process inside isn-t: answer SYNs to FAKE4 with crafted ISNs."""
    from scapy.all import AsyncSniffer, Ether, IP, TCP, conf  # noqa
    out = conf.L2socket(iface=DEV_T)
    state = {"n": 0}

    def answer(p):
        if not (p.haslayer(TCP) and p[IP].dst == FAKE4 and
                p[TCP].flags == "S"):
            return
        n = state["n"]
        state["n"] = n + 1
        isn = CONST_ISN if mode == "constant" else \
            (FIXED_BASE + FIXED_STEP * n) & 0xFFFFFFFF
        t = p[TCP]
        out.send(Ether(src=p[Ether].dst, dst=p[Ether].src) /
                 IP(src=FAKE4, dst=p[IP].src, id=1000 + n) /
                 TCP(sport=t.dport, dport=t.sport, flags="SA", seq=isn,
                     ack=t.seq + 1, window=64240, options=[("MSS", 1460)]))

    sn = AsyncSniffer(iface=DEV_T, prn=answer, store=False,
                      lfilter=lambda p: p.haslayer(TCP))
    sn.start()
    time.sleep(1)
    print("ready", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    sn.stop()


def crafted(mode):
    child = subprocess.Popen(
        ["ip", "netns", "exec", NS_T, "/usr/bin/python3", __file__,
         "--responder", mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)
    assert child.stdout.readline().strip() == "ready"
    pcap = os.path.join(OUT, "isn_%s.pcap" % mode)
    tap = start_tap(pcap)
    for _ in range(FIXED_N):
        abort(connect(NS_P, FAKE4, 7000))
        time.sleep(0.1)
    stop_tap(tap)
    child.stdin.close()
    child.wait()
    if mode == "fixed":
        exp = {"class": "fixed_increment", "predictable": True,
               "gcd": FIXED_STEP, "samples": FIXED_N, "sp": 0,
               "difficulty": "Trivial joke",
               "next_predicted": (FIXED_BASE + FIXED_STEP * FIXED_N)
               & 0xFFFFFFFF}
    else:
        exp = {"class": "constant", "predictable": True, "gcd": 0,
               "samples": FIXED_N, "next_predicted": CONST_ISN}
    exp["anomaly"] = True
    return {"hosts": {FAKE4: exp,
                      P4: {"predictable": False, "anomaly": False}}}


def linux():
    pcap = os.path.join(OUT, "isn_linux.pcap")
    srv_t = listen(NS_T, T4, 8000)
    srv_p = listen(NS_P, P4, 9000)
    tap = start_tap(pcap)
    for i in range(12):
        for ns, dst, port, srv in ((NS_P, T4, 8000, srv_t),
                                   (NS_T, P4, 9000, srv_p)):
            c = connect(ns, dst, port)
            a, _ = srv.accept()
            abort(c)
            a.close()
        time.sleep(0.05)
    for i in range(5):  # one 4-tuple each way, reused
        for ns, dst, port, srv, sport in ((NS_P, T4, 8000, srv_t, 45001),
                                          (NS_T, P4, 9000, srv_p, 45002)):
            c = connect(ns, dst, port, sport)
            a, _ = srv.accept()
            abort(c)
            a.close()
        time.sleep(0.2)
    stop_tap(tap)
    none = {"predictable": False, "anomaly": False, "min_samples": 12,
            "min_same_tuple": 4, "class": "random"}
    return {"hosts": {T4: none, P4: none}}


def parse_seq(text):
    """nmap's SEQ fingerprint line -> {"gcd", "isr", "sp"} (hex fields).

    The fingerprint is wrapped over lines that start with "OS:"."""
    fp = "".join(line[3:] for line in text.splitlines()
                 if line.startswith("OS:"))
    i = fp.find("SEQ(")
    if i < 0:
        return None
    body = fp[i + 4:fp.index(")", i)]
    fields = dict(f.split("=", 1) for f in body.split("%") if "=" in f)
    return {k.lower(): int(fields[k], 16) for k in ("GCD", "ISR", "SP")
            if k in fields}


def nmap():
    pcap = os.path.join(OUT, "isn_nmap.pcap")
    txt = os.path.join(OUT, "isn_nmap.nmap.txt")
    srv = listen(NS_T, T4, 22)
    tap = start_tap(pcap)
    # --osscan-guess/-d print the fingerprint (with SEQ) even on a match.
    res = subprocess.run(["ip", "netns", "exec", NS_P, "nmap", "-O", "-Pn",
                          "-n", "-p", "22,81", "--max-os-tries", "1", "-d",
                          "--reason", "-oN", txt, T4],
                         capture_output=True, text=True)
    stop_tap(tap)
    srv.close()
    with open(txt) as f:
        text = f.read()
    seq = parse_seq(res.stdout) or parse_seq(text)
    if seq is None:
        with open(txt, "a") as f:
            f.write("\n# stdout\n" + res.stdout)
        raise RuntimeError("no SEQ line in nmap's output:\n" + res.stdout)
    with open(txt, "w") as f:  # keep what nmap printed, fingerprint and all
        f.write(res.stdout)
    return {"nmap": dict(seq, host=T4, tolerance=8),
            "hosts": {T4: {"gcd": seq["gcd"], "predictable": False,
                           "anomaly": False}}}


SCENARIOS = {"nmap": nmap, "fixed": lambda: crafted("fixed"),
             "constant": lambda: crafted("constant"), "linux": linux}


def main(argv):
    if len(argv) >= 3 and argv[1] == "--responder":
        responder(argv[2])
        return 0
    if os.geteuid() != 0:
        print("run as root", file=sys.stderr)
        return 2
    for name in argv[1:] or list(SCENARIOS):
        up()
        try:
            exp = SCENARIOS[name]()
        finally:
            down()
        exp = dict(scenario="isn_" + name, **exp)
        path = os.path.join(OUT, "isn_%s.expected.json" % name)
        with open(path, "w") as f:
            json.dump(exp, f, indent=2, sort_keys=True)
            f.write("\n")
        print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
