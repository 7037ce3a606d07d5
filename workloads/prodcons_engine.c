/* Producer/consumer: P producers malloc and fill blocks and hand them over
 * bounded queues (one per consumer, fed round-robin) to C consumers that
 * check and free them. Every block is freed by a thread other than the one
 * that allocated it: this is the remote-free path of the allocator, timed
 * one free in --sample-every.
 *
 * Before the real run the same threads pass a dummy block through the same
 * queues without malloc or free; the time per item of that run is the
 * queue's own cost (queue_ns_per_op), so that the allocator's share of the
 * real run's time per item can be read off. */
#include "prodcons_engine.h"

#include <stdio.h>
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

/* Producers take this many blocks from the budget at a time. */
#define PC_CHUNK 32
#define PC_MAX_SIZE (1ull << 30)
#define PC_JITTER_MIN (48u * 1024)
#define PC_JITTER_MAX (80u * 1024)

enum { PC_DIST_UNIFORM, PC_DIST_LOG };

typedef struct pc_config_s {
  wl_common_t common;
  uint64_t producers, consumers, queue_depth;
  uint64_t min_size, max_size;
  int size_dist;
  bool size_jitter;
  uint64_t sample_every;
  uint64_t calibrate_items;
  const char *latency_cdf;
} pc_config_t;

typedef struct pc_run_s {
  const pc_config_t *cfg;
  wl_queue_t *queues; /* one per consumer */
  wl_budget_t budget;
  wl_live_t live;     /* shared: blocks are counted in by one thread, out by another */
  bool calibrating;   /* pass a dummy block: measure the queues alone */
} pc_run_t;

typedef struct pc_producer_s {
  _Alignas(64) pc_run_t *run;
  uint64_t index;
  wl_rng_t rng;
} pc_producer_t;

typedef struct pc_consumer_s {
  _Alignas(64) pc_run_t *run;
  uint64_t index;
  wl_latency_t latency;
} pc_consumer_t;

static size_t pc_pick_size(const pc_config_t *cfg, wl_rng_t *rng) {
  if (cfg->size_dist == PC_DIST_LOG)
    return wl_rng_log_range(rng, cfg->min_size, cfg->max_size);
  return wl_rng_range(rng, cfg->min_size, cfg->max_size);
}

static void pc_producer_work(void *arg) {
  pc_producer_t *self = arg;
  pc_run_t *run = self->run;
  const pc_config_t *cfg = run->cfg;
  static char dummy; /* what the calibration passes instead of a block */
  uint64_t consumer = self->index % cfg->consumers;
  uint64_t seq = 0;
  uint64_t granted;
  while ((granted = wl_budget_claim(&run->budget, PC_CHUNK)) != 0) {
    for (uint64_t i = 0; i < granted; i++, seq++) {
      wl_block_t b = {&dummy, 1, 0};
      if (!run->calibrating)
        b = wl_block_new(pc_pick_size(cfg, &self->rng), wl_block_id(self->index, seq), &run->live);
      wl_queue_push(&run->queues[consumer], &b);
      consumer = consumer + 1 == cfg->consumers ? 0 : consumer + 1;
    }
  }
  /* A NULL block tells a consumer that this producer is done; queues are
   * FIFO, so it arrives after all of this producer's blocks. */
  const wl_block_t stop = {NULL, 0, 0};
  for (uint64_t c = 0; c < cfg->consumers; c++)
    wl_queue_push(&run->queues[c], &stop);
}

static void pc_consumer_work(void *arg) {
  pc_consumer_t *self = arg;
  pc_run_t *run = self->run;
  wl_queue_t *queue = &run->queues[self->index];
  uint64_t stops = 0;
  while (stops < run->cfg->producers) {
    wl_block_t b;
    wl_queue_pop(queue, &b);
    if (b.ptr == NULL)
      stops++;
    else if (!run->calibrating) {
      wl_block_retire(&b, &run->live);
      wl_latency_free(&self->latency, b.ptr);
    }
  }
}

static const wl_team_job_t pc_producer_job = {NULL, pc_producer_work, NULL};
static const wl_team_job_t pc_consumer_job = {NULL, pc_consumer_work, NULL};

typedef struct pc_team_s {
  pc_producer_t *producers;
  pc_consumer_t *consumers;
  wl_team_member_t *members;
  size_t size;
} pc_team_t;

static void pc_team_init(pc_team_t *team, pc_run_t *run) {
  const pc_config_t *cfg = run->cfg;
  team->size = cfg->producers + cfg->consumers;
  team->producers = wl_team_alloc(cfg->producers, sizeof *team->producers);
  team->consumers = wl_team_alloc(cfg->consumers, sizeof *team->consumers);
  team->members = wl_team_alloc(team->size, sizeof *team->members);
  for (uint64_t p = 0; p < cfg->producers; p++) {
    team->producers[p] = (pc_producer_t){.run = run, .index = p};
    wl_rng_seed(&team->producers[p].rng, cfg->common.seed, p);
    team->members[p] = (wl_team_member_t){&pc_producer_job, &team->producers[p]};
  }
  for (uint64_t c = 0; c < cfg->consumers; c++) {
    team->consumers[c] = (pc_consumer_t){.run = run, .index = c};
    wl_latency_init(&team->consumers[c].latency, (uint32_t)cfg->sample_every);
    team->members[cfg->producers + c] = (wl_team_member_t){&pc_consumer_job, &team->consumers[c]};
  }
}

static void pc_team_destroy(pc_team_t *team) {
  free(team->members);
  free(team->consumers);
  free(team->producers);
}

