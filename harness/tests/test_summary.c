/* Summary statistics: median/min/max, which runs count, time cost, the
 * ratios to glibc and to the best allocator, the ratio paired by
 * repetition, peak RSS per live byte, two allocators head to head with a
 * sign-test interval, and how summary.csv and report.md show them. */
#include <math.h>
#include <stdlib.h>

#include "files.h"
#include "headtohead.h"
#include "report.h"
#include "report_focus.h"
#include "summary.h"
#include "testing.h"

static void add_row(ab_rows_t *rows, const char *workload, const char *alloc, int threads,
                    const char *status, double ops_per_s, double wall, double rss) {
  ab_row_t r;
  ab_row_init(&r);
  free(r.workload);
  free(r.allocator);
  free(r.status);
  r.workload = ab_xstrdup(workload);
  r.allocator = ab_xstrdup(alloc);
  r.status = ab_xstrdup(status);
  r.threads = threads;
  r.rep = 1;
  r.ops_per_s = ops_per_s;
  r.wall_s = wall;
  r.peak_rss_kib = rss;
  ab_rows_push(rows, &r);
  ab_row_free(&r);
}

/* report.md written from `in` at path md, read back (NULL: it failed). */
static char *report_text(const ab_report_in_t *in, const char *md) {
  ab_err_t err;
  EXPECT(ab_report_write(in, md, &err) == 0);
  return ab_read_file(md, NULL);
}

/* headtohead.csv for focus against `against`, written at path csv and read back. */
static char *h2h_csv_text(const ab_summary_t *s, const ab_rows_t *rows, const char *focus, const char *against,
                          const char *csv) {
  ab_err_t err;
  EXPECT(ab_h2h_write_csv(s, rows, focus, against, csv, &err) == 0);
  return ab_read_file(csv, NULL);
}

/* A run timed by its wall time (no rate), in repetition rep. */
static void add_rep(ab_rows_t *rows, const char *workload, const char *alloc, int rep,
                    const char *status, double wall) {
  add_row(rows, workload, alloc, 2, status, NAN, wall, 1000);
  rows->v[rows->n - 1].rep = rep;
}

/* Two allocators whose repetitions ran in two machine states about 3x apart.
 * A's crash in rep 4 leaves B alone there, in the fast state: B's median time
 * then falls between the states and beats A's, although B was 10% slower
 * than A in every repetition where both ran. */
static void add_drifting_case(ab_rows_t *rows) {
  add_rep(rows, "drift", "A", 1, "ok", 10.0);
  add_rep(rows, "drift", "B", 1, "ok", 11.0);
  add_rep(rows, "drift", "A", 2, "ok", 3.0);
  add_rep(rows, "drift", "B", 2, "ok", 3.3);
  add_rep(rows, "drift", "B", 3, "ok", 11.5); /* the order within a rep does not matter */
  add_rep(rows, "drift", "A", 3, "ok", 10.5);
  add_rep(rows, "drift", "A", 4, "crash:SIGSEGV", 0.1);
  add_rep(rows, "drift", "B", 4, "ok", 3.0);
}

static void test_paired(void) {
  ab_rows_t rows = {0};
  add_drifting_case(&rows);
  /* Only A ran in both reps: nothing to pair with. */
  add_rep(&rows, "alone", "A", 1, "ok", 1.0);
  add_rep(&rows, "alone", "A", 2, "ok", 1.2);
  ab_summary_t s;
  ab_summary_compute(&rows, &s);
  const ab_group_t *a = ab_summary_group(&s, 0, 0), *b = ab_summary_group(&s, 0, 1);
  /* The plain medians mislead: A 10.0, B (3.3 + 11.0) / 2 = 7.15. */
  EXPECT_NEAR(b->time_vs_best, 1.0, 1e-9);
  EXPECT_NEAR(a->time_vs_best, 10.0 / 7.15, 1e-9);
  /* Paired: A is the fastest in reps 1-3; B's ratios 1.1, 1.1, 11.5/10.5; rep 4 is left out. */
  EXPECT_NEAR(a->time_paired, 1.0, 1e-9);
  EXPECT_NEAR(b->time_paired, 1.1, 1e-9);
  EXPECT(isnan(ab_summary_group(&s, 1, 0)->time_paired));
  EXPECT(isnan(ab_summary_group(&s, 1, 1)->time_paired)); /* B never ran it */
  ab_summary_free(&s);
  ab_rows_free(&rows);
}

