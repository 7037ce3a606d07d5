/* allocbench: the live progress line. */
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static double ab_progress_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ab_progress_start(ab_progress_t *p, FILE *out, bool quiet, size_t n_cases,
                       size_t runs_per_case) {
  *p = (ab_progress_t){.out = out, .quiet = quiet, .n_cases = n_cases};
  p->tty = isatty(fileno(out));
  p->total = n_cases * runs_per_case;
  p->t_start = ab_progress_now();
  p->case_seconds = ab_xcalloc(n_cases, sizeof *p->case_seconds);
  p->case_done = ab_xcalloc(n_cases, sizeof *p->case_done);
  p->case_left = ab_xcalloc(n_cases, sizeof *p->case_left);
  for (size_t i = 0; i < n_cases; i++) p->case_left[i] = runs_per_case;
}

void ab_progress_format_duration(double s, char *buf, size_t n) {
  if (isnan(s) || s < 0) {
    snprintf(buf, n, "--");
    return;
  }
  long t = lround(s);
  if (t >= 3600) snprintf(buf, n, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  else if (t >= 60) snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
  else snprintf(buf, n, "%lds", t);
}

double ab_progress_eta(const ab_progress_t *p) {
  double all_seconds = 0;
  size_t all_done = 0;
  for (size_t i = 0; i < p->n_cases; i++) {
    all_seconds += p->case_seconds[i];
    all_done += p->case_done[i];
  }
  if (all_done == 0) return NAN;
  double eta = 0;
  for (size_t i = 0; i < p->n_cases; i++) {
    double mean = p->case_done[i] ? p->case_seconds[i] / (double)p->case_done[i]
                                  : all_seconds / (double)all_done;
    eta += mean * (double)p->case_left[i];
  }
  return eta;
}

static int ab_progress_width(const ab_progress_t *p) {
  struct winsize ws;
  if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col - 1;
  return 79;
}

void ab_progress_begin_run(ab_progress_t *p, const char *what) {
  if (p->quiet || !p->tty) return;
  char elapsed[32], eta[32];
  ab_progress_format_duration(ab_progress_now() - p->t_start, elapsed, sizeof elapsed);
  ab_progress_format_duration(ab_progress_eta(p), eta, sizeof eta);
  char line[1024];
  snprintf(line, sizeof line, "[%zu/%zu] %s | elapsed %s | left ~%s", p->done + 1, p->total,
           what, elapsed, eta);
  fprintf(p->out, "\r\033[K%.*s", ab_progress_width(p), line);
  fflush(p->out);
  p->line_shown = true;
}

void ab_progress_end_run(ab_progress_t *p, size_t case_index, double seconds, const char *what,
                         const char *status) {
  p->done++;
  if (case_index < p->n_cases) {
    p->case_seconds[case_index] += seconds;
    p->case_done[case_index]++;
    if (p->case_left[case_index] > 0) p->case_left[case_index]--;
  }
  if (p->quiet || p->tty) return;
  char eta[32];
  ab_progress_format_duration(ab_progress_eta(p), eta, sizeof eta);
  fprintf(p->out, "[%zu/%zu] %s: %s (%.2fs), left ~%s\n", p->done, p->total, what, status,
          seconds, eta);
  fflush(p->out);
}

void ab_progress_clear(ab_progress_t *p) {
  if (!p->line_shown) return;
  fputs("\r\033[K", p->out);
  fflush(p->out);
  p->line_shown = false;
}

void ab_progress_finish(ab_progress_t *p) {
  ab_progress_clear(p);
  free(p->case_seconds);
  free(p->case_done);
  free(p->case_left);
  p->case_seconds = NULL;
  p->case_done = p->case_left = NULL;
}
