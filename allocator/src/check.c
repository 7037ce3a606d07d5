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
    if (!in->is_used || in->first != sl)
      errors += check_fail("page slice does not point back to its page", s, i + k);
  }
  const uint8_t *first = (const uint8_t *)s + (i << SLICE_SHIFT);
  if (s->kind == SEGMENT_NORMAL && (sl->page_start < first || sl->page_start >= first + 4096))
    errors += check_fail("page_start is not in the first OS page of its first slice", s, i);
  if (sl->block_size && page_live(sl) > sl->capacity) errors += check_fail("page used > capacity", s, i);
  if (sl->capacity > sl->reserved) errors += check_fail("page capacity > reserved", s, i);
  if (atomic_load_explicit(&((slice_t *)sl)->free_owner, memory_order_relaxed) != page_free_owner_due(sl))
    errors += check_fail("page free_owner disagrees with its heap and flags", s, i);
  const heap_t *heap = atomic_load_explicit(&((slice_t *)sl)->heap, memory_order_relaxed);
  if (heap != NULL && heap->thread_id != atomic_load_explicit(&((segment_t *)s)->thread_id, memory_order_relaxed))
    errors += check_fail("page heap's thread is not its segment's owner", s, i);
  return errors;
}

static size_t check_free_span(const heap_t *heap, const segment_t *s, const slice_t *sl, size_t i, size_t n,
                              bool prev_free) {
  size_t errors = 0;
  if (prev_free) errors += check_fail("two adjacent free spans (not coalesced)", s, i);
  if (n > 1 && i + n < s->slice_entries) { /* a span that ends the segment has no back link (span_set) */
    const slice_t *last = sl + n - 1;
    if (last->first != sl)
      errors += check_fail("free span's last slice does not point to its first", s, i + n - 1);
  }
  if (heap != NULL && s->kind == SEGMENT_NORMAL && !span_in_queue(heap, sl)) errors += check_fail("free span not in its span queue", s, i);
  return errors;
}

