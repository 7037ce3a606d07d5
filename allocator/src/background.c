/* The background thread: returns memory that no thread is going to reuse.
 *
 * mimalloc v2 purges only when the owning thread runs its slow path, so a
 * producer that goes idle keeps every block its consumers freed, and its
 * expired free spans, for ever. Here a thread, started once the process has
 * two heaps, wakes every purge delay and, for each heap whose owner took no
 * slow path since the last visit:
 *   - runs the owner's due span purges (spans are only touched under the
 *     heap lock, which it holds);
 *   - frees the full pages every block of which other threads freed;
 *   - takes the remote frees waiting on pages of big blocks, purges each
 *     block whole and marks it in the page's purged_mask, which the owner
 *     collects like thread_free;
 *   - purges all but the link-holding OS page of the blocks on the heap's
 *     delayed list (at most one per full page) and parks them on a second
 *     delayed list the owner drains too;
 * and then it collects abandoned segments, freeing those that emptied, and
 * purges the segment cache. It never touches a page's free or local_free
 * list or its used count while the page is in a bin queue: the owner's
 * fast path owns those without a lock. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "internal.h"

static atomic_int background_state; /* 0 not started, 1 running, 2 failed */
static heap_t *background_heap;

/* Purges the whole OS pages inside [from, to); partial pages at either end
 * belong to neighbouring live blocks too. */
size_t block_purgeable_bytes(uintptr_t from, uintptr_t to) {
  size_t os_page = os_page_size();
  uintptr_t start = size_align_up(from, os_page);
  uintptr_t end = to & ~(uintptr_t)(os_page - 1);
  return end > start ? end - start : 0;
}

/* The purged bytes leave committed_bytes; block_unpurged() puts them back
 * when the owner takes the block again. */
size_t block_purge_range(uintptr_t from, uintptr_t to) {
  size_t bytes = block_purgeable_bytes(from, to);
  if (bytes == 0) return 0;
  os_purge((void *)size_align_up(from, os_page_size()), bytes, option_get(SA_OPTION_PURGE_DECOMMITS) != 0);
  stat_add(STAT_PURGED, (int64_t)bytes);
  stat_add(STAT_COMMITTED, -(int64_t)bytes);
  return bytes;
}

void block_unpurged(uintptr_t from, uintptr_t to) {
  size_t bytes = block_purgeable_bytes(from, to);
  if (bytes) stat_add(STAT_COMMITTED, (int64_t)bytes);
}

static void page_purge_remote_frees(heap_t *heap, page_t *page) {
  (void)heap;
  if (page->reserved > 64 || page->block_size < 2 * os_page_size()) return;
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
  if (tf_block(tf) == NULL) return;
  page_unadvise_huge(page);
  while (!atomic_compare_exchange_weak_explicit(&page->thread_free, &tf, tf & TF_STATE_MASK, memory_order_acq_rel,
                                                memory_order_relaxed)) {
  }
  uint64_t mask = 0;
  for (block_t *b = tf_block(tf); b != NULL;) {
    block_t *next = b->next; /* read before the purge zeroes it */
    mask |= 1ULL << (((uintptr_t)b - (uintptr_t)page->page_start) / page->block_size);
    block_purge_range((uintptr_t)b, (uintptr_t)b + page->block_size);
    b = next;
  }
  atomic_fetch_or_explicit(&page->purged_mask, mask, memory_order_release);
}

/* A full page all of whose blocks other threads freed goes back to its
 * segment. Only its owner collects a page, so a producer that filled pages
 * and went idle kept them for good once consumers freed every block
 * (idle_producer_purge --small: 64 MiB of 1 KiB blocks stayed resident).
 * `apart` counts blocks the caller holds (one from the delayed list, where
 * the first remote free into a full page goes). The owner's fast paths
 * never touch a full page (malloc takes the first page of a bin queue; free
 * of a block in a full page takes the slow path), and the heap lock keeps
 * its slow paths out. A page of a bin queue is left alone: the owner's
 * fast paths read and write its `used` without the lock. */
static bool page_free_if_remote_emptied(heap_t *heap, page_t *page, uint32_t apart) {
  if (page->kind > PAGE_MEDIUM || !page->flags.x.in_full) return false;
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_acquire);
  if (tf_count(tf) + apart != page->used || (tf & TF_STATE_MASK) == DELAYED_FREEING) return false;
  page_collect(page);
  page_free(heap, page);
  return true;
}

