/* allocbench: the --check gate. */
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "callgrind.h"
#include "csv.h"
#include "files.h"
#include "outputs.h"
#include "session.h"
#include "signals.h"

static bool ab_check_is_peer(const char *name) {
  return strcmp(name, "segalloc") != 0 && strcmp(name, "glibc") != 0;
}

/* Median of the best peer for one case (time or RSS), NaN when none ran. */
static double ab_check_best_peer(const ab_summary_t *s, size_t c, bool rss) {
  double best = NAN;
  for (size_t a = 0; a < s->allocators.n; a++) {
    if (!ab_check_is_peer(s->allocators.v[a])) continue;
    const ab_group_t *g = ab_summary_group(s, c, a);
    double v = rss ? g->peak_rss.median : g->cost.median;
    if (!isnan(v) && (isnan(best) || v < best)) best = v;
  }
  return best;
}

static void ab_check_add_ratio(ab_metrics_t *now, const ab_case_key_t *k, const char *metric,
                               double x, double ref) {
  if (isnan(x) || isnan(ref) || ref <= 0) return;
  ab_metrics_add(now, k->workload, k->params, k->threads, metric, x / ref,
                 ab_metric_default_tolerance(metric, k->threads));
}

void ab_check_ratios(const ab_summary_t *s, ab_metrics_t *now) {
  int seg = ab_summary_alloc_index(s, "segalloc"), glibc = ab_summary_alloc_index(s, "glibc");
  if (seg < 0) return;
  for (size_t c = 0; c < s->n_cases; c++) {
    const ab_group_t *g = ab_summary_group(s, c, (size_t)seg);
    const ab_group_t *gl = glibc >= 0 ? ab_summary_group(s, c, (size_t)glibc) : NULL;
    const ab_case_key_t *k = &s->cases[c];
    ab_check_add_ratio(now, k, "time_vs_glibc", g->cost.median, gl ? gl->cost.median : NAN);
    ab_check_add_ratio(now, k, "time_vs_best_peer", g->cost.median, ab_check_best_peer(s, c, false));
    ab_check_add_ratio(now, k, "rss_vs_glibc", g->peak_rss.median, gl ? gl->peak_rss.median : NAN);
    ab_check_add_ratio(now, k, "rss_vs_best_peer", g->peak_rss.median, ab_check_best_peer(s, c, true));
  }
}

ab_verdict_t ab_check_verdict(const ab_metric_t *base, const ab_metric_t *now, bool have_peers) {
  if (ab_metric_is_info(base->metric, base->threads)) return AB_VERDICT_INFO;
  if (!now)
    return strstr(base->metric, "best_peer") && !have_peers ? AB_VERDICT_SKIPPED
                                                            : AB_VERDICT_MISSING;
  double limit = base->value * (1.0 + base->tolerance_pct / 100.0);
  double floor = base->value * (1.0 - base->tolerance_pct / 100.0);
  if (now->value > limit) return AB_VERDICT_REGRESSION;
  if (now->value < floor) return AB_VERDICT_BETTER;
  return AB_VERDICT_OK;
}

bool ab_verdict_fails(ab_verdict_t v) {
  return v == AB_VERDICT_REGRESSION || v == AB_VERDICT_MISSING;
}

const char *ab_verdict_name(ab_verdict_t v) {
  static const char *const names[] = {"ok", "better", "new", "info", "skipped (no peer)",
                                      "REGRESSION", "MISSING (run failed?)"};
  return names[v];
}

/* One line of the verdict table (also a row of check.csv). */
typedef struct ab_check_line_s {
  char *label, *metric, *base, *now, *change, *tolerance;
  ab_verdict_t verdict;
} ab_check_line_t;

static char *ab_check_value(const ab_metric_t *m) {
  if (!m) return ab_xstrdup("-");
  return m->value >= 1e5 ? ab_xasprintf("%.0f", m->value) : ab_xasprintf("%.3f", m->value);
}

