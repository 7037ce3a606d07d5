/* The bounded MPMC queue: FIFO order and exact capacity on one thread;
 * exactly `capacity` pushes succeed when several threads fill it at once;
 * and under producers and consumers running together every item is
 * delivered exactly once, each producer's items in order, and the queue
 * never holds more than its capacity. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "queue.h"

static bool push_id(wl_queue_t *q, uint64_t id) {
  return wl_queue_try_push(q, &(wl_block_t){(void *)1, 0, id});
}

static void test_capacity_one(void) {
  wl_queue_t q;
  wl_queue_init(&q, 1);
  wl_block_t out;
  for (uint64_t i = 0; i < 3; i++) {
    CHECK(push_id(&q, i) && !push_id(&q, 100 + i), "capacity 1 holds exactly one item");
    CHECK(wl_queue_try_pop(&q, &out) && out.id == i && !wl_queue_try_pop(&q, &out),
          "capacity 1 gives back that one item");
  }
  wl_queue_destroy(&q);
}

static void test_single_thread(void) {
  wl_queue_t q;
  wl_queue_init(&q, 5); /* not a power of two on purpose */
  wl_block_t out;
  CHECK(!wl_queue_try_pop(&q, &out), "a new queue is empty");
  for (uint64_t lap = 0; lap < 3; lap++) { /* wrap around the ring */
    for (uint64_t i = 0; i < 5; i++)
      CHECK(push_id(&q, lap * 10 + i), "push %llu of 5 fits", (unsigned long long)i);
    CHECK(!push_id(&q, 99), "a 6th push is refused");
    for (uint64_t i = 0; i < 5; i++) {
      CHECK(wl_queue_try_pop(&q, &out) && out.id == lap * 10 + i, "FIFO order, lap %llu item %llu",
            (unsigned long long)lap, (unsigned long long)i);
      if (i == 0)
        CHECK(push_id(&q, 50) && !push_id(&q, 51), "one pop makes room for exactly one push");
    }
    CHECK(wl_queue_try_pop(&q, &out) && out.id == 50, "the refilled item comes last");
    CHECK(!wl_queue_try_pop(&q, &out), "empty again after lap %llu", (unsigned long long)lap);
  }
  wl_queue_destroy(&q);
}

/* ---- several threads fill a queue nobody drains ---- */

enum { FILL_THREADS = 4, FILL_CAPACITY = 1000 };

typedef struct filler_s {
  wl_queue_t *q;
  uint64_t index;
  uint64_t pushed;
} filler_t;

static void *fill_until_refused(void *arg) {
  filler_t *f = arg;
  while (push_id(f->q, f->index << 32 | f->pushed))
    f->pushed++;
  return NULL;
}

static void test_concurrent_capacity(void) {
  wl_queue_t q;
  wl_queue_init(&q, FILL_CAPACITY);
  pthread_t t[FILL_THREADS];
  filler_t f[FILL_THREADS];
  for (uint64_t i = 0; i < FILL_THREADS; i++) {
    f[i] = (filler_t){&q, i, 0};
    pthread_create(&t[i], NULL, fill_until_refused, &f[i]);
  }
  uint64_t total = 0;
  for (int i = 0; i < FILL_THREADS; i++) {
    pthread_join(t[i], NULL);
    total += f[i].pushed;
  }
  /* With no pops, a refused push means full for good: so exactly capacity. */
  CHECK(total == FILL_CAPACITY, "%llu pushes succeeded, capacity %d", (unsigned long long)total,
        FILL_CAPACITY);
  uint64_t popped = 0;
  wl_block_t out;
  while (wl_queue_try_pop(&q, &out))
    popped++;
  CHECK(popped == FILL_CAPACITY, "%llu items came out", (unsigned long long)popped);
  wl_queue_destroy(&q);
}

/* ---- producers and consumers at once ---- */

enum { PRODUCERS = 3, CONSUMERS = 3, PER_PRODUCER = 100000 };

typedef struct mpmc_s {
  wl_queue_t q;
  uint64_t capacity;
  uint64_t per_producer;
  _Atomic uint64_t pushes_done;
  _Atomic uint64_t pops_done;
  _Atomic uint64_t over_capacity; /* times the counters proved > capacity items inside */
  _Atomic uint8_t seen[PRODUCERS][PER_PRODUCER];
  _Atomic int order_errors;
} mpmc_t;

