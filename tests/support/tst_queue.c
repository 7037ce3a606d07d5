#include "tst_queue.h"

#include "tst_check.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

void tst_queue_init(tst_queue_t *q, size_t capacity) {
  pthread_mutex_init(&q->lock, NULL);
  /* CLOCK_MONOTONIC so that a clock step cannot stretch a timed wait. */
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&q->nonempty, &attr);
  pthread_condattr_destroy(&attr);
  q->items = calloc(capacity, sizeof *q->items);
  if (q->items == NULL) tst_fail("cannot allocate a queue of %zu items", capacity);
  q->capacity = capacity;
  q->head = 0;
  q->count = 0;
}

void tst_queue_destroy(tst_queue_t *q) {
  free(q->items);
  pthread_cond_destroy(&q->nonempty);
  pthread_mutex_destroy(&q->lock);
}

bool tst_queue_try_push(tst_queue_t *q, const tst_block_t *item) {
  pthread_mutex_lock(&q->lock);
  bool room = q->count < q->capacity;
  if (room) {
    q->items[(q->head + q->count) % q->capacity] = *item;
    q->count++;
    pthread_cond_signal(&q->nonempty);
  }
  pthread_mutex_unlock(&q->lock);
  return room;
}

static void tst_queue_take_locked(tst_queue_t *q, tst_block_t *out) {
  *out = q->items[q->head];
  q->head = (q->head + 1) % q->capacity;
  q->count--;
}

bool tst_queue_try_pop(tst_queue_t *q, tst_block_t *out) {
  pthread_mutex_lock(&q->lock);
  bool any = q->count > 0;
  if (any) tst_queue_take_locked(q, out);
  pthread_mutex_unlock(&q->lock);
  return any;
}

bool tst_queue_pop_wait(tst_queue_t *q, tst_block_t *out, unsigned timeout_ms) {
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&q->lock);
  int rc = 0;
  while (q->count == 0 && rc != ETIMEDOUT)
    rc = pthread_cond_timedwait(&q->nonempty, &q->lock, &deadline);
  bool any = q->count > 0;
  if (any) tst_queue_take_locked(q, out);
  pthread_mutex_unlock(&q->lock);
  return any;
}

size_t tst_queue_count(tst_queue_t *q) {
  pthread_mutex_lock(&q->lock);
  size_t n = q->count;
  pthread_mutex_unlock(&q->lock);
  return n;
}
