/* allocbench: paired comparison of two allocators with a sign-test interval. */
#include "headtohead.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static double ab_h2h_value(const ab_row_t *r, ab_h2h_metric_t metric) {
  if (metric == AB_H2H_TIME) return ab_row_cost(r);
  return strcmp(r->status, "ok") == 0 && r->peak_rss_kib > 0 ? r->peak_rss_kib : NAN;
}

/* The value of alloc's first ok run of repetition rep in the case, or NaN. */
static double ab_h2h_rep_value(const ab_rows_t *rows, const ab_case_key_t *c, const char *alloc,
                               int rep, ab_h2h_metric_t metric) {
  for (size_t i = 0; i < rows->n; i++) {
    const ab_row_t *r = &rows->v[i];
    if (r->rep != rep || strcmp(r->allocator, alloc) || !ab_row_in_case(r, c)) continue;
    double v = ab_h2h_value(r, metric);
    if (!isnan(v)) return v;
  }
  return NAN;
}

ab_h2h_t ab_h2h_compare(const ab_rows_t *rows, const ab_case_key_t *c, const char *a,
                        const char *b, ab_h2h_metric_t metric) {
  double *ratios = ab_xmalloc((rows->n + 1) * sizeof *ratios);
  size_t n = 0;
  /* Each repetition once: at a's first row of it in the case. */
  for (size_t i = 0; i < rows->n; i++) {
    const ab_row_t *r = &rows->v[i];
    if (strcmp(r->allocator, a) || !ab_row_in_case(r, c)) continue;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = rows->v[j].rep == r->rep && !strcmp(rows->v[j].allocator, a) && ab_row_in_case(&rows->v[j], c);
    if (seen) continue;
    double x = ab_h2h_rep_value(rows, c, a, r->rep, metric);
    double y = ab_h2h_rep_value(rows, c, b, r->rep, metric);
    if (x > 0 && y > 0) ratios[n++] = x / y;
  }
  ab_sort_doubles(ratios, n);
  ab_h2h_t h = {.n = n, .median = ab_stat_of(ratios, n).median};
  h.confidence = ab_h2h_interval(ratios, n, &h.lo, &h.hi);
  free(ratios);
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
