/* sa_trim (malloc_trim): everything free goes back to the OS now, whatever
 * the purge delay, in every heap it can reach without waiting.
 *
 * Free memory sits in four places: empty pages and free spans (purged
 * whole), and free blocks inside pages that still hold live ones. Of those
 * blocks, the caller's own (on `free` and `local_free`) can go: only a
 * page's owner touches those lists. Another heap's pages keep their owner's
 * lists; what other threads freed into them (thread_free, the delayed
 * lists) goes as the background thread would purge it. Purged blocks are
 * on no list, only in purged_mask, and come back when the owner's next
 * slow path finds the page's lists empty (page_collect), as the
 * background's do. */
#include "internal.h"

/* The caller's own page, its heap lock held: the blocks on its lists join
 * purged_mask as if other threads had freed them and the background had
 * purged them, so `used` counts them again (page_take_purged_block
 * uncounts them when they come back). Small blocks go by whole OS pages:
 * the ones that share an OS page with a live block stay on `free`. */
static void page_purge_own_free(heap_t *heap, page_t *page) {
  (void)heap;
  bool small = page_purges_os_pages(page);
  if (!small && !page_purges_blocks(page)) return;
  block_t *list = page->free;
  if (list == NULL) {
    list = page->local_free;
  } else if (page->local_free != NULL) {
    block_t *tail = list;
    while (tail->next) tail = tail->next;
    tail->next = page->local_free;
  }
  if (list == NULL) return;
  page->free = page->local_free = NULL;
  uint64_t mask;
  if (small) {
    block_t *last;
    uint32_t kept;
    page->free = page_purge_covered_os_pages(page, list, &last, &kept, &mask);
  } else {
    mask = page_purge_whole_blocks(page, list);
  }
  /* The purged blocks are the ones `mask` stands for: every block that
   * starts in a purged OS page was on the list, which covered it wholly. */
  page->used = (uint16_t)(page->used + page_purged_blocks(page, mask));
  if (mask != 0) atomic_fetch_or_explicit(&page->purged_mask, mask, memory_order_release);
}

static bool heap_is_other(heap_t *h) { return h != sa_heap_tls; }

/* Another thread's heap, its lock held: what the background thread gives
 * back for an idle heap, and every free span now. */
static void heap_trim_other(heap_t *h) {
  heap_background_purge(h);
  segment_purge_free_spans(h);
}

SA_API size_t sa_trim(void) {
  int64_t before = stat_read(STAT_COMMITTED);
  heap_t *heap = sa_heap_tls;
  if (heap != &heap_empty) {
    heap_collect(heap, true); /* empty pages; also takes over abandoned segments */
    spin_lock(&heap->lock);
    heap_visit_pages(heap, page_purge_own_free);
    segment_purge_free_spans(heap);
    spin_unlock(&heap->lock);
  }
  heaps_visit_unlocked(heap_is_other, heap_trim_other);
  segment_cache_collect(true); /* last: the other heaps' emptied segments went there */
  int64_t released = before - stat_read(STAT_COMMITTED);
  return released > 0 ? (size_t)released : 0;
}
