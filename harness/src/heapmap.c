/* allocbench: reading SEGALLOC_MAP files into snapshots, and their figures. */
#include "heapmap.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

const char *const ab_heapmap_state_names[3] = {"free", "purged", "page"};
const char *const ab_heapmap_kind_names[AB_HEAPMAP_PAGE_KINDS + 1] = {"small", "medium", "large",
                                                                       "huge", "-"};

enum {
  AB_HM_TIME, AB_HM_SEGMENT, AB_HM_OWNER, AB_HM_SEGMENT_SLICES, AB_HM_FIRST_SLICE, AB_HM_SLICES,
  AB_HM_STATE, AB_HM_KIND, AB_HM_BLOCK_SIZE, AB_HM_CAPACITY, AB_HM_RESERVED, AB_HM_USED,
  AB_HM_THREAD_FREE, AB_HM_RESIDENT, AB_HM_NCOLS
};
#define AB_HM_REQUIRED AB_HM_RESIDENT /* the columns before it; resident came later */
static const char *const ab_heapmap_columns[AB_HM_NCOLS] = {
    "time_ms",  "segment",  "owner",    "segment_slices", "first_slice", "slices",     "state",
    "kind",     "block_size", "capacity", "reserved",     "used",        "thread_free",
    "resident"};

/* One CSV row, checked field by field. */
typedef struct ab_heapmap_row_s {
  double time_ms;
  uint64_t segment, owner, segment_slices;
  ab_heapmap_span_t span;
} ab_heapmap_row_t;

typedef struct ab_heapmap_loader_s {
  ab_heapmap_t *map;
  int col[AB_HM_NCOLS]; /* -1: an optional column the file lacks */
  size_t fields;        /* a row needs at least this many */
  const char *path;
  long line;
  uint64_t *addresses, *owners; /* first appearance order: the numbers shown */
  size_t n_owners;
} ab_heapmap_loader_t;

static int ab_heapmap_bad(const ab_heapmap_loader_t *l, ab_err_t *err, const char *what,
                          const char *value) {
  return ab_fail(err, "%s:%ld: %s '%s' in a SEGALLOC_MAP file", l->path, l->line, what, value);
}

/* Whole-string unsigned number in base 10 or 16 (hex may start with 0x). */
static bool ab_heapmap_parse_u64(const char *s, int base, uint64_t max, uint64_t *out) {
  if (base == 16 && (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))) s += 2;
  /* strtoull would take blanks or a sign first: a digit must lead. */
  if (!(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s))) return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, base);
  if (errno || *end || v > max) return false;
  *out = v;
  return true;
}

static int ab_heapmap_name_index(const char *const *names, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(names[i], s)) return (int)i;
  return -1;
}

static int ab_heapmap_header(ab_heapmap_loader_t *l, const ab_strv_t *f, ab_err_t *err) {
  for (int c = 0; c < AB_HM_NCOLS; c++) {
    l->col[c] = ab_csv_column(f, ab_heapmap_columns[c]);
    if (l->col[c] >= 0 && (size_t)l->col[c] >= l->fields) l->fields = (size_t)l->col[c] + 1;
    if (l->col[c] < 0 && c < AB_HM_REQUIRED)
      return ab_fail(err, "%s:%ld: no column '%s': not a SEGALLOC_MAP file (its header is "
                          "time_ms,segment,owner,segment_slices,first_slice,slices,state,kind,"
                          "block_size,capacity,reserved,used,thread_free[,resident])",
                     l->path, l->line, ab_heapmap_columns[c]);
  }
  return 0;
}

/* The counts: block_size, capacity, reserved, used, thread_free. */
static int ab_heapmap_row_counts(const ab_heapmap_loader_t *l, const ab_strv_t *f,
                                 ab_heapmap_row_t *r, ab_err_t *err) {
  uint32_t *slots[] = {&r->span.capacity, &r->span.reserved, &r->span.used, &r->span.thread_free};
  uint64_t v;
  if (!ab_heapmap_parse_u64(f->v[l->col[AB_HM_BLOCK_SIZE]], 10, UINT64_MAX / 2, &v))
    return ab_heapmap_bad(l, err, "block_size", f->v[l->col[AB_HM_BLOCK_SIZE]]);
  r->span.block_size = v;
  for (int c = AB_HM_CAPACITY; c <= AB_HM_THREAD_FREE; c++) {
    const char *s = f->v[l->col[c]];
    if (!ab_heapmap_parse_u64(s, 10, UINT32_MAX, &v))
      return ab_heapmap_bad(l, err, ab_heapmap_columns[c], s);
    *slots[c - AB_HM_CAPACITY] = (uint32_t)v;
  }
  if (l->col[AB_HM_RESIDENT] >= 0) {
    const char *s = f->v[l->col[AB_HM_RESIDENT]];
    if (!ab_heapmap_parse_u64(s, 10, (uint64_t)r->span.slices * AB_HEAPMAP_SLICE_BYTES,
                              &r->span.resident))
      return ab_heapmap_bad(l, err, "resident (bytes, at most the span's)", s);
  }
  return 0;
}

