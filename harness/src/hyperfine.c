/* allocbench: hyperfine command line and JSON export. The export is
 * machine-written with a fixed shape, so a scan for the few keys we need is
 * enough; anything unexpected is reported as malformed. */
#include "hyperfine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Points just after "key": (with blanks), or NULL. */
static const char *ab_json_after_key(const char *json, const char *key) {
  char *quoted = ab_xasprintf("\"%s\"", key);
  const char *p = strstr(json, quoted);
  size_t len = strlen(quoted);
  free(quoted);
  if (!p) return NULL;
  p += len;
  p += strspn(p, " \t\r\n");
  if (*p != ':') return NULL;
  p++;
  return p + strspn(p, " \t\r\n");
}

static int ab_json_number(const char *json, const char *key, double *out, ab_err_t *err) {
  const char *p = ab_json_after_key(json, key);
  char *end = NULL;
  if (p) *out = strtod(p, &end);
  if (!p || end == p) return ab_fail(err, "hyperfine JSON: no number for \"%s\"", key);
  return 0;
}

/* Walks the array after key, counting items and noting exit codes. */
static int ab_json_exit_codes(const char *json, ab_hyperfine_stats_t *out, ab_err_t *err) {
  const char *p = ab_json_after_key(json, "exit_codes");
  if (!p || *p != '[') return ab_fail(err, "hyperfine JSON: no \"exit_codes\" array");
  for (p++;;) {
    p += strspn(p, " \t\r\n,");
    if (*p == ']') return 0;
    if (strncmp(p, "null", 4) == 0) {
      out->killed = true;
      out->runs++;
      p += 4;
      continue;
    }
    char *end;
    long code = strtol(p, &end, 10);
    if (end == p) return ab_fail(err, "hyperfine JSON: bad item in \"exit_codes\"");
    if (code != 0 && out->failed_exit == 0) out->failed_exit = (int)code;
    out->runs++;
    p = end;
  }
}

int ab_hyperfine_parse(const char *json, ab_hyperfine_stats_t *out, ab_err_t *err) {
  *out = (ab_hyperfine_stats_t){0};
  const char *results = ab_json_after_key(json, "results");
  if (!results || *results != '[') return ab_fail(err, "hyperfine JSON: no \"results\" array");
  struct { const char *key; double *slot; } keys[] = {
      {"mean", &out->mean}, {"median", &out->median}, {"min", &out->min},
      {"max", &out->max},   {"user", &out->user},     {"system", &out->system}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (ab_json_number(results, keys[i].key, keys[i].slot, err) < 0) return -1;
  if (ab_json_exit_codes(results, out, err) < 0) return -1;
  return 0;
}

char *ab_hyperfine_command(char *const *words) {
  ab_buf_t b = {0};
  ab_buf_puts(&b, "");
  for (size_t i = 0; words[i]; i++) {
    if (i) ab_buf_puts(&b, " ");
    ab_buf_puts(&b, "'");
    for (const char *p = words[i]; *p; p++) {
      if (*p == '\'') ab_buf_puts(&b, "'\\''");
      else ab_buf_append(&b, p, 1);
    }
    ab_buf_puts(&b, "'");
  }
  return b.s;
}

void ab_hyperfine_argv(const char *hyperfine, int warmup, int runs, const char *json,
                       const char *command, ab_strv_t *argv) {
  ab_strv_push(argv, hyperfine);
  ab_strv_push(argv, "-N"); /* no shell: time the program, not sh */
  ab_strv_push(argv, "--warmup");
  ab_strv_push_owned(argv, ab_xasprintf("%d", warmup));
  ab_strv_push(argv, "--runs");
  ab_strv_push_owned(argv, ab_xasprintf("%d", runs));
  ab_strv_push(argv, "--export-json");
  ab_strv_push(argv, json);
  ab_strv_push(argv, "-i"); /* a failing run is recorded, not fatal */
  ab_strv_push(argv, "--style");
  ab_strv_push(argv, "none");
  ab_strv_push(argv, command);
}
