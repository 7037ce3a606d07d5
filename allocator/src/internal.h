/* segalloc internal types and the small inline helpers every module shares.
 *
 * Memory is organised as segments (32 MiB, aligned to 32 MiB) cut into
 * 64 KiB slices. A run of slices is a span; a used span is a page of
 * blocks of one size. The descriptor of a page is the descriptor of its
 * first slice, kept in the segment header, never inside the blocks. */
#ifndef SEGALLOC_INTERNAL_H
#define SEGALLOC_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "segalloc.h"

#define SA_LIKELY(x) __builtin_expect(!!(x), 1)
#define SA_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SA_INTERNAL __attribute__((visibility("hidden")))
#define SA_NOINLINE __attribute__((noinline))

/* ---- geometry ---------------------------------------------------------- */
#define SEGMENT_SHIFT 25
#define SEGMENT_SIZE ((size_t)1 << SEGMENT_SHIFT)     /* 32 MiB */
#define SEGMENT_MASK (SEGMENT_SIZE - 1)
#define SLICE_SHIFT 16
#define SLICE_SIZE ((size_t)1 << SLICE_SHIFT)         /* 64 KiB */
#define SLICES_PER_SEGMENT (SEGMENT_SIZE / SLICE_SIZE) /* 512 */
/* One spare entry: a block aligned to 32 MiB inside a huge segment starts
 * at slice index 512 (see segment_huge_alloc). */
#define SLICE_ENTRIES (SLICES_PER_SEGMENT + 1)

#define BLOCK_ALIGN 16                      /* every block is 16-byte aligned */
#define SMALL_PAGE_SLICES 1
#define MEDIUM_PAGE_SLICES 8                /* 512 KiB */
#define SMALL_BLOCK_MAX ((size_t)8 * 1024)  /* page size / 8 */
#define MEDIUM_BLOCK_MAX ((size_t)256 * 1024) /* see page_slices in page.c */
#define PADDED_BLOCK_MAX ((size_t)128 * 1024) /* medium strides are padded up to here (page_stride) */
#define LARGE_BLOCK_MAX (SEGMENT_SIZE - SEGMENT_HEADER_SLICES * SLICE_SIZE) /* 32 MiB - 128 KiB, see malloc_in_heap */
#define DIRECT_MAX ((size_t)1024)           /* fast-path table covers sizes up to here */
#define DIRECT_ENTRIES (DIRECT_MAX + 1)
#define ALIGNMENT_MAX SEGMENT_SIZE          /* largest alignment we can honour */

/* ---- size bins (bin.c) --------------------------------------------------
 * Bins 1..8 are exact multiples of 16 up to 128 B (16-byte alignment allows
 * nothing finer); above that 8 bins per power of two (12.5% spacing).
 * BIN_MEDIUM_LAST is the bin of 256 KiB; bins above it exist only for the
 * size arithmetic of large blocks, which live in the large queue. */
#define BIN_MEDIUM_LAST 96
#define BIN_LARGE (BIN_MEDIUM_LAST + 1) /* queue of large and huge pages */
#define BIN_FULL (BIN_MEDIUM_LAST + 2)  /* queue of pages with no free block */
#define BIN_QUEUES (BIN_MEDIUM_LAST + 3)
#define BIN_MAX 144 /* bin of 16 MiB */

static inline size_t bin_of_above_128(size_t size) {
  size_t w = size - 1;
  size_t b = (size_t)__builtin_clzl(w) ^ 63; /* highest set bit, >= 7 (one bsr) */
  return b * 8 - 47 + ((w >> (b - 3)) & 7);    /* 9 + (b - 7) * 8 + the 3 bits below it */
}

static inline size_t bin_of(size_t size) {
  if (size <= 128) return size == 0 ? 1 : (size + 15) >> 4;
  return bin_of_above_128(size);
}
SA_INTERNAL size_t bin_block_size(size_t bin);

/* ---- blocks and pages ---------------------------------------------------- */
typedef struct block_s {
  struct block_s *next;
} block_t;