static ab_check_line_t ab_check_line(const ab_metric_t *base, const ab_metric_t *now,
                                     ab_verdict_t v) {
  const ab_metric_t *m = base ? base : now;
  ab_case_key_t key = {m->workload, m->params, m->threads};
  ab_check_line_t l = {ab_case_label(&key), ab_xstrdup(m->metric), ab_check_value(base),
                       ab_check_value(now), NULL, NULL, v};
  l.change = base && now && base->value > 0
                 ? ab_xasprintf("%+.1f%%", (now->value / base->value - 1.0) * 100.0)
                 : ab_xstrdup("-");
  l.tolerance = ab_xasprintf("%g%%", m->tolerance_pct);
  return l;
}

static void ab_check_print(ab_check_line_t *lines, size_t n, FILE *out) {
  int w = 8;
  for (size_t i = 0; i < n; i++)
    if ((int)strlen(lines[i].label) > w) w = (int)strlen(lines[i].label);
  fprintf(out, "%-*s  %-18s %12s %12s %8s %6s  %s\n", w, "workload", "metric", "baseline", "now",
          "change", "tol", "verdict");
  for (size_t i = 0; i < n; i++)
    fprintf(out, "%-*s  %-18s %12s %12s %8s %6s  %s\n", w, lines[i].label, lines[i].metric,
            lines[i].base, lines[i].now, lines[i].change, lines[i].tolerance,
            ab_verdict_name(lines[i].verdict));
}

static int ab_check_write_csv(const char *path, ab_check_line_t *lines, size_t n, ab_err_t *err) {
  ab_atomic_file_t af;
  if (ab_atomic_open(&af, path, err) < 0) return -1;
  const char *header[] = {"workload", "metric", "baseline", "now", "change", "tolerance", "verdict"};
  ab_csv_fput_row(af.f, header, 7);
  for (size_t i = 0; i < n; i++) {
    const char *f[] = {lines[i].label, lines[i].metric, lines[i].base, lines[i].now,
                       lines[i].change, lines[i].tolerance, ab_verdict_name(lines[i].verdict)};
    ab_csv_fput_row(af.f, f, 7);
  }
  return ab_atomic_commit(&af, err);
}

static void ab_check_lines_free(ab_check_line_t *lines, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char **s[] = {&lines[i].label, &lines[i].metric, &lines[i].base, &lines[i].now,
                  &lines[i].change, &lines[i].tolerance};
    for (size_t k = 0; k < 6; k++) free(*s[k]);
  }
  free(lines);
}

/* Compares, prints the table, writes check.csv; returns whether it failed. */
static bool ab_check_compare(const ab_metrics_t *base, const ab_metrics_t *now, bool have_peers,
                             const char *csv_path) {
  ab_check_line_t *lines = ab_xcalloc(base->n + now->n, sizeof *lines);
  size_t n = 0;
  bool failed = false;
  for (size_t i = 0; i < base->n; i++) {
    const ab_metric_t *m = ab_metrics_find(now, &base->v[i]);
    ab_verdict_t v = ab_check_verdict(&base->v[i], m, have_peers);
    failed |= ab_verdict_fails(v);
    lines[n++] = ab_check_line(&base->v[i], m, v);
  }
  for (size_t i = 0; i < now->n; i++)
    if (!ab_metrics_find(base, &now->v[i])) lines[n++] = ab_check_line(NULL, &now->v[i], AB_VERDICT_NEW);
  ab_check_print(lines, n, stdout);
  ab_err_t err;
  if (ab_check_write_csv(csv_path, lines, n, &err) < 0) ab_warn("%s", err.msg);
  ab_check_lines_free(lines, n);
  return failed;
}

