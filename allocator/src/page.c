/* Pages and the generic (slow) allocation path: collect a page's free
 * lists, extend it, find a page with a free block (moving exhausted ones
 * to the full queue, page_queue.c), pin the lone page of a size and expire
 * it when it stays empty, keep emptied large pages for reuse, and take
 * fresh pages from spans. Runs with the heap lock held. */
#include <errno.h>
#include <sched.h>

#include "internal.h"

page_kind_t page_kind_of(size_t block_size) {
  if (block_size <= SMALL_BLOCK_MAX) return PAGE_SMALL;
  if (block_size <= MEDIUM_BLOCK_MAX) return PAGE_MEDIUM;
  return PAGE_LARGE;
}

static const stat_t page_kind_stat[PAGE_KINDS] = {STAT_PAGES_SMALL, STAT_PAGES_MEDIUM, STAT_PAGES_LARGE,
                                                  STAT_PAGES_HUGE};

/* ---- the delayed-free state (see delayed_t in internal.h) ------------------ */

/* Owner side: set the state, waiting while a remote free is between
 * DELAYED_FREEING and its final store (it still needs the page's heap). */
uintptr_t page_set_delayed(page_t *page, delayed_t state) {
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_acquire);
  for (;;) {
    if ((tf & TF_STATE_MASK) == DELAYED_FREEING && !sa_fork_child_repair) {
      sched_yield();
      tf = atomic_load_explicit(&page->thread_free, memory_order_acquire);
      continue;
    }
    if ((tf & TF_STATE_MASK) == (uintptr_t)state) return tf;
    uintptr_t want = (tf & ~TF_STATE_MASK) | (uintptr_t)state;
    if (atomic_compare_exchange_weak_explicit(&page->thread_free, &tf, want, memory_order_acq_rel,
                                              memory_order_acquire))
      return tf;
  }
}

/* ---- free lists ------------------------------------------------------------ */

/* Hands the remote frees (n blocks, counted by their freers: tf_count) to
 * the owner's lists without walking them: the list becomes local_free,
 * after what local_free held moves to an empty `free`. Only when both are
 * in use does it walk to splice (a collect while `free` still has blocks:
 * calloc, sizes above DIRECT_MAX, the collects of heap_collect). `used`
 * counts blocks in thread_free as handed out, so it drops only here. */
static void page_take_list(page_t *page, block_t *head, uint32_t n) {
  page->used -= n;
  if (page->local_free != NULL && page->free == NULL) {
    page->free = page->local_free;
    page->local_free = NULL;
  }
  if (page->local_free != NULL) {
    block_t *tail = head;
    while (tail->next) tail = tail->next;
    tail->next = page->local_free;
  }
  page->local_free = head;
}

/* purged_mask has two readings. Pages of big blocks (at most 64, of two OS
 * pages or more): bit i is block i, purged whole. Small pages of smaller
 * blocks: bit j is the slice's OS page j, purged, and it stands for every
 * block that starts in it (page_purge_remote_small). */
bool page_purges_os_pages(const page_t *page) {
  return page->kind == PAGE_SMALL && page->block_size < 2 * os_page_size();
}

/* purged_mask's bits stand for units from a base: blocks from page_start,
 * or OS pages from the one page_start lies in. */
static uintptr_t page_purged_base(const page_t *page, size_t *unit) {
  if (!page_purges_os_pages(page)) {
    *unit = page->block_size;
    return (uintptr_t)page->page_start;
  }
  *unit = os_page_size();
  return (uintptr_t)page->page_start & ~(uintptr_t)(*unit - 1);
}

/* What bit i of purged_mask covers: [start, *end). */
static uintptr_t page_purged_unit(const page_t *page, size_t i, uintptr_t *end) {
  size_t unit;
  uintptr_t base = page_purged_base(page, &unit);
  *end = base + (i + 1) * unit;
  return base + i * unit;
}

/* The bit of purged_mask that stands for the block at `block`. */
size_t page_purged_bit(const page_t *page, const void *block) {
  size_t unit;
  uintptr_t base = page_purged_base(page, &unit);
  return ((uintptr_t)block - base) / unit;
}

/* The blocks that start in OS page j of a small page: [*from, *to), all
 * threaded already (below capacity). */
void page_os_page_blocks(const page_t *page, size_t j, size_t *from, size_t *to) {
  size_t bs = page->block_size;
  uintptr_t start = (uintptr_t)page->page_start, end, at = page_purged_unit(page, j, &end);
  size_t lo = at > start ? (at - start + bs - 1) / bs : 0;
  size_t hi = (end - start + bs - 1) / bs;
  *from = lo < page->capacity ? lo : page->capacity;
  *to = hi < page->capacity ? hi : page->capacity;
}

uint32_t page_purged_blocks(const page_t *page, uint64_t mask) {
  if (!page_purges_os_pages(page)) return (uint32_t)__builtin_popcountll(mask);
  uint32_t n = 0;
  for (; mask; mask &= mask - 1) {
    size_t from, to;
    page_os_page_blocks(page, (size_t)__builtin_ctzll(mask), &from, &to);
    n += (uint32_t)(to - from);
  }
  return n;
}

static void page_take_purged_block(page_t *page, block_t *b) {
  b->next = page->local_free;
  page->local_free = b;
  page->used--;
}

