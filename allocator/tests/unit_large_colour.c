/* Blocks of a MiB and more start at rotating offsets inside their page
 * (malloc_large_colour), so that a program's big buffers do not share cache
 * sets; everything a block promises still holds at any offset: alignment,
 * usable size, calloc's zeroes, realloc in place, free, and aligned_alloc,
 * which must not be coloured. Smaller large blocks start on their page. */
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "unit_test.h"

#define BIG (((size_t)1 << 20) + 208) /* xz's 1 MiB buffer plus a header */
#define N 8

static size_t offset_in_slice(const void *p) { return (uintptr_t)p & (SLICE_SIZE - 1); }

static void check_big_blocks(void) {
  void *b[N];
  size_t distinct = 0;
  for (int i = 0; i < N; i++) {
    b[i] = sa_malloc(BIG);
    EXPECT(b[i] != NULL && (uintptr_t)b[i] % 16 == 0, "block %d is 16-byte aligned (%p)", i, b[i]);
    EXPECT(sa_usable_size(b[i]) >= BIG, "block %d has its bytes (usable %zu)", i, sa_usable_size(b[i]));
    memset(b[i], 0xa5, BIG);
    bool seen = false;
    for (int j = 0; j < i; j++) seen |= offset_in_slice(b[j]) == offset_in_slice(b[i]);
    distinct += !seen;
  }
  EXPECT(distinct >= N / 2, "big blocks start at varied offsets: %zu distinct of %d", distinct, N);
  EXPECT(check_heap(sa_heap_tls) == 0, "heap invariants with coloured blocks");
  /* realloc keeps the data whether it grows in place or moves */
  uint8_t *g = sa_realloc(b[0], 3 * BIG);
  EXPECT(g != NULL && g[0] == 0xa5 && g[BIG - 1] == 0xa5, "realloc kept the data");
  EXPECT(sa_usable_size(g) >= 3 * BIG, "realloc's block has its bytes (usable %zu)", sa_usable_size(g));
  b[0] = g;
  for (int i = 0; i < N; i++) sa_free(b[i]);
  EXPECT(check_heap(sa_heap_tls) == 0, "heap invariants after the frees");
}

static void check_calloc_zeroes(void) {
  /* the slices are dirty from the blocks above */
  for (int i = 0; i < N; i++) {
    uint8_t *z = sa_calloc(1, BIG);
    size_t nonzero = 0;
    for (size_t k = 0; k < BIG; k++) nonzero += z[k] != 0;
    EXPECT(nonzero == 0, "calloc block %d (offset %zu) has %zu nonzero bytes", i, offset_in_slice(z), nonzero);
    sa_free(z);
  }
}

static void check_uncoloured(void) {
  for (int i = 0; i < N; i++) {
    void *a = sa_aligned_alloc(SLICE_SIZE, BIG);
    EXPECT(a != NULL && offset_in_slice(a) == 0, "aligned_alloc(64 KiB, 1 MiB) is aligned (%p)", a);
    void *m = sa_malloc(256 * 1024);
    EXPECT(m != NULL && offset_in_slice(m) == 0, "a 256 KiB block starts on its page (%p)", m);
    sa_free(a);
    sa_free(m);
  }
}

int main(void) {
  check_big_blocks();
  check_calloc_zeroes();
  check_uncoloured();
  UNIT_DONE("unit_large_colour");
}
