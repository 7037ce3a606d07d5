/* The producer/consumer engine behind `prodcons` (small blocks) and
 * `prodcons64k` (64 KiB blocks, the first user's workload): the two differ
 * only in their defaults and in prodcons64k's --size-jitter. */
#ifndef PC_ENGINE_H
#define PC_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct pc_defaults_s {
  const char *name;
  const char *summary;
  uint64_t min_size, max_size;
  uint64_t queue_depth;
  uint64_t sample_every;
  bool has_size_jitter; /* offer --size-jitter (48 to 80 KiB) */
} pc_defaults_t;

/* Parses the flags, runs the workload, prints the RESULT line; returns the
 * exit code. */
int pc_main(const pc_defaults_t *defaults, int argc, char **argv);

#endif