typedef enum page_kind_e {
  PAGE_SMALL,
  PAGE_MEDIUM,
  PAGE_LARGE,
  PAGE_HUGE,
  PAGE_KINDS
} page_kind_t;

/* Low two bits of page->thread_free: how a remote free must announce itself.
 *   NO_DELAYED      page is in a size-class queue: push on thread_free only.
 *   USE_DELAYED     page is in the full queue, or left it since the last
 *                   remote free: the next remote free switches to
 *                   DELAYED_FREEING, pushes its block on the owner heap's
 *                   thread_delayed_free (so the owner finds the page again),
 *                   then sets NO_DELAYED. Later frees go to thread_free.
 *   DELAYED_FREEING a remote free is between those two steps; the owner must
 *                   not change the state or retire the heap meanwhile.
 *   NEVER_DELAYED   the page has no heap (abandoned) or is being torn down:
 *                   frees always go to thread_free.
 * Transitions: the owner sets USE_DELAYED (page_to_full), NO_DELAYED (a
 * page given a heap: init, reclaim) and NEVER_DELAYED (abandon), each
 * waiting out DELAYED_FREEING; remote freers only go USE -> FREEING -> NO.
 * page_unfull leaves USE in place: a delayed push is always correct, only
 * slower, and most unfulled pages fill again before any remote free. */
typedef enum delayed_e {
  DELAYED_NO = 0,
  DELAYED_USE = 1,
  DELAYED_FREEING = 2,
  DELAYED_NEVER = 3,
} delayed_t;
#define TF_STATE_MASK ((uintptr_t)3)

/* The top 16 bits of page->thread_free count the blocks on its list: each
 * remote free's CAS adds one, so the owner's collect knows how many blocks
 * came back without walking them. That walk chased one pointer per block
 * into lines the freeing core had just written, a cache miss each: 86% of
 * page_collect's samples and 9% of prodcons's time under perf. Blocks live
 * below 2^48 (os_reserve_aligned refuses anything above), and a page holds
 * at most 4096 blocks. */
#define TF_COUNT_SHIFT 48
#define TF_COUNT_ONE ((uintptr_t)1 << TF_COUNT_SHIFT)
#define TF_BLOCK_MASK ((TF_COUNT_ONE - 1) & ~TF_STATE_MASK)
#define TF_ADDRESS_LIMIT TF_COUNT_ONE
static inline struct block_s *tf_block(uintptr_t tf) { return (struct block_s *)(tf & TF_BLOCK_MASK); }
static inline uint32_t tf_count(uintptr_t tf) { return (uint32_t)(tf >> TF_COUNT_SHIFT); }

struct heap_s;

/* A slice descriptor; on the first slice of a span it is the span's (or
 * page's) descriptor. Owner-only fields are touched by the owning thread
 * only; thread_free and heap are the two fields other threads touch.
 *
 * Two cache lines, by who touches them: the first holds what a remote
 * free reads and the thread_free it CASes, and changes little while the
 * page lives; the second holds what the owner writes on every malloc and
 * free. With 96-byte descriptors the owner's `free`/`used` stores and a
 * consumer's CAS shared a line, so a producer/consumer pair moved it
 * between cores on every block (README design notes). 128 bytes also
 * makes page_of a shift. */
