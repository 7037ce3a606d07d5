/* allocbench: summary statistics and ratios, plain and paired by repetition. */
#include "summary.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "files.h"

static int ab_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void ab_sort_doubles(double *v, size_t n) { qsort(v, n, sizeof *v, ab_cmp_double); }

ab_stat_t ab_stat_of(const double *values, size_t n) {
  double *v = ab_xmalloc(n * sizeof *v);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(values[i])) v[k++] = values[i];
  ab_stat_t st = {NAN, NAN, NAN, k};
  if (k > 0) {
    ab_sort_doubles(v, k);
    st.min = v[0];
    st.max = v[k - 1];
    st.median = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2.0;
  }
  free(v);
  return st;
}

double ab_row_cost(const ab_row_t *row) {
  if (strcmp(row->status, "ok") != 0) return NAN;
  if (row->ops_per_s > 0) return 1.0 / row->ops_per_s;
  return row->wall_s;
}

static size_t ab_summary_case_index(ab_summary_t *s, const ab_row_t *row) {
  for (size_t i = 0; i < s->n_cases; i++) {
    ab_case_key_t *c = &s->cases[i];
    if (c->threads == row->threads && !strcmp(c->workload, row->workload) &&
        !strcmp(c->params, row->params))
      return i;
  }
  s->cases = ab_xrealloc(s->cases, (s->n_cases + 1) * sizeof *s->cases);
  s->cases[s->n_cases] = (ab_case_key_t){ab_xstrdup(row->workload), ab_xstrdup(row->params),
                                         row->threads};
  return s->n_cases++;
}

int ab_summary_find_case(const ab_summary_t *s, const char *workload, const char *params,
                         const char *threads) {
  long t = 0;
  if (*threads && !ab_parse_long(threads, &t)) return -1;
  for (size_t c = 0; c < s->n_cases; c++)
    if (s->cases[c].threads == t && !strcmp(s->cases[c].workload, workload) &&
        !strcmp(s->cases[c].params, params))
      return (int)c;
  return -1;
}

int ab_summary_alloc_index(const ab_summary_t *s, const char *name) {
  for (size_t a = 0; a < s->allocators.n; a++)
    if (strcmp(s->allocators.v[a], name) == 0) return (int)a;
  return -1;
}

ab_group_t *ab_summary_group(const ab_summary_t *s, size_t case_index, size_t alloc_index) {
  return &s->groups[case_index * s->allocators.n + alloc_index];
}

bool ab_row_in_case(const ab_row_t *r, const ab_case_key_t *key) {
  return !strcmp(r->workload, key->workload) && !strcmp(r->params, key->params) &&
         r->threads == key->threads;
}

static bool ab_row_in_group(const ab_row_t *r, const ab_case_key_t *key, const char *alloc) {
  return !strcmp(r->allocator, alloc) && ab_row_in_case(r, key);
}

typedef enum ab_metric_e { AB_METRIC_FIELD, AB_METRIC_COST, AB_METRIC_RSS_PER_LIVE } ab_metric_t;

static double ab_row_rss_per_live(const ab_row_t *r) {
  return r->live_peak_kib > 0 && r->peak_rss_kib > 0 ? r->peak_rss_kib / r->live_peak_kib : NAN;
}

static double ab_row_metric(const ab_row_t *r, ab_metric_t metric, size_t offset) {
  if (metric == AB_METRIC_COST) return ab_row_cost(r);
  if (metric == AB_METRIC_RSS_PER_LIVE) return ab_row_rss_per_live(r);
  return *(const double *)((const char *)r + offset);
}

/* Collects one metric of the ok rows of a group (the field at offset, for
 * AB_METRIC_FIELD). */
