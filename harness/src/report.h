/* allocbench: report.md: what a person reads after a run. Tables of time
 * (median, and paired by repetition) and peak RSS per workload x allocator,
 * one line per workload naming the winner, the run-to-run spread, failed
 * runs, plots, and the machine. */
#ifndef AB_REPORT_H
#define AB_REPORT_H

#include <stdbool.h>

#include "allocators.h"
#include "results.h"
#include "runinfo.h"
#include "summary.h"

typedef struct ab_report_in_s {
  const char *run_id, *run_dir, *root;
  const ab_runinfo_t *info; /* NULL: a run folder from before run-info.txt */
  const ab_rows_t *rows;
  const ab_summary_t *summary;
  const ab_allocators_t *allocs; /* without info: the libraries found now */
  const ab_strv_t *plots;        /* plot names (without .svg/.png) in plots/ */
  bool interrupted;
  const char *focus; /* the headline's allocator (report_focus.h); NULL: AB_REPORT_FOCUS */
  const char *against; /* its head to head is with this one; NULL: the closest other */
} ab_report_in_t;

int ab_report_write(const ab_report_in_t *in, const char *path, ab_err_t *err);

/* "3.21 M/s", "812 k/s", "95 /s" */
void ab_report_rate(double per_s, char *buf, size_t n);

#endif
