/* allocbench: allocator name resolution. */
#include "allocators.h"


#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

#if defined(__x86_64__)
#define AB_MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define AB_MULTIARCH "aarch64-linux-gnu"
#elif defined(__i386__)
#define AB_MULTIARCH "i386-linux-gnu"
#else
#define AB_MULTIARCH "unknown-linux-gnu"
#endif

static const char *const ab_alloc_default_dirs[] = {
    "/usr/lib/" AB_MULTIARCH, "/lib/" AB_MULTIARCH, "/usr/local/lib", "/usr/lib64",
    "/usr/lib", "/lib64", "/lib", NULL};

/* The peers we know by name: the Debian package that ships them and the file
 * names to try, best first (tcmalloc: the minimal build has no profiler
 * hooks, which is what an allocation benchmark should measure). */
static const struct {
  const char *name, *package;
  const char *files[5];
  const char *stem; /* for the last-resort glob "<stem>.so*" */
} ab_alloc_known[] = {
    {"jemalloc", "libjemalloc2", {"libjemalloc.so.2", "libjemalloc.so"}, "libjemalloc"},
    {"tcmalloc", "libtcmalloc-minimal4",
     {"libtcmalloc_minimal.so.4", "libtcmalloc_minimal.so", "libtcmalloc.so.4", "libtcmalloc.so"},
     "libtcmalloc"},
    {"mimalloc", "libmimalloc2.0", {"libmimalloc.so.2", "libmimalloc.so"}, "libmimalloc"},
};
#define AB_ALLOC_NKNOWN (sizeof ab_alloc_known / sizeof ab_alloc_known[0])

static bool ab_alloc_name_ok(const char *name, size_t n) {
  if (n == 0 || n > 40) return false;
  for (size_t i = 0; i < n; i++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-", name[i]))
      return false;
  return true;
}

/* A preload library must at least be a readable ELF file. */
static int ab_alloc_check_library(const char *name, const char *path, ab_err_t *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return ab_fail(err, "allocator %s: cannot read %s: %s", name, path, strerror(errno));
  unsigned char magic[4] = {0};
  size_t got = fread(magic, 1, 4, f);
  fclose(f);
  if (got != 4 || memcmp(magic, "\177ELF", 4) != 0)
    return ab_fail(err, "allocator %s: %s is not a shared library (no ELF header)", name, path);
  return 0;
}

/* File names outrank folders: the preferred build of a library anywhere
 * beats a less preferred one in an earlier folder. */
static char *ab_alloc_search(size_t k, const char *const *dirs) {
  for (const char *const *f = ab_alloc_known[k].files; *f; f++)
    for (const char *const *d = dirs; *d; d++) {
      char *path = ab_xasprintf("%s/%s", *d, *f);
      if (access(path, R_OK) == 0) return path;
      free(path);
    }
  for (const char *const *d = dirs; *d; d++) {
    char *pattern = ab_xasprintf("%s/%s.so*", *d, ab_alloc_known[k].stem);
    glob_t g;
    char *found = NULL;
    if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0) found = ab_xstrdup(g.gl_pathv[0]);
    globfree(&g);
    free(pattern);
    if (found) return found;
  }
  return NULL;
}

/* Index in ab_alloc_known, or -1 (glibc and segalloc are not in it). */
static long ab_alloc_known_index(const char *name) {
  for (size_t k = 0; k < AB_ALLOC_NKNOWN; k++)
    if (!strcmp(ab_alloc_known[k].name, name)) return (long)k;
  return -1;
}

static bool ab_alloc_is_known(const char *name) {
  return !strcmp(name, "glibc") || !strcmp(name, "segalloc") || ab_alloc_known_index(name) >= 0;
}

