#!/usr/bin/env bash
# SEGALLOC_SECURE=1: a double free, a pointer segalloc never returned, an
# interior pointer and one into free slices of a segment are each reported with a clear message and abort (a
# double free of a large block without secure mode too). A
# pointer from outside segalloc stops the program even without secure mode,
# and correct use passes.
set -uo pipefail
lib=$1 misuse=$2
fail=0
expect_abort() { # mode secure pattern
  local out rc
  out=$(SEGALLOC_SECURE=$2 LD_PRELOAD=$lib "$misuse" "$1" 2>&1)
  rc=$?
  if [ $rc -ne 134 ] || ! printf '%s' "$out" | grep -q "$3"; then
    echo "FAIL $1 (secure=$2): rc=$rc, wanted SIGABRT and '$3'; output: $out"
    fail=1
  else
    echo "ok $1 (secure=$2): $(printf '%s' "$out" | grep -m1 "$3")"
  fi
}
expect_abort double-free 1 "double free"
# A large block's page is kept for the next large malloc, and a free into a
# page with no block out stops the program, secure mode or not.
expect_abort double-free-large 1 "double free"
expect_abort double-free-large 0 "double free"
expect_abort foreign 1 "invalid pointer"
expect_abort interior 1 "interior"
expect_abort free-span 1 "inside a free span"
# A free span's stale descriptors name a live page that starts where an
# older, longer one did; a block boundary of that page past its end.
expect_abort stale-span 1 "inside a free span"
# A block another thread freed into an idle thread's page, purged by the
# background thread since (it is then on no list), freed a second time.
expect_abort double-free-purged 1 "double free"
# Without secure mode the fast path reads the would-be segment header first:
# a foreign pointer either faults there or is caught on the generic path.
# Either way the program stops; it never returns having corrupted a list.
out=$(LD_PRELOAD=$lib "$misuse" foreign 2>&1); rc=$?
if [ $rc -ne 134 ] && [ $rc -ne 139 ]; then echo "FAIL foreign (secure=0): rc=$rc: $out"; fail=1; else echo "ok foreign (secure=0): stopped with rc=$rc"; fi
out=$(SEGALLOC_SECURE=1 LD_PRELOAD=$lib "$misuse" ok 2>&1)
if [ $? -ne 0 ] || [ "$out" != "misuse: survived" ]; then echo "FAIL correct use under secure mode: $out"; fail=1; else echo "ok correct use"; fi
exit $fail
