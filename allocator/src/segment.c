/* Segments: 32 MiB regions aligned to 32 MiB, owned by one thread's heap.
 * This file maps and unmaps them (through os.c), hands out spans of slices
 * as pages, takes pages back, purges free slices after a delay, keeps a
 * small cache of fully free segments, and owns the process-wide segment map
 * used to recognise our pointers. */
#include <errno.h>

#include "internal.h"

#define SEGMENT_COOKIE 0x5e6a11c05e6a11c0ULL

/* ---- slice masks -------------------------------------------------------- */
/* A word at a time: a page or span covers up to 510 slices, and the masks
 * are set and counted for every large page made (churn64k --mode wide, a
 * fifth of whose blocks are large: segment_commit_page 10.4 M -> 9.2 M of
 * its 275 M instructions; more for longer spans). */
typedef struct mask_word_s {
  size_t index;  /* word of the mask */
  uint64_t bits; /* the range's bits in it */
} mask_word_t;

/* The part of [*from, end) that lies in *from's word; advances *from. */
static mask_word_t mask_next_word(size_t *from, size_t end) {
  size_t w = *from >> 6, lo = *from & 63;
  size_t hi = end - (w << 6) < 64 ? end - (w << 6) : 64;
  uint64_t upto = hi == 64 ? ~0ULL : (1ULL << hi) - 1;
  *from = (w << 6) + hi;
  return (mask_word_t){w, upto & ~((1ULL << lo) - 1)};
}

static void mask_set(slice_mask_t *m, size_t from, size_t n, bool on) {
  for (size_t end = from + n; from < end;) {
    mask_word_t mw = mask_next_word(&from, end);
    if (on) m->w[mw.index] |= mw.bits;
    else m->w[mw.index] &= ~mw.bits;
  }
}

static size_t mask_count(const slice_mask_t *m, size_t from, size_t n) {
  size_t c = 0;
  for (size_t end = from + n; from < end;) {
    mask_word_t mw = mask_next_word(&from, end);
    c += (size_t)__builtin_popcountll(m->w[mw.index] & mw.bits);
  }
  return c;
}

static bool mask_test(const slice_mask_t *m, size_t i) { return (m->w[i >> 6] >> (i & 63)) & 1; }

/* Slices after the header not purged (the header's are never purged). */
static size_t segment_resident_slices(const segment_t *s) {
  size_t n = s->slice_entries - SEGMENT_HEADER_SLICES;
  return n - mask_count(&s->purged, SEGMENT_HEADER_SLICES, n);
}

/* ---- segment map: one bit per 32 MiB of a 48-bit address space ----------- */
#define SEGMENT_MAP_BITS ((size_t)1 << (48 - SEGMENT_SHIFT))
static _Atomic uint64_t segment_map[SEGMENT_MAP_BITS / 64];

void segment_map_set(const segment_t *s, bool present) {
  size_t idx = (uintptr_t)s >> SEGMENT_SHIFT;
  if (idx >= SEGMENT_MAP_BITS) return;
  uint64_t bit = 1ULL << (idx & 63);
  if (present) atomic_fetch_or_explicit(&segment_map[idx / 64], bit, memory_order_release);
  else atomic_fetch_and_explicit(&segment_map[idx / 64], ~bit, memory_order_release);
}

bool segment_map_has(const void *p) {
  size_t idx = ((uintptr_t)p - 1) >> SEGMENT_SHIFT;
  if (idx >= SEGMENT_MAP_BITS) return false;
  return (atomic_load_explicit(&segment_map[idx / 64], memory_order_acquire) >> (idx & 63)) & 1;
}

bool segment_is_valid(const segment_t *s) { return segment_map_has((const uint8_t *)s + 1) && s->cookie == SEGMENT_COOKIE; }

/* ---- the cache of fully free segments ------------------------------------
 * Segments in the cache are already purged, so they cost address space
 * only; the cache saves the mmap/munmap pair when a burst frees and re-makes
 * whole segments. */
static spinlock_t cache_lock = SPINLOCK_INIT;
static segment_t *cache_first;
static size_t cache_count;
static _Atomic int64_t cache_purge_next; /* earliest deadline in the cache; 0 none */

