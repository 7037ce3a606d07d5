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
# segalloc did not run: headtohead.csv is its header alone. With --focus glibc
# every case has a row per metric; two repetitions can call nothing.
[ "$(wc -l <"$TMP/run/headtohead.csv")" = 1 ] || fail "headtohead.csv has rows without segalloc"
run_ab 0 --report "$TMP/run" --no-plots --quiet --focus glibc
python3 "$SRC/e2e_check_outputs.py" "$TMP/run" 8 "glibc,$name"
[ "$(grep -c ",glibc,time,$name,2," "$TMP/run/headtohead.csv")" = 2 ] || fail "headtohead.csv: no time rows"
[ "$(grep -c ",glibc,peak_rss,$name,2,.*,0.5000,none$" "$TMP/run/headtohead.csv")" = 2 ] ||
  fail "headtohead.csv: peak RSS rows"
# Without --quiet the head to head also goes to the terminal, a line a case.
run_ab 0 --report "$TMP/run" --no-plots --focus glibc
grep -q "^glibc head to head (median of the paired ratios" "$TMP/last.log" || fail "no head to head on the terminal"
[ "$(grep -c "^  fake .*: time .* of $name's (50%): no clear difference; peak RSS" "$TMP/last.log")" = 2 ] ||
  fail "head to head lines: $(cat "$TMP/last.log")"
grep -q "^  (2 repetitions: too few to call a difference; run with --reps 5 or more)$" "$TMP/last.log" ||
  fail "no hint about too few repetitions: $(cat "$TMP/last.log")"
# --against names the other side: the report says so.
run_ab 0 --report "$TMP/run" --no-plots --quiet --focus "$name" --against glibc
[ "$(grep -c ",$name,[a-z_]*,glibc,2," "$TMP/run/headtohead.csv")" = 4 ] || fail "--against: not every row against glibc"
grep -q "divided by glibc's in the same repetition" "$TMP/run/report.md" || fail "--against: the report does not say so"
# --quiet: nothing on the terminal but errors.
[ ! -s "$TMP/last.log" ] || fail "--quiet printed: $(cat "$TMP/last.log")"
# --report rebuilds the same files from results.csv, and takes the command,
# the machine and the libraries from run-info.txt, not from where it runs.
grep -q '^planned_runs: 8$' "$TMP/run/run-info.txt" || fail "run-info.txt: planned_runs is not 8"
rm "$TMP/run/summary.csv" "$TMP/run/report.md"
sed -i 's/^cpu: .*/cpu: Measured Elsewhere CPU/' "$TMP/run/run-info.txt"
run_ab 0 --report "$TMP/run" --no-plots --quiet
expect_file "$TMP/run/summary.csv"
expect_file "$TMP/run/report.md"
report="$TMP/run/report.md"
grep -q 'Command: `allocbench --suite .*tiny.suite' "$report" || fail "rebuilt report lost the command"
grep -q '^- CPU: Measured Elsewhere CPU' "$report" || fail "rebuilt report describes this machine"
! grep -q 'Stopped early' "$report" || fail "a whole run called stopped early"
# More runs planned than rows: the run was stopped, and the report says so.
sed -i 's/^planned_runs: .*/planned_runs: 9/' "$TMP/run/run-info.txt"
run_ab 0 --report "$TMP/run" --no-plots --quiet
grep -q 'Stopped early' "$report" || fail "a stopped run not called stopped early"
# A folder from before run-info.txt: rebuilt, with a warning and a note.
mv "$TMP/run/run-info.txt" "$TMP/run-info.saved"
run_ab 0 --report "$TMP/run" --no-plots
grep -q 'run-info.txt not found' "$TMP/last.log" || fail "no warning about the missing run-info.txt"
grep -q 'this report was rebuilt on' "$report" || fail "no note that the machine is this one"
mv "$TMP/run-info.saved" "$TMP/run/run-info.txt"
# An allocator variant: a known allocator under its own name with settings
# for its runs' environment, which the workload sees and the report names.
run_ab 0 --suite "$TMP/tiny.suite" --workload-dir "$FAKE_DIR" --threads 1 --reps 1 --no-plots \
  --allocators "glibc,g42=glibc+AB_FAKE_ECHO=42" --out "$TMP/variant" --quiet
grep -q ',g42,1,1,fake_echo,42$' "$TMP/variant/extras.csv" || fail "the variant's run lacked its setting"
! grep -q ',glibc,1,1,fake_echo,' "$TMP/variant/extras.csv" || fail "the setting leaked into glibc's run"
grep -q '^  - g42: the C library.s malloc (glibc [0-9.]*), with `AB_FAKE_ECHO=42`$' \
  "$TMP/variant/report.md" || fail "the report does not name the variant's setting"
run_ab 2 --suite "$TMP/tiny.suite" --workload-dir "$FAKE_DIR" --allocators "v=hoard+X=1" \
  --out "$TMP/variant-bad"
grep -q "unknown allocator 'hoard'" "$TMP/last.log" || fail "no message for an unknown variant base"
# A folder that already holds a run is not overwritten.
run_ab 2 --suite "$TMP/tiny.suite" --workload-dir "$FAKE_DIR" --allocators glibc --out "$TMP/run"
grep -q "already holds a run" "$TMP/last.log" || fail "no 'already holds a run' message"
echo "e2e_run: ok"
