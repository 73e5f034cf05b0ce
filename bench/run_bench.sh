#!/usr/bin/env bash
# Throughput benchmark on a capture of real kernel TCP traffic.
#
#   bash bench/run_bench.sh [--tcpstate PATH] [--regen] [--short N] [--bulk-mib N]
#
# 1. Unless bench/out/bench.pcap exists (or --regen is given), generates it:
#    two network namespaces (tcpst-bench-a 198.18.0.1, tcpst-bench-b
#    198.18.0.2) joined by a veth pair with TSO/GSO/GRO and checksum offload
#    off, so every packet on the wire is at most MTU-sized; many short
#    connections plus paced bulk transfers (bench/traffic.py); tcpdump -s 0
#    on the client side. Needs root. The namespaces are removed on exit.
# 2. Times, one after the other on that file (bench/compare.sh):
#    tcpstate --format json and --format jsonl, a bare libpcap read loop
#    (bench/pcap_read_loop.cc), tshark -q -z conv,tcp, tcptrace -n -l, after
#    one untimed read of the file (so all find it in the page cache).
# 3. Prints a Markdown table (also written to bench/out/results.md), each
#    time as a multiple of the read loop's.
# No timing is asserted anywhere: the numbers are for people to read.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/out"
pcap="$out/bench.pcap"
tcpstate_arg=""
regen=0
short_per_client=70000   # two client processes run this many each
short_clients=2
bulk_transfers=8
bulk_mib=256
target_packets=3000000

while (($#)); do
  case "$1" in
    --tcpstate) tcpstate_arg="$2"; shift 2 ;;
    --regen) regen=1; shift ;;
    --short) short_per_client="$2"; shift 2 ;;
    --bulk-mib) bulk_mib="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$out"
log() { echo "[bench] $*" >&2; }

# ------------------------------------------------------------ tools
# What the capture needs; bench/compare.sh installs what the timing needs.
need=()
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v ethtool >/dev/null || need+=(ethtool)
command -v ip >/dev/null || need+=(iproute2)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ------------------------------------------------------------ capture
ns_a=tcpst-bench-a
ns_b=tcpst-bench-b
pids=()

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
}

generate() {
  [ "$(id -u)" = 0 ] || { echo "run_bench.sh: generating the capture needs root" >&2; exit 1; }
  trap cleanup EXIT INT TERM
  ip netns del "$ns_a" 2>/dev/null || true   # a previous run that was killed
  ip netns del "$ns_b" 2>/dev/null || true
  ip netns add "$ns_a"
  ip netns add "$ns_b"
  ip link add tsb-a netns "$ns_a" type veth peer name tsb-b netns "$ns_b"
  ip -n "$ns_a" addr add 198.18.0.1/24 dev tsb-a
  ip -n "$ns_b" addr add 198.18.0.2/24 dev tsb-b
  local ns dev
  for ns in "$ns_a" "$ns_b"; do
    ip -n "$ns" link set lo up
    dev=tsb-a; [ "$ns" = "$ns_b" ] && dev=tsb-b
    ip -n "$ns" link set "$dev" up
    ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off >/dev/null 2>&1 ||
      log "ethtool -K $dev failed in $ns (offload may stay on)"
  done
  # Many short connections from one address: widen the port range and let
  # TIME_WAIT ports be reused (both are per namespace).
  ip netns exec "$ns_a" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
  ip netns exec "$ns_a" sysctl -qw net.ipv4.tcp_tw_reuse=1
  ip netns exec "$ns_b" sysctl -qw net.core.somaxconn=4096

  ip netns exec "$ns_b" python3 "$here/traffic.py" server --addr 198.18.0.2 &
  pids+=($!)
  local tmp="$pcap.partial"
  rm -f "$tmp"
  ip netns exec "$ns_a" tcpdump -i tsb-a -n -s 0 -B 262144 -w "$tmp" tcp \
    2>"$out/tcpdump.log" &
  local dump_pid=$!
  pids+=("$dump_pid")
  local i
  for i in $(seq 50); do
    grep -q "listening on" "$out/tcpdump.log" 2>/dev/null && break
    sleep 0.2
  done
  sleep 0.5
  log "generating traffic: $short_clients x $short_per_client short connections," \
      "$bulk_transfers x $bulk_mib MiB bulk"
  local t0=$SECONDS client_pids=()
  for i in $(seq "$short_clients"); do
    ip netns exec "$ns_a" python3 "$here/traffic.py" short --addr 198.18.0.2 \
      --count "$short_per_client" --seed "$i" &
    client_pids+=($!)
  done
  ip netns exec "$ns_a" python3 "$here/traffic.py" bulk --addr 198.18.0.2 \
    --transfers "$bulk_transfers" --mbytes "$bulk_mib" &
  client_pids+=($!)
  for i in "${client_pids[@]}"; do wait "$i"; done
  sleep 1
  kill -INT "$dump_pid"
  wait "$dump_pid" || true
  log "traffic took $((SECONDS - t0)) s; tcpdump: $(grep -E 'captured|dropped' "$out/tcpdump.log" | tr '\n' ' ')"
  mv "$tmp" "$pcap"
  cleanup
  pids=()
  trap - EXIT INT TERM
}

if [ "$regen" = 1 ] || [ ! -s "$pcap" ]; then
  generate
else
  log "using cached $pcap (--regen to make a new one)"
fi

# ------------------------------------------------------------ timing
args=()
[ -n "$tcpstate_arg" ] && args=(--tcpstate "$tcpstate_arg")
bash "$here/compare.sh" "${args[@]}" \
  --label "Capture \`bench/out/bench.pcap\` (real kernel traffic, full-size packets: tcpdump -s 0)" \
  "$pcap" | tee "$out/results.md"
