#include "timing.h"

#include <errno.h>

void wl_sleep_ns(uint64_t ns) {
  struct timespec left = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}