/* What the bits of `mask` cover is resident again (committed_bytes). */
static void page_unpurge_mask(const page_t *page, uint64_t mask) {
  for (; mask; mask &= mask - 1) {
    uintptr_t end, at = page_purged_unit(page, (size_t)__builtin_ctzll(mask), &end);
    block_unpurged(at, end);
  }
}

static void page_take_purged(page_t *page) {
  uint64_t mask = atomic_exchange_explicit(&page->purged_mask, 0, memory_order_acquire);
  page_unpurge_mask(page, mask);
  bool by_os_page = page_purges_os_pages(page);
  for (; mask; mask &= mask - 1) {
    size_t i = (size_t)__builtin_ctzll(mask), from = i, to = i + 1;
    if (by_os_page) page_os_page_blocks(page, i, &from, &to);
    for (size_t k = from; k < to; k++) page_take_purged_block(page, (block_t *)(page->page_start + k * page->block_size));
  }
}

/* A page with purged blocks and nothing live starts over instead: taking
 * the purged blocks back writes a link into each, which faults every purged
 * OS page in again just before the page is freed, or while it waits empty
 * (larson-server's lane threads on exit: 4.3 -> 5.0 MB). Its blocks are
 * threaded again from the start as they are needed (page_extend). */
static bool page_restart_if_nothing_live(page_t *page) {
  uint64_t mask = atomic_load_explicit(&page->purged_mask, memory_order_relaxed);
  if (page_live(page) != page_purged_blocks(page, mask)) return false;
  atomic_store_explicit(&page->purged_mask, 0, memory_order_relaxed);
  page_unpurge_mask(page, mask);
  page->used = page->pinned;
  page->capacity = 0;
  page->free = page->local_free = NULL;
  page->is_zero = false;
  return true;
}

void page_collect(page_t *page) {
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
  if (tf_block(tf) != NULL) {
    while (!atomic_compare_exchange_weak_explicit(&page->thread_free, &tf, tf & TF_STATE_MASK,
                                                  memory_order_acq_rel, memory_order_relaxed)) {
    }
    page_take_list(page, tf_block(tf), tf_count(tf));
  }
  if (atomic_load_explicit(&page->purged_mask, memory_order_relaxed) != 0 && !page_restart_if_nothing_live(page))
    page_take_purged(page);
  if (page->free == NULL && page->local_free != NULL) {
    page->free = page->local_free;
    page->local_free = NULL;
  }
}

static void page_advise_huge_upto(page_t *page, const uint8_t *end);

/* Fresh memory is made resident ahead of the blocks being threaded, up to
 * the next POPULATE_CHUNK boundary, in one MADV_POPULATE_WRITE call: the
 * kernel fills the page tables in one pass where each first touch of a
 * 4 KiB page would fault. A fault is dear under virtualization: 11.4 us a
 * page on the project's machine (a kernel under shadow paging), 5.7 us
 * populated in 16 KiB steps, 5.6 us in 64 KiB ones (256 MiB, each way).
 * rss-return and fragment, which fill 128-150 MB of fresh pages, ran 1.7x
 * and 1.45x as fast. What is populated ahead and never used is at most a
 * chunk per page, and only once the process has committed
 * SEGALLOC_POPULATE MiB, so that a small program's footprint stays what
 * its blocks touch: larson-server (4.8 MB) peaked 0.5 MB higher with whole
 * pages populated past 8 MiB, 0.25 MB with chunks past 8 MiB, and nothing
 * measurable with chunks past 32 MiB (3 interleaved runs each). */
#define POPULATE_CHUNK ((size_t)16 * 1024)

static void page_populate_ahead(const page_t *page, const uint8_t *start, const uint8_t *end) {
  long mib = option_get(SA_OPTION_POPULATE);
  if (mib < 0 || stat_read(STAT_COMMITTED) < ((int64_t)mib << 20)) return;
  size_t os = os_page_size();
  uintptr_t limit = size_align_up((uintptr_t)page->page_start + (size_t)page->reserved * page->block_size, os);
  /* The first blocks populate from their OS page on; later ones from the
   * chunk boundary the previous extension populated up to. */
  uintptr_t from = page->capacity == 0 ? (uintptr_t)start & ~(uintptr_t)(os - 1) : size_align_up((uintptr_t)start, POPULATE_CHUNK);
  uintptr_t to = size_align_up((uintptr_t)end, POPULATE_CHUNK);
  if (to > limit) to = limit;
  if (to > from) os_populate((void *)from, to - from);
}

/* Threads a few KiB worth of new blocks onto `free`: touching only what is
 * about to be used keeps RSS close to the live bytes. */
static void page_extend(page_t *page) {
  size_t bs = page->block_size;
  size_t n = 4096 / bs;
  if (n < 1) n = 1;
  size_t left = (size_t)page->reserved - page->capacity;
  if (n > left) n = left;
  uint8_t *start = page->page_start + (size_t)page->capacity * bs;
  if (SA_UNLIKELY(page->is_huge)) page_advise_huge_upto(page, start + n * bs);
  else if (page->is_zero) page_populate_ahead(page, start, start + n * bs);
  block_t *first = (block_t *)start;
  block_t *b = first;
  for (size_t i = 1; i < n; i++) {
    block_t *next = (block_t *)((uint8_t *)b + bs);
    b->next = next;
    b = next;
  }
  b->next = page->free;
  page->free = first;
  page->capacity += (uint16_t)n;
}