static ab_stat_t ab_summary_metric(const ab_rows_t *rows, const ab_summary_t *s, size_t c,
                                   const char *alloc, ab_metric_t metric, size_t offset) {
  double *v = ab_xmalloc(rows->n * sizeof *v);
  size_t k = 0;
  for (size_t i = 0; i < rows->n; i++) {
    const ab_row_t *r = &rows->v[i];
    if (!ab_row_in_group(r, &s->cases[c], alloc) || strcmp(r->status, "ok")) continue;
    v[k++] = ab_row_metric(r, metric, offset);
  }
  ab_stat_t st = ab_stat_of(v, k);
  free(v);
  return st;
}

static void ab_summary_fill_group(const ab_rows_t *rows, ab_summary_t *s, size_t c, size_t a) {
  ab_group_t *g = ab_summary_group(s, c, a);
  const char *alloc = s->allocators.v[a];
  const ab_case_key_t *key = &s->cases[c];
  g->case_index = c;
  g->allocator = ab_xstrdup(alloc);
  for (size_t i = 0; i < rows->n; i++) {
    const ab_row_t *r = &rows->v[i];
    if (!ab_row_in_group(r, key, alloc)) continue;
    g->runs++;
    g->ok_runs += strcmp(r->status, "ok") == 0;
  }
  g->wall = ab_summary_metric(rows, s, c, alloc, AB_METRIC_FIELD, offsetof(ab_row_t, wall_s));
  g->ops_per_s = ab_summary_metric(rows, s, c, alloc, AB_METRIC_FIELD, offsetof(ab_row_t, ops_per_s));
  g->peak_rss = ab_summary_metric(rows, s, c, alloc, AB_METRIC_FIELD, offsetof(ab_row_t, peak_rss_kib));
  g->end_rss = ab_summary_metric(rows, s, c, alloc, AB_METRIC_FIELD, offsetof(ab_row_t, end_rss_kib));
  g->xfree_p99 = ab_summary_metric(rows, s, c, alloc, AB_METRIC_FIELD, offsetof(ab_row_t, xfree_p99_ns));
  g->cost = ab_summary_metric(rows, s, c, alloc, AB_METRIC_COST, 0);
  g->rss_per_live = ab_summary_metric(rows, s, c, alloc, AB_METRIC_RSS_PER_LIVE, 0);
  g->live_peak = ab_summary_metric(rows, s, c, alloc, AB_METRIC_FIELD, offsetof(ab_row_t, live_peak_kib));
  g->spread = g->cost.n > 1 && g->cost.median > 0 ? (g->cost.max - g->cost.min) / g->cost.median
                                                  : NAN;
}

int ab_summary_min_at(const ab_summary_t *s, size_t c, size_t offset, int skip, double *value) {
  int best = -1;
  double best_v = NAN;
  for (size_t a = 0; a < s->allocators.n; a++) {
    if ((int)a == skip) continue;
    double v = *(const double *)((const char *)ab_summary_group(s, c, a) + offset);
    if (!isnan(v) && (best < 0 || v < best_v)) {
      best = (int)a;
      best_v = v;
    }
  }
  if (value) *value = best_v;
  return best;
}

int ab_summary_best(const ab_summary_t *s, size_t c, bool by_rss, const char *exclude) {
  size_t offset = by_rss ? offsetof(ab_group_t, peak_rss.median) : offsetof(ab_group_t, cost.median);
  return ab_summary_min_at(s, c, offset, exclude ? ab_summary_alloc_index(s, exclude) : -1, NULL);
}

static double ab_ratio(double x, double ref) { return ref > 0 && !isnan(x) ? x / ref : NAN; }

static void ab_summary_ratios(ab_summary_t *s, size_t c) {
  int glibc = ab_summary_alloc_index(s, "glibc");
  int best_t = ab_summary_best(s, c, false, NULL), best_r = ab_summary_best(s, c, true, NULL);
  for (size_t a = 0; a < s->allocators.n; a++) {
    ab_group_t *g = ab_summary_group(s, c, a);
    const ab_group_t *gl = glibc >= 0 ? ab_summary_group(s, c, (size_t)glibc) : NULL;
    g->time_vs_glibc = gl ? ab_ratio(g->cost.median, gl->cost.median) : NAN;
    g->rss_vs_glibc = gl ? ab_ratio(g->peak_rss.median, gl->peak_rss.median) : NAN;
    g->time_vs_best =
        best_t >= 0 ? ab_ratio(g->cost.median, ab_summary_group(s, c, (size_t)best_t)->cost.median)
                    : NAN;
    g->rss_vs_best =
        best_r >= 0
            ? ab_ratio(g->peak_rss.median, ab_summary_group(s, c, (size_t)best_r)->peak_rss.median)
            : NAN;
  }
}

