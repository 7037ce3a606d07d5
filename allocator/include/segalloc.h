/* segalloc: a segment / span / page general-purpose allocator.
 *
 * The sa_* functions are always available. Linking libsegalloc.so or
 * libsegalloc.a (or preloading the .so) also replaces malloc, free and the
 * rest of the glibc malloc surface with them. */
#ifndef SEGALLOC_H
#define SEGALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SA_API __attribute__((visibility("default")))
#define SA_MALLOC_ATTR __attribute__((malloc, warn_unused_result))
#else
#define SA_API
#define SA_MALLOC_ATTR
#endif

/* Allocation. Errors follow the C library: NULL with errno = ENOMEM on
 * exhaustion or size overflow, EINVAL for an alignment that is not a power
 * of two (sa_posix_memalign returns the error code instead). */
SA_API SA_MALLOC_ATTR void *sa_malloc(size_t size);
SA_API SA_MALLOC_ATTR void *sa_calloc(size_t count, size_t size);
SA_API void *sa_realloc(void *p, size_t size);
SA_API void *sa_reallocarray(void *p, size_t count, size_t size);
SA_API SA_MALLOC_ATTR void *sa_aligned_alloc(size_t alignment, size_t size);
SA_API int sa_posix_memalign(void **out, size_t alignment, size_t size);
SA_API void sa_free(void *p);
SA_API size_t sa_usable_size(const void *p);

/* Returns free memory to the OS: frees retired and empty pages, drains
 * remote frees, purges free spans now and releases cached segments when
 * force is true (otherwise only what is due). */
SA_API void sa_collect(bool force);

/* Returns the free memory of every thread to the OS now, whatever the
 * purge delay (malloc_trim calls it). The caller's heap: what
 * sa_collect(true) does (which also takes over the segments of threads that
 * ended), every free span, and the free blocks inside its pages (blocks of
 * 8 KiB and more whole, smaller ones by the OS pages they fill). Every
 * other thread's heap, unless its thread is inside an allocator slow path
 * at that moment: its free spans, kept large blocks, and the blocks other
 * threads freed into its pages (its own free lists are its thread's alone).
 * Returns how far committed_bytes fell over the call (allocations by other
 * threads meanwhile count against it). */
SA_API size_t sa_trim(void);

/* Statistics, process-wide. */
typedef struct sa_stats_s {
  int64_t segments;           /* segments in use now (owned or abandoned; cached ones are below) */
  int64_t segments_peak;
  int64_t segments_cached;    /* fully free segments kept for reuse */
  int64_t segments_abandoned; /* segments owned by no thread now */
  int64_t segments_reclaimed; /* total reclaims since start */
  int64_t pages_small, pages_medium, pages_large, pages_huge; /* in use now */
  int64_t pages_retired;      /* total pages freed after emptying */
  int64_t reserved_bytes;     /* address space mapped now */
  int64_t committed_bytes;    /* mapped and not purged */
  int64_t purged_bytes;       /* total bytes given back by purges */
  int64_t local_frees;        /* total frees by the owning thread */
  int64_t remote_frees;       /* total frees by another thread */
  int64_t threads;            /* threads with a heap now */
} sa_stats_t;
SA_API void sa_stats_get(sa_stats_t *out);

/* What the blocks use now, from a walk over every segment (like
 * sa_heap_snapshot, without residency): mallinfo2 and malloc_stats are
 * made of it. Other threads' counts are read as they run. */
typedef struct sa_usage_s {
  size_t in_use_bytes;    /* blocks handed out and not freed, at their size class, huge blocks apart */
  size_t huge_bytes;      /* committed by huge blocks (each its own mapping) */
  size_t huge_blocks;
  size_t free_span_bytes; /* free slices not purged yet: what sa_trim would give back, at least */
  size_t free_spans;      /* runs of such slices */
  size_t committed_bytes; /* as sa_stats_t: everything held from the OS, huge blocks included */
} sa_usage_t;
SA_API void sa_usage_get(sa_usage_t *out);
SA_API void sa_stats_print(FILE *out); /* NULL: stderr */