static segment_t *segment_cache_pop(void) {
  spin_lock(&cache_lock);
  segment_t *s = cache_first;
  if (s) {
    cache_first = s->next;
    cache_count--;
  }
  spin_unlock(&cache_lock);
  if (s) stat_add(STAT_SEGMENTS_CACHED, -1);
  return s;
}

static bool segment_cache_push(segment_t *s) {
  bool pushed = false;
  spin_lock(&cache_lock);
  if ((long)cache_count < option_get(SA_OPTION_SEGMENT_CACHE)) {
    int64_t due = atomic_load_explicit(&cache_purge_next, memory_order_relaxed);
    if (s->purge_expire && (due == 0 || s->purge_expire < due))
      atomic_store_explicit(&cache_purge_next, s->purge_expire, memory_order_relaxed);
    s->next = cache_first;
    cache_first = s;
    cache_count++;
    pushed = true;
  }
  spin_unlock(&cache_lock);
  if (pushed) stat_add(STAT_SEGMENTS_CACHED, 1);
  return pushed;
}

/* Held while a segment is unmapped and while segments_walk runs, so a walk
 * never reads a header that is going away. */
static spinlock_t release_lock = SPINLOCK_INIT;

/* The one place a segment leaves the process: whatever of it is still
 * counted as committed (the header and every slice not purged) goes too. */
static void segment_release(segment_t *s) {
  stat_add(STAT_COMMITTED, -(int64_t)((segment_resident_slices(s) + SEGMENT_HEADER_SLICES) << SLICE_SHIFT));
  spin_lock(&release_lock);
  segment_map_set(s, false);
  s->cookie = 0;
  os_release(s, s->segment_size);
  spin_unlock(&release_lock);
}

/* Every mapped segment (owned, abandoned or cached), in address order. */
size_t segments_walk(void (*fn)(const segment_t *, void *), void *arg) {
  size_t n = 0;
  spin_lock(&release_lock);
  for (size_t w = 0; w < SEGMENT_MAP_BITS / 64; w++) {
    uint64_t bits = atomic_load_explicit(&segment_map[w], memory_order_acquire);
    while (bits) {
      size_t b = (size_t)__builtin_ctzll(bits);
      bits &= bits - 1;
      const segment_t *s = (const segment_t *)((w * 64 + b) << SEGMENT_SHIFT);
      if (s->cookie != SEGMENT_COOKIE) continue;
      fn(s, arg);
      n++;
    }
  }
  spin_unlock(&release_lock);
  return n;
}

bool segment_slice_purged(const segment_t *s, size_t i) { return mask_test(&s->purged, i); }

/* Purges cached segments whose delay ran out (all when forced); a forced
 * collect also unmaps them. Called from slow paths, so an idle cache
 * drains as soon as any thread allocates again. */
void segment_cache_collect(bool force) {
  int64_t due = atomic_load_explicit(&cache_purge_next, memory_order_relaxed);
  int64_t now = os_clock_ms();
  if (!force && (due == 0 || now < due)) return;
  spin_lock(&cache_lock);
  int64_t next = 0;
  for (segment_t *s = cache_first; s != NULL; s = s->next) {
    if (s->purge_expire == 0) continue;
    if (force || s->purge_expire <= now) segment_purge_now(s);
    else if (next == 0 || s->purge_expire < next) next = s->purge_expire;
  }
  atomic_store_explicit(&cache_purge_next, next, memory_order_relaxed);
  spin_unlock(&cache_lock);
  if (force)
    for (segment_t *s; (s = segment_cache_pop()) != NULL;) segment_release(s);
}

/* ---- purging ------------------------------------------------------------- */
static void segment_purge_range(segment_t *s, size_t from, size_t n) {
  size_t already = mask_count(&s->purged, from, n);
  bool zero = os_purge((uint8_t *)s + (from << SLICE_SHIFT), n << SLICE_SHIFT,
                       option_get(SA_OPTION_PURGE_DECOMMITS) != 0);
  mask_set(&s->purged, from, n, true);
  mask_set(&s->dirty_reset, from, n, !zero);
  int64_t bytes = (int64_t)((n - already) << SLICE_SHIFT);
  stat_add(STAT_COMMITTED, -bytes);
  stat_add(STAT_PURGED, bytes);
}

