/* How much work a run does: a fixed number of operations (--ops), a duration
 * (--seconds), or whichever ends first. Threads take operations in chunks,
 * so that the shared counter and the clock are touched once per chunk, not
 * once per operation. With --ops alone the clock is never read, which keeps
 * instruction counts of single-threaded runs reproducible. */
#ifndef WL_BUDGET_H
#define WL_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "args.h"

#define WL_BUDGET_UNLIMITED UINT64_MAX

typedef struct wl_budget_s {
  _Alignas(64) _Atomic uint64_t claimed;
  _Atomic bool expired;
  uint64_t ops_limit;   /* WL_BUDGET_UNLIMITED without --ops */
  uint64_t duration_ns; /* 0 without a time limit */
  uint64_t deadline_ns; /* set by wl_budget_start */
} wl_budget_t;

void wl_budget_init(wl_budget_t *b, uint64_t ops_limit, double seconds);

/* The budget the common flags ask for. */
void wl_budget_from_common(wl_budget_t *b, const wl_common_t *common);

/* Starts the clock of a time-limited budget. */
void wl_budget_start(wl_budget_t *b);

/* Grants up to `want` operations; 0 means the budget is spent. */
uint64_t wl_budget_claim(wl_budget_t *b, uint64_t want);

/* Operations granted so far (all of them are done once the threads end). */
uint64_t wl_budget_done(const wl_budget_t *b);

#endif
