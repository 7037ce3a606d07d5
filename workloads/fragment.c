/* fragment: can the allocator reuse memory that small blocks left sparsely
 * used? Each copy (one per --threads) allocates --ops small blocks, frees
 * all but one in --keep-every (so every page keeps a few live blocks and
 * none can be returned whole), then allocates larger blocks until its live
 * bytes are back at their peak. An allocator that cannot put the large
 * blocks into the holes grows: compare rss_end_kib with rss_peak_kib and
 * with live_end_bytes. Deterministic for a given --seed and --ops (block
 * sizes are a hash of the seed and the block's index), so the harness can
 * count its instructions. One operation = one small block (with its share
 * of the frees and of the large blocks). */
#include <stdlib.h>

#include "args.h"
#include "block.h"
#include "budget.h"
#include "fail.h"
#include "live.h"
#include "result.h"
#include "rng.h"
#include "rss.h"
#include "team.h"

#define FRAG_CHUNK 256

typedef struct frag_config_s {
  wl_common_t common;
  uint64_t small_min, small_max;
  uint64_t large_min, large_max;
  uint64_t keep_every;
} frag_config_t;

typedef struct frag_copy_s {
  _Alignas(64) const frag_config_t *cfg;
  wl_budget_t *budget;
  uint64_t index;
  wl_rng_t rng; /* large sizes */
  wl_live_t live;
  void **small;   /* sizes and ids of small blocks follow from their index */
  size_t n_small, small_room;
  wl_block_t *large;
  size_t n_large, large_room;
  uint64_t rss_small_kib;  /* after the small blocks */
  uint64_t rss_sparse_kib; /* after thinning them out */
  uint64_t rss_end_kib;    /* after the large blocks */
} frag_copy_t;

/* Small block i's size: a hash, so that only its pointer needs storing and
 * the bookkeeping stays small next to the blocks it describes. */
static size_t frag_small_size(const frag_copy_t *c, size_t i) {
  uint64_t h = wl_mix64(c->cfg->common.seed ^ wl_mix64(wl_block_id(c->index, i)));
  return c->cfg->small_min + h % (c->cfg->small_max - c->cfg->small_min + 1);
}

static void *frag_grow(void *array, size_t *room, size_t elem) {
  *room = *room ? 2 * *room : 4096;
  array = realloc(array, *room * elem);
  if (array == NULL)
    wl_fail_out_of_memory(*room * elem);
  return array;
}

static void frag_allocate_small(frag_copy_t *c) {
  uint64_t granted;
  while ((granted = wl_budget_claim(c->budget, FRAG_CHUNK)) != 0)
    for (uint64_t i = 0; i < granted; i++) {
      if (c->n_small == c->small_room)
        c->small = frag_grow(c->small, &c->small_room, sizeof *c->small);
      size_t index = c->n_small++;
      c->small[index] = wl_block_new(frag_small_size(c, index), wl_block_id(c->index, index),
                                     &c->live).ptr;
    }
}

static wl_block_t frag_small_block(const frag_copy_t *c, size_t i) {
  return (wl_block_t){c->small[i], frag_small_size(c, i), wl_block_id(c->index, i)};
}

/* Frees all but every keep_every-th block, in allocation order, so the
 * survivors are spread evenly over the pages the small blocks filled. */
static void frag_thin_out(frag_copy_t *c) {
  for (size_t i = 0; i < c->n_small; i++)
    if (i % c->cfg->keep_every != 0) {
      wl_block_t b = frag_small_block(c, i);
      wl_block_release(&b, &c->live);
      c->small[i] = NULL;
    }
}

static void frag_refill_large(frag_copy_t *c) {
  uint64_t target = wl_live_peak(&c->live);
  /* Large ids follow the small ones in the same id space. */
  uint64_t seq = c->n_small;
  while (wl_live_now(&c->live) < target) {
    if (c->n_large == c->large_room)
      c->large = frag_grow(c->large, &c->large_room, sizeof *c->large);
    size_t size = wl_rng_range(&c->rng, c->cfg->large_min, c->cfg->large_max);
    c->large[c->n_large++] = wl_block_new(size, wl_block_id(c->index, seq++), &c->live);
  }
}