/* state and kind, which must agree: a page has a kind, a free span none. */
static int ab_heapmap_row_state(const ab_heapmap_loader_t *l, const ab_strv_t *f,
                                ab_heapmap_row_t *r, ab_err_t *err) {
  const char *state = f->v[l->col[AB_HM_STATE]], *kind = f->v[l->col[AB_HM_KIND]];
  int st = ab_heapmap_name_index(ab_heapmap_state_names, 3, state);
  int k = ab_heapmap_name_index(ab_heapmap_kind_names, AB_HEAPMAP_PAGE_KINDS + 1, kind);
  if (st < 0) return ab_heapmap_bad(l, err, "state (free, purged or page)", state);
  if (k < 0) return ab_heapmap_bad(l, err, "kind (small, medium, large, huge or -)", kind);
  if ((st == AB_HEAPMAP_PAGE) != (k != AB_HEAPMAP_NO_KIND))
    return ab_fail(err, "%s:%ld: a span in state %s cannot have kind %s", l->path, l->line, state,
                   kind);
  r->span.state = (ab_heapmap_state_t)st;
  r->span.kind = (ab_heapmap_kind_t)k;
  return 0;
}

/* Where the span lies: inside its segment, past the header slice 0. */
static int ab_heapmap_row_place(const ab_heapmap_loader_t *l, const ab_strv_t *f,
                                ab_heapmap_row_t *r, ab_err_t *err) {
  const char *seg = f->v[l->col[AB_HM_SEGMENT]], *owner = f->v[l->col[AB_HM_OWNER]];
  const char *n = f->v[l->col[AB_HM_SEGMENT_SLICES]], *first = f->v[l->col[AB_HM_FIRST_SLICE]];
  const char *len = f->v[l->col[AB_HM_SLICES]];
  uint64_t a, b;
  if (!ab_heapmap_parse_u64(seg, 16, UINT64_MAX, &r->segment) || r->segment == 0)
    return ab_heapmap_bad(l, err, "segment address", seg);
  if (!ab_heapmap_parse_u64(owner, 16, UINT64_MAX, &r->owner))
    return ab_heapmap_bad(l, err, "owner (hex thread id)", owner);
  if (!ab_heapmap_parse_u64(n, 10, 1u << 26, &r->segment_slices) || r->segment_slices < 2)
    return ab_heapmap_bad(l, err, "segment_slices", n);
  if (!ab_heapmap_parse_u64(first, 10, r->segment_slices - 1, &a) || a == 0)
    return ab_heapmap_bad(l, err, "first_slice (1 to segment_slices - 1)", first);
  if (!ab_heapmap_parse_u64(len, 10, r->segment_slices - a, &b) || b == 0)
    return ab_fail(err, "%s:%ld: span of '%s' slices from slice %s does not fit in a segment of "
                        "%s slices", l->path, l->line, len, first, n);
  r->span.first_slice = (uint32_t)a;
  r->span.slices = (uint32_t)b;
  return 0;
}

static int ab_heapmap_row(const ab_heapmap_loader_t *l, const ab_strv_t *f, ab_heapmap_row_t *r,
                          ab_err_t *err) {
  *r = (ab_heapmap_row_t){0};
  if (f->n < l->fields)
    return ab_fail(err, "%s:%ld: %zu fields, expected %zu", l->path, l->line, f->n, l->fields);
  const char *t = f->v[l->col[AB_HM_TIME]];
  if (!ab_parse_double(t, &r->time_ms) || r->time_ms < 0)
    return ab_heapmap_bad(l, err, "time_ms", t);
  if (ab_heapmap_row_place(l, f, r, err) < 0 || ab_heapmap_row_state(l, f, r, err) < 0) return -1;
  return ab_heapmap_row_counts(l, f, r, err);
}

/* The number of a value in a first-appearance list, adding it when new. */
static size_t ab_heapmap_number(uint64_t **list, size_t *n, uint64_t v) {
  for (size_t i = 0; i < *n; i++)
    if ((*list)[i] == v) return i + 1;
  *list = ab_xrealloc(*list, (*n + 1) * sizeof **list);
  (*list)[(*n)++] = v;
  return *n;
}

