/* The C library's malloc surface, exported from libsegalloc.so and .a.
 * Everything else in the library is hidden. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
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