/* Purges every pending run of slices of s now. */
void segment_purge_now(segment_t *s) {
  size_t i = SEGMENT_HEADER_SLICES;
  while (i < s->slice_entries) {
    if (!mask_test(&s->purge_pending, i)) { i++; continue; }
    size_t j = i;
    while (j < s->slice_entries && mask_test(&s->purge_pending, j)) j++;
    segment_purge_range(s, i, j - i);
    mask_set(&s->purge_pending, i, j - i, false);
    i = j;
  }
  s->purge_expire = 0;
}

/* sa_trim: every free slice of the heap's segments that is still committed
 * goes back now, pending or not and whatever the purge delay (a program
 * that calls malloc_trim asks for exactly that). Heap lock held. */
void segment_purge_free_spans(heap_t *heap) {
  for (segment_t *s = heap->segments; s != NULL; s = s->next) {
    if (s->kind == SEGMENT_HUGE) continue;
    for (size_t i = SEGMENT_HEADER_SLICES, n; i < s->slice_entries; i += n) {
      n = segment_tile_slices(s, i);
      if (s->slices[i].is_used) continue;
      for (size_t k = i; k < i + n; k++)
        if (!mask_test(&s->purged, k)) mask_set(&s->purge_pending, k, 1, true);
    }
    segment_purge_now(s);
  }
}

/* The purge delay adapts per heap: a heap that takes back memory it purged
 * less than two delays ago pays page faults for every byte of it, so its
 * delay doubles (up to 16x); it halves again after two seconds in which
 * purges ran without that happening. realloc-grow, which frees and re-takes
 * big spans a little slower than 50 ms apart, took 107,000 page faults a
 * second (mimalloc 16,000); see README design notes. */
#define PURGE_SHIFT_MAX 4

static long segment_purge_delay(const heap_t *heap) {
  long delay = option_get(SA_OPTION_PURGE_DELAY);
  return delay > 0 ? delay << heap->purge_shift : delay;
}

static void segment_note_refault(heap_t *heap) {
  if (heap->purge_last == 0 || heap->purge_shift >= PURGE_SHIFT_MAX) return;
  int64_t now = os_clock_ms();
  if (now - heap->purge_last < 2 * segment_purge_delay(heap)) {
    heap->purge_shift++;
    heap->purge_shift_at = now;
  }
}

static void segment_note_purge(heap_t *heap, int64_t now) {
  heap->purge_last = now;
  if (heap->purge_shift > 0 && now - heap->purge_shift_at > 2000) {
    heap->purge_shift--;
    heap->purge_shift_at = now;
  }
}

static void segment_schedule_purge(heap_t *heap, segment_t *s, size_t from, size_t n) {
  long delay = segment_purge_delay(heap);
  if (delay < 0) return;
  mask_set(&s->purge_pending, from, n, true);
  if (delay == 0) {
    segment_purge_now(s);
    return;
  }
  if (s->purge_expire == 0) {
    s->purge_expire = os_clock_ms() + delay;
    if (heap->purge_next == 0) heap->purge_mark = atomic_load_explicit(&heap->generic_count, memory_order_relaxed);
    if (heap->purge_next == 0 || s->purge_expire < heap->purge_next) heap->purge_next = s->purge_expire;
  }
}

/* A heap that took slow paths since its purges became pending is still
 * allocating, and span_find hands out the latest freed spans first:
 * purging them now would only have them faulted back, at the cost of a
 * fault per 4 KiB page (about 12 us on a machine whose kernel runs under
 * shadow paging). Its due purges wait one delay more, and its delay
 * doubles, up to 16x (segment_note_purge brings it down again); an idle
 * heap, whose memory should go back soon, purges on time. sqlite3 (the
 * realprogs suite) frees 16 MB of big blocks early and fills that memory
 * with small pages over the next 300 ms: 16,000 page faults with purges
 * on time, 12,500 never purging (tcmalloc 14,500). Returns the new
 * deadline of the due purges, 0 to run them now. */
