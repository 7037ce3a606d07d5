/* idle_producer_purge: a producer thread allocates 256 MiB in 64 KiB blocks
 * (with --small, 64 MiB in 1 KiB blocks, on pages that hold many blocks
 * each) and then sleeps, alive, never calling the allocator again; a consumer
 * thread checks and frees every block and then sleeps too. Memory freed
 * into the pages of a thread that no longer allocates must still go back
 * to the OS: RSS must fall below start + 32 MiB within 5 s (polled every
 * 50 ms). The deadline is generous against the purge delay
 * (SEGALLOC_PURGE_DELAY, ms); this asserts the behaviour, not its speed.
 * With --stats, once RSS has fallen, sa_stats committed_bytes must agree
 * with the kernel within the same deadline (the harness and users read it).
 *
 * It assumes the default SEGALLOC_PURGE_DECOMMITS=1 (MADV_DONTNEED): pages
 * given back with MADV_FREE stay in RSS until the kernel needs them.
 *
 * usage: idle_producer_purge [--stats | --small] */
#include "segalloc.h"
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_proc.h"

#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURGE_SLACK ((size_t)32 << 20)
#define PURGE_DEADLINE_MS 5000
#define PURGE_POLL_MS 50
#define PURGE_MAX_BLOCKS 65536

static size_t purge_block_size = (size_t)64 << 10;
static size_t purge_total = (size_t)256 << 20;
static size_t purge_nblocks;
static tst_block_t purge_blocks[PURGE_MAX_BLOCKS];
static sem_t purge_produced; /* producer -> main: all blocks filled */
static sem_t purge_go;       /* main -> consumer: peak RSS taken, free now */
static sem_t purge_consumed; /* consumer -> main: all blocks freed */
static sem_t purge_finish;   /* main -> both: the test is over */

static void *purge_producer_main(void *arg) {
  (void)arg;
  for (size_t i = 0; i < purge_nblocks; i++) {
    purge_blocks[i] = (tst_block_t){.p = sa_malloc(purge_block_size), .size = purge_block_size, .id = i};
    if (purge_blocks[i].p == NULL) tst_fail("producer: sa_malloc(%zu) #%zu returned NULL", purge_block_size, i);
    tst_block_fill(&purge_blocks[i]);
  }
  sem_post(&purge_produced);
  sem_wait(&purge_finish);
  return NULL;
}

static void *purge_consumer_main(void *arg) {
  (void)arg;
  sem_wait(&purge_go);
  for (size_t i = 0; i < purge_nblocks; i++) {
    tst_block_verify(&purge_blocks[i], "consumer free of a producer block");
    sa_free(purge_blocks[i].p);
  }
  sem_post(&purge_consumed);
  sem_wait(&purge_finish);
  return NULL;
}

/* Polls RSS until it is under limit; returns the milliseconds it took, or
 * -1 at the deadline. No allocator call happens here: the memory must come
 * back without any thread touching the allocator. */
static long purge_wait_for_rss_below(size_t limit, size_t *last_rss) {
  for (long waited = 0;; waited += PURGE_POLL_MS) {
    *last_rss = tst_rss_bytes();
    if (*last_rss < limit) return waited;
    if (waited >= PURGE_DEADLINE_MS) return -1;
    tst_sleep_ms(PURGE_POLL_MS);
  }
}

/* The same for the allocator's own count, from waited_ms on. */
static long purge_wait_for_committed_below(int64_t limit, long waited_ms, sa_stats_t *last) {
  for (long waited = waited_ms;; waited += PURGE_POLL_MS) {
    sa_stats_get(last);
    if (last->committed_bytes < limit) return waited;
    if (waited >= PURGE_DEADLINE_MS) return -1;
    tst_sleep_ms(PURGE_POLL_MS);
  }
}

int main(int argc, char **argv) {
  tst_init("idle_producer_purge");
  bool check_stats = argc == 2 && strcmp(argv[1], "--stats") == 0;
  bool small = argc == 2 && strcmp(argv[1], "--small") == 0;
  if (argc > 2 || (argc == 2 && !check_stats && !small))
    tst_usage_error("usage: idle_producer_purge [--stats | --small]");
  if (small) {
    purge_block_size = 1024;
    purge_total = (size_t)64 << 20;
  }
  purge_nblocks = purge_total / purge_block_size;
  sem_init(&purge_produced, 0, 0);
  sem_init(&purge_go, 0, 0);
  sem_init(&purge_consumed, 0, 0);
  sem_init(&purge_finish, 0, 0);

  sa_stats_t stats_start;
  sa_stats_get(&stats_start);
  size_t rss_start = tst_rss_bytes();
  pthread_t producer, consumer;
  if (pthread_create(&producer, NULL, purge_producer_main, NULL) != 0 ||
      pthread_create(&consumer, NULL, purge_consumer_main, NULL) != 0)
    tst_fail("pthread_create failed");
  sem_wait(&purge_produced);
  size_t rss_peak = tst_rss_bytes();
  /* The setup must really have made RSS grow, or the drop proves nothing. */
  if (rss_peak < rss_start + purge_total * 3 / 4)
    tst_fail("setup: RSS grew only from %zu to %zu KiB for %zu MiB of blocks", rss_start >> 10, rss_peak >> 10,
             purge_total >> 20);
  sem_post(&purge_go);
  sem_wait(&purge_consumed);

  size_t rss_last = 0;
  sa_stats_t stats;
  long took_ms = purge_wait_for_rss_below(rss_start + PURGE_SLACK, &rss_last);
  if (took_ms < 0) {
    sa_stats_get(&stats);
    tst_fail("RSS still %zu KiB %d ms after the frees (start %zu KiB, limit start + %zu MiB, peak %zu KiB); "
             "purge_delay=%ld ms committed=%" PRId64 " KiB purged_total=%" PRId64 " KiB remote_frees=%" PRId64,
             rss_last >> 10, PURGE_DEADLINE_MS, rss_start >> 10, PURGE_SLACK >> 20, rss_peak >> 10,
             sa_option_get(SA_OPTION_PURGE_DELAY), stats.committed_bytes >> 10, stats.purged_bytes >> 10,
             stats.remote_frees);
  }
  if (check_stats &&
      purge_wait_for_committed_below(stats_start.committed_bytes + (int64_t)PURGE_SLACK, took_ms, &stats) < 0)
    tst_fail("RSS fell to %zu KiB but sa_stats committed_bytes is still %" PRId64 " KiB after %d ms (start %" PRId64
             " KiB, purged_bytes %" PRId64 " KiB): the count is out of step with the kernel",
             rss_last >> 10, stats.committed_bytes >> 10, PURGE_DEADLINE_MS, stats_start.committed_bytes >> 10,
             stats.purged_bytes >> 10);
  printf("idle_producer_purge: OK rss start %zu KiB, peak %zu KiB, %zu KiB after about %ld ms\n",
         rss_start >> 10, rss_peak >> 10, rss_last >> 10, took_ms);
  sem_post(&purge_finish);
  sem_post(&purge_finish);
  pthread_join(producer, NULL);
  pthread_join(consumer, NULL);
  return 0;
}
