/* allocbench: session set-up (suite, allocators, cases, run folder). */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "paths.h"

#ifndef AB_SOURCE_ROOT
#define AB_SOURCE_ROOT "."
#endif

/* An absolute form of a path given by a flag, the environment or the build. */
static char *ab_session_pick(const char *flag, const char *env_var, char *built) {
  const char *env = getenv(env_var);
  const char *chosen = flag ? flag : env && *env ? env : built;
  char *out = ab_abs_path(chosen);
  free(built);
  return out;
}

/* The build tree's layout when `in_build` exists, else the installed one
 * (cmake --install: bin/allocbench, libexec/allocbench/workloads,
 * lib/libsegalloc.so, share/allocbench/harness/suites). */
static char *ab_session_layout(const char *exe_dir, const char *in_build, const char *installed) {
  char *path = ab_xasprintf("%s/%s", exe_dir, in_build);
  if (access(path, F_OK) == 0) return path;
  free(path);
  return ab_xasprintf("%s/%s", exe_dir, installed);
}

void ab_session_locate(const ab_options_t *opt, char **root, char **workload_dir,
                       char **segalloc_path) {
  char *exe_dir = ab_exe_dir();
  char *suites = ab_xasprintf("%s/harness/suites", AB_SOURCE_ROOT);
  const char *built_root = access(suites, F_OK) == 0 ? AB_SOURCE_ROOT : NULL;
  char *installed_root = built_root ? NULL : ab_xasprintf("%s/../share/allocbench", exe_dir);
  *root = ab_abs_path(opt->root ? opt->root : built_root ? built_root : installed_root);
  *workload_dir = ab_session_pick(opt->workload_dir, "ALLOCBENCH_WORKLOAD_DIR",
                                  ab_session_layout(exe_dir, "../workloads", "../libexec/allocbench/workloads"));
  *segalloc_path = ab_session_pick(opt->segalloc, "SEGALLOC_LIB",
                                   ab_session_layout(exe_dir, "../allocator/libsegalloc.so", "../lib/libsegalloc.so"));
  free(suites);
  free(installed_root);
  free(exe_dir);
}

char *ab_session_suite_path(const char *root, const char *name) {
  if (strchr(name, '/') || (strlen(name) > 6 && !strcmp(name + strlen(name) - 6, ".suite")))
    return ab_xstrdup(name);
  return ab_xasprintf("%s/harness/suites/%s.suite", root, name);
}

static int ab_session_load_suite(ab_session_t *s, bool for_check, ab_err_t *err) {
  const char *name = s->opt->suite ? s->opt->suite : for_check ? "smoke" : "default";
  char *path = ab_session_suite_path(s->root, name);
  int rc = 0;
  if (!ab_file_exists(path))
    rc = ab_fail(err, "unknown suite '%s': no file %s (suites: default, smoke, 64k, scaling, "
                      "realprogs, or a path to a .suite file)", name, path);
  else rc = ab_suite_load(path, &s->suite, err);
  free(path);
  return rc;
}

/* --workloads: keep only the named entries; a name the suite lacks runs the
 * workload binary with its default parameters, if there is one. */
static int ab_session_filter(ab_session_t *s, ab_err_t *err) {
  ab_strv_t names = {0};
  ab_strv_split(&names, s->opt->workloads, ',');
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < names.n; i++) {
    bool in_suite = false;
    for (size_t e = 0; e < s->suite.n_entries; e++)
      in_suite |= strcmp(s->suite.entries[e].name, names.v[i]) == 0;
    char *exe = ab_xasprintf("%s/%s", s->workload_dir, names.v[i]);
    if (!in_suite && (strchr(names.v[i], '/') || !*names.v[i] || access(exe, X_OK) != 0))
      rc = ab_fail(err, "unknown workload '%s': not in suite %s and no program %s", names.v[i],
                   s->suite.path, exe);
    else if (!in_suite)
      ab_suite_add_workload(&s->suite, names.v[i]);
    free(exe);
  }
  for (size_t e = 0; rc == 0 && e < s->suite.n_entries; e++)
    s->suite.entries[e].selected = ab_strv_contains(&names, s->suite.entries[e].name);
  ab_strv_free(&names);
  return rc;
}

static int ab_session_allocators(ab_session_t *s, bool for_check, ab_err_t *err) {
  const char *list = s->opt->allocators ? s->opt->allocators
                     : s->suite.allocators ? s->suite.allocators
                                           : AB_ALLOC_DEFAULT_LIST;
  ab_alloc_env_t env = {.segalloc_path = s->segalloc_path};
  if (ab_alloc_select(list, s->opt->allocators != NULL, &env, &s->allocs, err) < 0) return -1;
  if (s->opt->focus && ab_alloc_index(&s->allocs, s->opt->focus) < 0)
    return ab_fail(err, "--focus %s: not one of the allocators of this run (%s)", s->opt->focus, list);
  if (s->opt->against && ab_alloc_index(&s->allocs, s->opt->against) < 0)
    return ab_fail(err, "--against %s: not one of the allocators of this run (%s)", s->opt->against, list);
  if (!for_check) return 0;
  for (const char *const *need = (const char *const[]){"segalloc", "glibc", NULL}; *need; need++)
    if (ab_alloc_index(&s->allocs, *need) < 0) {
      ab_allocator_t a;
      ab_alloc_resolve(*need, &env, &a, NULL);
      int rc = ab_fail(err, "--check needs %s: %s", *need,
                       a.looked ? a.looked : "add it to --allocators");
      ab_allocator_free(&a);
      return rc;
    }
  return 0;
}

