/* allocbench: the per-run side tables beside results.csv, appended and
 * flushed per run like it:
 *   rss.csv:    run_id,workload,params,allocator,threads,rep,t_ms,rss_kib
 *   extras.csv: run_id,workload,params,allocator,threads,rep,key,value
 * (extras: RESULT keys that have no results.csv column, and allocbench's own
 * peak_anon_kib, see runner.h). */
#ifndef AB_SERIES_H
#define AB_SERIES_H

#include "csv.h"
#include "result_line.h"
#include "results.h"
#include "runner.h"

typedef struct ab_series_s {
  ab_csv_writer_t rss, extras;
} ab_series_t;

int ab_series_open(ab_series_t *s, const char *run_dir, ab_err_t *err);
/* rss.csv keeps at most this many samples of a run (plus its last): a
 * glibc realloc-grow of 137 s sampled every 10 ms made 13,700 rows, and one
 * default run's rss.csv 24 MB. */
#define AB_SERIES_RSS_MAX 1000
/* Which samples a run's curve keeps: all up to cap, else the largest RSS of
 * each run of ceil(n / cap) consecutive samples (so the peak and the upper
 * envelope stay), and the last sample (the end RSS). Writes indices in
 * increasing order to keep (room for cap + 1) and returns their count. */
size_t ab_series_thin(const ab_rss_sample_t *samples, size_t n, size_t cap, size_t *keep);
int ab_series_add_rss(ab_series_t *s, const ab_row_t *row, const ab_rss_sample_t *samples,
                      size_t n, ab_err_t *err);
/* One extra of allocbench's own for the run. */
int ab_series_add_extra(ab_series_t *s, const ab_row_t *row, const char *key, const char *value,
                        ab_err_t *err);
int ab_series_add_extras(ab_series_t *s, const ab_row_t *row, const ab_result_t *result,
                         ab_err_t *err);
void ab_series_close(ab_series_t *s);

/* Columns that identify a run in both tables, shared by their readers. */
#define AB_SERIES_KEY_COLS 6

#endif
