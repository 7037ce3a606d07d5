/* allocbench: the measurement loop and one workload run. */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "realprogs.h"
#include "signals.h"

ab_exec_spec_t ab_bench_spec(const ab_session_t *s, const ab_case_t *c) {
  return (ab_exec_spec_t){
      .timeout_s = s->opt->timeout_s > 0 ? s->opt->timeout_s : c->entry->timeout_s,
      .cpus = s->opt->pin,
      .n_cpus = s->opt->n_pin,
      .stderr_fd = s->stderr_fd,
      .sample_ms = s->opt->sample_ms,
  };
}

ab_exec_spec_t ab_bench_alloc_spec(const ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                                   const ab_strv_t *entry_env, char *const *argv, ab_strv_t *env) {
  ab_exec_spec_t spec = ab_bench_spec(s, c);
  spec.argv = argv;
  spec.preload = a->path;
  ab_alloc_run_env(a, entry_env, env);
  spec.extra_env = env->v;
  return spec;
}

void ab_bench_row_init(const ab_session_t *s, const ab_case_t *c, const char *allocator, int rep,
                       const ab_exec_result_t *res, ab_row_t *row) {
  ab_row_init(row);
  const char *values[] = {s->run_id, c->key.workload, c->key.params, allocator};
  char **slots[] = {&row->run_id, &row->workload, &row->params, &row->allocator};
  for (size_t i = 0; i < 4; i++) {
    free(*slots[i]);
    *slots[i] = ab_xstrdup(values[i]);
  }
  row->threads = c->key.threads;
  row->rep = rep;
  row->wall_s = res->wall_s;
  row->user_s = res->user_s;
  row->sys_s = res->sys_s;
  row->peak_rss_kib = (double)res->peak_rss_kib;
  row->end_rss_kib = res->end_rss_kib >= 0 ? (double)res->end_rss_kib : NAN;
  free(row->status);
  row->status = ab_exec_status_word(res);
}

int ab_bench_record(ab_session_t *s, const ab_row_t *row, const ab_exec_result_t *res,
                    const ab_result_t *result, ab_err_t *err) {
  ab_strv_t fields = {0};
  ab_row_format(row, &fields);
  int rc = ab_csv_writer_row(&s->results, (const char *const *)fields.v, err);
  ab_strv_free(&fields);
  if (rc == 0 && res) rc = ab_series_add_rss(&s->series, row, res->samples, res->n_samples, err);
  if (rc == 0 && result) rc = ab_series_add_extras(&s->series, row, result, err);
  /* Like every figure the report takes a median of, only from runs that finished cleanly. */
  if (rc == 0 && res && res->peak_anon_kib >= 0 && !strcmp(row->status, "ok")) {
    char value[32];
    snprintf(value, sizeof value, "%ld", res->peak_anon_kib);
    rc = ab_series_add_extra(&s->series, row, "peak_anon_kib", value, err);
  }
  if (rc == 0) ab_rows_push(&s->rows, row);
  return rc;
}

/* Copies the RESULT line's figures into the row. */
static void ab_bench_apply_result(const ab_result_t *r, ab_row_t *row) {
  row->ops = r->ops;
  row->ops_per_s = r->ops_per_s;
  row->live_peak_kib = r->live_peak_bytes / 1024.0;
  row->xfree_p50_ns = r->xfree_p50_ns;
  row->xfree_p99_ns = r->xfree_p99_ns;
  row->xfree_p999_ns = r->xfree_p999_ns;
  row->xfree_max_ns = r->xfree_max_ns;
  if (!isnan(r->end_rss_kib)) row->end_rss_kib = r->end_rss_kib;
}

static char *ab_bench_cdf_path(const ab_session_t *s, const ab_case_t *c, const char *alloc,
                               int rep) {
  return ab_xasprintf("%s/cdf/%s-%s-r%d.csv", s->run_dir, c->slug, alloc, rep);
}

static void ab_bench_workload_argv(const ab_session_t *s, const ab_case_t *c, const char *alloc,
                                   int rep, ab_strv_t *argv) {
  ab_strv_push(argv, c->exe);
  for (size_t i = 0; i < c->entry->args.n; i++) ab_strv_push(argv, c->entry->args.v[i]);
  ab_strv_push(argv, "--threads");
  ab_strv_push_owned(argv, ab_xasprintf("%d", c->key.threads));
  if (c->entry->cdf) {
    ab_strv_push(argv, "--latency-cdf");
    ab_strv_push_owned(argv, ab_bench_cdf_path(s, c, alloc, rep));
  }
}

void ab_bench_warn(ab_session_t *s, const ab_case_t *c, const ab_row_t *row,
                          const char *why) {
  ab_progress_clear(&s->progress);
  ab_warn("%s under %s (rep %d): %s%s%s; see %s/stderr.log", c->label, row->allocator, row->rep,
          row->status, why ? ": " : "", why ? why : "", s->run_dir);
}

