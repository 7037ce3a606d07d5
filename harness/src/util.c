/* allocbench: small shared helpers. */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ab_fail(ab_err_t *err, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return -1;
}

void ab_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("allocbench: warning: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* Out of memory in the runner is not a measurement result: stop loudly. */
static void *ab_oom_check(void *p) {
  if (!p) {
    fputs("allocbench: out of memory\n", stderr);
    abort();
  }
  return p;
}

void *ab_xmalloc(size_t n) { return ab_oom_check(malloc(n ? n : 1)); }
void *ab_xcalloc(size_t count, size_t n) { return ab_oom_check(calloc(count ? count : 1, n ? n : 1)); }
void *ab_xrealloc(void *p, size_t n) { return ab_oom_check(realloc(p, n ? n : 1)); }
char *ab_xstrdup(const char *s) { return ab_oom_check(strdup(s ? s : "")); }
char *ab_xstrndup(const char *s, size_t n) { return ab_oom_check(strndup(s, n)); }

char *ab_xasprintf(const char *fmt, ...) {
  va_list ap;
  char *out = NULL;
  va_start(ap, fmt);
  int rc = vasprintf(&out, fmt, ap);
  va_end(ap);
  return ab_oom_check(rc < 0 ? NULL : out);
}

static void ab_buf_reserve(ab_buf_t *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  b->s = ab_xrealloc(b->s, cap);
  b->cap = cap;
}

void ab_buf_append(ab_buf_t *b, const char *s, size_t n) {
  ab_buf_reserve(b, n);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void ab_buf_puts(ab_buf_t *b, const char *s) { ab_buf_append(b, s, strlen(s)); }

void ab_buf_printf(ab_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n <= 0) return;
  ab_buf_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void ab_buf_free(ab_buf_t *b) {
  free(b->s);
  *b = (ab_buf_t){0};
}

void ab_strv_push_owned(ab_strv_t *sv, char *s) {
  if (sv->n + 2 > sv->cap) {
    sv->cap = sv->cap ? sv->cap * 2 : 8;
    sv->v = ab_xrealloc(sv->v, sv->cap * sizeof *sv->v);
  }
  sv->v[sv->n++] = s;
  sv->v[sv->n] = NULL;
}

void ab_strv_push(ab_strv_t *sv, const char *s) { ab_strv_push_owned(sv, ab_xstrdup(s)); }

void ab_strv_free(ab_strv_t *sv) {
  for (size_t i = 0; i < sv->n; i++) free(sv->v[i]);
  free(sv->v);
  *sv = (ab_strv_t){0};
}

bool ab_strv_contains(const ab_strv_t *sv, const char *s) {
  for (size_t i = 0; i < sv->n; i++)
    if (strcmp(sv->v[i], s) == 0) return true;
  return false;
}

void ab_strv_split(ab_strv_t *out, const char *s, char sep) {
  const char *start = s;
  for (const char *p = s;; p++) {
    if (*p == sep || *p == '\0') {
      ab_strv_push_owned(out, ab_xstrndup(start, (size_t)(p - start)));
      if (*p == '\0') break;
      start = p + 1;
    }
  }
}

char *ab_strv_join(const ab_strv_t *sv, const char *sep) {
  ab_buf_t b = {0};
  ab_buf_puts(&b, "");
  for (size_t i = 0; i < sv->n; i++) {
    if (i) ab_buf_puts(&b, sep);
    ab_buf_puts(&b, sv->v[i]);
  }
  return b.s;
}

void ab_strv_extend_last(ab_strv_t *sv, const char *sep, const char *s) {
  char **last = &sv->v[sv->n - 1];
  char *joined = ab_xasprintf("%s%s%s", *last, sep, s);
  free(*last);
  *last = joined;
}

bool ab_parse_long(const char *s, long *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end) return false;
  *out = v;
  return true;
}

bool ab_parse_double(const char *s, double *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno == ERANGE || *end || !isfinite(v)) return false;
  *out = v;
  return true;
}

/* Adds v to the list unless it is out of range or already there. */
static bool ab_int_list_add(int **out, size_t *n, long v, int min, int max) {
  if (v < min || v > max) return false;
  for (size_t i = 0; i < *n; i++)
    if ((*out)[i] == v) return false;
  *out = ab_xrealloc(*out, (*n + 1) * sizeof **out);
  (*out)[(*n)++] = (int)v;
  return true;
}

static bool ab_int_list_item(const char *item, int min, int max, int **out, size_t *n) {
  const char *dash = strchr(item, '-');
  long lo, hi;
  if (!dash) return ab_parse_long(item, &lo) && ab_int_list_add(out, n, lo, min, max);
  char *first = ab_xstrndup(item, (size_t)(dash - item));
  bool ok = ab_parse_long(first, &lo) && ab_parse_long(dash + 1, &hi) && lo <= hi && hi - lo < 4096;
  free(first);
  for (long v = lo; ok && v <= hi; v++) ok = ab_int_list_add(out, n, v, min, max);
  return ok;
}

bool ab_parse_int_list(const char *s, int min, int max, int **out, size_t *n) {
  *out = NULL;
  *n = 0;
  ab_strv_t items = {0};
  ab_strv_split(&items, s ? s : "", ',');
  bool ok = true;
  for (size_t i = 0; ok && i < items.n; i++) ok = ab_int_list_item(items.v[i], min, max, out, n);
  ab_strv_free(&items);
  if (!ok) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return ok;
}
