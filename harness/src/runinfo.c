/* allocbench: run-info.txt. One "key: value" per line; an allocator line
 * holds its name, library path, version and settings separated by tabs. */
#include "runinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "files.h"

#define AB_RUNINFO_FILE "run-info.txt"
#define AB_RUNINFO_FIRST_LINE "# allocbench run description (read by allocbench --report)"

void ab_runinfo_collect(ab_runinfo_t *ri, const char *root, const ab_allocators_t *allocs) {
  char when[64];
  time_t now = time(NULL);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", localtime(&now));
  ri->started = ab_xstrdup(when);
  ab_sysinfo_collect(&ri->sys, root);
  ri->n_allocs = allocs->n;
  ri->allocs = ab_xcalloc(allocs->n ? allocs->n : 1, sizeof *ri->allocs);
  for (size_t i = 0; i < allocs->n; i++) {
    const ab_allocator_t *a = &allocs->v[i];
    ab_runinfo_alloc_t *o = &ri->allocs[i];
    o->name = ab_xstrdup(a->name);
    o->path = ab_xstrdup(a->path ? a->path : "");
    o->version = a->path && *a->path ? ab_sysinfo_library_version(a->path)
                                     : ab_xasprintf("glibc %s", ri->sys.glibc);
    o->settings = ab_strv_join(&a->env, " ");
  }
}

/* A value stays on its line: a newline or tab in it (a path, a command
 * argument) would split it when read back. */
static void ab_runinfo_put(ab_buf_t *b, const char *key, const char *value) {
  ab_buf_printf(b, "%s: ", key);
  for (const char *c = value ? value : ""; *c; c++)
    ab_buf_append(b, strchr("\t\n\r", *c) ? " " : c, 1);
  ab_buf_puts(b, "\n");
}

int ab_runinfo_write(const ab_runinfo_t *ri, const char *run_dir, ab_err_t *err) {
  ab_buf_t b = {0};
  ab_buf_puts(&b, AB_RUNINFO_FIRST_LINE "\n");
  ab_runinfo_put(&b, "suite", ri->suite_path);
  ab_runinfo_put(&b, "command", ri->command_line);
  ab_buf_printf(&b, "reps: %ld\nplanned_runs: %ld\n", ri->reps, ri->planned_runs);
  ab_runinfo_put(&b, "started", ri->started);
  ab_runinfo_put(&b, "cpu", ri->sys.cpu);
  ab_buf_printf(&b, "cores: %ld\nmem_mib: %ld\n", ri->sys.cores, ri->sys.mem_mib);
  ab_runinfo_put(&b, "kernel", ri->sys.kernel);
  ab_runinfo_put(&b, "os", ri->sys.os);
  ab_runinfo_put(&b, "glibc", ri->sys.glibc);
  ab_runinfo_put(&b, "commit", ri->sys.commit);
  for (size_t i = 0; i < ri->n_allocs; i++) {
    const ab_runinfo_alloc_t *a = &ri->allocs[i];
    char *line = ab_xasprintf("%s\t%s\t%s\t%s", a->name, a->path, a->version,
                              a->settings ? a->settings : "");
    ab_buf_printf(&b, "allocator: %s\n", line);
    free(line);
  }
  char *path = ab_xasprintf("%s/" AB_RUNINFO_FILE, run_dir);
  int rc = ab_write_file(path, b.s ? b.s : "", err);
  free(path);
  ab_buf_free(&b);
  return rc;
}

static int ab_runinfo_allocator(ab_runinfo_t *ri, const char *value) {
  ab_strv_t f = {0};
  ab_strv_split(&f, value, '\t');
  int rc = f.n == 3 || f.n == 4 ? 0 : -1; /* no settings field: a run from before variants */
  if (rc == 0) {
    ri->allocs = ab_xrealloc(ri->allocs, (ri->n_allocs + 1) * sizeof *ri->allocs);
    ri->allocs[ri->n_allocs++] = (ab_runinfo_alloc_t){
        ab_xstrdup(f.v[0]), ab_xstrdup(f.v[1]), ab_xstrdup(f.v[2]), ab_xstrdup(f.n == 4 ? f.v[3] : "")};
  }
  ab_strv_free(&f);
  return rc;
}

/* One "key: value" line into its field; -1 for a bad number or allocator. */
static int ab_runinfo_take(ab_runinfo_t *ri, const char *key, const char *value) {
  struct { const char *key; char **field; } text[] = {
      {"suite", &ri->suite_path}, {"command", &ri->command_line}, {"started", &ri->started},
      {"cpu", &ri->sys.cpu},      {"kernel", &ri->sys.kernel},    {"os", &ri->sys.os},
      {"glibc", &ri->sys.glibc},  {"commit", &ri->sys.commit}};
  for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
    if (!strcmp(key, text[i].key)) {
      free(*text[i].field);
      *text[i].field = ab_xstrdup(value);
      return 0;
    }
  if (!strcmp(key, "allocator")) return ab_runinfo_allocator(ri, value);
  struct { const char *key; long *field; } number[] = {
      {"reps", &ri->reps}, {"planned_runs", &ri->planned_runs},
      {"cores", &ri->sys.cores}, {"mem_mib", &ri->sys.mem_mib}};
  for (size_t i = 0; i < sizeof number / sizeof number[0]; i++)
    if (!strcmp(key, number[i].key))
      return ab_parse_long(value, number[i].field) && *number[i].field >= 0 ? 0 : -1;
  return 0; /* keys from a later version are skipped */
}

int ab_runinfo_load(ab_runinfo_t *ri, const char *run_dir, ab_err_t *why) {
  *ri = (ab_runinfo_t){0};
  char *path = ab_xasprintf("%s/" AB_RUNINFO_FILE, run_dir);
  char *text = ab_read_file(path, NULL);
  int rc = 0;
  if (!text || strncmp(text, AB_RUNINFO_FIRST_LINE, strlen(AB_RUNINFO_FIRST_LINE)) != 0)
    rc = ab_fail(why, text ? "%s is not an allocbench run description" : "%s not found", path);
  size_t line_no = 1;
  for (char *line = text ? strchr(text, '\n') : NULL; rc == 0 && line && line[1]; line_no++) {
    char *start = line + 1;
    line = strchr(start, '\n');
    if (line) *line = '\0';
    char *colon = strstr(start, ": ");
    if (!colon) {
      rc = ab_fail(why, "%s line %zu: expected 'key: value'", path, line_no + 1);
      break;
    }
    *colon = '\0';
    if (ab_runinfo_take(ri, start, colon + 2) < 0)
      rc = ab_fail(why, "%s line %zu: bad value for '%s'", path, line_no + 1, start);
    if (!line) break;
  }
  if (rc == 0 && (!ri->sys.cpu || !ri->sys.commit))
    rc = ab_fail(why, "%s lacks the machine or the commit", path);
  if (rc < 0) ab_runinfo_free(ri);
  free(text);
  free(path);
  return rc;
}

void ab_runinfo_free(ab_runinfo_t *ri) {
  for (size_t i = 0; i < ri->n_allocs; i++) {
    free(ri->allocs[i].name);
    free(ri->allocs[i].path);
    free(ri->allocs[i].version);
    free(ri->allocs[i].settings);
  }
  free(ri->allocs);
  free(ri->suite_path);
  free(ri->command_line);
  free(ri->started);
  ab_sysinfo_free(&ri->sys);
  *ri = (ab_runinfo_t){0};
}
