/* A padded medium size whose own pages are all full takes a free block of
 * a page of a class at most BORROW_BINS (4) bins larger before it makes a
 * page (page_borrow_larger), if that page is at least 3/4 used: the block
 * lives in the larger page, reports its size and goes back to it. Sparse
 * pages lend nothing (left alone they empty and their span goes back),
 * nor do pages five bins up, nor fresh memory a larger page has not
 * threaded yet; unpadded sizes never borrow (aligned allocation counts on
 * their blocks being multiples of their size). */
#include <stdint.h>

#include "internal.h"
#include "unit_test.h"

enum { MAX_BLOCKS = 64 };

static page_t *page_holding(void *p) { return page_of(segment_of(p), p); }

/* Blocks of one size, all on one page. */
typedef struct blocks_s {
  void *b[MAX_BLOCKS];
  size_t n;
} blocks_t;

/* Takes blocks of `size` until the page of the first has handed out all
 * it can hold. */
static void fill_one_page(size_t size, blocks_t *bl) {
  bl->n = 0;
  bl->b[bl->n++] = sa_malloc(size);
  page_t *page = page_holding(bl->b[0]);
  while ((page->capacity < page->reserved || page->free != NULL) && bl->n < MAX_BLOCKS)
    bl->b[bl->n++] = sa_malloc(size);
  EXPECT(bl->n < MAX_BLOCKS && page->free == NULL && page->capacity == page->reserved,
         "the page of %zu is full after %zu blocks", size, bl->n);
}

/* A full page of `size` that gets `gaps` blocks back (its last ones):
 * returns the first block given back. */
static void *page_with_gaps(size_t size, blocks_t *bl, size_t gaps) {
  fill_one_page(size, bl);
  for (size_t i = 0; i < gaps; i++) sa_free(bl->b[--bl->n]);
  return bl->b[bl->n];
}

static void free_all(blocks_t *bl) {
  while (bl->n > 0) sa_free(bl->b[--bl->n]);
}

/* With a full page of `small` (made first: a size with no page of its own
 * borrows too) and a page of `large` with `gaps` free blocks, the block
 * one more malloc of `small` gives. */
static void *one_past_a_full_page(size_t small, blocks_t *own, size_t large, blocks_t *donor, size_t gaps,
                                  void **freed) {
  fill_one_page(small, own);
  *freed = page_with_gaps(large, donor, gaps);
  return sa_malloc(small);
}

/* 32 KiB takes a free block of a 36 KiB page, the next larger class; the
 * block keeps its size and goes back to its page. */
static void borrows_the_next_class(void) {
  size_t small = 32 * 1024, large = 36 * 1024;
  blocks_t own, donor;
  void *freed, *p = one_past_a_full_page(small, &own, large, &donor, 1, &freed);
  EXPECT(p == freed, "the free 36 KiB block serves 32 KiB: %p, freed %p", p, freed);
  page_t *large_page = page_holding(p);
  EXPECT(large_page->bin == bin_of(large) && sa_usable_size(p) == large_page->block_size &&
             sa_usable_size(p) >= large,
         "it lives in the 36 KiB page and keeps its size: %zu", sa_usable_size(p));
  uint32_t live = page_live(large_page);
  sa_free(p);
  EXPECT(page_live(large_page) == live - 1 && large_page->free == p, "freed, it goes back to its page");
  EXPECT(check_heap(sa_heap_tls) == 0, "the heap checks");
  /* With nothing free above, the next block makes a page of its own size. */
  void *q = sa_malloc(large); /* takes the free 36 KiB block back */
  void *r = sa_malloc(small);
  EXPECT(q == freed && page_holding(r)->bin == bin_of(small) && page_holding(r) != page_holding(own.b[0]),
         "nothing to borrow: a new 32 KiB page");
  sa_free(q);
  sa_free(r);
  free_all(&donor);
  free_all(&own);
}

/* Four bins up is the farthest: 72 KiB lends to 52 KiB (56, 60, 64, 72);
 * 128 KiB, five bins above 88 KiB (96, 104, 112, 120, 128), does not. */
