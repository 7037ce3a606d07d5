"""Checks a run folder as a reader would: every file exists and parses, the
CSV columns are the documented ones, and the numbers are consistent."""
import csv
import os
import sys

HEADTOHEAD = ("workload,params,threads,allocator,metric,other,reps,median,lo,hi,confidence,"
              "call").split(",")
RESULTS = ("run_id,workload,params,allocator,threads,rep,status,wall_s,user_s,sys_s,ops,"
           "ops_per_s,peak_rss_kib,end_rss_kib,live_peak_kib,xfree_p50_ns,xfree_p99_ns,"
           "xfree_p999_ns,xfree_max_ns").split(",")


def fail(msg):
    sys.exit("FAIL: " + msg)


def rows(path, header=None):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        head = next(reader)
        if header and head != header:
            fail(f"{path}: header {head}")
        body = list(reader)
    for i, r in enumerate(body):
        if len(r) != len(head):
            fail(f"{path}:{i + 2}: {len(r)} fields, header has {len(head)}")
    return [dict(zip(head, r)) for r in body]


def check_headtohead(run, allocators):
    """Each row: the focus against another allocator of the run, the median
    inside its interval, a confidence, and a call only with 90% or more."""
    for h in rows(os.path.join(run, "headtohead.csv"), HEADTOHEAD):
        if h["metric"] not in ("time", "peak_rss") or h["other"] not in allocators \
                or h["other"] == h["allocator"] or h["allocator"] not in allocators:
            fail(f"headtohead.csv: {h}")
        if not float(h["lo"]) <= float(h["median"]) <= float(h["hi"]) or int(h["reps"]) < 1:
            fail(f"headtohead.csv: median outside its interval: {h}")
        confident = float(h["confidence"]) >= 0.9
        if h["call"] not in ("faster", "slower", "smaller", "larger", "none") or \
                (h["call"] != "none" and not confident):
            fail(f"headtohead.csv: call {h['call']} at confidence {h['confidence']}")


def check_peak_anon(run, results):
    """allocbench's own extra: one per sampled run, above the 4 MiB the fake
    workload holds, and within the run's peak RSS."""
    peaks = {}
    for x in rows(os.path.join(run, "extras.csv")):
        if x["key"] == "peak_anon_kib":
            key = (x["workload"], x["params"], x["allocator"], x["threads"], x["rep"])
            if key in peaks:
                fail(f"two peak_anon_kib for one run: {x}")
            peaks[key] = float(x["value"])
    for r in results:
        key = (r["workload"], r["params"], r["allocator"], r["threads"], r["rep"])
        if key not in peaks or not 4096 <= peaks[key] <= float(r["peak_rss_kib"]):
            fail(f"peak_anon_kib {peaks.get(key)} for {key}, peak RSS {r['peak_rss_kib']}")


def main(run, expected_runs, allocators, plots):
    results = rows(os.path.join(run, "results.csv"), RESULTS)
    if len(results) != expected_runs:
        fail(f"results.csv has {len(results)} rows, expected {expected_runs}")
    for r in results:
        if r["status"] != "ok":
            fail(f"run not ok: {r}")
        for key in ("wall_s", "user_s", "sys_s", "ops_per_s", "peak_rss_kib", "end_rss_kib"):
            float(r[key])
        if float(r["peak_rss_kib"]) <= 0 or float(r["ops_per_s"]) <= 0:
            fail(f"implausible figures: {r}")
    if sorted({r["allocator"] for r in results}) != sorted(allocators):
        fail(f"allocators in results.csv: {sorted({r['allocator'] for r in results})}")
    rss = rows(os.path.join(run, "rss.csv"))
    if not rss or any(float(r["rss_kib"]) <= 0 for r in rss):
        fail("rss.csv empty or holds non-positive samples")
    summary = rows(os.path.join(run, "summary.csv"))
    groups = {(r["workload"], r["params"], r["threads"], r["allocator"]) for r in results}
    if len(summary) != len(groups):
        fail(f"summary.csv has {len(summary)} groups, results have {len(groups)}")
    for s in summary:
        if abs(float(s["time_vs_glibc"]) - 1.0) > 1e-9 and s["allocator"] == "glibc":
            fail(f"glibc's time ratio to itself is not 1: {s}")
        if float(s["time_vs_best"]) < 1.0 - 1e-9 or float(s["rss_vs_best"]) < 1.0 - 1e-9:
            fail(f"an allocator beats the best: {s}")
        # Every rep of this run has both allocators ok: the paired ratio exists.
        if float(s["time_paired"]) < 1.0 - 1e-9:
            fail(f"a paired ratio below 1: {s}")
        med = float(s["ops_per_s_median"])
        if not float(s["ops_per_s_min"]) <= med <= float(s["ops_per_s_max"]):
            fail(f"median outside min..max: {s}")
    check_headtohead(run, {r["allocator"] for r in results})
    check_peak_anon(run, results)
    report = open(os.path.join(run, "report.md")).read()
    for needed in ("## Winners", "## Time relative", "## Time relative to the fastest, paired "
                   "by repetition", "## Peak RSS", "## Run-to-run spread",
                   "## Machine and software", "glibc"):
        if needed not in report:
            fail(f"report.md lacks {needed!r}")
    for name in plots:
        for ext, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml")):
            path = os.path.join(run, "plots", name + ext)
            with open(path, "rb") as f:
                if not f.read(5).startswith(magic):
                    fail(f"{path} is not a {ext} file")
            if f"plots/{name}.svg" not in report:
                fail(f"report.md does not show {name}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4:])