/* Options: each has an environment variable SEGALLOC_<NAME>, read once at
 * start-up without allocating; sa_option_set overrides it at run time. */
typedef enum sa_option_e {
  SA_OPTION_SHOW_STATS,    /* print stats at exit (0) */
  SA_OPTION_VERBOSE,       /* print options and messages (0) */
  SA_OPTION_PURGE_DELAY,   /* ms before a free span is purged; -1 never (see options.c) */
  SA_OPTION_PURGE_DECOMMITS, /* 1: MADV_DONTNEED, 0: MADV_FREE */
  SA_OPTION_SEGMENT_CACHE, /* fully free segments kept mapped (process-wide) */
  SA_OPTION_SECURE,        /* check frees for double/invalid pointers and abort */
  SA_OPTION_BACKGROUND,    /* background thread purges memory of idle threads (1) */
  SA_OPTION_MAP_INTERVAL,  /* ms between heap-map snapshots to SEGALLOC_MAP (0: at exit only) */
  SA_OPTION_HUGEPAGES,     /* transparent huge pages: 0 never, 1 pages of populous 4 KiB-multiple classes from 32 KiB (1), 2 every segment */
  SA_OPTION_POPULATE,      /* MiB committed before fresh pages are populated ahead of their blocks (32); -1 never */
  SA_OPTION_COUNT
} sa_option_t;
SA_API long sa_option_get(sa_option_t opt);
SA_API void sa_option_set(sa_option_t opt, long value);
SA_API const char *sa_option_name(sa_option_t opt);

SA_API const char *sa_version(void);

/* Introspection: one call per span of every segment in the process.
 * Safe while other threads run: segments cannot be unmapped during the walk,
 * but counts of other threads' pages are read without stopping them, so
 * they are a consistent-enough view (each number was true at some moment
 * during the walk, not all at one moment). */
typedef enum sa_span_state_e {
  SA_SPAN_FREE,   /* free slices, still resident (or partly) */
  SA_SPAN_PURGED, /* free slices, all returned to the OS */
  SA_SPAN_PAGE    /* a page of blocks */
} sa_span_state_t;
typedef enum sa_page_kind_e { SA_PAGE_SMALL, SA_PAGE_MEDIUM, SA_PAGE_LARGE, SA_PAGE_HUGE, SA_PAGE_NONE } sa_page_kind_t;
typedef struct sa_span_info_s {
  const void *segment;     /* segment start (32 MiB aligned) */
  uint64_t owner;          /* owning thread (opaque id), 0 when abandoned or cached */
  size_t segment_slices;   /* slices in the segment (512, or more for huge) */
  uint32_t first_slice;    /* index of the span's first 64 KiB slice */
  uint32_t slices;         /* length in slices */
  sa_span_state_t state;
  sa_page_kind_t kind;     /* SA_PAGE_NONE for free spans */
  size_t block_size;       /* pages only, below */
  uint32_t capacity;       /* blocks made so far */
  uint32_t reserved;       /* blocks that fit */
  uint32_t used;           /* blocks handed out and not freed (remote frees not yet collected count as used) */
  uint32_t thread_free;    /* blocks freed by other threads, waiting for the owner */
  size_t resident;         /* bytes of the span in RAM when it was read (mincore), any state */
  size_t committed;        /* bytes of the span not purged (a page: up to its last block's OS page) */
} sa_span_info_t;
typedef void sa_span_visitor(const sa_span_info_t *span, void *arg);
/* Returns the number of segments visited. */
SA_API size_t sa_heap_snapshot(sa_span_visitor *visit, void *arg);
/* Writes one snapshot as CSV rows (the SEGALLOC_MAP format, header when
 * header is true) to fd; returns 0 or -1 with errno set. */
SA_API int sa_heap_snapshot_write(int fd, bool header);

#ifdef __cplusplus
}
#endif
#endif
