/* Latency of cross-thread frees: every Nth free() is timed with the
 * monotonic clock and recorded in the freeing thread's own histogram. Timing
 * one in N keeps the clock's own cost (two vDSO calls, ~40 ns) out of most
 * frees while still giving thousands of samples per second. */
#ifndef WL_LATENCY_H
#define WL_LATENCY_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "histogram.h"
#include "result.h"
#include "timing.h"

typedef struct wl_latency_s {
  uint32_t every;
  uint32_t countdown;
  wl_hist_t hist;
} wl_latency_t;

void wl_latency_init(wl_latency_t *l, uint32_t every);

/* free(p), timed when it is this free's turn. */
static inline void wl_latency_free(wl_latency_t *l, void *p) {
  if (--l->countdown != 0) {
    free(p);
    return;
  }
  l->countdown = l->every;
  uint64_t start = wl_now_ns();
  free(p);
  wl_hist_record(&l->hist, wl_now_ns() - start);
}

/* Opens the --latency-cdf file before the run, so that a bad path is a usage
 * error (exit 2) found at once, not after the work. NULL path: NULL. */
FILE *wl_latency_open_cdf(const char *path);

/* Adds xfree_p50_ns, xfree_p99_ns, xfree_p999_ns, xfree_max_ns and
 * xfree_samples to the result, and writes the CDF to `cdf` (then closes it)
 * when one was asked for. */
void wl_latency_report(wl_result_t *r, const wl_hist_t *h, FILE *cdf);

#endif
