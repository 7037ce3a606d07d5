/* threadchurn: threads are created and end all the time. Each short-lived
 * thread mallocs --blocks blocks, frees as many blocks left behind by
 * earlier threads (taken from a shared bounded queue), hands its own blocks
 * to the queue and ends. So every block outlives the thread that made it and
 * is freed by another: the allocator's thread-exit path (what happens to a
 * heap that still owns live blocks) and its remote frees, under churn.
 * --threads lanes run such threads side by side. One operation = one block
 * allocated (and, later, freed by another thread). */
#include <stdlib.h>

#include "args.h"
#include "block.h"
#include "budget.h"
#include "fail.h"
#include "latency.h"
#include "live.h"
#include "queue.h"
#include "result.h"
#include "rng.h"
#include "team.h"

typedef struct tc_config_s {
  wl_common_t common;
  uint64_t blocks;
  uint64_t min_size, max_size;
  uint64_t sample_every;
  const char *latency_cdf;
} tc_config_t;

typedef struct tc_shared_s {
  wl_queue_t queue;   /* blocks whose maker has ended or is ending */
  wl_live_t live;     /* shared: counted in by the maker, out by another */
  wl_budget_t budget;
} tc_shared_t;

/* One lane of successive threads; touched by one thread at a time. */
typedef struct tc_lane_s {
  _Alignas(64) const tc_config_t *cfg;
  tc_shared_t *shared;
  uint64_t index;
  uint64_t next_seq;
  uint64_t threads_created;
  uint64_t own_frees; /* blocks its maker had to free: the queue was full */
  wl_rng_t rng;
  wl_latency_t latency;
  wl_block_t *made; /* this thread's blocks, before they go to the queue */
} tc_lane_t;

/* A short-lived thread: make, free others', hand over, end. */
static int tc_worker(void *arg) {
  tc_lane_t *lane = arg;
  tc_shared_t *shared = lane->shared;
  uint64_t granted = wl_budget_claim(&shared->budget, lane->cfg->blocks);
  if (granted == 0)
    return 0;
  lane->threads_created++;
  for (uint64_t i = 0; i < granted; i++) {
    size_t size = wl_rng_log_range(&lane->rng, lane->cfg->min_size, lane->cfg->max_size);
    lane->made[i] = wl_block_new(size, wl_block_id(lane->index, lane->next_seq++), &shared->live);
  }
  /* Taking up to twice what it adds keeps the queue short: a thread that
   * finds it momentarily empty (another is between its pops and pushes)
   * adds more than it takes, and the next ones make up for it. */
  wl_block_t old;
  for (uint64_t i = 0; i < 2 * granted && wl_queue_try_pop(&shared->queue, &old); i++) {
    wl_block_retire(&old, &shared->live);
    wl_latency_free(&lane->latency, old.ptr);
  }
  /* The queue has room for twice lanes x --blocks; should it still be full,
   * the maker frees the rest itself (reported as own_frees). */
  for (uint64_t i = 0; i < granted; i++)
    if (!wl_queue_try_push(&shared->queue, &lane->made[i])) {
      wl_block_release(&lane->made[i], &shared->live);
      lane->own_frees++;
    }
  return 1;
}

static void tc_work(void *arg) { wl_thread_succession(tc_worker, arg); }

int main(int argc, char **argv) {
  tc_config_t cfg = {
      .common = {.threads = 2, .seconds = 2.0, .seed = 1},
      .blocks = 64,
      .min_size = 16,
      .max_size = 4096,
      .sample_every = 1,
  };
  const wl_arg_t args[] = {
      {"blocks", WL_ARG_COUNT, &cfg.blocks, 1, 1u << 20, NULL,
       "blocks each short-lived thread makes (it frees up to twice as many of others')"},
      {"min-size", WL_ARG_SIZE, &cfg.min_size, 1, 1ull << 30, NULL, "smallest block"},
      {"max-size", WL_ARG_SIZE, &cfg.max_size, 1, 1ull << 30, NULL,
       "largest block (sizes are log-uniform)"},
      {"sample-every", WL_ARG_COUNT, &cfg.sample_every, 1, 1u << 20, NULL,
       "time one free in N"},
      {"latency-cdf", WL_ARG_PATH, &cfg.latency_cdf, 0, 0, NULL,
       "write the free latency CDF (ns,cumulative_fraction) to FILE"},
  };
  const wl_program_t program = {
      "threadchurn",
      "Short-lived threads each make blocks that outlive them and free blocks\n"
      "that ended threads made: thread exit and remote frees under churn.",
      "one block allocated (later freed by another thread)", args, sizeof args / sizeof args[0]};
  wl_args_parse(&program, &cfg.common, argc, argv);
  wl_args_check_size_range(cfg.min_size, cfg.max_size);
  FILE *cdf = wl_latency_open_cdf(cfg.latency_cdf);

  size_t n = cfg.common.threads;
  tc_shared_t shared;
  wl_queue_init(&shared.queue, 2 * n * cfg.blocks);
  wl_live_init(&shared.live, true);
  wl_budget_from_common(&shared.budget, &cfg.common);
  tc_lane_t *lanes = wl_team_alloc(n, sizeof *lanes);
  for (size_t i = 0; i < n; i++) {
    lanes[i] = (tc_lane_t){.cfg = &cfg, .shared = &shared, .index = i};
    wl_rng_seed(&lanes[i].rng, cfg.common.seed, i);
    wl_latency_init(&lanes[i].latency, (uint32_t)cfg.sample_every);
    lanes[i].made = malloc(cfg.blocks * sizeof *lanes[i].made);
    if (lanes[i].made == NULL)
      wl_fail_out_of_memory(cfg.blocks * sizeof *lanes[i].made);
  }
  static const wl_team_job_t job = {NULL, tc_work, NULL};
  double seconds = wl_team_run_same(&job, lanes, sizeof *lanes, n, &shared.budget);

  /* What the last threads left behind is freed here, untimed. */
  wl_block_t old;
  while (wl_queue_try_pop(&shared.queue, &old))
    wl_block_release(&old, &shared.live);
  wl_queue_destroy(&shared.queue);

  wl_hist_t all;
  wl_hist_init(&all);
  uint64_t threads_created = 0, own_frees = 0;
  for (size_t i = 0; i < n; i++) {
    wl_hist_merge(&all, &lanes[i].latency.hist);
    threads_created += lanes[i].threads_created;
    own_frees += lanes[i].own_frees;
    free(lanes[i].made);
  }
  free(lanes);

  wl_result_t r;
  wl_result_begin(&r, program.name, n, wl_budget_done(&shared.budget), seconds,
                  wl_live_peak(&shared.live));
  wl_latency_report(&r, &all, cdf);
  wl_result_add_u64(&r, "threads_created", threads_created);
  wl_result_add_u64(&r, "own_frees", own_frees);
  wl_result_print(&r);
  return 0;
}
