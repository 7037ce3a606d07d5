#!/bin/bash
# Callgrind instruction totals of the realprogs programs under each allocator,
# one run each: prints program,allocator,instructions. Run from the repository
# root after a build; PROGS picks programs.
S=$PWD/harness/suites
D=$(mktemp -d) && trap 'rm -rf "$D"' EXIT && python3 "$S/realprogs-data.py" "$D" || exit 1
declare -A L=([glibc]="" [jemalloc]=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 [tcmalloc]=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 [mimalloc]=/usr/lib/x86_64-linux-gnu/libmimalloc.so.2 [segalloc]=$PWD/build/allocator/libsegalloc.so)
for p in ${PROGS:-sort-parallel sqlite-mem python-json xz-T2}; do
  vars=()
  case $p in
    python-json) vars=(PYTHONMALLOC=malloc); cmd=(/usr/bin/python3 $S/realprogs-alloc.py 1) ;;
    sqlite-mem) cmd=(/usr/bin/sqlite3 :memory: ".read $S/realprogs.sql") ;;
    xz-T2) cmd=(/usr/bin/xz -T2 --block-size=1MiB -2 -c $D/text.txt) ;;
    sort-parallel) vars=(LC_ALL=C); cmd=(/usr/bin/sort -S 64M --parallel=2 $D/text.txt) ;;
  esac
  for a in glibc jemalloc tcmalloc mimalloc segalloc; do
    n=$(env "${vars[@]}" LD_PRELOAD=${L[$a]} valgrind --tool=callgrind --callgrind-out-file=/dev/null "${cmd[@]}" 2>&1 >/dev/null | awk '/Collected :/ {s+=$4} END {printf "%.0f", s}')
    echo "$p,$a,$n"
  done
done
