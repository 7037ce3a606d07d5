/* The RESULT line, the one thing a workload prints on stdout:
 *   RESULT workload=<name> threads=<n> ops=<n> seconds=<f> ops_per_s=<f>
 *          live_peak_bytes=<n> [more keys]
 * Keys are [a-z0-9_]+ and values plain numbers, so the harness can split on
 * spaces and '='. */
#ifndef WL_RESULT_H
#define WL_RESULT_H

#include <stddef.h>
#include <stdint.h>

typedef struct wl_result_s {
  char line[1024];
  size_t len;
} wl_result_t;

/* Starts the line with the keys every workload reports. */
void wl_result_begin(wl_result_t *r, const char *workload, uint64_t threads, uint64_t ops,
                     double seconds, uint64_t live_peak_bytes);

void wl_result_add_u64(wl_result_t *r, const char *key, uint64_t value);
void wl_result_add_f64(wl_result_t *r, const char *key, double value);

/* Prints the line on stdout and flushes it. */
void wl_result_print(const wl_result_t *r);

#endif
