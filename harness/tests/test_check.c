/* The --check pieces: verdicts against the baseline, the baseline file,
 * segalloc's same-run ratios, and callgrind's totals line. */
#include <stdlib.h>
#include <unistd.h>

#include "baseline.h"
#include "callgrind.h"
#include "check.h"
#include "testing.h"

static ab_metric_t metric(const char *name, double value, double tol) {
  return (ab_metric_t){"w", "", 1, (char *)name, value, tol};
}

static void test_verdicts(void) {
  ab_metric_t base = metric("time_vs_glibc", 1.0, 25);
  ab_metric_t now = metric("time_vs_glibc", 1.24, 25);
  EXPECT(ab_check_verdict(&base, &now, true) == AB_VERDICT_OK);
  now.value = 1.26;
  EXPECT(ab_check_verdict(&base, &now, true) == AB_VERDICT_REGRESSION);
  now.value = 0.70;
  EXPECT(ab_check_verdict(&base, &now, true) == AB_VERDICT_BETTER);
  EXPECT(ab_check_verdict(&base, NULL, true) == AB_VERDICT_MISSING);
  ab_metric_t peer = metric("rss_vs_best_peer", 1.0, 20);
  EXPECT(ab_check_verdict(&peer, NULL, false) == AB_VERDICT_SKIPPED);
  EXPECT(ab_check_verdict(&peer, NULL, true) == AB_VERDICT_MISSING);
  ab_metric_t ir = metric("instructions", 1000000, 2), ir_now = metric("instructions", 1021000, 2);
  EXPECT(ab_check_verdict(&ir, &ir_now, true) == AB_VERDICT_REGRESSION);
  ab_metric_t info = metric("instructions_glibc", 1, 2), info_now = metric("instructions_glibc", 9, 2);
  EXPECT(ab_check_verdict(&info, &info_now, true) == AB_VERDICT_INFO);
  EXPECT(ab_verdict_fails(AB_VERDICT_REGRESSION) && ab_verdict_fails(AB_VERDICT_MISSING));
  EXPECT(!ab_verdict_fails(AB_VERDICT_BETTER) && !ab_verdict_fails(AB_VERDICT_SKIPPED));
  EXPECT(ab_metric_default_tolerance("time_vs_glibc", 1) == 30);
  EXPECT(ab_metric_default_tolerance("time_vs_best_peer", 2) == 100);
  EXPECT(ab_metric_default_tolerance("rss_vs_best_peer", 2) == 50);
  EXPECT(ab_metric_default_tolerance("instructions", 1) == 2);
  /* glibc's multithreaded time is shown, not gated; single-threaded it gates */
  EXPECT(ab_metric_is_info("time_vs_glibc", 2) && !ab_metric_is_info("time_vs_glibc", 1));
  EXPECT(!ab_metric_is_info("time_vs_best_peer", 2));
}

static void test_baseline_file(const char *dir) {
  char *path = ab_xasprintf("%s/baseline.csv", dir);
  ab_metrics_t m = {0}, back;
  ab_err_t err;
  ab_metrics_add(&m, "small-fast", "--ops 1000 --seed 1", 1, "instructions", 123456789012.0, 2);
  ab_metrics_add(&m, "prodcons", "--seconds 0.5", 2, "time_vs_glibc", 0.8125, 25);
  EXPECT(ab_metrics_save(path, &m, &err) == 0);
  EXPECT(ab_metrics_load(path, &back, &err) == 0);
  EXPECT(back.n == 2);
  const ab_metric_t *x = ab_metrics_find(&back, &m.v[0]);
  EXPECT(x && x->value == 123456789012.0); /* counts keep every digit */
  x = ab_metrics_find(&back, &m.v[1]);
  EXPECT(x && fabs(x->value - 0.8125) < 1e-9 && x->tolerance_pct == 25 && x->threads == 2);
  ab_metrics_free(&back);
  ab_metrics_free(&m);
  FILE *f = fopen(path, "w");
  fputs("workload,params,threads,metric,value,tolerance_pct\nw,,1,time_vs_glibc,fast,25\n", f);
  fclose(f);
  EXPECT_ERR(ab_metrics_load(path, &back, &err), err, "baseline.csv:2: value 'fast'");
  f = fopen(path, "w");
  fputs("something,else\n", f);
  fclose(f);
  EXPECT_ERR(ab_metrics_load(path, &back, &err), err, "not the baseline header");
  unlink(path);
  free(path);
}

static void add(ab_rows_t *rows, const char *alloc, double ops_per_s, double rss) {
  ab_row_t r;
  ab_row_init(&r);
  free(r.workload);
  free(r.allocator);
  free(r.status);
  r.workload = ab_xstrdup("w");
  r.allocator = ab_xstrdup(alloc);
  r.status = ab_xstrdup("ok");
  r.threads = 1;
  r.ops_per_s = ops_per_s;
  r.peak_rss_kib = rss;
  ab_rows_push(rows, &r);
  ab_row_free(&r);
}

static void test_ratios(void) {
  ab_rows_t rows = {0};
  add(&rows, "glibc", 100, 1000);
  add(&rows, "segalloc", 200, 1500);
  add(&rows, "jemalloc", 400, 3000);
  add(&rows, "mimalloc", 250, 2000);
  ab_summary_t s;
  ab_summary_compute(&rows, &s);
  ab_metrics_t now = {0};
  ab_check_ratios(&s, &now);
  EXPECT(now.n == 4);
  ab_metric_t want[] = {metric("time_vs_glibc", 0.5, 0), metric("time_vs_best_peer", 2.0, 0),
                        metric("rss_vs_glibc", 1.5, 0), metric("rss_vs_best_peer", 0.75, 0)};
  for (size_t i = 0; i < 4; i++) {
    const ab_metric_t *m = ab_metrics_find(&now, &want[i]);
    EXPECT(m != NULL);
    if (m) EXPECT_NEAR(m->value, want[i].value, 1e-9);
  }
  ab_metrics_free(&now);
  ab_summary_free(&s);
  ab_rows_free(&rows);
}

static void test_callgrind_parse(void) {
  long long ir = 0;
  ab_err_t err;
  EXPECT(ab_callgrind_parse("version: 1\ncreator: callgrind\nevents: Ir\nfl=x\n1 2\n"
                            "summary: 4242\ntotals: 4242\n", &ir, &err) == 0 && ir == 4242);
  EXPECT(ab_callgrind_parse("events: Ir\ntotals: 99\n", &ir, &err) == 0 && ir == 99);
  EXPECT_ERR(ab_callgrind_parse("events: Ir\n", &ir, &err), err, "no 'summary:'");
}

int main(int argc, char **argv) {
  test_verdicts();
  test_baseline_file(argc > 1 ? argv[1] : ".");
  test_ratios();
  test_callgrind_parse();
  return TEST_RESULT();
}
