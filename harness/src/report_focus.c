/* allocbench: report.md's headline for one allocator against the others. */
#include "report_focus.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "headtohead.h"

#define AB_METRICS 3
static const size_t ab_focus_offsets[AB_METRICS] = {
    offsetof(ab_group_t, time_vs_best), offsetof(ab_group_t, time_paired),
    offsetof(ab_group_t, rss_vs_best)};

static double ab_focus_metric(const ab_group_t *g, size_t m) {
  return *(const double *)((const char *)g + ab_focus_offsets[m]);
}

/* A ratio, bold when it is the best of its case (best: that case's
 * smallest, which for the paired ratio need not be 1.00). */
static void ab_focus_ratio(ab_buf_t *b, double v, double best) {
  if (isnan(v)) ab_buf_puts(b, "-");
  else if (v < best + 0.0005) ab_buf_printf(b, "**%.2f**", v);
  else ab_buf_printf(b, "%.2f", v);
}

/* "mimalloc 1.26": the best other allocator of a case by metric m. */
static void ab_focus_other(ab_buf_t *b, const ab_summary_t *s, size_t c, size_t m, int focus,
                           double best) {
  double v;
  int other = ab_summary_min_at(s, c, ab_focus_offsets[m], focus, &v);
  if (other < 0) {
    ab_buf_puts(b, "-");
    return;
  }
  ab_buf_printf(b, "%s ", s->allocators.v[other]);
  ab_focus_ratio(b, v, best);
}

static void ab_focus_case(ab_buf_t *b, const ab_summary_t *s, size_t c, int focus) {
  const ab_group_t *g = ab_summary_group(s, c, (size_t)focus);
  double best[AB_METRICS];
  for (size_t m = 0; m < AB_METRICS; m++) ab_summary_min_at(s, c, ab_focus_offsets[m], -1, &best[m]);
  char *label = ab_case_label(&s->cases[c]);
  ab_buf_printf(b, "| %s | ", label);
  free(label);
  ab_focus_ratio(b, g->time_vs_best, best[0]);
  ab_buf_puts(b, " | ");
  ab_focus_other(b, s, c, 0, focus, best[0]);
  ab_buf_puts(b, " | ");
  ab_focus_ratio(b, g->time_paired, best[1]);
  ab_buf_puts(b, " / ");
  ab_focus_other(b, s, c, 1, focus, best[1]);
  ab_buf_puts(b, " | ");
  ab_focus_ratio(b, g->rss_vs_best, best[2]);
  ab_buf_puts(b, " | ");
  ab_focus_other(b, s, c, 2, focus, best[2]);
  ab_buf_puts(b, " |\n");
}

size_t ab_report_geomeans(const ab_summary_t *s, double *out) {
  size_t n = s->allocators.n, cases = 0;
  for (size_t i = 0; i < AB_METRICS * n; i++) out[i] = 0;
  for (size_t c = 0; c < s->n_cases; c++) {
    bool all = true;
    for (size_t a = 0; a < n && all; a++)
      for (size_t m = 0; m < AB_METRICS; m++) all &= ab_focus_metric(ab_summary_group(s, c, a), m) > 0;
    if (!all) continue; /* NaN, or a case some allocator did not finish */
    cases++;
    for (size_t a = 0; a < n; a++)
      for (size_t m = 0; m < AB_METRICS; m++) out[m * n + a] += log(ab_focus_metric(ab_summary_group(s, c, a), m));
  }
  for (size_t i = 0; i < AB_METRICS * n; i++) out[i] = cases ? exp(out[i] / (double)cases) : NAN;
  return cases;
}

static void ab_focus_geomeans(ab_buf_t *b, const ab_summary_t *s) {
  size_t n = s->allocators.n;
  double *g = ab_xmalloc(AB_METRICS * n * sizeof *g), best[AB_METRICS];
  size_t cases = ab_report_geomeans(s, g);
  if (cases > 0) {
    for (size_t m = 0; m < AB_METRICS; m++) {
      best[m] = INFINITY;
      for (size_t a = 0; a < n; a++) best[m] = fmin(best[m], g[m * n + a]);
    }
    ab_buf_printf(b, "\nGeometric mean of each allocator's ratios over the %zu of %zu cases that "
                     "every allocator finished (lower is better):\n\n| allocator | time | paired "
                     "time | peak RSS |\n|---|---:|---:|---:|\n", cases, s->n_cases);
    for (size_t a = 0; a < n; a++) {
      ab_buf_printf(b, "| %s |", s->allocators.v[a]);
      for (size_t m = 0; m < AB_METRICS; m++) {
        ab_buf_puts(b, " ");
        ab_focus_ratio(b, g[m * n + a], best[m]);
        ab_buf_puts(b, " |");
      }
      ab_buf_puts(b, "\n");
    }
  }
  free(g);
}

