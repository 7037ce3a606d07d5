/* stress_sa: many threads allocate through the sa_* API with sizes from 8 B
 * to 1 MiB (mostly around 64 KiB), keep some blocks, realloc some, and hand
 * about half to other threads, which check and free them. Every block
 * carries a pattern derived from its id and is checked before each free
 * and realloc, so lost, overlapping or moved-without-copy blocks fail.
 * About STRESS_TRIMS times in a run, at random steps, some worker trims
 * (sa_trim: every heap's free memory back to the OS, other threads' heaps
 * while they run), which must not lose or change a live block either.
 *
 * usage: stress_sa [threads=4] [calls=1000000] [seed=1]
 * calls counts every sa_* call of every thread together. */
#include "segalloc.h"
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_queue.h"
#include "support/tst_rng.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRESS_KIB ((size_t)1 << 10)
#define STRESS_MAX_ALIGN_SHIFT 16  /* alignments 16 << 0 .. 16 << 16 = 1 MiB */
#define STRESS_LOCAL_CAP 32        /* blocks a thread keeps for itself */
#define STRESS_INBOX_CAP 64        /* blocks waiting for a receiving thread */
#define STRESS_INBOX_BATCH 4       /* received blocks freed per step */
#define STRESS_TRIMS 40            /* sa_trim calls per run, on average (each costs ms) */

typedef struct stress_counts_s {
  uint64_t calls;
  uint64_t allocs; /* blocks created: malloc, calloc, aligned */
  uint64_t callocs;
  uint64_t aligned;
  uint64_t reallocs;
  uint64_t local_frees;
  uint64_t remote_frees;
  uint64_t trims;
} stress_counts_t;

typedef struct stress_worker_s {
  pthread_t thread;
  unsigned index;
  uint64_t rng;
  uint64_t next_seq;
  uint64_t call_budget;
  tst_queue_t inbox;
  tst_block_t local[STRESS_LOCAL_CAP];
  size_t nlocal;
  stress_counts_t counts;
} stress_worker_t;

static stress_worker_t *stress_workers;
static unsigned stress_nthreads;
static atomic_uint stress_finished; /* workers done with their own calls */

/* Mostly 64 KiB and its neighbours (the first user's workload), then small
 * blocks, with a thin tail up to 1 MiB for large pages. */
static size_t stress_pick_size(uint64_t *rng) {
  uint64_t r = tst_rng_below(rng, 100);
  if (r < 35) return 64 * STRESS_KIB;
  if (r < 50) return 48 * STRESS_KIB + tst_rng_below(rng, 32 * STRESS_KIB + 1);
  if (r < 85) return tst_rng_size_between(rng, 8, 8 * STRESS_KIB);
  if (r < 98) return tst_rng_size_between(rng, 8 * STRESS_KIB, 256 * STRESS_KIB);
  return tst_rng_size_between(rng, 256 * STRESS_KIB, 1024 * STRESS_KIB);
}

static void stress_check_result(const void *p, size_t size, size_t align, const char *call) {
  if (p == NULL) tst_fail("%s(size=%zu, align=%zu) returned NULL (errno %d)", call, size, align, errno);
  if ((uintptr_t)p % align != 0) tst_fail("%s(size=%zu) returned %p, not %zu-aligned", call, size, p, align);
  size_t usable = sa_usable_size(p);
  if (usable < size) tst_fail("%s: sa_usable_size(%p)=%zu < requested %zu", call, p, usable, size);
}

static void *stress_alloc_aligned(stress_worker_t *w, size_t size) {
  size_t align = (size_t)16 << tst_rng_below(&w->rng, STRESS_MAX_ALIGN_SHIFT + 1);
  void *p = NULL;
  const char *call = "sa_aligned_alloc";
  if (tst_rng_below(&w->rng, 2) == 0) {
    p = sa_aligned_alloc(align, size);
  } else {
    call = "sa_posix_memalign";
    int rc = sa_posix_memalign(&p, align, size);
    if (rc != 0) tst_fail("sa_posix_memalign(align=%zu, size=%zu) returned %d", align, size, rc);
  }
  stress_check_result(p, size, align, call);
  w->counts.aligned++;
  return p;
}

/* Asks for count * elem bytes, which may round *size down to a multiple
 * of elem; *size becomes what was asked for. */