/* The ratio of row i to the fastest row of its repetition among the timed
 * rows v of one case; NaN when no other allocator finished that repetition
 * (being the only one left is no win). */
static double ab_paired_ratio(const ab_row_t *const *v, size_t k, size_t i) {
  double cost = ab_row_cost(v[i]), best = cost;
  bool other = false;
  for (size_t j = 0; j < k; j++) {
    if (v[j]->rep != v[i]->rep) continue;
    other |= strcmp(v[j]->allocator, v[i]->allocator) != 0;
    best = fmin(best, ab_row_cost(v[j]));
  }
  return other ? ab_ratio(cost, best) : NAN;
}

/* The machine's state drifts during a run (on a small machine two threads
 * share a core at one moment and not at the next, which changes every
 * allocator's time alike), while the allocators of one repetition run close
 * together. So the ratio is taken within each repetition, where the drift
 * cancels, and only then the median over repetitions. */
static void ab_summary_paired(const ab_rows_t *rows, ab_summary_t *s, size_t c) {
  const ab_row_t **v = ab_xmalloc((rows->n + 1) * sizeof *v);
  size_t k = 0;
  for (size_t i = 0; i < rows->n; i++)
    if (ab_row_in_case(&rows->v[i], &s->cases[c]) && !isnan(ab_row_cost(&rows->v[i])))
      v[k++] = &rows->v[i];
  double *ratios = ab_xmalloc((k + 1) * sizeof *ratios);
  for (size_t a = 0; a < s->allocators.n; a++) {
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
      if (!strcmp(v[i]->allocator, s->allocators.v[a])) ratios[n++] = ab_paired_ratio(v, k, i);
    ab_summary_group(s, c, a)->time_paired = ab_stat_of(ratios, n).median;
  }
  free(ratios);
  free(v);
}

void ab_summary_compute(const ab_rows_t *rows, ab_summary_t *out) {
  *out = (ab_summary_t){0};
  for (size_t i = 0; i < rows->n; i++) {
    ab_summary_case_index(out, &rows->v[i]);
    if (!ab_strv_contains(&out->allocators, rows->v[i].allocator))
      ab_strv_push(&out->allocators, rows->v[i].allocator);
  }
  out->groups = ab_xcalloc(out->n_cases * out->allocators.n, sizeof *out->groups);
  for (size_t c = 0; c < out->n_cases; c++) {
    for (size_t a = 0; a < out->allocators.n; a++) ab_summary_fill_group(rows, out, c, a);
    ab_summary_ratios(out, c);
    ab_summary_paired(rows, out, c);
  }
}

char *ab_case_label(const ab_case_key_t *c) {
  ab_buf_t b = {0};
  ab_buf_puts(&b, c->workload);
  if (*c->params) ab_buf_printf(&b, " %s", c->params);
  if (c->threads > 0) ab_buf_printf(&b, " t=%d", c->threads);
  return b.s;
}

char *ab_case_slug(const ab_case_key_t *c) {
  char *label = ab_case_label(c);
  uint32_t hash = 2166136261u; /* FNV-1a: stable across runs and machines */
  for (const char *p = label; *p; p++) hash = (hash ^ (uint8_t)*p) * 16777619u;
  ab_buf_t b = {0};
  ab_buf_puts(&b, "");
  for (const char *p = label; *p && b.len < 60; p++) {
    bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
    if (keep) ab_buf_append(&b, p, 1);
    else if (b.len && b.s[b.len - 1] != '_') ab_buf_puts(&b, "_");
  }
  ab_buf_printf(&b, "-%06x", hash & 0xffffffu);
  free(label);
  return b.s;
}

