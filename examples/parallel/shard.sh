#!/bin/bash
# tcpstate sharded with GNU parallel: N shard runs (here, or on other
# machines with -S), then the merge.
#
#   bash shard.sh N PARTS_DIR REPORT.json CAPTURE...
#
# Every shard reads every capture (in the order given: rotated files in time
# order) and keeps the flows whose hash modulo N is its number; the merge
# gives the report a single run gives. Across machines, the captures and
# PARTS_DIR must be at the same paths on every host (a shared file system),
# e.g.: parallel -S host1,host2 ... (see man parallel, --sshlogin).
set -euo pipefail
n="$1" parts="$2" report="$3"
shift 3
tcpstate="${TCPSTATE:-tcpstate}"
reads=()
for f in "$@"; do
  reads+=(-r "$f")
done
mkdir -p "$parts"
# --halt now,fail=1: one failed shard stops the rest (the merge would
# refuse the parts anyway: a shard missing).
parallel --halt now,fail=1 -j "${JOBS:-$n}" \
  "$tcpstate" --quiet --shard {}/"$n" "${reads[@]}" -o "$parts"/part.{} \
  ::: $(seq 0 $((n - 1)))
"$tcpstate" merge "$parts"/part.* --format json -o "$report"
