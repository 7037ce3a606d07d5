/* Span split and coalesce, seen through large blocks (one page each, a span
 * of whole slices): after every step the checker walks the segment and
 * verifies every slice descriptor, and the free spans are exactly the
 * expected ones. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "unit_test.h"

#define KIB 1024
#define LS 5 /* slices of the large pages used here: blocks over MEDIUM_BLOCK_MAX (256 KiB) */

/* Free spans of the segment holding p, as (first index, length) pairs. */
static size_t free_spans(const void *p, size_t *first, size_t *len, size_t cap) {
  const segment_t *s = segment_of(p);
  size_t n = 0;
  for (size_t i = SEGMENT_HEADER_SLICES; i < s->slice_entries; i += s->slices[i].slice_count) {
    if (!s->slices[i].is_used && n < cap) {
      first[n] = i;
      len[n++] = s->slices[i].slice_count;
    }
    if (s->slices[i].slice_count == 0) break;
  }
  return n;
}

static void check(const char *step) {
  size_t errors = check_heap(heap_of_thread());
  EXPECT(errors == 0, "checker found %zu errors after %s", errors, step);
}

/* A freed large page would wait in the heap's kept pages (page_large_keep)
 * for the next large malloc: give it back to its segment at once. */
static void free_large(void *p) {
  sa_free(p);
  page_large_kept_release(heap_of_thread());
}

/* Whether the kernel backs every anonymous mapping with huge pages. */
static bool thp_always(void) {
  char buf[128] = "";
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f == NULL) return false;
  bool always = fgets(buf, sizeof buf, f) != NULL && strstr(buf, "[always]") != NULL;
  fclose(f);
  return always;
}

static size_t slice_index(const void *p) { return ((uintptr_t)p - (uintptr_t)segment_of(p)) >> SLICE_SHIFT; }

