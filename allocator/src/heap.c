/* Heaps: one per thread, created on the thread's first allocation and
 * abandoned at thread exit. A heap owns the page queues, the span queues
 * and the segments its thread mapped or reclaimed. */
#include <pthread.h>

#include "internal.h"

/* The heap of a thread that has not allocated yet: every direct entry
 * points at an empty page, so its first malloc falls into the slow path,
 * which creates the real heap. It is also what every heap starts as
 * (heap_init copies it): process_init writes its queues' block sizes once,
 * which no thread without a heap reads; its direct entries are never
 * written. */
page_t page_empty;
heap_t heap_empty = {.pages_direct = {[0 ... DIRECT_ENTRIES - 1] = &page_empty}};

static heap_t heap_main; /* the first thread's heap needs no allocation */
static atomic_bool heap_main_taken;
static spinlock_t heaps_lock = SPINLOCK_INIT; /* guards heaps_all and heap_pool */
static heap_t *heaps_all;
static _Atomic size_t heaps_count; /* read without the lock by background_maybe_start */
static heap_t *heap_pool;
static pthread_key_t heap_key;
static bool heap_key_ready;

void heap_key_create(void (*done)(void *)) {
  if (pthread_key_create(&heap_key, done) == 0) heap_key_ready = true;
}

static heap_t *heap_alloc(void) {
  bool expected = false;
  if (atomic_compare_exchange_strong(&heap_main_taken, &expected, true)) return &heap_main;
  spin_lock(&heaps_lock);
  heap_t *h = heap_pool;
  if (h) heap_pool = h->next_free;
  spin_unlock(&heaps_lock);
  return h ? h : os_alloc_meta(sizeof(heap_t));
}

/* Sets heap_empty's queue sizes once, in process_init: a thread's start
 * then costs one copy, not a loop over the bins (threadchurn starts
 * 47,000 threads a second). A separate template heap used to hold them:
 * 12 KiB more of every process's RSS. */
void heap_empty_build(void) {
  for (size_t b = 1; b <= BIN_MEDIUM_LAST; b++) heap_empty.pages[b].block_size = bin_block_size(b);
}

static void heap_init(heap_t *h) {
  memcpy(h, &heap_empty, sizeof *h);
  h->thread_id = thread_id_self();
}

static void heap_register(heap_t *h) {
  spin_lock(&heaps_lock);
  h->prev_all = NULL;
  h->next_all = heaps_all;
  if (heaps_all) heaps_all->prev_all = h;
  heaps_all = h;
  heaps_count++;
  spin_unlock(&heaps_lock);
  stat_add(STAT_THREADS, 1);
}

static void heap_unregister_and_pool(heap_t *h) {
  spin_lock(&heaps_lock);
  if (h->prev_all) h->prev_all->next_all = h->next_all;
  else heaps_all = h->next_all;
  if (h->next_all) h->next_all->prev_all = h->prev_all;
  h->next_free = heap_pool;
  heap_pool = h;
  heaps_count--;
  spin_unlock(&heaps_lock);
  stat_add(STAT_THREADS, -1);
}

heap_t *heap_get_or_init(void) {
  heap_t *h = sa_heap_tls;
  if (h != &heap_empty) return h;
  process_init();
  h = heap_alloc();
  if (h == NULL) return NULL;
  heap_init(h);
  heap_register(h);
  sa_heap_tls = h;
  /* Keys below PTHREAD_KEY_2NDLEVEL_SIZE live inside the thread descriptor:
   * setting it does not allocate. */
  if (heap_key_ready) pthread_setspecific(heap_key, h);
  /* The second heap makes the process multithreaded: time for the
   * background thread (pthread_create allocates: the heap is ready now). */
  background_maybe_start();
  return h;
}

/* Calls fn on every page of every queue; fn may remove the page. */
void heap_visit_pages(heap_t *heap, void (*fn)(heap_t *, page_t *)) {
  for (size_t q = 1; q < BIN_QUEUES; q++) {
    page_t *page = heap->pages[q].first;
    while (page != NULL) {
      page_t *next = page->next;
      fn(heap, page);
      page = next;
    }
  }
}

