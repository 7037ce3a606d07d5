/* prodcons: small blocks (16 B to 1 KiB) made by producer threads and freed
 * by consumer threads. See prodcons_engine.c. */
#include "prodcons_engine.h"

int main(int argc, char **argv) {
  static const pc_defaults_t defaults = {
      .name = "prodcons",
      .summary = "Producers malloc and fill blocks, bounded queues carry them to consumers,\n"
                 "which check and free them: throughput and cross-thread free latency.",
      .min_size = 16,
      .max_size = 1024,
      .queue_depth = 256,
      .sample_every = 16,
  };
  return pc_main(&defaults, argc, argv);
}
