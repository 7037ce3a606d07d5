/* allocbench: report.md. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "files.h"
#include "heapmap_report.h"
#include "report_focus.h"
#include "series.h"
#include "sysinfo.h"

void ab_report_rate(double v, char *buf, size_t n) {
  if (isnan(v)) snprintf(buf, n, "-");
  else if (v >= 1e9) snprintf(buf, n, "%.2f G/s", v / 1e9);
  else if (v >= 1e6) snprintf(buf, n, "%.2f M/s", v / 1e6);
  else if (v >= 1e3) snprintf(buf, n, "%.1f k/s", v / 1e3);
  else snprintf(buf, n, "%.0f /s", v);
}

static void ab_report_header_row(ab_buf_t *b, const ab_summary_t *s) {
  ab_buf_puts(b, "| workload |");
  for (size_t a = 0; a < s->allocators.n; a++) ab_buf_printf(b, " %s |", s->allocators.v[a]);
  ab_buf_puts(b, "\n|---|");
  for (size_t a = 0; a < s->allocators.n; a++) ab_buf_puts(b, "---:|");
  ab_buf_puts(b, "\n");
}

/* A cell for a group with no measured value (n of them): "failed" when it
 * had runs, "-" when it had none. True when it wrote the cell. */
static bool ab_report_empty_cell(ab_buf_t *b, const ab_group_t *g, size_t n) {
  if (n != 0) return false;
  ab_buf_puts(b, g->runs ? " failed |" : " - |");
  return true;
}

/* The time cell: ratio to the fastest (bold for the fastest), then the
 * absolute figure: the rate when the workload reports one, else seconds. */
static void ab_report_time_cell(ab_buf_t *b, const ab_group_t *g) {
  if (ab_report_empty_cell(b, g, g->cost.n)) return;
  char abs[32];
  if (g->ops_per_s.n) ab_report_rate(g->ops_per_s.median, abs, sizeof abs);
  else snprintf(abs, sizeof abs, "%.3f s", g->wall.median);
  bool best = g->time_vs_best < 1.0005;
  ab_buf_printf(b, " %s%.2f%s (%s) |", best ? "**" : "", g->time_vs_best, best ? "**" : "", abs);
}

static void ab_report_rss_cell(ab_buf_t *b, const ab_group_t *g) {
  if (ab_report_empty_cell(b, g, g->peak_rss.n)) return;
  bool best = g->rss_vs_best < 1.0005;
  ab_buf_printf(b, " %s%.2f%s (%.1f MiB) |", best ? "**" : "", g->rss_vs_best, best ? "**" : "",
                g->peak_rss.median / 1024.0);
}

/* The smallest value of a case's groups at `offset` (a double in
 * ab_group_t), NaN when none has one: to bold the best of a column whose
 * best need not be 1.00. */
static double ab_report_case_min(const ab_summary_t *s, size_t c, size_t offset) {
  double best;
  ab_summary_min_at(s, c, offset, -1, &best);
  return best;
}

/* The smallest paired ratio of a case: unlike time_vs_best it need not be
 * 1.00, as each repetition can crown another. */
static double ab_report_paired_best(const ab_summary_t *s, size_t c) {
  return ab_report_case_min(s, c, offsetof(ab_group_t, time_paired));
}

static void ab_report_paired_cell(ab_buf_t *b, const ab_group_t *g, double best) {
  bool bold = g->time_paired < best + 0.0005;
  if (ab_report_empty_cell(b, g, g->cost.n)) return;
  if (isnan(g->time_paired)) ab_buf_puts(b, " - |");
  else ab_buf_printf(b, " %s%.2f%s |", bold ? "**" : "", g->time_paired, bold ? "**" : "");
}

/* Below this many KiB held, the process's own memory (code, libraries,
 * stacks) is most of its RSS, and the ratio says nothing about the
 * allocator (false-sharing holds 16 bytes: 97,000 under glibc). */
#define AB_PER_LIVE_MIN_KIB 512.0

/* The smallest RSS per live byte of a case, to bold it; NaN when no
 * allocator's runs held enough to tell. */
