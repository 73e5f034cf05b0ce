"""Two-namespace lab used by generate.py (run with /usr/bin/python3, as root).

Topology (recreated for every scenario, so sysctls and ports start clean):

    netns tcpst-c  [tcpst-vc 198.18.0.1/24, 2001:db8::1/64]
          |  veth pair ("the wire")
    netns tcpst-s  [tcpst-vs 198.18.0.2/24, 2001:db8::2/64]

The tap (tcpdump) runs on tcpst-vc inside tcpst-c.  Sockets are created with
setns(2) on the calling thread, so one single-threaded driver holds real
client and server sockets of both namespaces and orders every step itself.
"""

import ctypes
import os
import re
import signal
import socket
import subprocess
import time

NS_C, NS_S = "tcpst-c", "tcpst-s"
DEV_C, DEV_S = "tcpst-vc", "tcpst-vs"
C4, S4 = "198.18.0.1", "198.18.0.2"
C6, S6 = "2001:db8::1", "2001:db8::2"



def use_names(ns_c, ns_s, dev_c, dev_s):
    """Rename the lab's namespaces and veth ends, module-wide, so that
    another user (the live-capture tests in tests/live/) can run beside the
    generator without touching its namespaces."""
    global NS_C, NS_S, DEV_C, DEV_S
    NS_C, NS_S, DEV_C, DEV_S = ns_c, ns_s, dev_c, dev_s


_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNET = 0x40000000

# ss state name -> RFC 9293 name with underscores
SS_STATES = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECEIVED",
    "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2",
    "CLOSE-WAIT": "CLOSE_WAIT", "CLOSING": "CLOSING", "LAST-ACK": "LAST_ACK",
    "TIME-WAIT": "TIME_WAIT", "LISTEN": "LISTEN", "UNCONN": "CLOSED",
    "CLOSED": "CLOSED",
}

REQUIRED_TOOLS = {  # command -> Debian package
    "tcpdump": "tcpdump", "nft": "nftables", "ethtool": "ethtool",
    "ip": "iproute2", "ss": "iproute2", "tc": "iproute2",
}


def run(*cmd, check=True, ns=None, input=None):
    """Run a command (optionally inside a namespace); return its stdout."""
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    res = subprocess.run(cmd, capture_output=True, text=True, input=input)
    if check and res.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" %
                           (res.returncode, " ".join(cmd), res.stderr))
    return res.stdout