typedef struct page_s {
  /* ---- line 1: span bookkeeping, geometry, remote frees ---- */
  /* The first descriptor of this slice's page or span (on the first
   * slice, itself). A pointer, not an offset, so free finds the page with
   * one load: an offset from the segment start cost an add, one back from
   * this descriptor also an address and a subtract. Only the first and
   * last slices of a free span are written (span_set): the others hold
   * NULL (never written) or a stale page of the same segment. */
  _Alignas(64) struct page_s *first;
  uint8_t is_used;       /* 1 on every slice of a page, 0 on free spans */
  uint8_t kind;          /* page_kind_t, for pages */
  union {
    struct {
      uint8_t in_full : 1;     /* in the heap's full queue */
      uint8_t has_aligned : 1; /* an aligned block points inside its block */
    } x;
    uint8_t full_aligned; /* both flags at once: free's fast test */
  } flags;
  uint16_t bin;          /* size bin (BIN_LARGE for large/huge) */
  /* 16 bits are enough: a page holds at most 4096 blocks (64 KiB of 16 B). */
  uint16_t reserved;     /* blocks that fit */
  size_t block_size;
  uint8_t *page_start;
  _Atomic uintptr_t thread_free; /* other threads' frees | delayed_t state */
  _Atomic(struct heap_s *) heap; /* owner heap; NULL when abandoned */
  /* free's whole fast test in one word: the owner thread's id while the
   * page is in one of its bin queues with no aligned block in it, else 0
   * (page_sync_free_owner). It stands for the segment's owner and both
   * flags, which took two loads and two compares, and it lives on this
   * line because a remote freer reads it too. */
  _Atomic uintptr_t free_owner;
  uint64_t block_magic;  /* ceil(2^40 / block_size): page_block_start divides by multiplying */
  /* ---- line 2: the owner's ---- */
  _Alignas(64) block_t *free; /* owner pops from here */
  block_t *local_free;        /* owner's frees */
  uint16_t capacity;          /* blocks threaded so far */
  uint16_t used;              /* blocks handed out (including those in thread_free), +1 while pinned */
  uint16_t tail_uncommitted_4k; /* 4 KiB units at the end no block reaches, left out of committed_bytes */
  uint8_t is_zero;       /* memory of the page was zero when it was made */
  uint8_t retire_expire; /* countdown while pinned and empty (0: not counting) */
  uint8_t is_huge;       /* made of whole huge pages (page_wants_huge) */
  uint8_t huge_advised;  /* its 2 MiB regions advised MADV_HUGEPAGE so far (page_extend) */
  uint8_t pinned;        /* the lone page of its bin queue; counts one in `used` (page_pin) */
  uint32_t slice_count;  /* run length on the first slice of a span, else 0 */
  struct page_s *next, *prev; /* page queue or span queue links */
  /* Remote frees the background took off thread_free and purged, which
   * the owner collects like thread_free (a purged block cannot hold a list
   * link): bit i is block i on pages of at most 64 blocks of 8 KiB and up,
   * or OS page i, standing for the blocks that start in it, on small pages
   * of smaller blocks (page_purges_os_pages). On the owner's line: the
   * background writes it only on heaps idle since its last visit. */
  _Atomic uint64_t purged_mask;
} page_t;

typedef page_t slice_t;
_Static_assert(sizeof(page_t) == 128, "two cache lines, and page_of is a shift");

typedef enum segment_kind_e { SEGMENT_NORMAL, SEGMENT_HUGE } segment_kind_t;

/* Bit masks over the slices of a segment. */
#define SLICE_MASK_WORDS (SLICE_ENTRIES / 64 + 1)
typedef struct slice_mask_s {
  uint64_t w[SLICE_MASK_WORDS];
} slice_mask_t;

typedef struct segment_s {
  _Atomic uintptr_t thread_id; /* owner thread; 0 when abandoned */
  uint64_t cookie;             /* identifies a live segment header */
  size_t segment_size;         /* bytes mapped */
  segment_kind_t kind;
  uint32_t slice_entries;      /* usable slice descriptors */
  uint32_t used;               /* pages in use */
  bool keeps_pages;            /* heap_abandon: holds live blocks, so it is abandoned, not freed */
  struct heap_s *heap;         /* owner heap (owner-only); NULL when abandoned */
  struct segment_s *next, *prev; /* owner heap's segment list */
  struct segment_s *abandoned_next, *abandoned_prev; /* abandoned list (abandon.c) */
  bool in_abandoned;           /* on that list (under its lock) */
  int64_t purge_expire;        /* ms clock when pending purges are due; 0: none */
  slice_mask_t purge_pending;  /* free slices waiting to be purged */
  slice_mask_t purged;         /* slices not resident (purged or never touched) */
  slice_mask_t dirty_reset;    /* purged by MADV_FREE: may still hold old data */
  slice_t slices[SLICE_ENTRIES];
} segment_t;

