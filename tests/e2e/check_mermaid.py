#!/usr/bin/env python3
"""Mermaid ladder diagrams: strict grammar and textbook states.

usage: check_mermaid.py TCPSTATE CAPTURES_DIR

The grammar below is the subset of Mermaid's sequenceDiagram syntax that
`tcpstate --format mermaid` writes (mermaid's sequenceDiagram.jison: '#'
starts a comment and ';' ends a statement, so text may hold neither except
inside entity codes "#NNN;"). Anything outside it is rejected:

  diagram     := "sequenceDiagram" NL { "    " statement NL }
  statement   := "title " TEXT
               | "participant " ID " as " TEXT
               | ID ARROW ID ": " TEXT          ARROW := "->>" | "-x" | "-->>"
               | "Note " PLACE ": " TEXT
  PLACE       := "left of " ID | "right of " ID | "over " ID "," ID
  ID          := a declared participant: [A-Za-z][A-Za-z0-9_]*
  TEXT        := { [A-Za-z0-9 .:,/=()\\[\\]_+?!@-] | "#" DIGITS ";" }, not empty

Checks: a self-test (the checker rejects broken diagrams); connection 1 of
normal_close_client draws the textbook states in order (client SYN_SENT,
ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT; server SYN_RECEIVED,
ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSED), ending in the states the kernel
reported (NAME.expected.json, from ss); every connection of every capture
passes the grammar; a missing --connection and an unknown id exit 2 with a
clear message.
"""

import glob
import json
import os
import re
import subprocess
import sys

TEXT = r"(?:[A-Za-z0-9 .:,/=()\[\]_+?!@-]|#[0-9]+;)+"
ID = r"[A-Za-z][A-Za-z0-9_]*"
RE_TITLE = re.compile(r"title (%s)$" % TEXT)
RE_PARTICIPANT = re.compile(r"participant (%s) as (%s)$" % (ID, TEXT))
RE_MESSAGE = re.compile(r"(%s)(->>|-x|-->>)(%s): (%s)$" % (ID, ID, TEXT))
RE_NOTE = re.compile(
    r"Note (?:(left of|right of) (%s)|over (%s),(%s)): (%s)$" % (ID, ID, ID, TEXT))


class Diagram:
    def __init__(self):
        self.title = None
        self.participants = {}  # id -> label
        self.messages = []      # (from, arrow, to, text)
        self.notes = []         # (place, ids, text), in order
        self.events = []        # ("message"|"note", index) in order


def decode(text):
    """Mermaid entity codes back to text."""
    return re.sub(r"#([0-9]+);", lambda m: chr(int(m.group(1))), text)


def parse(source):
    """Returns a Diagram, or raises ValueError naming the offending line."""
    if not source.endswith("\n"):
        raise ValueError("no final newline")
    lines = source[:-1].split("\n")
    if lines[0] != "sequenceDiagram":
        raise ValueError("line 1: expected 'sequenceDiagram'")
    d = Diagram()

    def known(n, *ids):
        for i in ids:
            if i not in d.participants:
                raise ValueError("line %d: undeclared participant %r" % (n, i))

    for n, line in enumerate(lines[1:], start=2):
        if not line.startswith("    ") or line[4:5] == " ":
            raise ValueError("line %d: not indented by 4 spaces" % n)
        body = line[4:]
        m = RE_TITLE.match(body)
        if m:
            if d.title is not None or d.participants:
                raise ValueError("line %d: title must come first, once" % n)
            d.title = decode(m.group(1))
            continue
        m = RE_PARTICIPANT.match(body)
        if m:
            if d.messages or d.notes or m.group(1) in d.participants:
                raise ValueError("line %d: participant out of place" % n)
            d.participants[m.group(1)] = decode(m.group(2))
            continue
        m = RE_MESSAGE.match(body)
        if m:
            known(n, m.group(1), m.group(3))
            if m.group(1) == m.group(3):
                raise ValueError("line %d: message to itself" % n)
            d.messages.append((m.group(1), m.group(2), m.group(3),
                               decode(m.group(4))))
            d.events.append(("message", len(d.messages) - 1))
            continue
        m = RE_NOTE.match(body)
        if m:
            if m.group(1):
                known(n, m.group(2))
                d.notes.append((m.group(1), (m.group(2),), decode(m.group(5))))
            else:
                known(n, m.group(3), m.group(4))
                d.notes.append(("over", (m.group(3), m.group(4)),
                                decode(m.group(5))))
            d.events.append(("note", len(d.notes) - 1))
            continue
        raise ValueError("line %d: not in the grammar: %r" % (n, line))
    if len(d.participants) != 2:
        raise ValueError("expected exactly 2 participants")
    return d


