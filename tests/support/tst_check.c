#include "tst_check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *tst_current_name = "test";

void tst_init(const char *test_name) { tst_current_name = test_name; }

const char *tst_name(void) { return tst_current_name; }

/* One write(2) per message: lines from several threads (or a forked child)
 * never interleave, and no stdio lock is needed, which matters after fork. */
static void tst_write_line(const char *prefix, const char *fmt, va_list ap) {
  char line[1024];
  int n = snprintf(line, sizeof line, "%s: %s", tst_current_name, prefix);
  if (n < 0 || (size_t)n >= sizeof line) n = 0;
  int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  if (m < 0) m = 0;
  size_t len = (size_t)n + (size_t)m;
  if (len > sizeof line - 2) len = sizeof line - 2;
  line[len++] = '\n';
  ssize_t ignored = write(STDERR_FILENO, line, len);
  (void)ignored;
}

void tst_fail(const char *fmt, ...) {
  /* What the test already printed (its progress line) explains the failure;
   * _exit would drop it from a pipe's buffer. */
  fflush(stdout);
  va_list ap;
  va_start(ap, fmt);
  tst_write_line("FAIL: ", fmt, ap);
  va_end(ap);
  _exit(1);
}

void tst_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  tst_write_line("", fmt, ap);
  va_end(ap);
  _exit(2);
}

uint64_t tst_arg_u64(int argc, char **argv, int index, const char *what,
                     uint64_t fallback, uint64_t min, uint64_t max) {
  if (argc <= index) return fallback;
  const char *text = argv[index];
  char *end = NULL;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
    tst_usage_error("%s must be a whole number, got '%s'", what, text);
  if (value < min || value > max)
    tst_usage_error("%s must be between %" PRIu64 " and %" PRIu64 ", got %llu", what, min, max,
                    value);
  return value;
}