static double ab_report_per_live_best(const ab_summary_t *s, size_t c) {
  double held = 0;
  for (size_t a = 0; a < s->allocators.n; a++)
    if (ab_summary_group(s, c, a)->live_peak.median > held) held = ab_summary_group(s, c, a)->live_peak.median;
  return held >= AB_PER_LIVE_MIN_KIB ? ab_report_case_min(s, c, offsetof(ab_group_t, rss_per_live.median)) : NAN;
}

static void ab_report_per_live_cell(ab_buf_t *b, const ab_group_t *g, double best) {
  if (ab_report_empty_cell(b, g, g->peak_rss.n)) return;
  double v = g->rss_per_live.median;
  if (isnan(v)) {
    ab_buf_puts(b, " - |");
    return;
  }
  bool bold = v < best + 0.0005;
  double held = g->live_peak.median;
  const char *on = bold ? "**" : "";
  if (held < 1024) ab_buf_printf(b, " %s%.2f%s (%.0f KiB held) |", on, v, on, held);
  else ab_buf_printf(b, " %s%.2f%s (%.1f MiB held) |", on, v, on, held / 1024.0);
}

typedef enum ab_table_e { AB_TABLE_TIME, AB_TABLE_RSS, AB_TABLE_PAIRED, AB_TABLE_PER_LIVE } ab_table_t;

static void ab_report_table(ab_buf_t *b, const ab_summary_t *s, ab_table_t table) {
  ab_report_header_row(b, s);
  for (size_t c = 0; c < s->n_cases; c++) {
    if (table == AB_TABLE_PER_LIVE && isnan(ab_report_per_live_best(s, c))) continue;
    char *label = ab_case_label(&s->cases[c]);
    ab_buf_printf(b, "| %s |", label);
    free(label);
    double paired_best = table == AB_TABLE_PAIRED ? ab_report_paired_best(s, c) : NAN;
    double live_best = table == AB_TABLE_PER_LIVE ? ab_report_per_live_best(s, c) : NAN;
    for (size_t a = 0; a < s->allocators.n; a++) {
      const ab_group_t *g = ab_summary_group(s, c, a);
      if (table == AB_TABLE_RSS) ab_report_rss_cell(b, g);
      else if (table == AB_TABLE_PER_LIVE) ab_report_per_live_cell(b, g, live_best);
      else if (table == AB_TABLE_PAIRED) ab_report_paired_cell(b, g, paired_best);
      else ab_report_time_cell(b, g);
    }
    ab_buf_puts(b, "\n");
  }
}

/* Only when some allocator could be compared within a repetition: with one
 * allocator the table would hold nothing but dashes. */
static void ab_report_paired(ab_buf_t *b, const ab_summary_t *s) {
  bool any = false;
  for (size_t i = 0; i < s->n_cases * s->allocators.n; i++) any |= !isnan(s->groups[i].time_paired);
  if (!any) return;
  ab_buf_puts(b, "## Time relative to the fastest, paired by repetition\n\nThe machine's state "
                 "drifts during a run (two threads may get two cores or share one, which changes "
                 "every allocator's time alike), while the allocators of one repetition run close "
                 "together: so each time is divided by the fastest time of its own repetition, "
                 "comparing allocators at the same moment, and the table shows the median of "
                 "these ratios over the repetitions (lower is better; - where no repetition had "
                 "another allocator's run to compare with).\n\n");
  ab_report_table(b, s, AB_TABLE_PAIRED);
  ab_buf_puts(b, "\n");
}

