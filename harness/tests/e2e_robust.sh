#!/usr/bin/env bash
# Robustness: misbehaving workloads are recorded and the suite goes on;
# SIGINT keeps finished rows and writes the summary; bad input is a one-line
# error with exit code 2 that leaves no files behind.
source "$(dirname "$0")/e2e_lib.sh"
W=(--workload-dir "$FAKE_DIR")

cat >"$TMP/bad.suite" <<'SUITE'
reps 1
timeout 1
workload fake --mode crash
workload fake --mode hang
workload fake --mode malformed
workload fake --mode noresult
workload fake --mode exit3
workload fake --ops 1000
SUITE
run_ab 0 --suite "$TMP/bad.suite" "${W[@]}" --allocators glibc --out "$TMP/bad" --no-plots --quiet
statuses=$(cut -d, -f7 "$TMP/bad/results.csv" | tail -n +2 | tr '\n' ' ')
[ "$statuses" = "crash:SIGSEGV timeout noresult noresult exit:3 ok " ] ||
  fail "statuses: $statuses"
grep -q "crash:SIGSEGV" "$TMP/bad/report.md" || fail "report does not list the crash"

# SIGINT in the middle: rows already written stay, summary and report appear, exit 130.
cat >"$TMP/slow.suite" <<'SUITE'
reps 20
timeout 10
workload fake --ops 1000 --sleep-ms 150
SUITE
"$AB" --suite "$TMP/slow.suite" "${W[@]}" --allocators glibc --out "$TMP/int" --no-plots \
  --quiet 2>"$TMP/int.log" &
pid=$!
for _ in $(seq 100); do
  [ "$(wc -l <"$TMP/int/results.csv" 2>/dev/null || echo 0)" -ge 3 ] && break
  sleep 0.1
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 130 ] || fail "SIGINT: exit $rc, expected 130"
rows=$(($(wc -l <"$TMP/int/results.csv") - 1))
[ "$rows" -ge 2 ] && [ "$rows" -lt 20 ] || fail "SIGINT: $rows rows kept"
tail -n +2 "$TMP/int/results.csv" | grep -v ',ok,' && fail "SIGINT left a row that is not ok"
expect_file "$TMP/int/summary.csv"
grep -q "Stopped early" "$TMP/int/report.md" || fail "report does not say it stopped early"
ls "$TMP/int" | grep -q '\.tmp\.' && fail "temporary file left behind"

# Bad input: exit 2, one line naming the problem, nothing created.
good=(--suite "$TMP/bad.suite" "${W[@]}" --no-plots)
expect_usage() { # expect_usage FRAGMENT ARGS...
  local fragment=$1; shift
  run_ab 2 "$@"
  [ "$(wc -l <"$TMP/last.log")" = 1 ] || fail "not one line for $*: $(cat "$TMP/last.log")"
  grep -q -- "$fragment" "$TMP/last.log" || fail "no '$fragment' in: $(cat "$TMP/last.log")"
}
expect_usage "unknown allocator 'hoard'" "${good[@]}" --allocators glibc,hoard --out "$TMP/x1"
expect_usage "unknown workload 'nosuch'" "${good[@]}" --workloads nosuch --out "$TMP/x2"
expect_usage "--focus jemalloc: not one of the allocators of this run" "${good[@]}" --allocators glibc \
  --focus jemalloc --out "$TMP/x8"
cp "$TMP/int/report.md" "$TMP/int-report.md"
expect_usage "--focus nosuch: no such allocator in" --report "$TMP/int" --no-plots --focus nosuch
cmp -s "$TMP/int/report.md" "$TMP/int-report.md" || fail "--report with a bad --focus rewrote the report"
expect_usage "--against jemalloc: not one of the allocators of this run" "${good[@]}" --allocators glibc \
  --against jemalloc --out "$TMP/x9"
expect_usage "--against nosuch: no such allocator in" --report "$TMP/int" --no-plots --against nosuch
cmp -s "$TMP/int/report.md" "$TMP/int-report.md" || fail "--report with a bad --against rewrote the report"
expect_usage "unknown suite 'nosuch'" --suite nosuch "${W[@]}" --out "$TMP/x3"
expect_usage "unknown option '--fast'" --fast
expect_usage "'--reps' needs a value" --reps
expect_usage "--threads 'x'" --threads x
expect_usage "/no/lib.so" "${good[@]}" --allocators glibc,gone=/no/lib.so --out "$TMP/x4"
expect_usage "/dev/null" "${good[@]}" --allocators glibc --out /dev/null/run
printf 'reps 2\nfrobnicate\n' >"$TMP/typo.suite"
expect_usage "typo.suite:2: unknown directive" --suite "$TMP/typo.suite" "${W[@]}" --out "$TMP/x5"
# Missing tools (nothing on PATH) name the Debian package to install.
AB_PREFIX=(env PATH=/nonexistent)
expect_usage "gnuplot-nox" --suite "$TMP/bad.suite" "${W[@]}" --out "$TMP/x6"
printf 'program t coreutils /bin/true\n' >"$TMP/prog.suite"
expect_usage "Debian package hyperfine" --suite "$TMP/prog.suite" --no-plots --out "$TMP/x7"
AB_PREFIX=()
for d in x1 x2 x3 x4 x5 x6 x7 x8; do [ ! -e "$TMP/$d" ] || fail "bad input created $TMP/$d"; done
echo "e2e_robust: ok"