/* ---- page life ------------------------------------------------------------------ */

static void page_init(heap_t *heap, page_t *page, size_t block_size, size_t bin) {
  size_t slices = page->slice_count;
  page->block_size = block_size;
  page->block_magic = page_magic_of(block_size);
  page->bin = (uint16_t)bin;
  /* The kind follows the bin: a padded stride may exceed MEDIUM_BLOCK_MAX. */
  page->kind = (uint8_t)(bin == BIN_LARGE ? page_kind_of(block_size) : page_kind_of(bin_block_size(bin)));
  page->reserved = (uint16_t)((slices << SLICE_SHIFT) / block_size);
  page->capacity = 0;
  page->used = 0;
  page->tail_uncommitted_4k = 0;
  page->free = page->local_free = NULL;
  page->flags.full_aligned = 0;
  page->retire_expire = 0;
  page->is_huge = 0;
  page->huge_advised = 0;
  page->pinned = 0;
  atomic_store_explicit(&page->thread_free, DELAYED_NO, memory_order_relaxed);
  atomic_store_explicit(&page->purged_mask, 0, memory_order_relaxed);
  atomic_store_explicit(&page->heap, heap, memory_order_release);
  page_sync_free_owner(page);
  heap->bin_pages[page->bin]++;
  stat_add(page_kind_stat[page->kind], 1);
}

/* A page out of every queue goes back to its segment. */
static void page_free_unqueued(heap_t *heap, page_t *page) {
  if (page->tail_uncommitted_4k) stat_add(STAT_COMMITTED, (int64_t)page->tail_uncommitted_4k << 12);
  heap->bin_pages[page->bin]--;
  stat_add(page_kind_stat[page->kind], -1);
  stat_add(STAT_PAGES_RETIRED, 1);
  atomic_store_explicit(&page->heap, NULL, memory_order_relaxed);
  page_sync_free_owner(page);
  page_unadvise_huge(page);
  segment_page_free(heap, page);
}

void page_free(heap_t *heap, page_t *page) {
  page_queue_remove(heap, page_queue_of(heap, page), page);
  page_free_unqueued(heap, page);
}

/* ---- large pages kept for reuse --------------------------------------------- */

/* Takes kept page i out of the array, back into the bin's count. */
static page_t *page_large_unkeep(heap_t *heap, uint32_t i) {
  page_t *page = heap->large_kept[i];
  memmove(&heap->large_kept[i], &heap->large_kept[i + 1], (heap->large_kept_count - 1 - i) * sizeof(page_t *));
  heap->large_kept_count--;
  heap->bin_pages[BIN_LARGE]++;
  return page;
}

/* A large block (one per page) freed and made again costs a span split,
 * commit and purge bookkeeping, a coalesce and a clock read for the purge
 * delay: about 580 instructions a pair in churn64k --mode wide, a fifth of
 * whose blocks are large. A heap keeps its last few emptied large pages of
 * up to 1 MiB instead, and a malloc of the same page size takes one back.
 * They leave the bin's count and queue while kept (check_bin_pages). */
static bool page_large_keep(heap_t *heap, page_t *page) {
  if (page->kind != PAGE_LARGE || page->slice_count > LARGE_KEPT_SLICES || heap->abandoning || heap->is_background)
    return false;
  page_queue_remove(heap, &heap->pages[BIN_LARGE], page);
  heap->bin_pages[BIN_LARGE]--;
  page->free = NULL; /* the block, pushed by the free */
  page->is_zero = false;
  if (heap->large_kept_count == LARGE_KEPT_MAX) page_free_unqueued(heap, page_large_unkeep(heap, 0));
  heap->large_kept[heap->large_kept_count++] = page;
  return true;
}

static page_t *page_large_take(heap_t *heap, size_t slices) {
  for (uint32_t i = heap->large_kept_count; i-- > 0;) {
    if (heap->large_kept[i]->slice_count != slices) continue;
    heap->large_kept_taken = true;
    return page_large_unkeep(heap, i);
  }
  return NULL;
}

void page_large_kept_release(heap_t *heap) {
  while (heap->large_kept_count > 0) page_free_unqueued(heap, page_large_unkeep(heap, heap->large_kept_count - 1));
}

/* Kept pages no malloc took between two looks (every 16th slow path) go
 * back to their segments, to be purged on the usual delay. */
static void page_large_kept_expire(heap_t *heap) {
  if (!heap->large_kept_taken) page_large_kept_release(heap);
  heap->large_kept_taken = false;
}

/* The lone page of a size bin is pinned: it carries one extra count in
 * `used`, so the free fast path's `--used == 0` never fires for it. Such a
 * page would be kept when it empties anyway (a malloc/free loop of one size
 * must not make and unmake a page each time), and small-fast, whose
 * 100-block batches over 16 classes empty each class's page once a round,
 * took that branch on 14.6% of its frees, mispredicted nearly every time
 * (cachegrind: 290 K of the run's 622 K mispredictions). page_expire_pinned
 * finds and frees an empty pinned page instead.
 *
 * Pinned here, in the slow path, and only while at most half used: pinning
 * in the queue operations, where a page that came back from the full queue
 * would be pinned and unpinned on every full/unfull cycle, cost churn64k
 * --mode around 34 instructions per operation (+4.5%, cachegrind). A lone
 * page that empties unpinned (it came back from the full queue, or was more
 * than half used when last picked) is pinned then, by page_free_or_keep. page_unpin (page queue operations)
 * drops the pin when the page stops being lone. */