/* The header (with its 513 descriptors) takes the first two slices. */
#define SEGMENT_HEADER_SLICES 2
_Static_assert(sizeof(segment_t) <= SEGMENT_HEADER_SLICES * SLICE_SIZE &&
                   sizeof(segment_t) > (SEGMENT_HEADER_SLICES - 1) * SLICE_SIZE,
               "segment header size in slices");

/* ---- span queues (span.c) ------------------------------------------------ */
#define SPAN_BINS 33
typedef struct span_queue_s {
  slice_t *first, *last;
} span_queue_t;

/* ---- heap (heap.c) ------------------------------------------------------- */
typedef struct page_queue_s {
  page_t *first, *last;
  size_t block_size;
} page_queue_t;

typedef struct spinlock_s {
  atomic_flag f;
} spinlock_t;

/* Emptied large pages of up to LARGE_KEPT_SLICES slices a heap keeps for
 * its next large malloc (page_large_keep). */
#define LARGE_KEPT_MAX 4
#define LARGE_KEPT_SLICES 16

typedef struct heap_s {
  uintptr_t thread_id;
  spinlock_t lock; /* held by the owner in slow paths; lets fork see a consistent heap */
  page_t *pages_direct[DIRECT_ENTRIES]; /* size -> first page of its bin's queue (see direct_set) */
  page_queue_t pages[BIN_QUEUES];
  /* Written by other threads: on its own cache line, away from the fields
   * the owner writes on every slow path. */
  _Alignas(64) _Atomic(block_t *) thread_delayed_free; /* remote frees into full pages */
  /* Bytes of the blocks on thread_delayed_free and delayed_purged, huge
   * ones apart (page_delayed_bytes): still `used` in their pages, but free
   * (sa_usage_get). Added before a push, so it is never less than the lists
   * hold. */
  _Atomic int64_t delayed_bytes;
  _Alignas(64) uint8_t owner_fields_start;
  span_queue_t spans[SPAN_BINS];         /* free spans of the owned segments */
  segment_t *segments;                   /* owned segments (list) */
  size_t segment_count;
  size_t page_colour;                    /* rotates the start of padded pages (page_colour) */
  uint32_t bin_pages[BIN_QUEUES];        /* pages of each bin in this heap (page_slices) */
  size_t pinned_min, pinned_max;         /* bins that may hold a pinned page (0, 0: none) */
  _Atomic uint64_t generic_count;        /* slow paths taken (owner writes, background reads) */
  uint64_t background_seen;              /* generic_count at the background's last visit */
  bool is_background;                    /* the background thread's private heap */
  bool abandoning;                       /* heap_abandon runs: its queues stop feeding pages_direct */
  uint64_t bins_kept[(BIN_QUEUES + 63) / 64]; /* heap_abandon: bins whose empty page stays (page_kept_at_exit) */
  page_t *large_kept[LARGE_KEPT_MAX];    /* emptied large pages, oldest first (page_large_keep) */
  uint32_t large_kept_count;
  uint32_t large_colour;                 /* rotates the start of big blocks (malloc_large_colour) */
  bool large_kept_taken;                 /* one was reused since the last look (page_large_kept_expire) */
  _Atomic(block_t *) delayed_purged;     /* delayed frees whose memory the background purged */
  int64_t purge_next;                    /* ms: earliest pending purge; 0 none */
  int64_t purge_last;                    /* ms: this heap's last purge (segment_note_refault) */
  int64_t purge_shift_at;                /* ms: when purge_shift last changed */
  uint32_t purge_shift;                  /* purge delay x 2^shift, 0..PURGE_SHIFT_MAX */
  uint64_t purge_mark;                   /* generic_count when pending purges were last looked at */
  struct heap_s *next_all, *prev_all;    /* every live heap (for fork) */
  struct heap_s *next_free;              /* heap pool link */
} heap_t;