static void ab_heapmap_new_segment(ab_heapmap_loader_t *l, ab_heapmap_snapshot_t *snap,
                                   const ab_heapmap_row_t *r) {
  snap->segments = ab_xrealloc(snap->segments, (snap->n_segments + 1) * sizeof *snap->segments);
  ab_heapmap_segment_t *seg = &snap->segments[snap->n_segments++];
  *seg = (ab_heapmap_segment_t){.address = r->segment, .owner = r->owner,
                                .slices = (size_t)r->segment_slices};
  seg->number = ab_heapmap_number(&l->addresses, &l->map->n_addresses, r->segment);
  seg->thread = r->owner ? ab_heapmap_number(&l->owners, &l->n_owners, r->owner) : 0;
}

/* Whether row r continues the current snapshot: same time, and after the
 * last span in segalloc's walk order. */
static bool ab_heapmap_continues(const ab_heapmap_snapshot_t *snap, const ab_heapmap_row_t *r) {
  if (!snap || snap->time_ms != r->time_ms) return false;
  const ab_heapmap_segment_t *seg = &snap->segments[snap->n_segments - 1];
  if (r->segment != seg->address) return r->segment > seg->address;
  return r->span.first_slice > seg->spans[seg->n_spans - 1].first_slice;
}

static int ab_heapmap_add(ab_heapmap_loader_t *l, const ab_heapmap_row_t *r, ab_err_t *err) {
  ab_heapmap_t *m = l->map;
  ab_heapmap_snapshot_t *snap = m->n_snaps ? &m->snaps[m->n_snaps - 1] : NULL;
  if (snap && r->time_ms < snap->time_ms)
    return ab_fail(err, "%s:%ld: time_ms %g comes after %g: snapshots must be in time order",
                   l->path, l->line, r->time_ms, snap->time_ms);
  if (!ab_heapmap_continues(snap, r)) {
    m->snaps = ab_xrealloc(m->snaps, (m->n_snaps + 1) * sizeof *m->snaps);
    snap = &m->snaps[m->n_snaps++];
    *snap = (ab_heapmap_snapshot_t){.time_ms = r->time_ms,
                                    .has_resident = l->col[AB_HM_RESIDENT] >= 0};
  }
  ab_heapmap_segment_t *seg = snap->n_segments ? &snap->segments[snap->n_segments - 1] : NULL;
  if (!seg || seg->address != r->segment) {
    ab_heapmap_new_segment(l, snap, r);
    seg = &snap->segments[snap->n_segments - 1];
  } else if (seg->slices != r->segment_slices) {
    return ab_fail(err, "%s:%ld: segment_slices changes from %zu to %llu within one segment",
                   l->path, l->line, seg->slices, (unsigned long long)r->segment_slices);
  } else {
    const ab_heapmap_span_t *last = &seg->spans[seg->n_spans - 1];
    if (r->span.first_slice < last->first_slice + last->slices)
      return ab_fail(err, "%s:%ld: span at slice %u overlaps the span at slices %u-%u", l->path,
                     l->line, r->span.first_slice, last->first_slice,
                     last->first_slice + last->slices - 1);
    if (r->owner != seg->owner) { /* it changed hands mid-walk: keep the newest */
      seg->owner_changed = true;
      seg->owner = r->owner;
      seg->thread = r->owner ? ab_heapmap_number(&l->owners, &l->n_owners, r->owner) : 0;
    }
  }
  seg->spans = ab_xrealloc(seg->spans, (seg->n_spans + 1) * sizeof *seg->spans);
  seg->spans[seg->n_spans++] = r->span;
  return 0;
}

static int ab_heapmap_read(ab_heapmap_loader_t *l, ab_csv_reader_t *rd, ab_err_t *err) {
  ab_strv_t f = {0};
  int rc = 0, got;
  bool header = true;
  while (rc == 0 && (got = ab_csv_reader_next(rd, &f, err)) != 0) {
    l->line = rd->line;
    if (got < 0) rc = -1;
    else if (header) rc = ab_heapmap_header(l, &f, err);
    else {
      ab_heapmap_row_t r;
      rc = ab_heapmap_row(l, &f, &r, err);
      if (rc == 0) rc = ab_heapmap_add(l, &r, err);
    }
    header = false;
  }
  ab_strv_free(&f);
  if (rc == 0 && header) rc = ab_fail(err, "%s: empty file: not a SEGALLOC_MAP file", l->path);
  else if (rc == 0 && l->map->n_snaps == 0)
    rc = ab_fail(err, "%s: no snapshot in it (only the header): did the program exit before "
                      "segalloc wrote one?", l->path);
  return rc;
}

int ab_heapmap_load(const char *path, ab_heapmap_t *map, ab_err_t *err) {
  *map = (ab_heapmap_t){.path = ab_xstrdup(path)};
  ab_csv_reader_t rd;
  if (ab_csv_reader_open(&rd, path, err) < 0) {
    ab_heapmap_free(map);
    return -1;
  }
  ab_heapmap_loader_t l = {.map = map, .path = path};
  int rc = ab_heapmap_read(&l, &rd, err);
  map->n_threads = l.n_owners;
  ab_csv_reader_close(&rd);
  free(l.addresses);
  free(l.owners);
  if (rc < 0) ab_heapmap_free(map);
  return rc;
}

