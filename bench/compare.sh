#!/usr/bin/env bash
# Times every tool on one capture, one after the other, in one run, and
# prints a Markdown table: wall time, packets/s, peak RSS and the time as a
# multiple of the bare libpcap read loop's (the floor: reading the file).
#
#   bash bench/compare.sh [--tcpstate PATH] [--args "TCPSTATE ARGS"]
#                         [--threads "1 2"] [--no-others] [--repeat N]
#                         [--label TEXT] PCAP
#
# Tools: tcpstate --format json and --format jsonl with each --threads
# count of --threads (default "1 2"; plus the summary's evicted count;
# --args are added to every run), the read loop (bench/pcap_read_loop.cc, pcap_next_ex),
# tshark -q -z conv,tcp and tcptrace -n -l (--no-others leaves these two
# out). The file is read once, untimed, first, so that no tool pays for the
# page cache alone. The read loop and tcpstate run --repeat times (default
# 3), interleaved, and each row gives the median wall time (peak RSS: the
# largest), so that a VM's drift from one minute to the next moves the
# ratios less; TShark and tcptrace run once. No timing is asserted: the
# numbers are for people.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
tcpstate="${TCPSTATE:-$root/build/tools/tcpstate}"
others=1
label=""
extra=""
repeat=3
threads="1 2"
while (($#)); do
  case "$1" in
    --tcpstate) tcpstate="$2"; shift 2 ;;
    --no-others) others=0; shift ;;
    --label) label="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --args) extra="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
pcap="${1:?usage: compare.sh [--tcpstate PATH] [--no-others] PCAP}"
mkdir -p "$out"
log() { echo "[bench] $*" >&2; }

need=()
[ -x /usr/bin/time ] || need+=(time)
[ -e /usr/include/pcap/pcap.h ] || need+=(libpcap-dev)
if [ "$others" = 1 ]; then
  command -v tshark >/dev/null || need+=(tshark)
  command -v tcptrace >/dev/null || need+=(tcptrace)
fi
if ((${#need[@]})); then
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
loop_bin="$out/pcap_read_loop"
if [ ! -x "$loop_bin" ] || [ "$here/pcap_read_loop.cc" -nt "$loop_bin" ]; then
  c++ -O2 -Wall -Wextra -o "$loop_bin" "$here/pcap_read_loop.cc" -lpcap
fi

declare -A wall rss status walls
measure() {  # name, then the command; stdout goes to out/<name>.out
  local name="$1"; shift
  local tv="$out/$name.time"
  log "running $name: $*"
  /usr/bin/time -v -o "$tv" "$@" >"$out/$name.out" 2>"$out/$name.err" || true
  local w r
  w=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0;
                 for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$tv")
  r=$(awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$tv")
  walls[$name]="${walls[$name]:-} $w"
  wall[$name]=$(echo "${walls[$name]}" | tr ' ' '\n' | sed '/^$/d' | sort -n |
                awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
  rss[$name]=$(awk -v a="${rss[$name]:-0}" -v b="$r" 'BEGIN{print (b+0 > a+0) ? b : a}')
  status[$name]=$(awk -F': ' '/Exit status/{print $2}' "$tv")
  [ -n "${status[$name]}" ] || status[$name]="?"
}

cat "$pcap" > /dev/null
for ((i = 0; i < repeat; ++i)); do
  measure pcap_read_loop "$loop_bin" "$pcap"
  for t in $threads; do
    # shellcheck disable=SC2086  # --args is a list of words
    measure "tcpstate_json_j$t" "$tcpstate" --format json --quiet --threads "$t" $extra -r "$pcap" -o /dev/null
    # JSONL: only the summary line is kept (the stream can be gigabytes).
    measure "tcpstate_jsonl_j$t" bash -o pipefail -c "'$tcpstate' --format jsonl --quiet --threads $t $extra -r '$pcap' | tail -n 1"
  done
done
read -r _ packets _ _ _ _ < "$out/pcap_read_loop.out"
first="${threads%% *}"
evicted=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["connections_evicted"])' \
  < "$out/tcpstate_jsonl_j$first.out" 2>/dev/null || echo "?")
names=()
declare -A name_of
for t in $threads; do
  names+=("tcpstate_json_j$t" "tcpstate_jsonl_j$t")
  name_of[tcpstate_json_j$t]="tcpstate --format json --threads $t${extra:+ $extra}"
  name_of[tcpstate_jsonl_j$t]="tcpstate --format jsonl --threads $t${extra:+ $extra}"
done
names+=(pcap_read_loop)
if [ "$others" = 1 ]; then
  measure tshark tshark -q -z conv,tcp -r "$pcap"; names+=(tshark)
  measure tcptrace tcptrace -n -l "$pcap"; names+=(tcptrace)
fi

name_of[pcap_read_loop]="libpcap read loop (pcap_next_ex)"
name_of[tshark]="tshark -q -z conv,tcp"
name_of[tcptrace]="tcptrace -n -l"

# The outputs of every thread count, compared (untimed).
same=""
for fmt in json jsonl zeek; do
  sums=""
  for t in $threads; do
    # shellcheck disable=SC2086
    sums+="$("$tcpstate" --format "$fmt" --quiet --threads "$t" $extra -r "$pcap" | md5sum | cut -c1-32) "
  done
  if [ "$(echo "$sums" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)" = 1 ]; then
    same+="$fmt identical; "
  else
    same+="$fmt DIFFERENT; "
  fi
done
size_mib=$(awk -v b="$(stat -c %s "$pcap")" 'BEGIN{printf "%.0f", b/1048576}')
echo "${label:-$(basename "$pcap")}: $packets packets, $size_mib MiB; tcpstate${extra:+ $extra} evicted $evicted connections; medians of $repeat runs (TShark, tcptrace: one); outputs of --threads ${threads// /, }: ${same%; }."
echo
echo "| tool | wall s | packets/s | peak RSS MiB | × read loop | exit |"
echo "|---|---:|---:|---:|---:|---:|"
for n in "${names[@]}"; do
  w=${wall[$n]}
  pps=$(awk -v p="$packets" -v w="$w" 'BEGIN{ if (w > 0) printf "%.0f", p/w; else print "-" }')
  ratio=$(awk -v a="$w" -v b="${wall[pcap_read_loop]}" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')
  echo "| ${name_of[$n]} | $w | $pps | ${rss[$n]} | $ratio | ${status[$n]} |"
done
