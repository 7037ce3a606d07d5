/* Live-bytes accounting: bytes requested from malloc and not yet freed, and
 * their peak, counted when malloc returns and just before free.
 *
 * A tally used by one thread at a time is updated with plain loads and
 * stores; only a tally that several threads update at once (blocks freed by
 * another thread than the one that allocated them) pays for atomic
 * read-modify-writes, whose cache-line traffic would otherwise be a cost of
 * the benchmark rather than of the allocator. Where threads keep private
 * tallies, the reported peak is the sum of their peaks: exact for one
 * thread, an upper bound for several. */
#ifndef WL_LIVE_H
#define WL_LIVE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct wl_live_s {
  _Atomic uint64_t now;
  _Atomic uint64_t peak;
  bool shared; /* updated by several threads at once */
} wl_live_t;

void wl_live_init(wl_live_t *l, bool shared);

static inline void wl_live_add(wl_live_t *l, uint64_t n) {
  uint64_t now;
  if (l->shared) {
    now = atomic_fetch_add_explicit(&l->now, n, memory_order_relaxed) + n;
    uint64_t peak = atomic_load_explicit(&l->peak, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak_explicit(
                             &l->peak, &peak, now, memory_order_relaxed, memory_order_relaxed)) {
    }
  } else {
    now = atomic_load_explicit(&l->now, memory_order_relaxed) + n;
    atomic_store_explicit(&l->now, now, memory_order_relaxed);
    if (now > atomic_load_explicit(&l->peak, memory_order_relaxed))
      atomic_store_explicit(&l->peak, now, memory_order_relaxed);
  }
}

static inline void wl_live_sub(wl_live_t *l, uint64_t n) {
  if (l->shared)
    atomic_fetch_sub_explicit(&l->now, n, memory_order_relaxed);
  else
    atomic_store_explicit(&l->now, atomic_load_explicit(&l->now, memory_order_relaxed) - n,
                          memory_order_relaxed);
}

static inline uint64_t wl_live_now(const wl_live_t *l) {
  return atomic_load_explicit(&l->now, memory_order_relaxed);
}

static inline uint64_t wl_live_peak(const wl_live_t *l) {
  return atomic_load_explicit(&l->peak, memory_order_relaxed);
}

#endif
