/* A page's life: extend as blocks are taken, move to the full queue when
 * exhausted, come back on a free, retire when empty and be freed after the
 * countdown; remote frees into a full page reach the owner. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "unit_remote.h"
#include "unit_test.h"

#define BS 256

static page_t *page_for(void *p) { return page_of(segment_of(p), p); }

static void *free_remote_thread(void *arg) {
  sa_free(arg);
  return NULL;
}

static size_t list_length(const block_t *b) {
  size_t n = 0;
  for (; b != NULL; b = b->next) n++;
  return n;
}

/* Remote frees count themselves in thread_free's top bits, and a collect
 * takes them by that count: the list becomes local_free (no walk), and
 * only a second batch, while both free and local_free hold blocks, is
 * spliced. */
static void remote_frees_are_counted(heap_t *heap) {
  enum { N = 12 };
  void *b[N];
  for (int i = 0; i < N; i++) b[i] = sa_malloc(64); /* 64 blocks per extension: some stay on free */
  page_t *page = page_for(b[0]);
  EXPECT(page_for(b[N - 1]) == page && page->free != NULL, "one page, with blocks still on free");
  unit_free_remotely(b, 0, 6);
  uintptr_t tf = atomic_load(&page->thread_free);
  EXPECT(tf_count(tf) == 6 && list_length(tf_block(tf)) == 6, "thread_free counts its 6 blocks: %u",
         tf_count(tf));
  EXPECT(check_page_lists(page) == 0, "the lists agree with the count");
  size_t on_free = list_length(page->free);
  spin_lock(&heap->lock);
  page_collect(page);
  spin_unlock(&heap->lock);
  EXPECT(tf_count(atomic_load(&page->thread_free)) == 0 && page_live(page) == N - 6, "collected: live %u",
         page_live(page));
  EXPECT(list_length(page->local_free) == 6 && list_length(page->free) == on_free,
         "the remote list became local_free whole");
  unit_free_remotely(b, 6, 9);
  spin_lock(&heap->lock);
  page_collect(page);
  spin_unlock(&heap->lock);
  EXPECT(list_length(page->local_free) == 9 && page_live(page) == N - 9 && check_page_lists(page) == 0,
         "a second batch is spliced before the first: %zu on local_free", list_length(page->local_free));
  for (int i = 9; i < N; i++) sa_free(b[i]);
}

/* An owner's free into a full page, while the head of the bin's queue is
 * drained: the two trade places (page_unfull_on_free), and the drained head
 * is a full page like any other, remote frees into it announced. */
static void full_page_swaps_with_drained_head(heap_t *heap) {
  enum { SZ = 8192, PER_PAGE = SLICE_SIZE / SZ };
  void *b[3 * PER_PAGE];
  for (int i = 0; i < 3 * PER_PAGE; i++) b[i] = sa_malloc(SZ);
  page_t *p1 = page_for(b[0]), *p2 = page_for(b[PER_PAGE]), *p3 = page_for(b[2 * PER_PAGE]);
  page_queue_t *q = &heap->pages[p1->bin];
  EXPECT(p1 != p2 && p2 != p3 && p1->flags.x.in_full && p2->flags.x.in_full && q->first == p3 &&
             page_live(p3) == PER_PAGE && p3->free == NULL,
         "two full pages and a drained head");
  /* A pinned head is not swapped: the freed page joins it in the queue. */
  EXPECT(p3->pinned, "the lone page of the bin is pinned");
  sa_free(b[0]);
  EXPECT(q->first == p1 && !p1->flags.x.in_full && p1->next == p3 && !p3->pinned && check_heap(heap) == 0,
         "the page that got the block serves next: head %p", (void *)q->first);
  EXPECT(sa_malloc(SZ) == b[0], "the freed block is reused");
  /* p1 is drained now: a free into full p2 trades the two. */
  sa_free(b[PER_PAGE + 1]);
  EXPECT(q->first == p2 && !p2->flags.x.in_full && p2->next == p3, "p2 took p1's place at the head");
  EXPECT(p1->flags.x.in_full && heap->pages[BIN_FULL].first == p1 && p1->next == NULL && p1->prev == NULL,
         "p1 took p2's place in the full queue");
  EXPECT((atomic_load(&p1->thread_free) & TF_STATE_MASK) == DELAYED_USE && check_heap(heap) == 0,
         "remote frees into p1 announce themselves");
  pthread_t t;
  pthread_create(&t, NULL, free_remote_thread, b[1]);
  pthread_join(t, NULL);
  EXPECT(atomic_load(&heap->thread_delayed_free) == (block_t *)b[1], "the remote free went to the delayed list");
  EXPECT(sa_malloc(SZ) == b[PER_PAGE + 1], "p2's freed block serves first");
  void *next = sa_malloc(SZ); /* p2 drained: the slow path drains the delayed list */
  EXPECT(next == b[1] && check_heap(heap) == 0, "then p1's remotely freed block: %p", next);
  for (int i = 0; i < 3 * PER_PAGE; i++) sa_free(b[i]);
  EXPECT(check_heap(heap) == 0, "heap invariants after freeing all");
}

