/* allocbench: what a session leaves behind once the runs are over:
 * summary.csv, plots, report.md, and the results/latest link. Also
 * --report DIR, which rebuilds them from a run folder's results.csv. */
#ifndef AB_OUTPUTS_H
#define AB_OUTPUTS_H

#include "cli.h"
#include "session.h"

/* Writes summary.csv, the plots (when gnuplot was resolved) and report.md
 * from the rows measured, then points results/latest at the run. */
int ab_outputs_finish(ab_session_t *s, ab_err_t *err);

/* --report DIR: the same from DIR/results.csv. */
int ab_outputs_rebuild(const ab_options_t *opt, ab_err_t *err);

#endif
