/* allocbench: report.md's headline for one allocator (segalloc, when it ran
 * beside others: the comparison this project exists for). Per case, its time,
 * paired time and peak RSS ratios beside the best of the other allocators;
 * for every allocator, the geometric mean of each ratio over the cases that
 * every allocator finished, so that all means cover the same cases; then,
 * per case, the focus head to head with the closest other, with an
 * interval. */
#ifndef AB_REPORT_FOCUS_H
#define AB_REPORT_FOCUS_H

#include "summary.h"
#include "util.h"

/* The allocator the headline is about. */
#define AB_REPORT_FOCUS "segalloc"

/* Appends the tables (the head-to-head one reads the rows, see
 * headtohead.h); nothing when focus did not run or ran alone. */
void ab_report_focus(ab_buf_t *b, const ab_summary_t *s, const ab_rows_t *rows, const char *focus,
                     const char *against);

/* Geometric means of time_vs_best, time_paired and rss_vs_best per
 * allocator (out: 3 x allocators, row-major) over the cases where every
 * allocator has all three; returns how many cases that is (0: no means). */
size_t ab_report_geomeans(const ab_summary_t *s, double *out);

#endif
