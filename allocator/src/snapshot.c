/* Introspection: a walk over every segment and span of the process, for
 * sa_heap_snapshot and the SEGALLOC_MAP files the harness renders. Other
 * threads keep running: page counters are read as they are at that moment
 * (relaxed, possibly torn between fields); a thread_free list is not
 * walked, its freers count it (tf_count). Residency comes from mincore,
 * one call per span. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

typedef struct walk_s {
  sa_span_visitor *visit;
  void *arg;
  bool resident; /* ask mincore (a system call a span) */
} walk_t;

static uint32_t count_thread_free(const page_t *page) {
  uintptr_t tf = atomic_load_explicit(&((page_t *)page)->thread_free, memory_order_acquire);
  uint64_t purged = atomic_load_explicit(&((page_t *)page)->purged_mask, memory_order_relaxed);
  return tf_count(tf) + page_purged_blocks(page, purged);
}

static void describe_free(const segment_t *s, size_t i, size_t n, sa_span_info_t *out) {
  size_t kept = 0;
  for (size_t k = i; k < i + n; k++) kept += !segment_slice_purged(s, k);
  out->state = kept == 0 ? SA_SPAN_PURGED : SA_SPAN_FREE;
  out->kind = SA_PAGE_NONE;
  out->committed = kept << SLICE_SHIFT;
}

static void describe_page(const page_t *page, sa_span_info_t *out) {
  out->state = SA_SPAN_PAGE;
  out->kind = (sa_page_kind_t)page->kind;
  out->block_size = page->block_size;
  out->capacity = page->capacity;
  out->reserved = page->reserved;
  /* used and pinned are read apart while the owner may change both (pin:
   * 0 and 1 against used 0 would read -1). */
  uint32_t used = page->used, pinned = page->pinned;
  out->used = used > pinned ? used - pinned : 0;
  out->thread_free = count_thread_free(page);
  out->committed = ((size_t)page->slice_count << SLICE_SHIFT) - ((size_t)page->tail_uncommitted_4k << 12);
}

static void walk_segment(const segment_t *s, void *arg) {
  walk_t *w = arg;
  size_t slices = s->kind == SEGMENT_HUGE ? s->segment_size >> SLICE_SHIFT : s->slice_entries;
  for (size_t i = SEGMENT_HEADER_SLICES; i < s->slice_entries;) {
    const slice_t *sl = &s->slices[i];
    size_t n = segment_tile_slices(s, i);
    sa_span_info_t info = {0};
    info.segment = s;
    info.owner = atomic_load_explicit(&((segment_t *)s)->thread_id, memory_order_relaxed);
    info.segment_slices = slices;
    info.first_slice = (uint32_t)i;
    info.slices = (uint32_t)n;
    if (sl->is_used) describe_page(sl, &info);
    else describe_free(s, i, n, &info);
    if (w->resident) info.resident = os_resident_bytes((const uint8_t *)s + (i << SLICE_SHIFT), n << SLICE_SHIFT);
    w->visit(&info, w->arg);
    i += n;
  }
}

SA_API size_t sa_heap_snapshot(sa_span_visitor *visit, void *arg) {
  if (visit == NULL) return 0;
  walk_t w = {visit, arg, true};
  return segments_walk(walk_segment, &w);
}

/* ---- usage (mallinfo2) ----------------------------------------------------- */

static void usage_add(const sa_span_info_t *sp, void *arg) {
  sa_usage_t *u = arg;
  if (sp->state != SA_SPAN_PAGE) {
    if (sp->committed == 0) return;
    u->free_span_bytes += sp->committed;
    u->free_spans++;
    return;
  }
  size_t live = sp->used > sp->thread_free ? sp->used - sp->thread_free : 0;
  if (sp->kind == SA_PAGE_HUGE) {
    u->huge_blocks += live;
    u->huge_bytes += sp->committed;
  } else {
    u->in_use_bytes += live * sp->block_size;
  }
}

SA_API void sa_usage_get(sa_usage_t *out) {
  if (out == NULL) return;
  *out = (sa_usage_t){0};
  walk_t w = {usage_add, out, false};
  segments_walk(walk_segment, &w);
  size_t delayed = (size_t)heaps_delayed_bytes(); /* free, yet `used` in their pages */
  out->in_use_bytes = out->in_use_bytes > delayed ? out->in_use_bytes - delayed : 0;
  out->committed_bytes = (size_t)stat_read(STAT_COMMITTED);
}

/* ---- CSV output --------------------------------------------------------- */

