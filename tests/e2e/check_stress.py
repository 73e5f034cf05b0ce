#!/usr/bin/env python3
"""Stress captures against kernel truth (testdata/generator/stress.py), and
where each impairment acted (FINs dropped before the tap never appear).

For every scored endpoint (not ambiguous in the truth): the reported state
is exact, or the kernel's state is among possible_states, or it is wrong;
an endpoint reported UNKNOWN (no claim) and one the tap never saw are
counted apart.
Fails when a `confirmed` state differs from the kernel's, when the kernel's
state lies outside {state} U possible_states, or when fewer than
--min-exact of the scored endpoints are exact. Prints the figures and the
mismatches by class (script, damage, which side of the tap).

    check_stress.py TCPSTATE DIR [--min-exact 0.95] [--verbose]
"""

import argparse
import collections
import glob
import json
import os
import subprocess
import sys


def records(tcpstate, pcap):
    out = subprocess.run([tcpstate, "--format", "json", "--quiet", "-r", pcap],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise RuntimeError("%s: exit %d: %s" % (pcap, out.returncode,
                                                out.stderr))
    by_client = {}
    for c in json.loads(out.stdout)["connections"]:
        key = (c["client"]["addr"], c["client"]["port"])
        by_client[key] = c  # the last record of a 4-tuple wins
    return by_client


def tap_side_checks(truth, got, seed, plan, counts):
    """Where each impairment acts, seen in the capture: FINs dropped before
    the tap never appear in it, FINs dropped after it do; a blackhole
    before the tap from the first packet leaves its sender unseen."""
    problems = []
    for t in truth:
        port = t["client"][1]
        d = plan(seed, port)["damage"]
        sender = "client" if d["dir"] == "c2s" else "server"
        rec = got.get((t["client"][0], port))
        if d["kind"] == "fin_drop" and rec is not None:
            before = t["before_tap"]
            fins = rec[sender]["fins"]
            counts["fin_drop_before" if before else "fin_drop_after"] += 1
            if before and fins:
                problems.append("port %d: %d FIN(s) dropped before the tap "
                                "appear in the capture" % (port, fins))
            if not before and fins:
                counts["fin_seen_after"] += 1
        if d["kind"] == "blackhole" and d["after"] == 0.0 and \
                t["before_tap"] and rec is not None and \
                rec[sender]["packets"]:
            problems.append("port %d: the %s is blackholed before the tap "
                            "from the start, yet seen" % (port, sender))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tcpstate")
    ap.add_argument("dir")
    ap.add_argument("--min-exact", type=float, default=0.95)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    captures = sorted(glob.glob(os.path.join(a.dir, "*.pcap")))
    if not captures:
        print("no stress captures in", a.dir)
        return 1
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(
        __file__)), "..", "..", "testdata", "generator"))
    from stress import plan  # the same choices the generator made
    n = collections.Counter()
    classes = collections.Counter()
    problems = []
    sides = collections.Counter()
    for pcap in captures:
        truth = json.load(open(pcap[:-len(".pcap")] + ".truth.json"))
        got = records(a.tcpstate, pcap)
        problems += tap_side_checks(truth["connections"], got, truth["seed"],
                                    plan, sides)
        for t in truth["connections"]:
            rec = got.get((t["client"][0], t["client"][1]))
            for side in ("client", "server"):
                if t[side + "_ambiguous"]:
                    n["ambiguous"] += 1
                    continue
                want = t[side + "_state"]
                if rec is None:
                    # Never seen at the tap: nothing to report. Counted.
                    n["unseen"] += 1
                    continue
                e = rec[side]
                if e["state"] == "UNKNOWN":
                    # No claim (certainty unknown): counted apart, neither
                    # exact nor wrong.
                    n["unknown"] += 1
                    classes[(side, "UNKNOWN", want, t["script"], t["damage"],
                             t["before_tap"])] += 1
                    continue
                n["scored"] += 1
                possible = [p["state"] for p in e["possible_states"]]
                where = "%s conn %d %s: %s (%s, or %s), kernel %s [%s, %s%s]" % (
                    os.path.basename(pcap), rec["id"], side, e["state"],
                    e["certainty"], "|".join(possible) or "-", want,
                    t["script"], t["damage"],
                    " before tap" if t["before_tap"] else " after tap")
                if e["state"] == want:
                    n["exact"] += 1
                    continue
                classes[(side, e["state"], want, t["script"], t["damage"],
                         t["before_tap"])] += 1
                if want in possible:
                    n["possible"] += 1
                    if a.verbose:
                        print("possible:", where)
                    continue
                n["wrong"] += 1
                if e["certainty"] == "confirmed":
                    n["confirmed_wrong"] += 1
                problems.append(where)
    scored = n["scored"]
    exact = n["exact"] / scored if scored else 0.0
    print("%d captures: %d endpoints scored, %d ambiguous, %d unseen, "
          "%d UNKNOWN; "
          "exact %d (%.1f%%), kernel state among possible_states %d, "
          "outside %d (confirmed %d)" % (
              len(captures), scored, n["ambiguous"], n["unseen"],
              n["unknown"], n["exact"],
              100 * exact, n["possible"], n["wrong"], n["confirmed_wrong"]))
    for (side, state, want, script, damage, before), k in \
            classes.most_common():
        print("  %3d  %s reported %s, kernel %s  (%s, %s%s)" % (
            k, side, state, want, script, damage,
            " before tap" if before else " after tap"))
    print("tap side: %d flows with FINs dropped before the tap (none seen), "
          "%d after it (%d with FINs seen)" % (
              sides["fin_drop_before"], sides["fin_drop_after"],
              sides["fin_seen_after"]))
    if sides["fin_drop_after"] and not sides["fin_seen_after"]:
        problems.append("no FIN dropped after the tap was ever seen")
    for p in problems:
        print("FAIL", p)
    failed = bool(problems) or exact < a.min_exact
    if exact < a.min_exact:
        print("FAIL exact %.1f%% < %.1f%%" % (100 * exact, 100 * a.min_exact))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
