/* false-sharing: threads allocate small blocks and write to them hard, all at
 * once. If the allocator hands blocks on one cache line to different
 * threads, every write invalidates the other core's copy and throughput
 * collapses: that is what this measures (after Berger et al.'s cache-thrash
 * and cache-scratch). --mode active: each thread only allocates its own
 * blocks. --mode passive: the main thread allocates one block per thread
 * back to back, each thread writes to and frees the block it was given, then
 * goes on with its own: an allocator that hands the freed block's neighbours
 * to the thread that freed it keeps the threads on one line.
 *
 * Each object's life: malloc, fill, add --writes to every byte one byte at a
 * time through a volatile pointer (so each is a real load and store),
 * subtract them again, check the pattern, free. One operation = one object. */
#include <stdlib.h>

#include "args.h"
#include "block.h"
#include "budget.h"
#include "fail.h"
#include "live.h"
#include "result.h"
#include "team.h"

#define FS_CHUNK 16

enum { FS_ACTIVE, FS_PASSIVE };

typedef struct fs_config_s {
  wl_common_t common;
  uint64_t size;
  uint64_t writes;
  int mode;
} fs_config_t;

typedef struct fs_thread_s {
  _Alignas(64) const fs_config_t *cfg;
  wl_budget_t *budget;
  uint64_t index;
  uint64_t next_seq;
  wl_live_t live;
  wl_block_t given; /* passive mode: the first object, from the main thread */
} fs_thread_t;

/* Hammers the object; the pattern is intact again only if no other thread
 * wrote into it meanwhile. */
static void fs_hammer(const wl_block_t *b, uint64_t writes) {
  volatile uint8_t *p = b->ptr;
  for (uint64_t w = 0; w < writes; w++)
    for (size_t i = 0; i < b->size; i++)
      p[i] = (uint8_t)(p[i] + 1);
  uint8_t undo = (uint8_t)writes;
  for (size_t i = 0; i < b->size; i++)
    p[i] = (uint8_t)(p[i] - undo);
}

static void fs_use(fs_thread_t *t, const wl_block_t *b) {
  fs_hammer(b, t->cfg->writes);
  wl_block_release(b, &t->live);
}

static void fs_work(void *arg) {
  fs_thread_t *t = arg;
  uint64_t granted;
  while ((granted = wl_budget_claim(t->budget, FS_CHUNK)) != 0)
    for (uint64_t i = 0; i < granted; i++) {
      if (t->given.ptr != NULL) {
        fs_use(t, &t->given);
        t->given.ptr = NULL;
        continue;
      }
      wl_block_t b = wl_block_new(t->cfg->size, wl_block_id(t->index, t->next_seq++), &t->live);
      fs_use(t, &b);
    }
  /* A thread that got no work still owns its given object. */
  if (t->given.ptr != NULL)
    wl_block_release(&t->given, &t->live);
}

int main(int argc, char **argv) {
  fs_config_t cfg = {
      .common = {.threads = 2, .seconds = 2.0, .seed = 1},
      .size = 8,
      .writes = 1000,
  };
  const wl_arg_t args[] = {
      {"mode", WL_ARG_CHOICE, &cfg.mode, 0, 0, "active|passive",
       "threads' own blocks only, or first a block each from the main thread"},
      {"size", WL_ARG_SIZE, &cfg.size, 1, 1u << 16, NULL, "object size"},
      {"writes", WL_ARG_COUNT, &cfg.writes, 1, 1ull << 32, NULL,
       "times every byte of an object is written"},
  };
  const wl_program_t program = {
      "false-sharing",
      "Threads allocate small objects and write to them concurrently: an allocator\n"
      "that puts different threads' objects on one cache line loses throughput.",
      "one object allocated, written --writes times per byte, checked and freed", args,
      sizeof args / sizeof args[0]};
  wl_args_parse(&program, &cfg.common, argc, argv);

  wl_budget_t budget;
  wl_budget_from_common(&budget, &cfg.common);
  size_t n = cfg.common.threads;
  fs_thread_t *threads = wl_team_alloc(n, sizeof *threads);
  for (size_t i = 0; i < n; i++) {
    threads[i] = (fs_thread_t){.cfg = &cfg, .budget = &budget, .index = i, .next_seq = 1};
    wl_live_init(&threads[i].live, false);
    /* Seq 0 is the given object's; the main thread's allocations are made
     * back to back so that they are as likely as can be to share a line. */
    if (cfg.mode == FS_PASSIVE)
      threads[i].given = wl_block_new(cfg.size, wl_block_id(i, 0), &threads[i].live);
  }
  static const wl_team_job_t job = {NULL, fs_work, NULL};
  double seconds = wl_team_run_same(&job, threads, sizeof *threads, n, &budget);

  uint64_t live_peak = 0;
  for (size_t i = 0; i < n; i++)
    live_peak += wl_live_peak(&threads[i].live);
  free(threads);

  wl_result_t r;
  wl_result_begin(&r, program.name, n, wl_budget_done(&budget), seconds, live_peak);
  wl_result_print(&r);
  return 0;
}
