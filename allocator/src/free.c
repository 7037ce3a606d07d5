/* free: the owner pushes on the page's local_free; any other thread pushes
 * on the page's thread_free (a CAS stack), or, for a page in the full
 * queue, on the owner heap's thread_delayed_free so the owner finds it. */
#include <sched.h>

#include "internal.h"

/* Free counters, per thread, flushed to the process stats on slow paths:
 * an atomic add per free would bounce one cache line between all threads. */
static __thread int64_t tl_local_frees __attribute__((tls_model("initial-exec")));
static __thread int64_t tl_remote_frees __attribute__((tls_model("initial-exec")));

void stats_flush_thread(void) {
  if (tl_local_frees) stat_add(STAT_LOCAL_FREES, tl_local_frees);
  if (tl_remote_frees) stat_add(STAT_REMOTE_FREES, tl_remote_frees);
  tl_local_frees = tl_remote_frees = 0;
}

/* A multiply instead of a 64-bit division (tens of cycles) on every remote
 * free and malloc_usable_size. Exact: offsets are below 2^22 (pages are at
 * most 4 MiB) and block sizes below 2^18, so offset * block_size < 2^40
 * (see page_magic_of). */
block_t *page_block_start(const page_t *page, const void *p) {
  if (page->kind >= PAGE_LARGE) return (block_t *)page->page_start;
  size_t off = (size_t)((const uint8_t *)p - page->page_start);
  size_t index = (size_t)((off * page->block_magic) >> 40);
  return (block_t *)(page->page_start + index * page->block_size);
}

/* Owner only, heap lock held. Counts nothing: the caller knows whether the
 * free was the owner's own or one it took over from the delayed list. A
 * pinned page (page_pin) never empties here; any other page that does goes
 * back to its segment, unless it is the lone page of its size. */
void free_local_block(heap_t *heap, page_t *page, block_t *block) {
  block->next = page->free;
  page->free = block;
  if (--page->used == 0) page_free_or_keep(heap, page);
  else if (page->flags.x.in_full) page_unfull_on_free(heap, page);
}

static void free_delayed_push(page_t *page, block_t *block) {
  heap_t *heap = atomic_load_explicit(&page->heap, memory_order_acquire);
  atomic_fetch_add_explicit(&heap->delayed_bytes, page_delayed_bytes(page), memory_order_relaxed);
  block_t *head = atomic_load_explicit(&heap->thread_delayed_free, memory_order_relaxed);
  do {
    block->next = head;
  } while (!atomic_compare_exchange_weak_explicit(&heap->thread_delayed_free, &head, block, memory_order_release,
                                                  memory_order_relaxed));
}

/* Another thread's block. The state machine is described at delayed_t. */
static void free_remote(page_t *page, block_t *block) {
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
  for (;;) {
    uintptr_t state = tf & TF_STATE_MASK;
    /* The commonest cross-thread double free (the same thread frees a block
     * twice in a row) would make the list a cycle, and the owner would hand
     * the block out twice: one compare catches it. Others (A, B, A) are
     * left to secure mode, which walks the list. */
    if (SA_UNLIKELY(tf_block(tf) == block)) sa_fatal("free(): double free detected for %p", (void *)block);
    if (state == DELAYED_USE) {
      uintptr_t freeing = (tf & ~TF_STATE_MASK) | DELAYED_FREEING;
      if (!atomic_compare_exchange_weak_explicit(&page->thread_free, &tf, freeing, memory_order_acq_rel,
                                                 memory_order_relaxed))
        continue;
      /* While FREEING the owner cannot drop the page's heap (abandon waits). */
      free_delayed_push(page, block);
      tf = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
      while (!atomic_compare_exchange_weak_explicit(&page->thread_free, &tf,
                                                    (tf & ~TF_STATE_MASK) | DELAYED_NO, memory_order_release,
                                                    memory_order_relaxed)) {
      }
      break;
    }
    block->next = tf_block(tf);
    uintptr_t pushed = ((tf & ~TF_BLOCK_MASK) + TF_COUNT_ONE) | (uintptr_t)block; /* count + 1, state kept */
    if (atomic_compare_exchange_weak_explicit(&page->thread_free, &tf, pushed,
                                              memory_order_release, memory_order_relaxed))
      break;
  }
  /* A thread that only frees may never reach a slow path or exit: flush
   * its count in batches. */
  if (SA_UNLIKELY(++tl_remote_frees >= 256)) stats_flush_thread();
}