extern __thread heap_t *sa_heap_tls __attribute__((tls_model("initial-exec")));
SA_INTERNAL extern heap_t heap_empty;
SA_INTERNAL extern page_t page_empty;

/* The thread pointer: unique per live thread, free to read. */
static inline uintptr_t thread_id_self(void) {
#if defined(__x86_64__) && defined(__SEG_FS) && defined(__GLIBC__)
  /* An ordinary load through the fs segment, not inline asm, so that the
   * compiler folds it into free's owner compare (one instruction fewer).
   * glibc's thread descriptor points to itself at fs:16 as at fs:0 (its
   * THREAD_SELF reads fs:16); fs:0 would look like a null pointer to UBSan. */
  return *(const uintptr_t __seg_fs *)16;
#elif defined(__x86_64__)
  uintptr_t tp;
  __asm__("mov %%fs:0, %0" : "=r"(tp));
  return tp;
#elif defined(__aarch64__)
  uintptr_t tp;
  __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
  return tp;
#else
  return (uintptr_t)&sa_heap_tls;
#endif
}

/* What free_owner must hold: the heap's thread while no flag is set. */
static inline uintptr_t page_free_owner_due(const page_t *page) {
  const heap_t *heap = atomic_load_explicit(&((page_t *)page)->heap, memory_order_relaxed);
  return heap != NULL && page->flags.full_aligned == 0 ? heap->thread_id : 0;
}

/* After any change to a page's heap or flags. Only the owner writes it (the
 * background thread under the heap lock), so a thread can read its own id
 * here only while it owns the page: a stale value never matches. */
static inline void page_sync_free_owner(page_t *page) {
  atomic_store_explicit(&page->free_owner, page_free_owner_due(page), memory_order_relaxed);
}

static inline void page_set_in_full(page_t *page, bool in_full) {
  page->flags.x.in_full = in_full;
  page_sync_free_owner(page);
}

static inline segment_t *segment_of(const void *p) {
  /* p-1: a huge block aligned to 32 MiB starts exactly on the next boundary
   * and must still find its own header. */
  return (segment_t *)(((uintptr_t)p - 1) & ~(uintptr_t)SEGMENT_MASK);
}

/* The segment whose header holds a descriptor (page or span). Not
 * segment_of(page->page_start + 1): a huge block aligned to 32 MiB starts
 * on the boundary after its header, and that found the block itself. */
static inline segment_t *segment_of_slice(const void *descriptor) {
  return (segment_t *)((uintptr_t)descriptor & ~(uintptr_t)SEGMENT_MASK);
}

static inline slice_t *slice_of(const segment_t *s, const void *p) {
  size_t idx = ((uintptr_t)p - (uintptr_t)s) >> SLICE_SHIFT;
  return (slice_t *)&s->slices[idx];
}

/* Every slice of a page records where the page's descriptor is. */
static inline page_t *page_of(const segment_t *s, const void *p) {
  return slice_of(s, p)->first;
}

static inline uint8_t *slice_start(const segment_t *s, const slice_t *sl) {
  return (uint8_t *)s + ((size_t)(sl - s->slices) << SLICE_SHIFT);
}

/* The slices of the tile (a page or a free span) that starts at slice i,
 * for walks that step from tile to tile. A tile start never has a zero
 * count (check_segment verifies it); the 1 keeps a walk moving over a
 * corrupt descriptor. A free span never reaches past the usable
 * descriptors; a huge page's count may, and ends the walk. */
static inline size_t segment_tile_slices(const segment_t *s, size_t i) {
  const slice_t *sl = &s->slices[i];
  size_t n = sl->slice_count ? sl->slice_count : 1;
  return !sl->is_used && n > s->slice_entries - i ? s->slice_entries - i : n;
}

static inline size_t size_align_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

/* Blocks handed out and not yet collected back: `used` less the pin. */
static inline uint32_t page_live(const page_t *page) { return (uint32_t)page->used - page->pinned; }