/* The program a case runs: workloads/<name>, or the program's command. */
static int ab_session_case_exe(ab_session_t *s, const ab_entry_t *e, char **exe, ab_err_t *err) {
  if (e->kind != AB_ENTRY_PROGRAM) {
    *exe = ab_xasprintf("%s/%s", s->workload_dir, e->name);
    if (access(*exe, X_OK) == 0) return 0;
    return ab_fail(err, "workload %s not found at %s: build it (cmake --build build) or pass "
                        "--workload-dir DIR", e->name, *exe);
  }
  *exe = ab_which(e->args.v[0]);
  if (*exe) return 0;
  return ab_fail(err, "program %s needs %s: install the Debian package %s (apt-get install %s)",
                 e->name, e->args.v[0], e->package, e->package);
}

static int ab_session_add_case(ab_session_t *s, const ab_entry_t *e, int threads, ab_err_t *err) {
  ab_case_t c = {.entry = e};
  if (ab_session_case_exe(s, e, &c.exe, err) < 0) {
    free(c.exe);
    return -1;
  }
  ab_strv_t words = {0};
  for (size_t i = 0; i < e->env.n; i++) ab_strv_push(&words, e->env.v[i]);
  for (size_t i = 0; i < e->args.n; i++) ab_strv_push(&words, e->args.v[i]);
  c.key = (ab_case_key_t){ab_xstrdup(e->name), ab_strv_join(&words, " "), threads};
  ab_strv_free(&words);
  c.label = ab_case_label(&c.key);
  c.slug = ab_case_slug(&c.key);
  ab_case_t **list = e->kind == AB_ENTRY_CALLGRIND ? &s->callgrind : &s->cases;
  size_t *n = e->kind == AB_ENTRY_CALLGRIND ? &s->n_callgrind : &s->n_cases;
  *list = ab_xrealloc(*list, (*n + 1) * sizeof **list);
  c.index = *n;
  (*list)[(*n)++] = c;
  return 0;
}

static int ab_session_expand(ab_session_t *s, bool for_check, ab_err_t *err) {
  for (size_t i = 0; i < s->suite.n_entries; i++) {
    const ab_entry_t *e = &s->suite.entries[i];
    if (s->opt->workloads && !e->selected) continue;
    if (e->kind == AB_ENTRY_CALLGRIND && !for_check) continue;
    if (e->kind == AB_ENTRY_PROGRAM) {
      if (ab_session_add_case(s, e, 0, err) < 0) return -1;
      continue;
    }
    const int *threads = s->opt->threads ? s->opt->threads : e->threads;
    size_t n = s->opt->threads ? s->opt->n_threads : e->n_threads;
    if (e->kind == AB_ENTRY_CALLGRIND) n = 1; /* instruction counts: one thread */
    for (size_t t = 0; t < n; t++)
      if (ab_session_add_case(s, e, e->kind == AB_ENTRY_CALLGRIND ? 1 : threads[t], err) < 0)
        return -1;
  }
  if (s->n_cases == 0) return ab_fail(err, "nothing to run: the suite and --workloads leave no entry");
  return 0;
}

int ab_session_tool(const char *name, const char *package, const char *why, char **out,
                    ab_err_t *err) {
  *out = ab_which(name);
  if (*out) return 0;
  return ab_fail(err, "%s not found: install the Debian package %s (apt-get install %s)%s", name,
                 package, package, why);
}

static int ab_session_tools(ab_session_t *s, bool for_check, ab_err_t *err) {
  bool programs = false, counted = s->n_callgrind > 0;
  for (size_t i = 0; i < s->n_cases; i++) {
    programs |= s->cases[i].entry->kind == AB_ENTRY_PROGRAM;
    counted |= s->cases[i].entry->instructions;
  }
  if (!s->opt->no_plots && !for_check &&
      ab_session_tool("gnuplot", "gnuplot-nox", ", or pass --no-plots", &s->gnuplot, err) < 0)
    return -1;
  if (programs && ab_session_tool("hyperfine", "hyperfine", "", &s->hyperfine, err) < 0) return -1;
  if (counted && ab_session_tool("valgrind", "valgrind", "", &s->valgrind, err) < 0)
    return -1;
  return 0;
}

/* results/runs/<date>-<time>-<suite>[-N], made with mkdir so that two
 * sessions started in the same second never share a folder. */
