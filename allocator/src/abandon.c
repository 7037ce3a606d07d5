/* Abandoned segments: what an exiting thread leaves behind while some of its
 * blocks are still live, and how live threads take it over (reclaim).
 *
 * The list is under a short lock (pointer updates only, nothing is called
 * while it is held), and segments leave it one at a time: it used to be a
 * lock-free stack that reclaimers and the background visit swapped out
 * whole, which hid every abandoned segment from the other threads
 * meanwhile, and they mapped fresh ones: larson-server at 16 threads on 16
 * cores peaked at 519 MiB of RSS (mimalloc 62 MiB).
 *
 * Threads push and take at the front: a new thread takes over the segment
 * abandoned last, whose pages still have room in the sizes that thread's
 * predecessor used and are warm in cache. Taking the oldest instead made
 * each new thread of threadchurn first free the pages of long-dead threads:
 * 2.7 M ops/s against 3.5 M. The background visit takes from the front and
 * puts what it visited at the back, so that one round sees each segment
 * once, and the old segments at the back, emptied by remote frees, are
 * freed there, off the threads' path. */
#include <sched.h>

#include "internal.h"

static spinlock_t abandoned_lock = SPINLOCK_INIT;
static segment_t *abandoned_first, *abandoned_last;
static _Atomic size_t abandoned_count; /* read without the lock as a hint */

/* Threads put a segment at the front, the background visit at the back. */
static void abandoned_put(segment_t *s, bool at_back) {
  spin_lock(&abandoned_lock);
  s->in_abandoned = true;
  if (at_back) {
    s->abandoned_next = NULL;
    s->abandoned_prev = abandoned_last;
    if (abandoned_last != NULL) abandoned_last->abandoned_next = s;
    else abandoned_first = s;
    abandoned_last = s;
  } else {
    s->abandoned_prev = NULL;
    s->abandoned_next = abandoned_first;
    if (abandoned_first != NULL) abandoned_first->abandoned_prev = s;
    else abandoned_last = s;
    abandoned_first = s;
  }
  atomic_fetch_add_explicit(&abandoned_count, 1, memory_order_relaxed);
  spin_unlock(&abandoned_lock);
}

/* Lock held. */
static void abandoned_unlink(segment_t *s) {
  if (s->abandoned_prev != NULL) s->abandoned_prev->abandoned_next = s->abandoned_next;
  else abandoned_first = s->abandoned_next;
  if (s->abandoned_next != NULL) s->abandoned_next->abandoned_prev = s->abandoned_prev;
  else abandoned_last = s->abandoned_prev;
  s->abandoned_next = s->abandoned_prev = NULL;
  s->in_abandoned = false;
  atomic_fetch_sub_explicit(&abandoned_count, 1, memory_order_relaxed);
}

/* The front segment, or with `all` the whole list (linked by
 * abandoned_next). */
static segment_t *abandoned_take(bool all) {
  if (atomic_load_explicit(&abandoned_count, memory_order_relaxed) == 0) return NULL;
  spin_lock(&abandoned_lock);
  segment_t *s = abandoned_first;
  if (s != NULL && all) {
    for (segment_t *t = s; t != NULL; t = t->abandoned_next) t->in_abandoned = false;
    abandoned_first = abandoned_last = NULL;
    atomic_store_explicit(&abandoned_count, 0, memory_order_relaxed);
  } else if (s != NULL) {
    abandoned_unlink(s);
  }
  spin_unlock(&abandoned_lock);
  return s;
}

/* s, if it is on the list (not taken by a reclaimer or a visit meanwhile). */
static bool abandoned_take_this(segment_t *s) {
  spin_lock(&abandoned_lock);
  bool found = s->in_abandoned;
  if (found) abandoned_unlink(s);
  spin_unlock(&abandoned_lock);
  return found;
}

size_t segment_abandoned_count(void) { return atomic_load_explicit(&abandoned_count, memory_order_relaxed); }

/* fork: the lock is taken last (it is innermost) and released in both. */
void abandoned_atfork_prepare(void) { spin_lock(&abandoned_lock); }
void abandoned_atfork_release(void) { spin_unlock(&abandoned_lock); }

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
  atomic_store_explicit(&s->thread_id, 0, memory_order_release);
  stat_add(STAT_SEGMENTS_ABANDONED, 1);
  abandoned_put(s, heap->is_background);
}

