/* abandon_race: producer threads allocate blocks, hand them to consumers
 * and exit at once, so their segments are abandoned while consumers are
 * still freeing into them; consumers also allocate now and then, which is
 * when abandoned segments get reclaimed. Repeated for many rounds. Built
 * under ThreadSanitizer (halt_on_error) any data race in the abandon /
 * remote-free / reclaim paths fails the test; every block is checked.
 * Each round also starts an heir once the producers have exited: its first
 * call frees a block a producer kept back for it, which makes it adopt that
 * block's abandoned segment (segment_adopt_on_free) while the consumers
 * are still freeing into the same segments from their side.
 * At the end, with all threads gone, sa_collect(true) must leave no
 * abandoned segment behind (they are all empty by then).
 *
 * usage: abandon_race [rounds=20] */
#include "segalloc.h"
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_queue.h"
#include "support/tst_rng.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define RACE_PRODUCERS 3
#define RACE_CONSUMERS 2
#define RACE_BLOCKS_PER_PRODUCER 256
#define RACE_OWN_FREE_EVERY 4  /* producers free every 4th block themselves */
#define RACE_CONSUMER_ALLOC_EVERY 16
#define RACE_INHERIT_EVERY 8   /* producers keep every 8th block for the heir */
#define RACE_KIB ((size_t)1 << 10)

typedef struct race_round_s {
  tst_queue_t handoff;
  tst_queue_t inherited; /* for the heir, started after the producers exit */
  pthread_barrier_t start; /* all threads of a round begin together */
  atomic_uint producers_done;
  atomic_ullong handed;
  atomic_ullong received;
  unsigned round;
} race_round_t;

typedef struct race_thread_s {
  race_round_t *round;
  unsigned index;
} race_thread_t;

static size_t race_pick_size(uint64_t *rng) {
  uint64_t r = tst_rng_below(rng, 100);
  if (r < 50) return 64 * RACE_KIB;
  if (r < 85) return tst_rng_size_between(rng, 16, 8 * RACE_KIB);
  return tst_rng_size_between(rng, 8 * RACE_KIB, 512 * RACE_KIB);
}

static tst_block_t race_new_block(uint64_t *rng, uint64_t id) {
  tst_block_t b = {.size = race_pick_size(rng), .id = id};
  b.p = sa_malloc(b.size);
  if (b.p == NULL) tst_fail("sa_malloc(%zu) returned NULL", b.size);
  tst_block_fill(&b);
  return b;
}

static void *race_producer_main(void *arg) {
  race_thread_t *self = arg;
  race_round_t *round = self->round;
  uint64_t rng = ((uint64_t)round->round << 32) + self->index;
  pthread_barrier_wait(&round->start);
  for (uint64_t i = 0; i < RACE_BLOCKS_PER_PRODUCER; i++) {
    tst_block_t b = race_new_block(&rng, ((uint64_t)round->round << 40) | ((uint64_t)self->index << 20) | i);
    tst_queue_t *to = i % RACE_INHERIT_EVERY == 1 ? &round->inherited : &round->handoff;
    if (i % RACE_OWN_FREE_EVERY == 0 || !tst_queue_try_push(to, &b)) {
      tst_block_verify(&b, "producer's own free");
      sa_free(b.p);
    } else {
      atomic_fetch_add(&round->handed, 1);
    }
  }
  atomic_fetch_add(&round->producers_done, 1);
  return NULL; /* exits with live blocks in its pages */
}

static void race_consume(race_round_t *round, const tst_block_t *b, uint64_t *rng, unsigned long n) {
  tst_block_verify(b, "consumer free of a block from an exiting producer");
  sa_free(b->p);
  atomic_fetch_add(&round->received, 1);
  if (n % RACE_CONSUMER_ALLOC_EVERY == 0) {
    tst_block_t own = race_new_block(rng, UINT64_C(1) << 63 | n);
    tst_block_verify(&own, "consumer's own block");
    sa_free(own.p);
  }
}