/* The paired column in summary.csv and the paired table in report.md. */
static void test_paired_outputs(const char *dir) {
  ab_rows_t rows = {0};
  add_drifting_case(&rows);
  ab_summary_t s;
  ab_summary_compute(&rows, &s);
  char *csv = ab_xasprintf("%s/summary-paired.csv", dir), *md = ab_xasprintf("%s/report.md", dir);
  ab_err_t err;
  EXPECT(ab_summary_write_csv(&s, csv, &err) == 0);
  char *text = ab_read_file(csv, NULL);
  EXPECT(text && strstr(text, ",spread_pct,time_paired\n"));
  EXPECT(text && strstr(text, "\ndrift,,2,B,4,4,") && strstr(text, ",1.1000\n"));
  free(text);
  ab_report_in_t in = {.run_id = "paired", .run_dir = dir, .root = dir, .rows = &rows,
                       .summary = &s};
  text = report_text(&in, md);
  const char *paired = text ? strstr(text, "## Time relative to the fastest, paired by repetition")
                            : NULL;
  EXPECT(paired && strstr(paired, "| drift t=2 | **1.00** | 1.10 |\n"));
  EXPECT(paired && paired > strstr(text, "## Time relative to the fastest (lower"));
  EXPECT(paired && paired < strstr(text, "## Peak RSS"));
  EXPECT(text && !strstr(text, "## Peak RSS per byte held")); /* no workload reported live bytes */
  free(text);
  free(csv);
  free(md);
  ab_summary_free(&s);
  ab_rows_free(&rows);
}

static void test_stat(void) {
  double odd[] = {5, 1, 3};
  ab_stat_t s = ab_stat_of(odd, 3);
  EXPECT(s.n == 3);
  EXPECT_NEAR(s.median, 3, 0);
  EXPECT_NEAR(s.min, 1, 0);
  EXPECT_NEAR(s.max, 5, 0);
  double even[] = {4, NAN, 1, 2, 10};
  s = ab_stat_of(even, 5);
  EXPECT(s.n == 4);
  EXPECT_NEAR(s.median, 3, 1e-12); /* mean of the middle two of 1 2 4 10 */
  s = ab_stat_of(even, 0);
  EXPECT(s.n == 0 && isnan(s.median));
}

