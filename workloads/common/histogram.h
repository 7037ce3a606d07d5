/* Log-bucket latency histogram: values below 32 ns are kept exactly, above
 * that each power of two is split into 16 buckets, so a bucket is at most
 * 1/16 (6.25%) of its values wide and the whole uint64 range fits in fixed
 * memory. Recording is a few instructions and touches no shared memory:
 * each thread fills its own and they are merged at the end. */
#ifndef WL_HISTOGRAM_H
#define WL_HISTOGRAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define WL_HIST_SUB_BITS 4
#define WL_HIST_SUB (1u << WL_HIST_SUB_BITS)
/* Indexes 0..31 are exact; octave e >= 5 uses indexes (e - 3) * 16 + m. */
#define WL_HIST_BUCKETS ((64u - WL_HIST_SUB_BITS + 1u) * WL_HIST_SUB)

typedef struct wl_hist_s {
  uint64_t count;
  uint64_t min;
  uint64_t max;
  uint64_t buckets[WL_HIST_BUCKETS];
} wl_hist_t;

void wl_hist_init(wl_hist_t *h);

static inline unsigned wl_hist_bucket_of(uint64_t v) {
  if (v < 2 * WL_HIST_SUB)
    return (unsigned)v;
  unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= SUB_BITS + 1 */
  unsigned mantissa = (unsigned)(v >> (e - WL_HIST_SUB_BITS)) & (WL_HIST_SUB - 1);
  return (e - WL_HIST_SUB_BITS + 1) * WL_HIST_SUB + mantissa;
}

static inline void wl_hist_record(wl_hist_t *h, uint64_t v) {
  h->buckets[wl_hist_bucket_of(v)]++;
  h->count++;
  if (v < h->min)
    h->min = v;
  if (v > h->max)
    h->max = v;
}

/* Smallest and largest value that fall into bucket `index`. */
uint64_t wl_hist_bucket_low(unsigned index);
uint64_t wl_hist_bucket_high(unsigned index);

/* Adds `from` into `into`. */
void wl_hist_merge(wl_hist_t *into, const wl_hist_t *from);

/* The value at fraction q (0 < q <= 1) of the recorded values: the smallest
 * value v such that at least ceil(q * count) values are <= v, reported as
 * the top of v's bucket but never above the largest value recorded. So the
 * answer is never below the true percentile and at most one bucket width
 * above it. 0 when nothing was recorded. */
uint64_t wl_hist_percentile(const wl_hist_t *h, double q);

/* The CDF as "ns,cumulative_fraction" rows, one per non-empty bucket (top
 * of the bucket, capped at the maximum), after a header line. */
void wl_hist_write_cdf(const wl_hist_t *h, FILE *out);

#endif