/* Only for workloads that report the live bytes they held. */
static void ab_report_per_live(ab_buf_t *b, const ab_summary_t *s) {
  bool any = false;
  for (size_t c = 0; c < s->n_cases; c++) any |= !isnan(ab_report_per_live_best(s, c));
  if (!any) return;
  ab_buf_puts(b, "## Peak RSS per byte held (lower is better)\n\nPeak RSS divided by the most "
                 "live bytes the workload held at once (its live_peak_bytes), median of the "
                 "repetitions; in brackets, the median of those live bytes. A workload may hold "
                 "less under a slower allocator (a producer that cannot fill its queue), which "
                 "lowers its peak RSS for that reason alone: this table compares the memory each "
                 "allocator needed for what it held. Workloads that report no live bytes, or hold "
                 "less than ");
  ab_buf_printf(b, "%.0f KiB (where the process's own code, libraries and stacks are most of its "
                   "RSS), are left out.\n\n", AB_PER_LIVE_MIN_KIB);
  ab_report_table(b, s, AB_TABLE_PER_LIVE);
  ab_buf_puts(b, "\n");
}

/* "segalloc 1.12x, glibc 1.50x": everyone but the winner, by ratio. */
static void ab_report_runners_up(ab_buf_t *b, const ab_summary_t *s, size_t c, int winner,
                                 bool rss) {
  bool first = true;
  for (size_t a = 0; a < s->allocators.n; a++) {
    const ab_group_t *g = ab_summary_group(s, c, a);
    double r = rss ? g->rss_vs_best : g->time_vs_best;
    if ((int)a == winner || isnan(r)) continue;
    ab_buf_printf(b, "%s%s %.2fx", first ? "" : ", ", s->allocators.v[a], r);
    first = false;
  }
}

static void ab_report_winners(ab_buf_t *b, const ab_summary_t *s) {
  ab_buf_puts(b, "## Winners\n\n");
  for (size_t c = 0; c < s->n_cases; c++) {
    char *label = ab_case_label(&s->cases[c]);
    int t = ab_summary_best(s, c, false, NULL), r = ab_summary_best(s, c, true, NULL);
    if (t < 0) {
      ab_buf_printf(b, "- **%s**: no allocator finished a run\n", label);
      free(label);
      continue;
    }
    ab_buf_printf(b, "- **%s**: fastest **%s** (", label, s->allocators.v[t]);
    ab_report_runners_up(b, s, c, t, false);
    ab_buf_puts(b, ")");
    if (r >= 0) {
      ab_buf_printf(b, "; least peak RSS **%s** (", s->allocators.v[r]);
      ab_report_runners_up(b, s, c, r, true);
      ab_buf_puts(b, ")");
    }
    ab_buf_puts(b, "\n");
    free(label);
  }
  ab_buf_puts(b, "\n");
}

static void ab_report_latency(ab_buf_t *b, const ab_summary_t *s) {
  bool any = false;
  for (size_t i = 0; i < s->n_cases * s->allocators.n; i++) any |= s->groups[i].xfree_p99.n > 0;
  if (!any) return;
  ab_buf_puts(b, "## Cross-thread free latency, p99 (ns, median of reps)\n\n");
  ab_report_header_row(b, s);
  for (size_t c = 0; c < s->n_cases; c++) {
    bool row = false;
    for (size_t a = 0; a < s->allocators.n; a++) row |= ab_summary_group(s, c, a)->xfree_p99.n > 0;
    if (!row) continue;
    char *label = ab_case_label(&s->cases[c]);
    ab_buf_printf(b, "| %s |", label);
    free(label);
    for (size_t a = 0; a < s->allocators.n; a++) {
      const ab_group_t *g = ab_summary_group(s, c, a);
      if (g->xfree_p99.n) ab_buf_printf(b, " %.0f |", g->xfree_p99.median);
      else ab_buf_puts(b, " - |");
    }
    ab_buf_puts(b, "\n");
  }
  ab_buf_puts(b, "\n");
}

