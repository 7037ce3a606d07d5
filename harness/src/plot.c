/* allocbench: gnuplot scripts and data for the plots. */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "files.h"
#include "runner.h"
#include "series.h"

typedef struct ab_plotter_s {
  const char *gnuplot, *dir;
  const ab_summary_t *s;
  int log_fd;
  const char *png_terminal;
  ab_strv_t *made;
} ab_plotter_t;

/* pngcairo draws better; plain png (libgd) is the fallback some builds have. */
static const char *ab_plot_png_terminal(const char *gnuplot) {
  char *const argv[] = {(char *)gnuplot, "-e", "set terminal pngcairo", NULL};
  ab_exec_spec_t spec = {.argv = argv, .timeout_s = 20, .stderr_fd = -1};
  ab_exec_result_t res;
  bool cairo = ab_exec_run(&spec, &res, NULL) == 0 && res.status == AB_EXEC_EXITED && res.code == 0;
  ab_exec_result_free(&res);
  return cairo ? "pngcairo" : "png";
}

/* Gnuplot string literal: double quotes, with " and \ escaped. */
static void ab_plot_quote(ab_buf_t *b, const char *s) {
  ab_buf_puts(b, "\"");
  for (const char *p = s; *p; p++) {
    if (*p == '"' || *p == '\\') ab_buf_puts(b, "\\");
    ab_buf_append(b, p, 1);
  }
  ab_buf_puts(b, "\"");
}

/* The settings of a line plot titled with a case label: the title, then
 * `axes` (labels, scales, key). */
static ab_buf_t ab_plot_titled(const char *label, const char *axes) {
  ab_buf_t setup = {0};
  ab_buf_puts(&setup, "set title ");
  ab_plot_quote(&setup, label);
  ab_buf_puts(&setup, axes);
  return setup;
}

/* Writes name.dat and name.gp (body between the terminal settings) and runs
 * gnuplot, which writes name.svg and then name.png from the same plot. */
static void ab_plot_draw(ab_plotter_t *p, const char *name, const char *data, const char *body,
                         int height) {
  char *dat = ab_xasprintf("%s/%s.dat", p->dir, name);
  char *gp = ab_xasprintf("%s/%s.gp", p->dir, name);
  ab_buf_t script = {0};
  ab_buf_printf(&script,
                "# allocbench plot %s: run 'gnuplot %s.gp' in this folder to redraw it\n"
                "set datafile separator \"\\t\"\nset datafile missing \"-\"\n"
                "set terminal svg size 1000,%d dynamic noenhanced font \"sans,11\" "
                "background rgb \"white\"\nset output \"%s.svg\"\nset grid\n%s"
                "set terminal %s size 1000,%d noenhanced font \"sans,10\" background rgb "
                "\"white\"\nset output \"%s.png\"\nreplot\n",
                name, name, height, name, body, p->png_terminal, height, name);
  ab_err_t err;
  if (ab_write_file(dat, data, &err) < 0 || ab_write_file(gp, script.s, &err) < 0) {
    ab_warn("plot %s: %s", name, err.msg);
  } else {
    char *const argv[] = {(char *)p->gnuplot, gp, NULL};
    ab_exec_spec_t spec = {.argv = argv, .cwd = p->dir, .timeout_s = 60, .stderr_fd = p->log_fd};
    ab_exec_result_t res;
    if (ab_exec_run(&spec, &res, &err) < 0) ab_warn("plot %s: %s", name, err.msg);
    else if (res.status != AB_EXEC_EXITED || res.code != 0)
      ab_warn("plot %s: gnuplot failed; see stderr.log", name);
    else ab_strv_push(p->made, name);
    ab_exec_result_free(&res);
  }
  ab_buf_free(&script);
  free(dat);
  free(gp);
}

/* Clustered bars: one group per case, one bar per allocator. Returns the
 * length of the longest case label. */
static size_t ab_plot_bars_data(const ab_summary_t *s, bool rss, int glibc, ab_buf_t *data) {
  size_t longest = 0;
  ab_buf_puts(data, "# case");
  for (size_t a = 0; a < s->allocators.n; a++) ab_buf_printf(data, "\t%s", s->allocators.v[a]);
  ab_buf_puts(data, "\n");
  for (size_t c = 0; c < s->n_cases; c++) {
    char *label = ab_case_label(&s->cases[c]);
    ab_buf_puts(data, label);
    if (strlen(label) > longest) longest = strlen(label);
    free(label);
    for (size_t a = 0; a < s->allocators.n; a++) {
      const ab_group_t *g = ab_summary_group(s, c, a);
      double v = glibc >= 0 ? (rss ? g->rss_vs_glibc : g->time_vs_glibc)
                            : (rss ? g->rss_vs_best : g->time_vs_best);
      if (isnan(v)) ab_buf_puts(data, "\t-");
      else ab_buf_printf(data, "\t%.4f", v);
    }
    ab_buf_puts(data, "\n");
  }
  return longest;
}

