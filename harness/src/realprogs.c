/* allocbench: real programs through hyperfine. */
#include "realprogs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "callgrind.h"
#include "files.h"
#include "hyperfine.h"
#include "paths.h"

/* The program's argv with {data} and {suites} filled in. */
static void ab_realprogs_words(const ab_session_t *s, const ab_strv_t *words, const char *exe,
                               ab_strv_t *out) {
  ab_strv_push(out, exe);
  for (size_t i = 1; i < words->n; i++)
    ab_strv_push_owned(out, ab_suite_expand(words->v[i], s->data_dir, s->suite.dir));
}

static int ab_realprogs_setup_one(ab_session_t *s, const ab_strv_t *cmd, ab_err_t *err) {
  char *exe = ab_which(cmd->v[0]);
  if (!exe) return ab_fail(err, "setup command %s not found (in %s)", cmd->v[0], s->suite.path);
  ab_strv_t argv = {0};
  ab_realprogs_words(s, cmd, exe, &argv);
  char *joined = ab_strv_join(&argv, " ");
  ab_session_log_header(s, joined);
  ab_exec_spec_t spec = {.argv = argv.v, .cwd = s->data_dir, .timeout_s = 600,
                         .stderr_fd = s->stderr_fd};
  ab_exec_result_t res;
  int rc = ab_exec_run(&spec, &res, err);
  if (rc == 0 && !(res.status == AB_EXEC_EXITED && res.code == 0)) {
    char *status = ab_exec_status_word(&res);
    rc = ab_fail(err, "setup command '%s' failed (%s); see %s/stderr.log", joined, status,
                 s->run_dir);
    free(status);
  }
  ab_exec_result_free(&res);
  free(joined);
  free(exe);
  ab_strv_free(&argv);
  return rc;
}

int ab_realprogs_setup(ab_session_t *s, ab_err_t *err) {
  char *json_dir = ab_xasprintf("%s/hyperfine", s->run_dir);
  int rc = ab_mkdir_p(s->data_dir, err);
  if (rc == 0) rc = ab_mkdir_p(json_dir, err);
  free(json_dir);
  for (size_t i = 0; rc == 0 && i < s->suite.n_setups; i++)
    rc = ab_realprogs_setup_one(s, &s->suite.setups[i], err);
  return rc;
}

/* env -u LD_PRELOAD [LD_PRELOAD=lib] VAR=value.. program args..: only the
 * program gets the allocator, never hyperfine itself. */
static char *ab_realprogs_hyperfine_command(const ab_session_t *s, const ab_case_t *c,
                                            const ab_allocator_t *a) {
  ab_strv_t words = {0};
  char *env = ab_which("env");
  ab_strv_push(&words, env ? env : "/usr/bin/env");
  free(env);
  ab_strv_push(&words, "-u");
  ab_strv_push(&words, "LD_PRELOAD");
  if (*a->path) ab_strv_push_owned(&words, ab_xasprintf("LD_PRELOAD=%s", a->path));
  ab_alloc_run_env(a, &c->entry->env, &words);
  ab_strv_t prog = {0};
  ab_realprogs_words(s, &c->entry->args, c->exe, &prog);
  for (size_t i = 0; i < prog.n; i++) ab_strv_push(&words, prog.v[i]);
  char *command = ab_hyperfine_command(words.v);
  ab_strv_free(&prog);
  ab_strv_free(&words);
  return command;
}

/* Runs hyperfine; fills stats, or leaves a reason in why. */
static int ab_realprogs_time(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a, int rep,
                             ab_hyperfine_stats_t *stats, ab_err_t *why) {
  char *json = ab_xasprintf("%s/hyperfine/%s-%s-r%d.json", s->run_dir, c->slug, a->name, rep);
  char *command = ab_realprogs_hyperfine_command(s, c, a);
  ab_strv_t argv = {0};
  ab_hyperfine_argv(s->hyperfine, s->suite.warmup, s->suite.runs, json, command, &argv);
  ab_exec_spec_t spec = ab_bench_spec(s, c);
  spec.timeout_s *= s->suite.warmup + s->suite.runs;
  spec.argv = argv.v;
  spec.cwd = s->data_dir;
  spec.sample_ms = 0;
  char *header = ab_xasprintf("rep %d | %s | %s | hyperfine %s", rep, a->name, c->label, command);
  ab_session_log_header(s, header);
  ab_exec_result_t res;
  int rc = ab_exec_run(&spec, &res, why);
  if (rc == 0 && res.status == AB_EXEC_INTERRUPTED) rc = 1;
  else if (rc == 0 && !(res.status == AB_EXEC_EXITED && res.code == 0))
    rc = ab_fail(why, "hyperfine failed");
  char *text = rc == 0 ? ab_read_file(json, why) : NULL;
  if (rc == 0) rc = text ? ab_hyperfine_parse(text, stats, why) : -1;
  free(text);
  ab_exec_result_free(&res);
  free(header);
  ab_strv_free(&argv);
  free(command);
  free(json);
  return rc;
}

