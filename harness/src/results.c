/* allocbench: results.csv rows (format, parse, load). */
#include "results.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

const char *const ab_results_columns[AB_RESULTS_NCOLS] = {
    "run_id",        "workload",     "params",       "allocator",     "threads",
    "rep",           "status",       "wall_s",       "user_s",        "sys_s",
    "ops",           "ops_per_s",    "peak_rss_kib", "end_rss_kib",   "live_peak_kib",
    "xfree_p50_ns",  "xfree_p99_ns", "xfree_p999_ns", "xfree_max_ns"};

typedef enum { AB_COL_STR, AB_COL_INT, AB_COL_NUM } ab_col_kind_t;

/* Column i of the CSV <-> a field of ab_row_t; decimals for numbers. */
static const struct {
  ab_col_kind_t kind;
  size_t offset;
  int decimals;
} ab_results_layout[AB_RESULTS_NCOLS] = {
    {AB_COL_STR, offsetof(ab_row_t, run_id), 0},
    {AB_COL_STR, offsetof(ab_row_t, workload), 0},
    {AB_COL_STR, offsetof(ab_row_t, params), 0},
    {AB_COL_STR, offsetof(ab_row_t, allocator), 0},
    {AB_COL_INT, offsetof(ab_row_t, threads), 0},
    {AB_COL_INT, offsetof(ab_row_t, rep), 0},
    {AB_COL_STR, offsetof(ab_row_t, status), 0},
    {AB_COL_NUM, offsetof(ab_row_t, wall_s), 6},
    {AB_COL_NUM, offsetof(ab_row_t, user_s), 6},
    {AB_COL_NUM, offsetof(ab_row_t, sys_s), 6},
    {AB_COL_NUM, offsetof(ab_row_t, ops), 0},
    {AB_COL_NUM, offsetof(ab_row_t, ops_per_s), 1},
    {AB_COL_NUM, offsetof(ab_row_t, peak_rss_kib), 0},
    {AB_COL_NUM, offsetof(ab_row_t, end_rss_kib), 0},
    {AB_COL_NUM, offsetof(ab_row_t, live_peak_kib), 0},
    {AB_COL_NUM, offsetof(ab_row_t, xfree_p50_ns), 0},
    {AB_COL_NUM, offsetof(ab_row_t, xfree_p99_ns), 0},
    {AB_COL_NUM, offsetof(ab_row_t, xfree_p999_ns), 0},
    {AB_COL_NUM, offsetof(ab_row_t, xfree_max_ns), 0},
};

#define AB_FIELD(row, i, type) ((type *)((char *)(row) + ab_results_layout[i].offset))

void ab_row_init(ab_row_t *row) {
  memset(row, 0, sizeof *row);
  for (size_t i = 0; i < AB_RESULTS_NCOLS; i++) {
    if (ab_results_layout[i].kind == AB_COL_NUM) *AB_FIELD(row, i, double) = NAN;
    if (ab_results_layout[i].kind == AB_COL_STR) *AB_FIELD(row, i, char *) = ab_xstrdup("");
  }
}

void ab_row_free(ab_row_t *row) {
  for (size_t i = 0; i < AB_RESULTS_NCOLS; i++)
    if (ab_results_layout[i].kind == AB_COL_STR) free(*AB_FIELD(row, i, char *));
  memset(row, 0, sizeof *row);
}

void ab_row_format(const ab_row_t *row, ab_strv_t *out) {
  for (size_t i = 0; i < AB_RESULTS_NCOLS; i++) {
    ab_row_t *r = (ab_row_t *)row;
    switch (ab_results_layout[i].kind) {
    case AB_COL_STR:
      ab_strv_push(out, *AB_FIELD(r, i, char *));
      break;
    case AB_COL_INT: {
      int v = *AB_FIELD(r, i, int);
      ab_strv_push_owned(out, v > 0 ? ab_xasprintf("%d", v) : ab_xstrdup(""));
      break;
    }
    case AB_COL_NUM: {
      double v = *AB_FIELD(r, i, double);
      ab_strv_push_owned(out, isnan(v) ? ab_xstrdup("")
                                       : ab_xasprintf("%.*f", ab_results_layout[i].decimals, v));
      break;
    }
    }
  }
}