static void page_free_if_empty(heap_t *heap, page_t *page) {
  page_collect(page);
  if (page_live(page) == 0) page_free(heap, page);
}

static void heap_collect_locked(heap_t *heap, bool force) {
  page_large_kept_release(heap);
  heap_drain_delayed(heap);
  page_expire_pinned(heap, force);
  heap_visit_pages(heap, page_free_if_empty);
  if (force) {
    segment_reclaim_some(heap, true); /* abandoned segments that emptied are freed */
    heap_visit_pages(heap, page_free_if_empty);
    segment_release_empty(heap); /* the last segment, which a heap otherwise keeps */
  }
  segment_purge_heap(heap, force);
}

void heap_collect(heap_t *heap, bool force) {
  /* A forced collect must see every abandoned segment, so it waits for
   * those the background thread holds. The visit lock comes before the
   * heap lock, the order fork's prepare and the background thread take
   * them in (the other order could deadlock against a fork). */
  if (force) spin_lock(&abandoned_visit_lock);
  spin_lock(&heap->lock);
  heap_collect_locked(heap, force);
  spin_unlock(&heap->lock);
  if (force) spin_unlock(&abandoned_visit_lock);
  stats_flush_thread();
  segment_cache_collect(force);
}

static void page_stop_delayed(heap_t *heap, page_t *page) { page_set_delayed(page, DELAYED_NEVER); }

/* Marks the segments that will be abandoned, because they hold live blocks. */
static void page_note_live(heap_t *heap, page_t *page) {
  (void)heap;
  page_collect(page);
  if (page_live(page) != 0) segment_of_slice(page)->keeps_pages = true;
}

/* An empty page is freed, except the first small page of each bin in a
 * segment that is abandoned anyway: the next thread to take the segment
 * over finds a page of that size ready (page_attach).
 * threadchurn's short-lived threads each freed and made about 11 pages
 * otherwise (1.15 M page frees in 2 s), and each page made on a slice
 * another size had used stayed as resident as that size had made it:
 * keeping one per bin cut its page frees to about 1,600 in 2 s, and its
 * peak RSS to 5.4 MB (6.1 MB when only the pinned page was kept). A
 * segment with nothing live is still freed whole at exit. */
static bool page_kept_at_exit(heap_t *heap, page_t *page) {
  uint64_t bit = 1ULL << (page->bin & 63), *word = &heap->bins_kept[page->bin >> 6];
  if (page->kind != PAGE_SMALL || !segment_of_slice(page)->keeps_pages || (*word & bit)) return false;
  *word |= bit;
  return true;
}

static void page_abandon(heap_t *heap, page_t *page) {
  page_collect(page);
  if (page_live(page) == 0 && !page_kept_at_exit(heap, page)) {
    page_free(heap, page);
    return;
  }
  page_queue_remove(heap, page_queue_of(heap, page), page);
  heap->bin_pages[page->bin]--;
  atomic_store_explicit(&page->heap, NULL, memory_order_release);
  page_set_in_full(page, false);
}

/* Gives every page and segment of the heap away. Order matters: first no
 * page may announce remote frees through this heap any more (NEVER), then
 * what was announced already is drained, and only then do pages lose their
 * heap pointer. */
static void heap_abandon(heap_t *heap) {
  /* Every queue empties: its direct entries are reset once, at the end,
   * not each time a queue's first page leaves. And the drain below must
   * not move a page to the full queue (page_unfull_on_free): that would
   * set it DELAYED_USE after page_stop_delayed made it NEVER. */
  heap->abandoning = true;
  page_large_kept_release(heap);
  heap_visit_pages(heap, page_stop_delayed);
  heap_drain_delayed(heap);
  for (segment_t *s = heap->segments; s != NULL; s = s->next) s->keeps_pages = false;
  memset(heap->bins_kept, 0, sizeof heap->bins_kept);
  heap_visit_pages(heap, page_note_live);
  heap_visit_pages(heap, page_abandon);
  memcpy(heap->pages_direct, heap_empty.pages_direct, sizeof heap->pages_direct);
  heap->abandoning = false;
  while (heap->segments != NULL) segment_abandon(heap, heap->segments);
}

