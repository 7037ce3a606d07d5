/* allocbench: suite file parsing. */
#include "suite.h"


#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "paths.h"

/* Settings that apply to the entries written after them. */
typedef struct ab_suite_state_s {
  int *threads;
  size_t n_threads;
  double timeout_s;
  bool cdf, instructions;
  const char *origin;
  int line;
} ab_suite_state_t;

static int ab_suite_error(const ab_suite_state_t *st, ab_err_t *err, const char *what) {
  return ab_fail(err, "%s:%d: %s", st->origin, st->line, what);
}

int ab_suite_tokenize(const char *line, ab_strv_t *words, ab_err_t *err) {
  const char *p = line;
  for (;;) {
    p += strspn(p, " \t\r\n");
    if (*p == '\0' || *p == '#') return 0;
    ab_buf_t w = {0};
    ab_buf_puts(&w, "");
    while (*p && !strchr(" \t\r\n", *p)) {
      if (*p != '"') {
        ab_buf_append(&w, p++, 1);
        continue;
      }
      for (p++; *p != '"'; p++) {
        if (*p == '\0') {
          ab_buf_free(&w);
          return ab_fail(err, "unterminated \"quote\"");
        }
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) p++;
        ab_buf_append(&w, p, 1);
      }
      p++;
    }
    ab_strv_push_owned(words, w.s);
  }
}

static int ab_suite_positive(const ab_suite_state_t *st, const ab_strv_t *w, long max, int *out,
                             ab_err_t *err) {
  long v;
  if (w->n != 2 || !ab_parse_long(w->v[1], &v) || v < 1 || v > max)
    return ab_fail(err, "%s:%d: '%s' needs one whole number from 1 to %ld", st->origin, st->line,
                   w->v[0], max);
  *out = (int)v;
  return 0;
}

static int ab_suite_once(const ab_suite_state_t *st, bool already, const char *what,
                         ab_err_t *err) {
  if (!already) return 0;
  return ab_fail(err, "%s:%d: '%s' is given twice", st->origin, st->line, what);
}

static ab_entry_t *ab_suite_new_entry(ab_suite_t *s, ab_entry_kind_t kind,
                                      const ab_suite_state_t *st) {
  s->entries = ab_xrealloc(s->entries, (s->n_entries + 1) * sizeof *s->entries);
  ab_entry_t *e = &s->entries[s->n_entries++];
  *e = (ab_entry_t){.kind = kind, .cdf = st->cdf, .instructions = st->instructions,
                    .timeout_s = st->timeout_s, .line = st->line};
  e->threads = ab_xmalloc(st->n_threads * sizeof *e->threads);
  memcpy(e->threads, st->threads, st->n_threads * sizeof *e->threads);
  e->n_threads = st->n_threads;
  return e;
}

/* A workload name becomes a path under workloads/: keep it a plain name. */
static bool ab_suite_name_ok(const char *name) {
  return *name && strlen(name) < 64 &&
         strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") ==
             strlen(name) &&
         name[0] != '.';
}

static int ab_suite_workload(ab_suite_t *s, const ab_strv_t *w, ab_entry_kind_t kind,
                             const ab_suite_state_t *st, ab_err_t *err) {
  if (w->n < 2 || !ab_suite_name_ok(w->v[1]))
    return ab_suite_error(st, err, "needs a workload name (letters, digits, '_', '-', '.')");
  for (size_t i = 2; i < w->n; i++)
    if (strcmp(w->v[i], "--threads") == 0 || strcmp(w->v[i], "--latency-cdf") == 0)
      return ab_fail(err, "%s:%d: leave %s out: the harness adds it (see 'threads' and 'cdf')",
                     st->origin, st->line, w->v[i]);
  /* A timed workload's count grows with its speed; fixed-work counts are
   * 'callgrind' entries (for --check). */
  if (st->instructions && kind == AB_ENTRY_WORKLOAD)
    return ab_suite_error(st, err, "'instructions on' counts program entries only: put "
                                   "'instructions off' before this workload");
  ab_entry_t *e = ab_suite_new_entry(s, kind, st);
  e->name = ab_xstrdup(w->v[1]);
  for (size_t i = 2; i < w->n; i++) ab_strv_push(&e->args, w->v[i]);
  return 0;
}