static void page_free_if_idle_emptied(heap_t *heap, page_t *page) { page_free_if_remote_emptied(heap, page, 0); }

static void heap_purge_delayed(heap_t *heap) {
  if (atomic_load_explicit(&heap->thread_delayed_free, memory_order_relaxed) == NULL) return;
  block_t *b = atomic_exchange_explicit(&heap->thread_delayed_free, NULL, memory_order_acquire);
  while (b != NULL) {
    block_t *next = b->next;
    page_t *page = page_of(segment_of(b), b);
    /* The freer may still be leaving DELAYED_FREEING: then the page waits
     * for the next visit (its block is parked below like any other). */
    if (page_free_if_remote_emptied(heap, page, 1)) {
      b = next;
      continue;
    }
    page_unadvise_huge(page);
    block_purge_range((uintptr_t)b + sizeof(block_t), (uintptr_t)b + page->block_size);
    block_t *head = atomic_load_explicit(&heap->delayed_purged, memory_order_relaxed);
    do {
      b->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&heap->delayed_purged, &head, b, memory_order_release,
                                                    memory_order_relaxed));
    b = next;
  }
}

/* Heap lock held (heaps_visit_idle). */
static void heap_background_purge(heap_t *heap) {
  page_large_kept_release(heap);
  segment_purge_heap(heap, false);
  heap_visit_pages(heap, page_free_if_idle_emptied);
  heap_visit_pages(heap, page_purge_remote_frees);
  heap_purge_delayed(heap);
}

/* Abandoned segments: take each over for a moment (which collects its pages
 * and frees it if it emptied), then give it back if still in use, which
 * puts it at the list's tail. One at a time, so that the others stay
 * available to threads that reclaim meanwhile. */
spinlock_t abandoned_visit_lock = SPINLOCK_INIT;

static void background_collect_abandoned(void) {
  if (background_heap == NULL) background_heap = heap_background_init();
  if (background_heap == NULL) return;
  spin_lock(&abandoned_visit_lock);
  for (size_t n = segment_abandoned_count(); n > 0 && segment_reclaim_some(background_heap, false); n--)
    heap_abandon_all(background_heap);
  spin_unlock(&abandoned_visit_lock);
}

static long background_interval_ms(void) {
  long delay = option_get(SA_OPTION_PURGE_DELAY);
  long ms = delay < 10 ? (delay == 0 ? 10 : 100) : (delay > 1000 ? 1000 : delay);
  long map = option_get(SA_OPTION_MAP_INTERVAL);
  return map > 0 && map < ms ? map : ms;
}

static void background_map_tick(void) {
  static int64_t next;
  long interval = option_get(SA_OPTION_MAP_INTERVAL);
  if (interval <= 0 || sa_map_path[0] == 0) return;
  int64_t now = os_clock_ms();
  if (now < next) return;
  next = now + interval;
  snapshot_map_tick(false);
}

static void *background_main(void *arg) {
  (void)arg;
  /* Named from inside: for another thread glibc formats a /proc path with
   * snprintf, which faults in printf's code (about 130 KB of libc's pages
   * resident, in every program with two threads). */
  pthread_setname_np(pthread_self(), "segalloc-bg");
  for (;;) {
    long ms = background_interval_ms();
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    if (option_get(SA_OPTION_BACKGROUND) && option_get(SA_OPTION_PURGE_DELAY) >= 0) {
      heaps_visit_idle(heap_background_purge);
      background_collect_abandoned();
      segment_cache_collect(false);
    }
    background_map_tick();
  }
  return NULL;
}

/* Called when a heap is created, outside any lock: pthread_create allocates. */
void background_maybe_start(void) {
  if (SA_LIKELY(atomic_load_explicit(&background_state, memory_order_relaxed) != 0)) return;
  bool mapping = option_get(SA_OPTION_MAP_INTERVAL) > 0 && sa_map_path[0];
  if (!mapping && (!option_get(SA_OPTION_BACKGROUND) || option_get(SA_OPTION_PURGE_DELAY) < 0 || heaps_live() < 2))
    return;
  int expected = 0;
  if (!atomic_compare_exchange_strong(&background_state, &expected, 1)) return;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread inherits it: no signal lands there */
  pthread_t t;
  if (pthread_create(&t, &attr, background_main, NULL) != 0) atomic_store(&background_state, 2);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
}

/* The thread does not survive fork; the child starts its own when needed. */
void background_atfork_child(void) {
  atomic_store(&background_state, 0);
  background_heap = NULL;
}