typedef struct role_s {
  mpmc_t *m;
  uint64_t index;
} role_t;

static void *producer(void *arg) {
  role_t *r = arg;
  mpmc_t *m = r->m;
  for (uint64_t i = 0; i < m->per_producer; i++) {
    wl_queue_push(&m->q, &(wl_block_t){(void *)1, 0, r->index << 32 | i});
    uint64_t pushes = atomic_fetch_add(&m->pushes_done, 1) + 1;
    /* A consumer counts its pop after taking the item, so pops_done may lag
     * the true number of pops by at most CONSUMERS: anything above
     * capacity + CONSUMERS proves the queue held more than its capacity. */
    uint64_t pops = atomic_load(&m->pops_done);
    if (pushes > pops + m->capacity + CONSUMERS)
      atomic_fetch_add(&m->over_capacity, 1);
  }
  return NULL;
}

static void *consumer(void *arg) {
  role_t *r = arg;
  mpmc_t *m = r->m;
  uint64_t last[PRODUCERS];
  for (int p = 0; p < PRODUCERS; p++)
    last[p] = UINT64_MAX;
  for (;;) {
    wl_block_t out;
    wl_queue_pop(&m->q, &out);
    if (out.ptr == NULL) /* stop item */
      return NULL;
    atomic_fetch_add(&m->pops_done, 1);
    uint64_t p = out.id >> 32, i = out.id & 0xffffffffu;
    if (p >= PRODUCERS || i >= m->per_producer) {
      atomic_fetch_add(&m->order_errors, 1);
      continue;
    }
    atomic_fetch_add(&m->seen[p][i], 1);
    /* One producer's items reach any one consumer in the order pushed. */
    if (last[p] != UINT64_MAX && i <= last[p])
      atomic_fetch_add(&m->order_errors, 1);
    last[p] = i;
    if (i % 4096 == 0) /* let the queue fill up now and then */
      usleep(100);
  }
}

static void test_producers_consumers(uint64_t capacity, uint64_t per_producer) {
  mpmc_t *m = calloc(1, sizeof *m);
  m->capacity = capacity;
  m->per_producer = per_producer;
  wl_queue_init(&m->q, capacity);
  pthread_t pt[PRODUCERS], ct[CONSUMERS];
  role_t pr[PRODUCERS], cr[CONSUMERS];
  for (uint64_t i = 0; i < CONSUMERS; i++) {
    cr[i] = (role_t){m, i};
    pthread_create(&ct[i], NULL, consumer, &cr[i]);
  }
  for (uint64_t i = 0; i < PRODUCERS; i++) {
    pr[i] = (role_t){m, i};
    pthread_create(&pt[i], NULL, producer, &pr[i]);
  }
  for (int i = 0; i < PRODUCERS; i++)
    pthread_join(pt[i], NULL);
  for (int i = 0; i < CONSUMERS; i++)
    wl_queue_push(&m->q, &(wl_block_t){NULL, 0, 0});
  for (int i = 0; i < CONSUMERS; i++)
    pthread_join(ct[i], NULL);

  uint64_t missing = 0, duplicated = 0;
  for (int p = 0; p < PRODUCERS; p++)
    for (uint64_t i = 0; i < per_producer; i++) {
      uint8_t n = atomic_load(&m->seen[p][i]);
      missing += n == 0;
      duplicated += n > 1;
    }
  CHECK(missing == 0 && duplicated == 0, "every item once: %llu missing, %llu duplicated",
        (unsigned long long)missing, (unsigned long long)duplicated);
  CHECK(atomic_load(&m->order_errors) == 0, "%d items out of order or unknown",
        atomic_load(&m->order_errors));
  CHECK(atomic_load(&m->over_capacity) == 0, "queue held more than %llu items %llu times",
        (unsigned long long)capacity,
        (unsigned long long)atomic_load(&m->over_capacity));
  CHECK(atomic_load(&m->pops_done) == PRODUCERS * per_producer, "pops counted");
  wl_block_t out;
  CHECK(!wl_queue_try_pop(&m->q, &out), "queue empty at the end");
  wl_queue_destroy(&m->q);
  free(m);
}

int main(void) {
  test_capacity_one();
  test_single_thread();
  test_concurrent_capacity();
  test_producers_consumers(64, PER_PRODUCER);
  test_producers_consumers(1, PER_PRODUCER / 20); /* every item waits its turn: fewer */
  return check_exit("test_queue");
}
