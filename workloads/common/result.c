#include "result.h"

#include <stdarg.h>
#include <stdio.h>

#include "fail.h"

/* A key outside [a-z0-9_]+ is a bug in the workload, not in the input. */
static void wl_result_check_key(const char *key) {
  if (*key == '\0')
    wl_fail_system("internal error: empty RESULT key");
  for (const char *c = key; *c != '\0'; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
      wl_fail_system("internal error: bad RESULT key '%s'", key);
}

__attribute__((format(printf, 2, 3))) static void wl_result_append(wl_result_t *r,
                                                                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(r->line + r->len, sizeof r->line - r->len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof r->line - r->len)
    wl_fail_system("internal error: RESULT line too long");
  r->len += (size_t)n;
}

void wl_result_begin(wl_result_t *r, const char *workload, uint64_t threads, uint64_t ops,
                     double seconds, uint64_t live_peak_bytes) {
  r->len = 0;
  wl_result_append(r, "RESULT workload=%s", workload);
  wl_result_add_u64(r, "threads", threads);
  wl_result_add_u64(r, "ops", ops);
  wl_result_add_f64(r, "seconds", seconds);
  wl_result_add_f64(r, "ops_per_s", seconds > 0 ? (double)ops / seconds : 0.0);
  wl_result_add_u64(r, "live_peak_bytes", live_peak_bytes);
}

void wl_result_add_u64(wl_result_t *r, const char *key, uint64_t value) {
  wl_result_check_key(key);
  wl_result_append(r, " %s=%llu", key, (unsigned long long)value);
}

void wl_result_add_f64(wl_result_t *r, const char *key, double value) {
  wl_result_check_key(key);
  wl_result_append(r, " %s=%.6f", key, value);
}

void wl_result_print(const wl_result_t *r) {
  fputs(r->line, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}