/* Takes s over: free spans join our span queues first (so that freeing a
 * page can coalesce with them), then every page is attached to our heap,
 * which frees the pages that emptied meanwhile, and the segment itself if
 * nothing is left. */
static void segment_reclaim(heap_t *heap, segment_t *s) {
  uint16_t pages[SLICE_ENTRIES];
  size_t npages = 0;
  segment_link(heap, s);
  for (size_t i = SEGMENT_HEADER_SLICES; i < s->slice_entries; i += segment_tile_slices(s, i)) {
    slice_t *sl = &s->slices[i];
    if (sl->is_used) pages[npages++] = (uint16_t)i;
    else if (sl->slice_count && s->kind == SEGMENT_NORMAL) span_queue_push(heap, sl);
  }
  stat_add(STAT_SEGMENTS_ABANDONED, -1);
  if (!heap->is_background) stat_add(STAT_SEGMENTS_RECLAIMED, 1);
  for (size_t k = 0; k < npages; k++) page_attach(heap, &s->slices[pages[k]]);
}

/* Set while the background thread holds an abandoned segment for a visit
 * (segment_visit_abandoned): for that moment the list can look empty. */
static atomic_bool abandoned_visiting;

/* Reclaims abandoned segments into heap: the front one, or all of them. Whether
 * it has room for the caller's page is not checked first: taking it over
 * also collects its pages, which is what frees room, and the caller maps a
 * new segment when the span search still fails.
 *
 * A thread that finds the list empty while a visit is under way waits for
 * the segment to come back (a few microseconds) rather than take a fresh
 * one, whose pages it would fault in while the visited one stays resident
 * (threadchurn, 8 interleaved 1 s runs: peak RSS 3.67 -> 3.40 MiB, the
 * same speed). The visit takes no lock a thread may hold here. */
bool segment_reclaim_some(heap_t *heap, bool all) {
  segment_t *list = abandoned_take(all);
  if (list == NULL && !heap->is_background && atomic_load_explicit(&abandoned_visiting, memory_order_acquire)) {
    while (atomic_load_explicit(&abandoned_visiting, memory_order_acquire)) sched_yield();
    list = abandoned_take(all);
  }
  bool reclaimed = list != NULL;
  while (list != NULL) {
    segment_t *s = list;
    list = s->abandoned_next;
    segment_reclaim(heap, s);
  }
  return reclaimed;
}

/* The background thread's visit of the front segment: taking it over
 * collects its pages and frees it if it emptied; what is still in use goes
 * back to the list's tail. */
bool segment_visit_abandoned(heap_t *visitor) {
  atomic_store_explicit(&abandoned_visiting, true, memory_order_relaxed);
  bool any = segment_reclaim_some(visitor, false);
  if (any) heap_abandon_all(visitor);
  atomic_store_explicit(&abandoned_visiting, false, memory_order_release);
  return any;
}

/* A thread whose first call is a free of a block in an abandoned segment
 * takes that segment over, rather than the front one at its first malloc:
 * it is the heir of the thread that made those blocks (a request handler
 * taking over its predecessor's objects). With the front one,
 * larson-server's two lanes often swapped segments, and a segment then held
 * the new thread's table beside the old one that the other lane was
 * freeing: pages sized for both, 1.4 MB resident per segment where one
 * table is 0.5 MB. Only a thread with no heap yet adopts: reclaiming on
 * every free of an abandoned block (mimalloc's abandoned_reclaim_on_free)
 * made threads gather segments they did not fill (larson-server 9.9 ->
 * 12.6 MB, threadchurn 5.5 -> 6.6 MB); and a heap's own segment list may
 * change under the background thread, so "owns no segment" could not be
 * read here without its lock. */
bool segment_adopt_on_free(segment_t *s) {
  /* The segment first: a thread that only frees gets no heap for nothing. */
  if (sa_heap_tls != &heap_empty || !abandoned_take_this(s)) return false;
  heap_t *heap = heap_get_or_init();
  if (heap == NULL) {
    abandoned_put(s, false);
    return false;
  }
  spin_lock(&heap->lock);
  segment_reclaim(heap, s);
  spin_unlock(&heap->lock);
  return true;
}
