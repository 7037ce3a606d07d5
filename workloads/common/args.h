/* Command-line flags. Every workload accepts the common flags (--threads,
 * --seconds, --ops, --seed, --help) and declares its own in a table; both
 * "--name value" and "--name=value" work. A bad flag or value ends the
 * program with one line on stderr that names it, and exit code 2. */
#ifndef WL_ARGS_H
#define WL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum wl_arg_kind_e {
  WL_ARG_COUNT,   /* uint64_t: a whole number in [min, max] */
  WL_ARG_SIZE,    /* uint64_t: bytes, with an optional K, M or G (binary) suffix */
  WL_ARG_SECONDS, /* double: a positive duration in seconds */
  WL_ARG_CHOICE,  /* int: index of the value in `choices` ("a|b|c") */
  WL_ARG_PATH,    /* const char *: a file name */
  WL_ARG_SWITCH,  /* bool: present or not, takes no value */
} wl_arg_kind_t;

typedef struct wl_arg_s {
  const char *name; /* without the leading "--" */
  wl_arg_kind_t kind;
  void *value;      /* holds the default before parsing */
  uint64_t min, max;
  const char *choices;
  const char *help;
} wl_arg_t;

/* The common flags; the workload sets the defaults before parsing. A
 * workload timed by default sets seconds and leaves ops 0 (no limit); one
 * sized by default sets ops and leaves seconds 0. */
typedef struct wl_common_s {
  uint64_t threads;
  double seconds; /* 0: no time limit; --ops without --seconds sets it to 0 */
  uint64_t ops;   /* 0: no limit on operations */
  uint64_t seed;
} wl_common_t;

typedef struct wl_program_s {
  const char *name;
  const char *summary; /* one or two sentences for --help */
  const char *ops_meaning; /* what one operation of --ops is */
  const wl_arg_t *args;
  size_t n_args;
} wl_program_t;

/* Parses argv into `common` and the program's table. --help prints the usage
 * on stdout and exits 0. --ops alone lifts the default time limit. */
void wl_args_parse(const wl_program_t *program, wl_common_t *common, int argc, char **argv);

/* Exits with a usage error (status 2) when --min-size exceeds --max-size. */
void wl_args_check_size_range(unsigned long long min_size, unsigned long long max_size);

#endif