static void ab_plot_bars(ab_plotter_t *p, bool rss) {
  const ab_summary_t *s = p->s;
  int glibc = ab_summary_alloc_index(s, "glibc");
  const char *name = rss ? "bars-rss" : "bars-time";
  ab_buf_t data = {0}, body = {0};
  size_t longest = ab_plot_bars_data(s, rss, glibc, &data);
  /* Labels stand upright under their bars: leave room for the longest. */
  int bmargin = 3 + (int)((double)longest * 0.42);
  ab_buf_printf(&body,
                "set title \"%s relative to %s (lower is better)\"\nset ylabel \"ratio\"\n"
                "set style data histograms\nset style histogram clustered gap 1\n"
                "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset yrange [0:*]\n"
                "set xtics rotate by 90 right nomirror\nset key outside right top\n"
                "set xrange [-0.6:*]\nset bmargin %d\nplot ",
                rss ? "Peak RSS" : "Time", glibc >= 0 ? "glibc" : "the best", bmargin);
  for (size_t a = 0; a < s->allocators.n; a++) {
    ab_buf_printf(&body, "%s\"%s.dat\" using %zu%s title ", a ? ", " : "", name, a + 2,
                  a ? "" : ":xtic(1)");
    ab_plot_quote(&body, s->allocators.v[a]);
  }
  ab_buf_puts(&body, ", 1 with lines dashtype 2 linecolor rgb \"black\" notitle\n");
  ab_plot_draw(p, name, data.s, body.s, 420 + bmargin * 17);
  ab_buf_free(&data);
  ab_buf_free(&body);
}

static size_t ab_plot_points(const ab_buf_t *block) {
  size_t n = 0;
  for (size_t i = 0; i < block->len; i++) n += block->s[i] == '\n';
  return n;
}

/* Line plot of one block per allocator (gnuplot "index"), skipping
 * allocators without data. blocks[a] holds "x\ty" lines. */
static void ab_plot_lines(ab_plotter_t *p, const char *name, const char *setup, ab_buf_t *blocks,
                          const char *style) {
  const ab_summary_t *s = p->s;
  ab_buf_t data = {0}, body = {0};
  ab_buf_puts(&data, "");
  ab_buf_printf(&body, "%splot ", setup);
  size_t index = 0;
  for (size_t a = 0; a < s->allocators.n; a++) {
    if (ab_plot_points(&blocks[a]) < 2) continue; /* no line to draw */
    ab_buf_printf(&data, "# %s\n%s\n\n", s->allocators.v[a], blocks[a].s);
    ab_buf_printf(&body, "%s\"%s.dat\" index %zu using 1:2 with %s title ", index ? ", " : "",
                  name, index, style);
    ab_plot_quote(&body, s->allocators.v[a]);
    index++;
  }
  ab_buf_puts(&body, "\n");
  if (index > 0) ab_plot_draw(p, name, data.s, body.s, 560);
  ab_buf_free(&data);
  ab_buf_free(&body);
}

static ab_buf_t *ab_plot_blocks(const ab_summary_t *s, size_t n_cases) {
  return ab_xcalloc(n_cases * s->allocators.n, sizeof(ab_buf_t));
}

static void ab_plot_blocks_free(ab_buf_t *blocks, size_t n) {
  for (size_t i = 0; i < n; i++) ab_buf_free(&blocks[i]);
  free(blocks);
}

/* RSS over time of the first repetition, read back from rss.csv. */
static void ab_plot_rss_curves(ab_plotter_t *p) {
  const ab_summary_t *s = p->s;
  ab_buf_t *blocks = ab_plot_blocks(s, s->n_cases);
  char *path = ab_xasprintf("%s/../rss.csv", p->dir);
  ab_csv_reader_t r;
  if (ab_csv_reader_open(&r, path, NULL) == 0) {
    ab_strv_t f = {0};
    for (bool header = true; ab_csv_reader_next(&r, &f, NULL) > 0; header = false) {
      double t, kib;
      if (header || f.n != AB_SERIES_KEY_COLS + 2 || strcmp(f.v[5], "1") != 0) continue;
      int c = ab_summary_find_case(s, f.v[1], f.v[2], f.v[4]), a = ab_summary_alloc_index(s, f.v[3]);
      if (c < 0 || a < 0 || !ab_parse_double(f.v[6], &t) || !ab_parse_double(f.v[7], &kib)) continue;
      ab_buf_printf(&blocks[(size_t)c * s->allocators.n + (size_t)a], "%.4f\t%.3f\n", t / 1000.0,
                    kib / 1024.0);
    }
    ab_strv_free(&f);
    ab_csv_reader_close(&r);
  }
  for (size_t c = 0; c < s->n_cases; c++) {
    char *label = ab_case_label(&s->cases[c]), *slug = ab_case_slug(&s->cases[c]);
    char *name = ab_xasprintf("rss-%s", slug);
    ab_buf_t setup = ab_plot_titled(label, "\nset xlabel \"time (s), first repetition\"\nset ylabel \"RSS (MiB)\"\n"
                                           "set yrange [0:*]\nset key outside right top\n");
    ab_plot_lines(p, name, setup.s, &blocks[c * s->allocators.n], "lines linewidth 1.5");
    ab_buf_free(&setup);
    free(name);
    free(slug);
    free(label);
  }
  ab_plot_blocks_free(blocks, s->n_cases * s->allocators.n);
  free(path);
}