static int ab_suite_program(ab_suite_t *s, const ab_strv_t *w, const ab_suite_state_t *st,
                            ab_err_t *err) {
  size_t i = 3;
  while (i < w->n && strchr(w->v[i], '=') && w->v[i][0] != '=' && w->v[i][0] != '{') i++;
  if (w->n < 4 || i == w->n || !ab_suite_name_ok(w->v[1]))
    return ab_suite_error(st, err, "use: program LABEL PACKAGE [VAR=value..] COMMAND [ARGS..]");
  ab_entry_t *e = ab_suite_new_entry(s, AB_ENTRY_PROGRAM, st);
  e->name = ab_xstrdup(w->v[1]);
  e->package = ab_xstrdup(w->v[2]);
  for (size_t k = 3; k < i; k++) ab_strv_push(&e->env, w->v[k]);
  for (size_t k = i; k < w->n; k++) ab_strv_push(&e->args, w->v[k]);
  return 0;
}

static int ab_suite_setup(ab_suite_t *s, const ab_strv_t *w, const ab_suite_state_t *st,
                          ab_err_t *err) {
  if (w->n < 2) return ab_suite_error(st, err, "use: setup COMMAND [ARGS..]");
  s->setups = ab_xrealloc(s->setups, (s->n_setups + 1) * sizeof *s->setups);
  ab_strv_t *cmd = &s->setups[s->n_setups++];
  *cmd = (ab_strv_t){0};
  for (size_t i = 1; i < w->n; i++) ab_strv_push(cmd, w->v[i]);
  return 0;
}

static int ab_suite_threads(ab_suite_state_t *st, const ab_strv_t *w, ab_err_t *err) {
  int *list;
  size_t n;
  if (w->n != 2 || !ab_parse_int_list(w->v[1], 1, 1024, &list, &n))
    return ab_suite_error(st, err, "use: threads LIST (distinct counts 1..1024, e.g. 1,2,4)");
  free(st->threads);
  st->threads = list;
  st->n_threads = n;
  return 0;
}

static int ab_suite_settings(ab_suite_state_t *st, const ab_strv_t *w, ab_err_t *err) {
  const char *d = w->v[0];
  if (strcmp(d, "threads") == 0) return ab_suite_threads(st, w, err);
  if (strcmp(d, "timeout") == 0) {
    if (w->n != 2 || !ab_parse_double(w->v[1], &st->timeout_s) || st->timeout_s <= 0 ||
        st->timeout_s > 86400)
      return ab_suite_error(st, err, "use: timeout SECONDS (more than 0, at most 86400)");
    return 0;
  }
  bool *flag = strcmp(d, "cdf") == 0 ? &st->cdf : &st->instructions;
  if (w->n != 2 || (strcmp(w->v[1], "on") != 0 && strcmp(w->v[1], "off") != 0))
    return ab_suite_error(st, err, flag == &st->cdf ? "use: cdf on|off" : "use: instructions on|off");
  *flag = strcmp(w->v[1], "on") == 0;
  return 0;
}

static int ab_suite_globals(ab_suite_t *s, const ab_strv_t *w, const ab_suite_state_t *st,
                            ab_err_t *err) {
  const char *d = w->v[0];
  if (strcmp(d, "allocators") == 0) {
    if (ab_suite_once(st, s->allocators != NULL, d, err) < 0) return -1;
    if (w->n != 2) return ab_suite_error(st, err, "use: allocators a,b,c");
    s->allocators = ab_xstrdup(w->v[1]);
    return 0;
  }
  int *slot = strcmp(d, "reps") == 0 ? &s->reps : strcmp(d, "warmup") == 0 ? &s->warmup : &s->runs;
  if (ab_suite_once(st, *slot > 0, d, err) < 0) return -1;
  return ab_suite_positive(st, w, 1000, slot, err);
}

