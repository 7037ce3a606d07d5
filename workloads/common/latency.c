#include "latency.h"

#include <errno.h>
#include <string.h>

#include "fail.h"

void wl_latency_init(wl_latency_t *l, uint32_t every) {
  l->every = every;
  l->countdown = every;
  wl_hist_init(&l->hist);
}

FILE *wl_latency_open_cdf(const char *path) {
  if (path == NULL)
    return NULL;
  FILE *f = fopen(path, "w");
  if (f == NULL)
    wl_fail_usage("cannot write --latency-cdf file '%s': %s", path, strerror(errno));
  return f;
}

void wl_latency_report(wl_result_t *r, const wl_hist_t *h, FILE *cdf) {
  wl_result_add_u64(r, "xfree_p50_ns", wl_hist_percentile(h, 0.50));
  wl_result_add_u64(r, "xfree_p99_ns", wl_hist_percentile(h, 0.99));
  wl_result_add_u64(r, "xfree_p999_ns", wl_hist_percentile(h, 0.999));
  wl_result_add_u64(r, "xfree_max_ns", h->count ? h->max : 0);
  wl_result_add_u64(r, "xfree_samples", h->count);
  if (cdf != NULL) {
    wl_hist_write_cdf(h, cdf);
    if (fclose(cdf) != 0)
      wl_fail_system("writing the --latency-cdf file failed: %s", strerror(errno));
  }
}
