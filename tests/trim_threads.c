/* trim_threads: sa_trim (what malloc_trim calls) gives back the free memory
 * of every thread, and sa_usage_get (what mallinfo2 is made of) counts the
 * blocks in use.
 *
 * Purging is switched off (purge delay -1, no background thread), so that
 * nothing but the trim can return memory and every figure is exact:
 *  1. usage: the main thread's small blocks raise in_use_bytes by exactly
 *     their usable sizes; freed by a worker (remote frees its owner has not
 *     collected yet), in_use_bytes is back where it was. A huge block counts
 *     as one huge block of at least its size, and not in in_use_bytes.
 *  2. trim: the worker fills and frees 64 MiB of 1 MiB blocks (spans of
 *     their own) and waits, alive, outside the allocator. sa_usage_get must
 *     show at least 60 MiB of free spans; sa_trim from the main thread must
 *     return at least 60 MiB, leave under 4 MiB of free spans, and take the
 *     blocks' OS pages out of RAM (mincore). The worker then allocates and
 *     checks 64 MiB again: its heap still works.
 *  3. free blocks inside pages that hold live ones: the main thread's own
 *     (every other 64 KiB block of 48 and 20,000-byte block of 800, a class
 *     that once got huge pages of more blocks than purged_mask has bits;
 *     of 4096 256-byte blocks, every other
 *     run of 16, so that whole OS pages are free in pages that stay live) and the worker's that the main thread
 *     freed (every other 64 KiB block of 48, remote frees the worker has
 *     not collected). After sa_trim no OS page wholly inside a freed block
 *     is in RAM (the worker's first full OS page of a block may keep the
 *     link of a delayed free), and every live block reads as before; new
 *     blocks of the same sizes, which take the purged ones back, too.
 * The other threads are blocked on semaphores whenever the main thread
 * walks or trims, so ThreadSanitizer sees every access ordered. */
#include "segalloc.h"
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_proc.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BIG ((size_t)1 << 20)
#define BIGS 64
#define SMALLS 3000
#define HUGE_SIZE ((size_t)40 << 20)

static tst_block_t bigs[BIGS];
static void *smalls[SMALLS];
static sem_t to_worker, to_main;

#define MID ((size_t)64 << 10)
#define MIDS 48
#define TINY 256
#define TINIES 4096
#define ODD 20000 /* a 4 KiB-multiple class below 32 KiB: 16 pages and more of it once got huge pages */
#define ODDS 800
static tst_block_t own_mids[MIDS], worker_mids[MIDS], tinies[TINIES], odds[ODDS];

enum { STEP_FREE_SMALLS, STEP_FILL_AND_FREE, STEP_AGAIN, STEP_MAKE_MIDS, STEP_DONE };
static int step;

static void make_blocks(tst_block_t *b, size_t n, size_t size, uint64_t id0) {
  for (size_t i = 0; i < n; i++) {
    b[i] = (tst_block_t){.p = sa_malloc(size), .size = size, .id = id0 + i};
    if (b[i].p == NULL) tst_fail("sa_malloc(%zu) #%zu returned NULL", size, i);
    tst_block_fill(&b[i]);
  }
}

static void *worker_main(void *arg) {
  (void)arg;
  for (;;) {
    sem_wait(&to_worker);
    if (step == STEP_DONE) return NULL;
    if (step == STEP_FREE_SMALLS) {
      for (size_t i = 0; i < SMALLS; i++) sa_free(smalls[i]);
    } else if (step == STEP_MAKE_MIDS) {
      make_blocks(worker_mids, MIDS, MID, 3000);
    } else {
      make_blocks(bigs, BIGS, BIG, step == STEP_AGAIN ? 1000 : 0);
      for (size_t i = 0; i < BIGS; i++) {
        tst_block_verify(&bigs[i], "worker block before its free");
        sa_free(bigs[i].p);
      }
    }
    sem_post(&to_main);
  }
}

static void worker_do(int what) {
  step = what;
  sem_post(&to_worker);
  sem_wait(&to_main);
}

static sa_usage_t usage(void) {
  sa_usage_t u;
  sa_usage_get(&u);
  return u;
}

