#!/bin/bash
# Submits a tcpstate analysis to Slurm: an array of N shard tasks, then a
# merge job that starts only if every task succeeded (afterok).
#
#   bash submit.sh -n N -p PARTS_DIR [-a "ANALYSIS ARGS"] [-R "REPORT ARGS"] CAPTURE...
#
# Prints the array job's id and the merge job's id. Set TCPSTATE to the
# tcpstate binary if it is not on the PATH of the compute nodes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shards=""
parts=""
analysis=""
report="--format json -o tcpstate-report.json"
while getopts "n:p:a:R:" opt; do
  case "$opt" in
    n) shards="$OPTARG" ;;
    p) parts="$OPTARG" ;;
    a) analysis="$OPTARG" ;;
    R) report="$OPTARG" ;;
    *) sed -n '2,8p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ -z "$shards" ] || [ -z "$parts" ] || [ $# -eq 0 ]; then
  sed -n '2,8p' "$0" >&2
  exit 2
fi
export TCPSTATE_SHARDS="$shards" TCPSTATE_PARTS="$parts"
array=$(TCPSTATE_INPUTS="$*" TCPSTATE_ARGS="$analysis" \
  sbatch --parsable --export=ALL --array="0-$((shards - 1))" \
  "$here/tcpstate-shard.sbatch")
array="${array%%;*}"
merge=$(TCPSTATE_REPORT="$report" \
  sbatch --parsable --export=ALL --dependency="afterok:$array" \
  --kill-on-invalid-dep=yes "$here/tcpstate-merge.sbatch")
echo "$array ${merge%%;*}"
