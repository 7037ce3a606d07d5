/* allocbench: suite files (harness/suites/<name>.suite). The format, one
 * directive per line, '#' starts a comment, "double quotes" group words:
 *
 *   reps N                  repetitions of every entry (default 3)
 *   allocators LIST         allocators when --allocators is not given
 *   timeout SECONDS         per-run limit for the entries below (default 60)
 *   threads LIST            thread counts for the workload entries below (default 1)
 *   cdf on|off              pass --latency-cdf FILE to the workload entries below
 *   instructions on|off     count the program entries below under callgrind, once
 *                           per allocator (their first repetition)
 *   workload NAME [ARGS..]  run workloads/NAME ARGS --threads N, once per thread count
 *   callgrind NAME [ARGS..] (--check) count instructions of NAME ARGS under callgrind
 *   warmup N / runs N       hyperfine --warmup / --runs for program entries (1 / 3)
 *   setup CMD [ARGS..]      run once in the data folder before any program entry
 *   program LABEL PACKAGE [VAR=value..] CMD [ARGS..]
 *                           time a real program with hyperfine; PACKAGE is the
 *                           Debian package to name when CMD is missing
 *
 * In setup and program words, {data} is the run's data folder (also the
 * working directory) and {suites} the folder of the suite file. */
#ifndef AB_SUITE_H
#define AB_SUITE_H

#include <stdbool.h>

#include "util.h"

typedef enum { AB_ENTRY_WORKLOAD, AB_ENTRY_CALLGRIND, AB_ENTRY_PROGRAM } ab_entry_kind_t;

typedef struct ab_entry_s {
  ab_entry_kind_t kind;
  char *name;       /* workload name or program label */
  ab_strv_t args;   /* workload arguments, or the program's whole command */
  ab_strv_t env;    /* program only: VAR=value words */
  char *package;    /* program only */
  int *threads;     /* workload only */
  size_t n_threads;
  bool cdf;
  bool instructions; /* program only: also counted under callgrind (first repetition) */
  double timeout_s;
  int line;
  bool selected; /* kept by --workloads */
} ab_entry_t;

typedef struct ab_suite_s {
  char *path;
  char *dir; /* folder of the suite file, for {suites} */
  int reps;
  int warmup, runs;
  char *allocators; /* NULL: the default five */
  ab_entry_t *entries;
  size_t n_entries;
  ab_strv_t *setups;
  size_t n_setups;
} ab_suite_t;

/* Reads and parses a suite file. Every problem is reported as file:line. */
int ab_suite_load(const char *path, ab_suite_t *suite, ab_err_t *err);
/* Parses suite text; origin names it in messages and gives {suites}. */
int ab_suite_parse(const char *text, const char *origin, ab_suite_t *suite, ab_err_t *err);
void ab_suite_free(ab_suite_t *suite);
/* Appends "workload NAME" with the default settings (one thread, 60 s). */
void ab_suite_add_workload(ab_suite_t *suite, const char *name);

/* Splits a line into words: blanks separate, "..." groups (with \" and \\),
 * '#' outside quotes ends the line. */
int ab_suite_tokenize(const char *line, ab_strv_t *words, ab_err_t *err);

/* Replaces {data} and {suites} in word. */
char *ab_suite_expand(const char *word, const char *data_dir, const char *suites_dir);

#endif
