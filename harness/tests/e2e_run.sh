#!/usr/bin/env bash
# End to end: a tiny suite (two cases at two thread counts, latency CDF on)
# under two allocators; every output file must exist and parse.
source "$(dirname "$0")/e2e_lib.sh"
second=$(second_allocator)
cat >"$TMP/tiny.suite" <<'SUITE'
reps 2
timeout 20
threads 1,2
cdf on
workload fake --ops 20000 --mib 4 --sleep-ms 40
SUITE
run_ab 0 --suite "$TMP/tiny.suite" --workload-dir "$FAKE_DIR" --allocators "glibc,$second" \
  --out "$TMP/run" --quiet
name=${second%%=*}
slug_t1=$(cd "$TMP/run/plots" && ls rss-fake_ops_20000*_t_1-*.svg | sed 's/^rss-//; s/\.svg$//')
python3 "$SRC/e2e_check_outputs.py" "$TMP/run" 8 "glibc,$name" bars-time bars-rss \
  "rss-$slug_t1" "cdf-$slug_t1" "$(cd "$TMP/run/plots" && ls scaling-*.svg | sed 's/\.svg$//')"
# --quiet: nothing on the terminal but errors.
[ ! -s "$TMP/last.log" ] || fail "--quiet printed: $(cat "$TMP/last.log")"
# --report rebuilds the same files from results.csv alone.
rm "$TMP/run/summary.csv" "$TMP/run/report.md"
run_ab 0 --report "$TMP/run" --no-plots --quiet
expect_file "$TMP/run/summary.csv"
expect_file "$TMP/run/report.md"
# A folder that already holds a run is not overwritten.
run_ab 2 --suite "$TMP/tiny.suite" --workload-dir "$FAKE_DIR" --allocators glibc --out "$TMP/run"
grep -q "already holds a run" "$TMP/last.log" || fail "no 'already holds a run' message"
echo "e2e_run: ok"