/* Its first call into the allocator is a free of an exited producer's block. */
static void *race_heir_main(void *arg) {
  race_round_t *round = arg;
  tst_block_t b;
  while (tst_queue_try_pop(&round->inherited, &b)) {
    tst_block_verify(&b, "heir's free of an inherited block");
    sa_free(b.p);
    atomic_fetch_add(&round->received, 1);
  }
  return NULL;
}

static void *race_consumer_main(void *arg) {
  race_thread_t *self = arg;
  race_round_t *round = self->round;
  uint64_t rng = ((uint64_t)round->round << 32) + 1000 + self->index;
  unsigned long n = 0;
  pthread_barrier_wait(&round->start);
  for (;;) {
    bool producers_gone = atomic_load(&round->producers_done) == RACE_PRODUCERS;
    tst_block_t b;
    while (tst_queue_try_pop(&round->handoff, &b)) race_consume(round, &b, &rng, ++n);
    if (producers_gone) return NULL;
    if (tst_queue_pop_wait(&round->handoff, &b, 1)) race_consume(round, &b, &rng, ++n);
  }
}

static void race_run_round(unsigned index) {
  race_round_t round = {.round = index};
  tst_queue_init(&round.handoff, RACE_PRODUCERS * RACE_BLOCKS_PER_PRODUCER);
  tst_queue_init(&round.inherited, RACE_PRODUCERS * RACE_BLOCKS_PER_PRODUCER);
  pthread_barrier_init(&round.start, NULL, RACE_PRODUCERS + RACE_CONSUMERS);
  pthread_t threads[RACE_PRODUCERS + RACE_CONSUMERS];
  race_thread_t args[RACE_PRODUCERS + RACE_CONSUMERS];
  for (unsigned i = 0; i < RACE_PRODUCERS + RACE_CONSUMERS; i++) {
    args[i] = (race_thread_t){.round = &round, .index = i};
    void *(*entry)(void *) = i < RACE_PRODUCERS ? race_producer_main : race_consumer_main;
    if (pthread_create(&threads[i], NULL, entry, &args[i]) != 0) tst_fail("pthread_create failed");
  }
  for (unsigned i = 0; i < RACE_PRODUCERS; i++) pthread_join(threads[i], NULL);
  pthread_t heir;
  if (pthread_create(&heir, NULL, race_heir_main, &round) != 0) tst_fail("pthread_create failed");
  for (unsigned i = RACE_PRODUCERS; i < RACE_PRODUCERS + RACE_CONSUMERS; i++) pthread_join(threads[i], NULL);
  pthread_join(heir, NULL);
  if (atomic_load(&round.received) != atomic_load(&round.handed))
    tst_fail("round %u: %llu blocks handed over but %llu freed (test bookkeeping)", index,
             atomic_load(&round.handed), atomic_load(&round.received));
  pthread_barrier_destroy(&round.start);
  tst_queue_destroy(&round.handoff);
  tst_queue_destroy(&round.inherited);
}

int main(int argc, char **argv) {
  tst_init("abandon_race");
  if (argc > 2) tst_usage_error("usage: abandon_race [rounds]");
  unsigned rounds = (unsigned)tst_arg_u64(argc, argv, 1, "rounds", 20, 1, 100000);
  for (unsigned r = 0; r < rounds; r++) race_run_round(r);
  sa_collect(true);
  sa_stats_t stats;
  sa_stats_get(&stats);
  printf("abandon_race: rounds=%u segments=%" PRId64 " abandoned=%" PRId64 " reclaimed=%" PRId64
         " remote_frees=%" PRId64 "\n",
         rounds, stats.segments, stats.segments_abandoned, stats.segments_reclaimed, stats.remote_frees);
  if (stats.segments_abandoned != 0)
    tst_fail("%" PRId64 " segments still abandoned after every block was freed and sa_collect(true)",
             stats.segments_abandoned);
  if (stats.remote_frees <= 0) tst_fail("sa_stats remote_frees=%" PRId64 ", expected > 0", stats.remote_frees);
  printf("abandon_race: OK\n");
  return 0;
}