/* One workload run. Returns 1 when it was interrupted (nothing recorded). */
static int ab_bench_run_workload(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                                 int rep, ab_row_t *row, ab_err_t *err) {
  ab_strv_t argv = {0};
  ab_bench_workload_argv(s, c, a->name, rep, &argv);
  ab_strv_t env = {0};
  ab_exec_spec_t spec = ab_bench_alloc_spec(s, c, a, NULL, argv.v, &env);
  spec.capture_stdout = true;
  char *joined = ab_strv_join(&argv, " ");
  char *header = ab_xasprintf("rep %d | %s | %s | %s", rep, a->name, c->label, joined);
  ab_session_log_header(s, header);
  ab_exec_result_t res;
  ab_err_t why = {{0}};
  int rc = ab_exec_run(&spec, &res, &why);
  ab_bench_row_init(s, c, a->name, rep, &res, row);
  ab_result_t result = {0};
  bool parsed = false;
  if (rc < 0) {
    free(row->status);
    row->status = ab_xstrdup("exit:127");
  } else if (res.status == AB_EXEC_EXITED && res.code == 0) {
    parsed = ab_result_find(res.out, &result, &why) == 0;
    free(row->status);
    row->status = ab_xstrdup(parsed ? "ok" : "noresult");
    if (parsed) ab_bench_apply_result(&result, row);
  }
  int out = res.status == AB_EXEC_INTERRUPTED && rc == 0 ? 1 : 0;
  if (!out && strcmp(row->status, "ok") != 0) ab_bench_warn(s, c, row, why.msg[0] ? why.msg : NULL);
  if (!out && ab_bench_record(s, row, &res, parsed ? &result : NULL, err) < 0) out = -1;
  if (parsed) ab_result_free(&result);
  ab_exec_result_free(&res);
  free(joined);
  free(header);
  ab_strv_free(&argv);
  ab_strv_free(&env);
  return out;
}

static int ab_bench_run_one(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a, int rep,
                            ab_err_t *err) {
  char *what = ab_xasprintf("%s | %s | rep %d/%d", c->label, a->name, rep, s->reps);
  ab_progress_begin_run(&s->progress, what);
  ab_row_t row = {0};
  int rc = c->entry->kind == AB_ENTRY_PROGRAM ? ab_realprogs_run(s, c, a, rep, &row, err)
                                              : ab_bench_run_workload(s, c, a, rep, &row, err);
  if (rc == 0) {
    double seconds = isnan(row.wall_s) ? 0 : row.wall_s;
    if (c->entry->kind == AB_ENTRY_PROGRAM) seconds *= s->suite.warmup + s->suite.runs + 1;
    ab_progress_end_run(&s->progress, c->index, seconds, what, row.status);
  }
  ab_row_free(&row);
  free(what);
  return rc;
}

/* Folders and data the cases need before the first run. */
static int ab_bench_setup(ab_session_t *s, ab_err_t *err) {
  bool programs = false, cdf = false;
  for (size_t i = 0; i < s->n_cases; i++) {
    programs |= s->cases[i].entry->kind == AB_ENTRY_PROGRAM;
    cdf |= s->cases[i].entry->cdf;
  }
  char *cdf_dir = ab_xasprintf("%s/cdf", s->run_dir);
  int rc = cdf ? ab_mkdir_p(cdf_dir, err) : 0;
  free(cdf_dir);
  if (rc == 0 && programs) rc = ab_realprogs_setup(s, err);
  return rc;
}

int ab_bench_execute_reps(ab_session_t *s, const bool *only, int first_rep, int last_rep,
                          ab_err_t *err) {
  size_t n_cases = 0;
  for (size_t c = 0; c < s->n_cases; c++) n_cases += !only || only[c];
  ab_progress_start(&s->progress, stderr, s->opt->quiet, s->n_cases,
                    (size_t)(last_rep - first_rep + 1) * s->allocs.n);
  s->progress.total = n_cases * (size_t)(last_rep - first_rep + 1) * s->allocs.n;
  for (size_t c = 0; c < s->n_cases; c++)
    if (only && !only[c]) s->progress.case_left[c] = 0;
  int rc = 0;
  for (int rep = first_rep; rc == 0 && rep <= last_rep; rep++)
    for (size_t c = 0; rc == 0 && c < s->n_cases; c++)
      for (size_t k = 0; rc == 0 && k < s->allocs.n && (!only || only[c]); k++) {
        size_t a = (k + (size_t)(rep - 1)) % s->allocs.n;
        rc = ab_bench_run_one(s, &s->cases[c], &s->allocs.v[a], rep, err);
        if (rc == 0 && ab_signals_stop_requested()) rc = 1;
      }
  ab_progress_finish(&s->progress);
  s->stop_signal = ab_signals_stop_requested();
  return rc < 0 ? -1 : 0;
}

int ab_bench_execute(ab_session_t *s, ab_err_t *err) {
  if (ab_bench_setup(s, err) < 0) return -1;
  return ab_bench_execute_reps(s, NULL, 1, s->reps, err);
}
