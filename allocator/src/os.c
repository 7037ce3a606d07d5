/* The only place that talks to the kernel about memory: reserve aligned
 * address space, populate it, purge it, release it. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

size_t os_page_size(void) {
  static _Atomic size_t page; /* threads may race to fill it: same value */
  size_t n = atomic_load_explicit(&page, memory_order_relaxed);
  if (n == 0) {
    long p = sysconf(_SC_PAGESIZE);
    n = p > 0 ? (size_t)p : 4096;
    atomic_store_explicit(&page, n, memory_order_relaxed);
  }
  return n;
}

int64_t os_clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *os_mmap(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* Where the next aligned mapping is tried first: just below the last one,
 * since the kernel hands out addresses top-down. */
static _Atomic uintptr_t aligned_hint;

/* Tries the hinted address: most mappings come back exactly there, already
 * aligned, so the address space needed is size, not size + alignment (which
 * matters under `ulimit -v`). */
static void *os_reserve_at_hint(size_t size, size_t alignment) {
  uintptr_t hint = atomic_load_explicit(&aligned_hint, memory_order_relaxed);
  if (hint < size + alignment) return NULL;
  uintptr_t want = (hint - size) & ~(uintptr_t)(alignment - 1);
  void *p = mmap((void *)want, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return NULL;
  if ((uintptr_t)p == want) return p;
  munmap(p, size);
  return NULL;
}

/* Map size bytes aligned to `alignment`: at the hint when it is free, else
 * ask for size + alignment and trim both ends. */
static void *os_reserve_aligned_any(size_t size, size_t alignment) {
  if (size + alignment < size) {
    errno = ENOMEM;
    return NULL;
  }
  uint8_t *at = os_reserve_at_hint(size, alignment);
  if (at != NULL) {
    atomic_store_explicit(&aligned_hint, (uintptr_t)at, memory_order_relaxed);
    stat_add(STAT_RESERVED, (int64_t)size);
    return at;
  }
  uint8_t *raw = os_mmap(size + alignment);
  if (raw == NULL) {
    errno = ENOMEM;
    return NULL;
  }
  uint8_t *aligned = (uint8_t *)size_align_up((uintptr_t)raw, alignment);
  size_t head = (size_t)(aligned - raw);
  size_t tail = alignment - head;
  if (head) munmap(raw, head);
  if (tail) munmap(aligned + size, tail);
  atomic_store_explicit(&aligned_hint, (uintptr_t)aligned, memory_order_relaxed);
  stat_add(STAT_RESERVED, (int64_t)size);
  return aligned;
}

/* Blocks must lie below TF_ADDRESS_LIMIT (their page's thread_free keeps a
 * count above them). Linux maps there unless asked for higher addresses
 * with a hint, which segalloc never gives; the check keeps it honest. */
void *os_reserve_aligned(size_t size, size_t alignment) {
  uint8_t *p = os_reserve_aligned_any(size, alignment);
  if (p != NULL && (uintptr_t)p + size > TF_ADDRESS_LIMIT) {
    os_release(p, size);
    errno = ENOMEM;
    return NULL;
  }
  return p;
}

/* Asks the kernel to back the range with 2 MiB pages where it can (THP in
 * "madvise" mode, the Debian default), or to stop: khugepaged would
 * otherwise collapse a range we purged back into whole resident 2 MiB
 * pages. A no-op where THP is off. */
void os_advise_huge(void *p, size_t size, bool huge) {
#if defined(MADV_HUGEPAGE) && defined(MADV_NOHUGEPAGE)
  madvise(p, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#else
  (void)p;
  (void)size;
  (void)huge;
#endif
}

void os_release(void *p, size_t size) {
  if (p == NULL) return;
  munmap(p, size);
  stat_add(STAT_RESERVED, -(int64_t)size);
}

/* Give the physical pages back. MADV_DONTNEED drops them at once and makes
 * the range read as zero; MADV_FREE lets the kernel take them lazily and
 * the old contents may come back. Returns whether the range is now zero. */
bool os_purge(void *p, size_t size, bool decommit) {
  int saved = errno;
  bool zero = true;
#ifdef MADV_FREE
  if (!decommit && madvise(p, size, MADV_FREE) == 0) {
    zero = false;
  } else
#endif
  {
    madvise(p, size, MADV_DONTNEED);
  }
  errno = saved;
  return zero;
}

/* Makes [p, p + size) resident and writable in one call
 * (MADV_POPULATE_WRITE, Linux 5.14): the kernel fills the page tables in
 * one pass instead of taking one fault per 4 KiB page on first touch.
 * Where the kernel lacks it (EINVAL), it is never tried again. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
void os_populate(void *p, size_t size) {
  static atomic_bool unsupported;
  if (atomic_load_explicit(&unsupported, memory_order_relaxed)) return;
  int saved = errno;
  if (madvise(p, size, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
    atomic_store_explicit(&unsupported, true, memory_order_relaxed);
  errno = saved;
}

/* Bytes of [p, p + size) in RAM now (p page-aligned), for the heap map:
 * mincore's vector in chunks, so that a huge segment needs no big buffer.
 * A range the kernel refuses (not mapped: cannot happen for a segment)
 * counts as not resident. */
size_t os_resident_bytes(const void *p, size_t size) {
  unsigned char vec[1024];
  size_t page = os_page_size(), pages = (size + page - 1) / page, resident = 0;
  int saved = errno;
  for (size_t done = 0; done < pages;) {
    size_t n = pages - done < sizeof vec ? pages - done : sizeof vec;
    if (mincore((void *)((uintptr_t)p + done * page), n * page, vec) != 0) break;
    for (size_t i = 0; i < n; i++) resident += vec[i] & 1;
    done += n;
  }
  errno = saved;
  return resident * page;
}

/* Metadata (heaps) comes straight from the OS, page-granular. */
void *os_alloc_meta(size_t size) {
  void *p = os_mmap(size_align_up(size, os_page_size()));
  if (p) stat_add(STAT_RESERVED, (int64_t)size_align_up(size, os_page_size()));
  return p;
}
