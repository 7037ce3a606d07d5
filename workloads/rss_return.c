/* rss-return: does freed memory go back to the operating system? Threads
 * allocate a burst of blocks up to --peak live bytes, free all of them, then
 * stay alive and idle while the resident set size is sampled right after the
 * free, 100 ms later and 1 s later. An idle thread that never calls the
 * allocator again is the hard case: memory it cached is returned only by
 * an allocator that purges on a timer or from another thread. With
 * --free-by other each thread frees its neighbour's blocks (the memory then
 * sits in a heap that did not allocate it); with --threads-exit the threads
 * end before the idle period. The timed phase is the burst and the free; one
 * operation = one block allocated and freed. */
#include <stdlib.h>

#include "args.h"
#include "barrier.h"
#include "block.h"
#include "budget.h"
#include "fail.h"
#include "live.h"
#include "result.h"
#include "rng.h"
#include "rss.h"
#include "team.h"
#include "timing.h"

#define RR_CHUNK 64

enum { RR_FREE_SELF, RR_FREE_OTHER };

typedef struct rr_config_s {
  wl_common_t common;
  uint64_t peak;
  uint64_t min_size, max_size;
  int free_by;
  bool threads_exit;
} rr_config_t;

/* The points where the main thread samples RSS between the phases. */
typedef struct rr_lines_s {
  wl_barrier_t go, allocated, free_go, freed, release;
} rr_lines_t;

typedef struct rr_thread_s {
  _Alignas(64) const rr_config_t *cfg;
  wl_budget_t *budget;
  rr_lines_t *lines;
  struct rr_thread_s *victim; /* whose blocks this thread frees */
  uint64_t index;
  wl_rng_t rng;
  wl_live_t live;
  wl_block_t *blocks;
  size_t count, room;
} rr_thread_t;

static void rr_keep(rr_thread_t *t, wl_block_t b) {
  if (t->count == t->room) {
    t->room = t->room ? 2 * t->room : 1024;
    t->blocks = realloc(t->blocks, t->room * sizeof *t->blocks);
    if (t->blocks == NULL)
      wl_fail_out_of_memory(t->room * sizeof *t->blocks);
  }
  t->blocks[t->count++] = b;
}

static void rr_allocate(rr_thread_t *t) {
  uint64_t share = t->cfg->peak / t->cfg->common.threads;
  uint64_t granted;
  while (wl_live_now(&t->live) < share && (granted = wl_budget_claim(t->budget, RR_CHUNK)) != 0)
    for (uint64_t i = 0; i < granted; i++) {
      size_t size = wl_rng_log_range(&t->rng, t->cfg->min_size, t->cfg->max_size);
      rr_keep(t, wl_block_new(size, wl_block_id(t->index, t->count), &t->live));
    }
}

/* The victim is idle at a barrier meanwhile, so its tally has one user. */
static void rr_free_all(rr_thread_t *victim) {
  for (size_t i = 0; i < victim->count; i++)
    wl_block_release(&victim->blocks[i], &victim->live);
  victim->count = 0;
}

static void *rr_thread_main(void *arg) {
  rr_thread_t *t = arg;
  wl_barrier_wait(&t->lines->go);
  rr_allocate(t);
  wl_barrier_wait(&t->lines->allocated);
  wl_barrier_wait(&t->lines->free_go);
  rr_free_all(t->victim);
  wl_barrier_wait(&t->lines->freed);
  if (!t->cfg->threads_exit)
    wl_barrier_wait(&t->lines->release); /* idle, still alive, until the sampling ends */
  return NULL;
}

static void rr_lines_init(rr_lines_t *lines, unsigned parties, bool threads_exit) {
  wl_barrier_init(&lines->go, parties);
  wl_barrier_init(&lines->allocated, parties);
  wl_barrier_init(&lines->free_go, parties);
  wl_barrier_init(&lines->freed, parties);
  wl_barrier_init(&lines->release, threads_exit ? 1 : parties);
}

static void rr_lines_destroy(rr_lines_t *lines) {
  wl_barrier_destroy(&lines->go);
  wl_barrier_destroy(&lines->allocated);
  wl_barrier_destroy(&lines->free_go);
  wl_barrier_destroy(&lines->freed);
  wl_barrier_destroy(&lines->release);
}

/* Sleeps until `offset_ns` after `since`, then samples RSS. */
static uint64_t rr_rss_at(uint64_t since, uint64_t offset_ns) {
  uint64_t now = wl_now_ns();
  if (now < since + offset_ns)
    wl_sleep_ns(since + offset_ns - now);
  return wl_rss_kib();
}