/* ns,cumulative_fraction rows as written by a workload's --latency-cdf. */
static void ab_plot_read_cdf(const char *path, ab_buf_t *block) {
  ab_csv_reader_t r;
  if (ab_csv_reader_open(&r, path, NULL) < 0) return;
  ab_strv_t f = {0};
  while (ab_csv_reader_next(&r, &f, NULL) > 0) {
    double ns, frac;
    /* 1 - CDF on a log axis: the tail (p99, p99.9) is what tells allocators
     * apart, and a plain CDF squeezes it into the top pixel. */
    if (f.n == 2 && ab_parse_double(f.v[0], &ns) && ab_parse_double(f.v[1], &frac) && ns > 0 &&
        1.0 - frac > 1e-7)
      ab_buf_printf(block, "%.1f\t%.8f\n", ns, 1.0 - frac);
  }
  ab_strv_free(&f);
  ab_csv_reader_close(&r);
}

static void ab_plot_cdfs(ab_plotter_t *p) {
  const ab_summary_t *s = p->s;
  ab_buf_t *blocks = ab_plot_blocks(s, 1);
  for (size_t c = 0; c < s->n_cases; c++) {
    char *label = ab_case_label(&s->cases[c]), *slug = ab_case_slug(&s->cases[c]);
    for (size_t a = 0; a < s->allocators.n; a++) {
      char *path = ab_xasprintf("%s/../cdf/%s-%s-r1.csv", p->dir, slug, s->allocators.v[a]);
      ab_buf_free(&blocks[a]);
      ab_plot_read_cdf(path, &blocks[a]);
      free(path);
    }
    char *name = ab_xasprintf("cdf-%s", slug);
    ab_buf_t setup = ab_plot_titled(label, "\nset xlabel \"cross-thread free latency (ns, log scale)\"\n"
                                           "set ylabel \"fraction of frees slower than x (1 - CDF)\"\n"
                                           "set logscale xy\nset format y \"%g\"\nset yrange [*:1]\n"
                                           "set key outside right top\n");
    ab_plot_lines(p, name, setup.s, blocks, "lines linewidth 1.5");
    ab_buf_free(&setup);
    free(name);
    free(slug);
    free(label);
  }
  ab_plot_blocks_free(blocks, s->allocators.n);
}

/* Throughput against threads for each workload run at several counts. */
static void ab_plot_scaling_one(ab_plotter_t *p, size_t first) {
  const ab_summary_t *s = p->s;
  const ab_case_key_t *k = &s->cases[first];
  ab_buf_t *blocks = ab_plot_blocks(s, 1);
  size_t counts = 0;
  for (size_t c = first; c < s->n_cases; c++) {
    if (strcmp(s->cases[c].workload, k->workload) || strcmp(s->cases[c].params, k->params)) continue;
    counts++;
    for (size_t a = 0; a < s->allocators.n; a++) {
      const ab_group_t *g = ab_summary_group(s, c, a);
      if (g->ops_per_s.n)
        ab_buf_printf(&blocks[a], "%d\t%.6f\n", s->cases[c].threads, g->ops_per_s.median / 1e6);
    }
  }
  ab_case_key_t key = {k->workload, k->params, 0};
  char *label = ab_case_label(&key), *slug = ab_case_slug(&key);
  char *name = ab_xasprintf("scaling-%s", slug);
  ab_buf_t setup = ab_plot_titled(label, "\nset xlabel \"threads\"\nset ylabel \"throughput (M ops/s, median)\"\n"
                                         "set logscale x 2\nset yrange [0:*]\nset key outside right top\n");
  if (counts > 1) ab_plot_lines(p, name, setup.s, blocks, "linespoints linewidth 1.5");
  ab_buf_free(&setup);
  free(name);
  free(slug);
  free(label);
  ab_plot_blocks_free(blocks, s->allocators.n);
}

static void ab_plot_scaling(ab_plotter_t *p) {
  const ab_summary_t *s = p->s;
  for (size_t c = 0; c < s->n_cases; c++) {
    bool seen = false;
    for (size_t e = 0; e < c && !seen; e++)
      seen = !strcmp(s->cases[e].workload, s->cases[c].workload) &&
             !strcmp(s->cases[e].params, s->cases[c].params);
    if (!seen && s->cases[c].threads > 0) ab_plot_scaling_one(p, c);
  }
}

int ab_plot_all(const char *gnuplot, const char *run_dir, const ab_summary_t *s, int log_fd,
                ab_strv_t *made, ab_err_t *err) {
  char *dir = ab_xasprintf("%s/plots", run_dir);
  int rc = ab_mkdir_p(dir, err);
  if (rc == 0) {
    ab_plotter_t p = {gnuplot, dir, s, log_fd, ab_plot_png_terminal(gnuplot), made};
    ab_plot_bars(&p, false);
    ab_plot_bars(&p, true);
    ab_plot_scaling(&p);
    ab_plot_cdfs(&p);
    ab_plot_rss_curves(&p);
  }
  free(dir);
  return rc;
}
