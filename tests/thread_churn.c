/* thread_churn: 200 short-lived threads, at most 8 alive at once, each
 * frees blocks that earlier (mostly dead) threads left behind and leaves
 * blocks of its own for later threads. This drives thread exit with live
 * blocks (segment abandonment), remote frees into abandoned segments and
 * their reclaim. It asserts:
 *  - every block is freed exactly once and holds its pattern until then;
 *  - the number of mapped segments stays bounded while it runs (a thread
 *    that leaves its segments behind unreclaimed pushes it towards 200);
 *  - after the last thread and sa_collect(true), committed bytes and RSS
 *    are back near where they started (bounds below).
 *
 * usage: thread_churn [threads=200] */
#include "segalloc.h"
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_proc.h"
#include "support/tst_queue.h"
#include "support/tst_rng.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define CHURN_KIB ((size_t)1 << 10)
#define CHURN_MAX_ALIVE 8
#define CHURN_BLOCKS_PER_THREAD 96
#define CHURN_TAKE_PER_THREAD 64 /* left-behind blocks each thread frees */
#define CHURN_POOL_CAP 384
#define CHURN_MAX_BLOCK (128 * CHURN_KIB)
/* From DESIGN.md; only used to turn the live-byte bound into segments. */
#define CHURN_SEGMENT_SIZE ((size_t)32 << 20)
/* After everything is freed and collected: what may remain above the start
 * (allocator metadata, glibc's cached thread stacks, the test's own
 * bookkeeping). Peak use is several times these. */
#define CHURN_COMMITTED_SLACK ((int64_t)8 << 20)
#define CHURN_RSS_SLACK ((size_t)16 << 20)

enum { CHURN_UNUSED, CHURN_LIVE, CHURN_FREED };

static tst_queue_t churn_pool; /* blocks waiting for a later thread */
static _Atomic unsigned char *churn_state; /* per block id */
static atomic_llong churn_segments_peak;
static int64_t churn_segments_bound;

static size_t churn_pick_size(uint64_t *rng) {
  uint64_t r = tst_rng_below(rng, 100);
  if (r < 40) return 64 * CHURN_KIB;
  if (r < 75) return tst_rng_size_between(rng, 16, 4 * CHURN_KIB);
  return tst_rng_size_between(rng, 4 * CHURN_KIB, CHURN_MAX_BLOCK);
}

/* Worst case: a full pool plus every alive thread holding all its blocks,
 * each block at the largest size; allow twice that in segments for
 * fragmentation, one segment per thread that can own a heap, and the
 * segment cache. Without reclaim each of the 200 threads leaves a segment. */
static int64_t churn_compute_segment_bound(void) {
  size_t live_max = (CHURN_POOL_CAP + CHURN_MAX_ALIVE * CHURN_BLOCKS_PER_THREAD) * CHURN_MAX_BLOCK;
  int64_t for_live = (int64_t)((live_max + CHURN_SEGMENT_SIZE - 1) / CHURN_SEGMENT_SIZE);
  long cache = sa_option_get(SA_OPTION_SEGMENT_CACHE);
  return 2 * for_live + (CHURN_MAX_ALIVE + 1) + (cache > 0 ? cache : 0);
}

static void churn_note_segments(const char *when) {
  sa_stats_t stats;
  sa_stats_get(&stats);
  long long seen = atomic_load(&churn_segments_peak);
  while (stats.segments > seen && !atomic_compare_exchange_weak(&churn_segments_peak, &seen, stats.segments)) {
  }
  if (stats.segments > churn_segments_bound)
    tst_fail("%s: %" PRId64 " segments mapped, bound %" PRId64 " (abandoned %" PRId64 ", reclaimed %" PRId64
             "): abandoned segments are not reused",
             when, stats.segments, churn_segments_bound, stats.segments_abandoned, stats.segments_reclaimed);
}

static void churn_free_block(const tst_block_t *b, const char *where) {
  unsigned char expected = CHURN_LIVE;
  if (!atomic_compare_exchange_strong(&churn_state[b->id], &expected, CHURN_FREED))
    tst_fail("%s: block id=%" PRIu64 " is in state %u, not live (test bookkeeping)", where, b->id, expected);
  tst_block_verify(b, where);
  sa_free(b->p);
}

static void churn_free_left_behind(void) {
  tst_block_t b;
  for (int i = 0; i < CHURN_TAKE_PER_THREAD && tst_queue_try_pop(&churn_pool, &b); i++)
    churn_free_block(&b, "free of a block left by an earlier thread");
}

