/* allocbench: summary statistics per workload case x allocator (median,
 * min, max), the ratios to glibc and to the best allocator, and the ratio
 * to the best paired by repetition. */
#ifndef AB_SUMMARY_H
#define AB_SUMMARY_H

#include "results.h"
#include "util.h"

typedef struct ab_stat_s {
  double median, min, max; /* NaN when n == 0 */
  size_t n;
} ab_stat_t;

/* Median (mean of the middle two for even n), min and max of the non-NaN values. */
ab_stat_t ab_stat_of(const double *values, size_t n);
/* Ascending, in place (no NaN). */
void ab_sort_doubles(double *v, size_t n);

/* A workload case: the same workload, parameters and thread count. */
typedef struct ab_case_key_s {
  char *workload, *params;
  int threads;
} ab_case_key_t;

typedef struct ab_group_s {
  size_t case_index;
  char *allocator;
  size_t runs, ok_runs;
  ab_stat_t wall, ops_per_s, peak_rss, end_rss, xfree_p99;
  /* Time cost of one run: 1/ops_per_s when the workload reports a rate,
   * else wall_s (real programs). Lower is better; ratios use its median. */
  ab_stat_t cost;
  double time_vs_glibc, time_vs_best, rss_vs_glibc, rss_vs_best; /* NaN: cannot say */
  double spread; /* (max - min) / median of cost: the run-to-run noise */
  /* Median over repetitions of cost / the lowest cost of any allocator in
   * the same repetition, over the repetitions where this allocator and at
   * least one other finished; NaN where there are none. */
  double time_paired;
  /* Median over the ok runs of peak RSS / the most live bytes the workload
   * reported holding (live_peak): the memory needed for what was held,
   * where a slower allocator lets a workload hold less. NaN without it. */
  ab_stat_t rss_per_live, live_peak; /* live_peak: KiB, as in results.csv */
} ab_group_t;

typedef struct ab_summary_s {
  ab_case_key_t *cases; /* in order of first appearance in the rows */
  size_t n_cases;
  ab_strv_t allocators; /* likewise */
  ab_group_t *groups;   /* n_cases x allocators, row-major; runs == 0 where none ran */
} ab_summary_t;

/* The time cost of one row as defined above (NaN when the row failed). */
double ab_row_cost(const ab_row_t *row);
/* Whether the row is a run of the case (any allocator). */
bool ab_row_in_case(const ab_row_t *r, const ab_case_key_t *key);

void ab_summary_compute(const ab_rows_t *rows, ab_summary_t *out);
/* Index of the case with these fields (threads as text, "" for none), or -1:
 * how side tables (rss.csv, extras.csv) find their case again. */
int ab_summary_find_case(const ab_summary_t *s, const char *workload, const char *params,
                         const char *threads);
/* Index of an allocator in s->allocators, or -1. */
int ab_summary_alloc_index(const ab_summary_t *s, const char *name);
ab_group_t *ab_summary_group(const ab_summary_t *s, size_t case_index, size_t alloc_index);
/* Index of the allocator with the lowest median of the metric, or -1. */
int ab_summary_best(const ab_summary_t *s, size_t case_index, bool by_rss, const char *exclude);
/* The allocator other than `skip` (-1: none skipped) with the smallest
 * value of case c's double at `offset` in ab_group_t (offsetof(ab_group_t,
 * time_paired), say), or -1 when none has one; *value gets that value, NaN
 * with -1. */
int ab_summary_min_at(const ab_summary_t *s, size_t c, size_t offset, int skip, double *value);
/* "workload params t=N" for tables and plot titles. */
char *ab_case_label(const ab_case_key_t *c);
/* The label made safe for a file name, made unique by a hash of the label. */
char *ab_case_slug(const ab_case_key_t *c);
int ab_summary_write_csv(const ab_summary_t *s, const char *path, ab_err_t *err);
void ab_summary_free(ab_summary_t *s);

#endif