static int ab_alloc_resolve_known(const char *name, const ab_alloc_env_t *env, ab_allocator_t *out,
                                  ab_err_t *err) {
  const char *const *dirs = env->search_dirs ? env->search_dirs : ab_alloc_default_dirs;
  out->name = ab_xstrdup(name);
  if (strcmp(name, "glibc") == 0) {
    out->path = ab_xstrdup("");
    return 0;
  }
  if (strcmp(name, "segalloc") == 0) {
    const char *p = env->segalloc_path ? env->segalloc_path : "";
    if (*p && access(p, R_OK) == 0) out->path = ab_xstrdup(p);
    else
      out->looked = ab_xasprintf("looked for %s; build it (cmake --build build --target segalloc) "
                                 "or pass --segalloc PATH", *p ? p : "libsegalloc.so");
    return 0;
  }
  long k = ab_alloc_known_index(name);
  if (k >= 0) {
    out->path = ab_alloc_search((size_t)k, dirs);
    if (!out->path)
      out->looked = ab_xasprintf("looked in %s and other library folders; install the Debian "
                                 "package %s or pass %s=/path/to/lib.so",
                                 dirs[0], ab_alloc_known[k].package, name);
    return 0;
  }
  free(out->name);
  out->name = NULL;
  return ab_fail(err, "unknown allocator '%s': use one of %s, or name=/path/to/lib.so", name,
                 AB_ALLOC_DEFAULT_LIST);
}

/* "VAR=" with VAR a shell variable name: the start of a setting. */
static bool ab_alloc_is_setting(const char *word) {
  size_t n = strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
  return n > 0 && !(word[0] >= '0' && word[0] <= '9') && word[n] == '=';
}

/* Splits "base+VAR=value+VAR=value" into the base and the settings. A '+'
 * not followed by VAR= belongs to what comes before it (a path or a value
 * with a '+' in it). */
static char *ab_alloc_split_settings(const char *rest, ab_strv_t *settings) {
  ab_strv_t words = {0};
  ab_strv_split(&words, rest, '+');
  ab_buf_t base = {0};
  ab_buf_puts(&base, words.v[0]);
  for (size_t i = 1; i < words.n; i++) {
    if (ab_alloc_is_setting(words.v[i])) {
      ab_strv_push(settings, words.v[i]);
      continue;
    }
    if (settings->n == 0) ab_buf_printf(&base, "+%s", words.v[i]);
    else ab_strv_extend_last(settings, "+", words.v[i]);
  }
  ab_strv_free(&words);
  return base.s;
}

/* name=base: a known allocator under another name, or a library path. */
static int ab_alloc_resolve_base(const char *name, const char *base, const ab_alloc_env_t *env,
                                 ab_allocator_t *out, ab_err_t *err) {
  if (ab_alloc_is_known(base)) {
    if (ab_alloc_resolve_known(base, env, out, err) < 0) return -1;
    free(out->name);
    out->name = ab_xstrdup(name);
    return 0;
  }
  if (!strchr(base, '/') && access(base, F_OK) != 0)
    return ab_fail(err, "allocator %s: unknown allocator '%s': use one of %s, or a library path",
                   name, base, AB_ALLOC_DEFAULT_LIST);
  out->name = ab_xstrdup(name);
  char *path = ab_abs_path(base); /* LD_PRELOAD is read in the run's own folder */
  if (ab_alloc_check_library(out->name, path, err) < 0) {
    free(path);
    return -1;
  }
  out->path = path;
  return 0;
}

int ab_alloc_resolve(const char *spec, const ab_alloc_env_t *env, ab_allocator_t *out,
                     ab_err_t *err) {
  *out = (ab_allocator_t){0};
  const char *eq = strchr(spec, '=');
  size_t name_len = eq ? (size_t)(eq - spec) : strlen(spec);
  if (!ab_alloc_name_ok(spec, name_len))
    return ab_fail(err, "bad allocator name '%.*s': use letters, digits, '_', '.', '+', '-'",
                   (int)name_len, spec);
  if (!eq) return ab_alloc_resolve_known(spec, env, out, err);
  if (strncmp(spec, "glibc=", 6) == 0)
    return ab_fail(err, "glibc is the C library's own malloc and takes no path; pick another name");
  char *name = ab_xstrndup(spec, name_len);
  char *base = ab_alloc_split_settings(eq + 1, &out->env);
  int rc = *base ? ab_alloc_resolve_base(name, base, env, out, err)
                 : ab_fail(err, "allocator %s: nothing after '=': give a library path or one of %s",
                           name, AB_ALLOC_DEFAULT_LIST);
  if (rc < 0) ab_allocator_free(out);
  free(base);
  free(name);
  return rc;
}