static int ab_row_parse_field(const char *text, size_t i, ab_row_t *out, ab_err_t *err) {
  switch (ab_results_layout[i].kind) {
  case AB_COL_STR:
    free(*AB_FIELD(out, i, char *));
    *AB_FIELD(out, i, char *) = ab_xstrdup(text);
    return 0;
  case AB_COL_INT: {
    long v = 0;
    if (*text && (!ab_parse_long(text, &v) || v < 1 || v > 1000000))
      return ab_fail(err, "%s '%s' is not a positive integer", ab_results_columns[i], text);
    *AB_FIELD(out, i, int) = (int)v;
    return 0;
  }
  case AB_COL_NUM: {
    double v = NAN;
    if (*text && !ab_parse_double(text, &v))
      return ab_fail(err, "%s '%s' is not a number", ab_results_columns[i], text);
    *AB_FIELD(out, i, double) = v;
    return 0;
  }
  }
  return 0;
}

int ab_row_parse(const ab_strv_t *fields, ab_row_t *out, ab_err_t *err) {
  ab_row_init(out);
  if (fields->n != AB_RESULTS_NCOLS)
    return ab_fail(err, "%zu fields instead of %d", fields->n, AB_RESULTS_NCOLS);
  for (size_t i = 0; i < AB_RESULTS_NCOLS; i++)
    if (ab_row_parse_field(fields->v[i], i, out, err) < 0) return -1;
  return 0;
}

void ab_rows_push(ab_rows_t *rows, const ab_row_t *row) {
  if (rows->n == rows->cap) {
    rows->cap = rows->cap ? rows->cap * 2 : 32;
    rows->v = ab_xrealloc(rows->v, rows->cap * sizeof *rows->v);
  }
  ab_row_t *copy = &rows->v[rows->n++];
  *copy = *row;
  for (size_t i = 0; i < AB_RESULTS_NCOLS; i++)
    if (ab_results_layout[i].kind == AB_COL_STR)
      *AB_FIELD(copy, i, char *) = ab_xstrdup(*AB_FIELD(row, i, char *const));
}

void ab_rows_free(ab_rows_t *rows) {
  for (size_t i = 0; i < rows->n; i++) ab_row_free(&rows->v[i]);
  free(rows->v);
  *rows = (ab_rows_t){0};
}

static int ab_rows_check_header(const ab_strv_t *header, const char *path, ab_err_t *err) {
  bool same = header->n == AB_RESULTS_NCOLS;
  for (size_t i = 0; same && i < AB_RESULTS_NCOLS; i++)
    same = strcmp(header->v[i], ab_results_columns[i]) == 0;
  return same ? 0 : ab_fail(err, "%s: first line is not the results.csv header", path);
}

int ab_rows_load(const char *path, ab_rows_t *rows, ab_err_t *err) {
  ab_csv_reader_t r;
  if (ab_csv_reader_open(&r, path, err) < 0) return -1;
  ab_strv_t fields = {0};
  int rc = ab_csv_reader_next(&r, &fields, err);
  if (rc == 0) rc = ab_fail(err, "%s is empty", path);
  if (rc > 0) rc = ab_rows_check_header(&fields, path, err);
  while (rc >= 0 && (rc = ab_csv_reader_next(&r, &fields, err)) > 0) {
    ab_row_t row;
    ab_err_t why;
    if (ab_row_parse(&fields, &row, &why) < 0) {
      rc = ab_fail(err, "%s:%ld: %s", path, r.line, why.msg);
    } else {
      ab_rows_push(rows, &row);
    }
    ab_row_free(&row);
  }
  ab_strv_free(&fields);
  ab_csv_reader_close(&r);
  return rc < 0 ? -1 : 0;
}
