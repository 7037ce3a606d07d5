/* allocbench: rss.csv and extras.csv. */
#include "series.h"

#include <stdlib.h>

static const char *const ab_rss_columns[] = {"run_id", "workload", "params", "allocator",
                                             "threads", "rep", "t_ms", "rss_kib"};
static const char *const ab_extras_columns[] = {"run_id", "workload", "params", "allocator",
                                                "threads", "rep", "key", "value"};

int ab_series_open(ab_series_t *s, const char *run_dir, ab_err_t *err) {
  *s = (ab_series_t){0};
  char *rss = ab_xasprintf("%s/rss.csv", run_dir);
  char *extras = ab_xasprintf("%s/extras.csv", run_dir);
  int rc = ab_csv_writer_open(&s->rss, rss, ab_rss_columns, 8, err);
  if (rc == 0) rc = ab_csv_writer_open(&s->extras, extras, ab_extras_columns, 8, err);
  free(rss);
  free(extras);
  if (rc < 0) ab_series_close(s);
  return rc;
}

/* The first AB_SERIES_KEY_COLS fields of a side-table record. */
static void ab_series_key(const ab_row_t *row, ab_strv_t *f) {
  ab_strv_push(f, row->run_id);
  ab_strv_push(f, row->workload);
  ab_strv_push(f, row->params);
  ab_strv_push(f, row->allocator);
  ab_strv_push_owned(f, row->threads > 0 ? ab_xasprintf("%d", row->threads) : ab_xstrdup(""));
  ab_strv_push_owned(f, ab_xasprintf("%d", row->rep));
}

/* Formats one record (the run's key, then two values) into out. */
static void ab_series_format(ab_buf_t *out, const ab_row_t *row, char *a, char *b) {
  ab_strv_t f = {0};
  ab_series_key(row, &f);
  ab_strv_push_owned(&f, a);
  ab_strv_push_owned(&f, b);
  ab_csv_format_row(out, (const char *const *)f.v, f.n);
  ab_strv_free(&f);
}

static int ab_series_write(ab_csv_writer_t *w, ab_buf_t *records, ab_err_t *err) {
  int rc = ab_csv_writer_text(w, records, err);
  ab_buf_free(records);
  return rc;
}

size_t ab_series_thin(const ab_rss_sample_t *samples, size_t n, size_t cap, size_t *keep) {
  if (n <= cap) {
    for (size_t i = 0; i < n; i++) keep[i] = i;
    return n;
  }
  size_t per = (n + cap - 1) / cap, k = 0;
  for (size_t first = 0; first < n; first += per) {
    size_t end = first + per < n ? first + per : n, top = first;
    for (size_t i = first + 1; i < end; i++)
      if (samples[i].rss_kib > samples[top].rss_kib) top = i;
    keep[k++] = top;
  }
  if (keep[k - 1] != n - 1) keep[k++] = n - 1;
  return k;
}

int ab_series_add_rss(ab_series_t *s, const ab_row_t *row, const ab_rss_sample_t *samples,
                      size_t n, ab_err_t *err) {
  size_t *keep = ab_xmalloc((n + 1) * sizeof *keep);
  size_t k = ab_series_thin(samples, n, AB_SERIES_RSS_MAX, keep);
  ab_buf_t records = {0};
  for (size_t j = 0; j < k; j++)
    ab_series_format(&records, row, ab_xasprintf("%.1f", samples[keep[j]].t_ms),
                     ab_xasprintf("%ld", samples[keep[j]].rss_kib));
  free(keep);
  return ab_series_write(&s->rss, &records, err);
}

int ab_series_add_extra(ab_series_t *s, const ab_row_t *row, const char *key, const char *value,
                        ab_err_t *err) {
  ab_buf_t records = {0};
  ab_series_format(&records, row, ab_xstrdup(key), ab_xstrdup(value));
  return ab_series_write(&s->extras, &records, err);
}

int ab_series_add_extras(ab_series_t *s, const ab_row_t *row, const ab_result_t *result,
                         ab_err_t *err) {
  ab_buf_t records = {0};
  for (size_t i = 0; i < result->extra_keys.n; i++)
    ab_series_format(&records, row, ab_xstrdup(result->extra_keys.v[i]),
                     ab_xstrdup(result->extra_values.v[i]));
  return ab_series_write(&s->extras, &records, err);
}

void ab_series_close(ab_series_t *s) {
  ab_csv_writer_close(&s->rss);
  ab_csv_writer_close(&s->extras);
}
