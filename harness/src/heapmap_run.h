/* allocbench --heapmap: a normal run (suite, --workloads, flags) in which
 * segalloc's first repetition of every case writes heap-map snapshots
 * (SEGALLOC_MAP=<run>/heapmap/<case>.csv, SEGALLOC_MAP_INTERVAL from
 * --heapmap-interval, 100 ms by default), drawn afterwards into the run
 * folder (see heapmap_render.h) and shown in report.md beside the RSS
 * curves. Without --allocators it runs segalloc only, and without --reps
 * one repetition. */
#ifndef AB_HEAPMAP_RUN_H
#define AB_HEAPMAP_RUN_H

#include "cli.h"

#define AB_HEAPMAP_DEFAULT_INTERVAL_MS 100

/* Runs, draws, reports; returns allocbench's exit code. */
int ab_heapmap_run_main(const ab_options_t *opt);

#endif
