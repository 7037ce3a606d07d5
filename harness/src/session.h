/* allocbench: one benchmark session: the suite expanded into cases, the
 * allocators, the run folder and its open output files. Everything the
 * user can get wrong is checked here, before the first file is created. */
#ifndef AB_SESSION_H
#define AB_SESSION_H

#include "allocators.h"
#include "cli.h"
#include "csv.h"
#include "progress.h"
#include "results.h"
#include "runinfo.h"
#include "series.h"
#include "suite.h"
#include "summary.h"

typedef struct ab_case_s {
  const ab_entry_t *entry;
  size_t index;
  ab_case_key_t key; /* workload (or program label), params, threads */
  char *label, *slug;
  char *exe; /* absolute path of the workload binary or the program */
} ab_case_t;

typedef struct ab_session_s {
  const ab_options_t *opt;
  char *root, *workload_dir, *segalloc_path;
  ab_suite_t suite;
  ab_allocators_t allocs;
  ab_case_t *cases; /* workload and program entries, one per thread count */
  size_t n_cases;
  ab_case_t *callgrind; /* callgrind entries (used by --check) */
  size_t n_callgrind;
  int reps;
  char *hyperfine, *gnuplot, *valgrind; /* tools, resolved when the run needs them */
  char *run_id, *run_dir, *data_dir;
  ab_runinfo_t info; /* written to the run folder before the first run */
  bool update_latest;
  ab_csv_writer_t results;
  ab_series_t series;
  int stderr_fd;
  ab_rows_t rows;
  ab_progress_t progress;
  int stop_signal; /* SIGINT/SIGTERM when the user stopped the run */
} ab_session_t;

/* Resolves and checks everything, then creates the run folder and opens
 * results.csv, rss.csv, extras.csv and stderr.log, and writes run-info.txt. for_check: the smoke
 * suite by default, and segalloc and glibc must both be there. */
int ab_session_prepare(ab_session_t *s, const ab_options_t *opt, bool for_check, ab_err_t *err);
/* Appends a header naming the run to stderr.log before the child writes. */
void ab_session_log_header(ab_session_t *s, const char *what);
void ab_session_free(ab_session_t *s);

/* Finds the repository root, the workloads folder and libsegalloc.so from
 * the options, the environment, and the executable's place in the build. */
void ab_session_locate(const ab_options_t *opt, char **root, char **workload_dir,
                       char **segalloc_path);
/* Finds a tool on PATH, or fails naming the Debian package that has it
 * (why: what else the user can do, e.g. ", or pass --no-plots"). */
int ab_session_tool(const char *name, const char *package, const char *why, char **out,
                    ab_err_t *err);
/* harness/suites/<name>.suite, or name itself when it is a path. */
char *ab_session_suite_path(const char *root, const char *name);

#endif