static void ab_report_spread(ab_buf_t *b, const ab_summary_t *s) {
  size_t n = s->n_cases * s->allocators.n, k = 0, worst = 0;
  double *v = ab_xmalloc((n + 1) * sizeof *v);
  for (size_t i = 0; i < n; i++) {
    if (isnan(s->groups[i].spread)) continue;
    if (k == 0 || s->groups[i].spread > s->groups[worst].spread) worst = i;
    v[k++] = s->groups[i].spread;
  }
  ab_buf_puts(b, "## Run-to-run spread\n\n");
  if (k == 0) {
    ab_buf_puts(b, "Only one successful run per workload and allocator: no spread to report. "
                   "Use --reps 3 or more before trusting small differences.\n\n");
    free(v);
    return;
  }
  ab_stat_t st = ab_stat_of(v, k);
  const ab_group_t *g = &s->groups[worst];
  char *label = ab_case_label(&s->cases[g->case_index]);
  ab_buf_printf(b,
                "Spread = (max - min) / median of the time of the repetitions of one workload "
                "under one allocator. Median spread **%.1f%%**, largest %.1f%% (%s under %s). "
                "Differences in the time table smaller than the spread are noise.\n\n",
                st.median * 100, g->spread * 100, label, g->allocator);
  free(label);
  free(v);
}

static void ab_report_failures(ab_buf_t *b, const ab_rows_t *rows) {
  size_t failed = 0;
  for (size_t i = 0; i < rows->n; i++) failed += strcmp(rows->v[i].status, "ok") != 0;
  if (!failed) return;
  ab_buf_printf(b, "## Runs that did not finish cleanly (%zu)\n\n", failed);
  ab_buf_puts(b, "See stderr.log for each run's messages.\n\n| workload | params | threads | "
                 "allocator | rep | status |\n|---|---|---:|---|---:|---|\n");
  for (size_t i = 0; i < rows->n; i++) {
    const ab_row_t *r = &rows->v[i];
    if (strcmp(r->status, "ok") != 0)
      ab_buf_printf(b, "| %s | `%s` | %d | %s | %d | %s |\n", r->workload, r->params, r->threads,
                    r->allocator, r->rep, r->status);
  }
  ab_buf_puts(b, "\n");
}

static void ab_report_plots(ab_buf_t *b, const ab_strv_t *plots) {
  if (!plots || plots->n == 0) return;
  ab_buf_puts(b, "## Plots\n\nEach plot is in plots/ as SVG and PNG (and the gnuplot script "
                 "that made it).\n\n");
  for (size_t i = 0; i < plots->n; i++)
    ab_buf_printf(b, "![%s](plots/%s.svg)\n\n", plots->v[i], plots->v[i]);
}

static void ab_report_allocators(ab_buf_t *b, const ab_report_in_t *in, const char *glibc) {
  ab_buf_puts(b, "- Allocators:\n");
  if (in->info) {
    for (size_t i = 0; i < in->info->n_allocs; i++) {
      const ab_runinfo_alloc_t *a = &in->info->allocs[i];
      if (!*a->path) ab_buf_printf(b, "  - %s: the C library's malloc (%s)", a->name, a->version);
      else ab_buf_printf(b, "  - %s: `%s` (%s)", a->name, a->path, a->version);
      if (*a->settings) ab_buf_printf(b, ", with `%s`", a->settings);
      ab_buf_puts(b, "\n");
    }
    return;
  }
  for (size_t i = 0; in->allocs && i < in->allocs->n; i++) {
    const ab_allocator_t *a = &in->allocs->v[i];
    if (!a->path) {
      ab_buf_printf(b, "  - %s: library not found now\n", a->name);
    } else if (!*a->path) {
      ab_buf_printf(b, "  - %s: the C library's malloc (glibc %s)\n", a->name, glibc);
    } else {
      char *version = ab_sysinfo_library_version(a->path);
      ab_buf_printf(b, "  - %s: `%s` (%s)\n", a->name, a->path, version);
      free(version);
    }
  }
}

/* The machine the run was measured on, from run-info.txt; a run folder
 * from before it existed gets this machine, said to be so. */
