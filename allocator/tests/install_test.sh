#!/usr/bin/env bash
# Installs segalloc into a temporary prefix and uses it the ways people do:
# pkg-config + dynamic link, find_package + static link, and segalloc-run.
# Each program must really allocate through segalloc: with
# SEGALLOC_SHOW_STATS=1 it prints segalloc's counters at exit.
set -euo pipefail
build_dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build_dir" --prefix "$prefix" >/dev/null

cat >"$tmp/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <segalloc.h>
int main(void) {
  char *p[1000];
  for (int i = 0; i < 1000; i++) { p[i] = malloc(16 + i); memset(p[i], i, 16 + i); }
  for (int i = 0; i < 1000; i++) free(p[i]);
  printf("version %s\n", sa_version());
  return 0;
}
C

expect_segalloc() { # $1: label, $2: least local frees, rest: command
  local label=$1 least=$2; shift 2
  local out
  out=$(SEGALLOC_SHOW_STATS=1 "$@" 2>&1)
  local frees
  frees=$(printf '%s\n' "$out" | awk '$1 == "segalloc:" && $2 == "local_frees" {print $3}')
  if [ -z "$frees" ] || [ "$frees" -lt "$least" ]; then
    echo "FAIL $label: segalloc did not serve the allocations (local_frees='$frees')"
    printf '%s\n' "$out" | head -20
    exit 1
  fi
  echo "ok $label: local_frees $frees"
}

# 1. pkg-config, dynamic
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig:${PKG_CONFIG_PATH:-}
# shellcheck disable=SC2046
cc -O2 "$tmp/prog.c" -o "$tmp/prog_dyn" $(pkg-config --cflags --libs segalloc) -Wl,-rpath,"$prefix/lib"
"$tmp/prog_dyn" | grep -q "^version " || { echo "FAIL pkg-config program did not run"; exit 1; }
expect_segalloc "pkg-config dynamic" 1000 "$tmp/prog_dyn"

# 2. find_package, static
mkdir -p "$tmp/cm"
cp "$tmp/prog.c" "$tmp/cm/prog.c"
cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(uses_segalloc C)
find_package(segalloc REQUIRED)
add_executable(prog_static prog.c)
target_link_libraries(prog_static PRIVATE segalloc::segalloc-static)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cm/build" >/dev/null
if ldd "$tmp/cm/build/prog_static" | grep -q libsegalloc; then
  echo "FAIL static program links libsegalloc.so dynamically"; exit 1
fi
expect_segalloc "find_package static" 1000 "$tmp/cm/build/prog_static"

# 3. segalloc-run on a real command
expect_segalloc "segalloc-run sort" 10 sh -c "seq 20000 | \"$prefix/bin/segalloc-run\" sort -n >/dev/null"
expect_segalloc "segalloc-run direct" 1 "$prefix/bin/segalloc-run" sort -n /dev/null
# 4. allocbench from the prefix finds the installed workloads and library
list=$("$prefix/bin/allocbench" --list 2>&1)
printf '%s\n' "$list" | grep -q "segalloc *$prefix/lib/libsegalloc.so" || { echo "FAIL allocbench --list: $list"; exit 1; }
printf '%s\n' "$list" | grep -q "Workloads in $prefix/libexec/allocbench/workloads" || { echo "FAIL allocbench workloads: $list"; exit 1; }
[ -f "$prefix/share/allocbench/harness/suites/smoke.suite" ] || { echo "FAIL suites not installed"; exit 1; }
"$prefix/bin/allocbench" --suite smoke --workloads small-fast --allocators glibc,segalloc --reps 1 --no-plots \
  --quiet --out "$tmp/run" >/dev/null 2>&1 || { echo "FAIL installed allocbench could not run"; exit 1; }
grep -q ",segalloc,1,1,ok," "$tmp/run/results.csv" || { echo "FAIL no segalloc row"; cat "$tmp/run/results.csv"; exit 1; }
echo "ok allocbench installed: --list and a run"
echo "install_test: passed"
