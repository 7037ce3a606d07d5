/* allocbench: results.csv, one row per run, in the columns of DESIGN.md. */
#ifndef AB_RESULTS_H
#define AB_RESULTS_H

#include "util.h"

#define AB_RESULTS_NCOLS 19
extern const char *const ab_results_columns[AB_RESULTS_NCOLS];

/* One run of one workload (or real program) under one allocator. Numbers
 * that were not measured are NaN and are written as empty fields. */
typedef struct ab_row_s {
  char *run_id, *workload, *params, *allocator, *status;
  int threads; /* 0: not applicable (real programs) */
  int rep;
  double wall_s, user_s, sys_s, ops, ops_per_s;
  double peak_rss_kib, end_rss_kib, live_peak_kib;
  double xfree_p50_ns, xfree_p99_ns, xfree_p999_ns, xfree_max_ns;
} ab_row_t;

typedef struct ab_rows_s {
  ab_row_t *v;
  size_t n, cap;
} ab_rows_t;

/* A row with every number NaN and every string empty. */
void ab_row_init(ab_row_t *row);
void ab_row_free(ab_row_t *row);
/* Fills out with AB_RESULTS_NCOLS freshly allocated strings. */
void ab_row_format(const ab_row_t *row, ab_strv_t *out);
/* Parses a record of results.csv; rejects a wrong field count or bad numbers. */
int ab_row_parse(const ab_strv_t *fields, ab_row_t *out, ab_err_t *err);

/* Appends a deep copy. */
void ab_rows_push(ab_rows_t *rows, const ab_row_t *row);
void ab_rows_free(ab_rows_t *rows);
/* Reads a whole results.csv, checking its header. */
int ab_rows_load(const char *path, ab_rows_t *rows, ab_err_t *err);

#endif