static void borrows_at_most_four_bins_up(void) {
  EXPECT(bin_of(72 * 1024) == bin_of(52 * 1024) + 4 && bin_of(128 * 1024) == bin_of(88 * 1024) + 5,
         "the bins are where the test counts them");
  blocks_t own, donor;
  void *freed, *p = one_past_a_full_page(52 * 1024, &own, 72 * 1024, &donor, 1, &freed);
  EXPECT(p == freed, "72 KiB lends its free block to 52 KiB: %p, freed %p", p, freed);
  sa_free(p);
  free_all(&donor);
  free_all(&own);

  p = one_past_a_full_page(88 * 1024, &own, 128 * 1024, &donor, 1, &freed);
  EXPECT(p != freed && page_holding(p)->bin == bin_of(88 * 1024), "128 KiB is too far to borrow from for 88 KiB");
  sa_free(p);
  free_all(&donor);
  free_all(&own);
}

/* A larger page less than 3/4 used lends nothing; one block more and it
 * does. */
static void sparse_pages_do_not_lend(void) {
  size_t small = 40 * 1024, large = 44 * 1024;
  blocks_t own, donor;
  fill_one_page(large, &donor);
  uint32_t reserved = page_holding(donor.b[0])->reserved;
  uint32_t sparse = (3 * reserved + 3) / 4 - 1; /* the most live blocks under 3/4 */
  free_all(&donor);
  void *freed, *p = one_past_a_full_page(small, &own, large, &donor, reserved - sparse, &freed);
  page_t *large_page = page_holding(freed);
  EXPECT(page_live(large_page) == sparse, "the 44 KiB page holds %u of %u", page_live(large_page), reserved);
  EXPECT(page_holding(p) != large_page && page_holding(p)->bin == bin_of(small), "a sparse page lends nothing");
  void *back = sa_malloc(large);
  EXPECT(page_holding(back) == large_page && page_live(large_page) * 4 >= reserved * 3,
         "the 44 KiB page is 3/4 used now: %u of %u", page_live(large_page), reserved);
  blocks_t more;
  fill_one_page(small, &more); /* p's page, the bin's head: full again */
  EXPECT(page_holding(more.b[0]) == page_holding(p), "the second 40 KiB page filled");
  void *q = sa_malloc(small);
  EXPECT(page_holding(q) == large_page, "a page 3/4 used lends");
  sa_free(q);
  sa_free(back);
  sa_free(p);
  free_all(&more);
  free_all(&donor);
  free_all(&own);
}

/* An unpadded medium size (9 KiB, not a multiple of 4 KiB) makes its own
 * page, though the 10 KiB page above has a free block. */
static void unpadded_sizes_do_not_borrow(void) {
  blocks_t own, donor;
  void *freed, *p = one_past_a_full_page(9 * 1024, &own, 10 * 1024, &donor, 1, &freed);
  EXPECT(p != freed && page_holding(p)->bin == bin_of(9 * 1024), "9 KiB keeps to its own pages");
  sa_free(p);
  free_all(&donor);
  free_all(&own);
}

/* A larger page with no block given back but room still unthreaded lends
 * nothing: its fresh memory stays for its own class. */
static void fresh_memory_is_not_lent(void) {
  blocks_t own;
  fill_one_page(20 * 1024, &own);
  void *keep = sa_malloc(24 * 1024);
  page_t *large_page = page_holding(keep);
  EXPECT(large_page->free == NULL && large_page->capacity == 1 && large_page->reserved > 1,
         "the 24 KiB page has unthreaded room only");
  void *p = sa_malloc(20 * 1024);
  EXPECT(page_holding(p) != large_page && page_holding(p) != page_holding(own.b[0]) &&
             page_holding(p)->bin == bin_of(20 * 1024),
         "no block of the 24 KiB page is threaded for 20 KiB: a new page");
  EXPECT(large_page->capacity == 1, "the 24 KiB page still holds one threaded block");
  sa_free(p);
  sa_free(keep);
  free_all(&own);
}

int main(void) {
  borrows_the_next_class();
  borrows_at_most_four_bins_up();
  sparse_pages_do_not_lend();
  unpadded_sizes_do_not_borrow();
  fresh_memory_is_not_lent();
  EXPECT(check_heap(sa_heap_tls) == 0, "the heap checks at the end");
  UNIT_DONE("unit_borrow");
}