def check_tools():
    """Return a list of problems (missing tools / scapy), empty when ready."""
    missing = []
    for tool, pkg in REQUIRED_TOOLS.items():
        if not any(os.access(os.path.join(d, tool), os.X_OK)
                   for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin")):
            missing.append(pkg)
    probs = []
    if missing:
        probs.append("missing tools; run: apt-get install -y " +
                     " ".join(sorted(set(missing))))
    res = subprocess.run(["/usr/bin/python3", "-c", "import scapy.all"],
                         capture_output=True)
    if res.returncode != 0:
        probs.append("missing scapy for /usr/bin/python3; run: "
                     "apt-get install -y python3-scapy")
    if os.geteuid() != 0:
        probs.append("the generator needs root (network namespaces)")
    return probs


class InNs:
    """Context manager: move the calling thread into a network namespace."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.orig = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
        try:
            if _libc.setns(fd, _CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns " + self.name)
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        try:
            if _libc.setns(self.orig, _CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
        finally:
            os.close(self.orig)


def delete_namespaces():
    for ns in (NS_C, NS_S):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


class Lab:
    def __init__(self, offload=False, sysctls=None):
        self.offload = offload
        self.sysctls = sysctls or {}
        self.tcpdump = None
        self.socks = []

    # ---- setup / teardown -------------------------------------------------
    def up(self):
        delete_namespaces()  # stale ones from an earlier (crashed) run
        run("ip", "netns", "add", NS_C)
        run("ip", "netns", "add", NS_S)
        run("ip", "link", "add", DEV_C, "netns", NS_C, "type", "veth",
            "peer", "name", DEV_S, "netns", NS_S)
        for ns, dev, a4, a6 in ((NS_C, DEV_C, C4, C6), (NS_S, DEV_S, S4, S6)):
            run("ip", "link", "set", "lo", "up", ns=ns)
            run("ip", "addr", "add", a4 + "/24", "dev", dev, ns=ns)
            run("ip", "addr", "add", a6 + "/64", "dev", dev, "nodad", ns=ns)
            if not self.offload:
                run("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro",
                    "off", "tx", "off", ns=ns)
            for key, val in self.sysctls.items():
                run("sysctl", "-qw", "%s=%s" % (key, val), ns=ns)
            run("ip", "link", "set", dev, "up", ns=ns)
        # wait for both links to be up (IPv6 nodad: usable at once)
        for _ in range(100):
            out = run("ip", "-o", "link", "show", DEV_C, ns=NS_C) + \
                run("ip", "-o", "link", "show", DEV_S, ns=NS_S)
            if out.count("LOWER_UP") == 2 and "state UP" in out and \
                    "DOWN" not in out:
                break
            time.sleep(0.05)

    def down(self):
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass
        self.socks = []
        if self.tcpdump and self.tcpdump.poll() is None:
            self.tcpdump.kill()
            self.tcpdump.wait()
        delete_namespaces()

    # ---- sockets ---------------------------------------------------------
    def sock(self, ns, family=socket.AF_INET, kind=socket.SOCK_STREAM):
        with InNs(ns):
            s = socket.socket(family, kind)
        self.socks.append(s)
        return s

    def listener(self, port=8000, family=socket.AF_INET, backlog=16,
                 rcvbuf=None, opts=()):
        s = self.sock(NS_S, family)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        for lvl, opt, val in opts:
            s.setsockopt(lvl, opt, val)
        s.bind((S6 if family == socket.AF_INET6 else S4, port))
        s.listen(backlog)
        return s

    def client(self, port, family=socket.AF_INET, opts=()):
        s = self.sock(NS_C, family)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for lvl, opt, val in opts:
            s.setsockopt(lvl, opt, val)
        s.bind((C6 if family == socket.AF_INET6 else C4, port))
        return s

    def connect_pair(self, lst, cport, family=socket.AF_INET, sport=8000,
                     opts=()):
        """Blocking connect from a pinned client port, then accept."""
        c = self.client(cport, family, opts)
        c.settimeout(5)
        c.connect((S6 if family == socket.AF_INET6 else S4, sport))
        lst.settimeout(5)
        a, _ = lst.accept()
        self.socks.append(a)
        a.settimeout(5)
        return c, a

    # ---- netfilter / tc --------------------------------------------------
    def nft(self, ns, script):
        run("nft", "-f", "-", ns=ns, input=script.replace("}", "\n}"))

    def nft_flush(self, ns):
        run("nft", "flush", "ruleset", ns=ns)

    # ---- capture ---------------------------------------------------------
    def start_capture(self, path, snaplen=256):
        if os.path.exists(path):
            os.unlink(path)
        self.tcpdump = subprocess.Popen(
            ["ip", "netns", "exec", NS_C, "tcpdump", "-i", DEV_C, "-n", "-U",
             "--immediate-mode", "-Z", "root",
             "-s", str(snaplen), "-w", path],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.tcpdump.stderr.readline()  # "listening on ..."
        if "listening" not in line:
            raise RuntimeError("tcpdump did not start: " + line)
        time.sleep(0.3)

    def stop_capture(self):
        """SIGINT tcpdump and wait, so the capture ends where ss was read."""
        time.sleep(0.1)  # let tcpdump write what it has been handed
        self.tcpdump.send_signal(signal.SIGINT)
        try:
            self.tcpdump.wait(timeout=10)
        finally:
            if self.tcpdump.poll() is None:
                self.tcpdump.kill()
        self.tcpdump = None

    # ---- ss --------------------------------------------------------------
    @staticmethod
    def ss(ns):
        """List of (state, local, peer, raw line) from `ss -tanoH`."""
        out = run("ss", "-tanoH", ns=ns)
        rows = []
        for line in out.splitlines():
            f = line.split()
            if len(f) < 5:
                continue
            rows.append((f[0], f[3], f[4], re.sub(r"\s+", " ", line.strip())))
        return rows


def ep(addr, port):
    """Endpoint string in ss syntax: 1.2.3.4:80 or [2001:db8::1]:80."""
    return ("[%s]:%d" if ":" in addr else "%s:%d") % (addr, port)