static void check_usage(void) {
  size_t before = usage().in_use_bytes, sum = 0;
  for (size_t i = 0; i < SMALLS; i++) {
    smalls[i] = sa_malloc(16 + i % 2000);
    if (smalls[i] == NULL) tst_fail("sa_malloc(%zu) returned NULL", 16 + i % 2000);
    sum += sa_usable_size(smalls[i]);
  }
  size_t held = usage().in_use_bytes;
  if (held != before + sum)
    tst_fail("in_use_bytes %zu -> %zu after %d blocks of %zu usable bytes in all", before, held, SMALLS, sum);
  worker_do(STEP_FREE_SMALLS);
  size_t after = usage().in_use_bytes;
  if (after != before) tst_fail("in_use_bytes %zu after the remote frees, %zu before the blocks", after, before);

  sa_usage_t u0 = usage();
  void *huge = sa_malloc(HUGE_SIZE);
  if (huge == NULL) tst_fail("sa_malloc(40 MiB) returned NULL");
  sa_usage_t u1 = usage();
  if (u1.huge_blocks != u0.huge_blocks + 1 || u1.huge_bytes < u0.huge_bytes + HUGE_SIZE ||
      u1.in_use_bytes != u0.in_use_bytes)
    tst_fail("a 40 MiB block: huge_blocks %zu -> %zu, huge_bytes %zu -> %zu, in_use_bytes %zu -> %zu",
             u0.huge_blocks, u1.huge_blocks, u0.huge_bytes, u1.huge_bytes, u0.in_use_bytes, u1.in_use_bytes);
  sa_free(huge);
  sa_usage_t u2 = usage();
  if (u2.huge_blocks != u0.huge_blocks || u2.huge_bytes != u0.huge_bytes)
    tst_fail("after its free: huge_blocks %zu, huge_bytes %zu (before %zu, %zu)", u2.huge_blocks, u2.huge_bytes,
             u0.huge_blocks, u0.huge_bytes);
}

/* OS pages of the freed 1 MiB blocks still in RAM. A segment that emptied
 * went to the segment cache, which the trim unmaps: ENOMEM, none. */
static size_t resident_pages(void) {
  size_t os = (size_t)sysconf(_SC_PAGESIZE), n = 0;
  static unsigned char v[BIG / 4096 + 1];
  for (size_t i = 0; i < BIGS; i++) {
    if (mincore(bigs[i].p, BIG, v) != 0) {
      if (errno == ENOMEM) continue;
      tst_fail("mincore failed: %s", strerror(errno));
    }
    for (size_t k = 0; k < BIG / os; k++) n += v[k] & 1;
  }
  return n;
}

static void check_trim(void) {
  worker_do(STEP_FILL_AND_FREE);
  sa_usage_t u0 = usage();
  size_t in_ram = resident_pages();
  if (u0.free_span_bytes < 60 * TST_MIB || in_ram == 0)
    tst_fail("before the trim: %zu bytes of free spans and %zu OS pages in RAM (purging is off)",
             u0.free_span_bytes, in_ram);
  size_t released = sa_trim();
  sa_usage_t u1 = usage();
  size_t left = resident_pages();
  if (released < 60 * TST_MIB || u1.free_span_bytes >= 4 * TST_MIB || left != 0)
    tst_fail("sa_trim returned %zu bytes; after it %zu bytes of free spans, %zu of %zu OS pages in RAM", released,
             u1.free_span_bytes, left, in_ram);
  worker_do(STEP_AGAIN);
}

/* OS pages wholly inside [p + skip, p + size) that are in RAM. */
static size_t resident_inside(const void *p, size_t size, size_t skip) {
  size_t os = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t from = ((uintptr_t)p + skip + os - 1) & ~(uintptr_t)(os - 1), to = ((uintptr_t)p + size) & ~(uintptr_t)(os - 1);
  size_t n = 0;
  unsigned char v;
  for (uintptr_t a = from; a < to; a += os) {
    if (mincore((void *)a, os, &v) != 0) tst_fail("mincore failed: %s", strerror(errno));
    n += v & 1;
  }
  return n;
}

static int addr_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
  return x < y ? -1 : x > y;
}

/* Of the 256-byte blocks, runs of 16 (an OS page's worth) are freed and
 * the runs between stay live: every page of them keeps live blocks. */
static bool tiny_freed(size_t i) { return (i / 16) % 2 == 0; }

/* OS pages that the freed 256-byte blocks fill wholly, *covered of them;
 * returns how many are in RAM. */