/* ---- module entry points ------------------------------------------------- */
/* os.c */
SA_INTERNAL void *os_reserve_aligned(size_t size, size_t alignment);
SA_INTERNAL void os_release(void *p, size_t size);
SA_INTERNAL void os_advise_huge(void *p, size_t size, bool huge);
SA_INTERNAL void page_unadvise_huge(page_t *page);
SA_INTERNAL bool os_purge(void *p, size_t size, bool decommit);
SA_INTERNAL void os_populate(void *p, size_t size);
SA_INTERNAL size_t os_resident_bytes(const void *p, size_t size);
SA_INTERNAL void *os_alloc_meta(size_t size);
SA_INTERNAL size_t os_page_size(void);
SA_INTERNAL int64_t os_clock_ms(void);

/* options.c */
SA_INTERNAL void options_init(void);
SA_INTERNAL long option_get(sa_option_t o);
/* SEGALLOC_SECURE, in the form free's fast path reads: it sends every
 * pointer at or below this to free_null_or_secure, 0 (only NULL) normally,
 * every pointer in secure mode. One compare where a NULL test and a test
 * of a flag took two each. */
SA_INTERNAL extern uintptr_t sa_free_slow_upto;
static inline bool secure_mode(void) { return sa_free_slow_upto == UINTPTR_MAX; }
SA_INTERNAL extern char sa_map_path[512];
/* snapshot.c: appends a snapshot to SEGALLOC_MAP; `final` closes it */
SA_INTERNAL void snapshot_map_tick(bool final);
SA_INTERNAL void snapshot_atfork_child(void);
SA_INTERNAL void sa_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
SA_INTERNAL void sa_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* stats.c */
typedef enum stat_e {
  STAT_SEGMENTS, STAT_SEGMENTS_CACHED, STAT_SEGMENTS_ABANDONED, STAT_SEGMENTS_RECLAIMED,
  STAT_PAGES_SMALL, STAT_PAGES_MEDIUM, STAT_PAGES_LARGE, STAT_PAGES_HUGE, STAT_PAGES_RETIRED,
  STAT_RESERVED, STAT_COMMITTED, STAT_PURGED, STAT_LOCAL_FREES, STAT_REMOTE_FREES, STAT_THREADS,
  STAT_COUNT
} stat_t;
SA_INTERNAL void stat_add(stat_t s, int64_t delta);
SA_INTERNAL int64_t stat_read(stat_t s);
SA_INTERNAL void stats_print_fd(int fd);
SA_INTERNAL extern int sa_stats_fd; /* stderr kept for the exit report */

/* span.c */
SA_INTERNAL size_t span_bin(size_t slice_count);
SA_INTERNAL void span_queue_push(heap_t *heap, slice_t *span);
SA_INTERNAL void span_queue_remove(heap_t *heap, slice_t *span);
SA_INTERNAL void span_set(segment_t *s, slice_t *first, size_t count);
SA_INTERNAL slice_t *span_find(heap_t *heap, size_t count, size_t align);
SA_INTERNAL void span_split(heap_t *heap, segment_t *s, slice_t *span, size_t count);
SA_INTERNAL slice_t *span_free_coalesce(heap_t *heap, segment_t *s, slice_t *span);

