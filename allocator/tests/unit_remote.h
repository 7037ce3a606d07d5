/* Remote frees for the unit tests: blocks freed by a thread of their own,
 * which makes no heap (it only frees), so the frees reach the owner's
 * pages as thread_free pushes. */
#ifndef UNIT_REMOTE_H
#define UNIT_REMOTE_H
#include <pthread.h>

#include "segalloc.h"

typedef struct unit_range_s {
  void **blocks;
  int from, to;
} unit_range_t;

static inline void *unit_free_range_main(void *arg) {
  unit_range_t *r = arg;
  for (int i = r->from; i < r->to; i++) sa_free(r->blocks[i]);
  return NULL;
}

/* Frees blocks[from, to) from another thread and waits for it. */
static inline void unit_free_remotely(void **blocks, int from, int to) {
  unit_range_t r = {blocks, from, to};
  pthread_t t;
  pthread_create(&t, NULL, unit_free_range_main, &r);
  pthread_join(t, NULL);
}
#endif
