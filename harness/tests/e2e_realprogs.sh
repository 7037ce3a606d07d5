#!/usr/bin/env bash
# Real programs through hyperfine: a setup step makes the data, each program
# is timed under two allocators, a failing program is recorded as such.
source "$(dirname "$0")/e2e_lib.sh"
command -v hyperfine >/dev/null || { echo "hyperfine not installed: skipped"; exit 77; }
second=$(second_allocator)
cat >"$TMP/progs.suite" <<'SUITE'
reps 1
warmup 1
runs 2
timeout 20
setup /bin/sh -c "seq 1 20000 > numbers.txt"
program sort-numbers coreutils LC_ALL=C /usr/bin/sort -n -r {data}/numbers.txt
program fails coreutils /bin/false
SUITE
run_ab 0 --suite "$TMP/progs.suite" --allocators "glibc,$second" --out "$TMP/run" --quiet
name=${second%%=*}
python3 - "$TMP/run" "$name" <<'PY'
import csv, glob, os, sys
run, second = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(os.path.join(run, "results.csv"))))
assert len(rows) == 4, rows
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
assert len(jsons) == 4, jsons
assert os.path.getsize(os.path.join(run, "data", "numbers.txt")) > 0
summary = list(csv.DictReader(open(os.path.join(run, "summary.csv"))))
assert any(s["workload"] == "sort-numbers" and s["time_vs_best"] for s in summary), summary
PY
grep -q "sort-numbers" "$TMP/run/report.md" || fail "report lacks the program"
echo "e2e_realprogs: ok"
