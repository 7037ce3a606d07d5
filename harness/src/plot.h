/* allocbench: gnuplot plots of a run, each as SVG and PNG in plots/ beside
 * its data (.dat) and script (.gp), so a plot can be redrawn by hand:
 *   bars-time        time per workload relative to glibc (clustered bars)
 *   bars-rss         peak RSS per workload relative to glibc (clustered bars)
 *   rss-<case>       RSS over time, first repetition, one line per allocator
 *   cdf-<case>       cross-thread free latency, 1 - CDF on log axes (workloads
 *                    run with "cdf on"): the tail is where allocators differ
 *   scaling-<wl>     ops/s against thread count (workloads run at several counts) */
#ifndef AB_PLOT_H
#define AB_PLOT_H

#include "summary.h"
#include "util.h"

/* Draws every plot the data allows; names of those made go into made.
 * Fails only when plots/ cannot be written; a plot gnuplot rejects is a
 * warning. log_fd receives gnuplot's messages (-1: discarded). */
int ab_plot_all(const char *gnuplot, const char *run_dir, const ab_summary_t *s, int log_fd,
                ab_strv_t *made, ab_err_t *err);

#endif
