/* Allocation entry points: the fast path (pop the first free block of the
 * size's page), calloc, realloc and the aligned forms. Everything else goes
 * to malloc_generic in page.c. */
#include <errno.h>

#include "internal.h"

__thread heap_t *sa_heap_tls __attribute__((tls_model("initial-exec"))) = &heap_empty;

static inline void *page_pop_fast(page_t *page) {
  block_t *b = page->free;
  if (SA_UNLIKELY(b == NULL)) return NULL;
  page->free = b->next;
  page->used++;
  return b;
}

/* Medium sizes read the head page of their bin's queue; out of line so the
 * small path needs no saved registers. */
static SA_NOINLINE void *malloc_medium(size_t size, heap_t *heap) {
  if (size <= MEDIUM_BLOCK_MAX) {
    page_t *page = heap->pages[bin_of_above_128(size)].first;
    void *p = page ? page_pop_fast(page) : NULL;
    if (SA_LIKELY(p != NULL)) return p;
  }
  return malloc_generic(size, heap, false, 0);
}

/* Small sizes: one TLS load, one table load, one pop. */
SA_API void *sa_malloc(size_t size) {
  heap_t *heap = sa_heap_tls;
  if (SA_LIKELY(size <= DIRECT_MAX)) {
    page_t *page = heap->pages_direct[size];
    block_t *b = page->free;
    if (SA_LIKELY(b != NULL)) {
      page->free = b->next;
      page->used++;
      return b;
    }
    return malloc_generic(size, heap, false, 0);
  }
  return malloc_medium(size, heap);
}

static bool mul_overflows(size_t a, size_t b, size_t *out) { return __builtin_mul_overflow(a, b, out); }

SA_API void *sa_calloc(size_t count, size_t size) {
  size_t total;
  if (SA_UNLIKELY(mul_overflows(count, size, &total))) {
    errno = ENOMEM;
    return NULL;
  }
  heap_t *heap = sa_heap_tls;
  if (total <= DIRECT_MAX) {
    /* Small blocks: zeroing up to 1 KiB costs less than tracking which
     * blocks on a free list are still fresh from the OS. */
    block_t *b = page_pop_fast(heap->pages_direct[total]);
    if (b != NULL) return memset(b, 0, total);
  }
  return malloc_generic(total, heap, true, 0);
}

static size_t block_usable(const page_t *page, const void *p) {
  const uint8_t *start = (const uint8_t *)page_block_start(page, p);
  return page->block_size - (size_t)((const uint8_t *)p - start);
}

SA_API size_t sa_usable_size(const void *p) {
  if (p == NULL) return 0;
  return block_usable(page_of(segment_of(p), p), p);
}

SA_API void *sa_realloc(void *p, size_t size) {
  if (p == NULL) return sa_malloc(size);
  if (size == 0) { /* as glibc: free and return NULL */
    sa_free(p);
    return NULL;
  }
  const page_t *page = page_of(segment_of(p), p);
  size_t usable = block_usable(page, p);
  /* Stay in place when the block fits and would not waste over half, or
   * when a large block can take the free slices after it. By the page's
   * kind, not the usable size: an aligned block inside a large page may
   * have less than MEDIUM_BLOCK_MAX usable. */
  if (size <= usable && size >= usable / 2) return p;
  if (size > usable && page->kind == PAGE_LARGE && page_large_grow(p, size)) return p;
  void *q = sa_malloc(size);
  if (q == NULL) return NULL;
  memcpy(q, p, size < usable ? size : usable);
  sa_free(p);
  return q;
}

SA_API void *sa_reallocarray(void *p, size_t count, size_t size) {
  size_t total;
  if (mul_overflows(count, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return sa_realloc(p, total);
}

static bool is_pow2(size_t a) { return a != 0 && (a & (a - 1)) == 0; }

/* Alignment without a dedicated allocator: blocks of a bin whose size is a
 * multiple of the alignment are aligned already (pages start on 64 KiB);
 * large pages start on 64 KiB; anything else over-allocates and marks the
 * page has_aligned so free can find the block start. */
static void *aligned_alloc_impl(size_t alignment, size_t size) {
  if (alignment <= BLOCK_ALIGN) return sa_malloc(size);
  if (alignment > ALIGNMENT_MAX || size > ((size_t)1 << 46)) {
    errno = ENOMEM;
    return NULL;
  }
  if (alignment <= SLICE_SIZE) {
    size_t bs = bin_block_size(bin_of(size));
    /* (a padded stride is not a multiple of anything useful, see page_stride) */
    if (size <= MEDIUM_BLOCK_MAX && page_stride(bs) == bs && bs % alignment == 0) return sa_malloc(size);
    /* a nonzero alignment keeps a big block at its page start (no colour) */
    if (size > MEDIUM_BLOCK_MAX && size <= LARGE_BLOCK_MAX) return malloc_generic(size, sa_heap_tls, false, SLICE_SIZE);
  }
  /* At least one byte: a zero-size block aligned to the very end of its
   * padded block would point at the next block, and free it. (Found by the
   * fuzzer: aligned_alloc(128, 0).) */
  if (size == 0) size = 1;
  size_t padded = size + alignment - BLOCK_ALIGN;
  if (padded > LARGE_BLOCK_MAX)
    return malloc_generic(size, sa_heap_tls, false, alignment < SLICE_SIZE ? SLICE_SIZE : alignment);
  uint8_t *p = sa_malloc(padded);
  if (p == NULL) return NULL;
  uint8_t *aligned = (uint8_t *)size_align_up((uintptr_t)p, alignment);
  if (aligned != p) {
    /* Under the heap lock: the background thread reads the flags of an idle
     * heap's pages (page_free_if_remote_emptied). */
    heap_t *heap = sa_heap_tls;
    spin_lock(&heap->lock);
    page_t *page = page_of(segment_of(p), p);
    page->flags.x.has_aligned = 1;
    page_sync_free_owner(page);
    spin_unlock(&heap->lock);
  }
  return aligned;
}

SA_API void *sa_aligned_alloc(size_t alignment, size_t size) {
  if (!is_pow2(alignment)) {
    errno = EINVAL;
    return NULL;
  }
  return aligned_alloc_impl(alignment, size);
}

SA_API int sa_posix_memalign(void **out, size_t alignment, size_t size) {
  if (!is_pow2(alignment) || alignment % sizeof(void *) != 0) return EINVAL;
  int saved = errno;
  void *p = aligned_alloc_impl(alignment, size);
  if (p == NULL) return ENOMEM;
  errno = saved;
  *out = p;
  return 0;
}

SA_API const char *sa_version(void) { return SEGALLOC_VERSION_STRING; }

#ifdef SEGALLOC_OVERRIDE
/* The override's malloc is sa_malloc under a second name, not a wrapper
 * (a jump per call); the rest of the surface is in override.c. */
extern __typeof__(sa_malloc) malloc __attribute__((alias("sa_malloc"), visibility("default"), malloc));
#endif
