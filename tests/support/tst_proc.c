#include "tst_proc.h"

#include "tst_check.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

size_t tst_rss_bytes(void) {
  char text[128];
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) tst_fail("cannot open /proc/self/statm");
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) tst_fail("cannot read /proc/self/statm");
  text[n] = '\0';
  /* Fields: size resident shared ...; resident is the second, in pages. */
  char *end = NULL;
  strtoull(text, &end, 10);
  unsigned long long pages = strtoull(end, NULL, 10);
  return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

void tst_sleep_ms(unsigned ms) {
  struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}
