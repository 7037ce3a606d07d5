/* Process-wide counters: relaxed atomics, touched on slow paths only
 * (page, segment and OS events), except the free counters which each
 * thread batches per page event. */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

static _Atomic int64_t stats[STAT_COUNT];
static _Atomic int64_t segments_peak;

void stat_add(stat_t s, int64_t delta) {
  int64_t now = atomic_fetch_add_explicit(&stats[s], delta, memory_order_relaxed) + delta;
  if (s == STAT_SEGMENTS) {
    int64_t peak = atomic_load_explicit(&segments_peak, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak_explicit(&segments_peak, &peak, now, memory_order_relaxed,
                                                                 memory_order_relaxed)) {
    }
  }
}

int64_t stat_read(stat_t s) { return atomic_load_explicit(&stats[s], memory_order_relaxed); }

SA_API void sa_stats_get(sa_stats_t *out) {
  if (out == NULL) return;
  stats_flush_thread();
  out->segments = stat_read(STAT_SEGMENTS);
  out->segments_peak = atomic_load_explicit(&segments_peak, memory_order_relaxed);
  out->segments_cached = stat_read(STAT_SEGMENTS_CACHED);
  out->segments_abandoned = stat_read(STAT_SEGMENTS_ABANDONED);
  out->segments_reclaimed = stat_read(STAT_SEGMENTS_RECLAIMED);
  out->pages_small = stat_read(STAT_PAGES_SMALL);
  out->pages_medium = stat_read(STAT_PAGES_MEDIUM);
  out->pages_large = stat_read(STAT_PAGES_LARGE);
  out->pages_huge = stat_read(STAT_PAGES_HUGE);
  out->pages_retired = stat_read(STAT_PAGES_RETIRED);
  out->reserved_bytes = stat_read(STAT_RESERVED);
  out->committed_bytes = stat_read(STAT_COMMITTED);
  out->purged_bytes = stat_read(STAT_PURGED);
  out->local_frees = stat_read(STAT_LOCAL_FREES);
  out->remote_frees = stat_read(STAT_REMOTE_FREES);
  out->threads = stat_read(STAT_THREADS);
}

/* One `segalloc: <field> <value>` line per statistic: easy for people to
 * read and for scripts to grep. Formatted on the stack, written with
 * write(2), so it works at exit and never allocates. */
SA_API void sa_stats_print(FILE *out) {
  if (out) fflush(out);
  stats_print_fd(out ? fileno(out) : 2);
}

void stats_print_fd(int fd) {
  sa_stats_t st;
  sa_stats_get(&st);
  sa_usage_t u; /* what the blocks hold now: a walk, not a counter */
  sa_usage_get(&u);
  const struct { const char *name; int64_t v; } rows[] = {
      {"segments", st.segments}, {"segments_peak", st.segments_peak},
      {"segments_cached", st.segments_cached}, {"segments_abandoned", st.segments_abandoned},
      {"segments_reclaimed", st.segments_reclaimed}, {"pages_small", st.pages_small},
      {"pages_medium", st.pages_medium}, {"pages_large", st.pages_large},
      {"pages_huge", st.pages_huge}, {"pages_retired", st.pages_retired},
      {"reserved_bytes", st.reserved_bytes}, {"committed_bytes", st.committed_bytes},
      {"purged_bytes", st.purged_bytes}, {"local_frees", st.local_frees},
      {"remote_frees", st.remote_frees}, {"threads", st.threads},
      {"in_use_bytes", (int64_t)u.in_use_bytes}, {"huge_bytes", (int64_t)u.huge_bytes},
      {"free_span_bytes", (int64_t)u.free_span_bytes},
  };
  char buf[2048];
  size_t n = 0;
  for (size_t i = 0; i < sizeof rows / sizeof rows[0] && n < sizeof buf - 64; i++)
    n += (size_t)snprintf(buf + n, sizeof buf - n, "segalloc: %s %lld\n", rows[i].name, (long long)rows[i].v);
  ssize_t w = write(fd < 0 ? 2 : fd, buf, n);
  (void)w;
}
