#!/usr/bin/env bash
# oom_preload: out of memory through the malloc that LD_PRELOAD=libsegalloc.so
# puts into a program, under `ulimit -v` (an address-space limit), and the
# same on glibc alone for comparison:
#   - oom_program (oom_program.c): malloc, calloc, realloc, posix_memalign
#     and aligned_alloc fail with NULL + ENOMEM (posix_memalign returns
#     ENOMEM) in every size class, never crash, keep the blocks they gave,
#     and succeed again once memory is freed, also after two threads ran
#     out at once. The limit is 256 MiB above the program's own size.
#   - python3 (PYTHONMALLOC=malloc, so every object comes from malloc)
#     with 160 MiB above its start-up size: a 1 TiB bytearray, then lists
#     of 1 MiB, 64 KiB and small objects until each raises MemoryError;
#     then a 64 MiB bytearray and a 200000-entry dict must work again.
#     The program must end normally (no "Fatal Python error", no signal)
#     and print the same lines on segalloc as on glibc.
#
# usage: oom_preload.sh /path/to/libsegalloc.so /path/to/oom_program
# Exit: 0 passed, 1 failed, 2 bad usage.
set -uo pipefail

me=oom_preload
if [ $# -ne 2 ]; then
  echo "$me: usage: $0 /path/to/libsegalloc.so /path/to/oom_program" >&2
  exit 2
fi
case $1 in /*) sa_lib=$1 ;; *) sa_lib=$PWD/$1 ;; esac
program=$2
for f in "$sa_lib" "$program"; do
  if [ ! -f "$f" ]; then
    echo "$me: no such file: $f" >&2
    exit 2
  fi
done
if ! command -v python3 >/dev/null 2>&1; then
  echo "$me: FAIL: python3 is required but not installed" >&2
  exit 1
fi

export LC_ALL=C
work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
failed=0

fail() {
  echo "$me: FAIL: $*" >&2
  failed=1
}

# preload_for ALLOCATOR: the environment assignments that select it (none
# for glibc). The library path must not contain spaces.
preload_for() {
  if [ "$1" = segalloc ]; then echo "LD_PRELOAD=$sa_lib SEGALLOC_SHOW_STATS=1"; fi
}

# limited KIB LABEL CMD...: runs CMD with its address space limited to KIB
# (stdout and stderr to $work/LABEL.out / .err); returns CMD's status.
limited() {
  local kib=$1 label=$2
  shift 2
  (
    ulimit -v "$kib" || exit 125
    exec "$@"
  ) >"$work/$label.out" 2>"$work/$label.err"
}

# status_text STATUS: how a process ended, in words.
status_text() {
  if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
    echo "killed by signal $(($1 - 128)) ($(kill -l $(($1 - 128)) 2>/dev/null))"
  else
    echo "exit status $1"
  fi
}

# The stats line proves segalloc served the run (and that printing them
# at exit survived running out of memory).
expect_segalloc_served() {
  local n
  # The largest: a launcher (a pyenv shim, say) may print its own lines.
  n=$(sed -n -E 's/^segalloc: local_frees[[:space:]]+([0-9]+)[[:space:]]*$/\1/p' "$work/$1.err" | sort -n | tail -n 1)
  if [ -z "$n" ] || [ "$n" -le 0 ]; then
    fail "$1: no 'segalloc: local_frees N' with N > 0 on stderr: segalloc did not serve it"
  fi
}

check_program() {
  local alloc=$1 label="program-$1" base status
  # shellcheck disable=SC2046 # the assignments are meant to split
  base=$(env $(preload_for "$alloc") "$program" --vm-kib 2>/dev/null) || { fail "$label: oom_program --vm-kib failed"; return; }
  # shellcheck disable=SC2046
  limited $((base + 256 * 1024)) "$label" env $(preload_for "$alloc") "$program" "$alloc"
  status=$?
  sed "s/^/$me: /" "$work/$label.out"
  if [ $status -ne 0 ]; then
    fail "$label: $(status_text $status) under ulimit -v $((base + 256 * 1024)); stderr ends with:"
    grep -v '^segalloc: ' "$work/$label.err" | tail -n 5 >&2
    return
  fi
  [ "$alloc" = glibc ] || expect_segalloc_served "$label"
}

write_python_script() {
  cat >"$1" <<'PY'
import sys

MIB = 1 << 20

def fill(make):
    """Keeps making objects until MemoryError; returns how many were made."""
    keep = []
    try:
        while True:
            keep.append(make(len(keep)))
    except MemoryError:
        pass
    count = len(keep)
    del keep
    return count

try:
    bytearray(1 << 40)
    print("1 TiB bytearray: allocated, which the limit cannot allow")
except MemoryError:
    print("1 TiB bytearray: MemoryError")

for name, make, size in (("1 MiB bytearrays", lambda i: bytearray(MIB), MIB),
                         ("64 KiB bytes objects", lambda i: bytes(65536), 65536),
                         ("small strings", lambda i: "string number %d" % i, 64)):
    count = fill(make)
    enough = count * size >= 48 * MIB
    print("%s: MemoryError after %s 48 MiB" % (name, "at least" if enough else "LESS THAN"))
    print("%s: %d objects, about %d MiB" % (name, count, count * size // MIB), file=sys.stderr)

big = bytearray(64 * MIB)
big[-1] = 1
words = ["w%d" % i for i in range(200000)]
table = {w: len(w) for w in words}
print("recovered: a 64 MiB bytearray and a %d-entry dict, total %d" % (len(table), sum(table.values())))
print("done")
PY
}

check_python() {
  local alloc=$1 label="python-$1" base status
  # shellcheck disable=SC2046
  base=$(env $(preload_for "$alloc") PYTHONMALLOC=malloc python3 -c \
    'import os; print(int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE") // 1024)' 2>/dev/null) ||
    { fail "$label: could not measure python3's start-up size"; return; }
  # shellcheck disable=SC2046
  limited $((base + 160 * 1024)) "$label" env $(preload_for "$alloc") PYTHONMALLOC=malloc python3 "$work/oom.py"
  status=$?
  sed "s/^/$me: $label: /" "$work/$label.out"
  grep -v '^segalloc: ' "$work/$label.err" | sed "s/^/$me: $label: /"
  if [ $status -ne 0 ]; then
    fail "$label: $(status_text $status) under ulimit -v $((base + 160 * 1024))"
    return
  fi
  if grep -q 'Fatal Python error' "$work/$label.err"; then
    fail "$label: python3 reported a fatal error"
  fi
  if grep -q -e 'LESS THAN' -e 'cannot allow' "$work/$label.out" || [ "$(tail -n 1 "$work/$label.out")" != "done" ]; then
    fail "$label: python3 did not raise MemoryError and recover as expected"
  fi
  [ "$alloc" = glibc ] || expect_segalloc_served "$label"
}

write_python_script "$work/oom.py"
for alloc in glibc segalloc; do
  check_program "$alloc"
done
for alloc in glibc segalloc; do
  check_python "$alloc"
done
if [ -f "$work/python-glibc.out" ] && [ -f "$work/python-segalloc.out" ] &&
  ! cmp -s "$work/python-glibc.out" "$work/python-segalloc.out"; then
  fail "python3 printed different lines on segalloc and on glibc"
fi

if [ $failed -ne 0 ]; then
  echo "$me: FAILED (see FAIL lines above)" >&2
  exit 1
fi
echo "$me: OK"