/* The tail of a bin's queue, every block freed by another thread, is freed
 * by the next slow path of its bin, though another page serves
 * (page_queue_free_empty_tail). */
static void empty_tail_page_is_freed(heap_t *heap) {
  enum { SZ = 8192, PER_PAGE = SLICE_SIZE / SZ };
  void *b[3 * PER_PAGE];
  for (int i = 0; i < 3 * PER_PAGE; i++) b[i] = sa_malloc(SZ);
  page_t *p1 = page_for(b[0]), *p3 = page_for(b[2 * PER_PAGE]);
  page_queue_t *q = &heap->pages[p1->bin];
  sa_free(b[0]); /* p1 comes back to the queue, in front of p3 */
  EXPECT(q->first == p1 && q->last == p3, "p1 serves, p3 waits at the tail");
  b[0] = sa_malloc(SZ); /* p1 drained again */
  unit_free_remotely(b, 2 * PER_PAGE, 3 * PER_PAGE); /* every block of p3 */
  unit_free_remotely(b, 1, 3); /* two of p1: its next slow path finds them */
  EXPECT(q->last == p3 && page_live(p3) == PER_PAGE, "p3's blocks wait on its thread_free: live %u",
         page_live(p3));
  sa_stats_t before, after;
  sa_stats_get(&before);
  void *again = sa_malloc(SZ);
  sa_stats_get(&after);
  EXPECT(page_for(again) == p1, "p1 serves the next block");
  EXPECT(after.pages_small == before.pages_small - 1 && q->last != p3 && check_heap(heap) == 0,
         "p3 was collected and freed: pages %lld -> %lld", (long long)before.pages_small,
         (long long)after.pages_small);
  sa_free(again);
  for (int i = 0; i < 2 * PER_PAGE; i++)
    if (i < 1 || i >= 3) sa_free(b[i]);
  EXPECT(check_heap(heap) == 0, "heap invariants after freeing all");
}

/* A freed large page of up to 1 MiB waits in the heap's kept pages for the
 * next large malloc of its page size (page_large_keep); at most
 * LARGE_KEPT_MAX of them, given back when slow paths stop taking them. */
static void large_pages_are_kept(heap_t *heap) {
  enum { SZ = 5 * SLICE_SIZE - 100 }; /* over MEDIUM_BLOCK_MAX: a large page of 5 slices */
  void *a = sa_malloc(SZ);
  page_t *pa = page_for(a);
  sa_stats_t st0, st1;
  sa_stats_get(&st0);
  sa_free(a);
  sa_stats_get(&st1);
  EXPECT(heap->large_kept_count == 1 && heap->large_kept[0] == pa && st1.pages_retired == st0.pages_retired,
         "the emptied large page is kept, not retired: %u kept", heap->large_kept_count);
  EXPECT(check_heap(heap) == 0, "a kept page is out of the queues and the bin's count");
  void *b = sa_malloc(SZ);
  EXPECT(b == a && heap->large_kept_count == 0 && check_heap(heap) == 0, "a malloc of its page size takes it back");
  memset(b, 0xab, SZ);
  sa_free(b);
  unsigned char *z = sa_calloc(1, SZ);
  size_t nonzero = 0;
  for (size_t i = 0; i < SZ; i++) nonzero += z[i] != 0;
  EXPECT((void *)z == a && nonzero == 0, "calloc on a kept page zeroes it: %zu bytes not zero", nonzero);
  sa_free(z);
  void *other = sa_malloc(7 * SLICE_SIZE - 100);
  EXPECT(other != a && heap->large_kept_count == 1, "another page size is not served by it");
  sa_free(other);
  void *m[LARGE_KEPT_MAX + 1];
  for (int i = 0; i <= LARGE_KEPT_MAX; i++) m[i] = sa_malloc(SZ);
  EXPECT(m[0] == a && heap->large_kept_count == 1, "the 5-slice kept page served the first of them");
  for (int i = 0; i <= LARGE_KEPT_MAX; i++) sa_free(m[i]);
  EXPECT(heap->large_kept_count == LARGE_KEPT_MAX && heap->large_kept[0] == page_for(m[1]) &&
             heap->large_kept[LARGE_KEPT_MAX - 1] == page_for(m[LARGE_KEPT_MAX]) && check_heap(heap) == 0,
         "at most %d kept, the oldest given back first", LARGE_KEPT_MAX);
  void *big = sa_malloc((LARGE_KEPT_SLICES + 1) * SLICE_SIZE);
  page_t *pbig = page_for(big);
  sa_free(big);
  EXPECT(heap->large_kept[LARGE_KEPT_MAX - 1] != pbig, "a page above %d slices is not kept", LARGE_KEPT_SLICES);
  for (int i = 0; i < 32 && heap->large_kept_count > 0; i++) sa_free(sa_malloc(2 * LARGE_KEPT_SLICES * SLICE_SIZE));
  EXPECT(heap->large_kept_count == 0 && check_heap(heap) == 0, "slow paths that take none give them back");
}

