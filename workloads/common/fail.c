#include "fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *wl_fail_name = "workload";

void wl_fail_set_program(const char *name) { wl_fail_name = name; }

/* The whole line is formatted first and written with one fputs, so that a
 * message from a failing thread is not interleaved with other output. */
__attribute__((noreturn)) static void wl_fail_exit(int code, const char *prefix,
                                                   const char *kind, const char *fmt,
                                                   va_list ap) {
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  char line[700];
  snprintf(line, sizeof line, "%s%s: %s%s\n", prefix, wl_fail_name, kind, msg);
  fputs(line, stderr);
  fflush(stderr);
  exit(code);
}

void wl_fail_usage(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wl_fail_exit(WL_EXIT_USAGE, "", "", fmt, ap);
}

/* "workload <name>: corruption ..." is the form the harness looks for. */
void wl_fail_corruption(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wl_fail_exit(WL_EXIT_CORRUPTION, "workload ", "corruption ", fmt, ap);
}

void wl_fail_system(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wl_fail_exit(WL_EXIT_SYSTEM, "", "", fmt, ap);
}

void wl_fail_out_of_memory(unsigned long long size) {
  wl_fail_system("malloc(%llu) returned NULL", size);
}
