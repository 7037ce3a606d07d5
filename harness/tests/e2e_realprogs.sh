#!/usr/bin/env bash
# Real programs through hyperfine: a setup step makes the data, each program
# is timed under two allocators, a failing program is recorded as such; with
# 'instructions on', each program that ran cleanly is also counted under
# callgrind, once per allocator, into extras.csv.
source "$(dirname "$0")/e2e_lib.sh"
command -v hyperfine >/dev/null || { echo "hyperfine not installed: skipped"; exit 77; }
command -v valgrind >/dev/null || { echo "valgrind not installed: skipped"; exit 77; }
second=$(second_allocator)
cat >"$TMP/progs.suite" <<'SUITE'
reps 2
warmup 1
runs 2
timeout 20
setup /bin/sh -c "seq 1 20000 > numbers.txt"
instructions on
program sort-numbers coreutils LC_ALL=C /usr/bin/sort -n -r {data}/numbers.txt
program fails coreutils /bin/false
SUITE
run_ab 0 --suite "$TMP/progs.suite" --allocators "glibc,$second" --out "$TMP/run" --quiet
name=${second%%=*}
python3 - "$TMP/run" "$name" <<'PY'
import csv, glob, os, sys
run, second = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(os.path.join(run, "results.csv"))))
assert len(rows) == 8, rows
for r in rows:
    assert r["threads"] == "" and r["ops"] == "", r
    if r["workload"] == "sort-numbers":
        assert r["status"] == "ok", r
        assert float(r["wall_s"]) > 0 and float(r["peak_rss_kib"]) > 0, r
        assert r["params"] == "LC_ALL=C /usr/bin/sort -n -r {data}/numbers.txt", r
    else:
        assert r["status"] == "exit:1", r
assert {r["allocator"] for r in rows} == {"glibc", second}
jsons = glob.glob(os.path.join(run, "hyperfine", "*.json"))
assert len(jsons) == 8, jsons
assert os.path.getsize(os.path.join(run, "data", "numbers.txt")) > 0
# One count per allocator, from the first repetition, none for the failing
# program; callgrind's own files stay in the run folder.
counts = [x for x in csv.DictReader(open(os.path.join(run, "extras.csv"))) if x["key"] == "instructions"]
assert sorted(x["allocator"] for x in counts) == sorted(["glibc", second]), counts
for x in counts:
    assert x["workload"] == "sort-numbers" and x["rep"] == "1" and int(x["value"]) > 100000, x
assert len(glob.glob(os.path.join(run, "callgrind", "*.out"))) == 2
summary = list(csv.DictReader(open(os.path.join(run, "summary.csv"))))
assert any(s["workload"] == "sort-numbers" and s["time_vs_best"] for s in summary), summary
PY
grep -q "sort-numbers" "$TMP/run/report.md" || fail "report lacks the program"
grep -q "| sort-numbers .*: instructions | [0-9]* ([01]\.[0-9]*) | .*(1\.000)" "$TMP/run/report.md" ||
  grep -q "| sort-numbers .*: instructions | [0-9]* (1\.000) |" "$TMP/run/report.md" ||
  fail "report lacks the instruction counts and their ratios to the least"
echo "e2e_realprogs: ok"