/* A large block starts on its page (64 KiB), even one taken back from the
 * kept pages after an aligned block had it; an aligned block inside a
 * large page (has_aligned) grows in place like any other. */
static void large_blocks_start_on_their_page(heap_t *heap) {
  enum { SZ = 300 * 1024 }; /* over MEDIUM_BLOCK_MAX */
  void *b = sa_malloc(SZ);
  EXPECT(page_for(b)->page_start == b && ((uintptr_t)b & (SLICE_SIZE - 1)) == 0, "a large block on its page: %p", b);
  void *a4k = sa_aligned_alloc(4096, SZ), *a64k = sa_aligned_alloc(SLICE_SIZE, 300 * 1024);
  EXPECT(((uintptr_t)a4k & 4095) == 0 && ((uintptr_t)a64k & (SLICE_SIZE - 1)) == 0, "aligned large blocks: %p %p",
         a4k, a64k);
  sa_free(a4k);
  sa_free(a64k);
  page_large_kept_release(heap);
  /* Padded to 9 slices (GS + 128 KiB): the block starts 64 KiB into its
   * page on every other slice position; the second try (right after the
   * first, an odd number of slices on) is then the one. 9 slices fit none
   * of the holes the blocks above left, so the page comes from the free
   * tail, with free slices after it. */
  enum { GS = 400 * 1024, GROWN = 700 * 1024 };
  uint8_t *g = sa_aligned_alloc(2 * SLICE_SIZE, GS);
  if (g == page_for(g)->page_start) {
    uint8_t *first = g;
    g = sa_aligned_alloc(2 * SLICE_SIZE, GS);
    sa_free(first);
  }
  size_t offset = (size_t)(g - page_for(g)->page_start);
  EXPECT(offset == SLICE_SIZE && page_for(g)->flags.x.has_aligned, "an aligned block inside its page: %zu bytes in",
         offset);
  memset(g, 0x3c, GS);
  uint8_t *g2 = sa_realloc(g, GROWN); /* past its usable 512 KiB */
  size_t intact = 0;
  for (size_t i = 0; i < GS; i++) intact += g2[i] == 0x3c;
  EXPECT(g2 == g && intact == GS && sa_usable_size(g2) >= GROWN,
         "an aligned block %zu bytes into its page grows in place: moved %d, %zu bytes intact", offset, g2 != g,
         intact);
  sa_free(g2);
  void *again = sa_malloc(SZ);
  EXPECT(page_for(again)->page_start == again && !page_for(again)->flags.x.has_aligned,
         "a kept page reused for a plain block forgets has_aligned");
  sa_free(again);
  sa_free(b);
  EXPECT(check_heap(heap) == 0, "heap invariants");
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
  EXPECT(page->pinned && page_live(page) == page->reserved, "the lone page is pinned; live %u", page_live(page));

  /* One more: the exhausted page goes to the full queue. */
  void *other = sa_malloc(BS);
  EXPECT(page_for(other) != page, "new block must come from a new page");
  EXPECT(page->flags.x.in_full, "exhausted page should be in the full queue");
  EXPECT(!page->pinned && page->used == page->reserved, "a full page is not pinned: used %u", page->used);
  EXPECT(page_for(other)->pinned, "the new page is the lone page of its bin");
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
  uint32_t used = page_live(page);
  pthread_t t;
  blocks[2] = sa_malloc(BS); /* make sure the page has been seen exhausted */
  if (page->flags.x.in_full) {
    pthread_create(&t, NULL, free_remote_thread, victim);
    pthread_join(t, NULL);
    EXPECT(atomic_load(&heap->thread_delayed_free) != NULL, "remote free into a full page should use the delayed list");
    sa_free(sa_malloc(100 * 1024)); /* a slow path drains it */
    EXPECT(page_live(page) == used - 1, "owner should have taken the remote free: used %u, was %u", page_live(page),
           used);
    EXPECT(!page->flags.x.in_full, "the page should be back in its size queue");
  } else {
    EXPECT(0, "page should be full before the remote free");
  }

  remote_frees_are_counted(heap);
  full_page_swaps_with_drained_head(heap);
  empty_tail_page_is_freed(heap);
  large_pages_are_kept(heap);
  large_blocks_start_on_their_page(heap);

  /* A page that empties while others of its size remain goes at once; the
   * lone page of a size is pinned (its fast-path free never sees used
   * reach zero), kept for a few slow paths, then freed. */
  void *solo = sa_malloc(3000);
  page_t *sp = page_for(solo);
  EXPECT(sp->pinned && sp->used == 2, "a lone page is pinned: used %u = one block + the pin", sp->used);
  sa_free(solo);
  EXPECT(sp->pinned && page_live(sp) == 0 && sp->used == 1, "an emptied lone page stays: used %u", sp->used);
  EXPECT(heap->pages[sp->bin].first == sp && check_heap(heap) == 0, "still the head of its queue");
  EXPECT(sa_malloc(3000) == solo, "the kept page serves the next malloc of its size");
  sa_free(solo);
  sa_stats_t st0, st1;
  sa_stats_get(&st0);
  page_expire_pinned(heap, false);
  EXPECT(sp->retire_expire > 0, "the first look at an empty pinned page starts its countdown");
  sa_stats_get(&st1);
  EXPECT(st1.pages_retired == st0.pages_retired, "not freed on the first look");
  int ticks = 1;
  while (heap->pages[bin_of(3000)].first == sp && ticks < 100) {
    page_expire_pinned(heap, false); /* what each fresh-page slow path does */
    ticks++;
  }
  sa_stats_get(&st1);
  EXPECT(ticks == 17 && st1.pages_retired > st0.pages_retired && heap->pages[bin_of(3000)].first == NULL,
         "the emptied lone page is freed on the 17th look: %d looks, %lld pages retired", ticks,
         (long long)(st1.pages_retired - st0.pages_retired));

  /* Two pages of one size: neither is pinned, and the one that empties is
   * freed at once. The other, lone again, is pinned when a slow path picks
   * it at most half used, or when it empties. */
  enum { PER_PAGE = SLICE_SIZE / 2048 };
  void *two[PER_PAGE + 1];
  for (int i = 0; i <= PER_PAGE; i++) two[i] = sa_malloc(2048);
  page_t *p1 = page_for(two[0]), *p2 = page_for(two[PER_PAGE]);
  EXPECT(p1 != p2 && p1->flags.x.in_full && !p1->pinned && p2->pinned,
         "the full page left the bin's queue: the second page is lone there");
  sa_free(two[0]); /* p1 back from full: two pages in the bin's queue */
  EXPECT(!p1->pinned && !p2->pinned && check_heap(heap) == 0, "no pin while two pages share a queue");
  sa_stats_get(&st0);
  sa_free(two[PER_PAGE]);
  sa_stats_get(&st1);
  EXPECT(st1.pages_retired == st0.pages_retired + 1, "an emptied page that is not lone is freed at once");
  EXPECT(!p1->pinned && heap->pages[p1->bin].first == p1 && check_heap(heap) == 0,
         "the remaining page is lone, not pinned: it came back from full");
  for (int i = 1; i < PER_PAGE; i++) sa_free(two[i]);
  EXPECT(heap->pages[bin_of(2048)].first == p1 && p1->pinned && page_live(p1) == 0 && check_heap(heap) == 0,
         "an unpinned lone page is pinned, not freed, when it empties");
  EXPECT(p1->retire_expire == 16, "its countdown starts with the free that emptied it: %u", p1->retire_expire);
  EXPECT(sa_malloc(2048) == two[PER_PAGE - 1], "and serves the next malloc of its size");
  sa_free(two[PER_PAGE - 1]);
  void *again = sa_malloc(4000);
  page_t *p3 = page_for(again);
  EXPECT(p3->pinned && page_live(p3) == 1, "a fresh lone page is pinned");
  sa_free(again);
  EXPECT(heap->pages[bin_of(4000)].first == p3 && page_live(p3) == 0, "and kept when it empties");
  sa_collect(true);
  EXPECT(heap->pages[bin_of(2048)].first == NULL && heap->pages[bin_of(4000)].first == NULL,
         "a forced collect frees empty pinned pages");
  EXPECT(check_heap(heap) == 0, "heap invariants");
  UNIT_DONE("unit_page_lifecycle");
}
