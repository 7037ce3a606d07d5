#include "budget.h"

#include "timing.h"

void wl_budget_init(wl_budget_t *b, uint64_t ops_limit, double seconds) {
  atomic_init(&b->claimed, 0);
  atomic_init(&b->expired, false);
  b->ops_limit = ops_limit;
  b->duration_ns = seconds > 0 ? (uint64_t)(seconds * 1e9) : 0;
  b->deadline_ns = WL_BUDGET_UNLIMITED;
}

void wl_budget_from_common(wl_budget_t *b, const wl_common_t *common) {
  wl_budget_init(b, common->ops ? common->ops : WL_BUDGET_UNLIMITED, common->seconds);
}

void wl_budget_start(wl_budget_t *b) {
  if (b->duration_ns != 0)
    b->deadline_ns = wl_now_ns() + b->duration_ns;
}

uint64_t wl_budget_claim(wl_budget_t *b, uint64_t want) {
  if (atomic_load_explicit(&b->expired, memory_order_relaxed))
    return 0;
  if (b->duration_ns != 0 && wl_now_ns() >= b->deadline_ns) {
    atomic_store_explicit(&b->expired, true, memory_order_relaxed);
    return 0;
  }
  uint64_t before = atomic_fetch_add_explicit(&b->claimed, want, memory_order_relaxed);
  if (before >= b->ops_limit) {
    atomic_store_explicit(&b->expired, true, memory_order_relaxed);
    return 0;
  }
  uint64_t left = b->ops_limit - before;
  return want < left ? want : left;
}

uint64_t wl_budget_done(const wl_budget_t *b) {
  uint64_t claimed = atomic_load_explicit(&b->claimed, memory_order_relaxed);
  return claimed < b->ops_limit ? claimed : b->ops_limit;
}