/* The row's status: hyperfine's failures first, then the RSS run's. */
static void ab_realprogs_status(ab_row_t *row, int timed, const ab_hyperfine_stats_t *st) {
  char *status = NULL;
  if (timed < 0) status = ab_xstrdup("noresult");
  else if (st->failed_exit) status = ab_xasprintf("exit:%d", st->failed_exit);
  else if (st->killed) status = ab_xstrdup("crash:signal");
  else if (strcmp(row->status, "exit:0") == 0) status = ab_xstrdup("ok");
  if (!status) return;
  free(row->status);
  row->status = status;
}

/* 'instructions on': the program's count under callgrind, once per case
 * and allocator (the first repetition, when it ran cleanly), into
 * extras.csv. A count that fails is a warning, not a lost row. Returns 1
 * when interrupted. */
static int ab_realprogs_count(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                              const ab_row_t *row, ab_err_t *err) {
  if (!c->entry->instructions || row->rep != 1 || strcmp(row->status, "ok") != 0) return 0;
  ab_strv_t argv = {0};
  ab_realprogs_words(s, &c->entry->args, c->exe, &argv);
  long long ir = 0;
  ab_err_t why = {{0}};
  char *what = ab_xasprintf("%s | %s | instructions (callgrind)", c->label, a->name);
  ab_progress_begin_run(&s->progress, what);
  free(what);
  /* valgrind runs a program 20 to 150 times slower than it runs alone */
  int rc = ab_callgrind_run(s, c, a, &argv, &c->entry->env, s->data_dir, 200, &ir, &why);
  ab_strv_free(&argv);
  if (rc == 1) return 1;
  if (rc < 0) {
    ab_progress_clear(&s->progress);
    ab_warn("no instruction count for %s under %s: %s", c->label, a->name, why.msg);
    return 0;
  }
  char value[32];
  snprintf(value, sizeof value, "%lld", ir);
  return ab_series_add_extra(&s->series, row, "instructions", value, err) < 0 ? -1 : 0;
}

int ab_realprogs_run(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a, int rep,
                     ab_row_t *row, ab_err_t *err) {
  ab_hyperfine_stats_t stats = {0};
  ab_err_t why = {{0}};
  int timed = ab_realprogs_time(s, c, a, rep, &stats, &why);
  if (timed == 1) return 1;
  ab_strv_t argv = {0};
  ab_realprogs_words(s, &c->entry->args, c->exe, &argv);
  ab_strv_t env = {0};
  ab_exec_spec_t spec = ab_bench_alloc_spec(s, c, a, &c->entry->env, argv.v, &env);
  spec.cwd = s->data_dir;
  char *header = ab_xasprintf("rep %d | %s | %s | peak RSS run", rep, a->name, c->label);
  ab_session_log_header(s, header);
  free(header);
  ab_exec_result_t res;
  int rc = ab_exec_run(&spec, &res, &why);
  ab_strv_free(&argv);
  ab_strv_free(&env);
  if (rc == 0 && res.status == AB_EXEC_INTERRUPTED) {
    ab_exec_result_free(&res);
    return 1;
  }
  ab_bench_row_init(s, c, a->name, rep, &res, row);
  if (timed == 0) {
    row->wall_s = stats.median;
    row->user_s = stats.user;
    row->sys_s = stats.system;
  }
  ab_realprogs_status(row, rc < 0 ? -1 : timed, &stats);
  if (strcmp(row->status, "ok") != 0) ab_bench_warn(s, c, row, why.msg[0] ? why.msg : NULL);
  rc = ab_bench_record(s, row, &res, NULL, err);
  ab_exec_result_free(&res);
  return rc == 0 ? ab_realprogs_count(s, c, a, row, err) : rc;
}
