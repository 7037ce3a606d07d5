/* The abandoned-segment list: a thread that needs a segment takes over
 * exactly one, the one abandoned longest ago, and the others stay on the
 * list for other threads; a segment abandoned again goes to the back.
 * (A list taken out whole left every other thread to map fresh segments.)
 * The background thread is off, so only these threads touch the list. */
#include <pthread.h>
#include <semaphore.h>

#include "internal.h"
#include "unit_test.h"

#define OWNERS 3
#define BLOCK 1000 /* a small page: the owner's first page opens its segment */

typedef struct owner_s {
  void *block;
  sem_t ready, go;
} owner_t;

static void *owner_main(void *arg) {
  owner_t *o = arg;
  o->block = sa_malloc(BLOCK);
  sem_post(&o->ready);
  sem_wait(&o->go);
  return NULL; /* exits with its block live: its segment is abandoned */
}

static void *reclaimer_main(void *arg) {
  *(void **)arg = sa_malloc(BLOCK);
  return NULL;
}

static void *reclaim_once(void) {
  void *block = NULL;
  pthread_t t;
  pthread_create(&t, NULL, reclaimer_main, &block);
  pthread_join(t, NULL);
  return block;
}

static sa_stats_t stats_now(void) {
  sa_stats_t st;
  sa_stats_get(&st);
  return st;
}

int main(void) {
  sa_option_set(SA_OPTION_BACKGROUND, 0);
  owner_t owners[OWNERS];
  pthread_t threads[OWNERS];
  /* All alive at once, so that each maps a segment of its own... */
  for (int i = 0; i < OWNERS; i++) {
    sem_init(&owners[i].ready, 0, 0);
    sem_init(&owners[i].go, 0, 0);
    pthread_create(&threads[i], NULL, owner_main, &owners[i]);
    sem_wait(&owners[i].ready);
  }
  for (int i = 0; i < OWNERS; i++)
    for (int j = 0; j < i; j++)
      EXPECT(segment_of(owners[i].block) != segment_of(owners[j].block), "owners %d and %d share a segment", i, j);
  /* ...and they exit in order 0, 1, 2. */
  sa_stats_t before = stats_now();
  for (int i = 0; i < OWNERS; i++) {
    sem_post(&owners[i].go);
    pthread_join(threads[i], NULL);
  }
  sa_stats_t after = stats_now();
  EXPECT(after.segments_abandoned - before.segments_abandoned == OWNERS, "%d exits abandoned %lld segments", OWNERS,
         (long long)(after.segments_abandoned - before.segments_abandoned));

  void *r1 = reclaim_once();
  sa_stats_t st = stats_now();
  EXPECT(segment_of(r1) == segment_of(owners[0].block), "the first reclaim takes the oldest abandoned segment");
  EXPECT(st.segments_reclaimed - after.segments_reclaimed == 1, "one reclaim, not %lld",
         (long long)(st.segments_reclaimed - after.segments_reclaimed));
  EXPECT(st.segments_abandoned == after.segments_abandoned, "the reclaimer exits and abandons it again: %lld",
         (long long)st.segments_abandoned);

  /* Owner 0's segment went to the back: next comes owner 1's. */
  void *r2 = reclaim_once();
  EXPECT(segment_of(r2) == segment_of(owners[1].block), "the second reclaim takes the next oldest");
  void *r3 = reclaim_once();
  EXPECT(segment_of(r3) == segment_of(owners[2].block), "the third reclaim takes the last owner's");
  void *r4 = reclaim_once();
  EXPECT(segment_of(r4) == segment_of(owners[0].block), "a segment abandoned again waits behind the others");

  void *blocks[] = {owners[0].block, owners[1].block, owners[2].block, r1, r2, r3, r4};
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) sa_free(blocks[i]);
  sa_collect(true);
  st = stats_now();
  EXPECT(st.segments_abandoned == 0, "a forced collect frees the emptied abandoned segments: %lld left",
         (long long)st.segments_abandoned);
  UNIT_DONE("unit_abandon");
}