static bool page_pin(heap_t *heap, page_queue_t *q, page_t *page) {
  if (page->pinned || q->first != page || q->last != page || page_live(page) * 2 > page->reserved) return false;
  page->pinned = 1;
  page->used++;
  size_t bin = page->bin;
  if (heap->pinned_min == 0 || bin < heap->pinned_min) heap->pinned_min = bin;
  if (bin > heap->pinned_max) heap->pinned_max = bin;
  return true;
}

/* How many fresh-page slow paths an empty pinned page is kept for, counted
 * from when it is seen empty: by the free that empties it, when that free
 * takes a slow path (page_free_or_keep), else by the first look of
 * page_expire_pinned, which only starts the count. Starting it at that
 * look for every page kept medium pages one look longer: realloc-grow,
 * whose string builders leave a lone page of each medium size empty in
 * turn, peaked at 93 MB instead of 78 MB (the retire code before pinning:
 * 77.8 MB). Counting that first look as a tick read 81 MB. */
static uint8_t page_keep_ticks(const page_t *page) { return page->kind == PAGE_SMALL ? 16 : 4; }

/* A page that just emptied: kept, pinned, when it is the lone page of its
 * size (a fill-and-free loop of one page's worth must not make and unmake
 * it each round), freed otherwise. */
void page_free_or_keep(heap_t *heap, page_t *page) {
  if (page_large_keep(heap, page)) return;
  if (page->kind > PAGE_MEDIUM || page->flags.x.in_full || !page_pin(heap, &heap->pages[page->bin], page))
    page_free(heap, page);
  else
    page->retire_expire = page_keep_ticks(page);
}

/* Empty pinned pages (the lone page of a bin, see page_pin) are counted
 * down one tick per call (page_keep_ticks) and freed at zero, or at once
 * when forced: kept a little while for the next malloc of their size, but
 * not for ever. Reads only the bins that have had a pinned page since the
 * range last shrank. */
