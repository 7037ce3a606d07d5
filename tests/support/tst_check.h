/* Failure reporting and argument parsing shared by the black-box tests.
 *
 * A failing test prints one line "<test>: FAIL: <what>" on stderr and exits
 * with status 1; bad command-line input prints "<test>: <what>" and exits
 * with status 2, so ctest output says at once which of the two happened. */
#ifndef TST_CHECK_H
#define TST_CHECK_H

#include <stdint.h>

/* Names the test in every message; call first thing in main. */
void tst_init(const char *test_name);
const char *tst_name(void);

/* _exit rather than exit: other threads may still be inside the allocator,
 * and atexit handlers (the allocator's stats printer among them) must not
 * race with them after a failure has already been found. */
__attribute__((noreturn, format(printf, 1, 2))) void tst_fail(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void tst_usage_error(const char *fmt, ...);

/* Parses argv[index] as an unsigned integer in [min, max]; returns fallback
 * when argc <= index. Anything else is a usage error (exit 2). */
uint64_t tst_arg_u64(int argc, char **argv, int index, const char *what,
                     uint64_t fallback, uint64_t min, uint64_t max);

#endif
