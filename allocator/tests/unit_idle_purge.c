/* What the background thread does to a page of small blocks in a queue of
 * a heap whose owner has stopped allocating while other threads free its
 * blocks: it gives back the OS pages those remote frees cover wholly, and
 * the owner takes the blocks back when it comes round, or starts the page
 * over if nothing on it is live by then. The visit is called
 * directly; the background thread itself is off, so nothing else touches
 * the heap. */
#include <stdint.h>
#include <sys/mman.h>

#include "internal.h"
#include "unit_remote.h"
#include "unit_test.h"

#define BS 256 /* 16 blocks to an OS page, 256 to a 64 KiB page */

static page_t *page_for(void *p) { return page_of(segment_of(p), p); }

static size_t resident_os_pages(const void *from, size_t os_pages) {
  unsigned char vec[64];
  if (mincore((void *)from, os_pages * os_page_size(), vec) != 0) return (size_t)-1;
  size_t n = 0;
  for (size_t i = 0; i < os_pages; i++) n += vec[i] & 1;
  return n;
}

static int64_t committed(void) {
  sa_stats_t st;
  sa_stats_get(&st);
  return st.committed_bytes;
}

/* 200 blocks on the head page of their size; another thread frees the
 * first 168 (10.5 OS pages' worth). */
static void first_page_purges_covered_os_pages(heap_t *heap) {
  enum { N = 200, FREED = 168 };
  void *b[N];
  for (int i = 0; i < N; i++) b[i] = sa_malloc(BS);
  page_t *page = page_for(b[0]);
  EXPECT(page_for(b[N - 1]) == page && heap->pages[page->bin].first == page, "one page, the head of its queue");
  EXPECT(((uintptr_t)page->page_start & (os_page_size() - 1)) == 0, "blocks start on an OS page");
  unit_free_remotely(b, 0, FREED);
  EXPECT(resident_os_pages(page->page_start, 10) == 10, "resident before the visit");
  int64_t before = committed();
  background_visit_heap(heap);
  uint64_t mask = atomic_load(&page->purged_mask);
  EXPECT(mask == 0x3ff, "OS pages 0-9 purged, not 10 (half its blocks are live): mask %#llx",
         (unsigned long long)mask);
  EXPECT(resident_os_pages(page->page_start, 10) == 0, "the purged OS pages left RSS: %zu resident",
         resident_os_pages(page->page_start, 10));
  EXPECT(committed() == before - 10 * (int64_t)os_page_size(), "committed_bytes fell by 10 OS pages: %lld -> %lld",
         (long long)before, (long long)committed());
  uintptr_t tf = atomic_load(&page->thread_free);
  EXPECT(tf_count(tf) == FREED - 160, "the 8 blocks of OS page 10 went back on thread_free: %u", tf_count(tf));
  EXPECT(page_purged_blocks(page, mask) == 160, "the mask stands for 160 blocks: %u", page_purged_blocks(page, mask));
  EXPECT(check_heap(heap) == 0 && check_page_lists(page) == 0, "the heap checks out");
  /* A second visit finds nothing more to purge and loses nothing. */
  background_visit_heap(heap);
  EXPECT(atomic_load(&page->purged_mask) == mask && tf_count(atomic_load(&page->thread_free)) == 8,
         "a second visit changes nothing");

  /* The owner comes back: its collect takes every freed block again. */
  spin_lock(&heap->lock);
  page_collect(page);
  spin_unlock(&heap->lock);
  EXPECT(atomic_load(&page->purged_mask) == 0 && committed() == before, "collected: mask 0, committed back");
  EXPECT(page_live(page) == N - FREED, "live blocks: %u", page_live(page));
  EXPECT(check_page_lists(page) == 0, "no block lost or listed twice");
  for (int i = 0; i < FREED; i++) {
    b[i] = sa_malloc(BS);
    memset(b[i], 0x5a, BS);
  }
  EXPECT(page_live(page) == N && check_page_lists(page) == 0, "the 168 blocks served again from the same page");
  for (int i = 0; i < N; i++) sa_free(b[i]);
}

/* The owner frees what was still live on a page whose remote frees were
 * purged: the page then holds nothing live, and its next collect starts it
 * over (capacity 0) instead of writing links into the purged OS pages. */
static void emptied_purged_page_starts_over(heap_t *heap) {
  enum { BS2 = 512, N = 100, FREED = 96 }; /* 8 blocks to an OS page: 12 OS pages freed */
  void *b[N];
  for (int i = 0; i < N; i++) b[i] = sa_malloc(BS2);
  page_t *page = page_for(b[0]);
  EXPECT(page_for(b[N - 1]) == page, "one page");
  unit_free_remotely(b, 0, FREED);
  int64_t before = committed();
  background_visit_heap(heap);
  EXPECT(atomic_load(&page->purged_mask) == 0xfff, "OS pages 0-11 purged: %#llx",
         (unsigned long long)atomic_load(&page->purged_mask));
  for (int i = FREED; i < N; i++) sa_free(b[i]);
  EXPECT(page_live(page) == FREED, "the purged blocks still count as out: %u", page_live(page));
  spin_lock(&heap->lock);
  page_collect(page);
  spin_unlock(&heap->lock);
  EXPECT(page->capacity == 0 && page_live(page) == 0 && atomic_load(&page->purged_mask) == 0,
         "started over: capacity %u, live %u", page->capacity, page_live(page));
  EXPECT(resident_os_pages(page->page_start, 12) == 0, "the purged OS pages were not touched again: %zu resident",
         resident_os_pages(page->page_start, 12));
  EXPECT(committed() == before, "committed_bytes back where it was before the purge");
  EXPECT(check_heap(heap) == 0 && check_page_lists(page) == 0, "the heap checks out");
  void *again = sa_malloc(BS2);
  EXPECT(page_for(again) == page && page->capacity > 0, "the page serves again, threading afresh");
  sa_free(again);
}

int main(void) {
  sa_option_set(SA_OPTION_BACKGROUND, 0);
  sa_free(sa_malloc(1));
  heap_t *heap = sa_heap_tls;
  first_page_purges_covered_os_pages(heap);
  emptied_purged_page_starts_over(heap);
  UNIT_DONE("unit_idle_purge");
}