static void test_ratios(void) {
  ab_rows_t rows = {0};
  /* glibc: 100, 120, 110 ops/s -> median 110; jemalloc: 220 twice and a crash. */
  add_row(&rows, "w", "glibc", 2, "ok", 100, 1, 1000);
  add_row(&rows, "w", "jemalloc", 2, "ok", 220, 1, 3000);
  add_row(&rows, "w", "glibc", 2, "ok", 120, 1, 1000);
  add_row(&rows, "w", "jemalloc", 2, "crash:SIGSEGV", 999999, 1, 1);
  add_row(&rows, "w", "glibc", 2, "ok", 110, 1, 1400);
  add_row(&rows, "w", "jemalloc", 2, "ok", 220, 1, 3000);
  /* A real program: time is wall time. */
  add_row(&rows, "prog", "glibc", 0, "ok", NAN, 2.0, 500);
  add_row(&rows, "prog", "jemalloc", 0, "ok", NAN, 1.0, 400);
  ab_summary_t s;
  ab_summary_compute(&rows, &s);
  EXPECT(s.n_cases == 2 && s.allocators.n == 2);
  EXPECT_STR(s.allocators.v[0], "glibc");
  const ab_group_t *g = ab_summary_group(&s, 0, 0), *j = ab_summary_group(&s, 0, 1);
  EXPECT(g->runs == 3 && g->ok_runs == 3);
  EXPECT(j->runs == 3 && j->ok_runs == 2); /* the crash is counted, not measured */
  EXPECT_NEAR(g->ops_per_s.median, 110, 1e-9);
  EXPECT_NEAR(j->ops_per_s.max, 220, 1e-9);
  EXPECT_NEAR(g->peak_rss.median, 1000, 0);
  /* jemalloc is 2x faster: time 0.5 of glibc, and it is the best. */
  EXPECT_NEAR(j->time_vs_glibc, 0.5, 1e-9);
  EXPECT_NEAR(j->time_vs_best, 1.0, 1e-9);
  EXPECT_NEAR(g->time_vs_best, 2.0, 1e-9);
  EXPECT_NEAR(j->rss_vs_glibc, 3.0, 1e-9);
  EXPECT_NEAR(g->rss_vs_best, 1.0, 1e-9);
  /* Spread of glibc's cost 1/100 .. 1/120 around 1/110. */
  EXPECT_NEAR(g->spread, (1.0 / 100 - 1.0 / 120) * 110, 1e-9);
  EXPECT(isnan(j->spread) == false);
  EXPECT(ab_summary_best(&s, 0, false, NULL) == 1);
  EXPECT(ab_summary_best(&s, 0, false, "jemalloc") == 0);
  EXPECT(ab_summary_best(&s, 0, true, NULL) == 0);
  const ab_group_t *pj = ab_summary_group(&s, 1, 1);
  EXPECT_NEAR(pj->time_vs_glibc, 0.5, 1e-9);
  EXPECT(ab_summary_find_case(&s, "w", "", "2") == 0);
  EXPECT(ab_summary_find_case(&s, "prog", "", "") == 1);
  EXPECT(ab_summary_find_case(&s, "w", "", "3") == -1);
  /* All in one repetition: the paired ratio is the plain one. */
  for (size_t i = 0; i < 4; i++)
    EXPECT_NEAR(s.groups[i].time_paired, s.groups[i].time_vs_best, 1e-9);
  ab_summary_free(&s);
  ab_rows_free(&rows);
}