/* segment.c */
SA_INTERNAL page_t *segment_page_alloc(heap_t *heap, size_t slices, size_t align);
SA_INTERNAL bool segment_page_grow(heap_t *heap, page_t *page, size_t slices);
SA_INTERNAL bool page_large_grow(void *p, size_t size);
SA_INTERNAL void segment_page_free(heap_t *heap, page_t *page);
SA_INTERNAL page_t *segment_huge_alloc(heap_t *heap, size_t size, size_t alignment);
SA_INTERNAL void segment_purge_heap(heap_t *heap, bool force);
SA_INTERNAL void segment_cache_collect(bool force);
SA_INTERNAL bool segment_is_valid(const segment_t *s);
SA_INTERNAL void segment_abandon(heap_t *heap, segment_t *s);
SA_INTERNAL void segment_free_empty(heap_t *heap, segment_t *s);
SA_INTERNAL void segment_release_empty(heap_t *heap);
SA_INTERNAL void segment_spans_dequeue(heap_t *heap, segment_t *s);
SA_INTERNAL void segment_purge_now(segment_t *s);
SA_INTERNAL void segment_purge_free_spans(heap_t *heap);
SA_INTERNAL void segment_link(heap_t *heap, segment_t *s);
SA_INTERNAL void segment_unlink(heap_t *heap, segment_t *s);
SA_INTERNAL bool segment_reclaim_some(heap_t *heap, bool all);
SA_INTERNAL bool segment_visit_abandoned(heap_t *visitor);
SA_INTERNAL bool segment_adopt_on_free(segment_t *s);
SA_INTERNAL size_t segment_abandoned_count(void);
SA_INTERNAL void abandoned_atfork_prepare(void);
SA_INTERNAL void abandoned_atfork_release(void);
SA_INTERNAL void segment_map_set(const segment_t *s, bool present);
SA_INTERNAL bool segment_map_has(const void *p);
SA_INTERNAL size_t segments_walk(void (*fn)(const segment_t *, void *), void *arg);
SA_INTERNAL bool segment_slice_purged(const segment_t *s, size_t i);
SA_INTERNAL void segments_atfork_prepare(void);
SA_INTERNAL void segments_atfork_parent(void);
SA_INTERNAL void segments_atfork_child(void);

/* page_queue.c */
SA_INTERNAL void page_queue_push_front(heap_t *heap, page_queue_t *q, page_t *page);
SA_INTERNAL void page_queue_push_back(heap_t *heap, page_queue_t *q, page_t *page);
SA_INTERNAL void page_queue_remove(heap_t *heap, page_queue_t *q, page_t *page);
SA_INTERNAL page_queue_t *page_queue_of(heap_t *heap, const page_t *page);

/* page.c */
SA_INTERNAL void *malloc_generic(size_t size, heap_t *heap, bool zero, size_t alignment);
SA_INTERNAL void page_collect(page_t *page);
SA_INTERNAL void page_unfull(heap_t *heap, page_t *page);
SA_INTERNAL void page_to_full(heap_t *heap, page_t *page);
SA_INTERNAL void page_unfull_on_free(heap_t *heap, page_t *page);
SA_INTERNAL void page_free(heap_t *heap, page_t *page);
SA_INTERNAL void page_free_or_keep(heap_t *heap, page_t *page);
SA_INTERNAL void page_large_kept_release(heap_t *heap);
SA_INTERNAL uintptr_t page_set_delayed(page_t *page, delayed_t state);
SA_INTERNAL void page_expire_pinned(heap_t *heap, bool force);
SA_INTERNAL page_kind_t page_kind_of(size_t block_size);
SA_INTERNAL size_t page_stride(size_t bin_size);
SA_INTERNAL void page_attach(heap_t *heap, page_t *page);

/* free.c */
SA_INTERNAL void free_local_block(heap_t *heap, page_t *page, block_t *block);
SA_INTERNAL void free_generic(void *p);
SA_INTERNAL bool heap_drain_delayed(heap_t *heap);
SA_INTERNAL void stats_flush_thread(void);
/* ceil(2^40 / d): floor(n * magic / 2^40) == n / d whenever n * d < 2^40,
 * since the rounding error n * (magic * d - 2^40) / 2^40 stays below one
 * step of n / d (page_block_start; unit_bins checks every class). */
static inline uint64_t page_magic_of(size_t block_size) {
  return ((UINT64_C(1) << 40) + block_size - 1) / block_size;
}
SA_INTERNAL block_t *page_block_start(const page_t *page, const void *p);

/* heap.c */
SA_INTERNAL heap_t *heap_get_or_init(void);
SA_INTERNAL void heap_collect(heap_t *heap, bool force);
SA_INTERNAL int64_t heaps_delayed_bytes(void);
/* What a block of page adds to delayed_bytes: huge blocks none, since
 * sa_usage_get counts them by their mapping, which stays until drained. */
