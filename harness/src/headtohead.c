/* allocbench: paired comparison of two allocators with a sign-test interval. */
#include "headtohead.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "files.h"
#include "util.h"

/* P(Binomial(n, 1/2) <= k), summed in log space so that n in the
 * thousands does not overflow the binomial coefficients. */
static double ab_h2h_binomial_cdf(size_t n, size_t k) {
  double sum = 0;
  for (size_t i = 0; i <= k && i <= n; i++)
    sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
               (double)n * log(2.0));
  return sum;
}

double ab_h2h_interval(const double *sorted, size_t n, double *lo, double *hi) {
  if (n == 0) {
    *lo = *hi = NAN;
    return 0;
  }
  /* k = 1 is the whole range; each step in drops one value from each end. */
  size_t k = 1;
  while (k + 1 <= n / 2 && 1 - 2 * ab_h2h_binomial_cdf(n, k) >= 0.95) k++;
  *lo = sorted[k - 1];
  *hi = sorted[n - k];
  double confidence = 1 - 2 * ab_h2h_binomial_cdf(n, k - 1);
  return confidence > 0 ? confidence : 0;
}

/* A ratio needs a finite value above 0 on both sides: a hand-edited
 * results.csv may hold a wall time of 0. */
static double ab_h2h_value(const ab_row_t *r, ab_h2h_metric_t metric) {
  double v = metric == AB_H2H_TIME ? ab_row_cost(r) : strcmp(r->status, "ok") == 0 ? r->peak_rss_kib : NAN;
  return isfinite(v) && v > 0 ? v : NAN;
}

typedef struct ab_h2h_obs_s {
  int rep;
  size_t row; /* index in the rows: the first of a repetition wins */
  double value;
} ab_h2h_obs_t;

static int ab_h2h_obs_cmp(const void *x, const void *y) {
  const ab_h2h_obs_t *a = x, *b = y;
  if (a->rep != b->rep) return (a->rep > b->rep) - (a->rep < b->rep);
  return (a->row > b->row) - (a->row < b->row);
}

/* alloc's ok runs of the case, one per repetition (its first), by
 * repetition; returns how many. */
static size_t ab_h2h_collect(const ab_rows_t *rows, const ab_case_key_t *c, const char *alloc,
                             ab_h2h_metric_t metric, ab_h2h_obs_t *out) {
  size_t n = 0;
  for (size_t i = 0; i < rows->n; i++) {
    const ab_row_t *r = &rows->v[i];
    if (strcmp(r->allocator, alloc) || !ab_row_in_case(r, c)) continue;
    double v = ab_h2h_value(r, metric);
    if (!isnan(v)) out[n++] = (ab_h2h_obs_t){r->rep, i, v};
  }
  qsort(out, n, sizeof *out, ab_h2h_obs_cmp);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (k == 0 || out[k - 1].rep != out[i].rep) out[k++] = out[i];
  return k;
}

ab_h2h_t ab_h2h_compare(const ab_rows_t *rows, const ab_case_key_t *c, const char *a,
                        const char *b, ab_h2h_metric_t metric) {
  ab_h2h_obs_t *x = ab_xmalloc((rows->n + 1) * sizeof *x), *y = ab_xmalloc((rows->n + 1) * sizeof *y);
  double *ratios = ab_xmalloc((rows->n + 1) * sizeof *ratios);
  size_t nx = ab_h2h_collect(rows, c, a, metric, x), ny = ab_h2h_collect(rows, c, b, metric, y), n = 0;
  for (size_t i = 0, j = 0; i < nx && j < ny;) { /* both by repetition: a merge */
    if (x[i].rep < y[j].rep) i++;
    else if (x[i].rep > y[j].rep) j++;
    else ratios[n++] = x[i++].value / y[j++].value;
  }
  ab_sort_doubles(ratios, n);
  ab_h2h_t h = {.n = n, .median = ab_stat_of(ratios, n).median};
  h.confidence = ab_h2h_interval(ratios, n, &h.lo, &h.hi);
  free(ratios);
  free(y);
  free(x);
  return h;
}

int ab_h2h_verdict(const ab_h2h_t *h) {
  if (h->n == 0 || h->confidence < AB_H2H_CALL_CONFIDENCE) return 0;
  if (h->hi < 1) return -1;
  if (h->lo > 1) return 1;
  return 0;
}

size_t ab_h2h_min_reps(void) {
  size_t n = 1;
  while (1 - 2 * ldexp(1, -(int)n) < AB_H2H_CALL_CONFIDENCE) n++;
  return n;
}

const char *ab_h2h_call(const ab_h2h_t *h, ab_h2h_metric_t metric) {
  static const char *const words[2][3] = {{"faster", "none", "slower"}, {"smaller", "none", "larger"}};
  return words[metric == AB_H2H_RSS][ab_h2h_verdict(h) + 1];
}

/* Two decimals, or three where two would round a bound onto 1.00: a call
 * is made on the unrounded interval, and "[0.95, 1.00]: faster" would read
 * as a contradiction. */
static int ab_h2h_decimals(double v) { return fabs(v - 1) < 0.005 && v != 1 ? 3 : 2; }

void ab_h2h_format(const ab_h2h_t *h, char *buf, size_t n) {
  snprintf(buf, n, "%.2f [%.*f, %.*f]", h->median, ab_h2h_decimals(h->lo), h->lo, ab_h2h_decimals(h->hi), h->hi);
}

const char *ab_h2h_call_text(const ab_h2h_t *h, ab_h2h_metric_t metric) {
  return ab_h2h_verdict(h) ? ab_h2h_call(h, metric) : "no clear difference";
}

