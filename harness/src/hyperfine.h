/* allocbench: hyperfine's command line and its --export-json output. */
#ifndef AB_HYPERFINE_H
#define AB_HYPERFINE_H

#include "util.h"

typedef struct ab_hyperfine_stats_s {
  double mean, median, min, max, user, system; /* seconds */
  size_t runs;
  int failed_exit;  /* first non-zero exit code; 0 when all were 0 */
  bool killed;      /* a run ended without an exit code (a signal) */
} ab_hyperfine_stats_t;

/* Reads the first result of hyperfine's JSON export. */
int ab_hyperfine_parse(const char *json, ab_hyperfine_stats_t *out, ab_err_t *err);

/* Quotes words for hyperfine's -N (no shell) splitting, POSIX style. */
char *ab_hyperfine_command(char *const *words);

/* argv for: hyperfine -N --warmup W --runs R --export-json JSON -i
 * --style none "command". */
void ab_hyperfine_argv(const char *hyperfine, int warmup, int runs, const char *json,
                       const char *command, ab_strv_t *argv);

#endif