static void ab_report_machine(ab_buf_t *b, const ab_report_in_t *in) {
  ab_sysinfo_t now_si;
  const ab_sysinfo_t *si = in->info ? &in->info->sys : &now_si;
  if (!in->info) ab_sysinfo_collect(&now_si, in->root);
  char when[64];
  time_t now = time(NULL);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", localtime(&now));
  ab_buf_puts(b, "## Machine and software\n\n");
  if (!in->info)
    ab_buf_puts(b, "This run folder has no run-info.txt: what follows describes the machine and "
                   "checkout this report was rebuilt on, which may not be where it ran.\n\n");
  ab_buf_printf(b, "- CPU: %s, %ld online cores, %ld MiB memory\n"
                   "- Kernel: %s; OS: %s\n- glibc: %s\n- Commit: %s\n",
                si->cpu, si->cores, si->mem_mib, si->kernel, si->os, si->glibc, si->commit);
  if (in->info) ab_buf_printf(b, "- Run started: %s\n", in->info->started);
  ab_buf_printf(b, "- Report written: %s\n", when);
  ab_report_allocators(b, in, si->glibc);
  if (!in->info) ab_sysinfo_free(&now_si);
}

/* One value of extras.csv, placed on the summary's case and allocator. */
typedef struct ab_extra_s {
  size_t c, a;
  char *key;
  double value;
} ab_extra_t;

static size_t ab_report_load_extras(const ab_report_in_t *in, ab_extra_t **out) {
  char *path = ab_xasprintf("%s/extras.csv", in->run_dir);
  ab_csv_reader_t r;
  size_t n = 0;
  *out = NULL;
  if (ab_csv_reader_open(&r, path, NULL) == 0) {
    ab_strv_t f = {0};
    for (bool header = true; ab_csv_reader_next(&r, &f, NULL) > 0; header = false) {
      double v;
      if (header || f.n != AB_SERIES_KEY_COLS + 2 || !ab_parse_double(f.v[7], &v)) continue;
      int c = ab_summary_find_case(in->summary, f.v[1], f.v[2], f.v[4]);
      int a = ab_summary_alloc_index(in->summary, f.v[3]);
      if (c < 0 || a < 0) continue;
      *out = ab_xrealloc(*out, (n + 1) * sizeof **out);
      (*out)[n++] = (ab_extra_t){(size_t)c, (size_t)a, ab_xstrdup(f.v[6]), v};
    }
    ab_strv_free(&f);
    ab_csv_reader_close(&r);
  }
  free(path);
  return n;
}

/* The median of one extra key for one case and allocator. */
static ab_stat_t ab_report_extra_stat(const ab_extra_t *x, size_t n, size_t c, const char *key,
                                      size_t a) {
  double *v = ab_xmalloc((n + 1) * sizeof *v);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (x[i].c == c && x[i].a == a && !strcmp(x[i].key, key)) v[k++] = x[i].value;
  ab_stat_t st = ab_stat_of(v, k);
  free(v);
  return st;
}

static void ab_report_extras(ab_buf_t *b, const ab_report_in_t *in) {
  ab_extra_t *x;
  size_t n = ab_report_load_extras(in, &x);
  if (n == 0) return;
  const ab_summary_t *s = in->summary;
  ab_buf_puts(b, "## Other figures (median of reps)\n\nWhat the workloads reported beside "
                 "the results.csv columns, and allocbench's own `peak_anon_kib`: the most "
                 "anonymous memory the RSS samples saw (resident less file-backed pages, from "
                 "/proc/PID/statm every sample period): the heap, stacks and data without the "
                 "code of the program and its libraries, whose pages make the peak RSS of a "
                 "small program move by a few hundred KiB from run to run. A spike shorter than "
                 "the sample period can be missed. `instructions` (program entries under "
                 "`instructions on`): callgrind's count over every thread of one run, the "
                 "first repetition's, and in brackets its ratio to the least; it does not move "
                 "with the machine's load, so it can "
                 "separate allocators where the times' spread cannot, but it leaves out cache "
                 "misses, page faults and contention.\n\n");
  ab_report_header_row(b, s);
  for (size_t i = 0; i < n; i++) {
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++) seen = x[j].c == x[i].c && !strcmp(x[j].key, x[i].key);
    if (seen) continue;
    char *label = ab_case_label(&s->cases[x[i].c]);
    ab_buf_printf(b, "| %s: %s |", label, x[i].key);
    free(label);
    ab_stat_t *st = ab_xmalloc((s->allocators.n + 1) * sizeof *st);
    /* Instruction counts differ by fractions of a percent: each gets its
     * ratio to the least, to three decimals. */
    double least = 0;
    bool ratios = !strcmp(x[i].key, "instructions");
    for (size_t a = 0; a < s->allocators.n; a++) {
      st[a] = ab_report_extra_stat(x, n, x[i].c, x[i].key, a);
      if (ratios && st[a].n && st[a].median > 0 && (least == 0 || st[a].median < least)) least = st[a].median;
    }
    for (size_t a = 0; a < s->allocators.n; a++) {
      if (st[a].n && st[a].median == floor(st[a].median) && fabs(st[a].median) < 1e15)
        ab_buf_printf(b, " %.0f", st[a].median); /* counts and KiB: every digit */
      else if (st[a].n) ab_buf_printf(b, " %.4g", st[a].median);
      else ab_buf_puts(b, " -");
      if (st[a].n && least > 0) ab_buf_printf(b, " (%.3f)", st[a].median / least);
      ab_buf_puts(b, " |");
    }
    free(st);
    ab_buf_puts(b, "\n");
  }
  ab_buf_puts(b, "\n");
  for (size_t i = 0; i < n; i++) free(x[i].key);
  free(x);
}

