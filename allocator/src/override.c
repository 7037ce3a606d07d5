/* The C library's malloc surface, exported from libsegalloc.so and .a.
 * Everything else in the library is hidden. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

#define SA_EXPORT __attribute__((visibility("default")))

/* malloc and free are aliases of sa_malloc and sa_free (alloc.c, free.c). */
SA_EXPORT void *calloc(size_t c, size_t n) { return sa_calloc(c, n); }
SA_EXPORT void *realloc(void *p, size_t n) { return sa_realloc(p, n); }
SA_EXPORT void *reallocarray(void *p, size_t c, size_t n) { return sa_reallocarray(p, c, n); }
SA_EXPORT int posix_memalign(void **out, size_t a, size_t n) { return sa_posix_memalign(out, a, n); }
SA_EXPORT void *aligned_alloc(size_t a, size_t n) { return sa_aligned_alloc(a, n); }
SA_EXPORT void *memalign(size_t a, size_t n) { return sa_aligned_alloc(a, n); }
SA_EXPORT void *valloc(size_t n) { return sa_aligned_alloc(os_page_size(), n); }
SA_EXPORT void *pvalloc(size_t n) {
  size_t page = os_page_size();
  if (n > SIZE_MAX - page) {
    errno = ENOMEM;
    return NULL;
  }
  return sa_aligned_alloc(page, size_align_up(n ? n : 1, page));
}
SA_EXPORT size_t malloc_usable_size(void *p) { return sa_usable_size(p); }
SA_EXPORT void cfree(void *p) { sa_free(p); }

/* glibc's internal names: some programs and libraries call them directly. */
SA_EXPORT void *__libc_malloc(size_t n) { return sa_malloc(n); }
SA_EXPORT void __libc_free(void *p) { sa_free(p); }
SA_EXPORT void *__libc_calloc(size_t c, size_t n) { return sa_calloc(c, n); }
SA_EXPORT void *__libc_realloc(void *p, size_t n) { return sa_realloc(p, n); }
SA_EXPORT void *__libc_memalign(size_t a, size_t n) { return sa_aligned_alloc(a, n); }
SA_EXPORT void *__libc_valloc(size_t n) { return valloc(n); }
SA_EXPORT void *__libc_pvalloc(size_t n) { return pvalloc(n); }
SA_EXPORT int __posix_memalign(void **out, size_t a, size_t n) { return sa_posix_memalign(out, a, n); }

/* ---- glibc's introspection and tuning calls ----------------------------------
 * Without these a preloaded program would reach glibc's versions, which
 * describe glibc's own (unused) arena: mallinfo2 would say nothing is in
 * use, and malloc_trim would give nothing back. */

/* pad (what glibc leaves at the top of its heap) has no counterpart: every
 * free span goes. 1 when memory went back to the OS, as glibc. */
SA_EXPORT int malloc_trim(size_t pad) {
  (void)pad;
  return sa_trim() > 0;
}

/* glibc's fields for segalloc's memory: the arena is what normal segments
 * hold from the OS; free spans not purged yet are the part malloc_trim
 * could release (keepcost); huge blocks, each its own mapping, are glibc's
 * mmapped chunks. Fast bins and the peak (usmblks) have no counterpart. */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#define SA_HAVE_MALLINFO2 1
typedef struct mallinfo2 sa_mallinfo_t;
#else
typedef struct sa_mallinfo_s {
  size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
} sa_mallinfo_t;
#endif

static sa_mallinfo_t mallinfo_of_usage(void) {
  sa_usage_t u;
  sa_usage_get(&u);
  sa_mallinfo_t mi = {0};
  mi.arena = u.committed_bytes > u.huge_bytes ? u.committed_bytes - u.huge_bytes : 0;
  mi.ordblks = u.free_spans;
  mi.hblks = u.huge_blocks;
  mi.hblkhd = u.huge_bytes;
  mi.uordblks = u.in_use_bytes < mi.arena ? u.in_use_bytes : mi.arena;
  mi.fordblks = mi.arena - mi.uordblks;
  mi.keepcost = u.free_span_bytes;
  return mi;
}

#ifdef SA_HAVE_MALLINFO2
SA_EXPORT struct mallinfo2 mallinfo2(void) { return mallinfo_of_usage(); }
#endif

/* The old int fields saturate, where glibc's wrap. */
static int mallinfo_int(size_t v) { return v > INT_MAX ? INT_MAX : (int)v; }

SA_EXPORT struct mallinfo mallinfo(void) {
  sa_mallinfo_t m = mallinfo_of_usage();
  struct mallinfo mi = {0};
  mi.arena = mallinfo_int(m.arena);
  mi.ordblks = mallinfo_int(m.ordblks);
  mi.hblks = mallinfo_int(m.hblks);
  mi.hblkhd = mallinfo_int(m.hblkhd);
  mi.uordblks = mallinfo_int(m.uordblks);
  mi.fordblks = mallinfo_int(m.fordblks);
  mi.keepcost = mallinfo_int(m.keepcost);
  return mi;
}

/* glibc's totals lines (scripts look for "in use bytes"), then segalloc's
 * own counters; to stderr, formatted on the stack. */
SA_EXPORT void malloc_stats(void) {
  sa_mallinfo_t m = mallinfo_of_usage();
  char buf[256];
  int n = snprintf(buf, sizeof buf,
                   "Total (incl. mmap):\nsystem bytes     = %10zu\nin use bytes     = %10zu\n",
                   m.arena + m.hblkhd, m.uordblks + m.hblkhd);
  fflush(stderr);
  if (n > 0 && write(2, buf, (size_t)n) < 0) return;
  sa_stats_print(stderr);
}

/* glibc's XML, its totals only (segalloc has no arenas or bins to list). */
SA_EXPORT int malloc_info(int options, FILE *out) {
  if (options != 0 || out == NULL) {
    errno = EINVAL;
    return -1;
  }
  sa_mallinfo_t m = mallinfo_of_usage();
  sa_stats_t st;
  sa_stats_get(&st);
  fprintf(out,
          "<malloc version=\"1\" allocator=\"segalloc %s\">\n"
          "<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n"
          "<total type=\"mmap\" count=\"%zu\" size=\"%zu\"/>\n"
          "<system type=\"current\" size=\"%lld\"/>\n"
          "<aspace type=\"total\" size=\"%lld\"/>\n"
          "<aspace type=\"mprotect\" size=\"%lld\"/>\n"
          "</malloc>\n",
          sa_version(), m.ordblks, m.keepcost, m.hblks, m.hblkhd, (long long)st.committed_bytes,
          (long long)st.reserved_bytes, (long long)st.committed_bytes);
  return ferror(out) ? -1 : 0;
}

/* Accepted and ignored, as glibc accepts any parameter: segalloc is tuned
 * by its SEGALLOC_ variables (README, Options), not by glibc's knobs. */
SA_EXPORT int mallopt(int param, int value) {
  (void)param;
  (void)value;
  return 1;
}