/* Blocks that other threads freed into our full pages. Each page is first
 * moved out of DELAYED_FREEING (waiting for the freer to finish with the
 * page), then the block is freed as if by the owner. */
static void heap_free_delayed_list(heap_t *heap, block_t *b, bool purged) {
  int64_t bytes = 0;
  while (b != NULL) {
    block_t *next = b->next;
    segment_t *s = segment_of(b);
    page_t *page = page_of(s, b);
    if (purged) block_unpurged((uintptr_t)b + sizeof(block_t), (uintptr_t)b + page->block_size);
    bytes += page_delayed_bytes(page);
    while ((atomic_load_explicit(&page->thread_free, memory_order_acquire) & TF_STATE_MASK) == DELAYED_FREEING &&
           !sa_fork_child_repair)
      sched_yield();
    free_local_block(heap, page, b);
    b = next;
  }
  /* once per list: the freers' pushes write this cache line */
  if (bytes) atomic_fetch_sub_explicit(&heap->delayed_bytes, bytes, memory_order_relaxed);
}

bool heap_drain_delayed(heap_t *heap) {
  bool any = false;
  if (atomic_load_explicit(&heap->thread_delayed_free, memory_order_relaxed) != NULL) {
    heap_free_delayed_list(heap, atomic_exchange_explicit(&heap->thread_delayed_free, NULL, memory_order_acq_rel), false);
    any = true;
  }
  if (atomic_load_explicit(&heap->delayed_purged, memory_order_relaxed) != NULL) {
    heap_free_delayed_list(heap, atomic_exchange_explicit(&heap->delayed_purged, NULL, memory_order_acq_rel), true);
    any = true;
  }
  return any;
}

static page_t *free_secure_check(segment_t *s, void *p);

SA_NOINLINE void free_generic(void *p) {
  segment_t *s = segment_of(p);
  page_t *page = SA_UNLIKELY(secure_mode()) ? free_secure_check(s, p) : page_of(s, p);
  uintptr_t owner = atomic_load_explicit(&s->thread_id, memory_order_relaxed);
  if (SA_UNLIKELY(owner == 0) && segment_is_valid(s) && segment_adopt_on_free(s)) owner = thread_id_self();
  if (owner == thread_id_self()) {
    /* A page with no block out gets no free: the second free of a large
     * block whose page is kept for reuse (page_large_keep) would wrap
     * `used` and unlink the page from a queue it is not in. */
    if (SA_UNLIKELY(page->used == 0)) sa_fatal("free(): double free or invalid pointer %p", p);
    block_t *block = page->flags.x.has_aligned ? page_block_start(page, p) : (block_t *)p;
    heap_t *heap = sa_heap_tls;
    tl_local_frees++;
    spin_lock(&heap->lock);
    free_local_block(heap, page, block);
    spin_unlock(&heap->lock);
  } else {
    /* A pointer from outside segalloc would be pushed onto some page's
     * list and corrupt it. The owner's paths need no such check: a header
     * that names this thread is ours. */
    if (SA_UNLIKELY(!segment_is_valid(s))) sa_fatal("free(): invalid pointer %p (not allocated by segalloc)", p);
    /* The flags byte belongs to the owner (it flips in_full), so a remote
     * freer does not read it: it derives the block start from the
     * geometry, which is fixed while any block of the page is live. */
    free_remote(page, page_block_start(page, p));
  }
}

