/* Abandoned segments: what an exiting thread leaves behind while some of its
 * blocks are still live, and how live threads take it over (reclaim).
 *
 * The list is a lock-free stack. It is ABA-safe by construction: a segment
 * is never popped on its own. Pushers CAS a new head that links to the head
 * they read; takers swap the whole list out at once. A pusher whose CAS
 * succeeds against a head value that was taken and pushed again in between
 * still links to exactly that head, so no node is lost or duplicated, and
 * nobody ever dereferences a node it does not own. */
#include "internal.h"

static _Atomic(segment_t *) abandoned_head;

static void abandoned_push(segment_t *s) {
  segment_t *head = atomic_load_explicit(&abandoned_head, memory_order_relaxed);
  do {
    s->abandoned_next = head;
  } while (!atomic_compare_exchange_weak_explicit(&abandoned_head, &head, s, memory_order_release,
                                                  memory_order_relaxed));
}

static segment_t *abandoned_take_all(void) {
  if (atomic_load_explicit(&abandoned_head, memory_order_relaxed) == NULL) return NULL;
  return atomic_exchange_explicit(&abandoned_head, NULL, memory_order_acquire);
}

/* The owner gives the segment up: its free spans leave the owner's queues,
 * purges that are due run now, and it is published with owner id 0. Purges
 * not yet due keep their deadline: the next owner, or the background
 * thread's visit, runs them. (Purging everything here made every thread
 * exit madvise, and the next thread fault the same pages back in: 6 GB
 * purged per second on threadchurn.) Its pages were detached by
 * heap_abandon. */
void segment_abandon(heap_t *heap, segment_t *s) {
  if (s->used == 0) {
    segment_free_empty(heap, s);
    return;
  }
  segment_spans_dequeue(heap, s);
  if (s->purge_expire && (s->purge_expire <= os_clock_ms() || option_get(SA_OPTION_BACKGROUND) == 0))
    segment_purge_now(s);
  segment_unlink(heap, s);
  s->abandoned_visits = 0;
  atomic_store_explicit(&s->thread_id, 0, memory_order_release);
  stat_add(STAT_SEGMENTS_ABANDONED, 1);
  abandoned_push(s);
}

/* Takes s over: free spans join our span queues first (so that freeing a
 * page can coalesce with them), then every page is attached to our heap,
 * which frees the pages that emptied meanwhile, and the segment itself if
 * nothing is left. */
static void segment_reclaim(heap_t *heap, segment_t *s) {
  uint16_t pages[SLICE_ENTRIES];
  size_t npages = 0;
  segment_link(heap, s);
  for (size_t i = SEGMENT_HEADER_SLICES; i < s->slice_entries;) {
    slice_t *sl = &s->slices[i];
    size_t n = sl->slice_count ? sl->slice_count : 1;
    if (sl->is_used) pages[npages++] = (uint16_t)i;
    else if (sl->slice_count && s->kind == SEGMENT_NORMAL) span_queue_push(heap, sl);
    i += n;
  }
  stat_add(STAT_SEGMENTS_ABANDONED, -1);
  if (!heap->is_background) stat_add(STAT_SEGMENTS_RECLAIMED, 1);
  for (size_t k = 0; k < npages; k++) page_attach(heap, &s->slices[pages[k]]);
}

/* Reclaims abandoned segments into heap: all of them when `all`, else the
 * first one (the rest go back on the list). Whether it has room for
 * `slices_needed` is not checked first: reclaiming it also collects its
 * pages, which is what frees room, and the caller maps a new segment when
 * the span search still fails. */
bool segment_reclaim_some(heap_t *heap, size_t slices_needed, bool all) {
  segment_t *list = abandoned_take_all();
  bool reclaimed = false;
  while (list != NULL) {
    segment_t *s = list;
    list = s->abandoned_next;
    if (reclaimed && !all) {
      abandoned_push(s);
      continue;
    }
    segment_reclaim(heap, s);
    reclaimed = true;
  }
  (void)slices_needed;
  return reclaimed;
}