static void ab_report_intro(ab_buf_t *b, const ab_report_in_t *in) {
  size_t failed = 0;
  for (size_t i = 0; i < in->rows->n; i++) failed += strcmp(in->rows->v[i].status, "ok") != 0;
  ab_buf_printf(b, "# allocbench report: %s\n\n", in->run_id);
  if (in->interrupted)
    ab_buf_puts(b, "**Stopped early**: this report covers only the runs that finished.\n\n");
  ab_buf_printf(b, "%zu runs (%zu did not finish cleanly)", in->rows->n, failed);
  const ab_runinfo_t *ri = in->info;
  if (ri) ab_buf_printf(b, ", %ld repetitions, allocators interleaved, suite `%s`", ri->reps,
                        ri->suite_path ? ri->suite_path : "?");
  ab_buf_puts(b, ".");
  if (ri && ri->command_line) ab_buf_printf(b, " Command: `%s`.", ri->command_line);
  ab_buf_puts(b, "\n\n");
}

static void ab_report_body(ab_buf_t *b, const ab_report_in_t *in) {
  const ab_summary_t *s = in->summary;
  ab_report_intro(b, in);
  ab_report_winners(b, s);
  ab_report_focus(b, s, in->rows, in->focus ? in->focus : AB_REPORT_FOCUS, in->against);
  ab_buf_puts(b, "## Time relative to the fastest (lower is better)\n\nMedian of the "
                 "repetitions. Time is 1 / ops_per_s for workloads (the rate they report) and "
                 "wall time (hyperfine's median) for real programs. In brackets: the median rate, "
                 "or seconds.\n\n");
  ab_report_table(b, s, AB_TABLE_TIME);
  ab_buf_puts(b, "\n");
  ab_report_paired(b, s);
  ab_buf_puts(b, "## Peak RSS relative to the smallest (lower is better)\n\nMedian of the "
                 "repetitions of the peak resident set size from wait4 (ru_maxrss).\n\n");
  ab_report_table(b, s, AB_TABLE_RSS);
  ab_buf_puts(b, "\n");
  ab_report_per_live(b, s);
  ab_report_latency(b, s);
  ab_report_extras(b, in);
  ab_report_spread(b, s);
  ab_report_failures(b, in->rows);
  ab_report_plots(b, in->plots);
  ab_heapmap_report(b, in->run_dir, s, in->plots);
  ab_report_machine(b, in);
}

int ab_report_write(const ab_report_in_t *in, const char *path, ab_err_t *err) {
  ab_buf_t b = {0};
  ab_buf_puts(&b, "");
  ab_report_body(&b, in);
  int rc = ab_write_file(path, b.s, err);
  ab_buf_free(&b);
  return rc;
}
