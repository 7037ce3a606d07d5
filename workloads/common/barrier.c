#include "barrier.h"

#include <string.h>

#include "fail.h"

void wl_barrier_init(wl_barrier_t *b, unsigned parties) {
  int err = pthread_barrier_init(&b->barrier, NULL, parties);
  if (err != 0)
    wl_fail_system("pthread_barrier_init: %s", strerror(err));
}

void wl_barrier_wait(wl_barrier_t *b) {
  int err = pthread_barrier_wait(&b->barrier);
  if (err != 0 && err != PTHREAD_BARRIER_SERIAL_THREAD)
    wl_fail_system("pthread_barrier_wait: %s", strerror(err));
}

void wl_barrier_destroy(wl_barrier_t *b) { pthread_barrier_destroy(&b->barrier); }
