/* SEGALLOC_POPULATE: once the process has committed that many MiB, a page
 * made of fresh memory is populated in one MADV_POPULATE_WRITE call up to
 * the end of its last block, instead of faulting in 4 KiB at a time as its
 * blocks are first touched. Small pages qualify at once; a medium page only
 * when its size class already has another page (a class with a single
 * block in use must not make a whole 512 KiB page resident). Where the
 * kernel lacks MADV_POPULATE_WRITE nothing is populated, and the test
 * checks only that. */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "internal.h"
#include "unit_test.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static bool kernel_populates(void) {
  void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  bool ok = madvise(p, 65536, MADV_POPULATE_WRITE) == 0;
  munmap(p, 65536);
  return ok;
}

static page_t *page_holding(void *p) { return page_of(segment_of(p), p); }

/* Bytes resident from the page's span start to the end of its last block. */
static size_t page_resident(const page_t *page, size_t *span_bytes) {
  segment_t *s = segment_of_slice(page);
  const uint8_t *span = slice_start(s, page);
  size_t end = size_align_up((size_t)(page->page_start - span) + (size_t)page->reserved * page->block_size, 4096);
  *span_bytes = end;
  return os_resident_bytes(span, end);
}

int main(void) {
  sa_option_set(SA_OPTION_BACKGROUND, 0);
  bool populates = kernel_populates();
  if (!populates) printf("unit_populate: this kernel lacks MADV_POPULATE_WRITE: checking that nothing is populated\n");
  size_t whole, got;

  /* Off: a fresh small page holds only what its first blocks touched. */
  sa_option_set(SA_OPTION_POPULATE, -1);
  void *a = sa_malloc(3000);
  page_t *pa = page_holding(a);
  got = page_resident(pa, &whole);
  EXPECT(pa->kind == PAGE_SMALL && got < whole, "off: %zu of %zu bytes resident", got, whole);

  /* A threshold above what is committed: the same. */
  sa_option_set(SA_OPTION_POPULATE, 1 << 20);
  void *b = sa_malloc(5000);
  got = page_resident(page_holding(b), &whole);
  EXPECT(got < whole, "under the threshold: %zu of %zu bytes resident", got, whole);

  /* Threshold 0: a fresh small page is resident whole at once. */
  sa_option_set(SA_OPTION_POPULATE, 0);
  void *c = sa_malloc(6000);
  got = page_resident(page_holding(c), &whole);
  if (populates) EXPECT(got == whole, "on: %zu of %zu bytes resident", got, whole);
  else EXPECT(got < whole, "no MADV_POPULATE_WRITE: %zu of %zu bytes resident", got, whole);

  /* Medium: the first page of a class stays lazy, the second is populated. */
  enum { MEDIUM = 40 * 1024, MAX_BLOCKS = 64 };
  void *m[MAX_BLOCKS];
  int n = 0;
  m[n++] = sa_malloc(MEDIUM);
  page_t *first = page_holding(m[0]);
  while (n < MAX_BLOCKS && page_holding(m[n - 1]) == first) m[n++] = sa_malloc(MEDIUM);
  page_t *second = page_holding(m[n - 1]);
  EXPECT(first->kind == PAGE_MEDIUM && second != first, "a second medium page after %d blocks", n);
  size_t whole2, got2;
  got = page_resident(first, &whole);
  got2 = page_resident(second, &whole2);
  /* Its blocks were never written: only their links (one 4 KiB page of
   * ten per block) are resident. */
  EXPECT(got < whole / 2, "first medium page not populated: %zu of %zu bytes", got, whole);
  if (populates) EXPECT(got2 == whole2, "second medium page populated: %zu of %zu bytes", got2, whole2);
  else EXPECT(got2 < whole2, "second medium page, nothing populated: %zu of %zu bytes", got2, whole2);

  EXPECT(check_heap(sa_heap_tls) == 0, "heap invariants");
  for (int i = 0; i < n; i++) sa_free(m[i]);
  sa_free(a);
  sa_free(b);
  sa_free(c);
  UNIT_DONE("unit_populate");
}
