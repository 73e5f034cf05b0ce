#!/usr/bin/env bash
# Replays and runs the libFuzzer targets of tests/fuzz.
#
#   tests/fuzz/fuzz.sh BUILD_DIR replay          every seed, corpus and crash input
#   tests/fuzz/fuzz.sh BUILD_DIR fuzz SECONDS    replay, then SECONDS per target
#   tests/fuzz/fuzz.sh BUILD_DIR fuzz-only SECONDS   no replay
# FUZZ_TARGETS="decode tcp" limits the targets; FUZZ_RUNS=N also stops each
# target after N runs (whichever of SECONDS and N comes first). Each fuzzing
# run appends "target runs cpu_seconds cov ft" to BUILD_DIR/fuzz/stats.tsv
# (CPU time of the fuzzer process, measured by /usr/bin/time);
# FUZZ_CPU_SECONDS=N also stops a target once it has used N CPU seconds.
#
# BUILD_DIR is a -DTCPSTATE_FUZZ=ON build (tools/run.sh fuzz-smoke makes one).
# Seeds are regenerated into BUILD_DIR/fuzz/seeds from testdata/ and, when
# present, ../shared/corpus. Inputs found while fuzzing go to
# BUILD_DIR/fuzz/work/TARGET, crash artifacts to BUILD_DIR/fuzz/artifacts/
# (tests/fuzz/campaign.sh merges new coverage into tests/fuzz/corpus/).
# Exits non-zero on the first crash, leak, timeout or OOM.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:?build dir}" && pwd)"
mode="${2:-replay}"
seconds="${3:-20}"
read -r -a targets <<< "${FUZZ_TARGETS:-decode tcp ipv6_ext pcap_reader pipeline part}"
fz="$build/fuzz"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# fuzz_pcap_reader rewrites a temporary file for every input: on a disk
# file system (ext4 with discard) that runs 6x slower than in memory.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi

mkdir -p "$fz/seeds" "$fz/artifacts"
seed_inputs=("$src/testdata/captures")
for d in "$src/testdata/damaged" "$src/testdata/malformed" "$src/testdata/fragments" "$src/../shared/corpus"; do
  [ -d "$d" ] && seed_inputs+=("$d")
done
python3 "$src/tests/fuzz/make_seeds.py" "$fz/seeds" "${seed_inputs[@]}"

# libFuzzer limits as OSS-Fuzz applies them: 25 s per input, 2.5 GB RSS.
common=(-rss_limit_mb=2560 -timeout=25 -dict="$src/tests/fuzz/tcp_options.dict"
        -artifact_prefix="$fz/artifacts/")

replay() {  # target
  local t="$1" bin="$build/tests/fuzz/fuzz_$1" dirs=()
  for d in "$fz/seeds/$t" "$src/tests/fuzz/corpus/$t"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  if ((${#dirs[@]})); then
    "$bin" "${common[@]}" -runs=0 "${dirs[@]}" > "$fz/replay_$t.log" 2>&1 || {
      tail -50 "$fz/replay_$t.log"; echo "fuzz.sh: $t: corpus replay failed" >&2; return 1; }
  fi
  # Every past crash input, one process each: must now run cleanly.
  local n=0
  if [ -d "$src/tests/fuzz/crashes/$t" ]; then
    for f in "$src/tests/fuzz/crashes/$t"/*; do
      [ -f "$f" ] || continue
      case "$f" in *.md) continue ;; esac
      "$bin" "${common[@]}" "$f" > "$fz/crash_$t.log" 2>&1 || {
        tail -50 "$fz/crash_$t.log"; echo "fuzz.sh: $t: regression $f fails" >&2; return 1; }
      n=$((n + 1))
    done
  fi
  echo "fuzz.sh: $t: replayed $(grep -o 'INITED.*\|DONE.*' "$fz/replay_$t.log" 2>/dev/null | tail -1) + $n crash inputs"
}

# Interrupts the fuzzer started as (or under) PID once it has used SECONDS
# of CPU time (user + system), so campaigns on a shared machine are measured
# in CPU time, not wall time.
stop_at_cpu() {  # pid seconds
  local pid="$1" limit="$2" hz child ticks
  hz="$(getconf CLK_TCK)"
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    child="$(pgrep -P "$pid" -n 2>/dev/null || echo "$pid")"
    ticks="$(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)"
    if ((ticks / hz >= limit)); then
      touch "$fz/cpu_stop_$pid"
      kill -INT "$child" 2>/dev/null
      return
    fi
  done
}

fuzz() {  # target seconds
  local t="$1" bin="$build/tests/fuzz/fuzz_$1" dirs=("$fz/work/$1")
  mkdir -p "$fz/work/$t"
  for d in "$src/tests/fuzz/corpus/$t" "$fz/seeds/$t"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  local max_len=()
  [ "$t" = pipeline ] && max_len=(-max_len=131072)
  local runs=()
  [ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -o "$fz/cpu_$t.txt")
  "${timer[@]}" "$bin" "${common[@]}" "${max_len[@]}" "${runs[@]}" \
    -max_total_time="$2" -print_final_stats=1 \
    "${dirs[@]}" > "$fz/fuzz_$t.log" 2>&1 &
  local pid=$! rc=0
  [ -n "${FUZZ_CPU_SECONDS:-}" ] && stop_at_cpu "$pid" "$FUZZ_CPU_SECONDS" &
  wait "$pid" || rc=$?
  # 72 is libFuzzer's exit code when stop_at_cpu interrupted it.
  if ((rc != 0)) && ! { ((rc == 72)) && [ -f "$fz/cpu_stop_$pid" ]; }; then
    tail -60 "$fz/fuzz_$t.log"; echo "fuzz.sh: $t: fuzzing found a failure (see $fz/artifacts)" >&2
    return 1
  fi
  local done_line executed cpu="?"
  done_line="$(grep -a -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$fz/fuzz_$t.log" | tail -1)"
  executed="$(grep -a -E 'stat::number_of_executed_units' "$fz/fuzz_$t.log" | awk '{print $2}')"
  [ -s "$fz/cpu_$t.txt" ] && cpu="$(tail -1 "$fz/cpu_$t.txt" | awk '{printf "%.0f", $1 + $2}')"
  echo "fuzz.sh: $t: $done_line runs: $executed cpu: ${cpu}s"
  printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$executed" "$cpu" \
    "$(grep -o 'cov: [0-9]*' <<< "$done_line" | awk '{print $2}')" \
    "$(grep -o 'ft: [0-9]*' <<< "$done_line" | awk '{print $2}')" >> "$fz/stats.tsv"
}

if [ "$mode" != fuzz-only ]; then
  for t in "${targets[@]}"; do
    replay "$t"
  done
fi
if [ "$mode" = fuzz ] || [ "$mode" = fuzz-only ]; then
  for t in "${targets[@]}"; do
    fuzz "$t" "$seconds"
  done
fi
