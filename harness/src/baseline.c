/* allocbench: --check metrics and the baseline file. */
#include "baseline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "files.h"

static const char *const ab_baseline_columns[] = {"workload", "params", "threads",
                                                  "metric", "value", "tolerance_pct"};

/* The noise each metric has on a shared 2-core machine: medians of five
 * 0.5 s runs move their same-run time ratios by up to ~25% from one check
 * to the next there when one thread runs, and by up to 2.5x when two or
 * more threads share the two cores (prodcons64k's ratio to the best peer
 * read 0.82 and 2.05, larson-server's 0.75, 1.35 and 0.71, in checks of
 * one build), so multithreaded ratios only catch gross regressions (2x
 * time, 1.5x RSS: prodcons64k's RSS ratio to glibc moved by 43%);
 * callgrind counts move only with the environment's size and are the
 * tight gate. */
double ab_metric_default_tolerance(const char *metric, int threads) {
  if (strncmp(metric, "time_", 5) == 0) return threads > 1 ? 100.0 : 30.0;
  if (strncmp(metric, "rss_", 4) == 0) return threads > 1 ? 50.0 : 25.0;
  return 2.0;
}

/* glibc's own time for a multithreaded workload on two cores is bimodal
 * (prodcons64k: 0.04 and 0.89 of segalloc's in two checks of one build),
 * so segalloc's time ratio to it is shown but cannot gate; the ratio to
 * the best peer does. */
bool ab_metric_is_info(const char *metric, int threads) {
  return strcmp(metric, "instructions_glibc") == 0 || (threads > 1 && strcmp(metric, "time_vs_glibc") == 0);
}

void ab_metrics_add(ab_metrics_t *m, const char *workload, const char *params, int threads,
                    const char *metric, double value, double tolerance_pct) {
  m->v = ab_xrealloc(m->v, (m->n + 1) * sizeof *m->v);
  m->v[m->n++] = (ab_metric_t){ab_xstrdup(workload), ab_xstrdup(params), threads,
                               ab_xstrdup(metric), value, tolerance_pct};
}

const ab_metric_t *ab_metrics_find(const ab_metrics_t *m, const ab_metric_t *like) {
  for (size_t i = 0; i < m->n; i++) {
    const ab_metric_t *x = &m->v[i];
    if (x->threads == like->threads && !strcmp(x->workload, like->workload) &&
        !strcmp(x->params, like->params) && !strcmp(x->metric, like->metric))
      return x;
  }
  return NULL;
}

static int ab_metrics_parse(const ab_strv_t *f, ab_metrics_t *m, ab_err_t *err) {
  long threads = 0;
  double value, tol;
  if (f->n != 6) return ab_fail(err, "%zu fields instead of 6", f->n);
  if (*f->v[2] && (!ab_parse_long(f->v[2], &threads) || threads < 1))
    return ab_fail(err, "threads '%s' is not a positive integer", f->v[2]);
  if (!ab_parse_double(f->v[4], &value) || value < 0)
    return ab_fail(err, "value '%s' is not a non-negative number", f->v[4]);
  if (!ab_parse_double(f->v[5], &tol) || tol < 0)
    return ab_fail(err, "tolerance_pct '%s' is not a non-negative number", f->v[5]);
  if (!*f->v[0] || !*f->v[3]) return ab_fail(err, "workload and metric must not be empty");
  ab_metrics_add(m, f->v[0], f->v[1], (int)threads, f->v[3], value, tol);
  return 0;
}

int ab_metrics_load(const char *path, ab_metrics_t *m, ab_err_t *err) {
  *m = (ab_metrics_t){0};
  ab_csv_reader_t r;
  if (ab_csv_reader_open(&r, path, err) < 0) return -1;
  ab_strv_t f = {0};
  int rc = ab_csv_reader_next(&r, &f, err);
  if (rc == 0) rc = ab_fail(err, "%s is empty; rebuild it with --update-baseline", path);
  if (rc > 0 && (f.n != 6 || strcmp(f.v[0], "workload") || strcmp(f.v[3], "metric")))
    rc = ab_fail(err, "%s: first line is not the baseline header; rebuild it with "
                      "--update-baseline", path);
  while (rc >= 0 && (rc = ab_csv_reader_next(&r, &f, err)) > 0) {
    ab_err_t why;
    if (ab_metrics_parse(&f, m, &why) < 0) rc = ab_fail(err, "%s:%ld: %s", path, r.line, why.msg);
  }
  ab_strv_free(&f);
  ab_csv_reader_close(&r);
  if (rc < 0) ab_metrics_free(m);
  return rc < 0 ? -1 : 0;
}

int ab_metrics_save(const char *path, const ab_metrics_t *m, ab_err_t *err) {
  ab_atomic_file_t af;
  if (ab_atomic_open(&af, path, err) < 0) return -1;
  int rc = ab_csv_fput_row(af.f, ab_baseline_columns, 6);
  for (size_t i = 0; rc == 0 && i < m->n; i++) {
    const ab_metric_t *x = &m->v[i];
    char *threads = x->threads > 0 ? ab_xasprintf("%d", x->threads) : ab_xstrdup("");
    /* Counts keep every digit; ratios keep six significant ones. */
    char *value = x->value >= 1e5 ? ab_xasprintf("%.0f", x->value) : ab_xasprintf("%.6g", x->value);
    char *tol = ab_xasprintf("%g", x->tolerance_pct);
    const char *fields[] = {x->workload, x->params, threads, x->metric, value, tol};
    rc = ab_csv_fput_row(af.f, fields, 6);
    free(threads);
    free(value);
    free(tol);
  }
  /* A failed row leaves the stream's error flag set: commit reports it
   * (with the reason) and removes the temporary file. */
  return ab_atomic_commit(&af, err);
}

void ab_metrics_free(ab_metrics_t *m) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->v[i].workload);
    free(m->v[i].params);
    free(m->v[i].metric);
  }
  free(m->v);
  *m = (ab_metrics_t){0};
}
