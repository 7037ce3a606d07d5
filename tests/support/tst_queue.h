/* A bounded FIFO of test blocks guarded by a mutex: the hand-off channel
 * between threads. A full queue refuses a push instead of blocking, so no
 * pair of threads can deadlock by sending to each other. */
#ifndef TST_QUEUE_H
#define TST_QUEUE_H

#include "tst_block.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tst_queue_s {
  pthread_mutex_t lock;
  pthread_cond_t nonempty;
  tst_block_t *items;
  size_t capacity;
  size_t head;
  size_t count;
} tst_queue_t;

void tst_queue_init(tst_queue_t *q, size_t capacity);
void tst_queue_destroy(tst_queue_t *q);
bool tst_queue_try_push(tst_queue_t *q, const tst_block_t *item);
bool tst_queue_try_pop(tst_queue_t *q, tst_block_t *out);
/* Waits up to timeout_ms for an item; false when none came. */
bool tst_queue_pop_wait(tst_queue_t *q, tst_block_t *out, unsigned timeout_ms);
size_t tst_queue_count(tst_queue_t *q);

#endif
