#!/usr/bin/env python3
"""syn_flood from a burst the capture does not outlive (testdata/flood/):
raised on syn_burst.pcap at the default thresholds, not on syn_scan.pcap
(one source, many ports).

    check_syn_burst.py TCPSTATE DIR
"""

import json
import os
import subprocess
import sys


def anomalies(tcpstate, pcap):
    out = subprocess.run([tcpstate, "--format", "json", "--quiet", "-r", pcap],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise RuntimeError("%s: exit %d: %s" % (pcap, out.returncode,
                                                out.stderr))
    return json.loads(out.stdout)["anomalies"]


def main():
    tcpstate, d = sys.argv[1], sys.argv[2]
    failures = []
    burst = [a for a in anomalies(tcpstate, os.path.join(d, "syn_burst.pcap"))
             if a["kind"] == "syn_flood"]
    if len(burst) != 1 or burst[0]["endpoint"] != "198.18.0.2" or \
            burst[0]["count"] < 1000:
        failures.append("syn_burst.pcap: want one syn_flood at 198.18.0.2 "
                        "counting the 1000 SYNs, got %r" % burst)
    scan = [a for a in anomalies(tcpstate, os.path.join(d, "syn_scan.pcap"))
            if a["kind"] == "syn_flood"]
    if scan:
        failures.append("syn_scan.pcap: a single scanner raised %r" % scan)
    for f in failures:
        print("FAIL", f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
