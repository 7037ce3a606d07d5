/* allocbench: the workload RESULT line parser. */
#include "result_line.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AB_RESULT_PREFIX "RESULT "

/* Numeric keys the harness maps onto CSV columns. */
static double *ab_result_slot(ab_result_t *r, const char *key) {
  struct { const char *key; double *slot; } slots[] = {
      {"ops", &r->ops},
      {"seconds", &r->seconds},
      {"ops_per_s", &r->ops_per_s},
      {"live_peak_bytes", &r->live_peak_bytes},
      {"xfree_p50_ns", &r->xfree_p50_ns},
      {"xfree_p99_ns", &r->xfree_p99_ns},
      {"xfree_p999_ns", &r->xfree_p999_ns},
      {"xfree_max_ns", &r->xfree_max_ns},
      {"end_rss_kib", &r->end_rss_kib},
      {"rss_end_kib", &r->end_rss_kib}, /* fragment's name for the same figure */
  };
  for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
    if (strcmp(slots[i].key, key) == 0) return slots[i].slot;
  }
  return NULL;
}

static bool ab_result_key_ok(const char *k, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++)
    if (!(k[i] == '_' || (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
          (k[i] >= '0' && k[i] <= '9')))
      return false;
  return true;
}

static void ab_result_init(ab_result_t *r) {
  *r = (ab_result_t){0};
  r->threads = -1;
  r->ops = r->seconds = r->ops_per_s = r->live_peak_bytes = NAN;
  r->xfree_p50_ns = r->xfree_p99_ns = r->xfree_p999_ns = r->xfree_max_ns = NAN;
  r->end_rss_kib = NAN;
}

/* Stores one key=value pair; rejects what the protocol does not allow. */
static int ab_result_store(ab_result_t *r, const char *key, const char *value, ab_strv_t *seen,
                           ab_err_t *err) {
  if (ab_strv_contains(seen, key)) return ab_fail(err, "key '%s' appears twice", key);
  ab_strv_push(seen, key);
  if (strcmp(key, "workload") == 0) {
    r->workload = ab_xstrdup(value);
    return 0;
  }
  if (strcmp(key, "threads") == 0) {
    if (!ab_parse_long(value, &r->threads) || r->threads < 1)
      return ab_fail(err, "threads=%s is not a positive integer", value);
    return 0;
  }
  double *slot = ab_result_slot(r, key);
  if (!slot) {
    ab_strv_push(&r->extra_keys, key);
    ab_strv_push(&r->extra_values, value);
    return 0;
  }
  if (!ab_parse_double(value, slot) || *slot < 0)
    return ab_fail(err, "%s=%s is not a non-negative number", key, value);
  return 0;
}

static int ab_result_check_complete(const ab_strv_t *seen, ab_err_t *err) {
  static const char *const required[] = {"workload", "threads", "ops", "seconds", "ops_per_s",
                                         "live_peak_bytes"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!ab_strv_contains(seen, required[i]))
      return ab_fail(err, "mandatory key '%s' is missing", required[i]);
  return 0;
}

int ab_result_parse_line(const char *line, ab_result_t *out, ab_err_t *err) {
  ab_result_init(out);
  if (strncmp(line, AB_RESULT_PREFIX, strlen(AB_RESULT_PREFIX)) != 0)
    return ab_fail(err, "line does not start with 'RESULT '");
  ab_strv_t seen = {0};
  int rc = 0;
  const char *p = line + strlen(AB_RESULT_PREFIX);
  while (rc == 0) {
    p += strspn(p, " \t\r");
    if (*p == '\0' || *p == '\n') break;
    size_t len = strcspn(p, " \t\r\n");
    char *token = ab_xstrndup(p, len);
    p += len;
    char *eq = strchr(token, '=');
    if (!eq || !ab_result_key_ok(token, (size_t)(eq - token)) || eq[1] == '\0') {
      rc = ab_fail(err, "token '%s' is not key=value", token);
    } else {
      *eq = '\0';
      rc = ab_result_store(out, token, eq + 1, &seen, err);
    }
    free(token);
  }
  if (rc == 0) rc = ab_result_check_complete(&seen, err);
  ab_strv_free(&seen);
  if (rc < 0) ab_result_free(out);
  return rc;
}

int ab_result_find(const char *output, ab_result_t *out, ab_err_t *err) {
  const char *found = NULL;
  for (const char *line = output; line && *line;) {
    if (strncmp(line, AB_RESULT_PREFIX, strlen(AB_RESULT_PREFIX)) == 0) {
      if (found) {
        ab_result_init(out);
        return ab_fail(err, "more than one RESULT line");
      }
      found = line;
    }
    line = strchr(line, '\n');
    if (line) line++;
  }
  if (!found) {
    ab_result_init(out);
    return ab_fail(err, "no RESULT line on stdout");
  }
  return ab_result_parse_line(found, out, err);
}

void ab_result_free(ab_result_t *r) {
  free(r->workload);
  ab_strv_free(&r->extra_keys);
  ab_strv_free(&r->extra_values);
  ab_result_init(r);
}