static int ab_session_make_run_dir(ab_session_t *s, ab_err_t *err) {
  char *runs = ab_xasprintf("%s/results/runs", s->root);
  int rc = ab_check_writable_dir(runs, err);
  char stamp[32];
  time_t now = time(NULL);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
  char *suite_file = ab_xstrdup(s->suite.path);
  char *suite_name = ab_xstrdup(basename(suite_file));
  char *dot = strstr(suite_name, ".suite");
  if (dot) *dot = '\0';
  for (int n = 1; rc == 0 && !s->run_dir; n++) {
    char *id = n == 1 ? ab_xasprintf("%s-%s", stamp, suite_name)
                      : ab_xasprintf("%s-%s-%d", stamp, suite_name, n);
    char *dir = ab_xasprintf("%s/%s", runs, id);
    if (mkdir(dir, 0777) == 0) {
      s->run_id = id;
      s->run_dir = dir;
      continue;
    }
    if (errno != EEXIST || n > 100)
      rc = ab_fail(err, "cannot create folder %s: %s", dir, strerror(errno));
    free(id);
    free(dir);
  }
  s->update_latest = rc == 0;
  free(runs);
  free(suite_file);
  free(suite_name);
  return rc;
}

static int ab_session_use_out_dir(ab_session_t *s, ab_err_t *err) {
  if (ab_check_writable_dir(s->opt->out, err) < 0) return -1;
  s->run_dir = ab_abs_path(s->opt->out);
  char *results = ab_xasprintf("%s/results.csv", s->run_dir);
  bool taken = ab_file_exists(results);
  free(results);
  if (taken) return ab_fail(err, "%s already holds a run (results.csv): pick a new --out folder",
                            s->run_dir);
  char *copy = ab_xstrdup(s->run_dir);
  s->run_id = ab_xstrdup(basename(copy));
  free(copy);
  return 0;
}

static int ab_session_write_info(ab_session_t *s, ab_err_t *err) {
  ab_runinfo_collect(&s->info, s->root, &s->allocs);
  s->info.suite_path = ab_xstrdup(s->suite.path);
  s->info.command_line = ab_xstrdup(s->opt->command_line ? s->opt->command_line : "");
  s->info.reps = s->reps;
  s->info.planned_runs = (long)(s->n_cases * (size_t)s->reps * s->allocs.n);
  return ab_runinfo_write(&s->info, s->run_dir, err);
}

static int ab_session_open_outputs(ab_session_t *s, ab_err_t *err) {
  char *path = ab_xasprintf("%s/results.csv", s->run_dir);
  int rc = ab_csv_writer_open(&s->results, path, ab_results_columns, AB_RESULTS_NCOLS, err);
  free(path);
  if (rc == 0) rc = ab_series_open(&s->series, s->run_dir, err);
  path = ab_xasprintf("%s/stderr.log", s->run_dir);
  if (rc == 0) {
    s->stderr_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (s->stderr_fd < 0) rc = ab_fail(err, "cannot write %s: %s", path, strerror(errno));
  }
  free(path);
  s->data_dir = ab_xasprintf("%s/data", s->run_dir);
  return rc == 0 ? ab_session_write_info(s, err) : rc;
}

int ab_session_prepare(ab_session_t *s, const ab_options_t *opt, bool for_check, ab_err_t *err) {
  *s = (ab_session_t){.opt = opt, .stderr_fd = -1};
  ab_session_locate(opt, &s->root, &s->workload_dir, &s->segalloc_path);
  if (ab_session_load_suite(s, for_check, err) < 0) return -1;
  if (opt->workloads && ab_session_filter(s, err) < 0) return -1;
  if (ab_session_expand(s, for_check, err) < 0) return -1;
  if (ab_session_tools(s, for_check, err) < 0) return -1;
  /* Last of the checks: it may warn about skipped allocators, and a warning
   * should not come before an error that stops the run anyway. */
  if (ab_session_allocators(s, for_check, err) < 0) return -1;
  s->reps = opt->reps ? opt->reps : s->suite.reps;
  int rc = opt->out ? ab_session_use_out_dir(s, err) : ab_session_make_run_dir(s, err);
  return rc < 0 ? -1 : ab_session_open_outputs(s, err);
}

void ab_session_log_header(ab_session_t *s, const char *what) {
  char *line = ab_xasprintf("\n==> %s\n", what);
  ssize_t n = write(s->stderr_fd, line, strlen(line));
  (void)n;
  free(line);
}

static void ab_cases_free(ab_case_t *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(cases[i].key.workload);
    free(cases[i].key.params);
    free(cases[i].label);
    free(cases[i].slug);
    free(cases[i].exe);
  }
  free(cases);
}

void ab_session_free(ab_session_t *s) {
  ab_cases_free(s->cases, s->n_cases);
  ab_cases_free(s->callgrind, s->n_callgrind);
  ab_csv_writer_close(&s->results);
  ab_series_close(&s->series);
  if (s->stderr_fd >= 0) close(s->stderr_fd);
  ab_rows_free(&s->rows);
  ab_runinfo_free(&s->info);
  ab_suite_free(&s->suite);
  ab_allocators_free(&s->allocs);
  char **strings[] = {&s->root, &s->workload_dir, &s->segalloc_path, &s->hyperfine, &s->gnuplot,
                      &s->valgrind, &s->run_id, &s->run_dir, &s->data_dir};
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) free(*strings[i]);
  *s = (ab_session_t){.stderr_fd = -1};
}
