#include "team.h"

#include <stdlib.h>
#include <string.h>

#include "barrier.h"
#include "fail.h"
#include "timing.h"

void wl_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg) {
  int err = pthread_create(thread, NULL, fn, arg);
  if (err != 0)
    wl_fail_system("pthread_create: %s", strerror(err));
}

void wl_thread_join(pthread_t thread) {
  int err = pthread_join(thread, NULL);
  if (err != 0)
    wl_fail_system("pthread_join: %s", strerror(err));
}

/* Three lines: all set up; clock started; all done. The clock must start
 * after the slowest setup, and before any member can claim work. */
typedef struct wl_team_lines_s {
  wl_barrier_t ready, go, done;
} wl_team_lines_t;

typedef struct wl_team_seat_s {
  const wl_team_member_t *member;
  wl_team_lines_t *lines;
} wl_team_seat_t;

static void *wl_team_member_main(void *arg) {
  const wl_team_seat_t *seat = arg;
  const wl_team_job_t *job = seat->member->job;
  void *ctx = seat->member->ctx;
  if (job->setup)
    job->setup(ctx);
  wl_barrier_wait(&seat->lines->ready);
  wl_barrier_wait(&seat->lines->go);
  job->work(ctx);
  wl_barrier_wait(&seat->lines->done);
  if (job->teardown)
    job->teardown(ctx);
  return NULL;
}

static double wl_team_run_inline(const wl_team_member_t *member, wl_budget_t *budget) {
  if (member->job->setup)
    member->job->setup(member->ctx);
  wl_budget_start(budget);
  uint64_t start = wl_now_ns();
  member->job->work(member->ctx);
  uint64_t end = wl_now_ns();
  if (member->job->teardown)
    member->job->teardown(member->ctx);
  return wl_seconds_between(start, end);
}

double wl_team_run(const wl_team_member_t *members, size_t n, wl_budget_t *budget) {
  if (n == 1)
    return wl_team_run_inline(&members[0], budget);
  wl_team_lines_t lines;
  wl_barrier_init(&lines.ready, (unsigned)n + 1);
  wl_barrier_init(&lines.go, (unsigned)n + 1);
  wl_barrier_init(&lines.done, (unsigned)n + 1);
  pthread_t *threads = malloc(n * sizeof *threads);
  wl_team_seat_t *seats = malloc(n * sizeof *seats);
  if (threads == NULL || seats == NULL)
    wl_fail_out_of_memory(n * (sizeof *threads + sizeof *seats));
  for (size_t i = 0; i < n; i++) {
    seats[i] = (wl_team_seat_t){&members[i], &lines};
    wl_thread_start(&threads[i], wl_team_member_main, &seats[i]);
  }
  wl_barrier_wait(&lines.ready);
  wl_budget_start(budget);
  uint64_t start = wl_now_ns();
  wl_barrier_wait(&lines.go);
  wl_barrier_wait(&lines.done);
  uint64_t end = wl_now_ns();
  for (size_t i = 0; i < n; i++)
    wl_thread_join(threads[i]);
  free(seats);
  free(threads);
  wl_barrier_destroy(&lines.ready);
  wl_barrier_destroy(&lines.go);
  wl_barrier_destroy(&lines.done);
  return wl_seconds_between(start, end);
}

double wl_team_run_same(const wl_team_job_t *job, void *ctxs, size_t ctx_size, size_t n,
                        wl_budget_t *budget) {
  wl_team_member_t *members = wl_team_alloc(n, sizeof *members);
  for (size_t i = 0; i < n; i++)
    members[i] = (wl_team_member_t){job, (char *)ctxs + i * ctx_size};
  double seconds = wl_team_run(members, n, budget);
  free(members);
  return seconds;
}

void *wl_team_alloc(size_t n, size_t size) {
  size_t bytes = (n * size + 63) / 64 * 64;
  void *p = aligned_alloc(64, bytes);
  if (p == NULL)
    wl_fail_out_of_memory(bytes);
  return memset(p, 0, bytes);
}

typedef struct wl_succession_s {
  int (*fn)(void *arg);
  void *arg;
  int again;
} wl_succession_t;

static void *wl_succession_main(void *arg) {
  wl_succession_t *s = arg;
  s->again = s->fn(s->arg);
  return NULL;
}

void wl_thread_succession(int (*fn)(void *arg), void *arg) {
  wl_succession_t s = {fn, arg, 1};
  while (s.again) {
    pthread_t t;
    wl_thread_start(&t, wl_succession_main, &s);
    wl_thread_join(t);
  }
}
