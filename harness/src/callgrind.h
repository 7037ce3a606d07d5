/* allocbench: instruction counts under valgrind --tool=callgrind. They are
 * deterministic for a single-threaded workload with fixed --ops and --seed,
 * so --check can hold them to a tight tolerance on any noisy machine. */
#ifndef AB_CALLGRIND_H
#define AB_CALLGRIND_H

#include "session.h"

/* The total of the "summary:" (or "totals:") line of a callgrind out file. */
int ab_callgrind_parse(const char *text, long long *instructions, ab_err_t *err);

/* Counts the instructions of case c run under allocator a. Returns 0, 1
 * when interrupted, -1 with the reason in err. */
int ab_callgrind_count(ab_session_t *s, const ab_case_t *c, const ab_allocator_t *a,
                       long long *instructions, ab_err_t *err);

#endif
