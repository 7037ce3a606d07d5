#!/usr/bin/env bash
# The single-threaded workloads the harness counts instructions of (under
# callgrind, with --ops and --seed) must do the same work on every run: the
# same operations, the same live-byte peak, and instruction counts that
# differ only by the formatting of the measured seconds.
#   usage: deterministic.sh BIN_DIR
set -u
bin=${1:?usage: deterministic.sh BIN_DIR}
if ! command -v valgrind >/dev/null; then
  echo "skip: valgrind is not installed"
  exit 0
fi
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Instructions (callgrind's "Collected") and the RESULT line minus timings.
measure() {
  local out
  out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>"$tmp/err") ||
    { fail "$*: exit $?: $(tail -n 3 "$tmp/err")"; return; }
  local ir
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/err")
  echo "$ir $(sed -e 's/ seconds=[^ ]*//' -e 's/ ops_per_s=[^ ]*//' -e 's/ rss_[a-z0-9_]*=[^ ]*//g' <<<"$out")"
}

for run in "small-fast --ops 20000 --seed 7" "realloc-grow --ops 3000 --max-size 256K --seed 7" \
           "fragment --ops 20000 --seed 7"; do
  read -r name args <<<"$run"
  first=$(measure "$bin/$name" $args)
  second=$(measure "$bin/$name" $args)
  other_seed=$(measure "$bin/$name" ${args% --seed 7} --seed 8)
  read -r ir1 result1 <<<"$first"
  read -r ir2 result2 <<<"$second"
  [ -n "$ir1" ] && [ -n "$ir2" ] || { fail "$name: no instruction count"; continue; }
  [ "$result1" = "$result2" ] || fail "$name: results differ: '$result1' vs '$result2'"
  # Up to 0.01%: printing a different number of seconds costs a few hundred
  # instructions; anything more means the work itself changed.
  diff=$((ir1 > ir2 ? ir1 - ir2 : ir2 - ir1))
  [ $((diff * 10000)) -le "$ir1" ] || fail "$name: $ir1 vs $ir2 instructions"
  # The check can fail: another seed must change the work.
  [ "${other_seed#* }" != "$result1" ] || fail "$name: --seed 8 did the same work as --seed 7"
  echo "$name: $ir1 / $ir2 instructions, $result1"
done
[ $failures = 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "single-threaded workloads are deterministic"
