/* Page queues of a heap: one per size bin, one for large/huge pages and one
 * for full pages, and the moves of pages between the bins and the full
 * queue. The fast path reads the first page of a small bin through
 * heap->pages_direct, so every change of a queue's head updates it. */
#include "internal.h"

static inline bool queue_is_bin(const heap_t *heap, const page_queue_t *q) {
  return q >= &heap->pages[1] && q <= &heap->pages[BIN_MEDIUM_LAST];
}

/* The direct entries (one per byte size up to DIRECT_MAX) that map to the
 * queue's bin all point at its first page, or at the empty page. One per
 * size rather than per 16 bytes: malloc indexes the table with the size
 * itself (two instructions fewer than rounding it up and shifting), for
 * 8 KiB more per heap and up to 64 stores here, on a queue head change. */
static SA_NOINLINE void direct_set(heap_t *heap, page_queue_t *q) {
  page_t *page = q->first ? q->first : &page_empty;
  size_t hi = q->block_size;
  size_t lo = q == &heap->pages[1] ? 0 : q[-1].block_size + 1;
  for (size_t i = lo; i <= hi; i++) heap->pages_direct[i] = page;
}

/* Inline: most queue changes are of medium bins or the full queue, which
 * have no direct entries (churn64k: 15 instructions an operation went to
 * calling out only to return). The full and large queues have block size
 * 0, hence the bin test. */
static inline void direct_update(heap_t *heap, page_queue_t *q) {
  if (q->block_size > DIRECT_MAX || !queue_is_bin(heap, q) || heap->abandoning) return;
  direct_set(heap, q);
}

/* A pinned page (page_pin) stops being lone when a page joins its queue or
 * it leaves the queue. Only a pinned page has its flag set, so the full
 * and large queues pay one test. An unpinned page may be empty: it stays
 * in its queue until a search for a free block reaches it (it then serves
 * that malloc), a collect frees it, or the thread ends; the retire code
 * before pinning left such pages the same way. */
static inline void page_unpin(page_t *page) {
  if (SA_LIKELY(!page->pinned)) return;
  page->pinned = 0;
  page->used--;
  page->retire_expire = 0;
}

page_queue_t *page_queue_of(heap_t *heap, const page_t *page) {
  if (page->kind >= PAGE_LARGE) return &heap->pages[BIN_LARGE];
  if (page->flags.x.in_full) return &heap->pages[BIN_FULL];
  return &heap->pages[page->bin];
}

void page_queue_push_front(heap_t *heap, page_queue_t *q, page_t *page) {
  page->prev = NULL;
  page->next = q->first;
  if (q->first) {
    page_unpin(q->first);
    q->first->prev = page;
  } else {
    q->last = page;
  }
  q->first = page;
  direct_update(heap, q);
}

void page_queue_push_back(heap_t *heap, page_queue_t *q, page_t *page) {
  page->next = NULL;
  page->prev = q->last;
  if (q->last) {
    page_unpin(q->last);
    q->last->next = page;
  } else {
    q->first = page;
  }
  q->last = page;
  if (q->first == page) direct_update(heap, q);
}

/* Links page between prev and next, which were a page's neighbours. */
static void page_queue_link_at(heap_t *heap, page_queue_t *q, page_t *prev, page_t *next, page_t *page) {
  page->prev = prev;
  page->next = next;
  if (prev) prev->next = page;
  else q->first = page;
  if (next) next->prev = page;
  else q->last = page;
  if (q->first == page) direct_update(heap, q);
}

/* a (in qa) and b (in another queue, qb) trade places: one splice in each
 * queue where a remove and a push would each touch both neighbours. Neither
 * queue changes length, so a pin is dropped only as a removal would. */
static void page_queue_swap(heap_t *heap, page_queue_t *qa, page_t *a, page_queue_t *qb, page_t *b) {
  page_unpin(a);
  page_unpin(b);
  page_t *a_prev = a->prev, *a_next = a->next, *b_prev = b->prev, *b_next = b->next;
  page_queue_link_at(heap, qa, a_prev, a_next, b);
  page_queue_link_at(heap, qb, b_prev, b_next, a);
}