void page_expire_pinned(heap_t *heap, bool force) {
  if (heap->pinned_min == 0) return;
  size_t lo = heap->pinned_max + 1, hi = 0;
  for (size_t b = heap->pinned_min; b <= heap->pinned_max; b++) {
    page_t *page = heap->pages[b].first;
    if (page == NULL || !page->pinned) continue;
    if (page_live(page) != 0) {
      page->retire_expire = 0;
    } else if (force) {
      page_free(heap, page);
      continue;
    } else if (page->retire_expire == 0) {
      page->retire_expire = page_keep_ticks(page);
    } else if (--page->retire_expire == 0) {
      page_free(heap, page);
      continue;
    }
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  heap->pinned_min = hi ? lo : 0;
  heap->pinned_max = hi;
}

/* ---- finding a page with a free block ---------------------------------------------- */

/* Medium blocks whose size is a multiple of 4 KiB (64 KiB above all) would
 * put the same offset of every block in the same cache sets: a program
 * that touches the first bytes of each 4 KiB page of many 64 KiB buffers
 * then thrashes a handful of L1/L2 sets. Their stride gets one extra cache
 * line, and pages start at rotating offsets (page_colour), so that block
 * starts cover all 64 lines of a 4 KiB page evenly. Up to 128 KiB: the
 * classes above fill their pages exactly instead (page_slices_exact). */
size_t page_stride(size_t bs) {
  return bs > SMALL_BLOCK_MAX && bs <= PADDED_BLOCK_MAX && bs % 4096 == 0 ? bs + 64 : bs;
}

static bool bin_is_padded(size_t bin) {
  size_t size = bin_block_size(bin);
  return page_stride(size) != size;
}

#define COLOUR_MAX (63 * 64) /* the largest page colour, in bytes */

/* Classes above 128 KiB (16 KiB apart, 144 KiB to 256 KiB) are medium, in
 * pages of the fewest blocks, one to four, that fill whole slices exactly:
 * 144 KiB four to 9 slices, 160 KiB two to 5, 192 KiB one to 3. They were
 * large blocks, each rounded up to whole 64 KiB slices: a 130 KiB block
 * took 192 KiB, and a reused span kept the difference resident (heap map
 * of churn64k --mode wide: 180 MiB resident in large pages for blocks of
 * about 148 MiB). Unpadded, so that pages come out exact; a page of up to
 * four blocks gains nothing from page colours. churn64k --mode wide, 2
 * interleaved 1.5 s runs: peak RSS 395.5-399.4 -> 384.8-385.7 MiB, speed
 * within its spread; realloc-grow 79.5-80.0 -> 76.3-76.5 MiB. (Four to a
 * padded page of 17 slices, measured before: wide 405.8 -> 438.6 MiB.) */
static size_t page_slices_exact(size_t stride) {
  size_t blocks = 1;
  while (blocks < 4 && (blocks * stride) % SLICE_SIZE != 0) blocks++; /* a multiple of 16 KiB: at most 4 */
  return (blocks * stride + SLICE_SIZE - 1) >> SLICE_SHIFT;
}

/* Medium pages hold at least 8 blocks up to 64 KiB and 4 above (up to
 * 128 KiB: sizes around 64 KiB, 48-80 KiB, stay on the fast path instead
 * of taking a span each). A padded stride never fits a whole number of
 * slices, so such a page ends in up to a slice of slack, which a page
 * grows past until it is at most 1/16 of the page (16 slices for 15 x
 * 64 KiB): huge pages make it resident, and so do reused spans. Except
 * where 8 blocks fit in 8 slices: that page stays at 8 (52 KiB, 9 blocks
 * and 43 KiB of slack, had 10 slices, and its freed pages left 2-slice
 * spans that no page of the neighbouring sizes, 8 or 16 slices, could
 * use: churn64k --mode around, 8 interleaved 1 s runs, peak RSS 316.3 ->
 * 307.5 MiB at 7.42 -> 7.23 M ops/s; wide unchanged, 407.1 -> 407.4 MiB). */
static size_t page_slices(size_t stride, bool padded) {
  if (stride <= SMALL_BLOCK_MAX) return SMALL_PAGE_SLICES;
  /* By the stride: the 128 KiB class, whose padded stride is 64 bytes over,
   * comes here too, four blocks to 9 slices (1/9 slack) rather than the
   * slack rule below; that is the shape fafd683's measurements ran with.
   * The slack rule's eight to 17 slices cost realloc-grow 76 -> 93 MiB of
   * peak RSS, and an unpadded four to 8 changed nothing (README design
   * notes, wide). */
  if (stride > PADDED_BLOCK_MAX) return page_slices_exact(stride);
  size_t blocks = stride <= 64 * 1024 + 64 ? 8 : 4;
  size_t slices = (blocks * stride + COLOUR_MAX + SLICE_SIZE - 1) >> SLICE_SHIFT;
  if (slices < MEDIUM_PAGE_SLICES) slices = MEDIUM_PAGE_SLICES;
  if (!padded) return slices; /* the slack is under one block */
  if (blocks == 8 && slices == MEDIUM_PAGE_SLICES) return slices;
  for (;; slices++) {
    size_t bytes = slices << SLICE_SHIFT;
    size_t slack = bytes - (bytes - COLOUR_MAX) / stride * stride;
    if (slack * 16 <= bytes) return slices;
  }
}

/* A page made of whole huge pages: two (four MiB, 63 blocks of 64 KiB,
 * 1.4% slack) when its blocks still fit purged_mask, else one. */
#define HUGE_BYTES ((size_t)2 << 20)
#define HUGE_SLICES (HUGE_BYTES >> SLICE_SHIFT)
#define PAGE_BLOCKS_MAX 64 /* purged_mask has a bit per block */

static size_t page_huge_slices(size_t stride) {
  size_t two = 2 * HUGE_SLICES;
  return ((two << SLICE_SHIFT) - COLOUR_MAX) / stride <= PAGE_BLOCKS_MAX ? two : HUGE_SLICES;
}

/* Page k of a padded size class starts (k * blocks) lines into its span,
 * modulo 64: with the +1 line stride inside the page, block starts then
 * walk all 64 lines of a 4 KiB page before repeating. */
static void page_colour(heap_t *heap, page_t *page) {
  size_t lines = (heap->page_colour++ * page->reserved) % 64;
  size_t colour = lines * 64;
  size_t span = (size_t)page->slice_count << SLICE_SHIFT;
  size_t room = span - (size_t)page->reserved * page->block_size;
  if (colour <= room) page->page_start += colour;
  /* The slack after the last block is never touched: when it was fresh it
   * is not resident, so it does not count as committed until the page goes. */
  size_t end = size_align_up(colour + (size_t)page->reserved * page->block_size, os_page_size());
  if (page->is_zero && end < span && !page->is_huge) {
    page->tail_uncommitted_4k = (uint16_t)((span - end) >> 12);
    stat_add(STAT_COMMITTED, -((int64_t)page->tail_uncommitted_4k << 12));
  }
}

/* Classes with many pages (many buffers of 64 KiB and the like) get
 * pages of whole 2 MiB huge pages, placed on 2 MiB boundaries and advised
 * MADV_HUGEPAGE: their TLB misses were most of churn64k's cost (README
 * design notes). Only the page itself is advised, so what becomes
 * resident is its blocks and slack, never a neighbouring free span that
 * the purge masks take for untouched; and classes with few blocks keep
 * small pages, since a big page that never empties holds on to whatever
 * its blocks once touched. The advice is withdrawn before any of the
 * page's memory is purged (khugepaged would fold it back). */
#define PAGES_POPULOUS 16

/* And only while the class holds at least 3/4 of the heap's pages of
 * padded classes. When several big classes share the memory, their counts
 * trade places: a shrinking class leaves holes that only its own blocks
 * can fill, and memory passes to another class only when a page empties
 * whole, which a 63-block page almost never does. churn64k --mode around
 * (48-80 KiB, seven classes) peaked at 357 MB with huge pages for every
 * populous class, 326 MB with this rule (glibc 278 MB). */
static bool page_class_dominant(const heap_t *heap, size_t bin) {
  size_t padded_pages = 0;
  for (size_t b = 0; b <= BIN_MEDIUM_LAST; b++)
    if (bin_is_padded(b)) padded_pages += heap->bin_pages[b];
  return (size_t)heap->bin_pages[bin] * 4 >= padded_pages * 3;
}

/* And only for strides of 32 KiB and more, whose 2 MiB page holds at most
 * 64 blocks: purged_mask stands for a page's free blocks one by one only
 * then, and the 12-28 KiB classes' huge pages (up to 169 blocks) could
 * give back none of their free blocks, to sa_trim or to the background
 * thread (10,000 blocks of 20,000 bytes, 90% freed: malloc_trim took RSS
 * from 200 to 193 MiB, glibc's to 25). Their huge pages bought no speed:
 * churn64k --size 12K / 24K --working-set 8000, 4 interleaved 1 s runs,
 * 10.8-11.8 against 10.2-11.9 and 6.6-8.8 against 6.2-9.4 M ops/s, for
 * 2-3 MiB more peak RSS. */
static bool page_wants_huge(const heap_t *heap, size_t bin, bool padded) {
  return padded && heap->bin_pages[bin] >= PAGES_POPULOUS && option_get(SA_OPTION_HUGEPAGES) >= 1 &&
         (HUGE_BYTES - COLOUR_MAX) / page_stride(bin_block_size(bin)) <= PAGE_BLOCKS_MAX &&
         page_class_dominant(heap, bin);
}

static uint8_t *page_span_start(const page_t *page) {
  return slice_start(segment_of_slice(page), page);
}

/* A 2 MiB region is advised only when the first block that reaches into it
 * is threaded: the whole region becomes resident at that first touch, and
 * a page whose blocks never get that far (a size class whose count went up
 * and down, as in churn64k --mode around) would hold it for nothing.
 * Advising the whole page at once cost 34 MB of peak RSS there (357 MB
 * against 323 MB without huge pages). */
static void page_advise_huge_upto(page_t *page, const uint8_t *end) {
  uint8_t *span = page_span_start(page);
  size_t regions = ((size_t)(end - span) + HUGE_BYTES - 1) / HUGE_BYTES;
  if (regions <= page->huge_advised) return;
  os_advise_huge(span + (size_t)page->huge_advised * HUGE_BYTES, (regions - page->huge_advised) * HUGE_BYTES, true);
  page->huge_advised = (uint8_t)regions;
}

void page_unadvise_huge(page_t *page) {
  if (!page->is_huge) return;
  page->is_huge = 0;
  os_advise_huge(page_span_start(page), (size_t)page->slice_count << SLICE_SHIFT, false); /* advised regions or not */
  page->huge_advised = 0;
}

static page_t *page_fresh(heap_t *heap, size_t bin) {
  size_t bs = page_stride(bin_block_size(bin));
  bool padded = bin_is_padded(bin);
  bool huge = page_wants_huge(heap, bin, padded);
  size_t slices = huge ? page_huge_slices(bs) : page_slices(bs, padded);
  page_t *page = segment_page_alloc(heap, slices, huge ? HUGE_SLICES : 1);
  if (page == NULL) return NULL;
  page_init(heap, page, bs, bin);
  page->is_huge = huge;
  if (padded) page_colour(heap, page);
  page_extend(page);
  page_queue_push_front(heap, &heap->pages[bin], page);
  return page;
}

/* The tail of a bin's queue is the page that has waited longest since it
 * last served; the head serves while its own blocks keep coming back, so
 * nothing looks at the tail until every page before it runs dry. If other
 * threads freed all its blocks meanwhile it holds memory no one can use:
 * one tail is looked at per slow path and freed when empty. (prodcons64k
 * --size-jitter: a producer held 23 pages of seven sizes, 111 of their
 * 114 blocks back on thread_free, never collected.) */
static void page_queue_free_empty_tail(heap_t *heap, page_queue_t *q, const page_t *found) {
  page_t *tail = q->last;
  if (tail == found || tail->pinned) return;
  if (tf_block(atomic_load_explicit(&tail->thread_free, memory_order_relaxed)) == NULL) return;
  page_collect(tail);
  if (page_live(tail) != 0) return;
  page_queue_remove(heap, q, tail);
  page_free_unqueued(heap, tail);
}

/* A padded (medium, 4 KiB-multiple) size whose own pages are all full
 * takes a free block of a page of up to BORROW_BINS larger classes (at
 * most 1.5x its size) before it makes a page: under random frees every
 * class keeps holes in pages that rarely empty, and a class whose count
 * rises would otherwise make a page while the classes just above sit on
 * free blocks. The block lives in the larger page and goes back to it.
 * Only pages at least 3/4 used lend: their holes would wait, where a
 * sparse page left alone empties and its span goes back (lending from any
 * page cost realloc-grow 20% of peak RSS: string builders kept sparse
 * pages of every size alive). Only the first BORROW_PAGES pages of a
 * queue are looked at, and the ones found exhausted go to the full queue
 * as page_queue_find_free would move them. Nothing is threaded for a
 * borrower: the fresh part of a larger page stays for its own class.
 * Unpadded bins never borrow: aligned_alloc_impl counts on their blocks
 * being multiples of their own size. Against the build before, 5
 * interleaved 1.5 s runs of the default suite: churn64k --mode around
 * peak RSS 0.95 [0.95, 0.95] (314 -> 298 MiB, glibc 278), wide 0.98
 * [0.97, 0.98], no time or other RSS difference callable. */
#define BORROW_BINS 4
#define BORROW_PAGES 8

static page_t *page_borrow_larger(heap_t *heap, size_t bin) {
  if (!bin_is_padded(bin)) return NULL;
  for (size_t b = bin + 1; b <= bin + BORROW_BINS && b <= BIN_MEDIUM_LAST; b++) {
    page_t *page = heap->pages[b].first;
    for (size_t n = 0; page != NULL && n < BORROW_PAGES; n++) {
      page_t *next = page->next;
      page_collect(page);
      if (page->free != NULL && page_live(page) * 4 >= (uint32_t)page->reserved * 3) return page;
      if (page->free == NULL && page->capacity == page->reserved) page_to_full(heap, page);
      page = next;
    }
  }
  return NULL;
}

/* *fresh tells whether the first block on the found page's free list was
 * just threaded from a page whose memory was zero (calloc skips zeroing). */
static page_t *page_queue_find_free(heap_t *heap, size_t bin, bool *fresh) {
  page_queue_t *q = &heap->pages[bin];
  page_t *page = q->first;
  *fresh = false;
  while (page != NULL) {
    page_t *next = page->next;
    page_collect(page);
    if (page->free == NULL && page->capacity < page->reserved) {
      page_extend(page);
      *fresh = page->is_zero;
    }
    if (page->free != NULL) break;
    page_to_full(heap, page);
    page = next;
  }
  if (page == NULL && (page = page_borrow_larger(heap, bin)) != NULL) return page;
  if (page == NULL) {
    page_expire_pinned(heap, false);
    /* A heap with no segment would take one over inside page_fresh and
     * then still make a new page: take it over first, so that the page it
     * keeps for this size (page_attach) serves. Once: it now has one. */
    if (heap->segments == NULL && segment_reclaim_some(heap, false) && q->first != NULL)
      return page_queue_find_free(heap, bin, fresh);
    page = page_fresh(heap, bin);
    if (page == NULL) return NULL;
    *fresh = page->is_zero;
  } else {
    page->retire_expire = 0;
    if (q->first != page) { /* the fast path serves the head of the queue */
      page_queue_remove(heap, q, page);
      page_queue_push_front(heap, q, page);
    }
    page_queue_free_empty_tail(heap, q, page);
  }
  page_pin(heap, q, page);
  return page;
}

static void *page_pop(page_t *page, bool zero, bool fresh, size_t size) {
  block_t *b = page->free;
  page->free = b->next;
  page->used++;
  if (zero) {
    if (fresh) b->next = NULL; /* fresh from a zero page: only the link is dirty */
    else memset(b, 0, size);
  }
  return b;
}

/* Large blocks: one block per page, slices rounded up to fit. The page goes
 * to the large queue in the "full" state so that a remote free announces
 * itself through the heap's delayed list and the owner frees the page. */
static page_t *malloc_large(heap_t *heap, size_t size) {
  size_t slices = (size + SLICE_SIZE - 1) >> SLICE_SHIFT;
  page_t *page = page_large_take(heap, slices);
  if (page != NULL) return page;
  page = segment_page_alloc(heap, slices, 1);
  if (page == NULL) return NULL;
  page_init(heap, page, slices << SLICE_SHIFT, BIN_LARGE);
  page->kind = PAGE_LARGE;
  return page;
}

static void *malloc_single_block(heap_t *heap, page_t *page, bool zero, size_t size) {
  page->reserved = page->capacity = page->used = 1;
  page->flags.x.has_aligned = 0; /* a kept page may have held an aligned block */
  page_set_in_full(page, true);
  atomic_store_explicit(&page->thread_free, DELAYED_USE, memory_order_relaxed);
  page_queue_push_front(heap, &heap->pages[BIN_LARGE], page);
  if (zero && !page->is_zero) memset(page->page_start, 0, size);
  return page->page_start;
}

/* realloc's in-place growth of the calling thread's own large block (p at
 * its page start). realloc-grow (4 MiB buffers grown by doubling and by
 * appends): see README design notes. */
bool page_large_grow(void *p, size_t size) {
  segment_t *s = segment_of(p);
  page_t *page = page_of(s, p);
  heap_t *heap = sa_heap_tls;
  size_t offset = (size_t)((uint8_t *)p - page->page_start); /* an aligned block starts inside (has_aligned) */
  if (page->kind != PAGE_LARGE || offset >= ((size_t)page->slice_count << SLICE_SHIFT) ||
      offset + size > LARGE_BLOCK_MAX || atomic_load_explicit(&s->thread_id, memory_order_relaxed) != thread_id_self())
    return false;
  size_t slices = (offset + size + SLICE_SIZE - 1) >> SLICE_SHIFT;
  spin_lock(&heap->lock);
  bool grown = segment_page_grow(heap, page, slices);
  /* Kept pages hold slices a growing block could take, right after it or
   * once spans coalesce: realloc-grow ran 14% more instructions (more
   * copies) with them in the way, 4% after giving them all back here, and
   * the same time (cachegrind; 5 interleaved 1 s runs). */
  if (!grown && heap->large_kept_count > 0) {
    page_large_kept_release(heap);
    grown = segment_page_grow(heap, page, slices);
  }
  if (grown) page->block_size = slices << SLICE_SHIFT;
  spin_unlock(&heap->lock);
  return grown;
}

static void *malloc_huge(heap_t *heap, size_t size, bool zero, size_t alignment) {
  page_t *page = segment_huge_alloc(heap, size, alignment);
  if (page == NULL) return NULL;
  segment_t *s = segment_of_slice(page);
  size_t bs = s->segment_size - (size_t)(page->page_start - (uint8_t *)s);
  page_init(heap, page, bs, BIN_LARGE);
  page->kind = PAGE_HUGE;
  stat_add(STAT_PAGES_LARGE, -1);
  stat_add(STAT_PAGES_HUGE, 1);
  return malloc_single_block(heap, page, zero, size);
}

/* Blocks of a MiB and more start at a rotating offset inside the slack of
 * their last slice, in steps of 4 KiB + 64 B. On pages that all start on
 * 64 KiB, a program's big buffers (xz's dictionary, hash table and in and
 * out buffers, per thread) otherwise share their L1 and L2 sets byte for
 * byte; glibc's mmap'd blocks fall at scattered page offsets. xz -T2, 20
 * interleaved runs twice: 4-5% faster (paired median 0.958), level with
 * jemalloc; a third, noisy batch: 0.996. Smaller large blocks stay at the
 * page start: offsets on every large block cost churn64k --mode wide 21%
 * (4.64 -> 3.65 M ops/s), and buffers that big are few. The page is marked
 * has_aligned, which is how free finds the block's start. */
#define COLOUR_MIN ((size_t)1 << 20)
#define COLOUR_STEP ((size_t)4096 + 64)
#define COLOURS 16

static void *malloc_large_colour(heap_t *heap, page_t *page, void *block, size_t size) {
  size_t slack = ((size_t)page->slice_count << SLICE_SHIFT) - size;
  size_t fit = slack / COLOUR_STEP + 1;
  size_t offset = (heap->large_colour++ % COLOURS % fit) * COLOUR_STEP;
  if (offset == 0) return block;
  page->flags.x.has_aligned = 1;
  page_sync_free_owner(page);
  return (uint8_t *)block + offset;
}

/* Large pages go up to a whole segment less its header, where mimalloc
 * (and DESIGN.md) stop at half: a freed large block's slices serve the
 * heap's next pages while still resident, where a huge block's mapping goes
 * back to the kernel at free and the next pages fault in fresh memory.
 * sqlite3 (realprogs) frees a 16.1 MB block early on: 0.65 -> 0.585 s
 * pinned, medians of 5-6 runs (README design notes, "Page faults"). */
static void *malloc_in_heap(heap_t *heap, size_t size, bool zero, size_t alignment) {
  if (size > LARGE_BLOCK_MAX || alignment > SLICE_SIZE) return malloc_huge(heap, size, zero, alignment);
  if (size > MEDIUM_BLOCK_MAX) {
    page_t *page = malloc_large(heap, size);
    if (page == NULL) return NULL;
    if (size < COLOUR_MIN || alignment != 0) return malloc_single_block(heap, page, zero, size);
    void *block = malloc_large_colour(heap, page, malloc_single_block(heap, page, false, size), size);
    return zero && !page->is_zero ? memset(block, 0, size) : block;
  }
  bool fresh;
  page_t *page = page_queue_find_free(heap, bin_of(size), &fresh);
  return page ? page_pop(page, zero, fresh, size) : NULL;
}

/* The slow path. `alignment` > SLICE_SIZE asks for a huge segment whose block
 * starts at that alignment. */
void *malloc_generic(size_t size, heap_t *heap, bool zero, size_t alignment) {
  if (SA_UNLIKELY(heap == &heap_empty)) {
    heap = heap_get_or_init();
    if (heap == NULL) {
      errno = ENOMEM;
      return NULL;
    }
  }
  if (SA_UNLIKELY(size > ((size_t)1 << 46))) {
    errno = ENOMEM;
    return NULL;
  }
  spin_lock(&heap->lock);
  heap_drain_delayed(heap);
  segment_purge_heap(heap, false); /* before the count: this slow path is not activity to itself */
  uint64_t count = atomic_load_explicit(&heap->generic_count, memory_order_relaxed) + 1;
  atomic_store_explicit(&heap->generic_count, count, memory_order_relaxed);
  if ((count & 15) == 0) {
    page_large_kept_expire(heap);
    segment_cache_collect(false);
    if ((count & 63) == 0) stats_flush_thread();
  }
  void *p = malloc_in_heap(heap, size, zero, alignment);
  spin_unlock(&heap->lock);
  if (p == NULL) errno = ENOMEM;
  return p;
}

/* A page of a segment being taken over joins heap's queues. An empty one
 * becomes the page kept for its bin if the bin has none (page_free_or_keep),
 * as the exiting owner meant (page_abandon); the background thread's heap
 * frees them all, so kept pages no thread takes last one visit. */
void page_attach(heap_t *heap, page_t *page) {
  atomic_store_explicit(&page->heap, heap, memory_order_release);
  page_set_in_full(page, page->kind >= PAGE_LARGE);
  heap->bin_pages[page->bin]++;
  if (page->kind >= PAGE_LARGE) {
    page_set_delayed(page, DELAYED_USE);
    page_queue_push_back(heap, &heap->pages[BIN_LARGE], page);
    page_collect(page);
    if (page_live(page) == 0) page_free(heap, page);
    return;
  }
  page_set_delayed(page, DELAYED_NO);
  page_collect(page);
  page_queue_push_back(heap, &heap->pages[page->bin], page);
  if (page_live(page) != 0) return;
  if (heap->is_background) page_free(heap, page);
  else page_free_or_keep(heap, page);
}
