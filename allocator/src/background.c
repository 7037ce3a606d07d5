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
 *     collects like thread_free; on pages of small blocks it purges the OS
 *     pages those frees cover wholly and marks them instead;
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

/* Takes the page's remote frees off thread_free, as its owner would. */
static block_t *page_take_thread_free(page_t *page) {
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(&page->thread_free, &tf, tf & TF_STATE_MASK, memory_order_acq_rel,
                                                memory_order_relaxed)) {
  }
  return tf_block(tf);
}

/* Gives back blocks taken by page_take_thread_free, [first..last], n of
 * them: pushed like n remote frees at once, whatever the delayed state
 * (they were on thread_free already). */
static void page_return_thread_free(page_t *page, block_t *first, block_t *last, uint32_t n) {
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
  uintptr_t pushed;
  do {
    last->next = tf_block(tf);
    pushed = ((tf & ~TF_BLOCK_MASK) + (uintptr_t)n * TF_COUNT_ONE) | (uintptr_t)first;
  } while (!atomic_compare_exchange_weak_explicit(&page->thread_free, &tf, pushed, memory_order_release,
                                                  memory_order_relaxed));
}

/* Whether every block in [first, last] is set in `freed`. */
static bool blocks_all_set(const uint64_t *freed, size_t first, size_t last) {
  for (size_t i = first; i <= last; i++)
    if (!(freed[i >> 6] >> (i & 63) & 1)) return false;
  return true;
}

/* The OS pages of a small page that blocks on `freed` cover wholly (every
 * block touching them is there), leaving out those purged already. */
static uint64_t page_coverable_os_pages(const page_t *page, const uint64_t *freed, uint64_t already) {
  size_t os = os_page_size(), bs = page->block_size;
  uintptr_t start = (uintptr_t)page->page_start, base = start & ~(uintptr_t)(os - 1);
  uint64_t mask = 0;
  for (size_t j = 0; j < SLICE_SIZE / os; j++) {
    uintptr_t at = base + j * os;
    if (at < start || (already >> j & 1)) continue;
    size_t last = (at + os - 1 - start) / bs;
    if (last >= page->capacity) break;
    if (blocks_all_set(freed, (at - start) / bs, last)) mask |= 1ULL << j;
  }
  return mask;
}

/* The bits of `mask` set from i on, as far as they run unbroken: [i, *end). */
static uint64_t mask_run(uint64_t mask, size_t i, size_t *end) {
  size_t k = i;
  while (k < 64 && (mask >> k & 1)) k++;
  *end = k;
  return (k < 64 ? (1ULL << k) - 1 : ~0ULL) & ~((1ULL << i) - 1);
}

/* The free blocks on `list` (of a small page) that lie in OS pages they
 * cover wholly (every block touching the OS page is on the list), less
 * those purged already, are purged; purged_mask is to stand for the blocks
 * that start in those OS pages, whose links the purge zeroed. Returns the
 * blocks that stay, relinked (*kept of them, *last the last), and in *mask
 * the bits for the caller to set. */
block_t *page_purge_covered_os_pages(page_t *page, block_t *list, block_t **last, uint32_t *kept, uint64_t *mask) {
  size_t os = os_page_size(), bs = page->block_size;
  uint64_t freed[SLICE_SIZE / 16 / 64] = {0};
  for (block_t *b = list; b != NULL; b = b->next) {
    size_t i = (size_t)((uint8_t *)b - page->page_start) / bs;
    freed[i >> 6] |= 1ULL << (i & 63);
  }
  uint64_t m = page_coverable_os_pages(page, freed, atomic_load_explicit(&page->purged_mask, memory_order_relaxed));
  /* Unlink the blocks that stay before the purge zeroes their neighbours'
   * links. */
  uintptr_t base = (uintptr_t)page->page_start & ~(uintptr_t)(os - 1);
  block_t *keep = NULL;
  *last = NULL;
  *kept = 0;
  for (block_t *b = list, *next; b != NULL; b = next) {
    next = b->next;
    if (m >> page_purged_bit(page, b) & 1) continue;
    b->next = keep;
    keep = b;
    if (*last == NULL) *last = b;
    (*kept)++;
  }
  if (m != 0) page_unadvise_huge(page);
  for (uint64_t r = m; r;) { /* a run of purgeable OS pages: one madvise */
    size_t j = (size_t)__builtin_ctzll(r), k;
    r &= ~mask_run(r, j, &k);
    block_purge_range(base + j * os, base + k * os);
  }
  *mask = m;
  return keep;
}

/* Big blocks (pages of at most 64, see purged_mask): every block on `list`
 * is purged whole; returns their bits. Neighbouring free
 * blocks (purged now or before) go in one madvise, so the OS page two of
 * them share goes too: a 64 KiB block of a padded page (not OS-page
 * aligned) covers 15 whole OS pages and two partial ones, and purging
 * block by block left one OS page in RAM per free block (9,000 free blocks
 * of 10,000 trimmed: 112 MiB left, where the live blocks are 62.5 MiB).
 * committed_bytes still counts block by block, as block_unpurged gives it
 * back: a shared OS page purged this way stays counted. */
