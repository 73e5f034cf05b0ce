#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or with sudo):
#   bash tools/run.sh demo   install what is missing, build, analyse a sample capture
#   bash tools/run.sh test   install what is missing, build, run the whole test suite
#   bash tools/run.sh test-asan   the test suite again under ASan + UBSan + LSan
#                                 (build-asan/; the conformance label is left out)
#   bash tools/run.sh test-tsan   the sharded engine (--threads) under ThreadSanitizer
#                                 (build-tsan/; ctest label tsan)
#   bash tools/run.sh fuzz-smoke  build the libFuzzer targets (clang, build-fz/),
#                                 replay every corpus and crash input, then fuzz
#                                 each target FUZZ_SECONDS (default 20) seconds
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-demo}"
build_dir="${BUILD_DIR:-build}"

# Packages the build and the tests need (Debian 12 names).
# The live-capture tests (ctest -L live, root) need iproute2 (ip, ss),
# nftables, ethtool and tmux.
packages=(build-essential cmake pkg-config libpcap-dev libabsl-dev libgtest-dev
          libgmock-dev zlib1g-dev libzstd-dev liblzma-dev python3 libxml2-utils
          valgrind iproute2 nftables ethtool tmux ccache man-db groff-base
          dpkg-dev)

# Every build goes through ccache, its cache outside the checkout so that a
# fresh clone (CI) reuses the objects of earlier runs on this machine.
export CCACHE_DIR="${CCACHE_DIR:-/var/cache/tcpstate-ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
# Object files do not depend on where the checkout lives.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "tools/run.sh: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

# Only the test mode needs a browser (tests/browser: the HTML report in
# headless Chromium), a Slurm cluster and a PostgreSQL server (tests/scale:
# started and stopped by the tests themselves).
test_packages=(chromium slurm-wlm munge postgresql parallel)

# Only the fuzz mode needs clang and its libFuzzer / sanitizer runtimes.
fuzz_packages=(clang libclang-rt-14-dev)

build() {  # [target]
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
  cmake --build "$build_dir" -j "$(nproc)" ${1:+--target "$1"}
}

case "$mode" in
  demo)
    install_missing "${packages[@]}"
    build tcpstate
    # The headline: a stuck CLOSE_WAIT, and the FIN_WAIT_1 of a server
    # whose ACK was lost after the tap (--stuck-after: the capture is 2 s).
    "$build_dir/tools/tcpstate" -r testdata/captures/fin_ack_lost_after_tap.pcap \
      --stuck-after 1s
    ;;
  test)
    install_missing "${packages[@]}" "${test_packages[@]}"
    build
    cd "$build_dir"
    ctest --output-on-failure -j "$(nproc)"
    ;;
  test-asan)
    install_missing "${packages[@]}"
    asan_dir="${ASAN_BUILD_DIR:-build-asan}"
    # No _FORTIFY_SOURCE here: CMakeLists.txt drops hardening when
    # CMAKE_CXX_FLAGS asks for a sanitizer.
    cmake -S . -B "$asan_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
      -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
      >/dev/null
    cmake --build "$asan_dir" -j "$(nproc)"
    cd "$asan_dir"
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1" \
      UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      ctest --output-on-failure -j "$(nproc)" -LE "conformance|threads|package"
    ;;
  test-tsan)
    install_missing "${packages[@]}"
    tsan_dir="${TSAN_BUILD_DIR:-build-tsan}"
    cmake -S . -B "$tsan_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
      -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" >/dev/null
    cmake --build "$tsan_dir" -j "$(nproc)" --target tcpstate analyzer_test
    cd "$tsan_dir"
    ctest --output-on-failure -j "$(nproc)" -L tsan
    ;;
  fuzz-smoke)
    install_missing "${packages[@]}" "${fuzz_packages[@]}"
    fuzz_dir="${FUZZ_BUILD_DIR:-build-fz}"
    cmake -S . -B "$fuzz_dir" -DCMAKE_CXX_COMPILER=clang++ -DTCPSTATE_FUZZ=ON "${launcher[@]}" \
      -DTCPSTATE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$fuzz_dir" -j "$(nproc)"
    bash tests/fuzz/fuzz.sh "$fuzz_dir" fuzz "${FUZZ_SECONDS:-20}"
    ;;
  *)
    echo "usage: bash tools/run.sh demo|test|test-asan|test-tsan|fuzz-smoke" >&2
    exit 2
    ;;
esac
