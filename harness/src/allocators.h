/* allocbench: allocator names -> libraries to LD_PRELOAD. */
#ifndef AB_ALLOCATORS_H
#define AB_ALLOCATORS_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/* The five allocators every run compares, in report order. */
#define AB_ALLOC_DEFAULT_LIST "glibc,jemalloc,tcmalloc,mimalloc,segalloc"

typedef struct ab_allocator_s {
  char *name;
  char *path;   /* library to preload; "" for glibc (no preload); NULL: not found */
  char *looked; /* where the search looked, and how to fix it, when not found */
  ab_strv_t env; /* VAR=value settings of a variant (name=base+VAR=value), else empty */
} ab_allocator_t;

typedef struct ab_allocators_s {
  ab_allocator_t *v;
  size_t n;
} ab_allocators_t;

/* Where to look. search_dirs NULL: the multiarch Debian directories first,
 * then /usr/local/lib, /usr/lib64, /usr/lib, /lib64, /lib. */
typedef struct ab_alloc_env_s {
  const char *const *search_dirs;
  const char *segalloc_path; /* where the build put libsegalloc.so (or an override) */
} ab_alloc_env_t;

/* Resolves "name" (a known allocator), "name=path" (any library) or a
 * variant "name=base+VAR=value[+VAR=value..]" (base: a known allocator or a
 * path; the settings go into the environment of its runs, e.g.
 * seg-nopurge=segalloc+SEGALLOC_PURGE_DELAY=-1). An unknown name or a bad
 * path is an error; a known allocator that is not installed is not:
 * out->path is NULL and out->looked says why. */
int ab_alloc_resolve(const char *spec, const ab_alloc_env_t *env, ab_allocator_t *out,
                     ab_err_t *err);

/* Resolves a comma-separated list. explicit_list: the user named these, so
 * a missing one is an error; otherwise it is skipped with a warning. */
int ab_alloc_select(const char *list, bool explicit_list, const ab_alloc_env_t *env,
                    ab_allocators_t *out, ab_err_t *err);

/* Index of name in the list, or -1. */
int ab_alloc_index(const ab_allocators_t *list, const char *name);

/* Prints every known allocator with where it was found (for --list). */
void ab_alloc_print_known(FILE *out, const ab_alloc_env_t *env);

/* The environment of one run: the entry's VAR=value words, then the
 * allocator's (which win where both set a variable). */
void ab_alloc_run_env(const ab_allocator_t *a, const ab_strv_t *entry_env, ab_strv_t *out);

void ab_allocator_free(ab_allocator_t *a);
void ab_allocators_free(ab_allocators_t *list);

#endif
