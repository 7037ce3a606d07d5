/* A start/finish line for a team of threads. It blocks in the kernel rather
 * than spinning, so that the thread that waits for the others to finish does
 * not steal a core from them while they are being measured. */
#ifndef WL_BARRIER_H
#define WL_BARRIER_H

#include <pthread.h>

typedef struct wl_barrier_s {
  pthread_barrier_t barrier;
} wl_barrier_t;

void wl_barrier_init(wl_barrier_t *b, unsigned parties);
void wl_barrier_wait(wl_barrier_t *b);
void wl_barrier_destroy(wl_barrier_t *b);

#endif
