/* allocbench: command-line flags. */
#ifndef AB_CLI_H
#define AB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

typedef struct ab_options_s {
  char *root;          /* repository root: results/ and harness/suites/ */
  char *suite;         /* suite name (harness/suites/<name>.suite) or a path */
  char *allocators;    /* NULL: the suite's list, else the default five */
  char *workloads;     /* NULL: every entry of the suite */
  int reps;            /* 0: the suite's */
  int *threads;        /* NULL: the suite's */
  size_t n_threads;
  int *pin;            /* CPUs to pin every run to; NULL: no pinning */
  size_t n_pin;
  char *out;           /* run folder; NULL: results/runs/<id> */
  double timeout_s;    /* 0: the suite's */
  double sample_ms;    /* RSS sampling period */
  char *workload_dir;  /* NULL: <exe dir>/../workloads */
  char *segalloc;      /* NULL: $SEGALLOC_LIB or <exe dir>/../allocator/libsegalloc.so */
  char *baseline;      /* NULL: <root>/results/baseline.csv */
  char *report_dir;    /* --report DIR: rebuild summary, report and plots */
  bool heapmap;        /* --heapmap: segalloc writes heap maps, drawn after the run */
  double heapmap_interval_ms; /* ms between snapshots; -1: not given (100) */
  char *heapmap_render; /* --heapmap-render FILE: draw a SEGALLOC_MAP file */
  char *focus;         /* --focus: the allocator report.md's headline is about; NULL: segalloc */
  char *against;       /* --against: its head to head is with this one; NULL: the closest other */
  bool quiet, no_plots, list, check, update_baseline, help, version;
  char *command_line;  /* "allocbench" and the arguments, for the report */
} ab_options_t;

/* Parses argv. Errors name the flag and how to fix it. */
int ab_cli_parse(int argc, char **argv, ab_options_t *opt, ab_err_t *err);
void ab_cli_usage(FILE *out);
void ab_cli_free(ab_options_t *opt);

#endif