static size_t resident_tiny_pages(size_t *covered) {
  static void *freed[TINIES / 2];
  size_t os = (size_t)sysconf(_SC_PAGESIZE), n = 0, k = 0;
  for (size_t i = 0; i < TINIES; i++)
    if (tiny_freed(i)) freed[k++] = tinies[i].p;
  qsort(freed, TINIES / 2, sizeof *freed, addr_cmp);
  *covered = 0;
  for (size_t i = 0; i + os / TINY <= TINIES / 2; i++) {
    uintptr_t a = (uintptr_t)freed[i];
    if (a % os != 0 || (uintptr_t)freed[i + os / TINY - 1] != a + os - TINY) continue;
    (*covered)++;
    n += resident_inside(freed[i], os, 0);
  }
  return n;
}

/* Every other block of b freed (by the caller, whoever made them). */
static void free_every_other(tst_block_t *b, size_t n) {
  for (size_t i = 0; i < n; i += 2) {
    tst_block_verify(&b[i], "block before its free");
    sa_free(b[i].p);
  }
}

static void check_trim_inside_pages(void) {
  make_blocks(own_mids, MIDS, MID, 2000);
  make_blocks(tinies, TINIES, TINY, 10000);
  make_blocks(odds, ODDS, ODD, 30000);
  worker_do(STEP_MAKE_MIDS);
  free_every_other(own_mids, MIDS);
  free_every_other(worker_mids, MIDS);
  free_every_other(odds, ODDS);
  for (size_t i = 0; i < TINIES; i++)
    if (tiny_freed(i)) sa_free(tinies[i].p);
  sa_trim();
  size_t own = 0, remote = 0, tiny;
  for (size_t i = 0; i < MIDS; i += 2) {
    own += resident_inside(own_mids[i].p, MID, 0);
    remote += resident_inside(worker_mids[i].p, MID, sysconf(_SC_PAGESIZE));
  }
  for (size_t i = 0; i < ODDS; i += 2) own += resident_inside(odds[i].p, ODD, 0);
  size_t covered = 0;
  tiny = resident_tiny_pages(&covered);
  if (covered < TINIES / 2 / (4096 / TINY) / 2) tst_fail("only %zu OS pages wholly inside the freed 256-byte blocks", covered);
  if (own != 0 || remote != 0 || tiny != 0)
    tst_fail("after sa_trim, OS pages still in RAM inside freed blocks: %zu in the own 64 KiB and 20,000-byte "
             "ones, %zu in the worker's, %zu in the 256-byte runs", own, remote, tiny);
  for (size_t i = 1; i < MIDS; i += 2) {
    tst_block_verify(&own_mids[i], "own live 64 KiB block after the trim");
    tst_block_verify(&worker_mids[i], "worker's live 64 KiB block after the trim");
  }
  for (size_t i = 0; i < TINIES; i++)
    if (!tiny_freed(i)) tst_block_verify(&tinies[i], "live 256-byte block after the trim");
  /* The purged blocks come back: new ones of the same sizes work. */
  for (size_t i = 0; i < MIDS; i += 2) make_blocks(&own_mids[i], 1, MID, 5000 + i);
  for (size_t i = 0; i < TINIES; i++)
    if (tiny_freed(i)) make_blocks(&tinies[i], 1, TINY, 20000 + i);
  for (size_t i = 0; i < MIDS; i++) {
    tst_block_verify(&own_mids[i], "64 KiB block after the trim");
    sa_free(own_mids[i].p);
  }
  for (size_t i = 0; i < TINIES; i++) {
    tst_block_verify(&tinies[i], "256-byte block after the trim");
    sa_free(tinies[i].p);
  }
  for (size_t i = 1; i < MIDS; i += 2) sa_free(worker_mids[i].p);
  for (size_t i = 1; i < ODDS; i += 2) {
    tst_block_verify(&odds[i], "live 20,000-byte block after the trim");
    sa_free(odds[i].p);
  }
}

int main(void) {
  tst_init("trim_threads");
  sa_option_set(SA_OPTION_PURGE_DELAY, -1);
  sa_option_set(SA_OPTION_BACKGROUND, 0);
  sem_init(&to_worker, 0, 0);
  sem_init(&to_main, 0, 0);
  pthread_t t;
  if (pthread_create(&t, NULL, worker_main, NULL) != 0) tst_fail("pthread_create failed");
  check_usage();
  check_trim();
  check_trim_inside_pages();
  step = STEP_DONE;
  sem_post(&to_worker);
  pthread_join(t, NULL);
  printf("trim_threads: ok\n");
  return 0;
}
