#!/bin/bash
# The GNU parallel recipe (examples/parallel/shard.sh) for real: 4 shards
# over two testdata captures read as one, merged, equal a single run.
# Exits 77 (skipped) when GNU parallel is not installed and cannot be.
#
#   bash parallel_test.sh TCPSTATE SOURCE_DIR
set -uo pipefail
tcpstate="$(realpath "$1")"
src="$(realpath "$2")"
if ! parallel --version 2>/dev/null | grep -q "GNU parallel"; then
  [ "$(id -u)" = 0 ] || { echo "SKIP: GNU parallel is not installed"; exit 77; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq parallel >/dev/null 2>&1 ||
    { echo "SKIP: cannot install GNU parallel"; exit 77; }
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
a="$src/testdata/captures/close_wait_idle.pcap"
b="$src/testdata/flood/syn_burst.pcap"
TCPSTATE="$tcpstate" bash "$src/examples/parallel/shard.sh" 4 "$tmp/parts" \
  "$tmp/merged.json" "$a" "$b" || { echo "FAIL: shard.sh"; exit 1; }
"$tcpstate" --quiet -r "$a" -r "$b" --format json -o "$tmp/single.json"
ls "$tmp/parts" | grep -qx part.3 || { echo "FAIL: no part.3"; exit 1; }
cmp -s "$tmp/merged.json" "$tmp/single.json" ||
  { echo "FAIL: the merged report differs from a single run"; exit 1; }
echo "PASS: 4 shards under GNU parallel, merged, equal a single run"