/* Secure mode: reject what a cheap look can prove wrong, like glibc does. */
static page_t *free_secure_check(segment_t *s, void *p) {
  if (!segment_is_valid(s)) sa_fatal("free(): invalid pointer %p (not allocated by segalloc)", p);
  page_t *page = page_of(s, p);
  /* Slices inside a free span were never written, or hold a stale page:
   * `first` may then be NULL, point anywhere in the header, or at a live page
   * that now starts where an older, longer one did; so p must also lie in
   * the slices of the page it names. */
  bool in_range = page >= s->slices + SEGMENT_HEADER_SLICES && page < s->slices + s->slice_entries;
  size_t slice = (size_t)(((uintptr_t)p - (uintptr_t)s) >> SLICE_SHIFT), first = (size_t)(page - s->slices);
  if (!in_range || !page->is_used || page->block_size == 0 || slice < first || slice >= first + page->slice_count)
    sa_fatal("free(): invalid pointer %p (inside a free span)", p);
  uint8_t *start = (uint8_t *)page_block_start(page, p);
  if (start != p && !page->flags.x.has_aligned)
    sa_fatal("free(): invalid pointer %p (interior of a %zu-byte block)", p, page->block_size);
  if (atomic_load_explicit(&s->thread_id, memory_order_relaxed) == thread_id_self()) {
    /* Owner only: `used` and the pin change under the owner without a lock. */
    if (page_live(page) == 0) sa_fatal("free(): double free or invalid pointer %p", p);
    for (block_t *b = page->free; b; b = b->next)
      if ((uint8_t *)b == start) sa_fatal("free(): double free detected for %p", p);
    for (block_t *b = page->local_free; b; b = b->next)
      if ((uint8_t *)b == start) sa_fatal("free(): double free detected for %p", p);
  }
  /* Blocks other threads freed and the owner has not collected yet: walked
   * with a bound and range checks, since the list may change under us. */
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_acquire);
  const uint8_t *lo = page->page_start, *hi = lo + (size_t)page->reserved * page->block_size;
  uint32_t steps = 0;
  for (const block_t *b = tf_block(tf); b && steps <= page->reserved; steps++) {
    if ((const uint8_t *)b < lo || (const uint8_t *)b >= hi) break;
    if ((const uint8_t *)b == start) sa_fatal("free(): double free detected for %p", p);
    b = __atomic_load_n(&b->next, __ATOMIC_RELAXED);
  }
  /* Remote frees the background purged are on no list, only in the mask. */
  uint64_t purged = atomic_load_explicit(&page->purged_mask, memory_order_relaxed);
  if (purged != 0) {
    size_t bit = page_purged_bit(page, start);
    if (bit < 64 && (purged >> bit & 1)) sa_fatal("free(): double free detected for %p", p);
  }
  return page;
}

/* The owner emptied a page on the fast path: one that is not pinned (a
 * pinned page never gets here, see page_pin). Out of line, which keeps the
 * fast path free of register saves. */
static SA_NOINLINE void free_page_emptied(page_t *page) {
  heap_t *heap = sa_heap_tls;
  spin_lock(&heap->lock);
  page_free_or_keep(heap, page);
  spin_unlock(&heap->lock);
}

/* NULL, or any pointer in secure mode, which checks before touching the
 * header: p may not be ours. */
static SA_NOINLINE void free_null_or_secure(void *p) {
  if (p != NULL) free_generic(p);
}

SA_API void sa_free(void *p) {
  if (SA_UNLIKELY((uintptr_t)p <= sa_free_slow_upto)) {
    free_null_or_secure(p);
    return;
  }
  segment_t *s = segment_of(p);
  /* The slice index from p's own bits, not p - s: one instruction fewer.
   * They differ only for a huge block that starts exactly on a 32 MiB
   * boundary (segment_of goes one segment back): this then reads the
   * header's descriptor, whose free_owner of 0 sends the free to
   * free_generic, which uses page_of (segment_init_header). */
  slice_t *sl = &s->slices[((uintptr_t)p >> SLICE_SHIFT) & (SLICES_PER_SEGMENT - 1)];
  page_t *page = sl->first;
  if (SA_LIKELY(atomic_load_explicit(&page->free_owner, memory_order_relaxed) == thread_id_self())) {
    /* Straight back onto `free`: the next malloc of this size reuses the
     * block while it is still in cache, without a trip through the slow
     * path to move local_free over (see free_local_block). */
    block_t *b = (block_t *)p;
    b->next = page->free;
    page->free = b;
    tl_local_frees++;
    if (SA_UNLIKELY(--page->used == 0)) free_page_emptied(page);
    return;
  }
  free_generic(p);
}

#ifdef SEGALLOC_OVERRIDE
/* The override's free is sa_free under a second name (see alloc.c). */
extern __typeof__(sa_free) free __attribute__((alias("sa_free"), visibility("default")));
#endif