/* "jemalloc | 0.86 [0.84, 0.89] 93% | faster |": the comparison, or dashes
 * where there is none (no repetition both finished). */
static void ab_focus_h2h_cells(ab_buf_t *b, const ab_summary_t *s, const ab_h2h_row_t *r) {
  if (r == NULL) {
    ab_buf_puts(b, " - | - | - |");
    return;
  }
  char interval[64];
  ab_h2h_format(&r->h, interval, sizeof interval);
  ab_buf_printf(b, " %s | %s %.0f%% | %s |", s->allocators.v[r->other], interval,
                floor(r->h.confidence * 100), ab_h2h_call_text(&r->h, r->metric));
}

static void ab_focus_h2h_intro(ab_buf_t *b, const char *f, const char *against) {
  ab_buf_printf(b, "\nHead to head: per case, %s's time and peak RSS divided by ", f);
  if (against)
    ab_buf_printf(b, "%s's in the same repetition, ", against);
  else
    ab_buf_puts(b, "another allocator's in the same repetition (the one with the best paired "
                   "time, and the one with the least median peak RSS), ");
  ab_buf_printf(b, "the median of these ratios, and the interval that holds the true median ratio "
                   "with the confidence given (sign test: at least 95%%, or the whole range with "
                   "fewer than 6 repetitions). A difference is called only where the interval "
                   "leaves out 1.00 at %.0f%% confidence or more.", AB_H2H_CALL_CONFIDENCE * 100);
  if (!against)
    ab_buf_puts(b, " The other allocator is picked as the best after the fact, which leans each "
                   "call its way.");
  ab_buf_printf(b, "\n\n| workload | time against | %s / other | | peak RSS against | %s / other | "
                   "|\n|---|---|---|---|---|---|---|\n", f, f);
}

static void ab_focus_h2h(ab_buf_t *b, const ab_summary_t *s, const ab_rows_t *rows, const char *focus,
                         const char *against) {
  if (!ab_h2h_ran(s, focus, against)) return;
  ab_focus_h2h_intro(b, focus, against);
  ab_h2h_row_t *r;
  size_t n = ab_h2h_all(s, rows, focus, against, &r), i = 0;
  for (size_t c = 0; c < s->n_cases; c++) {
    char *label = ab_case_label(&s->cases[c]);
    ab_buf_printf(b, "| %s |", label);
    free(label);
    /* The list runs by case, time before peak RSS, leaving out what has no comparison. */
    for (int m = AB_H2H_TIME; m <= AB_H2H_RSS; m++) {
      bool here = i < n && r[i].case_index == c && r[i].metric == (ab_h2h_metric_t)m;
      ab_focus_h2h_cells(b, s, here ? &r[i++] : NULL);
    }
    ab_buf_puts(b, "\n");
  }
  size_t most = ab_h2h_too_few(r, n);
  if (most > 0)
    ab_buf_printf(b, "\nWith %zu repetition%s no difference can be called: run with `--reps %zu` "
                     "or more.\n", most, most == 1 ? "" : "s", ab_h2h_min_reps());
  free(r);
}

void ab_report_focus(ab_buf_t *b, const ab_summary_t *s, const ab_rows_t *rows, const char *focus,
                     const char *against) {
  int f = ab_summary_alloc_index(s, focus);
  if (f < 0 || s->allocators.n < 2) return;
  ab_buf_printf(b, "## %s against the others\n\nPer case, %s's ratios beside the best other "
                   "allocator's: time relative to the fastest, the same paired by repetition, and "
                   "peak RSS relative to the smallest (medians of the repetitions, as in the "
                   "tables below; bold: the best of the case).\n\n| workload | %s time | fastest "
                   "other | paired: %s / best other | %s RSS | smallest other |\n|---|---:|---|---|"
                   "---:|---|\n", focus, focus, focus, focus, focus);
  for (size_t c = 0; c < s->n_cases; c++) ab_focus_case(b, s, c, f);
  ab_focus_geomeans(b, s);
  ab_focus_h2h(b, s, rows, focus, against);
  ab_buf_puts(b, "\n");
}
