#!/usr/bin/env bash
# Long fuzzing campaign on demand (one core, one target at a time):
#
#   tests/fuzz/campaign.sh [-b BUILD_DIR] [-t "decode tcp ..."] [-r RUNS] [-n] [-m] SECONDS
#
# Builds BUILD_DIR (default build-fz) with clang++ -DTCPSTATE_FUZZ=ON if
# needed, replays everything, fuzzes each target for SECONDS and prints the
# final stats (runs, cov, ft, CPU seconds; also appended to
# BUILD_DIR/fuzz/stats.tsv). -r RUNS stops each target after RUNS runs if
# that comes first; -n uses the binaries in BUILD_DIR as they are (no
# build: a long campaign keeps fuzzing the code it started with). With -m the new coverage is merged into the
# committed corpus tests/fuzz/corpus/TARGET (minimised with -merge=1).
# A crash stops the campaign; the input is in BUILD_DIR/fuzz/artifacts/:
# copy it to tests/fuzz/crashes/TARGET/ with a note, fix the bug, commit both.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build-fz
targets="decode tcp ipv6_ext pcap_reader pipeline"
merge=0
nobuild=0
while getopts "b:t:r:nm" o; do
  case "$o" in
    b) build="$OPTARG" ;;
    t) targets="$OPTARG" ;;
    r) export FUZZ_RUNS="$OPTARG" ;;
    n) nobuild=1 ;;
    m) merge=1 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
seconds="${1:?usage: campaign.sh [-b BUILD_DIR] [-t TARGETS] [-r RUNS] [-n] [-m] SECONDS}"

if ((!nobuild)); then
  if [ ! -x "$build/tests/fuzz/fuzz_pipeline" ]; then
    cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DTCPSTATE_FUZZ=ON \
      -DTCPSTATE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$build" -j "$(nproc)" >/dev/null
fi

bash tests/fuzz/fuzz.sh "$build" replay
for t in $targets; do
  FUZZ_TARGETS="$t" bash tests/fuzz/fuzz.sh "$build" fuzz-only "$seconds"
  if ((merge)); then
    mkdir -p "tests/fuzz/corpus/$t"
    "$build/tests/fuzz/fuzz_$t" -merge=1 "tests/fuzz/corpus/$t" \
      "$build/fuzz/work/$t" > "$build/fuzz/merge_$t.log" 2>&1
    echo "campaign.sh: $t: corpus now $(ls "tests/fuzz/corpus/$t" | wc -l) files"
  fi
done