void ab_alloc_run_env(const ab_allocator_t *a, const ab_strv_t *entry_env, ab_strv_t *out) {
  for (size_t i = 0; entry_env && i < entry_env->n; i++) {
    const char *e = entry_env->v[i];
    size_t len = strcspn(e, "=");
    bool overridden = false;
    for (size_t k = 0; k < a->env.n && !overridden; k++)
      overridden = strncmp(a->env.v[k], e, len + 1) == 0;
    if (!overridden) ab_strv_push(out, e);
  }
  for (size_t k = 0; k < a->env.n; k++) ab_strv_push(out, a->env.v[k]);
}

int ab_alloc_index(const ab_allocators_t *list, const char *name) {
  for (size_t i = 0; i < list->n; i++)
    if (strcmp(list->v[i].name, name) == 0) return (int)i;
  return -1;
}

/* Adds one resolved allocator, or explains why it cannot be used. */
static int ab_alloc_take(ab_allocators_t *out, ab_allocator_t *a, bool explicit_list,
                         ab_err_t *err) {
  if (ab_alloc_index(out, a->name) >= 0) {
    int rc = ab_fail(err, "allocator '%s' is listed twice", a->name);
    ab_allocator_free(a);
    return rc;
  }
  if (!a->path) {
    int rc = 0;
    if (explicit_list) rc = ab_fail(err, "allocator %s not found: %s", a->name, a->looked);
    else ab_warn("skipping allocator %s: not found (%s)", a->name, a->looked);
    ab_allocator_free(a);
    return rc;
  }
  out->v = ab_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
  out->v[out->n++] = *a;
  return 0;
}

/* Splits a list at its commas, but keeps a comma that cannot end a spec:
 * one inside a variant's value, followed by what no allocator name looks
 * like (jemalloc's MALLOC_CONF=narenas:1,tcache:false). */
static void ab_alloc_split_list(const char *list, ab_strv_t *specs) {
  ab_strv_t pieces = {0};
  ab_strv_split(&pieces, list, ',');
  for (size_t i = 0; i < pieces.n; i++) {
    const char *p = pieces.v[i];
    bool in_value = specs->n > 0 && strchr(specs->v[specs->n - 1], '+') != NULL &&
                    !ab_alloc_name_ok(p, strcspn(p, "="));
    if (in_value) ab_strv_extend_last(specs, ",", p);
    else ab_strv_push(specs, p);
  }
  ab_strv_free(&pieces);
}

int ab_alloc_select(const char *list, bool explicit_list, const ab_alloc_env_t *env,
                    ab_allocators_t *out, ab_err_t *err) {
  *out = (ab_allocators_t){0};
  ab_strv_t specs = {0};
  ab_alloc_split_list(list, &specs);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < specs.n; i++) {
    ab_allocator_t a;
    rc = ab_alloc_resolve(specs.v[i], env, &a, err);
    if (rc == 0) rc = ab_alloc_take(out, &a, explicit_list, err);
  }
  ab_strv_free(&specs);
  if (rc == 0 && out->n == 0) rc = ab_fail(err, "no allocator left to run: see --list");
  if (rc < 0) ab_allocators_free(out);
  return rc;
}

void ab_alloc_print_known(FILE *out, const ab_alloc_env_t *env) {
  ab_strv_t names = {0};
  ab_strv_split(&names, AB_ALLOC_DEFAULT_LIST, ',');
  for (size_t i = 0; i < names.n; i++) {
    ab_allocator_t a;
    if (ab_alloc_resolve(names.v[i], env, &a, NULL) < 0) continue;
    if (!a.path) fprintf(out, "  %-10s not found: %s\n", a.name, a.looked);
    else if (!*a.path) fprintf(out, "  %-10s the C library's malloc (no preload)\n", a.name);
    else fprintf(out, "  %-10s %s\n", a.name, a.path);
    ab_allocator_free(&a);
  }
  ab_strv_free(&names);
}

void ab_allocator_free(ab_allocator_t *a) {
  free(a->name);
  free(a->path);
  free(a->looked);
  ab_strv_free(&a->env);
  *a = (ab_allocator_t){0};
}

void ab_allocators_free(ab_allocators_t *list) {
  for (size_t i = 0; i < list->n; i++) ab_allocator_free(&list->v[i]);
  free(list->v);
  *list = (ab_allocators_t){0};
}
