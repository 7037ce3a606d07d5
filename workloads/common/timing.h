/* Monotonic time in nanoseconds: the clock of every duration and latency
 * the workloads report. */
#ifndef WL_TIMING_H
#define WL_TIMING_H

#include <stdint.h>
#include <time.h>

static inline uint64_t wl_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline double wl_seconds_between(uint64_t start_ns, uint64_t end_ns) {
  return (double)(end_ns - start_ns) / 1e9;
}

/* Sleeps the whole interval even when a signal interrupts it. */
void wl_sleep_ns(uint64_t ns);

#endif