static void *churn_thread_main(void *arg) {
  uint64_t index = (uint64_t)(uintptr_t)arg;
  uint64_t rng = index * 7919 + 1;
  churn_free_left_behind();
  tst_block_t mine[CHURN_BLOCKS_PER_THREAD];
  for (size_t i = 0; i < CHURN_BLOCKS_PER_THREAD; i++) {
    mine[i].size = churn_pick_size(&rng);
    mine[i].id = index * CHURN_BLOCKS_PER_THREAD + i;
    mine[i].p = sa_malloc(mine[i].size);
    if (mine[i].p == NULL) tst_fail("thread %" PRIu64 ": sa_malloc(%zu) returned NULL", index, mine[i].size);
    atomic_store(&churn_state[mine[i].id], CHURN_LIVE);
    tst_block_fill(&mine[i]);
  }
  churn_note_segments("while a churn thread runs");
  /* A third are freed by their owner; the rest outlive it where the pool
   * has room. */
  for (size_t i = 0; i < CHURN_BLOCKS_PER_THREAD; i++)
    if (i % 3 == 0 || !tst_queue_try_push(&churn_pool, &mine[i])) churn_free_block(&mine[i], "local free");
  return NULL;
}

static void churn_run_threads(unsigned nthreads) {
  pthread_t *threads = calloc(nthreads, sizeof *threads);
  if (threads == NULL) tst_fail("cannot allocate %u thread handles", nthreads);
  for (unsigned i = 0; i < nthreads; i++) {
    if (i >= CHURN_MAX_ALIVE) pthread_join(threads[i - CHURN_MAX_ALIVE], NULL);
    if (pthread_create(&threads[i], NULL, churn_thread_main, (void *)(uintptr_t)i) != 0)
      tst_fail("pthread_create failed for thread %u", i);
    churn_note_segments("between thread starts");
  }
  for (unsigned i = nthreads > CHURN_MAX_ALIVE ? nthreads - CHURN_MAX_ALIVE : 0; i < nthreads; i++)
    pthread_join(threads[i], NULL);
  free(threads);
}

static void churn_check_all_freed(size_t nblocks) {
  tst_block_t b;
  while (tst_queue_try_pop(&churn_pool, &b)) churn_free_block(&b, "free by the main thread at the end");
  for (size_t id = 0; id < nblocks; id++)
    if (atomic_load(&churn_state[id]) != CHURN_FREED)
      tst_fail("block id=%zu was never freed (state %u)", id, atomic_load(&churn_state[id]));
}

int main(int argc, char **argv) {
  tst_init("thread_churn");
  if (argc > 2) tst_usage_error("usage: thread_churn [threads]");
  unsigned nthreads = (unsigned)tst_arg_u64(argc, argv, 1, "threads", 200, 1, 100000);
  size_t nblocks = (size_t)nthreads * CHURN_BLOCKS_PER_THREAD;
  churn_state = calloc(nblocks, sizeof *churn_state);
  if (churn_state == NULL) tst_fail("cannot allocate state for %zu blocks", nblocks);
  tst_queue_init(&churn_pool, CHURN_POOL_CAP);
  churn_segments_bound = churn_compute_segment_bound();

  sa_free(sa_malloc(16)); /* the start point includes an initialised allocator */
  sa_stats_t start;
  sa_stats_get(&start);
  size_t rss_start = tst_rss_bytes();

  churn_run_threads(nthreads);
  churn_check_all_freed(nblocks);
  sa_collect(true);

  sa_stats_t end;
  sa_stats_get(&end);
  size_t rss_end = tst_rss_bytes();
  printf("thread_churn: threads=%u blocks=%zu segments_peak=%lld (bound %" PRId64 ") reclaimed=%" PRId64
         " committed %" PRId64 " -> %" PRId64 " KiB, rss %zu -> %zu KiB\n",
         nthreads, nblocks, atomic_load(&churn_segments_peak), churn_segments_bound, end.segments_reclaimed,
         start.committed_bytes >> 10, end.committed_bytes >> 10, rss_start >> 10, rss_end >> 10);
  if (end.committed_bytes > start.committed_bytes + CHURN_COMMITTED_SLACK)
    tst_fail("after sa_collect(true) committed_bytes is %" PRId64 " KiB, more than %" PRId64
             " KiB above the start (%" PRId64 " KiB); segments=%" PRId64 " abandoned=%" PRId64 " cached=%" PRId64
             " threads=%" PRId64,
             end.committed_bytes >> 10, CHURN_COMMITTED_SLACK >> 10, start.committed_bytes >> 10, end.segments,
             end.segments_abandoned, end.segments_cached, end.threads);
  if (rss_end > rss_start + CHURN_RSS_SLACK)
    tst_fail("after sa_collect(true) RSS is %zu KiB, more than %zu KiB above the start (%zu KiB)", rss_end >> 10,
             CHURN_RSS_SLACK >> 10, rss_start >> 10);
  printf("thread_churn: OK\n");
  tst_queue_destroy(&churn_pool);
  free((void *)churn_state);
  return 0;
}
