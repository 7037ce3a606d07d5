#!/usr/bin/env bash
# allocbench --heapmap on a real workload under the real segalloc (short:
# churn64k for 0.5 s from the smoke suite): segalloc's run writes its map,
# every snapshot is drawn, and report.md shows it beside the RSS curve.
# Arguments after the usual five: the workloads folder and libsegalloc.so.
source "$(dirname "$0")/e2e_lib.sh"
WL_DIR=$6 SEGALLOC=$7
plots=(--no-plots)
if command -v gnuplot >/dev/null; then plots=(); fi
run_ab 0 --heapmap --heapmap-interval 50 --suite smoke --workloads churn64k \
  --workload-dir "$WL_DIR" --segalloc "$SEGALLOC" --out "$TMP/run" --quiet "${plots[@]}"
run=$TMP/run
rows=$(tail -n +2 "$run/results.csv" | cut -d, -f4,6,7 | tr '\n' ' ')
[ "$rows" = "segalloc,1,ok " ] || fail "expected one ok segalloc run, got: $rows"
maps=("$run"/heapmap/*.csv)
[ ${#maps[@]} = 1 ] && [ -s "${maps[0]}" ] || fail "no heap map written: ${maps[*]}"
name=$(basename "${maps[0]}" .csv)
python3 "$SRC/e2e_check_heapmap.py" "$run" "$name"
grep -q "(heapmap.html)" "$run/report.md" || fail "report.md does not link heapmap.html"
for pic in $(grep -o "heapmap/$name/[0-9]*\.svg" "$run/report.md"); do
  [ -s "$run/$pic" ] || fail "report.md links a missing $pic"
done
[ "$(grep -c "heapmap/$name/[0-9]*\.svg" "$run/report.md")" = 1 ] || fail "report.md: no map row"
if [ ${#plots[@]} = 0 ]; then
  grep -q "!\[RSS\](plots/rss-$name.svg)" "$run/report.md" || fail "no RSS curve beside the map"
  expect_file "$run/plots/rss-$name.svg"
fi
echo "e2e_heapmap_run: ok"
