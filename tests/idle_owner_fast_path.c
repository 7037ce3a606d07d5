/* idle_owner_fast_path: the background thread purges, from a heap it takes
 * for idle, the OS pages of a page that other threads' frees cover, while
 * the heap's owner keeps allocating and freeing on that very page by the
 * fast path (which never tells the background it is busy). The owner
 * allocates 200 blocks of 256 bytes; another thread checks and frees the
 * first 168; then for 400 ms the owner mallocs, fills, checks and frees
 * one block at a time on the same page, never leaving the fast path. The
 * purge must happen meanwhile (purged_bytes grows) and lose nothing: the
 * owner's own blocks keep their contents, and afterwards 400 new blocks
 * (the 168 taken back among them) are all distinct and keep theirs. Run
 * plainly and under ThreadSanitizer, with SEGALLOC_PURGE_DELAY=10 so that
 * the background visits every 10 ms. */
#include "segalloc.h"
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_proc.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define BS 256
#define MADE 200
#define FREED 168 /* 10.5 OS pages of blocks */
#define LOOP_MS 400
#define AFTER 400

static tst_block_t made[MADE];

static void *remote_free_main(void *arg) {
  (void)arg;
  sa_free(sa_malloc(16)); /* a second heap: the background thread starts */
  for (int i = 0; i < FREED; i++) {
    tst_block_verify(&made[i], "remote free of the owner's block");
    sa_free(made[i].p);
  }
  return NULL;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int addr_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)((const tst_block_t *)a)->p, y = (uintptr_t)((const tst_block_t *)b)->p;
  return x < y ? -1 : x > y;
}

int main(void) {
  tst_init("idle_owner_fast_path");
  for (int i = 0; i < MADE; i++) {
    made[i] = (tst_block_t){.p = sa_malloc(BS), .size = BS, .id = (uint64_t)i};
    if (made[i].p == NULL) tst_fail("sa_malloc(%d) #%d returned NULL", BS, i);
    tst_block_fill(&made[i]);
  }
  pthread_t t;
  if (pthread_create(&t, NULL, remote_free_main, NULL) != 0) tst_fail("pthread_create failed");
  pthread_join(t, NULL);

  sa_stats_t before, after;
  sa_stats_get(&before);
  uint64_t id = 1000;
  for (double end = now_ms() + LOOP_MS; now_ms() < end; id++) {
    tst_block_t b = {.p = sa_malloc(BS), .size = BS, .id = id};
    if (b.p == NULL) tst_fail("sa_malloc(%d) in the loop returned NULL", BS);
    tst_block_fill(&b);
    tst_block_verify(&b, "the owner's loop block");
    sa_free(b.p);
  }
  sa_stats_get(&after);
  if (after.purged_bytes < before.purged_bytes + 4096)
    tst_fail("no purge during the owner's %d ms loop (purged_bytes %lld -> %lld): the test proves nothing",
             LOOP_MS, (long long)before.purged_bytes, (long long)after.purged_bytes);
  for (int i = FREED; i < MADE; i++) tst_block_verify(&made[i], "the owner's live block after the purge");

  static tst_block_t again[AFTER];
  for (int i = 0; i < AFTER; i++) {
    again[i] = (tst_block_t){.p = sa_malloc(BS), .size = BS, .id = 5000 + (uint64_t)i};
    if (again[i].p == NULL) tst_fail("sa_malloc(%d) after the loop returned NULL", BS);
    tst_block_fill(&again[i]);
  }
  for (int i = 0; i < AFTER; i++) tst_block_verify(&again[i], "a block made after the purge");
  for (int i = FREED; i < MADE; i++) tst_block_verify(&made[i], "the owner's live block at the end");
  qsort(again, AFTER, sizeof again[0], addr_cmp);
  for (int i = 1; i < AFTER; i++)
    if (again[i].p == again[i - 1].p) tst_fail("block %p handed out twice after the purge", again[i].p);
  for (int i = 0; i < AFTER; i++) sa_free(again[i].p);
  for (int i = FREED; i < MADE; i++) sa_free(made[i].p);
  printf("idle_owner_fast_path: OK purged %lld KiB during the loop (%llu fast-path pairs)\n",
         (long long)((after.purged_bytes - before.purged_bytes) >> 10), (unsigned long long)(id - 1000));
  return 0;
}