def state_notes(d, place, who):
    return [t for p, ids, t in d.notes if p == place and ids == (who,)]


BAD = [
    "sequenceDiagram\n    Client->>Server: x\n",                 # undeclared
    "sequenceDiagram\n    participant A as a\n    participant B as b\n"
    "    A->>B: #1 SYN\n",                                         # raw '#'
    "sequenceDiagram\n    participant A as a\n    participant B as b\n"
    "    A->>B: x; B->>A: y\n",                                    # raw ';'
    "sequenceDiagram\n    participant A as a\n    participant B as b\n"
    "    A->>B: <b>x</b>\n",                                       # markup
    "sequenceDiagram\n    participant A as a\n    participant B as b\n"
    "    Note left of A: %%{init}%%\n",                            # directive
    "sequenceDiagram\n    participant A as a\n    participant B as b\n"
    "    A->>B: x\n    participant C as c\n",                      # late
    "sequenceDiagram\n    participant A as a\n",                   # one side
    "sequenceDiagram\n    participant A as a\n    participant B as b\n"
    "    A->B: x\n",                                               # arrow
    "graph TD\n",
]
GOOD = ("sequenceDiagram\n    title t #35;1\n    participant A as a 1.2.3.4:5\n"
        "    participant B as b\n    A-xB: #35;1 SYN, ACK seq=0\n"
        "    Note over A,B: ... 3 segments folded ...\n"
        "    Note right of B: CLOSED (timer)\n")


def run(tcpstate, args):
    p = subprocess.run([tcpstate] + args, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def main():
    tcpstate, captures = sys.argv[1], sys.argv[2]
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    for bad in BAD:
        try:
            parse(bad)
            failures.append("self-test: accepted %r" % bad)
        except ValueError:
            pass
    parse(GOOD)

    # Textbook states on a 3-way handshake and 4-way close.
    name = "normal_close_client"
    pcap = os.path.join(captures, name + ".pcap")
    rc, out, err = run(tcpstate, ["--format", "mermaid", "--connection", "1",
                                  "-r", pcap])
    check(rc == 0, "%s: exit %d (%s)" % (name, rc, err.strip()))
    d = parse(out)
    with open(os.path.join(captures, name + ".expected.json")) as f:
        expected = json.load(f)["connections"][0]
    client = state_notes(d, "left of", "Client")
    server = state_notes(d, "right of", "Server")
    check(client == ["SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
                     "TIME_WAIT"], "%s: client states %r" % (name, client))
    check(server == ["SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK",
                     "CLOSED"], "%s: server states %r" % (name, server))
    check(client[-1] == expected["client_state"] and
          server[-1] == expected["server_state"],
          "%s: final states differ from the kernel's (%s/%s)" % (
              name, expected["client_state"], expected["server_state"]))
    check(d.participants["Client"] == "client " + expected["client"] and
          d.participants["Server"] == "server " + expected["server"],
          "%s: participants %r" % (name, d.participants))
    rc, js, _ = run(tcpstate, ["--format", "json", "-r", pcap])
    conn = json.loads(js)["connections"][0]
    check(len(d.messages) == conn["client"]["packets"] +
          conn["server"]["packets"], "%s: one message per segment" % name)
    flags = [m[3].split(" seq=")[0].split(" ", 1)[1] for m in d.messages]
    check(flags[:3] == ["SYN", "SYN, ACK", "ACK"], "handshake %r" % flags[:3])
    check(d.messages[0][3].startswith("#%d SYN seq=0 ack=0 len=0" %
                                      conn["client"]["timeline"][0]["packet"]),
          "first message %r" % d.messages[0][3])

    # Every connection of every capture is in the grammar.
    for path in sorted(glob.glob(os.path.join(captures, "*.pcap"))):
        rc, js, _ = run(tcpstate, ["--format", "json", "-r", path])
        ids = [c["id"] for c in json.loads(js)["connections"]][:5]
        for cid in ids:
            rc, out, err = run(tcpstate, ["--format", "mermaid", "--connection",
                                          str(cid), "-r", path])
            try:
                parse(out)
            except ValueError as e:
                failures.append("%s #%d: %s" % (os.path.basename(path), cid, e))
            check(rc == 0, "%s #%d: exit %d" % (path, cid, rc))

    # Usage errors.
    rc, out, err = run(tcpstate, ["--format", "mermaid", "-r", pcap])
    check(rc == 2 and "--connection" in err and out == "",
          "missing --connection: exit %d, %r" % (rc, err))
    rc, out, err = run(tcpstate, ["--format", "mermaid", "--connection", "99",
                                  "-r", pcap])
    check(rc == 2 and "no such connection" in err and out == "",
          "unknown id: exit %d, %r" % (rc, err))

    for f in failures:
        print("FAIL", f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
