/* idle_owner_fast_path: the background thread purges, from a heap it takes
 * for idle, the OS pages of a page that other threads' frees cover, while
 * the heap's owner keeps allocating and freeing on that very page by the
 * fast path (which never tells the background it is busy). The owner
 * allocates 200 blocks of 256 bytes; another thread checks and frees the
 * first 168 while the owner keeps its heap busy with slow paths (a large
 * block made and freed), so that the background leaves it alone until the
 * loop; then, for at least 400 ms and until the purge is seen (up to
 * 20 s: under load, or ThreadSanitizer, the background's visits come
 * late), the owner mallocs, fills, checks and frees one block at a time on
 * the same page, never leaving the fast path. The purge must happen
 * meanwhile, and is seen where it acts: an OS page that only freed blocks
 * cover leaves RAM (mincore). Counting purged_bytes instead was fooled
 * both ways: the other thread's emptied segment is purged too, and a
 * visit while the owner sat in pthread_join purged the page before the
 * loop (a CI run failed so; should the owner still be descheduled that
 * long after its last slow path, the run says so and goes on). It must
 * lose nothing: the owner's own blocks
 * keep their contents, and afterwards 400 new blocks (the purged ones
 * taken back among them) are all distinct and keep theirs. Run plainly
 * and under ThreadSanitizer, with SEGALLOC_PURGE_DELAY=10 so that the
 * background visits every 10 ms. */
#include "segalloc.h"
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_proc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdlib.h>
#include <time.h>

#define BS 256
#define MADE 200
#define FREED 168 /* 10.5 OS pages of blocks */
#define LOOP_MS 400
#define LOOP_MAX_MS 20000
#define BUSY_SIZE (300 * 1024) /* large: every malloc of it is a slow path */
#define AFTER 400

static tst_block_t made[MADE];
static atomic_bool remote_done;

static void *remote_free_main(void *arg) {
  (void)arg;
  sa_free(sa_malloc(16)); /* a second heap: the background thread starts */
  for (int i = 0; i < FREED; i++) {
    tst_block_verify(&made[i], "remote free of the owner's block");
    sa_free(made[i].p);
  }
  atomic_store(&remote_done, true);
  return NULL;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* OS pages wholly inside blocks [0, FREED) (the only ones a purge of their
 * remote frees may take), and how many of them are out of RAM. */
static int purged_os_pages(int *covered) {
  long os = sysconf(_SC_PAGESIZE);
  int out = 0;
  *covered = 0;
  for (int i = 0; i < FREED; i++) {
    uintptr_t from = ((uintptr_t)made[i].p + (uintptr_t)os - 1) & ~(uintptr_t)(os - 1);
    /* every block that touches [from, from + os) must be a freed one */
    bool only_freed = true;
    for (int j = FREED; j < MADE && only_freed; j++)
      if ((uintptr_t)made[j].p < from + (uintptr_t)os && (uintptr_t)made[j].p + BS > from) only_freed = false;
    if (!only_freed) continue;
    bool seen = false; /* count each OS page once: the first block that starts it */
    for (int k = 0; k < i && !seen; k++)
      seen = (((uintptr_t)made[k].p + (uintptr_t)os - 1) & ~(uintptr_t)(os - 1)) == from;
    if (seen) continue;
    (*covered)++;
    unsigned char v = 0;
    if (mincore((void *)from, (size_t)os, &v) != 0) tst_fail("mincore failed");
    if (!(v & 1)) out++;
  }
  return out;
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
  while (!atomic_load(&remote_done)) sa_free(sa_malloc(BUSY_SIZE));
  pthread_join(t, NULL);

  /* One slow path more: the background's next visit only marks the heap
   * seen, and its purge comes a visit later, inside the loop. */
  sa_free(sa_malloc(BUSY_SIZE));
  int covered = 0, early = purged_os_pages(&covered), late = early;
  if (covered == 0) tst_fail("no OS page lies wholly inside the %d freed blocks: the layout changed", FREED);
  uint64_t id = 1000;
  double start = now_ms(), now = start;
  do {
    for (int k = 0; k < 1024; k++, id++) {
      tst_block_t b = {.p = sa_malloc(BS), .size = BS, .id = id};
      if (b.p == NULL) tst_fail("sa_malloc(%d) in the loop returned NULL", BS);
      tst_block_fill(&b);
      tst_block_verify(&b, "the owner's loop block");
      sa_free(b.p);
    }
    late = purged_os_pages(&covered);
    now = now_ms();
  } while (now < start + LOOP_MAX_MS && (now < start + LOOP_MS || late == 0));
  if (late == 0)
    tst_fail("none of the %d OS pages the freed blocks cover left RAM in %.0f ms of the owner's loop: the test "
             "proves nothing", covered, now - start);
  /* Only an owner descheduled for two visits between its last slow path
   * and here lets the purge come first; the checks below still hold. */
  if (early != 0) printf("idle_owner_fast_path: %d of %d OS pages were purged before the loop began\n", early, covered);
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
  printf("idle_owner_fast_path: OK %d of %d OS pages purged during the loop (%llu fast-path pairs, %.0f ms)\n", late,
         covered, (unsigned long long)(id - 1000), now - start);
  return 0;
}
