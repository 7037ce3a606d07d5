/* allocbench: the live progress line (current run, done/total, time left).
 * On a terminal it is one line redrawn in place; otherwise one line per
 * finished run; --quiet prints nothing. */
#ifndef AB_PROGRESS_H
#define AB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct ab_progress_s {
  FILE *out;
  bool quiet, tty;
  size_t total, done;
  double t_start;
  size_t n_cases;
  double *case_seconds; /* time spent so far per case */
  size_t *case_done;    /* runs finished per case */
  size_t *case_left;    /* runs still to do per case */
  bool line_shown;
} ab_progress_t;

/* runs_per_case: how many runs each case will get (reps x allocators). */
void ab_progress_start(ab_progress_t *p, FILE *out, bool quiet, size_t n_cases,
                       size_t runs_per_case);
/* Before a run: shows what is running now. */
void ab_progress_begin_run(ab_progress_t *p, const char *what);
/* After a run: records its duration; status is printed when not on a tty. */
void ab_progress_end_run(ab_progress_t *p, size_t case_index, double seconds, const char *what,
                         const char *status);
/* Seconds left: each case's remaining runs at that case's mean duration so
 * far, or at the mean of all runs for a case not yet seen. NaN before any
 * run has finished. */
double ab_progress_eta(const ab_progress_t *p);
/* Erases the live line so that a warning can be printed cleanly. */
void ab_progress_clear(ab_progress_t *p);
void ab_progress_finish(ab_progress_t *p);
/* "1h02m", "4m10s", "12s", or "--" for NaN. */
void ab_progress_format_duration(double seconds, char *buf, size_t n);

#endif
