/* allocbench: summary, plots, report and the latest link. */
#include "outputs.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "headtohead.h"
#include "paths.h"
#include "plot.h"
#include "report.h"
#include "report_focus.h"

/* Writes everything derived from the rows; a failing plot is only a warning.
 * With a terminal, the head to head goes there too, as hyperfine's summary
 * does: the answer without opening the report. */
static int ab_outputs_write(const ab_report_in_t *in, const char *gnuplot, int log_fd, FILE *terminal,
                            ab_err_t *err) {
  ab_summary_t summary;
  ab_summary_compute(in->rows, &summary);
  char *path = ab_xasprintf("%s/summary.csv", in->run_dir);
  int rc = ab_summary_write_csv(&summary, path, err);
  free(path);
  const char *focus = in->focus ? in->focus : AB_REPORT_FOCUS;
  path = ab_xasprintf("%s/headtohead.csv", in->run_dir);
  if (rc == 0) rc = ab_h2h_write_csv(&summary, in->rows, focus, in->against, path, err);
  free(path);
  if (rc == 0 && terminal) ab_h2h_print(terminal, &summary, in->rows, focus, in->against);
  ab_strv_t plots = {0};
  ab_err_t why;
  if (rc == 0 && gnuplot && in->rows->n > 0 &&
      ab_plot_all(gnuplot, in->run_dir, &summary, log_fd, &plots, &why) < 0)
    ab_warn("plots: %s", why.msg);
  ab_report_in_t report = *in;
  report.summary = &summary;
  report.plots = &plots;
  path = ab_xasprintf("%s/report.md", in->run_dir);
  if (rc == 0) rc = ab_report_write(&report, path, err);
  free(path);
  ab_strv_free(&plots);
  ab_summary_free(&summary);
  return rc;
}

static void ab_outputs_update_latest(const ab_session_t *s) {
  char *link = ab_xasprintf("%s/results/latest", s->root);
  char *target = ab_xasprintf("runs/%s", s->run_id);
  ab_err_t err;
  if (ab_replace_symlink(target, link, &err) < 0) ab_warn("%s", err.msg);
  free(link);
  free(target);
}

int ab_outputs_finish(ab_session_t *s, ab_err_t *err) {
  ab_report_in_t in = {.run_id = s->run_id, .run_dir = s->run_dir, .root = s->root,
                       .info = &s->info, .rows = &s->rows, .allocs = &s->allocs,
                       .interrupted = s->stop_signal != 0, .focus = s->opt->focus,
                       .against = s->opt->against};
  int rc = ab_outputs_write(&in, s->gnuplot, s->stderr_fd, s->opt->quiet ? NULL : stderr, err);
  if (s->update_latest) ab_outputs_update_latest(s);
  if (rc == 0 && !s->opt->quiet)
    fprintf(stderr, "allocbench: %zu runs%s; report: %s/report.md\n", s->rows.n,
            s->stop_signal ? " (stopped early)" : "", s->run_dir);
  return rc;
}

/* Allocators of a finished run, found again by name for the report. */
static void ab_outputs_allocators(const ab_rows_t *rows, const char *segalloc,
                                  ab_allocators_t *out) {
  ab_alloc_env_t env = {.segalloc_path = segalloc};
  *out = (ab_allocators_t){0};
  for (size_t i = 0; i < rows->n; i++) {
    if (ab_alloc_index(out, rows->v[i].allocator) >= 0) continue;
    ab_allocator_t a;
    if (ab_alloc_resolve(rows->v[i].allocator, &env, &a, NULL) < 0) {
      a = (ab_allocator_t){.name = ab_xstrdup(rows->v[i].allocator)};
    }
    out->v = ab_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
    out->v[out->n++] = a;
  }
}

/* --report --focus NAME (or --against NAME): NAME must have rows in the
 * run. (A run checks its allocator list up front; an interrupted run may
 * lack the focus's rows, and its report then goes without the section.) */
static int ab_outputs_check_named(const ab_rows_t *rows, const char *flag, const char *name,
                                  const char *dir, ab_err_t *err) {
  ab_strv_t ran = {0};
  for (size_t i = 0; i < rows->n; i++)
    if (!ab_strv_contains(&ran, rows->v[i].allocator)) ab_strv_push(&ran, rows->v[i].allocator);
  int rc = 0;
  if (!ab_strv_contains(&ran, name)) {
    char *names = ab_strv_join(&ran, ", ");
    rc = ab_fail(err, "--%s %s: no such allocator in %s (it has: %s)", flag, name, dir, names);
    free(names);
  }
  ab_strv_free(&ran);
  return rc;
}

int ab_outputs_rebuild(const ab_options_t *opt, ab_err_t *err) {
  char *dir = ab_abs_path(opt->report_dir);
  char *csv = ab_xasprintf("%s/results.csv", dir);
  char *gnuplot = NULL;
  ab_rows_t rows = {0};
  int rc = opt->no_plots ? 0
                         : ab_session_tool("gnuplot", "gnuplot-nox", ", or pass --no-plots",
                                           &gnuplot, err);
  if (rc == 0) rc = ab_rows_load(csv, &rows, err);
  if (rc == 0) rc = ab_check_writable_dir(dir, err);
  if (rc == 0 && opt->focus) rc = ab_outputs_check_named(&rows, "focus", opt->focus, dir, err);
  if (rc == 0 && opt->against) rc = ab_outputs_check_named(&rows, "against", opt->against, dir, err);
  char *root, *wdir, *seg;
  ab_session_locate(opt, &root, &wdir, &seg);
  ab_allocators_t allocs = {0};
  ab_runinfo_t info;
  ab_err_t why;
  bool have_info = rc == 0 && ab_runinfo_load(&info, dir, &why) == 0;
  if (rc == 0 && !have_info)
    ab_warn("%s; the report describes this machine and the libraries found now", why.msg);
  if (rc == 0) {
    if (!have_info) ab_outputs_allocators(&rows, seg, &allocs); /* else run-info names them */
    char *copy = ab_xstrdup(dir);
    ab_report_in_t in = {.run_id = rows.n ? rows.v[0].run_id : basename(copy), .run_dir = dir,
                         .root = root, .info = have_info ? &info : NULL, .rows = &rows,
                         .allocs = &allocs,
                         .interrupted = have_info && rows.n < (size_t)info.planned_runs,
                         .focus = opt->focus, .against = opt->against};
    rc = ab_outputs_write(&in, gnuplot, -1, opt->quiet ? NULL : stderr, err);
    free(copy);
  }
  if (have_info) ab_runinfo_free(&info);
  if (rc == 0 && !opt->quiet) fprintf(stderr, "allocbench: report: %s/report.md\n", dir);
  ab_allocators_free(&allocs);
  ab_rows_free(&rows);
  free(root);
  free(wdir);
  free(seg);
  free(gnuplot);
  free(csv);
  free(dir);
  return rc;
}