static inline int64_t page_delayed_bytes(const page_t *page) {
  return page->kind == PAGE_HUGE ? 0 : (int64_t)page->block_size;
}
SA_INTERNAL void heap_thread_done(heap_t *heap);
SA_INTERNAL void heap_key_create(void (*done)(void *));
SA_INTERNAL heap_t *heap_of_thread(void);
/* Set in a fork child while it repairs the heaps of threads that did not
 * survive the fork: a DELAYED_FREEING state then belongs to a dead thread. */
SA_INTERNAL extern bool sa_fork_child_repair;
SA_INTERNAL void heaps_atfork_prepare(void);
SA_INTERNAL void heaps_atfork_parent(void);
SA_INTERNAL void heaps_atfork_child(void);

/* check.c: invariant checker for tests; returns the number of violations */
SA_INTERNAL size_t check_segment(const heap_t *heap, const segment_t *s);
SA_INTERNAL size_t check_heap(const heap_t *heap);
SA_INTERNAL size_t check_page_lists(const page_t *page);
SA_INTERNAL size_t check_heap_lists(const heap_t *heap);

/* background.c */
SA_INTERNAL void background_maybe_start(void);
SA_INTERNAL void background_atfork_child(void);
SA_INTERNAL size_t block_purge_range(uintptr_t from, uintptr_t to);
SA_INTERNAL void background_visit_heap(heap_t *heap);
SA_INTERNAL void heap_background_purge(heap_t *heap);
SA_INTERNAL bool page_purges_blocks(const page_t *page);
SA_INTERNAL uint64_t page_purge_whole_blocks(page_t *page, block_t *list);
SA_INTERNAL block_t *page_purge_covered_os_pages(page_t *page, block_t *list, block_t **last, uint32_t *kept,
                                                 uint64_t *mask);
SA_INTERNAL bool page_purges_os_pages(const page_t *page);
SA_INTERNAL void page_os_page_blocks(const page_t *page, size_t j, size_t *from, size_t *to);
SA_INTERNAL uint32_t page_purged_blocks(const page_t *page, uint64_t mask);
SA_INTERNAL size_t page_purged_bit(const page_t *page, const void *block);
SA_INTERNAL size_t block_purgeable_bytes(uintptr_t from, uintptr_t to);
SA_INTERNAL void block_unpurged(uintptr_t from, uintptr_t to);
/* Held by the background thread while abandoned segments are in its hands,
 * and by a forced collect, which must see every one of them. */
SA_INTERNAL extern spinlock_t abandoned_visit_lock;

/* heap.c, for the background thread */
SA_INTERNAL void heap_visit_pages(heap_t *heap, void (*fn)(heap_t *, page_t *));
SA_INTERNAL void heaps_visit_idle(void (*fn)(heap_t *));
SA_INTERNAL void heaps_visit_unlocked(bool (*want)(heap_t *), void (*fn)(heap_t *));
SA_INTERNAL size_t heaps_live(void);
SA_INTERNAL heap_t *heap_background_init(void);
SA_INTERNAL void heap_abandon_all(heap_t *heap);
SA_INTERNAL void heap_empty_build(void);

/* init.c */
SA_INTERNAL void process_init(void);

/* A tiny spin lock for the rare process-wide structures (segment cache,
 * heap pool) and each heap's slow paths. Never held across a call that can
 * allocate. Taking a free lock is inline: a heap's lock is almost never
 * contended, and the call cost 10 of 14 instructions on every slow path. */
#define SPINLOCK_INIT {ATOMIC_FLAG_INIT}
SA_INTERNAL void spin_lock_wait(spinlock_t *l);
static inline void spin_lock(spinlock_t *l) {
  if (SA_UNLIKELY(atomic_flag_test_and_set_explicit(&l->f, memory_order_acquire))) spin_lock_wait(l);
}
static inline void spin_unlock(spinlock_t *l) { atomic_flag_clear_explicit(&l->f, memory_order_release); }

#endif