static void *stress_alloc_zeroed(stress_worker_t *w, size_t *size) {
  size_t elem = (size_t)1 << tst_rng_below(&w->rng, 5);
  size_t count = *size / elem;
  if (count == 0) count = 1;
  *size = count * elem;
  void *p = sa_calloc(count, elem);
  stress_check_result(p, count * elem, 16, "sa_calloc");
  size_t bad = tst_first_nonzero(p, count * elem);
  if (bad != SIZE_MAX)
    tst_fail("sa_calloc(%zu, %zu) = %p: byte %zu is 0x%02x, not zero", count, elem, p, bad,
             ((unsigned char *)p)[bad]);
  w->counts.callocs++;
  return p;
}

static tst_block_t stress_new_block(stress_worker_t *w) {
  tst_block_t b = {.size = stress_pick_size(&w->rng),
                   .id = ((uint64_t)w->index << 40) | w->next_seq++};
  uint64_t kind = tst_rng_below(&w->rng, 100);
  if (kind < 8) {
    b.p = stress_alloc_aligned(w, b.size);
  } else if (kind < 16) {
    b.p = stress_alloc_zeroed(w, &b.size);
  } else {
    b.p = sa_malloc(b.size);
    stress_check_result(b.p, b.size, 16, "sa_malloc");
  }
  w->counts.calls++;
  w->counts.allocs++;
  tst_block_fill(&b);
  return b;
}

static void stress_release(stress_worker_t *w, const tst_block_t *b, bool received) {
  tst_block_verify(b, received ? "free of a block received from another thread" : "local free");
  sa_free(b->p);
  w->counts.calls++;
  if (received)
    w->counts.remote_frees++;
  else
    w->counts.local_frees++;
}

/* Hands b to a random other thread; false when its inbox is full. */
static bool stress_send(stress_worker_t *w, const tst_block_t *b) {
  if (stress_nthreads < 2) return false;
  unsigned to = (unsigned)tst_rng_below(&w->rng, stress_nthreads - 1);
  if (to >= w->index) to++;
  return tst_queue_try_push(&stress_workers[to].inbox, b);
}

static void stress_keep(stress_worker_t *w, const tst_block_t *b) {
  if (w->nlocal == STRESS_LOCAL_CAP) {
    size_t victim = tst_rng_below(&w->rng, w->nlocal);
    stress_release(w, &w->local[victim], false);
    w->local[victim] = w->local[--w->nlocal];
  }
  w->local[w->nlocal++] = *b;
}

static void stress_send_or_keep(stress_worker_t *w, const tst_block_t *b) {
  if (!stress_send(w, b)) stress_keep(w, b);
}

static tst_block_t stress_take_local(stress_worker_t *w) {
  size_t i = tst_rng_below(&w->rng, w->nlocal);
  tst_block_t b = w->local[i];
  w->local[i] = w->local[--w->nlocal];
  return b;
}

/* Grows or shrinks a local block; the common prefix must survive. */
static void stress_realloc_local(stress_worker_t *w) {
  tst_block_t *b = &w->local[tst_rng_below(&w->rng, w->nlocal)];
  size_t new_size = stress_pick_size(&w->rng);
  size_t kept = new_size < b->size ? new_size : b->size;
  tst_block_verify(b, "before sa_realloc");
  void *q = sa_realloc(b->p, new_size);
  w->counts.calls++;
  w->counts.reallocs++;
  stress_check_result(q, new_size, 16, "sa_realloc");
  tst_block_t moved = {.p = q, .size = new_size, .id = b->id};
  tst_block_verify_prefix(&moved, kept, "contents after sa_realloc");
  tst_pattern_fill(q, kept, new_size, b->id);
  *b = moved;
}

static void stress_drain_inbox(stress_worker_t *w, size_t max) {
  tst_block_t b;
  for (size_t n = 0; n < max && tst_queue_try_pop(&w->inbox, &b); n++) stress_release(w, &b, true);
}

static void stress_step(stress_worker_t *w) {
  stress_drain_inbox(w, STRESS_INBOX_BATCH);
  if (tst_rng_below(&w->rng, w->call_budget * stress_nthreads / STRESS_TRIMS + 1) == 0) {
    sa_trim();
    w->counts.trims++;
  }
  uint64_t r = tst_rng_below(&w->rng, 100);
  if (w->nlocal == 0 || r < 30) {
    tst_block_t b = stress_new_block(w);
    stress_keep(w, &b);
  } else if (r < 55) {
    tst_block_t b = stress_new_block(w);
    stress_send_or_keep(w, &b);
  } else if (r < 75) {
    tst_block_t b = stress_take_local(w);
    stress_release(w, &b, false);
  } else if (r < 87) {
    stress_realloc_local(w);
  } else {
    tst_block_t b = stress_take_local(w);
    stress_send_or_keep(w, &b);
  }
}

