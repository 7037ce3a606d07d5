/* allocbench: two allocators head to head on one case, paired by
 * repetition. Each repetition where both finished gives one ratio (a's time
 * or peak RSS over b's, measured minutes apart at most, so the machine's
 * drift cancels); the report gives the median of these ratios and a
 * distribution-free interval around it, and calls a difference only where
 * that interval leaves out 1. */
#ifndef AB_HEADTOHEAD_H
#define AB_HEADTOHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "results.h"
#include "summary.h"
#include "util.h"

typedef enum ab_h2h_metric_e { AB_H2H_TIME, AB_H2H_RSS } ab_h2h_metric_t;

typedef struct ab_h2h_s {
  size_t n;              /* repetitions with a ratio */
  double median, lo, hi; /* NaN when n == 0 */
  double confidence;     /* of [lo, hi] holding the true median ratio (0 when n < 2) */
} ab_h2h_t;

/* The least confidence an interval needs before a difference is called. */
#define AB_H2H_CALL_CONFIDENCE 0.90

/* a against b on case c by the metric: the first ok run of each in every
 * repetition (time: ab_row_cost; RSS: peak RSS). */
ab_h2h_t ab_h2h_compare(const ab_rows_t *rows, const ab_case_key_t *c, const char *a,
                        const char *b, ab_h2h_metric_t metric);

/* The sign test's interval for the median of n ascending values: the
 * narrowest [v[k-1], v[n-k]] whose confidence is at least 95%, or the whole
 * range when n is too small for that (n < 6). Returns its confidence,
 * 1 - 2 P(Binomial(n, 1/2) < k), exactly. */
double ab_h2h_interval(const double *sorted, size_t n, double *lo, double *hi);

/* The fewest repetitions whose whole range has the confidence to call (5). */
size_t ab_h2h_min_reps(void);

/* The allocator case c's head to head of focus is against: `against` when
 * it is one (>= 0), else the closest other, the one with the best paired
 * time or the least median peak RSS; -1 when none. */
int ab_h2h_other(const ab_summary_t *s, size_t c, int focus, int against, ab_h2h_metric_t metric);

/* One comparison: case, metric, the two allocators (indices in the
 * summary) and its outcome. */
typedef struct ab_h2h_row_s {
  size_t case_index;
  ab_h2h_metric_t metric;
  int focus, other;
  ab_h2h_t h;
} ab_h2h_row_t;

/* Every case's comparisons of focus, time then peak RSS, against `against`
 * (NULL: the closest other), leaving out those with no paired repetition;
 * none when focus, or a named `against`, did not run. *out is malloc'd
 * (free it); returns how many. */
size_t ab_h2h_all(const ab_summary_t *s, const ab_rows_t *rows, const char *focus, const char *against,
                  ab_h2h_row_t **out);

/* Whether focus ran, and `against` too where one is named: else there is
 * nothing to compare (a stopped run), and no table is better than a wrong one. */
bool ab_h2h_ran(const ab_summary_t *s, const char *focus, const char *against);

/* The most repetitions any of the n comparisons had, when that is too few
 * to call anything (under ab_h2h_min_reps); else 0. */
size_t ab_h2h_too_few(const ab_h2h_row_t *r, size_t n);

/* The same on a terminal: a line per case (nothing when there is none). */
void ab_h2h_print(FILE *out, const ab_summary_t *s, const ab_rows_t *rows, const char *focus,
                  const char *against);

/* headtohead.csv: per case and metric, the focus allocator against
 * `against` (NULL: the closest other; columns in harness/README.md); header
 * only when focus did not run. */
int ab_h2h_write_csv(const ab_summary_t *s, const ab_rows_t *rows, const char *focus,
                     const char *against, const char *path, ab_err_t *err);

/* The call's word: "faster"/"slower", "smaller"/"larger", or "none". */
const char *ab_h2h_call(const ab_h2h_t *h, ab_h2h_metric_t metric);

/* "0.86 [0.84, 0.89]": the median and the interval, with a third decimal
 * on a bound that two would round onto 1.00. */
void ab_h2h_format(const ab_h2h_t *h, char *buf, size_t n);

/* The call for people: "no clear difference" instead of "none". */
const char *ab_h2h_call_text(const ab_h2h_t *h, ab_h2h_metric_t metric);

/* -1: a is lower (faster, smaller), 1: higher, 0: no difference called. */
int ab_h2h_verdict(const ab_h2h_t *h);

#endif