static void test_labels(void) {
  ab_case_key_t a = {"churn64k", "--mode fixed", 2}, b = {"churn64k", "--mode=fixed", 2};
  char *la = ab_case_label(&a), *sa = ab_case_slug(&a), *sb = ab_case_slug(&b);
  EXPECT_STR(la, "churn64k --mode fixed t=2");
  EXPECT(strncmp(sa, "churn64k_mode_fixed_t_2-", 24) == 0);
  EXPECT(strcmp(sa, sb) != 0); /* same sanitised text, different cases */
  EXPECT(strspn(sa, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
         strlen(sa));
  free(la);
  free(sa);
  free(sb);
}

/* A run that reported the live bytes it held. */
static void add_live(ab_rows_t *rows, const char *workload, const char *alloc, double rss, double live) {
  add_row(rows, workload, alloc, 2, "ok", 100.0, 1.0, rss);
  rows->v[rows->n - 1].live_peak_kib = live;
}

/* Peak RSS over live bytes: the median of the runs' ratios, the live bytes
 * beside it, and a table only of the workloads that report them. */
static void test_rss_per_live(const char *dir) {
  ab_rows_t rows = {0};
  add_live(&rows, "queue", "A", 2000, 1000); /* 2.0 */
  add_live(&rows, "queue", "A", 6000, 2000); /* 3.0 */
  add_live(&rows, "queue", "A", 1200, 800);  /* 1.5 */
  add_live(&rows, "queue", "B", 1600, 400);  /* 4.0: less RSS than A's median, for a quarter of the bytes */
  add_row(&rows, "nolive", "A", 2, "ok", 100.0, 1.0, 900);
  add_row(&rows, "nolive", "B", 2, "ok", 100.0, 1.0, 900);
  add_live(&rows, "tiny", "A", 1500, 0.016); /* 16 bytes held: the ratio would be the process's RSS */
  add_live(&rows, "tiny", "B", 1500, 0.016);
  ab_summary_t s;
  ab_summary_compute(&rows, &s);
  const ab_group_t *a = ab_summary_group(&s, 0, 0), *b = ab_summary_group(&s, 0, 1);
  EXPECT_NEAR(a->rss_per_live.median, 2.0, 1e-9);
  EXPECT_NEAR(a->live_peak.median, 1000, 1e-9);
  EXPECT_NEAR(b->rss_per_live.median, 4.0, 1e-9);
  EXPECT(b->rss_vs_best < a->rss_vs_best); /* plain peak RSS says the opposite */
  EXPECT(isnan(ab_summary_group(&s, 1, 0)->rss_per_live.median));
  char *md = ab_xasprintf("%s/report-live.md", dir);
  ab_report_in_t in = {.run_id = "live", .run_dir = dir, .root = dir, .rows = &rows, .summary = &s};
  char *text = report_text(&in, md);
  const char *table = text ? strstr(text, "## Peak RSS per byte held") : NULL;
  const char *next = table ? strstr(table + 1, "\n## ") : NULL;
  EXPECT(table && strstr(table, "| queue t=2 | **2.00** (1000 KiB held) | 4.00 (400 KiB held) |\n"));
  EXPECT(table && next && !memmem(table, (size_t)(next - table), "| nolive", 8));
  EXPECT(table && next && !memmem(table, (size_t)(next - table), "| tiny", 6));
  free(text);
  free(md);
  ab_summary_free(&s);
  ab_rows_free(&rows);
}

/* report.md's headline for segalloc against the others, and the geometric
 * means, which leave out the case glibc did not finish so that every mean
 * covers the same cases. */
static void test_focus(const char *dir) {
  static const struct {
    const char *workload, *alloc, *status;
    double ops_per_s, rss;
  } runs[] = {
      {"w1", "segalloc", "ok", 200, 1000}, {"w1", "glibc", "ok", 100, 800},
      {"w1", "mimalloc", "ok", 150, 1200}, {"w2", "segalloc", "ok", 90, 500},
      {"w2", "glibc", "ok", 100, 1000},    {"w2", "mimalloc", "ok", 60, 600},
      {"w3", "segalloc", "ok", 10, 500},   {"w3", "glibc", "crash:SIGSEGV", 0, 1},
      {"w3", "mimalloc", "ok", 1000, 100},
  };
  ab_rows_t rows = {0};
  for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
    add_row(&rows, runs[i].workload, runs[i].alloc, 2, runs[i].status, runs[i].ops_per_s, 1, runs[i].rss);
  ab_summary_t s;
  ab_summary_compute(&rows, &s);
  double g[9];
  EXPECT(ab_report_geomeans(&s, g) == 2);
  EXPECT_NEAR(g[0], sqrt(1.0 * 200.0 / 180.0), 1e-9); /* segalloc's time: w1 1, w2 100/90 */
  EXPECT_NEAR(g[1], sqrt(2.0), 1e-9);                 /* glibc's */
  EXPECT_NEAR(g[3], g[0], 1e-9);                      /* paired: one repetition, the same */
  EXPECT_NEAR(g[6], sqrt(1.25), 1e-9);                /* segalloc's RSS: w1 1000/800, w2 1 */
  EXPECT_NEAR(g[8], sqrt(1.5 * 1.2), 1e-9);           /* mimalloc's */
  char *md = ab_xasprintf("%s/report-focus.md", dir);
  ab_report_in_t in = {.run_id = "focus", .run_dir = dir, .root = dir, .rows = &rows, .summary = &s};
  char *text = report_text(&in, md);
  const char *focus = text ? strstr(text, "## segalloc against the others") : NULL;
  EXPECT(focus && focus < strstr(text, "## Time relative to the fastest (lower"));
  EXPECT(focus && strstr(focus, "| w1 t=2 | **1.00** | mimalloc 1.33 | **1.00** / mimalloc 1.33 | 1.25 | glibc **1.00** |\n"));
  EXPECT(focus && strstr(focus, "| w2 t=2 | 1.11 | glibc **1.00** | 1.11 / glibc **1.00** | **1.00** | mimalloc 1.20 |\n"));
  /* glibc's crash leaves w3 in the table, out of the means */
  EXPECT(focus && strstr(focus, "| w3 t=2 | 100.00 | mimalloc **1.00** | 100.00 / mimalloc **1.00** | 5.00 |"));
  EXPECT(focus && strstr(focus, "over the 2 of 3 cases that every allocator finished"));
  EXPECT(focus && strstr(focus, "| segalloc | **1.05** | **1.05** | **1.12** |\n"));
  EXPECT(focus && strstr(focus, "| glibc | 1.41 | 1.41 | 1.41 |\n"));
  EXPECT(focus && strstr(focus, "| mimalloc | 1.49 | 1.49 | 1.34 |\n"));
  /* One repetition each: ratios, but no confidence and so no calls. */
  EXPECT(focus && strstr(focus, "| w1 t=2 | mimalloc | 0.75 [0.75, 0.75] 0% | no clear difference | glibc | 1.25 [1.25, 1.25] 0% | no clear difference |\n"));
  EXPECT(focus && strstr(focus, "| w3 t=2 | mimalloc | 100.00 [100.00, 100.00] 0% | no clear difference | mimalloc | 5.00 [5.00, 5.00] 0% | no clear difference |\n"));
  EXPECT(focus && strstr(focus, "With 1 repetition no difference can be called: run with `--reps 5` or more."));
  free(text);

  /* --against: the head to head is with that allocator in every case. */
  in.against = "glibc";
  text = report_text(&in, md);
  EXPECT(text && strstr(text, "segalloc's time and peak RSS divided by glibc's in the same repetition"));
  EXPECT(text && strstr(text, "| w1 t=2 | glibc | 0.50 [0.50, 0.50] 0% | no clear difference | glibc | 1.25 [1.25, 1.25] 0% | no clear difference |\n"));
  EXPECT(text && !strstr(text, "picked as the best after the fact"));
  free(text);
  /* headtohead.csv follows it: w1's time against glibc, not mimalloc (the
   * closest, 0.75 above). */
  char *csv = ab_xasprintf("%s/headtohead-against.csv", dir);
  text = h2h_csv_text(&s, &rows, "segalloc", "glibc", csv);
  EXPECT(text && strstr(text, "\nw1,,2,segalloc,time,glibc,1,0.5000,0.5000,0.5000,0.0000,none\n"));
  free(text);
  free(csv);
  in.against = "nobody"; /* not in the rows: no head-to-head table */
  text = report_text(&in, md);
  EXPECT(text && strstr(text, "## segalloc against the others") && !strstr(text, "Head to head"));
  free(text);
  in.against = NULL;

  /* --focus: the headline is another allocator's. */
  in.focus = "mimalloc";
  text = report_text(&in, md);
  focus = text ? strstr(text, "## mimalloc against the others") : NULL;
  EXPECT(focus && strstr(focus, "| w1 t=2 | 1.33 | segalloc **1.00** | 1.33 / segalloc **1.00** | 1.50 | glibc **1.00** |\n"));
  EXPECT(text && !strstr(text, "## segalloc against the others"));
  free(text);
  in.focus = NULL;
  ab_summary_free(&s);
  ab_rows_free(&rows);

  /* Without segalloc in the run there is no headline. */
  ab_rows_t others = {0};
  add_row(&others, "w1", "glibc", 2, "ok", 100, 1, 800);
  add_row(&others, "w1", "mimalloc", 2, "ok", 150, 1, 1200);
  ab_summary_compute(&others, &s);
  in.rows = &others;
  text = report_text(&in, md);
  EXPECT(text && !strstr(text, "against the others"));
  free(text);
  free(md);
  ab_summary_free(&s);
  ab_rows_free(&others);
}

/* The sign test's interval: the whole range up to 5 values, then the
 * narrowest pair of order statistics with at least 95% confidence, whose
 * exact confidence comes back. */
static void test_h2h_interval(void) {
  double v[20], lo, hi;
  for (int i = 0; i < 20; i++) v[i] = i + 1;
  EXPECT_NEAR(ab_h2h_interval(v, 0, &lo, &hi), 0, 0);
  EXPECT(isnan(lo) && isnan(hi));
  EXPECT_NEAR(ab_h2h_interval(v, 1, &lo, &hi), 0, 0); /* one value: no confidence at all */
  EXPECT(lo == 1 && hi == 1);
  EXPECT_NEAR(ab_h2h_interval(v, 3, &lo, &hi), 0.75, 1e-12);
  EXPECT(lo == 1 && hi == 3);
  EXPECT_NEAR(ab_h2h_interval(v, 5, &lo, &hi), 1 - 2.0 / 32, 1e-12);
  EXPECT(lo == 1 && hi == 5);
  EXPECT_NEAR(ab_h2h_interval(v, 6, &lo, &hi), 1 - 2.0 / 64, 1e-12);
  EXPECT(lo == 1 && hi == 6);
  /* n = 8: [v2, v7] would hold with 1 - 2 * 9/256 = 0.93, under 95%. */
  EXPECT_NEAR(ab_h2h_interval(v, 8, &lo, &hi), 1 - 2.0 / 256, 1e-12);
  EXPECT(lo == 1 && hi == 8);
  /* n = 10: dropping one value from each end keeps 1 - 2 * 11/1024; a
   * second would leave 1 - 2 * 56/1024 = 0.89. */
  EXPECT_NEAR(ab_h2h_interval(v, 10, &lo, &hi), 1 - 2 * 11.0 / 1024, 1e-12);
  EXPECT(lo == 2 && hi == 9);
  /* n = 20: P(X <= 5) = 21700 / 2^20; P(X <= 6) = 60460 / 2^20 is too much. */
  EXPECT_NEAR(ab_h2h_interval(v, 20, &lo, &hi), 1 - 2 * 21700.0 / 1048576, 1e-12);
  EXPECT(lo == 6 && hi == 15);
  EXPECT(ab_h2h_min_reps() == 5); /* 4: 87.5%, 5: 93.75% */
  /* A bound that two decimals would round onto 1.00 keeps a third. */
  char buf[64];
  ab_h2h_format(&(ab_h2h_t){.n = 5, .median = 0.97, .lo = 0.95, .hi = 0.9962}, buf, sizeof buf);
  EXPECT_STR(buf, "0.97 [0.95, 0.996]");
  ab_h2h_format(&(ab_h2h_t){.n = 5, .median = 1.02, .lo = 1.0, .hi = 1.0449}, buf, sizeof buf);
  EXPECT_STR(buf, "1.02 [1.00, 1.04]");
}

/* A 10% faster than B in each of 6 repetitions, whichever state the
 * machine was in, and larger; the calls need both the interval and its
 * confidence. */
static void test_h2h_compare(const char *dir) {
  ab_rows_t rows = {0};
  for (int rep = 1; rep <= 6; rep++) {
    double state = rep % 2 ? 1.0 : 3.0;
    add_rep(&rows, "six", "segalloc", rep, "ok", 0.9 * state);
    rows.v[rows.n - 1].peak_rss_kib = 1200 + rep;
    add_rep(&rows, "six", "glibc", rep, "ok", state);
  }
  add_rep(&rows, "six", "glibc", 7, "ok", 1.0); /* no pair: left out */
  add_rep(&rows, "six", "segalloc", 1, "ok", 5.0); /* a second run of rep 1: the first counts */
  add_rep(&rows, "six", "segalloc", 8, "ok", 0.0); /* a time (and peak RSS) of 0 makes no ratio */
  rows.v[rows.n - 1].peak_rss_kib = 0;
  add_rep(&rows, "six", "glibc", 8, "ok", 1.0);
  add_drifting_case(&rows);
  ab_summary_t s;
  ab_summary_compute(&rows, &s);
  ab_h2h_t h = ab_h2h_compare(&rows, &s.cases[0], "segalloc", "glibc", AB_H2H_TIME);
  EXPECT(h.n == 6);
  EXPECT_NEAR(h.median, 0.9, 1e-12);
  EXPECT_NEAR(h.lo, 0.9, 1e-12);
  EXPECT_NEAR(h.confidence, 1 - 2.0 / 64, 1e-12);
  EXPECT(ab_h2h_verdict(&h) == -1);
  h = ab_h2h_compare(&rows, &s.cases[0], "glibc", "segalloc", AB_H2H_TIME);
  EXPECT(ab_h2h_verdict(&h) == 1);
  h = ab_h2h_compare(&rows, &s.cases[0], "segalloc", "glibc", AB_H2H_RSS);
  EXPECT_NEAR(h.lo, 1.201, 1e-12);
  EXPECT_NEAR(h.hi, 1.206, 1e-12);
  EXPECT(ab_h2h_verdict(&h) == 1);
  /* The drifting case: A's crash in rep 4 leaves three pairs, 75%: no call
   * although A was faster in each. */
  h = ab_h2h_compare(&rows, &s.cases[1], "A", "B", AB_H2H_TIME);
  EXPECT(h.n == 3);
  EXPECT(h.hi < 1);
  EXPECT_NEAR(h.confidence, 0.75, 1e-12);
  EXPECT(ab_h2h_verdict(&h) == 0);
  h = ab_h2h_compare(&rows, &s.cases[1], "A", "nobody", AB_H2H_TIME);
  EXPECT(h.n == 0 && isnan(h.median) && ab_h2h_verdict(&h) == 0);

  char *md = ab_xasprintf("%s/report-h2h.md", dir);
  ab_report_in_t in = {.run_id = "h2h", .run_dir = dir, .root = dir, .rows = &rows, .summary = &s};
  char *text = report_text(&in, md);
  const char *table = text ? strstr(text, "\nHead to head:") : NULL;
  EXPECT(table && table < strstr(text, "## Time relative to the fastest (lower"));
  EXPECT(table && strstr(table, "| six t=2 | glibc | 0.90 [0.90, 0.90] 96% | faster | glibc | 1.20 [1.20, 1.21] 96% | larger |\n"));
  EXPECT(table && !strstr(table, "no difference can be called"));
  free(text);
  free(md);
  /* headtohead.csv: the same comparisons, a row per case and metric; the
   * drifting case has no segalloc and no row. */
  char *csv = ab_xasprintf("%s/headtohead.csv", dir);
  text = h2h_csv_text(&s, &rows, "segalloc", NULL, csv);
  EXPECT_STR(text, "workload,params,threads,allocator,metric,other,reps,median,lo,hi,confidence,call\n"
                   "six,,2,segalloc,time,glibc,6,0.9000,0.9000,0.9000,0.9688,faster\n"
                   "six,,2,segalloc,peak_rss,glibc,6,1.2035,1.2010,1.2060,0.9688,larger\n");
  free(text);
  /* The terminal's lines: one per case, time then peak RSS. */
  FILE *term = tmpfile();
  ab_h2h_print(term, &s, &rows, "segalloc", NULL);
  rewind(term);
  char line[512];
  EXPECT(fgets(line, sizeof line, term) && strstr(line, "segalloc head to head"));
  EXPECT(fgets(line, sizeof line, term) &&
         !strcmp(line, "  six t=2: time 0.90 [0.90, 0.90] of glibc's (96%): faster; peak RSS 1.20 [1.20, 1.21] "
                       "of glibc's (96%): larger\n"));
  EXPECT(fgets(line, sizeof line, term) == NULL); /* the drifting case has no segalloc */
  fclose(term);
  /* --against glibc: the same rows, since glibc is the closest here too;
   * against an allocator that has no run of the case, no row. */
  text = h2h_csv_text(&s, &rows, "segalloc", "glibc", csv);
  EXPECT(text && strstr(text, "six,,2,segalloc,time,glibc,6,0.9000,"));
  free(text);
  text = h2h_csv_text(&s, &rows, "segalloc", "A", csv);
  EXPECT_STR(text, "workload,params,threads,allocator,metric,other,reps,median,lo,hi,confidence,call\n");
  free(text);
  text = h2h_csv_text(&s, &rows, "segalloc", "nobody", csv); /* not the closest instead */
  EXPECT_STR(text, "workload,params,threads,allocator,metric,other,reps,median,lo,hi,confidence,call\n");
  free(text);
  text = h2h_csv_text(&s, &rows, "nobody", NULL, csv);
  EXPECT_STR(text, "workload,params,threads,allocator,metric,other,reps,median,lo,hi,confidence,call\n");
  free(text);
  free(csv);
  ab_summary_free(&s);
  ab_rows_free(&rows);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s TMPDIR\n", argv[0]);
    return 2;
  }
  test_stat();
  test_ratios();
  test_paired();
  test_paired_outputs(argv[1]);
  test_focus(argv[1]);
  test_h2h_interval();
  test_h2h_compare(argv[1]);
  test_rss_per_live(argv[1]);
  test_labels();
  return TEST_RESULT();
}
