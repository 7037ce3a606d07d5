/* allocbench: run-info.txt, what a run folder says about where and how it
 * was measured: the suite, the command, repetitions, runs planned, the
 * machine, the commit and the allocator libraries. Written when the run
 * starts, so `allocbench --report DIR` can rebuild the report of a run made
 * on another machine (or killed) without describing the wrong machine. */
#ifndef AB_RUNINFO_H
#define AB_RUNINFO_H

#include <stddef.h>

#include "allocators.h"
#include "sysinfo.h"
#include "util.h"

typedef struct ab_runinfo_alloc_s {
  char *name, *path, *version; /* path "" for the C library's malloc */
  char *settings;              /* a variant's VAR=value words, space-separated; "" none */
} ab_runinfo_alloc_t;

typedef struct ab_runinfo_s {
  char *suite_path, *command_line, *started;
  long reps;
  long planned_runs; /* fewer rows than this: the run was stopped */
  ab_sysinfo_t sys;
  ab_runinfo_alloc_t *allocs;
  size_t n_allocs;
} ab_runinfo_t;

/* Describes this machine and the allocators now (versions from dpkg). */
void ab_runinfo_collect(ab_runinfo_t *ri, const char *root, const ab_allocators_t *allocs);
int ab_runinfo_write(const ab_runinfo_t *ri, const char *run_dir, ab_err_t *err);
/* 0, or -1 when the folder has no run-info.txt (runs from before it
 * existed) or it is not one: why says which. */
int ab_runinfo_load(ab_runinfo_t *ri, const char *run_dir, ab_err_t *why);
void ab_runinfo_free(ab_runinfo_t *ri);

#endif
