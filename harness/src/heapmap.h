/* allocbench: heap maps. segalloc writes, to the file named by SEGALLOC_MAP,
 * snapshots of its segments as CSV (one row per span, every row of one
 * snapshot with the same time_ms; see allocator/include/segalloc.h):
 *   time_ms,segment,owner,segment_slices,first_slice,slices,state,kind,
 *   block_size,capacity,reserved,used,thread_free,resident
 * (resident, bytes in RAM by mincore, is absent from maps of segalloc builds
 * before it was added: such maps load, their figures say "unknown")
 * This module reads such a file into snapshots, checks it, and derives the
 * figures the pictures, the tables and the report show. */
#ifndef AB_HEAPMAP_H
#define AB_HEAPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* segalloc's slice: the unit of the segment's slice table. */
#define AB_HEAPMAP_SLICE_BYTES ((uint64_t)64 * 1024)

typedef enum { AB_HEAPMAP_FREE, AB_HEAPMAP_PURGED, AB_HEAPMAP_PAGE } ab_heapmap_state_t;
typedef enum {
  AB_HEAPMAP_SMALL, AB_HEAPMAP_MEDIUM, AB_HEAPMAP_LARGE, AB_HEAPMAP_HUGE,
  AB_HEAPMAP_NO_KIND, /* free and purged spans */
} ab_heapmap_kind_t;
#define AB_HEAPMAP_PAGE_KINDS 4

extern const char *const ab_heapmap_state_names[3];
extern const char *const ab_heapmap_kind_names[AB_HEAPMAP_PAGE_KINDS + 1];

typedef struct ab_heapmap_span_s {
  uint32_t first_slice, slices;
  ab_heapmap_state_t state;
  ab_heapmap_kind_t kind;
  uint64_t block_size;
  /* As segalloc read them, without stopping the owner: used counts the
   * blocks in thread_free too, and a count may be off by a block or two. */
  uint32_t capacity, reserved, used, thread_free;
  uint64_t resident; /* bytes in RAM, when the snapshot has_resident */
} ab_heapmap_span_t;

typedef struct ab_heapmap_segment_s {
  uint64_t address, owner; /* owner as read with the last span; 0: none */
  bool owner_changed;      /* spans read different owners: it changed hands mid-walk */
  size_t slices;           /* 512 for a normal segment, more for a huge one */
  size_t number;           /* 1, 2, ..: per address, in order of first appearance in the file */
  size_t thread;           /* the owner's number (same order), 0 when owner is 0 */
  ab_heapmap_span_t *spans;
  size_t n_spans;
} ab_heapmap_segment_t;

typedef struct ab_heapmap_snapshot_s {
  double time_ms;
  bool has_resident; /* the file has the resident column */
  ab_heapmap_segment_t *segments; /* in address order, as segalloc walks them */
  size_t n_segments;
} ab_heapmap_snapshot_t;

typedef struct ab_heapmap_s {
  char *path;  /* the CSV it was read from */
  char *name;  /* folder of its pictures under heapmap/ (set by the caller) */
  char *title; /* what ran (set by the caller) */
  ab_heapmap_snapshot_t *snaps;
  size_t n_snaps;
  size_t n_addresses; /* distinct segment addresses in the file */
  size_t n_threads;   /* distinct non-zero owners in the file */
} ab_heapmap_t;

/* Reads and checks a SEGALLOC_MAP file. A file that cannot be read, a
 * missing column, a malformed field, a span outside its segment or over
 * another, time going back, or no snapshot at all fail with "file:line:
 * what". A row whose (segment, first_slice) does not come after the row
 * before it starts a new snapshot even at the same time_ms (segalloc walks
 * segments and spans in address order). */
int ab_heapmap_load(const char *path, ab_heapmap_t *map, ab_err_t *err);
void ab_heapmap_free(ab_heapmap_t *map);

/* What a segment is to its owner: a thread's, abandoned (owner 0 with pages
 * in it: its thread ended and no thread reclaimed it yet) or cached (owner 0,
 * every span free: kept mapped for reuse). */
typedef enum { AB_HEAPMAP_OWNED, AB_HEAPMAP_ABANDONED, AB_HEAPMAP_CACHED } ab_heapmap_tenure_t;
ab_heapmap_tenure_t ab_heapmap_tenure(const ab_heapmap_segment_t *seg);

/* Blocks of a page still live: used minus those waiting in thread_free. */
uint32_t ab_heapmap_live(const ab_heapmap_span_t *sp);

/* Figures of one snapshot. Bytes of spans are slices x 64 KiB. */
typedef struct ab_heapmap_totals_s {
  size_t segments, abandoned, cached;
  size_t pages[AB_HEAPMAP_PAGE_KINDS];
  /* Spans by state. A span is "free" (not "purged") when any one of its
   * slices is still unpurged, so free_bytes is an upper bound of what free
   * spans keep resident. */
  uint64_t page_bytes, free_bytes, purged_bytes;
  uint64_t used_bytes;        /* used blocks x block size (thread_free included) */
  uint64_t thread_free_bytes; /* blocks freed by other threads, not yet collected */
  uint64_t unused_bytes;      /* blocks that fit in pages but are not used */
  /* In RAM (0 without has_resident): in pages, in free spans (purged ones
   * hold none). The segment headers are not in any span. */
  uint64_t page_resident_bytes, free_resident_bytes;
} ab_heapmap_totals_t;

void ab_heapmap_totals(const ab_heapmap_snapshot_t *snap, ab_heapmap_totals_t *t);
/* The snapshot with the most bytes in pages (the last of equals): the peak
 * of the map, the heap at its busiest. Not the most resident: at exit, the
 * freed pages are resident free spans until purged, and would win. */
size_t ab_heapmap_peak(const ab_heapmap_t *map);

/* Path of a snapshot's picture relative to the folder holding heapmap/:
 * "heapmap/<name>/0003.svg" for ext "svg". */
char *ab_heapmap_picture(const ab_heapmap_t *map, size_t snap, const char *ext);

/* "512 KiB", "3.5 MiB", "1.20 GiB", "100 B". */
void ab_heapmap_bytes(uint64_t bytes, char *buf, size_t n);
/* Appends s with &, <, >, " and ' escaped: safe in XML and HTML text and attributes. */
void ab_heapmap_escape(ab_buf_t *b, const char *s);

#endif