static int ab_suite_directive(ab_suite_t *s, const ab_strv_t *w, ab_suite_state_t *st,
                              ab_err_t *err) {
  const char *d = w->v[0];
  if (strcmp(d, "workload") == 0) return ab_suite_workload(s, w, AB_ENTRY_WORKLOAD, st, err);
  if (strcmp(d, "callgrind") == 0) return ab_suite_workload(s, w, AB_ENTRY_CALLGRIND, st, err);
  if (strcmp(d, "program") == 0) return ab_suite_program(s, w, st, err);
  if (strcmp(d, "setup") == 0) return ab_suite_setup(s, w, st, err);
  if (!strcmp(d, "threads") || !strcmp(d, "timeout") || !strcmp(d, "cdf") || !strcmp(d, "instructions"))
    return ab_suite_settings(st, w, err);
  if (!strcmp(d, "reps") || !strcmp(d, "warmup") || !strcmp(d, "runs") || !strcmp(d, "allocators"))
    return ab_suite_globals(s, w, st, err);
  return ab_fail(err, "%s:%d: unknown directive '%s' (see harness/README.md, 'Suite files')",
                 st->origin, st->line, d);
}

int ab_suite_parse(const char *text, const char *origin, ab_suite_t *suite, ab_err_t *err) {
  *suite = (ab_suite_t){0};
  suite->path = ab_xstrdup(origin);
  char *copy = ab_xstrdup(origin);
  suite->dir = ab_xstrdup(dirname(copy));
  free(copy);
  ab_suite_state_t st = {.timeout_s = 60, .origin = origin};
  ab_parse_int_list("1", 1, 1, &st.threads, &st.n_threads);
  int rc = 0;
  for (const char *line = text; rc == 0 && line && *line;) {
    st.line++;
    const char *nl = strchr(line, '\n');
    char *one = ab_xstrndup(line, nl ? (size_t)(nl - line) : strlen(line));
    ab_strv_t words = {0};
    ab_err_t why;
    if (ab_suite_tokenize(one, &words, &why) < 0) rc = ab_suite_error(&st, err, why.msg);
    else if (words.n > 0) rc = ab_suite_directive(suite, &words, &st, err);
    ab_strv_free(&words);
    free(one);
    line = nl ? nl + 1 : NULL;
  }
  free(st.threads);
  if (rc == 0 && suite->n_entries == 0)
    rc = ab_fail(err, "%s: no workload, callgrind or program entry", origin);
  if (rc < 0) ab_suite_free(suite);
  if (rc == 0 && suite->reps == 0) suite->reps = 3;
  if (rc == 0 && suite->warmup == 0) suite->warmup = 1;
  if (rc == 0 && suite->runs == 0) suite->runs = 3;
  return rc;
}

int ab_suite_load(const char *path, ab_suite_t *suite, ab_err_t *err) {
  char *text = ab_read_file(path, err);
  if (!text) return ab_fail(err, "cannot read suite %s: %s", path, strerror(errno));
  int rc = ab_suite_parse(text, path, suite, err);
  free(text);
  if (rc == 0) {
    /* {suites} is used from the data folder: it must not be relative. */
    char *abs = ab_abs_path(suite->dir);
    free(suite->dir);
    suite->dir = abs;
  }
  return rc;
}

void ab_suite_add_workload(ab_suite_t *suite, const char *name) {
  int one = 1;
  ab_suite_state_t st = {.threads = &one, .n_threads = 1, .timeout_s = 60};
  ab_entry_t *e = ab_suite_new_entry(suite, AB_ENTRY_WORKLOAD, &st);
  e->name = ab_xstrdup(name);
}

static void ab_entry_free(ab_entry_t *e) {
  free(e->name);
  free(e->package);
  free(e->threads);
  ab_strv_free(&e->args);
  ab_strv_free(&e->env);
}

void ab_suite_free(ab_suite_t *suite) {
  for (size_t i = 0; i < suite->n_entries; i++) ab_entry_free(&suite->entries[i]);
  for (size_t i = 0; i < suite->n_setups; i++) ab_strv_free(&suite->setups[i]);
  free(suite->entries);
  free(suite->setups);
  free(suite->path);
  free(suite->dir);
  free(suite->allocators);
  *suite = (ab_suite_t){0};
}

char *ab_suite_expand(const char *word, const char *data_dir, const char *suites_dir) {
  ab_buf_t b = {0};
  ab_buf_puts(&b, "");
  for (const char *p = word; *p;) {
    if (strncmp(p, "{data}", 6) == 0) {
      ab_buf_puts(&b, data_dir);
      p += 6;
    } else if (strncmp(p, "{suites}", 8) == 0) {
      ab_buf_puts(&b, suites_dir);
      p += 8;
    } else {
      ab_buf_append(&b, p++, 1);
    }
  }
  return b.s;
}
