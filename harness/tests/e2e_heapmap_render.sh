#!/usr/bin/env bash
# allocbench --heapmap-render on a hand-written SEGALLOC_MAP file: every
# picture parses and shows its snapshot's spans, the page steps through
# them; a malformed file, an unreadable one and flags that do not go
# together are one-line errors with exit code 2 that create nothing.
source "$(dirname "$0")/e2e_lib.sh"

cat >"$TMP/map.csv" <<'CSV'
time_ms,segment,owner,segment_slices,first_slice,slices,state,kind,block_size,capacity,reserved,used,thread_free
0,0x7f0000000000,7f00aa,512,1,9,page,medium,65600,8,8,8,5
0,0x7f0000000000,7f00aa,512,10,1,page,small,128,512,512,40,0
0,0x7f0000000000,7f00aa,512,11,501,purged,-,0,0,0,0,0
0,0x7f0002000000,0,512,1,2,page,large,131072,1,1,1,0
0,0x7f0002000000,0,512,3,509,free,-,0,0,0,0,0
100,0x7f0000000000,7f00bb,512,1,9,page,medium,65600,8,8,1,0
100,0x7f0000000000,7f00bb,512,10,502,free,-,0,0,0,0,0
CSV
run_ab 0 --heapmap-render "$TMP/map.csv" --out "$TMP/out" --no-plots --quiet
[ ! -s "$TMP/last.log" ] || fail "--quiet printed: $(cat "$TMP/last.log")"
python3 "$SRC/e2e_check_heapmap.py" "$TMP/out" map "$TMP/map.csv"
[ ! -e "$TMP/out/heapmap/map/0000.png" ] || fail "--no-plots made PNGs"

# Without --out the pages go beside the file; PNGs when a converter is there.
run_ab 0 --heapmap-render "$TMP/map.csv" --quiet
expect_file "$TMP/heapmap.html"
if command -v rsvg-convert >/dev/null || command -v convert >/dev/null; then
  head -c 4 "$TMP/heapmap/map/0001.png" | grep -q PNG || fail "no PNG made by the converter"
fi

expect_error() { # message fragment, then allocbench's arguments
  local want=$1; shift
  run_ab 2 "$@"
  [ "$(wc -l <"$TMP/last.log")" = 1 ] || fail "allocbench $*: not one line: $(cat "$TMP/last.log")"
  grep -qF -- "$want" "$TMP/last.log" || fail "allocbench $*: no '$want' in: $(cat "$TMP/last.log")"
}
printf 'time_ms,segment,owner\n0,0x1,0\n' >"$TMP/bad.csv"
expect_error "bad.csv:1: no column 'segment_slices'" --heapmap-render "$TMP/bad.csv" --out "$TMP/bad-out"
head -n 2 "$TMP/map.csv" >"$TMP/bad2.csv"
echo '0,0x7f0000000000,7f00aa,512,5,9,page,medium,65600,8,8,8,5' >>"$TMP/bad2.csv"
expect_error "bad2.csv:3: span at slice 5 overlaps" --heapmap-render "$TMP/bad2.csv" --out "$TMP/bad-out"
expect_error "cannot read" --heapmap-render "$TMP/none.csv" --out "$TMP/bad-out"
[ ! -e "$TMP/bad-out" ] || fail "a refused map created $TMP/bad-out"
expect_error "--heapmap-interval goes with --heapmap" --heapmap-interval 50
expect_error "pick one" --heapmap --heapmap-render "$TMP/map.csv"
expect_error "cannot be combined" --heapmap --list
expect_error "--heapmap-interval '-5'" --heapmap --heapmap-interval -5
expect_error "add segalloc to --allocators" --heapmap --allocators glibc \
  --workload-dir "$FAKE_DIR" --out "$TMP/no-run"
[ ! -e "$TMP/no-run" ] || fail "a refused --heapmap run created its folder"
echo "e2e_heapmap_render: ok"
