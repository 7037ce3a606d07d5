/* Spans: runs of free slices inside a segment, kept in the owner heap's span
 * queues binned by length. A span's first descriptor holds its length; its
 * last descriptor holds the offset back to the first, so a span being freed
 * finds its left neighbour in O(1) and coalesces with both neighbours. */
#include "internal.h"

/* Exact bins for 1..8 slices, then four bins per power of two: bin b holds
 * spans whose length is at most the bin's upper label, so a search starting
 * at span_bin(n) may meet shorter spans in that first bin only. */
size_t span_bin(size_t n) {
  if (n <= 8) return n;
  size_t w = n - 1;
  size_t b = 63 - (size_t)__builtin_clzl(w); /* >= 3 */
  size_t bin = 9 + (b - 3) * 4 + ((w >> (b - 2)) & 3);
  return bin < SPAN_BINS ? bin : SPAN_BINS - 1;
}

/* Writes the descriptors of a free span: its first holds the count, its last
 * where the first is; descriptors in between are left as they are (no lookup
 * ever lands inside a free span). The last is read only by a span freed
 * right after it, so a span that ends the segment leaves it as it is: a
 * thread's segment that never uses its end then never touches the OS page
 * of its last descriptors (one of the 3-4 pages a small thread's segment
 * makes resident). */
void span_set(segment_t *s, slice_t *first, size_t count) {
  first->slice_count = (uint32_t)count;
  first->first = first;
  first->is_used = 0;
  first->block_size = 0;
  if (count > 1 && first + count < s->slices + s->slice_entries) {
    slice_t *last = first + count - 1;
    last->slice_count = 0;
    last->first = first;
    last->is_used = 0;
    last->block_size = 0;
  }
}

void span_queue_push(heap_t *heap, slice_t *span) {
  span_queue_t *q = &heap->spans[span_bin(span->slice_count)];
  span->prev = NULL;
  span->next = q->first;
  if (q->first) q->first->prev = span;
  else q->last = span;
  q->first = span;
}

void span_queue_remove(heap_t *heap, slice_t *span) {
  span_queue_t *q = &heap->spans[span_bin(span->slice_count)];
  if (span->prev) span->prev->next = span->next;
  else q->first = span->next;
  if (span->next) span->next->prev = span->prev;
  else q->last = span->prev;
  span->next = span->prev = NULL;
}

/* First fit of `count` slices starting at a multiple of `align` slices
 * from the segment start (1: anywhere; 32, 2 MiB, for huge pages), from
 * the bin for `count` upward. The returned span is dequeued; slices before
 * an aligned start stay a free span of their own. */
slice_t *span_find(heap_t *heap, size_t count, size_t align) {
  for (size_t b = span_bin(count); b < SPAN_BINS; b++) {
    for (slice_t *sl = heap->spans[b].first; sl != NULL; sl = sl->next) {
      segment_t *s = segment_of_slice(sl);
      size_t idx = (size_t)(sl - s->slices), total = sl->slice_count;
      size_t at = size_align_up(idx, align);
      if (at + count > idx + total) continue;
      span_queue_remove(heap, sl);
      if (at == idx) return sl;
      span_set(s, sl, at - idx);
      span_queue_push(heap, sl);
      span_set(s, &s->slices[at], idx + total - at);
      return &s->slices[at];
    }
  }
  return NULL;
}

/* Cuts a (dequeued) span down to `count` slices; the rest becomes a free span
 * of its own in the queues. */
void span_split(heap_t *heap, segment_t *s, slice_t *span, size_t count) {
  size_t total = span->slice_count;
  if (total <= count) return;
  slice_t *rest = span + count;
  span_set(s, rest, total - count);
  span_queue_push(heap, rest);
  span->slice_count = (uint32_t)count;
}

/* Frees the slices of `span` (whose slice_count is set) and merges it with
 * free neighbours, which leave their queues. Returns the merged span,
 * enqueued. Huge segments have no neighbours and no queues. */
slice_t *span_free_coalesce(heap_t *heap, segment_t *s, slice_t *span) {
  size_t count = span->slice_count;
  slice_t *end = s->slices + s->slice_entries;
  slice_t *next = span + count;
  if (next < end && !next->is_used && next->slice_count > 0) {
    count += next->slice_count;
    span_queue_remove(heap, next);
    next->slice_count = 0;
  }
  if (span > s->slices + SEGMENT_HEADER_SLICES) {
    slice_t *prev_last = span - 1;
    slice_t *prev = prev_last->first;
    /* A descriptor never written says NULL; the header's own slices are
     * a used page. */
    if (prev >= s->slices + SEGMENT_HEADER_SLICES && !prev->is_used && prev->slice_count > 0) {
      span_queue_remove(heap, prev);
      count += prev->slice_count;
      span->slice_count = 0;
      span = prev;
    }
  }
  span_set(s, span, count);
  span_queue_push(heap, span);
  return span;
}
