/* allocbench: the --check metrics and results/baseline.csv:
 *   workload,params,threads,metric,value,tolerance_pct
 * All metrics are lower-is-better ratios or counts; a metric regresses when
 * it grows by more than tolerance_pct. Tolerances live in the file, so one
 * that proves too tight can be loosened there, and --update-baseline keeps
 * a loosened tolerance. */
#ifndef AB_BASELINE_H
#define AB_BASELINE_H

#include <stdbool.h>

#include "util.h"

typedef struct ab_metric_s {
  char *workload, *params;
  int threads;
  char *metric;
  double value;
  double tolerance_pct;
} ab_metric_t;

typedef struct ab_metrics_s {
  ab_metric_t *v;
  size_t n;
} ab_metrics_t;

/* The default tolerance of a metric (time 30%, 60% with several threads;
 * RSS 25%; instructions 2%). */
double ab_metric_default_tolerance(const char *metric, int threads);
/* Metrics that are printed for reference and never fail the check. */
bool ab_metric_is_info(const char *metric, int threads);

void ab_metrics_add(ab_metrics_t *m, const char *workload, const char *params, int threads,
                    const char *metric, double value, double tolerance_pct);
const ab_metric_t *ab_metrics_find(const ab_metrics_t *m, const ab_metric_t *like);
int ab_metrics_load(const char *path, ab_metrics_t *m, ab_err_t *err);
int ab_metrics_save(const char *path, const ab_metrics_t *m, ab_err_t *err);
void ab_metrics_free(ab_metrics_t *m);

#endif
