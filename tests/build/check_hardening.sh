#!/usr/bin/env bash
# Checks that a release binary carries the hardening of the top-level
# CMakeLists.txt: PIE, full RELRO (GNU_RELRO + BIND_NOW), a non-executable
# stack, the stack protector and _FORTIFY_SOURCE's checked functions.
#   check_hardening.sh BINARY
set -uo pipefail
bin="${1:?usage: check_hardening.sh BINARY}"
fail=0
check() {  # description, command...
  local what="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    fail=1
  fi
}
header="$(readelf -h -W "$bin")"
segments="$(readelf -l -W "$bin")"
dynamic="$(readelf -d -W "$bin")"
symbols="$(readelf --dyn-syms -W "$bin")"
check "PIE (ELF type DYN)" grep -Eq 'Type:[[:space:]]+DYN' <<< "$header"
check "GNU_RELRO segment" grep -q 'GNU_RELRO' <<< "$segments"
check "BIND_NOW (full RELRO)" grep -Eq '\(BIND_NOW\)|FLAGS_1.*NOW' <<< "$dynamic"
check "PIE flag in FLAGS_1" grep -Eq 'FLAGS_1.*PIE' <<< "$dynamic"
check "GNU_STACK present" grep -q 'GNU_STACK' <<< "$segments"
check "GNU_STACK not executable" bash -c \
  "grep 'GNU_STACK' <<< \"\$1\" | grep -Eqv 'RWE|[[:space:]]E[[:space:]]*\$'" _ "$segments"
check "stack protector (__stack_chk_fail)" grep -q '__stack_chk_fail' <<< "$symbols"
check "_FORTIFY_SOURCE (__*_chk imported from glibc)" grep -Eq 'UND __[a-z0-9_]+_chk@GLIBC' <<< "$symbols"
exit "$fail"
