/* Running a team of threads through a measured phase.
 *
 * Each member runs its job's setup (untimed: e.g. building a working set),
 * waits at the start line, runs `work` (timed), waits at the finish line,
 * then runs teardown (untimed: e.g. freeing what is left). The clock runs
 * from the moment the last member reaches the start line to the moment the
 * last one reaches the finish line. A team of one runs on the calling thread,
 * so that a single-threaded run creates no thread at all and its instruction
 * count under valgrind is reproducible. */
#ifndef WL_TEAM_H
#define WL_TEAM_H

#include <pthread.h>
#include <stddef.h>

#include "budget.h"

typedef struct wl_team_job_s {
  void (*setup)(void *ctx);    /* may be NULL */
  void (*work)(void *ctx);
  void (*teardown)(void *ctx); /* may be NULL */
} wl_team_job_t;

typedef struct wl_team_member_s {
  const wl_team_job_t *job;
  void *ctx;
} wl_team_member_t;

/* Runs the members and returns the seconds of the work phase; the budget's
 * clock starts with it. */
double wl_team_run(const wl_team_member_t *members, size_t n, wl_budget_t *budget);

/* The same job for n contexts laid out ctx_size bytes apart. */
double wl_team_run_same(const wl_team_job_t *job, void *ctxs, size_t ctx_size, size_t n,
                        wl_budget_t *budget);

/* A zeroed array of n per-thread contexts, each starting on its own cache
 * line (give the context type _Alignas(64)), so that threads' private
 * counters do not share lines. Exits on out of memory; free() it. */
void *wl_team_alloc(size_t n, size_t size);

/* Thread creation and join that exit with a message on failure. */
void wl_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);
void wl_thread_join(pthread_t thread);

/* Runs fn(arg) on a fresh thread, again and again, each thread ending before
 * the next starts, until fn returns false: threads that inherit their
 * predecessor's state. */
void wl_thread_succession(int (*fn)(void *arg), void *arg);

#endif
