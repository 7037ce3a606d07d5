/* allocbench: the workload RESULT line (see DESIGN.md, "The harness"):
 *   RESULT workload=<name> threads=<n> ops=<n> seconds=<f> ops_per_s=<f>
 *          live_peak_bytes=<n> [xfree_p50_ns=.. xfree_p99_ns=.. xfree_p999_ns=..
 *          xfree_max_ns=..] [end_rss_kib=.. (or rss_end_kib=..)] [other_key=value ...]
 * end_rss_kib, when given, replaces the harness's last RSS sample as the
 * run's end RSS: the workload knows when its work ended. */
#ifndef AB_RESULT_LINE_H
#define AB_RESULT_LINE_H

#include "util.h"

typedef struct ab_result_s {
  char *workload;
  long threads;
  double ops, seconds, ops_per_s, live_peak_bytes;
  /* Optional figures: NaN when the workload did not report them. */
  double xfree_p50_ns, xfree_p99_ns, xfree_p999_ns, xfree_max_ns;
  double end_rss_kib;
  ab_strv_t extra_keys, extra_values; /* any other key=value pairs, in order */
} ab_result_t;

/* Parses one line that starts with "RESULT ". Rejects (with the reason in
 * err): tokens without '=', empty keys or values, repeated keys, a missing
 * mandatory key, and numbers that do not parse or are negative. */
int ab_result_parse_line(const char *line, ab_result_t *out, ab_err_t *err);

/* Finds the RESULT line in a workload's whole stdout and parses it. No
 * RESULT line, or more than one, is an error. */
int ab_result_find(const char *output, ab_result_t *out, ab_err_t *err);

void ab_result_free(ab_result_t *r);

#endif
