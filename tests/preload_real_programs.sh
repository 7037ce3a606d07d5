#!/usr/bin/env bash
# preload_real_programs: runs real programs with and without
# LD_PRELOAD=libsegalloc.so and requires the same output both ways, a zero
# exit status, and proof on stderr (SEGALLOC_SHOW_STATS=1 prints
# "segalloc: local_frees N") that segalloc served their allocations.
#
# usage: preload_real_programs.sh /path/to/libsegalloc.so
# python3, sort and xz must be installed; sqlite3, git and gcc are skipped
# with a message when missing. Exit: 0 all passed, 1 a program failed,
# 2 bad usage.
set -uo pipefail

me=preload_real_programs
here=$(cd "$(dirname "$0")" && pwd)
. "$here/preload_common.sh"
preload_take_lib "$me" "$@"

# Progress lines go to the script's own stdout (fd 3), never into the
# output files of the programs being compared.
exec 3>&1
work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
failed=0
# Same output for everyone: no locale-dependent collation, fixed hashing.
export LC_ALL=C PYTHONHASHSEED=0

fail() {
  echo "$me: FAIL: $*" >&2
  failed=1
}

have() {
  command -v "$1" >/dev/null 2>&1
}

# The largest "segalloc: local_frees N" a run printed (programs that spawn
# others print one line per process); empty when there is none.
local_frees_of() {
  sed -n -E 's/^segalloc: local_frees[[:space:]]+([0-9]+)[[:space:]]*$/\1/p' "$1" | sort -n | tail -n 1
}

# under_segalloc LABEL CMD...: runs CMD preloaded (stdout as the caller
# redirects it) and checks its status and its local_frees line; returns
# non-zero only when CMD failed, as then there is no output to compare.
under_segalloc() {
  local label=$1 err="$work/$1.stderr" status frees
  shift
  LD_PRELOAD=$sa_lib SEGALLOC_SHOW_STATS=1 "$@" 2>"$err"
  status=$?
  if [ $status -ne 0 ]; then
    fail "$label: exited with status $status under segalloc; stderr ends with:"
    tail -n 5 "$err" >&2
    return 1
  fi
  # A missing proof fails the test but the outputs are still compared.
  frees=$(local_frees_of "$err")
  if [ -z "$frees" ] || [ "$frees" -le 0 ]; then
    fail "$label: no 'segalloc: local_frees N' with N > 0 on stderr, so segalloc did not serve it" \
      "(sort and xz close stderr before exit: the stats need a copy of fd 2 taken at start-up)"
  else
    echo "$me: $label under segalloc: local_frees $frees" >&3
  fi
}

# same_output LABEL REFERENCE CANDIDATE
same_output() {
  if cmp -s "$2" "$3"; then
    echo "$me: $1: same output with and without segalloc" >&3
  else
    fail "$1: output differs under segalloc ($(cmp "$2" "$3" 2>&1 | head -n 1))"
  fi
}

# A deterministic text file of about $2 lines of pseudo-random words.
make_text() {
  awk -v n="$2" 'BEGIN { s = 12345; for (i = 0; i < n; i++) { line = "";
      for (w = 0; w < 1 + i % 9; w++) { s = (s * 1103515245 + 12345) % 2147483648;
        line = line sprintf("%x%s ", s, substr("abcdefghijklmnopqrstuvwxyz", 1 + s % 26, 1 + s % 7)) }
      print line } }' >"$1"
}

check_python() {
  local script="$here/preload_python_workload.py"
  PYTHONMALLOC=malloc python3 "$script" >"$work/py.ref" || { fail "python3: reference run failed"; return; }
  PYTHONMALLOC=malloc under_segalloc python3 python3 "$script" >"$work/py.out" || return
  same_output python3 "$work/py.ref" "$work/py.out"
}

# glibc's malloc_trim and mallinfo2, called through ctypes, answer for the
# allocator the program runs on (the same lines under glibc).
check_python_trim() {
  local script="$here/preload_python_trim.py"
  PYTHONMALLOC=malloc python3 "$script" >"$work/pytrim.ref" || { fail "python3 trim: reference run failed"; return; }
  PYTHONMALLOC=malloc under_segalloc python3-trim python3 "$script" >"$work/pytrim.out" || return
  same_output "python3 malloc_trim/mallinfo2" "$work/pytrim.ref" "$work/pytrim.out"
}

check_sort() {
  make_text "$work/sort.in" 150000
  # A small buffer and two threads make sort spill runs to temporary files
  # and merge them: more allocator traffic than one in-memory sort.
  local args=(-S 1M --parallel=2 -T "$work" "$work/sort.in")
  sort "${args[@]}" >"$work/sort.ref" || { fail "sort: reference run failed"; return; }
  under_segalloc sort sort "${args[@]}" >"$work/sort.out" || return
  same_output sort "$work/sort.ref" "$work/sort.out"
}

check_xz() {
  make_text "$work/xz.in" 60000
  # 1 MiB blocks so that -T2 really compresses on two threads.
  local args=(-T2 --block-size=1MiB -6 -c "$work/xz.in")
  xz "${args[@]}" >"$work/xz.ref" || { fail "xz: reference run failed"; return; }
  under_segalloc xz-compress xz "${args[@]}" >"$work/xz.out" || return
  same_output "xz compressed bytes" "$work/xz.ref" "$work/xz.out"
  under_segalloc xz-decompress xz -T2 -d -c "$work/xz.out" >"$work/xz.back" || return
  same_output "xz round trip" "$work/xz.in" "$work/xz.back"
}

