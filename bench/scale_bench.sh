#!/usr/bin/env bash
# Scale benchmarks on generated captures (bench/gen_flood.cc), each timed
# with bench/compare.sh against the read loop, TShark and tcptrace:
#   - 100,000 and 1,000,000 concurrent open connections (handshake and a
#     200-byte request each, never closed), with --max-memory 16384 so that
#     nothing is evicted: time, peak RSS and the marginal memory per open
#     connection, (RSS at 1 M - RSS at 100 k) / 900 k, from tcpstate
#     --format jsonl; then how many the default caps evict;
#   - 2,000,000 spoofed SYNs each answered by a SYN-ACK, with 100 complete
#     connections mixed in.
#   bash bench/scale_bench.sh [--tcpstate PATH] [--no-others]
# Writes bench/out/scale.md. No timing is asserted anywhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/out"
mkdir -p "$out"
pass=()
while (($#)); do
  case "$1" in
    --tcpstate) pass+=(--tcpstate "$2"); shift 2 ;;
    --no-others) pass+=(--no-others); shift ;;
    *) echo "usage: $0 [--tcpstate PATH] [--no-others]" >&2; exit 2 ;;
  esac
done
gen="$out/gen_flood"
if [ ! -x "$gen" ] || [ "$here/gen_flood.cc" -nt "$gen" ]; then
  c++ -O2 -std=c++17 -Wall -o "$gen" "$here/gen_flood.cc"
fi
[ -f "$out/open_100k.pcap" ] || "$gen" --open 100000 "$out/open_100k.pcap"
[ -f "$out/open_1m.pcap" ] || "$gen" --open 1000000 "$out/open_1m.pcap"
[ -f "$out/flood_answered_2m.pcap" ] ||
  "$gen" 2000000 100 "$out/flood_answered_2m.pcap" 1 --answered

rss_of() { awk -F': ' '/Maximum resident set size/{print $2}' "$out/tcpstate_jsonl_j1.time"; }
{
  big=(--args "--max-memory 16384")
  bash "$here/compare.sh" "${pass[@]}" "${big[@]}" --label "100,000 open connections" "$out/open_100k.pcap"
  rss_100k=$(rss_of)
  echo
  bash "$here/compare.sh" "${pass[@]}" "${big[@]}" --label "1,000,000 open connections" "$out/open_1m.pcap"
  rss_1m=$(rss_of)
  echo
  awk -v a="$rss_1m" -v b="$rss_100k" 'BEGIN{printf "Marginal memory per open connection (tcpstate --format jsonl): (%.1f MiB - %.1f MiB) / 900,000 = %.0f bytes.\n", a/1024, b/1024, (a-b)*1024/900000}'
  tcpstate="${TCPSTATE:-$here/../build/tools/tcpstate}"
  for ((i = 0; i < ${#pass[@]}; ++i)); do
    [ "${pass[$i]}" = --tcpstate ] && tcpstate="${pass[$((i + 1))]}"
  done
  evicted=$("$tcpstate" --format jsonl --quiet -r "$out/open_1m.pcap" | tail -n 1 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["connections_evicted"])')
  echo "At the default caps, $evicted of the 1,000,000 open connections are evicted before the capture ends."
  echo
  bash "$here/compare.sh" "${pass[@]}" --label "2,000,000 spoofed SYNs answered by SYN-ACKs, 100 complete connections" "$out/flood_answered_2m.pcap"
} | tee "$out/scale.md"
