/* allocbench: small shared helpers (allocation that cannot fail quietly,
 * error values, growable strings and string lists). */
#ifndef AB_UTIL_H
#define AB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit codes of allocbench, shared by every module that decides one. */
enum { AB_EXIT_OK = 0, AB_EXIT_REGRESSION = 1, AB_EXIT_USAGE = 2 };

/* A one-line error message filled by the function that failed, so the
 * caller that owns the exit code decides what to do with it. */
typedef struct ab_err_s {
  char msg[768];
} ab_err_t;

/* Formats the message into err (when not NULL) and returns -1. */
int ab_fail(ab_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ab_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *ab_xmalloc(size_t n);
void *ab_xcalloc(size_t count, size_t n);
void *ab_xrealloc(void *p, size_t n);
char *ab_xstrdup(const char *s);
char *ab_xstrndup(const char *s, size_t n);
char *ab_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable NUL-terminated string. */
typedef struct ab_buf_s {
  char *s;
  size_t len, cap;
} ab_buf_t;

void ab_buf_append(ab_buf_t *b, const char *s, size_t n);
void ab_buf_puts(ab_buf_t *b, const char *s);
void ab_buf_printf(ab_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ab_buf_free(ab_buf_t *b);

/* Growable list of owned strings, kept NULL-terminated so it can be an argv. */
typedef struct ab_strv_s {
  char **v;
  size_t n, cap;
} ab_strv_t;

void ab_strv_push(ab_strv_t *sv, const char *s);
void ab_strv_push_owned(ab_strv_t *sv, char *s);
void ab_strv_free(ab_strv_t *sv);
bool ab_strv_contains(const ab_strv_t *sv, const char *s);
/* Splits s at every sep; empty items are kept so callers can reject them. */
void ab_strv_split(ab_strv_t *out, const char *s, char sep);
char *ab_strv_join(const ab_strv_t *sv, const char *sep);
/* The last element becomes last + sep + s (the vector must not be empty). */
void ab_strv_extend_last(ab_strv_t *sv, const char *sep, const char *s);

/* Strict number parsing: the whole string must be the number (finite). */
bool ab_parse_long(const char *s, long *out);
bool ab_parse_double(const char *s, double *out);
/* "1,2,4" or "0-3,8": distinct integers in [min, max], in the order given.
 * Returns false (and *out NULL) on anything else. */
bool ab_parse_int_list(const char *s, int min, int max, int **out, size_t *n);

#endif