void ab_heapmap_free(ab_heapmap_t *map) {
  for (size_t i = 0; i < map->n_snaps; i++) {
    for (size_t s = 0; s < map->snaps[i].n_segments; s++) free(map->snaps[i].segments[s].spans);
    free(map->snaps[i].segments);
  }
  free(map->snaps);
  free(map->path);
  free(map->name);
  free(map->title);
  *map = (ab_heapmap_t){0};
}

ab_heapmap_tenure_t ab_heapmap_tenure(const ab_heapmap_segment_t *seg) {
  if (seg->owner != 0) return AB_HEAPMAP_OWNED;
  for (size_t i = 0; i < seg->n_spans; i++)
    if (seg->spans[i].state == AB_HEAPMAP_PAGE) return AB_HEAPMAP_ABANDONED;
  return AB_HEAPMAP_CACHED;
}

uint32_t ab_heapmap_live(const ab_heapmap_span_t *sp) {
  return sp->used > sp->thread_free ? sp->used - sp->thread_free : 0;
}

static void ab_heapmap_add_span(const ab_heapmap_span_t *sp, ab_heapmap_totals_t *t) {
  uint64_t bytes = (uint64_t)sp->slices * AB_HEAPMAP_SLICE_BYTES;
  if (sp->state == AB_HEAPMAP_FREE) t->free_bytes += bytes;
  else if (sp->state == AB_HEAPMAP_PURGED) t->purged_bytes += bytes;
  if (sp->state != AB_HEAPMAP_PAGE) {
    t->free_resident_bytes += sp->resident;
    return;
  }
  t->page_bytes += bytes;
  t->page_resident_bytes += sp->resident;
  t->pages[sp->kind]++;
  t->used_bytes += (uint64_t)sp->used * sp->block_size;
  t->thread_free_bytes += (uint64_t)(sp->thread_free < sp->used ? sp->thread_free : sp->used) *
                          sp->block_size;
  if (sp->reserved > sp->used)
    t->unused_bytes += (uint64_t)(sp->reserved - sp->used) * sp->block_size;
}

void ab_heapmap_totals(const ab_heapmap_snapshot_t *snap, ab_heapmap_totals_t *t) {
  *t = (ab_heapmap_totals_t){.segments = snap->n_segments};
  for (size_t s = 0; s < snap->n_segments; s++) {
    const ab_heapmap_segment_t *seg = &snap->segments[s];
    ab_heapmap_tenure_t tenure = ab_heapmap_tenure(seg);
    t->abandoned += tenure == AB_HEAPMAP_ABANDONED;
    t->cached += tenure == AB_HEAPMAP_CACHED;
    for (size_t i = 0; i < seg->n_spans; i++) ab_heapmap_add_span(&seg->spans[i], t);
  }
}

size_t ab_heapmap_peak(const ab_heapmap_t *map) {
  size_t best = 0;
  uint64_t most = 0;
  for (size_t i = 0; i < map->n_snaps; i++) {
    ab_heapmap_totals_t t;
    ab_heapmap_totals(&map->snaps[i], &t);
    if (i == 0 || t.page_bytes >= most) { /* ties: the later one */
      best = i;
      most = t.page_bytes;
    }
  }
  return best;
}

char *ab_heapmap_picture(const ab_heapmap_t *map, size_t snap, const char *ext) {
  return ab_xasprintf("heapmap/%s/%04zu.%s", map->name, snap, ext);
}

void ab_heapmap_bytes(uint64_t bytes, char *buf, size_t n) {
  double b = (double)bytes;
  if (bytes >= (1ull << 30)) snprintf(buf, n, "%.2f GiB", b / (1ull << 30));
  else if (bytes >= (1ull << 20)) snprintf(buf, n, "%.1f MiB", b / (1ull << 20));
  else if (bytes >= 1024) snprintf(buf, n, "%.0f KiB", b / 1024);
  else snprintf(buf, n, "%llu B", (unsigned long long)bytes);
}

void ab_heapmap_escape(ab_buf_t *b, const char *s) {
  for (const char *p = s; *p; p++) {
    switch (*p) {
    case '&': ab_buf_puts(b, "&amp;"); break;
    case '<': ab_buf_puts(b, "&lt;"); break;
    case '>': ab_buf_puts(b, "&gt;"); break;
    case '"': ab_buf_puts(b, "&quot;"); break;
    case '\'': ab_buf_puts(b, "&#39;"); break;
    default: ab_buf_append(b, p, 1);
    }
  }
}