void page_queue_remove(heap_t *heap, page_queue_t *q, page_t *page) {
  bool was_first = q->first == page;
  page_unpin(page);
  if (page->prev) page->prev->next = page->next;
  else q->first = page->next;
  if (page->next) page->next->prev = page->prev;
  else q->last = page->prev;
  page->next = page->prev = NULL;
  if (was_first) direct_update(heap, q);
}

/* ---- moves between the full queue and the bins --------------------------------- */

/* A page that has just joined the full queue: remote frees must announce
 * themselves from now on. One that landed between our last collect and the
 * state change announced nothing: if thread_free held a block when the
 * state became (or was found) DELAYED_USE, collect it so it is not
 * stranded; a block pushed later announces itself. */
static SA_NOINLINE void page_full_settle_slow(heap_t *heap, page_t *page, uintptr_t tf) {
  if ((tf & TF_STATE_MASK) != DELAYED_USE) tf = page_set_delayed(page, DELAYED_USE);
  if (tf_block(tf) == NULL && atomic_load_explicit(&page->purged_mask, memory_order_relaxed) == 0) return;
  page_collect(page);
  /* Room again: blocks came back, or the page started over with nothing
   * live (page_collect), and its next blocks are threaded afresh. */
  if (page->free || page->capacity < page->reserved) page_unfull(heap, page);
}

/* Inline for the common case: a page that cycles between full and not
 * stays DELAYED_USE, with nothing on thread_free (see page_unfull). */
static inline void page_full_settle(heap_t *heap, page_t *page) {
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_acquire);
  if (SA_LIKELY(tf == DELAYED_USE && atomic_load_explicit(&page->purged_mask, memory_order_relaxed) == 0)) return;
  page_full_settle_slow(heap, page, tf);
}

void page_to_full(heap_t *heap, page_t *page) {
  page_queue_remove(heap, &heap->pages[page->bin], page);
  page_set_in_full(page, true);
  page_queue_push_back(heap, &heap->pages[BIN_FULL], page);
  page_full_settle(heap, page);
}

/* Nothing to hand out short of a new page: every block is out, and none
 * has come back by any list. */
static bool page_exhausted(const page_t *page) {
  return page->free == NULL && page->local_free == NULL && page->capacity == page->reserved && !page->pinned &&
         tf_block(atomic_load_explicit(&page->thread_free, memory_order_relaxed)) == NULL &&
         atomic_load_explicit(&page->purged_mask, memory_order_relaxed) == 0;
}

/* The owner freed a block into a full page. Under random frees nearly every
 * page is full (churn64k), and the head of the bin's queue is the page the
 * fast path has just drained: the two trade places, a splice in each queue.
 * Left to the next malloc's slow path, the drained head would be collected,
 * removed and pushed onto the full queue, and this page removed and pushed
 * again (see README design notes for the counts). Not while the heap is
 * abandoned: its pages must stay DELAYED_NEVER. */
void page_unfull_on_free(heap_t *heap, page_t *page) {
  page_t *head = heap->pages[page->bin].first;
  if (head == NULL || heap->abandoning || !page_exhausted(head)) {
    page_unfull(heap, page);
    return;
  }
  page_queue_swap(heap, &heap->pages[page->bin], head, &heap->pages[BIN_FULL], page);
  page_set_in_full(page, false);
  page_set_in_full(head, true);
  page_full_settle(heap, head);
}

/* The state stays DELAYED_USE: the next remote free sets NO itself after
 * one push on the delayed list, and a page that fills again (the common
 * case under random frees, where nearly every page is full) needs no
 * state change at all. Two CASes per full/unfull cycle, measured on
 * churn64k --mode fixed (1 thread, callgrind): see README design notes. */
void page_unfull(heap_t *heap, page_t *page) {
  if (!page->flags.x.in_full) return;
  page_queue_remove(heap, &heap->pages[BIN_FULL], page);
  page_set_in_full(page, false);
  page_queue_push_front(heap, &heap->pages[page->bin], page);
}
