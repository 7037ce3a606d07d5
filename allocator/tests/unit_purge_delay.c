/* The adaptive purge delay: a heap that takes back slices it purged less
 * than two delays ago doubles its delay (up to 16x); after two seconds of
 * purges without that, the delay halves again. Driven through sa_* with
 * the heap's purge run by hand (segment_purge_heap), so nothing depends on
 * when a slow path happens to run. */
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

  sa_free(keep);
  UNIT_DONE("unit_purge_delay");
}
