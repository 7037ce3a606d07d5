/* churn64k: each thread keeps a working set of W live blocks around 64 KiB
 * and replaces random ones, over and over: the steady state of a program
 * that caches 64 KiB buffers. Modes: every block exactly --size (fixed),
 * uniform in 3/4..5/4 of it (around: 48..80 KiB), or log-uniform in 1/8..4x
 * of it (wide: 8..256 KiB), which crosses the 128 KiB where mimalloc (and
 * segalloc until it made 144-256 KiB medium) moves to one block per page. Filling the working set and freeing it at the end are not timed.
 * One operation = one block freed and one allocated in its place. */
#include <stdlib.h>

#include "args.h"
#include "block.h"
#include "fail.h"
#include "budget.h"
#include "live.h"
#include "result.h"
#include "rng.h"
#include "team.h"

#define CHURN_CHUNK 16

enum { CHURN_FIXED, CHURN_AROUND, CHURN_WIDE };

typedef struct churn_config_s {
  wl_common_t common;
  uint64_t size;
  uint64_t working_set;
  int mode;
} churn_config_t;

typedef struct churn_thread_s {
  _Alignas(64) const churn_config_t *cfg;
  wl_budget_t *budget;
  uint64_t index;
  uint64_t next_id;
  wl_rng_t rng;
  wl_live_t live;
  wl_block_t *set;
} churn_thread_t;

static size_t churn_pick_size(churn_thread_t *t) {
  uint64_t size = t->cfg->size;
  switch (t->cfg->mode) {
  case CHURN_AROUND: return wl_rng_range(&t->rng, size - size / 4, size + size / 4);
  case CHURN_WIDE: return wl_rng_log_range(&t->rng, size / 8 ? size / 8 : 1, size * 4);
  default: return size;
  }
}

static wl_block_t churn_new_block(churn_thread_t *t) {
  return wl_block_new(churn_pick_size(t), wl_block_id(t->index, t->next_id++), &t->live);
}

static void churn_setup(void *arg) {
  churn_thread_t *t = arg;
  t->set = malloc(t->cfg->working_set * sizeof *t->set);
  if (t->set == NULL)
    wl_fail_out_of_memory(t->cfg->working_set * sizeof *t->set);
  for (uint64_t i = 0; i < t->cfg->working_set; i++)
    t->set[i] = churn_new_block(t);
}

static void churn_work(void *arg) {
  churn_thread_t *t = arg;
  uint64_t granted;
  while ((granted = wl_budget_claim(t->budget, CHURN_CHUNK)) != 0) {
    for (uint64_t i = 0; i < granted; i++) {
      wl_block_t *slot = &t->set[wl_rng_below(&t->rng, t->cfg->working_set)];
      wl_block_release(slot, &t->live);
      *slot = churn_new_block(t);
    }
  }
}

static void churn_teardown(void *arg) {
  churn_thread_t *t = arg;
  for (uint64_t i = 0; i < t->cfg->working_set; i++)
    wl_block_release(&t->set[i], &t->live);
  free(t->set);
}

int main(int argc, char **argv) {
  churn_config_t cfg = {
      .common = {.threads = 2, .seconds = 2.0, .seed = 1},
      .size = 64 * 1024,
      .working_set = 2000,
  };
  const wl_arg_t args[] = {
      {"mode", WL_ARG_CHOICE, &cfg.mode, 0, 0, "fixed|around|wide",
       "sizes: --size; uniform 3/4..5/4 of it; log-uniform 1/8..4x of it"},
      {"size", WL_ARG_SIZE, &cfg.size, 8, 1ull << 28, NULL, "the central block size"},
      {"working-set", WL_ARG_COUNT, &cfg.working_set, 1, 1u << 24, NULL,
       "live blocks per thread"},
  };
  const wl_program_t program = {
      "churn64k",
      "Each thread keeps --working-set live blocks of about 64 KiB and replaces\n"
      "random ones: steady-state reuse of 64 KiB buffers.",
      "one block freed and one allocated in its place", args, sizeof args / sizeof args[0]};
  wl_args_parse(&program, &cfg.common, argc, argv);

  wl_budget_t budget;
  wl_budget_from_common(&budget, &cfg.common);
  size_t n = cfg.common.threads;
  churn_thread_t *threads = wl_team_alloc(n, sizeof *threads);
  for (size_t i = 0; i < n; i++) {
    threads[i] = (churn_thread_t){.cfg = &cfg, .budget = &budget, .index = i};
    wl_rng_seed(&threads[i].rng, cfg.common.seed, i);
    wl_live_init(&threads[i].live, false);
  }
  static const wl_team_job_t job = {churn_setup, churn_work, churn_teardown};
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
