/* SEGALLOC_POPULATE: once the process has committed that many MiB, a page
 * of fresh memory is populated ahead of the blocks page_extend threads, up
 * to the next 16 KiB boundary, in one MADV_POPULATE_WRITE call, instead of
 * faulting in 4 KiB at a time as its blocks are first touched. Never more
 * than a chunk ahead of the threaded blocks, and never past the last
 * block. Where the kernel lacks MADV_POPULATE_WRITE nothing is populated,
 * and the test checks only that. */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "internal.h"
#include "unit_test.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define CHUNK ((size_t)16 * 1024)

static bool kernel_populates(void) {
  void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  bool ok = madvise(p, 65536, MADV_POPULATE_WRITE) == 0;
  munmap(p, 65536);
  return ok;
}

static page_t *page_holding(void *p) { return page_of(segment_of(p), p); }

/* Bytes resident in the page's span up to the end of its last block. */
static size_t page_resident(const page_t *page) {
  const uint8_t *span = slice_start(segment_of_slice(page), page);
  size_t end = size_align_up((size_t)(page->page_start - span) + (size_t)page->reserved * page->block_size, 4096);
  return os_resident_bytes(span, end);
}

/* Where population should have reached: the chunk boundary after the
 * threaded blocks, or the last block's OS page. */
static size_t expected_resident(const page_t *page) {
  uintptr_t start = (uintptr_t)page->page_start;
  uintptr_t limit = size_align_up(start + (size_t)page->reserved * page->block_size, 4096);
  uintptr_t to = size_align_up(start + (size_t)page->capacity * page->block_size, CHUNK);
  if (to > limit) to = limit;
  return to - (start & ~(uintptr_t)4095);
}

int main(void) {
  sa_option_set(SA_OPTION_BACKGROUND, 0);
  bool populates = kernel_populates();
  if (!populates) printf("unit_populate: this kernel lacks MADV_POPULATE_WRITE: checking that nothing is populated\n");

  /* Off: a fresh page holds only what threading its first block touched. */
  sa_option_set(SA_OPTION_POPULATE, -1);
  page_t *off = page_holding(sa_malloc(6000));
  EXPECT(off->is_zero && page_resident(off) == 4096, "off: %zu bytes resident", page_resident(off));

  /* A threshold above what is committed: the same. */
  sa_option_set(SA_OPTION_POPULATE, 1 << 20);
  page_t *under = page_holding(sa_malloc(5000));
  EXPECT(page_resident(under) == 4096, "under the threshold: %zu bytes resident", page_resident(under));

  /* Threshold 0: populated up to the chunk after the threaded blocks, and
   * following them as more are threaded, never past the last one. */
  sa_option_set(SA_OPTION_POPULATE, 0);
  enum { MEDIUM = 40 * 1024, MAX_BLOCKS = 64 };
  static const size_t sizes[] = {3000, MEDIUM};
  for (int k = 0; k < 2; k++) {
    void *blocks[MAX_BLOCKS];
    blocks[0] = sa_malloc(sizes[k]);
    page_t *page = page_holding(blocks[0]);
    int n = 1;
    bool followed = true;
    while (n < MAX_BLOCKS && page->capacity < page->reserved) {
      size_t want = populates ? expected_resident(page) : 4096 * (size_t)page->capacity;
      size_t got = page_resident(page);
      if (populates ? got != want : got > want) {
        EXPECT(false, "%zu-byte blocks, %u threaded: %zu bytes resident, expected %zu", sizes[k], page->capacity, got,
               want);
        followed = false;
        break;
      }
      blocks[n++] = sa_malloc(sizes[k]);
    }
    EXPECT(followed && page->is_zero, "%zu-byte blocks: population followed %d blocks", sizes[k], n);
    for (int i = 0; i < n; i++) sa_free(blocks[i]);
  }
  EXPECT(check_heap(sa_heap_tls) == 0, "heap invariants");
  UNIT_DONE("unit_populate");
}
