#!/usr/bin/env python3
"""Real TCP traffic for the benchmark capture (python3 stdlib only).

Run the server in one network namespace and the clients in the other:

  traffic.py server --addr 198.18.0.2
  traffic.py short  --addr 198.18.0.2 --count 40000 --seed 1
  traffic.py bulk   --addr 198.18.0.2 --transfers 8 --mbytes 256

Short connections ask the server for a reply of a few hundred bytes to a
few KiB and then end in one of several ways, so the capture holds a mix of
closes: client closes first, server closes first, client aborts with RST,
and an occasional attempt on a closed port (RST from the kernel). Bulk
transfers push MTU-sized segments, paced so tcpdump keeps up.
"""

import argparse
import random
import selectors
import socket
import struct
import sys
import threading
import time

SHORT_PORTS = (8080, 8081, 8082, 8083)
BULK_PORT = 9000
CLOSED_PORT = 8999  # nothing listens here: SYN answered by RST
SO_MAX_PACING_RATE = 47  # Linux <asm-generic/socket.h>


# ---------------------------------------------------------------- server


class ShortConn:
    __slots__ = ("sock", "buf", "wait_eof")

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.wait_eof = False


def serve_short(addr):
    """One selector loop for all short-connection ports."""
    sel = selectors.DefaultSelector()
    for port in SHORT_PORTS:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(4096)
        ls.setblocking(False)
        sel.register(ls, selectors.EVENT_READ, None)
    while True:
        for key, _ in sel.select():
            if key.data is None:
                try:
                    s, _ = key.fileobj.accept()
                except OSError:
                    continue
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ, ShortConn(s))
                continue
            conn = key.data
            try:
                chunk = conn.sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                chunk = b""
            if not chunk:  # EOF or reset: our side closes too
                sel.unregister(conn.sock)
                conn.sock.close()
                continue
            if conn.wait_eof:
                continue
            conn.buf += chunk
            if b"\n" not in conn.buf:
                continue
            line = conn.buf.split(b"\n", 1)[0].decode("ascii", "replace")
            # Request: "<size> <mode>" with mode c (client closes first),
            # s (server closes first) or r (client will reset).
            try:
                size_s, mode = line.split()
                size = int(size_s)
            except ValueError:
                size, mode = 0, "s"
            try:
                conn.sock.sendall(b"x" * size)  # fits the send buffer
            except OSError:
                mode = "s"
            if mode == "s":
                sel.unregister(conn.sock)
                conn.sock.close()
            else:
                conn.wait_eof = True


def serve_bulk_one(s):
    try:
        line = b""
        while b"\n" not in line:
            chunk = s.recv(256)
            if not chunk:
                return
            line += chunk
        total = int(line.split(b"\n", 1)[0])
        block = b"y" * 65536
        sent = 0
        while sent < total:
            n = s.send(block[: min(len(block), total - sent)])
            sent += n
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
    except OSError:
        pass
    finally:
        s.close()


def serve_bulk(addr, pacing_bytes):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, BULK_PORT))
    ls.listen(64)
    while True:
        s, _ = ls.accept()
        if pacing_bytes > 0:
            try:
                s.setsockopt(socket.SOL_SOCKET, SO_MAX_PACING_RATE, pacing_bytes)
            except OSError:
                pass
        threading.Thread(target=serve_bulk_one, args=(s,), daemon=True).start()


def cmd_server(args):
    threading.Thread(target=serve_bulk, args=(args.addr, args.pacing), daemon=True).start()
    serve_short(args.addr)


# ---------------------------------------------------------------- clients


def recv_exact(s, n):
    got = 0
    while got < n:
        chunk = s.recv(min(65536, n - got))
        if not chunk:
            break
        got += len(chunk)
    return got


def cmd_short(args):
    rng = random.Random(args.seed)
    rejected = failed = 0
    for i in range(args.count):
        if i % 97 == 96:  # attempt on a closed port
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.connect((args.addr, CLOSED_PORT))
            except OSError:
                rejected += 1
            s.close()
            continue
        port = SHORT_PORTS[i % len(SHORT_PORTS)]
        size = rng.choice((200, 600, 1400, 3000, 6000))
        roll = rng.random()
        mode = "c" if roll < 0.55 else ("s" if roll < 0.9 else "r")
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.connect((args.addr, port))
            s.sendall(b"%d %s\n" % (size, mode.encode()))
            recv_exact(s, size)
            if mode == "r":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif mode == "s":
                while s.recv(4096):
                    pass
        except OSError:
            failed += 1
        finally:
            s.close()
    print(f"short: {args.count} attempts, {rejected} rejected, {failed} failed", file=sys.stderr)


def cmd_bulk(args):
    total = args.mbytes * 1024 * 1024
    for _ in range(args.transfers):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect((args.addr, BULK_PORT))
        s.sendall(b"%d\n" % total)
        got = recv_exact(s, total)
        s.close()
        if got != total:
            print(f"bulk: short transfer {got}/{total}", file=sys.stderr)
    print(f"bulk: {args.transfers} x {args.mbytes} MiB", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("server")
    sp.add_argument("--addr", required=True)
    sp.add_argument("--pacing", type=int, default=60_000_000, help="bulk pacing, bytes/s (0 = off)")
    sp.set_defaults(func=cmd_server)
    sp = sub.add_parser("short")
    sp.add_argument("--addr", required=True)
    sp.add_argument("--count", type=int, default=10000)
    sp.add_argument("--seed", type=int, default=1)
    sp.set_defaults(func=cmd_short)
    sp = sub.add_parser("bulk")
    sp.add_argument("--addr", required=True)
    sp.add_argument("--transfers", type=int, default=4)
    sp.add_argument("--mbytes", type=int, default=256)
    sp.set_defaults(func=cmd_bulk)
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