size_t check_segment(const heap_t *heap, const segment_t *s) {
  size_t errors = 0, pages = 0;
  bool prev_free = false;
  if (!segment_is_valid(s)) return check_fail("bad segment cookie or map bit", s, 0);
  if (!s->slices[0].is_used || s->slices[0].slice_count != SEGMENT_HEADER_SLICES) errors += check_fail("header slices not a used span", s, 0);
  size_t i = SEGMENT_HEADER_SLICES;
  while (i < s->slice_entries) {
    const slice_t *sl = &s->slices[i];
    size_t n = sl->slice_count;
    if (n == 0 || (s->kind == SEGMENT_NORMAL && i + n > s->slice_entries)) {
      errors += check_fail("span length out of range", s, i);
      break;
    }
    if (sl->first != sl)
      errors += check_fail("first slice does not point to itself", s, i);
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

/* bin_pages (which sizes pages, see page_slices) counts the pages of each
 * bin that sit in the heap's queues: bin, full and large. */
static size_t check_bin_pages(const heap_t *heap) {
  uint32_t counted[BIN_QUEUES] = {0};
  for (size_t q = 1; q < BIN_QUEUES; q++)
    for (const page_t *p = heap->pages[q].first; p != NULL; p = p->next) counted[p->bin]++;
  size_t errors = 0;
  for (size_t b = 0; b < BIN_QUEUES; b++)
    if (counted[b] != heap->bin_pages[b]) {
      sa_message("check: bin %zu has %u pages in the queues but bin_pages says %u", b, counted[b], heap->bin_pages[b]);
      errors++;
    }
  return errors;
}

/* Only the lone page of a size bin may be pinned (page_pin), and pinned
 * bins lie inside the range page_expire_pinned reads. */
static size_t check_pins(const heap_t *heap) {
  size_t errors = 0;
  for (size_t q = 1; q < BIN_QUEUES; q++)
    for (const page_t *p = heap->pages[q].first; p != NULL; p = p->next) {
      if (!p->pinned) continue;
      bool lone = q <= BIN_MEDIUM_LAST && p == heap->pages[q].first && p == heap->pages[q].last;
      bool in_range = q >= heap->pinned_min && q <= heap->pinned_max;
      if (!lone || !in_range) {
        sa_message("check: page %p of queue %zu is pinned but %s", (const void *)p, q,
                   lone ? "outside the pinned range" : "not lone");
        errors++;
      }
    }
  return errors;
}

/* Every segment the heap owns, and every span in its queues is free and in
 * the right bin. */
size_t check_heap(const heap_t *heap) {
  size_t errors = check_bin_pages(heap) + check_pins(heap);
  for (const segment_t *s = heap->segments; s != NULL; s = s->next) {
    if (s->heap != heap) errors += check_fail("segment on a heap's list names another heap", s, 0);
    errors += check_segment(heap, s);
  }
  for (size_t b = 0; b < SPAN_BINS; b++)
    for (const slice_t *sl = heap->spans[b].first; sl != NULL; sl = sl->next)
      if (sl->is_used || span_bin(sl->slice_count) != b)
        errors += check_fail("span queue holds a used or misbinned span", segment_of_slice(sl), 0);
  return errors;
}

/* Walks a page's free, local_free and thread_free lists with a bound: every
 * block must lie inside the page, on a block boundary, and appear once
 * across the three lists (a cycle or a block on two lists is a double free
 * or a lost update). Owner only: the lists must not change meanwhile. */
static size_t check_list(const page_t *page, const block_t *b, uint8_t *seen, const char *name, size_t *count) {
  const uint8_t *lo = page->page_start;
  size_t errors = 0;
  for (size_t steps = 0; b != NULL; b = b->next, steps++) {
    size_t off = (size_t)((const uint8_t *)b - lo);
    if ((const uint8_t *)b < lo || off >= (size_t)page->reserved * page->block_size || off % page->block_size) {
      sa_message("check: %s list of page %p holds %p, not a block of it", name, (const void *)page, (const void *)b);
      return errors + 1;
    }
    size_t i = off / page->block_size;
    if (seen[i >> 3] & (1u << (i & 7))) {
      sa_message("check: block %p twice on the lists of page %p (%s)", (const void *)b, (const void *)page, name);
      return errors + 1;
    }
    seen[i >> 3] |= (uint8_t)(1u << (i & 7));
    (*count)++;
  }
  return errors;
}

size_t check_page_lists(const page_t *page) {
  uint8_t seen[SLICE_SIZE * MEDIUM_PAGE_SLICES / 16 / 8]; /* 4 KiB of stack: threads may check at once */
  if (page->kind >= PAGE_LARGE || page->reserved == 0) return 0;
  memset(seen, 0, (page->reserved + 7) / 8);
  size_t n = 0, errors = 0;
  errors += check_list(page, page->free, seen, "free", &n);
  errors += check_list(page, page->local_free, seen, "local_free", &n);
  /* Blocks on thread_free or purged count as handed out until collected. */
  if (errors == 0 && n + page_live(page) != page->capacity) {
    sa_message("check: page %p has %zu blocks on its own lists and %u live, but capacity %u", (const void *)page, n,
               page_live(page), page->capacity);
    errors++;
  }
  uintptr_t tf = atomic_load_explicit(&((page_t *)page)->thread_free, memory_order_acquire);
  size_t before = n;
  errors += check_list(page, tf_block(tf), seen, "thread_free", &n);
  if (errors == 0 && n - before != tf_count(tf)) {
    sa_message("check: page %p has %zu blocks on thread_free but counts %u", (const void *)page, n - before, tf_count(tf));
    errors++;
  }
  if (n > page->capacity) {
    sa_message("check: page %p has %zu listed blocks but capacity %u", (const void *)page, n, page->capacity);
    errors++;
  }
  return errors;
}

size_t check_heap_lists(const heap_t *heap) {
  size_t errors = 0;
  for (size_t q = 1; q < BIN_QUEUES; q++)
    for (const page_t *p = heap->pages[q].first; p != NULL; p = p->next) errors += check_page_lists(p);
  return errors;
}
