/* The internal checker: walks every segment of a heap and verifies the
 * invariants the span and page code keeps. Used by the unit tests; cheap
 * enough to call after every step of a test. */
#include "internal.h"

static size_t check_fail(const char *what, const segment_t *s, size_t idx) {
  sa_message("check: %s (segment %p, slice %zu)", what, (const void *)s, idx);
  return 1;
}

static bool span_in_queue(const heap_t *heap, const slice_t *span) {
  const span_queue_t *q = &heap->spans[span_bin(span->slice_count)];
  for (const slice_t *sl = q->first; sl != NULL; sl = sl->next)
    if (sl == span) return true;
  return false;
}

static size_t check_page(const segment_t *s, const slice_t *sl, size_t i, size_t n) {
  size_t errors = 0;
  for (size_t k = 1; k < n && i + k < s->slice_entries; k++) {
    const slice_t *in = sl + k;
    if (!in->is_used || (const uint8_t *)in - in->slice_offset != (const uint8_t *)sl)
      errors += check_fail("page slice does not point back to its page", s, i + k);
  }
  if (s->kind == SEGMENT_NORMAL && sl->page_start != (const uint8_t *)s + (i << SLICE_SHIFT))
    errors += check_fail("page_start is not the first slice", s, i);
  if (sl->block_size && sl->used > sl->capacity) errors += check_fail("page used > capacity", s, i);
  if (sl->capacity > sl->reserved) errors += check_fail("page capacity > reserved", s, i);
  return errors;
}

static size_t check_free_span(const heap_t *heap, const segment_t *s, const slice_t *sl, size_t i, size_t n,
                              bool prev_free) {
  size_t errors = 0;
  if (prev_free) errors += check_fail("two adjacent free spans (not coalesced)", s, i);
  if (n > 1) {
    const slice_t *last = sl + n - 1;
    if ((const uint8_t *)last - last->slice_offset != (const uint8_t *)sl)
      errors += check_fail("free span's last slice does not point to its first", s, i + n - 1);
  }
  if (heap != NULL && !span_in_queue(heap, sl)) errors += check_fail("free span not in its span queue", s, i);
  return errors;
}

size_t check_segment(const heap_t *heap, const segment_t *s) {
  size_t errors = 0, pages = 0;
  bool prev_free = false;
  if (!segment_is_valid(s)) return check_fail("bad segment cookie or map bit", s, 0);
  if (!s->slices[0].is_used) errors += check_fail("header slice marked free", s, 0);
  size_t i = 1;
  while (i < s->slice_entries) {
    const slice_t *sl = &s->slices[i];
    size_t n = sl->slice_count;
    if (n == 0 || (s->kind == SEGMENT_NORMAL && i + n > s->slice_entries)) {
      errors += check_fail("span length out of range", s, i);
      break;
    }
    if (sl->slice_offset != 0) errors += check_fail("first slice has an offset", s, i);
    if (sl->is_used) {
      pages++;
      errors += check_page(s, sl, i, n);
      prev_free = false;
    } else {
      errors += check_free_span(heap, s, sl, i, n, prev_free);
      prev_free = true;
    }
    i += n;
  }
  if (s->kind == SEGMENT_NORMAL && i != s->slice_entries) errors += check_fail("spans do not tile the segment", s, i);
  if (pages != s->used) errors += check_fail("segment used count differs from its pages", s, 0);
  return errors;
}

/* Every segment the heap owns, and every span in its queues is free and in
 * the right bin. */
size_t check_heap(const heap_t *heap) {
  size_t errors = 0;
  for (const segment_t *s = heap->segments; s != NULL; s = s->next) {
    if (s->heap != heap) errors += check_fail("segment on a heap's list names another heap", s, 0);
    errors += check_segment(heap, s);
  }
  for (size_t b = 0; b < SPAN_BINS; b++)
    for (const slice_t *sl = heap->spans[b].first; sl != NULL; sl = sl->next)
      if (sl->is_used || span_bin(sl->slice_count) != b)
        errors += check_fail("span queue holds a used or misbinned span", segment_of((const uint8_t *)sl + 1), 0);
  return errors;
}
