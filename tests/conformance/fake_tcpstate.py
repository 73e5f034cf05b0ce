#!/usr/bin/env python3
"""Stand-in for tcpstate, used to prove the conformance harness.

Accepts `--format json -r PCAP [...]` like tcpstate and prints tcpstate's
JSON shape (connections[] with client/server/conn_state/history/mid_stream)
built from the Zeek baseline the harness names in ZEEK_CONFORMANCE_EXPECTED,
parsed with the harness's own readers. Run through the harness with
--self-test, every row must then agree: anything less is a harness bug
(parsing, TCP-row selection or matching), not a tracker bug.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zeek_conformance as zc  # noqa: E402

PLACEHOLDER_ADDR = "192.0.2.1"  # TEST-NET-1: for rows whose baseline has no tuple


def main():
    argv = sys.argv[1:]
    if "--help" in argv:
        print("fake_tcpstate: --format json -r PCAP")
        return 0
    if "-r" not in argv:
        print("fake_tcpstate: -r PCAP required", file=sys.stderr)
        return 2
    expected = os.environ.get("ZEEK_CONFORMANCE_EXPECTED")
    conns = []
    if expected:
        if os.environ.get("ZEEK_CONFORMANCE_KIND") == "conn.log":
            rows = zc.parse_zeek_log(expected)
        else:
            rows = zc.parse_event_output(expected, os.environ.get("ZEEK_CONFORMANCE_SUMMARY", "")) or []
        for i, z in enumerate(r for r in rows if r.is_tcp()):
            conns.append({
                "id": i + 1,
                "client": {"addr": z.orig_h or PLACEHOLDER_ADDR, "port": z.orig_p or 0, "state": "UNKNOWN"},
                "server": {"addr": z.resp_h or PLACEHOLDER_ADDR, "port": z.resp_p or 0, "state": "UNKNOWN"},
                "conn_state": z.conn_state or "OTH",
                "history": z.history if z.history is not None else "",
                "mid_stream": not (z.history or "").lstrip("^").startswith(("S", "H")),
            })
    json.dump({"connections": conns}, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
