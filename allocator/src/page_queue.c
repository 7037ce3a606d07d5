/* Page queues of a heap: one per size bin, one for large/huge pages and one
 * for full pages. The fast path reads the first page of a small bin through
 * heap->pages_direct, so every change of a queue's head updates it. */
#include "internal.h"

static inline bool queue_is_bin(const heap_t *heap, const page_queue_t *q) {
  return q >= &heap->pages[1] && q <= &heap->pages[BIN_MEDIUM_LAST];
}

/* The direct entries (size/16 for sizes up to DIRECT_MAX) that map to the
 * queue's bin all point at its first page, or at the empty page. */
static SA_NOINLINE void direct_set(heap_t *heap, page_queue_t *q) {
  page_t *page = q->first ? q->first : &page_empty;
  size_t hi = q->block_size / BLOCK_ALIGN;
  size_t lo = q == &heap->pages[1] ? 0 : q[-1].block_size / BLOCK_ALIGN + 1;
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