/* After its own calls a worker keeps freeing what others send it until
 * every worker is done: a push happens before its sender counts itself
 * finished, so one last drain after seeing all finished gets everything. */
static void stress_drain_until_all_finished(stress_worker_t *w) {
  for (;;) {
    bool all_finished = atomic_load(&stress_finished) == stress_nthreads;
    stress_drain_inbox(w, SIZE_MAX);
    if (all_finished) return;
    tst_block_t b;
    if (tst_queue_pop_wait(&w->inbox, &b, 1)) stress_release(w, &b, true);
  }
}

static void *stress_worker_main(void *arg) {
  stress_worker_t *w = arg;
  while (w->counts.calls < w->call_budget) stress_step(w);
  while (w->nlocal > 0) {
    tst_block_t b = stress_take_local(w);
    stress_release(w, &b, false);
  }
  atomic_fetch_add(&stress_finished, 1);
  stress_drain_until_all_finished(w);
  return NULL;
}

static stress_counts_t stress_sum_counts(void) {
  stress_counts_t sum = {0};
  for (unsigned i = 0; i < stress_nthreads; i++) {
    const stress_counts_t *c = &stress_workers[i].counts;
    sum.calls += c->calls;
    sum.allocs += c->allocs;
    sum.callocs += c->callocs;
    sum.aligned += c->aligned;
    sum.reallocs += c->reallocs;
    sum.local_frees += c->local_frees;
    sum.remote_frees += c->remote_frees;
    sum.trims += c->trims;
  }
  return sum;
}

static void stress_check_totals(const stress_counts_t *sum, uint64_t calls_wanted) {
  if (sum->calls < calls_wanted)
    tst_fail("made %" PRIu64 " calls, fewer than the %" PRIu64 " asked for", sum->calls, calls_wanted);
  if (sum->allocs != sum->local_frees + sum->remote_frees)
    tst_fail("%" PRIu64 " blocks allocated but %" PRIu64 " freed (test bookkeeping lost blocks)",
             sum->allocs, sum->local_frees + sum->remote_frees);
  sa_stats_t stats;
  sa_stats_get(&stats);
  if (stats.local_frees <= 0) tst_fail("sa_stats local_frees=%" PRId64 ", expected > 0", stats.local_frees);
  if (sum->remote_frees > 0 && stats.remote_frees <= 0)
    tst_fail("%" PRIu64 " blocks were freed by another thread but sa_stats remote_frees=%" PRId64,
             sum->remote_frees, stats.remote_frees);
}

int main(int argc, char **argv) {
  tst_init("stress_sa");
  if (argc > 4) tst_usage_error("usage: stress_sa [threads] [calls] [seed]");
  stress_nthreads = (unsigned)tst_arg_u64(argc, argv, 1, "threads", 4, 1, 1024);
  uint64_t calls = tst_arg_u64(argc, argv, 2, "calls", 1000000, 1, UINT64_C(1) << 40);
  uint64_t seed = tst_arg_u64(argc, argv, 3, "seed", 1, 0, UINT64_MAX);

  stress_workers = calloc(stress_nthreads, sizeof *stress_workers);
  if (stress_workers == NULL) tst_fail("cannot allocate %u workers", stress_nthreads);
  for (unsigned i = 0; i < stress_nthreads; i++) {
    stress_worker_t *w = &stress_workers[i];
    w->index = i;
    w->rng = seed * 1000003u + i;
    w->call_budget = (calls + stress_nthreads - 1) / stress_nthreads;
    tst_queue_init(&w->inbox, STRESS_INBOX_CAP);
  }
  for (unsigned i = 0; i < stress_nthreads; i++)
    if (pthread_create(&stress_workers[i].thread, NULL, stress_worker_main, &stress_workers[i]) != 0)
      tst_fail("pthread_create failed for worker %u", i);
  for (unsigned i = 0; i < stress_nthreads; i++) pthread_join(stress_workers[i].thread, NULL);

  stress_counts_t sum = stress_sum_counts();
  stress_check_totals(&sum, calls);
  printf("stress_sa: OK threads=%u calls=%" PRIu64 " blocks=%" PRIu64 " calloc=%" PRIu64
         " aligned=%" PRIu64 " realloc=%" PRIu64 " local_frees=%" PRIu64 " remote_frees=%" PRIu64
         " trims=%" PRIu64 "\n",
         stress_nthreads, sum.calls, sum.allocs, sum.callocs, sum.aligned, sum.reallocs,
         sum.local_frees, sum.remote_frees, sum.trims);
  for (unsigned i = 0; i < stress_nthreads; i++) tst_queue_destroy(&stress_workers[i].inbox);
  free(stress_workers);
  return 0;
}