void heap_thread_done(heap_t *heap) {
  if (heap == NULL || heap == &heap_empty) return;
  spin_lock(&heap->lock);
  heap_abandon(heap);
  spin_unlock(&heap->lock);
  stats_flush_thread();
  if (sa_heap_tls == heap) sa_heap_tls = &heap_empty;
  heap_unregister_and_pool(heap);
}

/* fork: the child must find every heap unlocked and consistent, so the
 * parent takes every heap lock (no thread is inside a slow path then). */
void heaps_atfork_prepare(void) {
  spin_lock(&heaps_lock);
  for (heap_t *h = heaps_all; h; h = h->next_all) spin_lock(&h->lock);
}

void heaps_atfork_parent(void) {
  for (heap_t *h = heaps_all; h; h = h->next_all) spin_unlock(&h->lock);
  spin_unlock(&heaps_lock);
}

/* In the child only the forking thread lives on: every other heap's
 * segments are abandoned so the child can reclaim them and its frees into
 * them are not lost. */
void heaps_atfork_child(void) {
  heap_t *self = sa_heap_tls;
  for (heap_t *h = heaps_all; h; h = h->next_all) spin_unlock(&h->lock);
  spin_unlock(&heaps_lock);
  heap_t *h = heaps_all;
  while (h != NULL) {
    heap_t *next = h->next_all;
    if (h != self) {
      heap_abandon(h);
      heap_unregister_and_pool(h);
    }
    h = next;
  }
  if (self != &heap_empty) self->thread_id = thread_id_self();
}

SA_API void sa_collect(bool force) {
  heap_t *heap = sa_heap_tls;
  if (heap == &heap_empty) {
    segment_cache_collect(force);
    return;
  }
  heap_collect(heap, force);
}

size_t heaps_live(void) { return atomic_load_explicit(&heaps_count, memory_order_relaxed); }

/* fn runs on every heap that want picks and whose lock is free, with the
 * lock held. A heap whose owner is inside a slow path is skipped rather
 * than waited for: the owner then holds its lock, and may want heaps_lock
 * next. */
void heaps_visit_unlocked(bool (*want)(heap_t *), void (*fn)(heap_t *)) {
  spin_lock(&heaps_lock);
  for (heap_t *h = heaps_all; h; h = h->next_all) {
    if (!want(h) || atomic_flag_test_and_set_explicit(&h->lock.f, memory_order_acquire)) continue;
    fn(h);
    spin_unlock(&h->lock);
  }
  spin_unlock(&heaps_lock);
}

/* For the background thread: a heap whose owner took no slow path since
 * the last visit. A busy heap is left alone: it reuses its remote frees
 * itself. */
static bool heap_idle_since_visit(heap_t *h) {
  uint64_t seen = atomic_load_explicit(&h->generic_count, memory_order_relaxed);
  bool idle = seen == h->background_seen;
  h->background_seen = seen;
  return idle;
}

void heaps_visit_idle(void (*fn)(heap_t *)) { heaps_visit_unlocked(heap_idle_since_visit, fn); }

int64_t heaps_delayed_bytes(void) {
  int64_t sum = 0;
  spin_lock(&heaps_lock);
  for (heap_t *h = heaps_all; h; h = h->next_all) sum += atomic_load_explicit(&h->delayed_bytes, memory_order_relaxed);
  spin_unlock(&heaps_lock);
  return sum;
}

/* The background thread's own heap: registered nowhere, used only to take
 * abandoned segments over for a moment. */
heap_t *heap_background_init(void) {
  heap_t *h = os_alloc_meta(sizeof(heap_t));
  if (h) {
    heap_init(h);
    h->is_background = true;
  }
  return h;
}

void heap_abandon_all(heap_t *heap) {
  spin_lock(&heap->lock);
  heap_abandon(heap);
  spin_unlock(&heap->lock);
}

/* Test hook: the calling thread's heap (NULL before its first allocation). */
heap_t *heap_of_thread(void) { return sa_heap_tls == &heap_empty ? NULL : sa_heap_tls; }
