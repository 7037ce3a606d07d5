/* The adaptive purge delay: a heap that takes back slices it purged less
 * than two delays ago doubles its delay (up to 16x); after two seconds of
 * purges without that, the delay halves again. A heap that took slow paths
 * while a purge was pending puts it off by a doubled delay, and a segment
 * that empties into the cache is due after its heap's delay. Driven through sa_* with
 * the heap's purge run by hand (segment_purge_heap), so nothing depends on
 * when a slow path happens to run. */
#include <string.h>
#include <time.h>

#include "internal.h"
#include "unit_test.h"

#define DELAY_MS 10
#define BLOCK ((size_t)2 << 20) /* a large block: a span of its own */

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Frees a large block, waits out the current delay, purges, and takes the
 * same slices back at once: a re-fault right after a purge. */
static void *purge_and_refault(heap_t *heap, void *block) {
  sa_free(block);
  sleep_ms((DELAY_MS << heap->purge_shift) + 5);
  segment_purge_heap(heap, false);
  return sa_malloc(BLOCK);
}

static size_t slices_purged(const void *block) {
  segment_t *s = segment_of(block);
  size_t first = (size_t)((const uint8_t *)block - (const uint8_t *)s) >> SLICE_SHIFT, n = 0;
  for (size_t i = first; i < first + (BLOCK >> SLICE_SHIFT); i++) n += segment_slice_purged(s, i);
  return n;
}

/* Slow paths taken while a purge is pending put it off by one (doubled)
 * delay; a heap that took none since the last look purges when due. */
static void check_postpone_while_active(heap_t *heap) {
  segment_purge_heap(heap, true); /* nothing pending from the part before */
  /* Blocks of 4000 bytes are threaded one at a time (page_extend): every
   * malloc of one takes the slow path, and none needs a new page. */
  enum { SLOW = 6 };
  void *slow[SLOW];
  slow[0] = sa_malloc(4000);
  void *block = sa_malloc(BLOCK);
  memset(block, 1, BLOCK);
  /* Back to the configured delay, with no recent purge for these pages'
   * re-faults to stretch it. */
  heap->purge_shift = 0;
  heap->purge_last = 0;
  sa_free(block);
  uint64_t before = heap->generic_count;
  for (int i = 1; i < SLOW; i++) slow[i] = sa_malloc(4000);
  EXPECT(heap->generic_count == before + SLOW - 1, "%d slow paths taken, counted %llu", SLOW - 1,
         (unsigned long long)(heap->generic_count - before));
  sleep_ms(DELAY_MS + 5);
  segment_purge_heap(heap, false);
  EXPECT(slices_purged(block) == 0 && heap->purge_shift == 1,
         "an active heap puts the purge off: %zu slices purged, shift %u", slices_purged(block), heap->purge_shift);
  sleep_ms((DELAY_MS << heap->purge_shift) + 5);
  segment_purge_heap(heap, false);
  EXPECT(slices_purged(block) == BLOCK >> SLICE_SHIFT && heap->purge_shift == 1,
         "idle since the last look, it purges: %zu of %zu slices, shift %u", slices_purged(block),
         (size_t)(BLOCK >> SLICE_SHIFT), heap->purge_shift);
  EXPECT(check_heap(heap) == 0, "heap invariants");
  for (int i = 0; i < SLOW; i++) sa_free(slow[i]);
}

/* A segment that empties into the cache is due after the delay of the
 * heap it left, stretched or not. */
static void check_cache_takes_heap_delay(heap_t *heap, void *keep) {
  uint8_t *big = sa_malloc(LARGE_BLOCK_MAX); /* a segment of its own: `keep` holds the first */
  segment_t *s = segment_of(big);
  EXPECT(s != segment_of(keep), "the block has a segment of its own");
  memset(big, 1, LARGE_BLOCK_MAX);
  heap->purge_shift = 3; /* 8 x DELAY_MS, set after the malloc's own re-fault rule */
  heap->purge_last = 0;
  int64_t before = os_clock_ms();
  sa_free(big); /* the segment empties: cached, dense, due later */
  int64_t wait = s->purge_expire - before;
  EXPECT(wait >= (DELAY_MS << 3) && wait <= (DELAY_MS << 3) + 50,
         "the cached segment is due after the heap's stretched delay (%d ms): in %lld ms", DELAY_MS << 3,
         (long long)wait);
  heap->purge_shift = 0;
}

int main(void) {
  sa_option_set(SA_OPTION_PURGE_DELAY, DELAY_MS);
  sa_option_set(SA_OPTION_BACKGROUND, 0); /* only this thread purges */
  void *keep = sa_malloc(64); /* keeps the segment (and its spans) with the heap */
  heap_t *heap = sa_heap_tls;
  void *block = sa_malloc(BLOCK);
  EXPECT(heap->purge_shift == 0, "a new heap starts at the configured delay: shift %u", heap->purge_shift);

  for (unsigned expect = 1; expect <= 5; expect++) {
    block = purge_and_refault(heap, block);
    unsigned want = expect < 4 ? expect : 4;
    EXPECT(heap->purge_shift == want, "after %u re-faults the delay shift should be %u, is %u", expect, want,
           heap->purge_shift);
  }
  EXPECT(check_heap(heap) == 0, "heap invariants");

  /* Two quiet seconds, then a purge with nothing taken back: one halving. */
  sa_free(block);
  sleep_ms(2100);
  segment_purge_heap(heap, false);
  EXPECT(heap->purge_shift == 3, "two seconds without re-faults halve the delay: shift %u", heap->purge_shift);

  check_postpone_while_active(heap);
  check_cache_takes_heap_delay(heap, keep);
  sa_free(keep);
  UNIT_DONE("unit_purge_delay");
}
