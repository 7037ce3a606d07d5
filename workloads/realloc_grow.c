/* realloc-grow: buffers grown by realloc, many at once, as vectors (capacity
 * doubled: 16 B, 32 B, ... up to --max-size) and string builders (a few
 * bytes appended at a time) do. Each step picks a buffer at random and grows
 * it; a buffer past --max-size is checked, freed and started again at 16 B.
 * After every realloc the ends of the carried-over data are checked and the
 * pattern is extended over the new bytes; the full check before the free
 * proves that every page survived every move. Deterministic for a given
 * --seed and --ops. One operation = one realloc (or one restart). */
#include <stdlib.h>

#include "args.h"
#include "block.h"
#include "budget.h"
#include "fail.h"
#include "live.h"
#include "result.h"
#include "rng.h"
#include "team.h"

#define RG_CHUNK 64
#define RG_START_SIZE 16

enum { RG_MIXED, RG_VECTOR, RG_STRING };

typedef struct rg_config_s {
  wl_common_t common;
  uint64_t buffers;
  uint64_t max_size;
  uint64_t append;
  int mode;
} rg_config_t;

typedef struct rg_buffer_s {
  wl_block_t block;
  bool vector; /* doubles; else appends */
} rg_buffer_t;

typedef struct rg_copy_s {
  _Alignas(64) const rg_config_t *cfg;
  wl_budget_t *budget;
  uint64_t index;
  uint64_t next_seq;
  wl_rng_t rng;
  wl_live_t live;
  rg_buffer_t *buffers;
} rg_copy_t;

static void rg_start(rg_copy_t *c, rg_buffer_t *buf) {
  buf->block = wl_block_new(RG_START_SIZE, wl_block_id(c->index, c->next_seq++), &c->live);
}

static void rg_step(rg_copy_t *c, rg_buffer_t *buf) {
  wl_block_t *b = &buf->block;
  size_t old_size = b->size;
  size_t new_size =
      buf->vector ? 2 * old_size : old_size + wl_rng_range(&c->rng, 1, 2 * c->cfg->append - 1);
  if (new_size > c->cfg->max_size) {
    wl_block_release(b, &c->live);
    rg_start(c, buf);
    return;
  }
  void *p = realloc(b->ptr, new_size);
  if (p == NULL)
    wl_fail_out_of_memory(new_size);
  wl_block_check_ends(p, old_size, b->id);
  wl_block_grow(p, old_size, new_size, b->id);
  wl_live_add(&c->live, new_size - old_size);
  *b = (wl_block_t){p, new_size, b->id};
}

static void rg_setup(void *arg) {
  rg_copy_t *c = arg;
  c->buffers = malloc(c->cfg->buffers * sizeof *c->buffers);
  if (c->buffers == NULL)
    wl_fail_out_of_memory(c->cfg->buffers * sizeof *c->buffers);
  for (uint64_t i = 0; i < c->cfg->buffers; i++) {
    c->buffers[i].vector = c->cfg->mode == RG_MIXED ? i % 2 == 0 : c->cfg->mode == RG_VECTOR;
    rg_start(c, &c->buffers[i]);
  }
}

static void rg_work(void *arg) {
  rg_copy_t *c = arg;
  uint64_t granted;
  while ((granted = wl_budget_claim(c->budget, RG_CHUNK)) != 0)
    for (uint64_t i = 0; i < granted; i++)
      rg_step(c, &c->buffers[wl_rng_below(&c->rng, c->cfg->buffers)]);
}

static void rg_teardown(void *arg) {
  rg_copy_t *c = arg;
  for (uint64_t i = 0; i < c->cfg->buffers; i++)
    wl_block_release(&c->buffers[i].block, &c->live);
  free(c->buffers);
}

int main(int argc, char **argv) {
  rg_config_t cfg = {
      .common = {.threads = 1, .seconds = 2.0, .seed = 1},
      .buffers = 64,
      .max_size = 4u << 20,
      .append = 64,
  };
  const wl_arg_t args[] = {
      {"mode", WL_ARG_CHOICE, &cfg.mode, 0, 0, "mixed|vector|string",
       "buffers double (vector), append (string), or half of each (mixed)"},
      {"buffers", WL_ARG_COUNT, &cfg.buffers, 1, 1u << 20, NULL, "buffers growing at once"},
      {"max-size", WL_ARG_SIZE, &cfg.max_size, 32, 1ull << 32, NULL,
       "a buffer that would grow past this starts again"},
      {"append", WL_ARG_SIZE, &cfg.append, 1, 1u << 20, NULL,
       "mean bytes a string builder appends per step (uniform 1..2N-1)"},
  };
  const wl_program_t program = {
      "realloc-grow",
      "Many buffers grown by realloc from 16 B to --max-size, doubling like vectors\n"
      "or appending like string builders; contents checked across every move.",
      "one realloc (or one restart of a full buffer)", args, sizeof args / sizeof args[0]};
  wl_args_parse(&program, &cfg.common, argc, argv);

  wl_budget_t budget;
  wl_budget_from_common(&budget, &cfg.common);
  size_t n = cfg.common.threads;
  rg_copy_t *copies = wl_team_alloc(n, sizeof *copies);
  for (size_t i = 0; i < n; i++) {
    copies[i] = (rg_copy_t){.cfg = &cfg, .budget = &budget, .index = i};
    wl_rng_seed(&copies[i].rng, cfg.common.seed, i);
    wl_live_init(&copies[i].live, false);
  }
  static const wl_team_job_t job = {rg_setup, rg_work, rg_teardown};
  double seconds = wl_team_run_same(&job, copies, sizeof *copies, n, &budget);

  uint64_t live_peak = 0;
  for (size_t i = 0; i < n; i++)
    live_peak += wl_live_peak(&copies[i].live);
  free(copies);

  wl_result_t r;
  wl_result_begin(&r, program.name, n, wl_budget_done(&budget), seconds, live_peak);
  wl_result_print(&r);
  return 0;
}
