/* prodcons64k: the first user's workload. 64 KiB blocks (48 to 80 KiB with
 * --size-jitter), every 4 KiB page written by the producer and read back by
 * the consumer before the cross-thread free. Every free is timed by default:
 * at this size the two clock reads cost little next to the free itself. */
#include "prodcons_engine.h"

int main(int argc, char **argv) {
  static const pc_defaults_t defaults = {
      .name = "prodcons64k",
      .summary = "Producers malloc 64 KiB blocks and touch every 4 KiB page; bounded queues\n"
                 "carry them to consumers, which check every page and free them.",
      .min_size = 64 * 1024,
      .max_size = 64 * 1024,
      .queue_depth = 64,
      .sample_every = 1,
      .has_size_jitter = true,
  };
  return pc_main(&defaults, argc, argv);
}