int ab_h2h_other(const ab_summary_t *s, size_t c, int focus, int against, ab_h2h_metric_t metric) {
  if (against >= 0) return against;
  size_t offset = metric == AB_H2H_TIME ? offsetof(ab_group_t, time_paired) : offsetof(ab_group_t, rss_vs_best);
  return ab_summary_min_at(s, c, offset, focus, NULL);
}

static const char *const ab_h2h_columns[] = {"workload", "params", "threads", "allocator", "metric", "other",
                                              "reps", "median", "lo", "hi", "confidence", "call"};
#define AB_H2H_NCOLS (sizeof ab_h2h_columns / sizeof ab_h2h_columns[0])

bool ab_h2h_ran(const ab_summary_t *s, const char *focus, const char *against) {
  return ab_summary_alloc_index(s, focus) >= 0 && (!against || ab_summary_alloc_index(s, against) >= 0);
}

size_t ab_h2h_all(const ab_summary_t *s, const ab_rows_t *rows, const char *focus, const char *against,
                  ab_h2h_row_t **out) {
  *out = ab_xmalloc((2 * s->n_cases + 1) * sizeof **out);
  if (!ab_h2h_ran(s, focus, against)) return 0;
  int f = ab_summary_alloc_index(s, focus), a = against ? ab_summary_alloc_index(s, against) : -1;
  size_t n = 0;
  for (size_t c = 0; c < s->n_cases; c++)
    for (int m = AB_H2H_TIME; m <= AB_H2H_RSS; m++) {
      int other = ab_h2h_other(s, c, f, a, (ab_h2h_metric_t)m);
      if (other < 0) continue;
      ab_h2h_t h = ab_h2h_compare(rows, &s->cases[c], s->allocators.v[f], s->allocators.v[other],
                                  (ab_h2h_metric_t)m);
      if (h.n > 0) (*out)[n++] = (ab_h2h_row_t){c, (ab_h2h_metric_t)m, f, other, h};
    }
  return n;
}

static void ab_h2h_format_row(const ab_summary_t *s, const ab_h2h_row_t *r, ab_strv_t *v) {
  const ab_case_key_t *k = &s->cases[r->case_index];
  ab_strv_push(v, k->workload);
  ab_strv_push(v, k->params);
  ab_strv_push_owned(v, k->threads > 0 ? ab_xasprintf("%d", k->threads) : ab_xstrdup(""));
  ab_strv_push(v, s->allocators.v[r->focus]);
  ab_strv_push(v, r->metric == AB_H2H_TIME ? "time" : "peak_rss");
  ab_strv_push(v, s->allocators.v[r->other]);
  ab_strv_push_owned(v, ab_xasprintf("%zu", r->h.n));
  ab_strv_push_owned(v, ab_xasprintf("%.4f", r->h.median));
  ab_strv_push_owned(v, ab_xasprintf("%.4f", r->h.lo));
  ab_strv_push_owned(v, ab_xasprintf("%.4f", r->h.hi));
  ab_strv_push_owned(v, ab_xasprintf("%.4f", r->h.confidence));
  ab_strv_push(v, ab_h2h_call(&r->h, r->metric));
}

int ab_h2h_write_csv(const ab_summary_t *s, const ab_rows_t *rows, const char *focus,
                     const char *against, const char *path, ab_err_t *err) {
  ab_atomic_file_t af;
  if (ab_atomic_open(&af, path, err) < 0) return -1;
  int rc = ab_csv_fput_row(af.f, ab_h2h_columns, AB_H2H_NCOLS);
  ab_h2h_row_t *r;
  size_t n = ab_h2h_all(s, rows, focus, against, &r);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    ab_strv_t v = {0};
    ab_h2h_format_row(s, &r[i], &v);
    rc = ab_csv_fput_row(af.f, (const char *const *)v.v, v.n);
    ab_strv_free(&v);
  }
  free(r);
  return ab_atomic_commit(&af, err); /* a failed row left the stream's error flag set */
}

void ab_h2h_print(FILE *out, const ab_summary_t *s, const ab_rows_t *rows, const char *focus,
                  const char *against) {
  ab_h2h_row_t *r;
  size_t n = ab_h2h_all(s, rows, focus, against, &r);
  if (n > 0) fprintf(out, "%s head to head (median of the paired ratios [interval], its confidence):\n", focus);
  for (size_t i = 0; i < n; i++) {
    bool first = i == 0 || r[i - 1].case_index != r[i].case_index;
    if (first) {
      char *label = ab_case_label(&s->cases[r[i].case_index]);
      fprintf(out, "  %s:", label);
      free(label);
    }
    char interval[64];
    ab_h2h_format(&r[i].h, interval, sizeof interval);
    fprintf(out, "%s %s %s of %s's (%.0f%%): %s", first ? "" : ";", r[i].metric == AB_H2H_TIME ? "time" : "peak RSS",
            interval, s->allocators.v[r[i].other], floor(r[i].h.confidence * 100),
            ab_h2h_call_text(&r[i].h, r[i].metric));
    if (i + 1 == n || r[i + 1].case_index != r[i].case_index) fputc('\n', out);
  }
  size_t most = ab_h2h_too_few(r, n);
  if (most > 0)
    fprintf(out, "  (%zu repetition%s: too few to call a difference; run with --reps %zu or more)\n", most,
            most == 1 ? "" : "s", ab_h2h_min_reps());
  free(r);
}

size_t ab_h2h_too_few(const ab_h2h_row_t *r, size_t n) {
  size_t most = 0;
  for (size_t i = 0; i < n; i++)
    if (r[i].h.n > most) most = r[i].h.n;
  return most < ab_h2h_min_reps() ? most : 0;
}
