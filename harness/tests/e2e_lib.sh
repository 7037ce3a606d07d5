# Shared set-up for the end-to-end tests: arguments, a fresh folder, and
# helpers that fail the test with a message.
set -euo pipefail
AB=$1 FAKE_DIR=$2 NOOP=$3 TMP=$4 SRC=$5
rm -rf "$TMP"
mkdir -p "$TMP"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_file() { [ -s "$1" ] || fail "missing or empty: $1"; }

# A second allocator: jemalloc when installed, else glibc through a no-op preload.
second_allocator() {
  if "$AB" --list | grep -q '^  jemalloc   /'; then echo jemalloc; else echo "other=$NOOP"; fi
}

# Runs allocbench (after ${AB_PREFIX[@]}, e.g. env VAR=x) expecting an exit
# code; keeps its stdout and stderr in $TMP/last.log.
AB_PREFIX=()
run_ab() {
  local want=$1; shift
  local rc=0
  "${AB_PREFIX[@]}" "$AB" "$@" >"$TMP/last.log" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || { cat "$TMP/last.log" >&2; fail "allocbench $* exited $rc, expected $want"; }
}
