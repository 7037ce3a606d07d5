/* A page's life: extend as blocks are taken, move to the full queue when
 * exhausted, come back on a free, retire when empty and be freed after the
 * countdown; remote frees into a full page reach the owner. */
#include <pthread.h>

#include "internal.h"
#include "unit_test.h"

#define BS 256

static page_t *page_for(void *p) { return page_of(segment_of(p), p); }

static void *free_remote_thread(void *arg) {
  sa_free(arg);
  return NULL;
}

int main(void) {
  heap_t *heap;
  void *first = sa_malloc(BS);
  heap = heap_of_thread();
  page_t *page = page_for(first);
  EXPECT(page->block_size == BS && page->kind == PAGE_SMALL, "small page of %d-byte blocks", BS);
  EXPECT(page->reserved == SLICE_SIZE / BS, "reserved %u", page->reserved);
  EXPECT(page->capacity < page->reserved, "extension is incremental: capacity %u", page->capacity);

  /* Fill the page: capacity grows by extension until reserved. */
  void *blocks[SLICE_SIZE / BS];
  blocks[0] = first;
  uint32_t cap_before = page->capacity;
  for (uint32_t i = 1; i < page->reserved; i++) {
    blocks[i] = sa_malloc(BS);
    EXPECT(page_for(blocks[i]) == page, "block %u from another page", i);
  }
  EXPECT(page->capacity == page->reserved && page->capacity > cap_before, "page extended to %u", page->capacity);
  EXPECT(page->used == page->reserved, "used %u", page->used);

  /* One more: the exhausted page goes to the full queue. */
  void *other = sa_malloc(BS);
  EXPECT(page_for(other) != page, "new block must come from a new page");
  EXPECT(page->flags.x.in_full, "exhausted page should be in the full queue");
  EXPECT(heap->pages[BIN_FULL].first == page, "full queue holds it");

  /* A local free brings it back. */
  sa_free(blocks[5]);
  EXPECT(!page->flags.x.in_full, "a free should unfull the page");

  /* A remote free into a full page goes through the delayed list. */
  blocks[5] = sa_malloc(BS);
  EXPECT(page_for(blocks[5]) == page || page_for(blocks[5]) == page_for(other), "reuse");
  while (page->free || page->local_free || page->capacity < page->reserved) blocks[0] = sa_malloc(BS); /* leak a few */
  if (!page->flags.x.in_full) blocks[1] = sa_malloc(SLICE_SIZE); /* force a slow path */
  void *victim = blocks[7];
  uint32_t used = page->used;
  pthread_t t;
  blocks[2] = sa_malloc(BS); /* make sure the page has been seen exhausted */
  if (page->flags.x.in_full) {
    pthread_create(&t, NULL, free_remote_thread, victim);
    pthread_join(t, NULL);
    EXPECT(atomic_load(&heap->thread_delayed_free) != NULL, "remote free into a full page should use the delayed list");
    sa_free(sa_malloc(100 * 1024)); /* a slow path drains it */
    EXPECT(page->used == used - 1, "owner should have taken the remote free: used %u, was %u", page->used, used);
    EXPECT(!page->flags.x.in_full, "the page should be back in its size queue");
  } else {
    EXPECT(0, "page should be full before the remote free");
  }

  /* Free everything from the other page, then retire: a page that is the
   * only one of its size is kept for a few slow paths, then freed. */
  void *solo = sa_malloc(3000);
  page_t *sp = page_for(solo);
  sa_free(solo);
  EXPECT(sp->retire_expire > 0, "an emptied lone page is retired, not freed at once");
  sa_stats_t st0, st1;
  sa_stats_get(&st0);
  for (int i = 0; i < 40; i++) sa_free(sa_malloc(200 * 1024)); /* slow paths count the retirement down */
  sa_stats_get(&st1);
  EXPECT(st1.pages_retired > st0.pages_retired, "the retired page should eventually be freed");
  EXPECT(check_heap(heap) == 0, "heap invariants");
  UNIT_DONE("unit_page_lifecycle");
}