typedef struct csv_out_s {
  int fd;
  int64_t time_ms;
  int error;
  char buf[8192];
  size_t len;
} csv_out_t;

static void csv_flush(csv_out_t *o) {
  size_t off = 0;
  while (off < o->len && !o->error) {
    ssize_t w = write(o->fd, o->buf + off, o->len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) o->error = errno ? errno : EIO;
    else off += (size_t)w;
  }
  o->len = 0;
}

static const char *state_name[] = {"free", "purged", "page"};
static const char *kind_name[] = {"small", "medium", "large", "huge", "-"};

static void csv_row(const sa_span_info_t *sp, void *arg) {
  csv_out_t *o = arg;
  if (o->len > sizeof o->buf - 256) csv_flush(o);
  o->len += (size_t)snprintf(o->buf + o->len, sizeof o->buf - o->len,
                             "%lld,%p,%llx,%zu,%u,%u,%s,%s,%zu,%u,%u,%u,%u,%zu\n", (long long)o->time_ms, sp->segment,
                             (unsigned long long)sp->owner, sp->segment_slices, sp->first_slice, sp->slices,
                             state_name[sp->state], kind_name[sp->kind], sp->block_size, sp->capacity,
                             sp->reserved, sp->used, sp->thread_free, sp->resident);
}

SA_API int sa_heap_snapshot_write(int fd, bool header) {
  static int64_t t0;
  if (t0 == 0) t0 = os_clock_ms();
  csv_out_t o = {.fd = fd, .time_ms = os_clock_ms() - t0};
  if (header)
    o.len = (size_t)snprintf(o.buf, sizeof o.buf,
                             "time_ms,segment,owner,segment_slices,first_slice,slices,state,kind,block_size,"
                             "capacity,reserved,used,thread_free,resident\n");
  sa_heap_snapshot(csv_row, &o);
  csv_flush(&o);
  if (o.error) {
    errno = o.error;
    return -1;
  }
  return 0;
}

/* ---- SEGALLOC_MAP --------------------------------------------------------- */
static int map_fd = -1;
static spinlock_t map_lock = SPINLOCK_INIT;

/* The path with each %p replaced by the process id (and %% by %): a program
 * started with the variable set passes it on to the programs it starts
 * (a shell, /usr/bin/time under LD_PRELOAD), and without %p every one of
 * them would truncate and write the same file. Returns how many %p it
 * replaced, or -1 if the path does not fit. */
static int map_path_expand(char *out, size_t size) {
  size_t n = 0;
  int pids = 0;
  for (const char *c = sa_map_path; *c; c++) {
    char piece[24] = {*c, 0};
    if (c[0] == '%' && (c[1] == 'p' || c[1] == '%')) {
      c++;
      if (*c == 'p') {
        snprintf(piece, sizeof piece, "%ld", (long)getpid());
        pids++;
      }
    }
    size_t len = strlen(piece);
    if (n + len >= size) return -1;
    memcpy(out + n, piece, len);
    n += len;
  }
  out[n] = 0;
  return pids;
}

static int map_open(void) {
  char path[sizeof sa_map_path + 64];
  if (map_path_expand(path, sizeof path) < 0) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

void snapshot_map_tick(bool final) {
  if (sa_map_path[0] == 0) return;
  spin_lock(&map_lock);
  bool first = map_fd < 0;
  if (first) map_fd = map_open();
  if (map_fd < 0) {
    sa_message("cannot write SEGALLOC_MAP=%s: %s", sa_map_path, strerror(errno));
    sa_map_path[0] = 0;
  } else {
    if (sa_heap_snapshot_write(map_fd, first) != 0) sa_message("writing SEGALLOC_MAP failed: %s", strerror(errno));
    if (final) {
      close(map_fd);
      map_fd = -1;
      sa_map_path[0] = 0;
    }
  }
  spin_unlock(&map_lock);
}

/* A forked child shares the parent's descriptor and offset: its snapshots
 * would land in the middle of the parent's. It opens its own file when the
 * path names the process (%p), and writes none otherwise (opening the same
 * path would truncate the parent's). A fork while another thread wrote a
 * snapshot leaves the lock held in the child, whose only thread is this one. */
void snapshot_atfork_child(void) {
  spin_unlock(&map_lock);
  if (map_fd >= 0) close(map_fd);
  map_fd = -1;
  char path[sizeof sa_map_path + 64];
  if (sa_map_path[0] && map_path_expand(path, sizeof path) <= 0) sa_map_path[0] = 0;
}
