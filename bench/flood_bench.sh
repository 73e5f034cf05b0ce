#!/usr/bin/env bash
# Flood benchmark (issue 8): spoofed SYNs from random sources with 1,000
# complete connections mixed in. Measures peak RSS at 2M and 10M SYNs and
# checks that every complete connection is reported with exact byte counts
# and that syn_flood is raised. Not a timed test; prints a Markdown table.
# --answered: every SYN is answered by the server's SYN-ACK (twice the
# packets; what a server under a flood sends).
#   bash bench/flood_bench.sh [--tcpstate PATH] [--sizes "2000000 10000000"] [--answered]
set -euo pipefail
cd "$(dirname "$0")/.."
tcpstate=build/tools/tcpstate
sizes="2000000 10000000"
answered=""
while (($#)); do
  case "$1" in
    --tcpstate) tcpstate="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --answered) answered=--answered; shift ;;
    *) echo "usage: $0 [--tcpstate PATH] [--sizes LIST] [--answered]" >&2; exit 2 ;;
  esac
done
out=bench/out
mkdir -p "$out"
command -v /usr/bin/time >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
c++ -O2 -std=c++17 -o "$out/gen_flood" bench/gen_flood.cc
echo "| SYNs | packets | wall s | peak RSS MiB | evicted | complete ok | syn_flood |"
echo "|---:|---:|---:|---:|---:|---:|---|"
for n in $sizes; do
  pcap="$out/flood_$n${answered:+_answered}.pcap"
  # shellcheck disable=SC2086
  [ -f "$pcap" ] || "$out/gen_flood" "$n" 1000 "$pcap" 1 $answered
  # The JSONL stream (gigabytes at 10M) is filtered on the fly: only the
  # legitimate client's lines and the summary are kept.
  /usr/bin/time -v "$tcpstate" --format jsonl -r "$pcap" 2> "$out/flood_$n.time" |
    grep -E '"addr": ?"198\.18\.0\.1"|"type": ?"summary"' > "$out/flood_$n.legit.jsonl"
  rss=$(awk -F: '/Maximum resident/ {printf "%.1f", $2/1024}' "$out/flood_$n.time")
  wall=$(awk '/Elapsed/ {print $NF}' "$out/flood_$n.time")
  python3 - "$out/flood_$n.legit.jsonl" "$n" "$wall" "$rss" <<'PY'
import json, sys
ok = 0; summary = None; bad = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["type"] == "summary":
        summary = d; continue
    if d["client"]["addr"] != "198.18.0.1":
        continue
    i = d["client"]["port"] - 20000
    want = (100 + 7 * i, 1000 + 13 * i)
    got = (d["client"]["bytes"], d["server"]["bytes"])
    states = (d["client"]["state"], d["server"]["state"])
    if got == want and states in (("TIME_WAIT", "CLOSED"), ("CLOSED", "CLOSED")):
        ok += 1
    else:
        bad.append((i, got, want, states))
s = summary["summary"]
flood = any(a["kind"] == "syn_flood" for a in summary["anomalies"])
assert s["connections"] == s["connections_finished"] + s["connections_evicted"] + s["connections_open_at_end"]
print("| %s | %d | %s | %s | %d | %d/1000 | %s |" % (
    sys.argv[2], s["packets"], sys.argv[3], sys.argv[4],
    s["connections_evicted"], ok, "raised" if flood else "MISSING"))
if bad:
    print("bad:", bad[:5], file=sys.stderr)
PY
done