int main(void) {
  sa_option_set(SA_OPTION_PURGE_DELAY, 0);
  /* Five large blocks of LS slices each, carved one after the other. */
  void *b[5];
  for (int i = 0; i < 5; i++) {
    b[i] = sa_malloc(LS * 64 * KIB - 100);
    EXPECT(b[i] != NULL, "alloc %d", i);
    EXPECT(segment_of(b[i]) == segment_of(b[0]), "block %d in another segment", i);
  }
  check("allocating five large pages");
  /* The free tail span ends the segment, so its last descriptor is never
   * written (span_set): in this fresh segment the OS page of the last
   * descriptors stays untouched, not resident. Not where THP backs every
   * anonymous mapping ("always"): the header's first touch then brings in
   * a whole 2 MiB page, these descriptors with it. */
  if (!thp_always()) {
    const segment_t *seg = segment_of(b[0]);
    long os_page = sysconf(_SC_PAGESIZE);
    uintptr_t last_desc = (uintptr_t)&seg->slices[seg->slice_entries - 1] & ~(uintptr_t)(os_page - 1);
    unsigned char in_ram = 1;
    EXPECT(mincore((void *)last_desc, (size_t)os_page, &in_ram) == 0 && !(in_ram & 1),
           "the page of the segment's last descriptors is resident in a fresh segment");
  }
  for (int i = 1; i < 5; i++)
    EXPECT(slice_index(b[i]) == slice_index(b[i - 1]) + LS, "page %d not right after page %d (split)", i, i - 1);
  size_t first[16], len[16];
  size_t n = free_spans(b[0], first, len, 16);
  EXPECT(n == 1 && first[0] == slice_index(b[4]) + LS, "one free tail span expected, got %zu", n);
  size_t tail = len[0];

  free_large(b[1]);
  free_large(b[3]);
  check("freeing pages 1 and 3");
  n = free_spans(b[0], first, len, 16);
  EXPECT(n == 3, "three free spans expected, got %zu", n);
  EXPECT(len[0] == LS && len[1] == LS, "holes of %d slices expected: %zu, %zu", LS, len[0], len[1]);

  free_large(b[2]); /* coalesces with both neighbours */
  check("freeing page 2 between two free spans");
  n = free_spans(b[0], first, len, 16);
  EXPECT(n == 2 && len[0] == 3 * LS && first[0] == slice_index(b[0]) + LS, "one hole of three pages expected (n=%zu len=%zu)",
         n, len[0]);

  void *c = sa_malloc(LS * 64 * KIB - 100); /* first fit takes the hole, splits it */
  EXPECT(slice_index(c) == slice_index(b[0]) + LS, "first fit should reuse the hole");
  check("splitting the hole");
  n = free_spans(b[0], first, len, 16);
  EXPECT(n == 2 && len[0] == 2 * LS, "a remainder of two pages expected, got %zu", len[0]);

  free_large(b[4]); /* merges with the remainder on its left and the tail on its right */
  check("freeing the last page before the tail");
  n = free_spans(b[0], first, len, 16);
  EXPECT(n == 1 && len[0] == 3 * LS + tail, "one span of %zu slices expected, got %zu spans, first %zu", 3 * LS + tail,
         n, len[0]);

  free_large(c);
  free_large(b[0]);
  check("freeing everything");
  /* The heap keeps its last segment, emptied into one free span (a new
   * page needs one; segment_page_free says why). */
  sa_stats_t st;
  sa_stats_get(&st);
  EXPECT(st.segments == 1, "the heap's last segment stays mapped when it empties: %lld mapped", (long long)st.segments);
  n = free_spans(b[0], first, len, 16);
  EXPECT(n == 1 && first[0] == SEGMENT_HEADER_SLICES && len[0] == SLICES_PER_SEGMENT - SEGMENT_HEADER_SLICES,
         "an empty segment is one free span after its header: %zu spans, first at %zu, %zu slices", n, first[0], len[0]);
  sa_collect(true);
  sa_stats_get(&st);
  EXPECT(st.segments == 0 && st.segments_cached == 0,
         "a forced collect releases the kept segment too: %lld mapped, %lld cached", (long long)st.segments,
         (long long)st.segments_cached);

  /* realloc of a large block grows in place into the free span after it,
   * and moves (keeping its bytes) once a page sits there. */
  uint8_t *g = sa_malloc(LS * 64 * KIB);
  memset(g, 0x5a, LS * 64 * KIB);
  uint8_t *g2 = sa_realloc(g, (LS + 2) * 64 * KIB);
  EXPECT(g2 == g, "growing into the free tail should stay in place");
  EXPECT(page_of(segment_of(g2), g2)->slice_count == LS + 2, "the page should now have %d slices", LS + 2);
  EXPECT(sa_usable_size(g2) == (LS + 2) * 64 * KIB, "usable size after growth: %zu", sa_usable_size(g2));
  check("growing a large page in place");
  void *blocker = sa_malloc(LS * 64 * KIB - 100); /* takes the slices right after g */
  EXPECT(slice_index(blocker) == slice_index(g2) + LS + 2, "the next page should follow the grown one");
  memset(g2 + LS * 64 * KIB, 0xa5, 2 * 64 * KIB);
  uint8_t *g3 = sa_realloc(g2, (LS + 4) * 64 * KIB);
  EXPECT(g3 != g2, "a page in the way forces a move");
  bool intact = true;
  for (size_t i = 0; i < (LS + 2) * 64 * KIB; i++) intact &= g3[i] == (i < LS * 64 * KIB ? 0x5a : 0xa5);
  EXPECT(intact, "the moved block keeps its bytes");
  check("moving a large block that cannot grow");
  sa_free(g3);
  sa_free(blocker);
  check("freeing the grown blocks");

  /* Huge: its own segment, released on free. */
  void *h = sa_malloc((size_t)40 << 20);
  EXPECT(h != NULL && ((uintptr_t)h & (SLICE_SIZE - 1)) == 0, "huge block");
  sa_stats_get(&st);
  EXPECT(st.pages_huge == 1, "one huge page, got %lld", (long long)st.pages_huge);
  sa_free(h);
  sa_stats_get(&st);
  EXPECT(st.pages_huge == 0, "huge page freed, got %lld", (long long)st.pages_huge);
  /* One aligned to 32 MiB starts on the boundary after its header: free's
   * fast path then reads the header's descriptor and must go generic. */
  uint8_t *h32 = sa_aligned_alloc(SEGMENT_SIZE, (size_t)40 << 20);
  EXPECT(h32 != NULL && ((uintptr_t)h32 & (SEGMENT_SIZE - 1)) == 0 && segment_of(h32) != (segment_t *)h32,
         "a 32 MiB-aligned huge block, its header one segment back: %p", (void *)h32);
  memset(h32, 7, 1 << 20);
  sa_free(h32);
  sa_stats_get(&st);
  EXPECT(st.pages_huge == 0 && check_heap(heap_of_thread()) == 0, "the aligned huge page is freed: %lld left",
         (long long)st.pages_huge);

  /* Up to a segment less its header a block is large, in a normal segment:
   * freed, its slices stay mapped and resident until the purge delay (in
   * the spans, or the segment cache if the segment emptied), where a huge
   * block's memory would go back to the kernel at once. */
  sa_option_set(SA_OPTION_PURGE_DELAY, 10000);
  uint8_t *big = sa_malloc(LARGE_BLOCK_MAX);
  sa_stats_get(&st);
  size_t usable_slices = (SEGMENT_SIZE >> SLICE_SHIFT) - SEGMENT_HEADER_SLICES;
  EXPECT(big != NULL && segment_of(big)->kind == SEGMENT_NORMAL && st.pages_huge == 0 &&
             page_of(segment_of(big), big)->slice_count == usable_slices,
         "a block of %zu bytes is a large page filling a normal segment (%lld huge)", (size_t)LARGE_BLOCK_MAX,
         (long long)st.pages_huge);
  memset(big, 3, LARGE_BLOCK_MAX);
  segment_t *big_segment = segment_of(big);
  size_t big_first = slice_index(big);
  int64_t reserved = st.reserved_bytes;
  sa_free(big);
  sa_stats_get(&st);
  size_t still = 0;
  for (size_t i = big_first; i < big_first + usable_slices; i++) still += !segment_slice_purged(big_segment, i);
  EXPECT(st.reserved_bytes == reserved && still == usable_slices,
         "the freed large block stays mapped (%lld of %lld bytes reserved) and resident (%zu of %zu slices)",
         (long long)st.reserved_bytes, (long long)reserved, still, usable_slices);
  EXPECT(check_heap(heap_of_thread()) == 0, "heap invariants after the largest large block");
  sa_collect(true); /* what follows wants fresh segments, not this resident one */
  void *over = sa_malloc(LARGE_BLOCK_MAX + 1);
  sa_stats_get(&st);
  EXPECT(over != NULL && st.pages_huge == 1, "one byte more is a huge block: %lld huge", (long long)st.pages_huge);
  sa_free(over);

  /* A segment that empties goes to the cache; one that held little (here
   * a 1 MiB page, 16 slices) is purged on the way in, one that held much
   * (an 8 MiB page) keeps its memory until the purge delay; with purging
   * off (delay -1) neither is purged. */
  sa_option_set(SA_OPTION_PURGE_DELAY, 10000);
  sa_option_set(SA_OPTION_BACKGROUND, 0);
  page_large_kept_release(heap_of_thread()); /* g3 and blocker: the first segment is empty again */
  void *fill[2] = {sa_malloc((size_t)16 << 20), sa_malloc((size_t)15 << 20)}; /* 256 + 240 of 510 slices */
  for (int round = 0; round < 3; round++) {
    bool never = round == 0, sparse = round != 2;
    sa_option_set(SA_OPTION_PURGE_DELAY, never ? -1 : 10000);
    size_t bytes = sparse ? (size_t)1 << 20 : (size_t)8 << 20;
    uint8_t *other = sa_malloc(bytes);
    segment_t *os = segment_of(other);
    EXPECT(os != segment_of(fill[0]), "a second segment");
    memset(other, 1, bytes);
    size_t first = slice_index(other), n = bytes >> SLICE_SHIFT;
    free_large(other); /* the second segment empties: cached */
    sa_stats_get(&st);
    size_t purged = 0;
    for (size_t i = first; i < first + n; i++) purged += segment_slice_purged(os, i);
    EXPECT(st.segments_cached == 1 && purged == (sparse && !never ? n : 0),
           "%s segment%s: %lld cached, %zu of its %zu slices purged", sparse ? "a sparse" : "a dense",
           never ? " (purging off)" : "", (long long)st.segments_cached, purged, n);
  }
  sa_free(fill[0]);
  sa_free(fill[1]);
  sa_collect(true);
  UNIT_DONE("unit_spans");
}