static const char *const ab_summary_columns[] = {
    "workload",          "params",           "threads",          "allocator",
    "runs",              "ok_runs",          "wall_s_median",    "wall_s_min",
    "wall_s_max",        "ops_per_s_median", "ops_per_s_min",    "ops_per_s_max",
    "peak_rss_kib_median", "peak_rss_kib_min", "peak_rss_kib_max", "end_rss_kib_median",
    "xfree_p99_ns_median", "time_vs_glibc",  "time_vs_best",     "rss_vs_glibc",
    "rss_vs_best",       "spread_pct",       "time_paired"};
#define AB_SUMMARY_NCOLS (sizeof ab_summary_columns / sizeof ab_summary_columns[0])

static char *ab_num(double v, int decimals) {
  return isnan(v) ? ab_xstrdup("") : ab_xasprintf("%.*f", decimals, v);
}

static void ab_summary_format_group(const ab_summary_t *s, const ab_group_t *g, ab_strv_t *f) {
  const ab_case_key_t *c = &s->cases[g->case_index];
  ab_strv_push(f, c->workload);
  ab_strv_push(f, c->params);
  ab_strv_push_owned(f, c->threads > 0 ? ab_xasprintf("%d", c->threads) : ab_xstrdup(""));
  ab_strv_push(f, g->allocator);
  ab_strv_push_owned(f, ab_xasprintf("%zu", g->runs));
  ab_strv_push_owned(f, ab_xasprintf("%zu", g->ok_runs));
  const ab_stat_t *stats[] = {&g->wall, &g->ops_per_s, &g->peak_rss};
  const int decimals[] = {6, 1, 0};
  for (size_t i = 0; i < 3; i++) {
    ab_strv_push_owned(f, ab_num(stats[i]->median, decimals[i]));
    ab_strv_push_owned(f, ab_num(stats[i]->min, decimals[i]));
    ab_strv_push_owned(f, ab_num(stats[i]->max, decimals[i]));
  }
  ab_strv_push_owned(f, ab_num(g->end_rss.median, 0));
  ab_strv_push_owned(f, ab_num(g->xfree_p99.median, 0));
  ab_strv_push_owned(f, ab_num(g->time_vs_glibc, 4));
  ab_strv_push_owned(f, ab_num(g->time_vs_best, 4));
  ab_strv_push_owned(f, ab_num(g->rss_vs_glibc, 4));
  ab_strv_push_owned(f, ab_num(g->rss_vs_best, 4));
  ab_strv_push_owned(f, ab_num(g->spread * 100.0, 1));
  ab_strv_push_owned(f, ab_num(g->time_paired, 4));
}

int ab_summary_write_csv(const ab_summary_t *s, const char *path, ab_err_t *err) {
  ab_atomic_file_t af;
  if (ab_atomic_open(&af, path, err) < 0) return -1;
  int rc = ab_csv_fput_row(af.f, ab_summary_columns, AB_SUMMARY_NCOLS);
  for (size_t i = 0; rc == 0 && i < s->n_cases * s->allocators.n; i++) {
    if (s->groups[i].runs == 0) continue;
    ab_strv_t f = {0};
    ab_summary_format_group(s, &s->groups[i], &f);
    rc = ab_csv_fput_row(af.f, (const char *const *)f.v, f.n);
    ab_strv_free(&f);
  }
  /* A failed row leaves the stream's error flag set: commit reports it
   * (with the reason) and removes the temporary file. */
  return ab_atomic_commit(&af, err);
}

void ab_summary_free(ab_summary_t *s) {
  for (size_t i = 0; i < s->n_cases; i++) {
    free(s->cases[i].workload);
    free(s->cases[i].params);
  }
  for (size_t i = 0; i < s->n_cases * s->allocators.n; i++) free(s->groups[i].allocator);
  free(s->cases);
  free(s->groups);
  ab_strv_free(&s->allocators);
  *s = (ab_summary_t){0};
}