static int64_t segment_purge_put_off(heap_t *heap, int64_t now) {
  uint64_t count = atomic_load_explicit(&heap->generic_count, memory_order_relaxed);
  bool active = count != heap->purge_mark;
  heap->purge_mark = count;
  if (!active || heap->purge_shift >= PURGE_SHIFT_MAX) return 0;
  heap->purge_shift++;
  heap->purge_shift_at = now;
  return now + segment_purge_delay(heap);
}

/* Runs the purges that are due (all of them when forced) in the heap's
 * segments, or moves them to the deadline segment_purge_put_off gives.
 * Cheap when nothing is pending: one compare. */
void segment_purge_heap(heap_t *heap, bool force) {
  if (heap->purge_next == 0) return;
  int64_t now = os_clock_ms();
  if (!force && now < heap->purge_next) return;
  int64_t put_off = force ? 0 : segment_purge_put_off(heap, now);
  int64_t next = 0;
  for (segment_t *s = heap->segments; s != NULL; s = s->next) {
    if (s->purge_expire == 0) continue;
    if (put_off != 0 && s->purge_expire <= now) s->purge_expire = put_off;
    if (force || s->purge_expire <= now) {
      segment_purge_now(s);
      segment_note_purge(heap, now);
    } else if (next == 0 || s->purge_expire < next) {
      next = s->purge_expire;
    }
  }
  heap->purge_next = next;
}

/* Every resident slice of an empty segment becomes due for purging after
 * the delay of the heap it leaves or joins: a heap that stretched its delay
 * (it re-takes what it frees, or keeps allocating) would otherwise have its
 * emptied segments purged at the base delay in the cache and faulted in
 * again when it takes them back. realloc-grow, whose 4 MiB buffers empty
 * and re-fill segments: see README design notes ("Page faults"). */
static void segment_schedule_purge_all(const heap_t *heap, segment_t *s) {
  long delay = segment_purge_delay(heap);
  memset(&s->purge_pending, 0, sizeof s->purge_pending);
  for (size_t from = SEGMENT_HEADER_SLICES; from < s->slice_entries;) {
    mask_word_t mw = mask_next_word(&from, s->slice_entries);
    s->purge_pending.w[mw.index] = mw.bits & ~s->purged.w[mw.index];
  }
  s->purge_expire = 0;
  if (delay == 0) segment_purge_now(s);
  else if (delay > 0) s->purge_expire = os_clock_ms() + delay;
}

/* ---- owned segment list --------------------------------------------------- */
void segment_link(heap_t *heap, segment_t *s) {
  s->heap = heap;
  s->prev = NULL;
  s->next = heap->segments;
  if (heap->segments) heap->segments->prev = s;
  heap->segments = s;
  heap->segment_count++;
  atomic_store_explicit(&s->thread_id, heap->thread_id, memory_order_release);
  if (s->purge_expire && (heap->purge_next == 0 || s->purge_expire < heap->purge_next))
    heap->purge_next = s->purge_expire;
}

void segment_unlink(heap_t *heap, segment_t *s) {
  if (s->prev) s->prev->next = s->next;
  else heap->segments = s->next;
  if (s->next) s->next->prev = s->prev;
  s->next = s->prev = NULL;
  s->heap = NULL;
  heap->segment_count--;
}

/* ---- normal segments ------------------------------------------------------- */

static bool segment_is_last_normal(const heap_t *heap, const segment_t *s) {
  for (const segment_t *o = heap->segments; o != NULL; o = o->next)
    if (o != s && o->kind == SEGMENT_NORMAL) return false;
  return true;
}

/* Frees the heap's empty segments (at most the one segment_page_free kept),
 * after the emptied lone pages kept for reuse (page_expire_pinned) that
 * would hold one. Owner, heap lock held. */
void segment_release_empty(heap_t *heap) {
  page_expire_pinned(heap, true);
  segment_t *s = heap->segments;
  while (s != NULL) {
    segment_t *next = s->next;
    if (s->used == 0) segment_free_empty(heap, s);
    s = next;
  }
}

/* Cached segments, and the empty one a heap keeps, still hold address
 * space: under an address-space limit (ulimit -v) they are what stands
 * between a failed mapping and a good one. */
