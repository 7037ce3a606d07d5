#include "live.h"

void wl_live_init(wl_live_t *l, bool shared) {
  atomic_init(&l->now, 0);
  atomic_init(&l->peak, 0);
  l->shared = shared;
}