write_sqlite_script() {
  cat >"$1" <<'SQL'
CREATE TABLE item(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, payload BLOB);
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 60000)
INSERT INTO item SELECT n, n % 97, printf('name-%08d', (n * 7919) % 100003), zeroblob(n % 700) FROM seq;
CREATE INDEX item_name ON item(name);
CREATE TABLE grp(id INTEGER PRIMARY KEY, label TEXT);
INSERT INTO grp SELECT DISTINCT grp, 'group-' || grp FROM item;
SELECT g.label, count(*), sum(length(i.payload)), min(i.name), max(i.name)
  FROM item i JOIN grp g ON g.id = i.grp GROUP BY g.label ORDER BY g.label;
SELECT name FROM item WHERE name BETWEEN 'name-00050000' AND 'name-00050400' ORDER BY name;
DELETE FROM item WHERE id % 3 = 0;
VACUUM;
SELECT count(*), sum(id) FROM item;
SQL
}

check_sqlite() {
  if ! have sqlite3; then echo "$me: SKIP sqlite3 (not installed)"; return; fi
  write_sqlite_script "$work/work.sql"
  sqlite3 "$work/ref.db" <"$work/work.sql" >"$work/sqlite.ref" || { fail "sqlite3: reference run failed"; return; }
  under_segalloc sqlite3 sqlite3 "$work/seg.db" <"$work/work.sql" >"$work/sqlite.out" || return
  same_output sqlite3 "$work/sqlite.ref" "$work/sqlite.out"
}

# Fixed identities and dates make commit ids depend on content alone.
git_fixed() {
  env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME="$work" \
    GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' \
    GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' \
    "$@"
}

# git_session REPO: init, two commits, repack; prints ids and a tree.
git_session() {
  local repo=$1
  git_fixed git -C "$repo" -c init.defaultBranch=main init -q &&
    git_fixed git -C "$repo" add -A && git_fixed git -C "$repo" commit -q -m first &&
    echo extra >>"$repo/d3/f17.txt" && git_fixed git -C "$repo" commit -q -a -m second &&
    git_fixed git -C "$repo" repack -a -d -q &&
    git_fixed git -C "$repo" log --format='%H %T' &&
    git_fixed git -C "$repo" cat-file -p 'HEAD^{tree}'
}

make_git_tree() {
  local d f
  for d in 0 1 2 3 4 5 6 7; do
    mkdir -p "$1/d$d"
    for f in $(seq 0 24); do
      make_text "$1/d$d/f$f.txt" $((20 + d * 25 + f))
    done
  done
}

check_git() {
  if ! have git; then echo "$me: SKIP git (not installed)"; return; fi
  make_git_tree "$work/git-ref"
  cp -r "$work/git-ref" "$work/git-seg"
  git_session "$work/git-ref" >"$work/git.ref" || { fail "git: reference run failed"; return; }
  # Preload the whole session: every git process must run on segalloc.
  under_segalloc git bash -c "$(declare -f git_fixed git_session); work='$work'; git_session '$work/git-seg'" \
    >"$work/git.out" || return
  same_output "git ids and trees" "$work/git.ref" "$work/git.out"
}

# A C file of many small functions, big enough to make cc1 allocate a lot.
make_c_source() {
  {
    echo '#include <stdio.h>'
    for i in $(seq 0 999); do
      echo "static unsigned long f$i(unsigned long x) { unsigned long a[8]; for (int i = 0; i < 8; i++) a[i] = x * $((i * 2 + 1))UL + i;"
      echo "  return (a[$((i % 8))] ^ (x >> $((i % 13)))) + $i; }"
    done
    echo 'int main(void) { unsigned long s = 1;'
    for i in $(seq 0 999); do echo "  s = f$i(s);"; done
    echo '  printf("%lu\n", s); return 0; }'
  } >"$1"
}

check_gcc() {
  if ! have gcc; then echo "$me: SKIP gcc (not installed)"; return; fi
  make_c_source "$work/big.c"
  mkdir -p "$work/cc-ref" "$work/cc-seg"
  gcc -O2 -c "$work/big.c" -o "$work/cc-ref/big.o" && gcc "$work/cc-ref/big.o" -o "$work/cc-ref/big" ||
    { fail "gcc: reference build failed"; return; }
  under_segalloc gcc-compile gcc -O2 -c "$work/big.c" -o "$work/cc-seg/big.o" || return
  under_segalloc gcc-link gcc "$work/cc-seg/big.o" -o "$work/cc-seg/big" || return
  nm "$work/cc-ref/big.o" >"$work/nm.ref" && nm "$work/cc-seg/big.o" >"$work/nm.out"
  same_output "gcc object symbols (nm)" "$work/nm.ref" "$work/nm.out"
  "$work/cc-ref/big" >"$work/run.ref" && "$work/cc-seg/big" >"$work/run.out"
  same_output "gcc-built program's output" "$work/run.ref" "$work/run.out"
}

for required in python3 sort xz; do
  have "$required" || fail "$required is required but not installed"
done
[ $failed -eq 0 ] || exit 1

check_python
check_python_trim
check_sort
check_xz
check_sqlite
check_git
check_gcc

if [ $failed -ne 0 ]; then
  echo "$me: FAILED (see FAIL lines above)" >&2
  exit 1
fi
echo "$me: OK"