uint64_t page_purge_whole_blocks(page_t *page, block_t *list) {
  page_unadvise_huge(page);
  uint64_t mask = 0;
  for (block_t *b = list; b != NULL; b = b->next) mask |= 1ULL << page_purged_bit(page, b);
  size_t bs = page->block_size, os = os_page_size();
  uintptr_t start = (uintptr_t)page->page_start;
  int64_t bytes = 0;
  for (uint64_t m = mask; m; m &= m - 1) {
    uintptr_t at = start + (size_t)__builtin_ctzll(m) * bs;
    bytes += (int64_t)block_purgeable_bytes(at, at + bs);
  }
  stat_add(STAT_PURGED, bytes);
  stat_add(STAT_COMMITTED, -bytes);
  uint64_t free_now = mask | atomic_load_explicit(&page->purged_mask, memory_order_relaxed);
  for (uint64_t r = free_now; r;) {
    size_t i = (size_t)__builtin_ctzll(r), end;
    uint64_t run = mask_run(r, i, &end);
    r &= ~run;
    if ((run & mask) == 0) continue; /* purged before, whole */
    uintptr_t from = size_align_up(start + i * bs, os), to = (start + end * bs) & ~(uintptr_t)(os - 1);
    if (to > from) os_purge((void *)from, to - from, option_get(SA_OPTION_PURGE_DECOMMITS) != 0);
  }
  return mask;
}

/* Big enough blocks for purged_mask to stand for them one by one. */
bool page_purges_blocks(const page_t *page) {
  return page->reserved <= 64 && page->block_size >= 2 * os_page_size();
}

/* Small blocks that other threads freed into an idle heap's page. Only the
 * owner may touch its free lists, and several blocks share an OS page, so
 * an OS page is purged only when every block touching it is on
 * thread_free; the others go back on thread_free.
 * larson-server: each lane's first thread fills the lane's table and then
 * waits in pthread_join for good, while later threads free its blocks: 1.2
 * MB of peak RSS stayed on its pages' thread_free lists. */
static void page_purge_remote_small(page_t *page) {
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_relaxed);
  if (tf_block(tf) == NULL || (size_t)tf_count(tf) * page->block_size < os_page_size()) return;
  block_t *last;
  uint32_t kept;
  uint64_t mask;
  block_t *keep = page_purge_covered_os_pages(page, page_take_thread_free(page), &last, &kept, &mask);
  if (keep != NULL) page_return_thread_free(page, keep, last, kept);
  if (mask != 0) atomic_fetch_or_explicit(&page->purged_mask, mask, memory_order_release);
}

/* Remote frees count in `used` until collected: purged, they stay counted
 * (page_take_purged_block takes them off). */
static void page_purge_remote_frees(heap_t *heap, page_t *page) {
  (void)heap;
  if (page_purges_os_pages(page)) {
    page_purge_remote_small(page);
    return;
  }
  if (!page_purges_blocks(page)) return;
  if (tf_block(atomic_load_explicit(&page->thread_free, memory_order_relaxed)) == NULL) return;
  uint64_t mask = page_purge_whole_blocks(page, page_take_thread_free(page));
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
 * fast free may be writing its `used` and `free` at this moment, even
 * behind the first page, if it still has a live block (freeing pages
 * behind the first was tried: ThreadSanitizer caught exactly that). What
 * its remote frees cover, page_purge_remote_small purges. */
static bool page_free_if_remote_emptied(heap_t *heap, page_t *page, uint32_t apart) {
  if (page->kind > PAGE_MEDIUM || !page->flags.x.in_full) return false;
  uintptr_t tf = atomic_load_explicit(&page->thread_free, memory_order_acquire);
  uint32_t purged = page_purged_blocks(page, atomic_load_explicit(&page->purged_mask, memory_order_relaxed));
  if (tf_count(tf) + purged + apart != page->used || (tf & TF_STATE_MASK) == DELAYED_FREEING) return false;
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
    int64_t bytes = page_delayed_bytes(page); /* read first: a freed page's descriptor is cleared */
    if (page_free_if_remote_emptied(heap, page, 1)) {
      atomic_fetch_sub_explicit(&heap->delayed_bytes, bytes, memory_order_relaxed);
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

/* Heap lock held (heaps_visit_idle; sa_trim for every other heap). */
void heap_background_purge(heap_t *heap) {
  page_large_kept_release(heap);
  segment_purge_heap(heap, false);
  heap_visit_pages(heap, page_free_if_idle_emptied);
  heap_visit_pages(heap, page_purge_remote_frees);
  heap_purge_delayed(heap);
}

/* Test hook: the visit the background pays a heap idle since its last one. */
void background_visit_heap(heap_t *heap) {
  spin_lock(&heap->lock);
  heap_background_purge(heap);
  spin_unlock(&heap->lock);
}

/* Abandoned segments, visited one at a time (segment_visit_abandoned), so
 * that the others stay available to threads that reclaim meanwhile. */
spinlock_t abandoned_visit_lock = SPINLOCK_INIT;

static void background_collect_abandoned(void) {
  if (background_heap == NULL) background_heap = heap_background_init();
  if (background_heap == NULL) return;
  spin_lock(&abandoned_visit_lock);
  for (size_t n = segment_abandoned_count(); n > 0 && segment_visit_abandoned(background_heap); n--) {
  }
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