static void frag_work(void *arg) {
  frag_copy_t *c = arg;
  /* RSS is process-wide: with several copies each sample also sees the
   * others, and the report takes the largest. */
  frag_allocate_small(c);
  c->rss_small_kib = wl_rss_kib();
  frag_thin_out(c);
  c->rss_sparse_kib = wl_rss_kib();
  frag_refill_large(c);
  c->rss_end_kib = wl_rss_kib();
}

/* After the end RSS is taken: free what is left, checking it. */
static void frag_free_all(frag_copy_t *c) {
  for (size_t i = 0; i < c->n_small; i += c->cfg->keep_every) {
    wl_block_t b = frag_small_block(c, i);
    wl_block_release(&b, &c->live);
  }
  for (size_t i = 0; i < c->n_large; i++)
    wl_block_release(&c->large[i], &c->live);
  free(c->small);
  free(c->large);
}

int main(int argc, char **argv) {
  frag_config_t cfg = {
      .common = {.threads = 1, .ops = 4000000, .seed = 1},
      .small_min = 16,
      .small_max = 128,
      .large_min = 512,
      .large_max = 4096,
      .keep_every = 8,
  };
  const wl_arg_t args[] = {
      {"small-min", WL_ARG_SIZE, &cfg.small_min, 1, 1u << 20, NULL, "smallest small block"},
      {"small-max", WL_ARG_SIZE, &cfg.small_max, 1, 1u << 20, NULL, "largest small block"},
      {"large-min", WL_ARG_SIZE, &cfg.large_min, 1, 1ull << 30, NULL, "smallest large block"},
      {"large-max", WL_ARG_SIZE, &cfg.large_max, 1, 1ull << 30, NULL, "largest large block"},
      {"keep-every", WL_ARG_COUNT, &cfg.keep_every, 2, 1u << 20, NULL,
       "keep one small block in N, free the rest"},
  };
  const wl_program_t program = {
      "fragment",
      "Many small blocks, most freed so pages stay sparsely used, then larger blocks:\n"
      "peak and end RSS against live bytes. --ops is the number of small blocks.",
      "one small block (with its share of frees and large blocks)", args,
      sizeof args / sizeof args[0]};
  wl_args_parse(&program, &cfg.common, argc, argv);
  if (cfg.small_min > cfg.small_max || cfg.large_min > cfg.large_max)
    wl_fail_usage("--small-min/--large-min must not be larger than --small-max/--large-max");

  wl_budget_t budget;
  wl_budget_from_common(&budget, &cfg.common);
  size_t n = cfg.common.threads;
  frag_copy_t *copies = wl_team_alloc(n, sizeof *copies);
  for (size_t i = 0; i < n; i++) {
    copies[i] = (frag_copy_t){.cfg = &cfg, .budget = &budget, .index = i};
    wl_rng_seed(&copies[i].rng, cfg.common.seed, i);
    wl_live_init(&copies[i].live, false);
  }
  static const wl_team_job_t job = {NULL, frag_work, NULL};
  double seconds = wl_team_run_same(&job, copies, sizeof *copies, n, &budget);
  uint64_t rss_end = wl_rss_kib();

  uint64_t live_peak = 0, live_end = 0, rss_small = 0, rss_sparse = 0;
  for (size_t i = 0; i < n; i++) {
    live_peak += wl_live_peak(&copies[i].live);
    live_end += wl_live_now(&copies[i].live);
    rss_small = rss_small > copies[i].rss_small_kib ? rss_small : copies[i].rss_small_kib;
    rss_sparse = rss_sparse > copies[i].rss_sparse_kib ? rss_sparse : copies[i].rss_sparse_kib;
    rss_end = rss_end > copies[i].rss_end_kib ? rss_end : copies[i].rss_end_kib;
    frag_free_all(&copies[i]);
  }
  uint64_t rss_peak = rss_small > rss_end ? rss_small : rss_end;
  free(copies);

  wl_result_t r;
  wl_result_begin(&r, program.name, n, wl_budget_done(&budget), seconds, live_peak);
  wl_result_add_u64(&r, "rss_peak_kib", rss_peak);
  wl_result_add_u64(&r, "rss_end_kib", rss_end);
  wl_result_add_u64(&r, "live_end_bytes", live_end);
  wl_result_add_u64(&r, "rss_small_kib", rss_small);
  wl_result_add_u64(&r, "rss_sparse_kib", rss_sparse);
  wl_result_print(&r);
  return 0;
}