/* Instruction counts of every callgrind entry under segalloc and glibc. */
static int ab_check_callgrind(ab_session_t *s, ab_metrics_t *now, ab_err_t *err) {
  const char *allocs[][2] = {{"segalloc", "instructions"}, {"glibc", "instructions_glibc"}};
  for (size_t c = 0; c < s->n_callgrind; c++)
    for (size_t k = 0; k < 2; k++) {
      const ab_case_t *cs = &s->callgrind[c];
      const ab_allocator_t *a = &s->allocs.v[ab_alloc_index(&s->allocs, allocs[k][0])];
      long long ir = 0;
      if (!s->opt->quiet) fprintf(stderr, "allocbench: callgrind %s under %s\n", cs->label, a->name);
      int rc = ab_callgrind_count(s, cs, a, &ir, err);
      if (rc == 1) return 1;
      if (rc < 0) {
        ab_warn("%s", err->msg); /* the metric goes missing, which fails the check */
        continue;
      }
      ab_metrics_add(now, cs->key.workload, cs->key.params, 1, allocs[k][1], (double)ir,
                     ab_metric_default_tolerance(allocs[k][1], 1));
    }
  return 0;
}

/* Keeps tolerances someone loosened in the old baseline. */
static void ab_check_keep_tolerances(ab_metrics_t *now, const ab_metrics_t *old) {
  for (size_t i = 0; i < now->n; i++) {
    const ab_metric_t *m = ab_metrics_find(old, &now->v[i]);
    if (m) now->v[i].tolerance_pct = m->tolerance_pct;
  }
}