int main(int argc, char **argv) {
  rr_config_t cfg = {
      .common = {.threads = 2, .seed = 1},
      .peak = 256u << 20,
      .min_size = 16,
      .max_size = 64 * 1024,
  };
  const wl_arg_t args[] = {
      {"peak", WL_ARG_SIZE, &cfg.peak, 1, 1ull << 40, NULL, "live bytes at the top of the burst"},
      {"min-size", WL_ARG_SIZE, &cfg.min_size, 1, 1ull << 30, NULL, "smallest block"},
      {"max-size", WL_ARG_SIZE, &cfg.max_size, 1, 1ull << 30, NULL,
       "largest block (sizes are log-uniform)"},
      {"free-by", WL_ARG_CHOICE, &cfg.free_by, 0, 0, "self|other",
       "who frees a thread's blocks: itself or the next thread"},
      {"threads-exit", WL_ARG_SWITCH, &cfg.threads_exit, 0, 0, NULL,
       "threads end after the free instead of idling"},
  };
  const wl_program_t program = {
      "rss-return",
      "A burst of allocations to --peak live bytes, free everything, idle: RSS right\n"
      "after the free, after 100 ms and after 1 s (--seconds/--ops cap the burst).",
      "one block allocated and freed", args, sizeof args / sizeof args[0]};
  wl_args_parse(&program, &cfg.common, argc, argv);
  wl_args_check_size_range(cfg.min_size, cfg.max_size);

  wl_budget_t budget;
  wl_budget_from_common(&budget, &cfg.common);
  size_t n = cfg.common.threads;
  rr_lines_t lines;
  rr_lines_init(&lines, (unsigned)n + 1, cfg.threads_exit);
  rr_thread_t *threads = wl_team_alloc(n, sizeof *threads);
  pthread_t *ids = wl_team_alloc(n, sizeof *ids);
  for (size_t i = 0; i < n; i++) {
    size_t victim = cfg.free_by == RR_FREE_OTHER ? (i + 1) % n : i;
    threads[i] = (rr_thread_t){
        .cfg = &cfg, .budget = &budget, .lines = &lines, .victim = &threads[victim], .index = i};
    wl_rng_seed(&threads[i].rng, cfg.common.seed, i);
    wl_live_init(&threads[i].live, false);
  }
  uint64_t rss_base = wl_rss_kib();
  for (size_t i = 0; i < n; i++)
    wl_thread_start(&ids[i], rr_thread_main, &threads[i]);

  wl_budget_start(&budget);
  wl_barrier_wait(&lines.go);
  uint64_t alloc_start = wl_now_ns();
  wl_barrier_wait(&lines.allocated);
  uint64_t alloc_end = wl_now_ns();
  uint64_t rss_peak = wl_rss_kib();
  wl_barrier_wait(&lines.free_go);
  uint64_t free_start = wl_now_ns();
  wl_barrier_wait(&lines.freed);
  uint64_t freed_at = wl_now_ns();
  if (cfg.threads_exit)
    for (size_t i = 0; i < n; i++)
      wl_thread_join(ids[i]);
  uint64_t rss_after_free = wl_rss_kib();
  uint64_t rss_100ms = rr_rss_at(freed_at, 100 * 1000000ull);
  uint64_t rss_1s = rr_rss_at(freed_at, 1000 * 1000000ull);
  if (!cfg.threads_exit) {
    wl_barrier_wait(&lines.release);
    for (size_t i = 0; i < n; i++)
      wl_thread_join(ids[i]);
  }

  uint64_t live_peak = 0;
  for (size_t i = 0; i < n; i++) {
    live_peak += wl_live_peak(&threads[i].live);
    free(threads[i].blocks);
  }
  free(ids);
  free(threads);
  rr_lines_destroy(&lines);

  double seconds =
      wl_seconds_between(alloc_start, alloc_end) + wl_seconds_between(free_start, freed_at);
  wl_result_t r;
  wl_result_begin(&r, program.name, n, wl_budget_done(&budget), seconds, live_peak);
  wl_result_add_u64(&r, "rss_base_kib", rss_base);
  wl_result_add_u64(&r, "rss_peak_kib", rss_peak);
  wl_result_add_u64(&r, "rss_after_free_kib", rss_after_free);
  wl_result_add_u64(&r, "rss_after_100ms_kib", rss_100ms);
  wl_result_add_u64(&r, "rss_after_1s_kib", rss_1s);
  wl_result_print(&r);
  return 0;
}
