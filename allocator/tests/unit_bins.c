/* Every size from 1 B to 16 MiB maps to a bin whose block fits it, bins grow
 * monotonically, blocks are 16-byte multiples, and the waste is bounded:
 * under 16 B up to 128 B, at most 12.5% of the request above. Medium pages
 * of blocks up to 64 KiB take 8 or 16 slices, so that one freed serves
 * another of those sizes whole (page_slices). */
#include "internal.h"
#include "unit_test.h"

static void check_size(size_t n, size_t *prev_bin) {
  size_t bin = bin_of(n);
  size_t bs = bin_block_size(bin);
  EXPECT(bs >= n, "size %zu -> bin %zu of %zu bytes", n, bin, bs);
  EXPECT(bs % 16 == 0, "bin %zu block %zu not 16-aligned", bin, bs);
  EXPECT(bin >= *prev_bin, "bin went down at size %zu", n);
  if (n > 128) EXPECT((double)bs <= (double)n * 1.125, "size %zu wastes %zu in bin %zu", n, bs - n, bin);
  else EXPECT(bs - n < 16 || n == 0, "size %zu wastes %zu", n, bs - n);
  if (bin > 1) EXPECT(bin_block_size(bin - 1) < n, "size %zu would fit the smaller bin %zu", n, bin - 1);
  *prev_bin = bin;
}

/* page_block_start's multiply finds the block of every byte of a page as
 * exactly as a division, for each class's stride over the largest page
 * (4 MiB): probed at both ends of every block. */
static void check_block_start(size_t stride) {
  page_t page = {0};
  page.kind = PAGE_MEDIUM;
  page.page_start = (uint8_t *)(uintptr_t)0x100000000;
  page.block_size = stride;
  page.block_magic = page_magic_of(stride);
  size_t bad = 0;
  for (size_t start = 0; start + stride <= ((size_t)4 << 20); start += stride) {
    uint8_t *first = page.page_start + start, *last = first + stride - 1;
    bad += (uint8_t *)page_block_start(&page, first) != first;
    bad += (uint8_t *)page_block_start(&page, last) != first;
  }
  EXPECT(bad == 0, "stride %zu: %zu offsets map to the wrong block", stride, bad);
}

static void check_medium_page_slices(void) {
  for (size_t bin = bin_of(SMALL_BLOCK_MAX + 1); bin_block_size(bin) <= 64 * 1024; bin++) {
    void *p = sa_malloc(bin_block_size(bin));
    const page_t *page = page_of(segment_of(p), p);
    EXPECT(page->slice_count == 8 || page->slice_count == 16, "a page of %zu-byte blocks takes %u slices",
           (size_t)bin_block_size(bin), page->slice_count);
    sa_free(p);
  }
}

/* Above 128 KiB a page holds the fewest blocks, one to four, that fill
 * its slices exactly, with no padding: 144 KiB four to 9 slices, 160 KiB
 * two to 5, 192 KiB one to 3. */
static void check_exact_medium_pages(void) {
  static const size_t expect[][3] = {{144, 4, 9}, {160, 2, 5}, {176, 4, 11}, {192, 1, 3},
                                     {208, 4, 13}, {224, 2, 7}, {240, 4, 15}, {256, 1, 4}};
  for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
    size_t size = expect[i][0] * 1024;
    void *p = sa_malloc(size - 1000);
    const page_t *page = page_of(segment_of(p), p);
    EXPECT(page->kind == PAGE_MEDIUM && page->block_size == size && page->reserved == expect[i][1] &&
               page->slice_count == expect[i][2] && (size_t)page->reserved * size == (size_t)page->slice_count << SLICE_SHIFT,
           "%zu KiB: %u blocks of %zu in %u slices", expect[i][0], page->reserved, (size_t)page->block_size,
           page->slice_count);
    sa_free(p);
  }
  void *big = sa_malloc(256 * 1024 + 1);
  EXPECT(page_of(segment_of(big), big)->kind == PAGE_LARGE, "one byte over 256 KiB is a large block");
  sa_free(big);
}

int main(void) {
  for (size_t bin = 1; bin <= BIN_MEDIUM_LAST; bin++) check_block_start(page_stride(bin_block_size(bin)));
  size_t prev = 0;
  for (size_t n = 1; n <= ((size_t)1 << 20); n++) check_size(n, &prev);
  for (size_t n = ((size_t)1 << 20) + 1; n <= ((size_t)16 << 20); n += 4093) check_size(n, &prev);
  check_size((size_t)16 << 20, &prev);
  EXPECT(bin_of(256 * 1024) == BIN_MEDIUM_LAST, "256 KiB is bin %zu", bin_of(256 * 1024));
  EXPECT(bin_block_size(bin_of(64 * 1024)) == 64 * 1024, "64 KiB has a bin of its own");
  EXPECT(bin_of((size_t)16 << 20) == BIN_MAX, "16 MiB is bin %zu", bin_of((size_t)16 << 20));
  EXPECT(bin_block_size(BIN_MEDIUM_LAST) == MEDIUM_BLOCK_MAX, "last medium bin holds %zu",
         bin_block_size(BIN_MEDIUM_LAST));
  for (size_t n = 1; n <= SPAN_BINS * 16 && n <= SLICES_PER_SEGMENT; n++) {
    size_t b = span_bin(n);
    EXPECT(b >= 1 && b < SPAN_BINS, "span of %zu slices in bin %zu", n, b);
    if (n > 1) EXPECT(span_bin(n - 1) <= b, "span bins not monotonic at %zu", n);
  }
  check_medium_page_slices();
  check_exact_medium_pages();
  UNIT_DONE("unit_bins");
}