static int ab_check_prepare(const ab_options_t *opt, char **baseline_path, ab_metrics_t *base) {
  char *root, *wdir, *seg;
  ab_session_locate(opt, &root, &wdir, &seg);
  *baseline_path = opt->baseline ? ab_xstrdup(opt->baseline)
                                 : ab_xasprintf("%s/results/baseline.csv", root);
  free(root);
  free(wdir);
  free(seg);
  ab_err_t err;
  *base = (ab_metrics_t){0};
  if (!ab_file_exists(*baseline_path)) {
    if (opt->update_baseline) return 0;
    fprintf(stderr, "allocbench: no baseline at %s: create it with ./run_bench.sh --check "
                    "--update-baseline\n", *baseline_path);
    return AB_EXIT_USAGE;
  }
  if (ab_metrics_load(*baseline_path, base, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    return AB_EXIT_USAGE;
  }
  return 0;
}

/* Same-run ratios from the rows of repetitions first..last only. */
static void ab_check_ratios_of(const ab_rows_t *rows, int first, int last, ab_metrics_t *out) {
  ab_rows_t some = {0};
  for (size_t i = 0; i < rows->n; i++)
    if (rows->v[i].rep >= first && rows->v[i].rep <= last) ab_rows_push(&some, &rows->v[i]);
  ab_summary_t summary;
  ab_summary_compute(&some, &summary);
  ab_check_ratios(&summary, out);
  ab_summary_free(&summary);
  ab_rows_free(&some);
}

static bool ab_check_same_case(const ab_metric_t *m, const ab_case_key_t *k) {
  return m->threads == k->threads && !strcmp(m->workload, k->workload) &&
         !strcmp(m->params, k->params);
}

/* Marks the cases with a time or RSS ratio past its tolerance. */
static size_t ab_check_suspects(const ab_session_t *s, const ab_metrics_t *base,
                                const ab_metrics_t *now, bool *redo) {
  size_t n = 0;
  for (size_t c = 0; c < s->n_cases; c++) {
    redo[c] = false;
    for (size_t i = 0; i < base->n && !redo[c]; i++) {
      if (!ab_check_same_case(&base->v[i], &s->cases[c].key)) continue;
      const ab_metric_t *m = ab_metrics_find(now, &base->v[i]);
      redo[c] = m && ab_check_verdict(&base->v[i], m, true) == AB_VERDICT_REGRESSION;
    }
    n += redo[c];
  }
  return n;
}

/* A ratio past its tolerance on a shared machine is often a burst of load
 * from elsewhere during one allocator's runs. Such cases are measured
 * again (all allocators, interleaved as before) and the second measurement
 * replaces the first: a real regression shows up in both. */
static int ab_check_confirm(ab_session_t *s, const ab_metrics_t *base, ab_metrics_t *now,
                            ab_err_t *err) {
  bool *redo = ab_xcalloc(s->n_cases, sizeof *redo);
  size_t n = ab_check_suspects(s, base, now, redo);
  int rc = 0;
  if (n > 0) {
    /* Said even with --quiet: a CI log should show why the check took longer. */
    fprintf(stderr, "allocbench: %zu workload(s) past tolerance; measuring them again to "
                    "confirm\n", n);
    rc = ab_bench_execute_reps(s, redo, s->reps + 1, 2 * s->reps, err);
  }
  if (rc == 0 && n > 0 && !s->stop_signal) {
    ab_metrics_t second = {0}, kept = {0};
    ab_check_ratios_of(&s->rows, s->reps + 1, 2 * s->reps, &second);
    for (size_t i = 0; i < now->n; i++) {
      const ab_metric_t *m = &now->v[i];
      bool replaced = false;
      for (size_t c = 0; c < s->n_cases && !replaced; c++)
        replaced = redo[c] && ab_check_same_case(m, &s->cases[c].key);
      if (!replaced)
        ab_metrics_add(&kept, m->workload, m->params, m->threads, m->metric, m->value,
                       m->tolerance_pct);
    }
    for (size_t i = 0; i < second.n; i++) {
      const ab_metric_t *m = &second.v[i];
      ab_metrics_add(&kept, m->workload, m->params, m->threads, m->metric, m->value,
                     m->tolerance_pct);
    }
    ab_metrics_free(now);
    ab_metrics_free(&second);
    *now = kept;
  }
  free(redo);
  return rc;
}

static int ab_check_finish(ab_session_t *s, const ab_options_t *opt, const char *baseline_path,
                           ab_metrics_t *base, ab_metrics_t *now) {
  bool have_peers = false;
  for (size_t a = 0; a < s->allocs.n; a++) have_peers |= ab_check_is_peer(s->allocs.v[a].name);
  char *csv = ab_xasprintf("%s/check.csv", s->run_dir);
  bool failed = ab_check_compare(base, now, have_peers, csv);
  free(csv);
  if (!opt->update_baseline) {
    printf("allocbench: check %s (run folder %s)\n", failed ? "FAILED: regression" : "passed",
           s->run_dir);
    return failed ? AB_EXIT_REGRESSION : AB_EXIT_OK;
  }
  ab_check_keep_tolerances(now, base);
  ab_err_t err;
  if (ab_metrics_save(baseline_path, now, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    return AB_EXIT_USAGE;
  }
  printf("allocbench: baseline written to %s (%zu metrics)\n", baseline_path, now->n);
  return AB_EXIT_OK;
}

/* Runs the suite, confirms suspects, counts instructions. */
static int ab_check_measure(ab_session_t *s, const ab_metrics_t *base, ab_metrics_t *now,
                            ab_err_t *err) {
  int rc = ab_bench_execute(s, err);
  if (rc == 0 && !s->stop_signal) {
    ab_check_ratios_of(&s->rows, 1, s->reps, now);
    if (!s->opt->update_baseline) rc = ab_check_confirm(s, base, now, err);
  }
  if (rc == 0 && !s->stop_signal) rc = ab_check_callgrind(s, now, err);
  if (!s->stop_signal) s->stop_signal = ab_signals_stop_requested();
  return rc;
}

int ab_check_main(const ab_options_t *opt) {
  char *baseline_path = NULL;
  ab_metrics_t base, now = {0};
  int code = ab_check_prepare(opt, &baseline_path, &base);
  ab_session_t s;
  ab_err_t err;
  if (code == 0 && ab_session_prepare(&s, opt, true, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    code = AB_EXIT_USAGE;
    ab_session_free(&s);
  }
  if (code != 0) {
    free(baseline_path);
    ab_metrics_free(&base);
    return code;
  }
  int rc = ab_check_measure(&s, &base, &now, &err);
  if (rc < 0) fprintf(stderr, "allocbench: %s\n", err.msg);
  if (ab_outputs_finish(&s, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    rc = -1;
  }
  if (s.stop_signal) code = 128 + s.stop_signal;
  else if (rc < 0) code = AB_EXIT_USAGE;
  else code = ab_check_finish(&s, opt, baseline_path, &base, &now);
  ab_session_free(&s);
  ab_metrics_free(&base);
  ab_metrics_free(&now);
  free(baseline_path);
  return code;
}
