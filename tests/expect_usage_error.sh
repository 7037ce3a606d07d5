#!/usr/bin/env bash
# expect_usage_error: runs a command that was given bad input and passes
# only if it refuses the way the project's tools must: exit status 2 and a
# single line on stderr naming the problem.
#
# usage: expect_usage_error.sh CMD [ARGS...]
set -uo pipefail
if [ $# -lt 1 ]; then
  echo "expect_usage_error: usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
err=$("$@" 2>&1 >/dev/null)
status=$?
lines=$(printf '%s' "$err" | grep -c '')
if [ $status -ne 2 ] || [ "$lines" -ne 1 ]; then
  echo "expect_usage_error: FAIL: '$*' exited $status with $lines stderr line(s), expected 2 and 1:" >&2
  printf '%s\n' "$err" >&2
  exit 1
fi
echo "expect_usage_error: '$*' refused it: $err"