static segment_t *segment_os_reserve(heap_t *heap, size_t size) {
  segment_t *s = os_reserve_aligned(size, SEGMENT_SIZE);
  if (s == NULL) {
    segment_release_empty(heap);
    segment_cache_collect(true);
    s = os_reserve_aligned(size, SEGMENT_SIZE);
  }
  return s;
}
static void segment_mark_page(segment_t *s, slice_t *first, size_t count);

static void segment_init_header(segment_t *s, size_t size, segment_kind_t kind, size_t entries, bool fresh) {
  /* A fresh mapping is zero; a cached one keeps its masks (purged) but
   * everything else is reset. */
  size_t keep_from = offsetof(segment_t, purge_pending);
  memset(s, 0, keep_from);
  /* A fresh mapping's descriptors are zero already, and a cached one's are
   * not reset either: only the first and last descriptor of a free span
   * and every descriptor of a page are ever read, and span_set and
   * segment_mark_page write those (a page freed inside a live segment
   * leaves the same stale interior descriptors). Resetting all 513 made
   * the 64 KiB of those no page uses resident: threadchurn, 5 runs of
   * 1 s, peak RSS 5.3 -> 4.8 MB. */
  memset(&s->purge_pending, 0, sizeof s->purge_pending);
  if (fresh) {
    memset(&s->purged, 0, sizeof s->purged);
    memset(&s->dirty_reset, 0, sizeof s->dirty_reset);
    mask_set(&s->purged, SEGMENT_HEADER_SLICES, SLICE_ENTRIES - SEGMENT_HEADER_SLICES, true); /* never touched: not resident, zero */
    stat_add(STAT_COMMITTED, (int64_t)(SEGMENT_HEADER_SLICES * SLICE_SIZE)); /* the header */
  }
  s->cookie = SEGMENT_COOKIE;
  s->segment_size = size;
  s->kind = kind;
  s->slice_entries = (uint32_t)entries;
  segment_mark_page(s, &s->slices[0], SEGMENT_HEADER_SLICES); /* the header is never part of a free span */
  /* free's fast path reads this descriptor for a huge block that starts on
   * the next 32 MiB boundary (see sa_free): owned by no thread, it goes
   * generic. */
  atomic_store_explicit(&s->slices[0].free_owner, 0, memory_order_relaxed);
}

/* SEGALLOC_HUGEPAGES=2: every segment asks for huge pages. Not the
 * default: a touched 2 MiB is then resident whole, including free slices
 * that the purge masks believe were never touched (see page_wants_huge
 * for the default). */
static void segment_advise_huge(segment_t *s) {
  if (option_get(SA_OPTION_HUGEPAGES) >= 2) os_advise_huge(s, SEGMENT_SIZE, true);
}

static segment_t *segment_alloc(heap_t *heap) {
  segment_t *s = segment_cache_pop();
  bool fresh = s == NULL;
  if (fresh) {
    s = segment_os_reserve(heap, SEGMENT_SIZE);
    if (s == NULL) return NULL;
  }
  segment_advise_huge(s);
  segment_init_header(s, SEGMENT_SIZE, SEGMENT_NORMAL, SLICES_PER_SEGMENT, fresh);
  if (!fresh) segment_schedule_purge_all(heap, s); /* what the cache had not purged yet */
  segment_map_set(s, true);
  stat_add(STAT_SEGMENTS, 1);
  segment_link(heap, s);
  span_set(s, &s->slices[SEGMENT_HEADER_SLICES], SLICES_PER_SEGMENT - SEGMENT_HEADER_SLICES);
  span_queue_push(heap, &s->slices[SEGMENT_HEADER_SLICES]);
  return s;
}

/* Takes the segment's free spans out of the owner's span queues (before
 * the segment leaves the owner). Huge segments have no queued spans. */
void segment_spans_dequeue(heap_t *heap, segment_t *s) {
  if (s->kind != SEGMENT_NORMAL) return;
  for (size_t i = SEGMENT_HEADER_SLICES; i < s->slice_entries; i += segment_tile_slices(s, i)) {
    slice_t *sl = &s->slices[i];
    if (!sl->is_used && sl->slice_count) span_queue_remove(heap, sl);
  }
}