/* One pass of the whole topology; returns its seconds. */
static double pc_run(pc_run_t *run, pc_team_t *team) {
  const pc_config_t *cfg = run->cfg;
  run->queues = wl_team_alloc(cfg->consumers, sizeof *run->queues);
  for (uint64_t c = 0; c < cfg->consumers; c++)
    wl_queue_init(&run->queues[c], cfg->queue_depth);
  double seconds = wl_team_run(team->members, team->size, &run->budget);
  for (uint64_t c = 0; c < cfg->consumers; c++)
    wl_queue_destroy(&run->queues[c]);
  free(run->queues);
  return seconds;
}

/* Nanoseconds per item of the queues alone, in this topology. */
static double pc_queue_cost(const pc_config_t *cfg) {
  pc_run_t run = {.cfg = cfg, .calibrating = true};
  wl_budget_init(&run.budget, cfg->calibrate_items, 0);
  wl_live_init(&run.live, true);
  pc_team_t team;
  pc_team_init(&team, &run);
  double seconds = pc_run(&run, &team);
  pc_team_destroy(&team);
  return seconds * 1e9 / (double)cfg->calibrate_items;
}

static void pc_resolve(pc_config_t *cfg, const pc_defaults_t *d) {
  /* --threads N splits into producers and consumers unless they are given. */
  uint64_t n = cfg->common.threads;
  if (cfg->producers == 0)
    cfg->producers = (n + 1) / 2;
  if (cfg->consumers == 0)
    cfg->consumers = n - (n + 1) / 2 > 0 ? n - (n + 1) / 2 : 1;
  if (cfg->size_jitter) {
    if (cfg->min_size != d->min_size || cfg->max_size != d->max_size)
      wl_fail_usage("--size-jitter sets the sizes (48K to 80K): leave out --min-size/--max-size");
    cfg->min_size = PC_JITTER_MIN;
    cfg->max_size = PC_JITTER_MAX;
  }
  wl_args_check_size_range(cfg->min_size, cfg->max_size);
}

int pc_main(const pc_defaults_t *d, int argc, char **argv) {
  pc_config_t cfg = {
      .common = {.threads = 4, .seconds = 2.0, .seed = 1},
      .queue_depth = d->queue_depth,
      .min_size = d->min_size,
      .max_size = d->max_size,
      .sample_every = d->sample_every,
      .calibrate_items = 50000,
  };
  const wl_arg_t args[] = {
      {"producers", WL_ARG_COUNT, &cfg.producers, 1, 512, NULL,
       "producer threads (default: half of --threads, rounded up)"},
      {"consumers", WL_ARG_COUNT, &cfg.consumers, 1, 512, NULL,
       "consumer threads (default: the rest of --threads, at least 1)"},
      {"queue-depth", WL_ARG_COUNT, &cfg.queue_depth, 1, 1u << 20, NULL,
       "capacity of each consumer's queue, in blocks"},
      {"min-size", WL_ARG_SIZE, &cfg.min_size, 1, PC_MAX_SIZE, NULL, "smallest block"},
      {"max-size", WL_ARG_SIZE, &cfg.max_size, 1, PC_MAX_SIZE, NULL, "largest block"},
      {"size-dist", WL_ARG_CHOICE, &cfg.size_dist, 0, 0, "uniform|log",
       "sizes uniform in bytes, or log-uniform (each power of two alike)"},
      {"sample-every", WL_ARG_COUNT, &cfg.sample_every, 1, 1u << 20, NULL,
       "time one free in N"},
      {"calibrate-items", WL_ARG_COUNT, &cfg.calibrate_items, 0, 1ull << 32, NULL,
       "items for measuring the queues alone (0: skip, no queue_ns_per_op)"},
      {"latency-cdf", WL_ARG_PATH, &cfg.latency_cdf, 0, 0, NULL,
       "write the free latency CDF (ns,cumulative_fraction) to FILE"},
      {"size-jitter", WL_ARG_SWITCH, &cfg.size_jitter, 0, 0, NULL,
       "sizes uniform in 48K..80K around 64K"},
  };
  wl_program_t program = {
      d->name, d->summary, "one block allocated, passed, checked and freed", args,
      sizeof args / sizeof args[0] - (d->has_size_jitter ? 0 : 1)};
  wl_args_parse(&program, &cfg.common, argc, argv);
  pc_resolve(&cfg, d);
  FILE *cdf = wl_latency_open_cdf(cfg.latency_cdf);

  double queue_ns = cfg.calibrate_items ? pc_queue_cost(&cfg) : 0;

  pc_run_t run = {.cfg = &cfg};
  wl_budget_from_common(&run.budget, &cfg.common);
  wl_live_init(&run.live, true);
  pc_team_t team;
  pc_team_init(&team, &run);
  double seconds = pc_run(&run, &team);

  wl_hist_t all;
  wl_hist_init(&all);
  for (uint64_t c = 0; c < cfg.consumers; c++)
    wl_hist_merge(&all, &team.consumers[c].latency.hist);
  pc_team_destroy(&team);
  if (wl_live_now(&run.live) != 0)
    wl_fail_system("internal error: %llu bytes never freed",
                   (unsigned long long)wl_live_now(&run.live));

  wl_result_t r;
  wl_result_begin(&r, d->name, cfg.producers + cfg.consumers, wl_budget_done(&run.budget), seconds,
                  wl_live_peak(&run.live));
  wl_latency_report(&r, &all, cdf);
  if (cfg.calibrate_items)
    wl_result_add_f64(&r, "queue_ns_per_op", queue_ns);
  wl_result_print(&r);
  return 0;
}
