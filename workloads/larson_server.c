/* larson-server: a server simulation in the spirit of Larson and Krishnan's
 * benchmark. Each of --threads lanes owns a table of --slots blocks. A worker
 * thread replaces random slots (free the old block, malloc a new one of a
 * random size) --round-ops times, then ends, and a new thread takes over the
 * same table: like a server whose requests are handled by successive
 * threads, each inheriting the objects its predecessor left. Frees of
 * inherited blocks are frees of memory allocated by a thread that has ended;
 * those are the cross-thread frees whose latency is reported. One operation
 * = one slot replaced. */
#include <stdlib.h>

#include "args.h"
#include "block.h"
#include "budget.h"
#include "fail.h"
#include "latency.h"
#include "live.h"
#include "result.h"
#include "rng.h"
#include "team.h"

#define LARSON_CHUNK 64

typedef struct larson_config_s {
  wl_common_t common;
  uint64_t slots;
  uint64_t round_ops;
  uint64_t min_size, max_size;
  uint64_t sample_every;
  const char *latency_cdf;
} larson_config_t;

/* Touched by one thread at a time: the lane's current worker, whose start
 * and end (pthread_create / pthread_join) order it with the next one. */
typedef struct larson_lane_s {
  _Alignas(64) const larson_config_t *cfg;
  wl_budget_t *budget;
  uint64_t index;
  uint64_t next_seq;
  uint64_t threads_created;
  wl_rng_t rng;
  wl_live_t live;
  wl_block_t *slots;
  wl_latency_t latency;
} larson_lane_t;

static wl_block_t larson_new_block(larson_lane_t *lane) {
  size_t size = wl_rng_range(&lane->rng, lane->cfg->min_size, lane->cfg->max_size);
  return wl_block_new(size, wl_block_id(lane->index, lane->next_seq++), &lane->live);
}

/* One worker thread's life: replace slots until its round or the budget
 * ends. Returns whether a successor should follow. */
static int larson_worker(void *arg) {
  larson_lane_t *lane = arg;
  lane->threads_created++;
  /* Blocks with a lower sequence number were made by earlier threads. */
  uint64_t first_own_seq = lane->next_seq;
  uint64_t done = 0;
  while (done < lane->cfg->round_ops) {
    uint64_t want = lane->cfg->round_ops - done;
    uint64_t granted = wl_budget_claim(lane->budget, want < LARSON_CHUNK ? want : LARSON_CHUNK);
    if (granted == 0)
      return 0;
    for (uint64_t i = 0; i < granted; i++) {
      wl_block_t *slot = &lane->slots[wl_rng_below(&lane->rng, lane->cfg->slots)];
      wl_block_retire(slot, &lane->live);
      if (wl_block_seq(slot->id) < first_own_seq)
        wl_latency_free(&lane->latency, slot->ptr);
      else
        free(slot->ptr);
      *slot = larson_new_block(lane);
    }
    done += granted;
  }
  return 1;
}

static void larson_setup(void *arg) {
  larson_lane_t *lane = arg;
  lane->slots = malloc(lane->cfg->slots * sizeof *lane->slots);
  if (lane->slots == NULL)
    wl_fail_out_of_memory(lane->cfg->slots * sizeof *lane->slots);
  for (uint64_t i = 0; i < lane->cfg->slots; i++)
    lane->slots[i] = larson_new_block(lane);
}

static void larson_work(void *arg) { wl_thread_succession(larson_worker, arg); }

static void larson_teardown(void *arg) {
  larson_lane_t *lane = arg;
  for (uint64_t i = 0; i < lane->cfg->slots; i++)
    wl_block_release(&lane->slots[i], &lane->live);
  free(lane->slots);
}

int main(int argc, char **argv) {
  larson_config_t cfg = {
      .common = {.threads = 2, .seconds = 2.0, .seed = 1},
      .slots = 1000,
      .round_ops = 10000,
      .min_size = 8,
      .max_size = 1000,
      .sample_every = 1,
  };
  const wl_arg_t args[] = {
      {"slots", WL_ARG_COUNT, &cfg.slots, 1, 1u << 24, NULL, "live blocks per lane"},
      {"round-ops", WL_ARG_COUNT, &cfg.round_ops, 1, 1ull << 40, NULL,
       "slots a worker thread replaces before it ends and a new one takes over"},
      {"min-size", WL_ARG_SIZE, &cfg.min_size, 1, 1ull << 30, NULL, "smallest block"},
      {"max-size", WL_ARG_SIZE, &cfg.max_size, 1, 1ull << 30, NULL, "largest block"},
      {"sample-every", WL_ARG_COUNT, &cfg.sample_every, 1, 1u << 20, NULL,
       "time one free of an inherited block in N"},
      {"latency-cdf", WL_ARG_PATH, &cfg.latency_cdf, 0, 0, NULL,
       "write the free latency CDF (ns,cumulative_fraction) to FILE"},
  };
  const wl_program_t program = {
      "larson-server",
      "Lanes of successive worker threads replace random blocks in a shared table;\n"
      "each worker inherits the blocks of the one before it (after Larson).",
      "one slot replaced (a free and a malloc)", args, sizeof args / sizeof args[0]};
  wl_args_parse(&program, &cfg.common, argc, argv);
  wl_args_check_size_range(cfg.min_size, cfg.max_size);
  FILE *cdf = wl_latency_open_cdf(cfg.latency_cdf);

  wl_budget_t budget;
  wl_budget_from_common(&budget, &cfg.common);
  size_t n = cfg.common.threads;
  larson_lane_t *lanes = wl_team_alloc(n, sizeof *lanes);
  for (size_t i = 0; i < n; i++) {
    lanes[i] = (larson_lane_t){.cfg = &cfg, .budget = &budget, .index = i};
    wl_rng_seed(&lanes[i].rng, cfg.common.seed, i);
    wl_live_init(&lanes[i].live, false);
    wl_latency_init(&lanes[i].latency, (uint32_t)cfg.sample_every);
  }
  static const wl_team_job_t job = {larson_setup, larson_work, larson_teardown};
  double seconds = wl_team_run_same(&job, lanes, sizeof *lanes, n, &budget);

  wl_hist_t all;
  wl_hist_init(&all);
  uint64_t live_peak = 0, threads_created = 0;
  for (size_t i = 0; i < n; i++) {
    wl_hist_merge(&all, &lanes[i].latency.hist);
    live_peak += wl_live_peak(&lanes[i].live);
    threads_created += lanes[i].threads_created;
  }
  free(lanes);

  wl_result_t r;
  wl_result_begin(&r, program.name, n, wl_budget_done(&budget), seconds, live_peak);
  wl_latency_report(&r, &all, cdf);
  wl_result_add_u64(&r, "threads_created", threads_created);
  wl_result_print(&r);
  return 0;
}
