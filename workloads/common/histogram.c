#include "histogram.h"

#include <math.h>
#include <string.h>

void wl_hist_init(wl_hist_t *h) {
  memset(h, 0, sizeof *h);
  h->min = UINT64_MAX;
}

uint64_t wl_hist_bucket_low(unsigned index) {
  if (index < 2 * WL_HIST_SUB)
    return index;
  unsigned e = index / WL_HIST_SUB + WL_HIST_SUB_BITS - 1;
  uint64_t mantissa = index % WL_HIST_SUB;
  return (WL_HIST_SUB + mantissa) << (e - WL_HIST_SUB_BITS);
}

uint64_t wl_hist_bucket_high(unsigned index) {
  if (index + 1 >= WL_HIST_BUCKETS)
    return UINT64_MAX;
  return wl_hist_bucket_low(index + 1) - 1;
}

void wl_hist_merge(wl_hist_t *into, const wl_hist_t *from) {
  for (unsigned i = 0; i < WL_HIST_BUCKETS; i++)
    into->buckets[i] += from->buckets[i];
  into->count += from->count;
  if (from->min < into->min)
    into->min = from->min;
  if (from->max > into->max)
    into->max = from->max;
}

/* The top of a bucket, capped at the largest value seen so that the last
 * bucket reports the true maximum rather than its upper edge. */
static uint64_t wl_hist_bucket_value(const wl_hist_t *h, unsigned index) {
  uint64_t high = wl_hist_bucket_high(index);
  return high < h->max ? high : h->max;
}

uint64_t wl_hist_percentile(const wl_hist_t *h, double q) {
  if (h->count == 0)
    return 0;
  if (q > 1.0)
    q = 1.0;
  /* The rank is taken with ceil so that p50 of {1..1000} is the 500th value;
   * the small slack keeps 0.99 * 1000 from rounding up to rank 991. */
  uint64_t rank = (uint64_t)ceil(q * (double)h->count - 1e-9);
  if (rank == 0)
    rank = 1;
  uint64_t seen = 0;
  for (unsigned i = 0; i < WL_HIST_BUCKETS; i++) {
    seen += h->buckets[i];
    if (seen >= rank)
      return wl_hist_bucket_value(h, i);
  }
  return h->max;
}

void wl_hist_write_cdf(const wl_hist_t *h, FILE *out) {
  fputs("ns,cumulative_fraction\n", out);
  uint64_t seen = 0;
  for (unsigned i = 0; i < WL_HIST_BUCKETS && seen < h->count; i++) {
    if (h->buckets[i] == 0)
      continue;
    seen += h->buckets[i];
    fprintf(out, "%llu,%.9f\n", (unsigned long long)wl_hist_bucket_value(h, i),
            (double)seen / (double)h->count);
  }
}
