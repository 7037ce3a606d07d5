#!/usr/bin/env bash
# The --check gate with a stand-in segalloc (a no-op preload): no baseline is
# exit 2; --update-baseline writes one; an unchanged run passes; a ratio past
# its tolerance is measured again and then fails; an instruction count past
# its tolerance fails with exit 1; a loosened tolerance survives updates.
source "$(dirname "$0")/e2e_lib.sh"
command -v valgrind >/dev/null || { echo "valgrind not installed: skipped"; exit 77; }
second=$(second_allocator)
cat >"$TMP/check.suite" <<'SUITE'
reps 1
timeout 60
workload fake --ops 20000
callgrind fake --ops 2000 --seed 7
SUITE
base=$TMP/baseline.csv
args=(--suite "$TMP/check.suite" --workload-dir "$FAKE_DIR" --segalloc "$NOOP"
      --allocators "glibc,segalloc,$second" --root "$TMP/root" --baseline "$base" --quiet)
mkdir -p "$TMP/root"

# set_baseline METRIC VALUE TOLERANCE: VALUE "=" keeps the value, "/N" divides it.
set_baseline() {
  python3 - "$base" "$@" <<'PY'
import csv, sys
path, metric, value, tolerance = sys.argv[1:]
rows = list(csv.DictReader(open(path)))
for r in rows:
    if r["metric"] != metric:
        continue
    if value.startswith("/"):
        r["value"] = str(int(float(r["value"]) / float(value[1:])))
    elif value != "=":
        r["value"] = value
    r["tolerance_pct"] = tolerance
with open(path, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
PY
}

run_ab 2 --check "${args[@]}"
grep -q "no baseline at $base" "$TMP/last.log" || fail "no 'no baseline' message"

run_ab 0 --update-baseline "${args[@]}"
for metric in time_vs_glibc rss_vs_glibc instructions instructions_glibc; do
  grep -q ",$metric," "$base" || fail "baseline lacks $metric"
done
# Time and RSS ratios of a 10 ms run are noise: loosen them so that this test
# exercises the gate, not the machine. Instruction counts stay at 2%. (At
# 1000%, an 11x ratio, one run delayed by a loaded machine while ctest ran
# other tests beside it failed the check.)
for metric in time_vs_glibc time_vs_best_peer rss_vs_glibc rss_vs_best_peer; do
  set_baseline "$metric" = 1000000
done
run_ab 0 --check "${args[@]}"
grep -q "check passed" "$TMP/last.log" || fail "no 'check passed'"
grep -E "instructions +[0-9]+ +[0-9]+ +[-+]0\.[0-9]%" "$TMP/last.log" >/dev/null ||
  fail "instruction count moved between identical runs: $(grep instructions "$TMP/last.log")"
run_dir=$(readlink -f "$TMP/root/results/latest")
expect_file "$run_dir/check.csv"
expect_file "$run_dir/results.csv"

# A ratio past its tolerance is measured again before it fails the check.
cp "$base" "$TMP/good-baseline.csv"
set_baseline time_vs_glibc 0.0001 0
run_ab 1 --check "${args[@]}"
grep -q "measuring them again" "$TMP/last.log" || fail "suspect was not measured again"
grep -E "time_vs_glibc .*REGRESSION" "$TMP/last.log" >/dev/null || fail "no time REGRESSION"
run_dir=$(readlink -f "$TMP/root/results/latest")
cut -d, -f6 "$run_dir/results.csv" | grep -qx 2 || fail "no second measurement in results.csv"
cp "$TMP/good-baseline.csv" "$base"

# Halve the baseline's instruction count: now is 2x, far past 2%.
set_baseline instructions /2 2
run_ab 1 --check "${args[@]}"
grep -E "instructions .*REGRESSION" "$TMP/last.log" >/dev/null || fail "no REGRESSION line"
grep -q "check FAILED" "$TMP/last.log" || fail "no 'check FAILED'"

run_ab 0 --update-baseline "${args[@]}"
grep -q ",time_vs_glibc,[0-9.e+-]*,1e+06$" "$base" || fail "loosened tolerance was not kept"
echo "e2e_check: ok"
