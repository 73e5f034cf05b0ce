#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or with sudo):
#   bash tools/run.sh demo   install what is missing, build, analyse a sample capture
#   bash tools/run.sh test   install what is missing, build, run the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-demo}"
build_dir="${BUILD_DIR:-build}"

# Packages the build and the tests need (Debian 12 names).
packages=(build-essential cmake pkg-config libpcap-dev libabsl-dev libgtest-dev
          libgmock-dev python3 libxml2-utils)

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

build() {  # [target]
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j "$(nproc)" ${1:+--target "$1"}
}

case "$mode" in
  demo)
    install_missing "${packages[@]}"
    build tcpstate
    "$build_dir/tools/tcpstate" -r testdata/captures/server_never_closes.pcap
    ;;
  test)
    install_missing "${packages[@]}"
    build
    cd "$build_dir"
    ctest --output-on-failure -j "$(nproc)"
    ;;
  *)
    echo "usage: bash tools/run.sh demo|test" >&2
    exit 2
    ;;
esac
