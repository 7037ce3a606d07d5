/* Fatal errors of a workload, each with its own exit code so that the
 * harness can tell a usage mistake (2) from detected corruption (3) and from
 * a failure of the system or the allocator (1). Messages are one line on
 * stderr and begin with the workload's name. */
#ifndef WL_FAIL_H
#define WL_FAIL_H

#define WL_EXIT_SYSTEM 1
#define WL_EXIT_USAGE 2
#define WL_EXIT_CORRUPTION 3

/* The name every message starts with; set once, before any thread starts. */
void wl_fail_set_program(const char *name);

__attribute__((noreturn, format(printf, 1, 2))) void wl_fail_usage(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void wl_fail_corruption(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void wl_fail_system(const char *fmt, ...);

/* malloc returned NULL: say how much was asked for and stop. */
__attribute__((noreturn)) void wl_fail_out_of_memory(unsigned long long size);

#endif