/* A cached segment saves its next owner the page faults of what is still
 * resident, which pays when a burst re-makes big pages on the same slices
 * (see README design notes: purging every segment at once cost a 64 KiB
 * producer/consumer test 3.8 s instead of 0.65 s). A segment that held a
 * few dozen small pages saves few faults, and its resident 4 KiB pages
 * rarely match what the next pages on those slices touch: threadchurn's
 * RSS stayed 1 MB above what it was with no cache at all. Such a segment
 * is purged as it enters the cache (unless purging is off: delay -1, which
 * schedules no deadline). */
#define SEGMENT_SPARSE_SLICES 64
static bool segment_is_sparse(const segment_t *s) { return segment_resident_slices(s) <= SEGMENT_SPARSE_SLICES; }

void segment_free_empty(heap_t *heap, segment_t *s) {
  segment_spans_dequeue(heap, s);
  segment_unlink(heap, s);
  stat_add(STAT_SEGMENTS, -1);
  if (s->kind == SEGMENT_NORMAL) {
    s->heap = NULL;
    atomic_store_explicit(&s->thread_id, 0, memory_order_relaxed);
    /* Cached with its pages still resident but due for purging: a burst
     * that frees and re-makes a whole segment costs no page faults, and an
     * idle cache still goes back to the OS after the purge delay. */
    segment_schedule_purge_all(heap, s);
    /* A deadline means purging is on and not yet done: a sparse one goes now. */
    if (s->purge_expire != 0 && segment_is_sparse(s)) segment_purge_now(s);
    if (segment_cache_push(s)) return;
  }
  segment_release(s);
}

/* Marks `count` slices starting at `first` as one used page: every slice
 * says where the first is, so page_of() is O(1) for any interior pointer. */
static void segment_mark_page(segment_t *s, slice_t *first, size_t count) {
  first->slice_count = (uint32_t)count;
  first->first = first;
  first->is_used = 1;
  for (size_t i = 1; i < count && first + i < s->slices + SLICE_ENTRIES; i++) {
    first[i].slice_count = 0;
    first[i].first = first;
    first[i].is_used = 1;
  }
}

/* Takes the slices of a new page out of the purge bookkeeping and tells the
 * page whether its memory is known to be zero. */
static size_t segment_commit_page(segment_t *s, page_t *page, size_t from, size_t n) {
  size_t purged = mask_count(&s->purged, from, n);
  bool zero = purged == n && mask_count(&s->dirty_reset, from, n) == 0;
  mask_set(&s->purge_pending, from, n, false);
  mask_set(&s->purged, from, n, false);
  mask_set(&s->dirty_reset, from, n, false);
  stat_add(STAT_COMMITTED, (int64_t)(purged << SLICE_SHIFT));
  page->is_zero = zero;
  return purged;
}

static page_t *segment_span_to_page(heap_t *heap, slice_t *span, size_t slices) {
  segment_t *s = segment_of_slice(span);
  span_split(heap, s, span, slices);
  segment_mark_page(s, span, slices);
  size_t idx = (size_t)(span - s->slices);
  if (segment_commit_page(s, span, idx, slices) != 0) segment_note_refault(heap);
  span->page_start = (uint8_t *)s + (idx << SLICE_SHIFT);
  s->used++;
  return span;
}

/* `align` (in slices, 1: any) places the page for huge pages. */
page_t *segment_page_alloc(heap_t *heap, size_t slices, size_t align) {
  slice_t *span = span_find(heap, slices, align);
  if (span == NULL && segment_reclaim_some(heap, false)) span = span_find(heap, slices, align);
  if (span == NULL) {
    if (segment_alloc(heap) == NULL) return NULL;
    span = span_find(heap, slices, align);
    if (span == NULL) return NULL;
  }
  return segment_span_to_page(heap, span, slices);
}

/* Grows a page in place into the free span right after it, when that span
 * is long enough: realloc of a large block then copies nothing. */
