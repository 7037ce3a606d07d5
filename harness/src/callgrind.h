/* allocbench: instruction counts under valgrind --tool=callgrind. They are
 * deterministic for a single-threaded workload with fixed --ops and --seed,
 * so --check can hold them to a tight tolerance on any noisy machine; and
 * nearly so for a program with fixed input (valgrind runs one thread at a
 * time), which makes them the figure that noise does not blur where timing
 * cannot separate allocators (suite directive 'instructions on'). */
#ifndef AB_CALLGRIND_H
#define AB_CALLGRIND_H

#include "session.h"

/* The total of the "summary:" (or "totals:") line of a callgrind out file. */
int ab_callgrind_parse(const char *text, long long *instructions, ab_err_t *err);

/* Counts the instructions of the command prog (argv[0] a path; entry_env
 * its VAR=value words, cwd its folder or NULL) under allocator a, every
 * thread together, with case c's timeout times slowdown; callgrind's file
 * goes to the run's callgrind/ folder, named for c. Returns 0, 1 when
 * interrupted, -1 with the reason in err. */
int ab_callgrind_run(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                     const ab_strv_t *prog, const ab_strv_t *entry_env, const char *cwd,
                     double slowdown, long long *instructions, ab_err_t *err);

/* The same for a callgrind entry (its workload on one thread). */
int ab_callgrind_count(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                       long long *instructions, ab_err_t *err);

#endif
