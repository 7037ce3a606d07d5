/* small-fast: the allocator's fast path. One thread mallocs a batch of small
 * blocks and frees them, either in reverse order (LIFO: the free list hands
 * the same blocks back) or in random order (the free list gets shuffled),
 * or alternating batches of both (mixed). Every block is filled and checked,
 * so the allocator cannot hand out a block twice unnoticed. Deterministic for
 * a given --seed and --ops: the harness counts its instructions under
 * callgrind. --threads N runs N independent copies. One operation = one
 * malloc and its free. */
#include <stdlib.h>

#include "args.h"
#include "block.h"
#include "budget.h"
#include "fail.h"
#include "live.h"
#include "result.h"
#include "rng.h"
#include "team.h"

enum { SF_MIXED, SF_LIFO, SF_RANDOM };

typedef struct sf_config_s {
  wl_common_t common;
  uint64_t min_size, max_size;
  uint64_t batch;
  int order;
} sf_config_t;

typedef struct sf_copy_s {
  _Alignas(64) const sf_config_t *cfg;
  wl_budget_t *budget;
  uint64_t index;
  uint64_t next_seq;
  uint64_t rounds;
  wl_rng_t rng;
  wl_live_t live;
  wl_block_t *batch;
} sf_copy_t;

static void sf_free_lifo(sf_copy_t *c, size_t n) {
  while (n > 0)
    wl_block_release(&c->batch[--n], &c->live);
}

/* Frees a random live block each time, moving the last into its place. */
static void sf_free_random(sf_copy_t *c, size_t n) {
  while (n > 0) {
    size_t i = wl_rng_below(&c->rng, n);
    wl_block_release(&c->batch[i], &c->live);
    c->batch[i] = c->batch[--n];
  }
}

static void sf_round(sf_copy_t *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    size_t size = wl_rng_range(&c->rng, c->cfg->min_size, c->cfg->max_size);
    c->batch[i] = wl_block_new(size, wl_block_id(c->index, c->next_seq++), &c->live);
  }
  int order = c->cfg->order;
  if (order == SF_MIXED)
    order = c->rounds % 2 == 0 ? SF_LIFO : SF_RANDOM;
  if (order == SF_LIFO)
    sf_free_lifo(c, n);
  else
    sf_free_random(c, n);
  c->rounds++;
}

static void sf_work(void *arg) {
  sf_copy_t *c = arg;
  uint64_t granted;
  while ((granted = wl_budget_claim(c->budget, c->cfg->batch)) != 0)
    sf_round(c, granted);
}

int main(int argc, char **argv) {
  sf_config_t cfg = {
      .common = {.threads = 1, .seconds = 2.0, .seed = 1},
      .min_size = 8,
      .max_size = 256,
      .batch = 100,
  };
  const wl_arg_t args[] = {
      {"order", WL_ARG_CHOICE, &cfg.order, 0, 0, "mixed|lifo|random",
       "order of the frees in a batch (mixed: alternate batches)"},
      {"min-size", WL_ARG_SIZE, &cfg.min_size, 1, 1u << 20, NULL, "smallest block"},
      {"max-size", WL_ARG_SIZE, &cfg.max_size, 1, 1u << 20, NULL, "largest block"},
      {"batch", WL_ARG_COUNT, &cfg.batch, 1, 1u << 24, NULL,
       "blocks allocated before they are freed"},
  };
  const wl_program_t program = {
      "small-fast",
      "Single-threaded malloc/free of small blocks in batches, freed in LIFO or\n"
      "random order: the fast path. --threads N runs N independent copies.",
      "one malloc and its free", args, sizeof args / sizeof args[0]};
  wl_args_parse(&program, &cfg.common, argc, argv);
  wl_args_check_size_range(cfg.min_size, cfg.max_size);

  wl_budget_t budget;
  wl_budget_from_common(&budget, &cfg.common);
  size_t n = cfg.common.threads;
  sf_copy_t *copies = wl_team_alloc(n, sizeof *copies);
  for (size_t i = 0; i < n; i++) {
    copies[i] = (sf_copy_t){.cfg = &cfg, .budget = &budget, .index = i};
    wl_rng_seed(&copies[i].rng, cfg.common.seed, i);
    wl_live_init(&copies[i].live, false);
    copies[i].batch = malloc(cfg.batch * sizeof *copies[i].batch);
    if (copies[i].batch == NULL)
      wl_fail_out_of_memory(cfg.batch * sizeof *copies[i].batch);
  }
  static const wl_team_job_t job = {NULL, sf_work, NULL};
  double seconds = wl_team_run_same(&job, copies, sizeof *copies, n, &budget);

  uint64_t live_peak = 0;
  for (size_t i = 0; i < n; i++) {
    live_peak += wl_live_peak(&copies[i].live);
    free(copies[i].batch);
  }
  free(copies);

  wl_result_t r;
  wl_result_begin(&r, program.name, n, wl_budget_done(&budget), seconds, live_peak);
  wl_result_print(&r);
  return 0;
}
