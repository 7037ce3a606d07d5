/* Waiting for another thread without a lock: spin briefly (the other side is
 * usually about to act), then yield, because on a machine with fewer cores
 * than threads the thread we wait for may need our core to make progress. */
#ifndef WL_BACKOFF_H
#define WL_BACKOFF_H

#include <sched.h>

#define WL_BACKOFF_SPINS 64

typedef struct wl_backoff_s {
  unsigned spins;
} wl_backoff_t;

static inline void wl_backoff_wait(wl_backoff_t *b) {
  if (b->spins < WL_BACKOFF_SPINS) {
    b->spins++;
    __builtin_ia32_pause();
  } else {
    sched_yield();
  }
}

#endif
