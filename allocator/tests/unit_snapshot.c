/* sa_heap_snapshot after a known allocation pattern: counts per page kind
 * and state, used blocks, blocks waiting in thread_free and resident bytes;
 * then the SEGALLOC_MAP file and sa_stats_print, the two ways out. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "unit_test.h"

typedef struct tally_s {
  size_t pages[SA_PAGE_NONE + 1];
  size_t used_64b, pages_64b;
  size_t used_64k, pages_64k, thread_free_64k;
  size_t free_spans, purged_spans;
  size_t slices_total, segments_slices;
  size_t resident_64b, resident_huge, resident_purged, resident_over_span;
} tally_t;

static void count(const sa_span_info_t *sp, void *arg) {
  tally_t *t = arg;
  t->slices_total += sp->slices;
  if (sp->resident > (size_t)sp->slices * SLICE_SIZE) t->resident_over_span++;
  if (sp->state == SA_SPAN_FREE) t->free_spans++;
  if (sp->state == SA_SPAN_PURGED) {
    t->purged_spans++;
    t->resident_purged += sp->resident;
  }
  if (sp->state != SA_SPAN_PAGE) return;
  t->pages[sp->kind]++;
  if (sp->kind == SA_PAGE_HUGE) t->resident_huge += sp->resident;
  if (sp->block_size == 64) {
    t->resident_64b += sp->resident;
    t->pages_64b++;
    t->used_64b += sp->used;
  }
  if (sp->block_size >= 65536 && sp->block_size <= 65536 + 64) { /* 64 KiB blocks, padded stride */
    t->pages_64k++;
    t->used_64k += sp->used;
    t->thread_free_64k += sp->thread_free;
  }
}

static void *free_three(void *arg) {
  void **blocks = arg;
  for (int i = 0; i < 3; i++) sa_free(blocks[i]);
  return NULL;
}

static size_t read_all(int fd, char *buf, size_t size) {
  size_t n = 0;
  ssize_t r;
  while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0) n += (size_t)r;
  buf[n] = 0;
  return n;
}

static size_t count_lines_starting(const char *text, const char *prefix) {
  size_t n = 0, len = strlen(prefix);
  for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
    n += strncmp(l, prefix, len) == 0;
  return n;
}

/* SEGALLOC_MAP: the snapshots of a run go to one file under one header,
 * and the final tick closes it; a path that cannot be opened is reported
 * once on stderr and dropped, and the program goes on. */
static void check_map_file(void) {
  char path[] = "/tmp/unit_snapshot_mapXXXXXX", buf[65536];
  int fd = mkstemp(path);
  EXPECT(fd >= 0, "mkstemp");
  close(fd);
  snprintf(sa_map_path, sizeof sa_map_path, "%s", path);
  snapshot_map_tick(false);
  snapshot_map_tick(true);
  EXPECT(sa_map_path[0] == 0, "the final snapshot ends the map");
  fd = open(path, O_RDONLY);
  read_all(fd, buf, sizeof buf);
  close(fd);
  unlink(path);
  size_t lines = count_lines_starting(buf, ""), commas = 0;
  for (const char *c = buf; *c; c++) commas += *c == ',';
  EXPECT(count_lines_starting(buf, "time_ms,") == 1 && strncmp(buf, "time_ms,", 8) == 0, "one header, first");
  /* at least two spans a snapshot: the main heap's pages and the free rest */
  EXPECT(lines >= 1 + 2 * 2 && commas == lines * 13, "%zu lines of 14 fields after it:\n%.300s", lines, buf);

  snprintf(sa_map_path, sizeof sa_map_path, "/nonexistent-dir/map.csv");
  int pipe_fds[2], saved = dup(2);
  EXPECT(pipe(pipe_fds) == 0, "pipe");
  dup2(pipe_fds[1], 2);
  snapshot_map_tick(false);
  snapshot_map_tick(false);
  dup2(saved, 2);
  close(saved);
  close(pipe_fds[1]);
  read_all(pipe_fds[0], buf, sizeof buf);
  close(pipe_fds[0]);
  EXPECT(count_lines_starting(buf, "segalloc: cannot write SEGALLOC_MAP=/nonexistent-dir/map.csv: ") == 1,
         "an unwritable map path is reported once: '%s'", buf);
  EXPECT(sa_map_path[0] == 0, "and dropped");
}

/* sa_stats_print writes after what the FILE holds buffered: one
 * `segalloc: name value` line per statistic. */
static void check_stats_print(void) {
  char buf[4096];
  FILE *f = tmpfile();
  EXPECT(f != NULL, "tmpfile");
  fputs("before\n", f);
  sa_stats_print(f);
  fflush(f);
  lseek(fileno(f), 0, SEEK_SET);
  read_all(fileno(f), buf, sizeof buf);
  fclose(f);
  EXPECT(strncmp(buf, "before\nsegalloc: segments ", 26) == 0, "buffered text first, then the stats: %.60s", buf);
  EXPECT(count_lines_starting(buf, "segalloc: ") == 19, "19 statistics:\n%s", buf);
  EXPECT(strstr(buf, "\nsegalloc: segments_peak ") && strstr(buf, "\nsegalloc: remote_frees "),
         "named lines:\n%s", buf);
  /* The walk's lines say what sa_usage_get says (one thread: nothing moves between the two). */
  sa_usage_t u;
  sa_usage_get(&u);
  const char *line = strstr(buf, "\nsegalloc: in_use_bytes ");
  unsigned long long printed = 0;
  EXPECT(line && sscanf(line, "\nsegalloc: in_use_bytes %llu", &printed) == 1 && printed == u.in_use_bytes &&
             printed > 0,
         "in_use_bytes %llu printed, %zu by sa_usage_get", printed, u.in_use_bytes);
  EXPECT(strstr(buf, "\nsegalloc: huge_bytes ") && strstr(buf, "\nsegalloc: free_span_bytes "), "usage lines:\n%s", buf);
}