bool segment_page_grow(heap_t *heap, page_t *page, size_t slices) {
  segment_t *s = segment_of_slice(page);
  size_t idx = (size_t)(page - s->slices), have = page->slice_count;
  if (s->kind != SEGMENT_NORMAL || slices <= have || idx + slices > s->slice_entries) return false;
  slice_t *next = page + have;
  if (next->is_used || next->slice_count < slices - have) return false;
  span_queue_remove(heap, next);
  span_split(heap, s, next, slices - have);
  bool is_zero = page->is_zero;
  segment_commit_page(s, page, idx + have, slices - have);
  page->is_zero = is_zero;
  segment_mark_page(s, page, slices);
  return true;
}

void segment_page_free(heap_t *heap, page_t *page) {
  segment_t *s = segment_of_slice(page);
  size_t count = page->slice_count;
  size_t idx = (size_t)(page - s->slices);
  s->used--;
  if (s->kind == SEGMENT_HUGE) {
    stat_add(STAT_COMMITTED, -(int64_t)((size_t)count << SLICE_SHIFT));
    mask_set(&s->purged, idx, s->slice_entries - idx, true);
    segment_free_empty(heap, s);
    return;
  }
  memset((uint8_t *)page + offsetof(page_t, is_used), 0, sizeof(page_t) - offsetof(page_t, is_used));
  page->slice_count = (uint32_t)count;
  /* Queued like every other free span even when the segment is now empty,
   * so that segment_free_empty takes them all out of the queues alike.
   * (Removing a span that was never queued emptied its whole bin: found by
   * the fuzzer.) */
  span_free_coalesce(heap, s, page);
  /* A heap keeps its last normal segment when it empties: it needs one for
   * its next page, and one from the cache costs a 64 KiB descriptor reset.
   * (threadchurn: a new thread reclaimed the oldest abandoned segment, its
   * pages all freed meanwhile, and it emptied at once; releasing it sent
   * 15% of the instructions to re-making another.) Its free slices purge
   * on the usual delay; the segment goes when the thread exits, on a
   * forced collect, or when address space runs out (segment_release_empty). */
  if (s->used == 0 && !segment_is_last_normal(heap, s)) {
    segment_free_empty(heap, s);
    return;
  }
  segment_schedule_purge(heap, s, idx, count);
}

/* ---- huge segments: one block, its own mapping ------------------------------ */
page_t *segment_huge_alloc(heap_t *heap, size_t size, size_t alignment) {
  size_t offset = alignment > SEGMENT_HEADER_SLICES * SLICE_SIZE ? alignment : SEGMENT_HEADER_SLICES * SLICE_SIZE;
  size_t map = offset + size_align_up(size, SLICE_SIZE);
  if (size > ((size_t)1 << 46) || map < size) {
    errno = ENOMEM;
    return NULL;
  }
  segment_t *s = segment_os_reserve(heap, map);
  if (s == NULL) return NULL;
  size_t first = offset >> SLICE_SHIFT;
  size_t slices = (map - offset) >> SLICE_SHIFT;
  size_t entries = first + slices < SLICE_ENTRIES ? first + slices : SLICE_ENTRIES;
  segment_init_header(s, map, SEGMENT_HUGE, entries, true);
  segment_map_set(s, true);
  stat_add(STAT_SEGMENTS, 1);
  segment_link(heap, s);
  /* Slices between the header and a block aligned beyond 64 KiB are padding:
   * described as one free span (in no queue) so that walkers see tiles. */
  if (first > SEGMENT_HEADER_SLICES) span_set(s, &s->slices[SEGMENT_HEADER_SLICES], first - SEGMENT_HEADER_SLICES);
  page_t *page = &s->slices[first];
  segment_mark_page(s, page, entries - first);
  page->slice_count = (uint32_t)slices;
  page->page_start = (uint8_t *)s + offset;
  page->is_zero = 1;
  stat_add(STAT_COMMITTED, (int64_t)(slices << SLICE_SHIFT));
  mask_set(&s->purged, first, entries - first, false);
  s->used = 1;
  return page;
}

/* fork: the cache lock must not be held by a thread that does not exist in
 * the child. */
void segments_atfork_prepare(void) { spin_lock(&cache_lock); }
void segments_atfork_parent(void) { spin_unlock(&cache_lock); }
void segments_atfork_child(void) { spin_unlock(&cache_lock); }