int main(void) {
  sa_option_set(SA_OPTION_PURGE_DELAY, 0); /* free spans are purged at once: state "purged" */
  void *small[100], *medium[20], *large[3];
  for (int i = 0; i < 100; i++) small[i] = sa_malloc(64);
  for (int i = 0; i < 20; i++) medium[i] = sa_malloc(65536);
  for (int i = 0; i < 3; i++) memset(large[i] = sa_malloc(300 * 1024), 2, 300 * 1024); /* over MEDIUM_BLOCK_MAX */
  void *huge = sa_malloc((size_t)40 << 20);
  memset(huge, 1, (size_t)1 << 20);

  /* Another thread frees three blocks of the second (not full) 64 KiB page:
   * a page of them holds 15 (page_slices). */
  pthread_t t;
  pthread_create(&t, NULL, free_three, &medium[16]);
  pthread_join(t, NULL);

  tally_t tl = {0};
  size_t segments = sa_heap_snapshot(count, &tl);
  EXPECT(segments == 2, "one normal and one huge segment expected, saw %zu", segments);
  EXPECT(tl.pages_64b == 1 && tl.used_64b == 100, "one 64 B page with 100 used: %zu pages, %zu used", tl.pages_64b,
         tl.used_64b);
  EXPECT(tl.pages[SA_PAGE_SMALL] == 1, "small pages: %zu", tl.pages[SA_PAGE_SMALL]);
  EXPECT(tl.pages_64k == 2 && tl.pages[SA_PAGE_MEDIUM] == 2, "two 64 KiB medium pages: %zu", tl.pages_64k);
  EXPECT(tl.used_64k == 20, "20 used 64 KiB blocks (remote frees not collected yet), saw %zu", tl.used_64k);
  EXPECT(tl.thread_free_64k == 3, "3 blocks waiting in thread_free, saw %zu", tl.thread_free_64k);
  EXPECT(tl.pages[SA_PAGE_LARGE] == 3, "large pages: %zu", tl.pages[SA_PAGE_LARGE]);
  EXPECT(tl.pages[SA_PAGE_HUGE] == 1, "huge pages: %zu", tl.pages[SA_PAGE_HUGE]);
  EXPECT(tl.purged_spans == 1 && tl.free_spans == 0, "the untouched tail is one purged span: %zu purged, %zu free",
         tl.purged_spans, tl.free_spans);
  /* Residency (mincore): the 64 B page's 6400 written bytes, the huge
   * block's first MiB and not its untouched rest, nothing purged, and no
   * span above its own size. */
  EXPECT(tl.resident_64b >= 6400 && tl.resident_64b <= SLICE_SIZE, "the 64 B page has %zu bytes resident",
         tl.resident_64b);
  EXPECT(tl.resident_huge >= ((size_t)1 << 20) && tl.resident_huge < ((size_t)40 << 20),
         "the huge page (1 MiB of 40 written) has %zu bytes resident", tl.resident_huge);
  EXPECT(tl.resident_purged == 0, "purged spans have %zu bytes resident", tl.resident_purged);
  EXPECT(tl.resident_over_span == 0, "%zu spans report more resident bytes than they span", tl.resident_over_span);

  /* Free the large blocks: their spans coalesce with the purged tail. */
  for (int i = 0; i < 3; i++) sa_free(large[i]);
  page_large_kept_release(heap_of_thread()); /* not kept for reuse (page_large_keep) */
  tally_t t2 = {0};
  sa_heap_snapshot(count, &t2);
  EXPECT(t2.pages[SA_PAGE_LARGE] == 0, "large pages after free: %zu", t2.pages[SA_PAGE_LARGE]);
  EXPECT(t2.purged_spans == 1, "freed large spans merge into the purged tail: %zu", t2.purged_spans);
  EXPECT(t2.resident_purged == 0, "purged (once written) large spans have %zu bytes resident", t2.resident_purged);

  /* The CSV writer produces one header and one row per span. */
  int fds[2];
  EXPECT(pipe(fds) == 0, "pipe");
  EXPECT(sa_heap_snapshot_write(fds[1], true) == 0, "snapshot write");
  close(fds[1]);
  char buf[65536];
  read_all(fds[0], buf, sizeof buf);
  close(fds[0]);
  size_t lines = count_lines_starting(buf, "");
  EXPECT(strncmp(buf, "time_ms,segment,owner,segment_slices,first_slice,slices,state,kind,block_size,capacity,"
                      "reserved,used,thread_free,resident\n", 122) == 0, "CSV header: %.130s", buf);
  EXPECT(lines >= 1 + 1 + 2 + 1 + 1, "header plus a row per span: %zu lines", lines);
  sa_free(huge);
  for (int i = 0; i < 100; i++) sa_free(small[i]);
  for (int i = 0; i < 16; i++) sa_free(medium[i]);
  check_map_file();
  check_stats_print();
  UNIT_DONE("unit_snapshot");
}
