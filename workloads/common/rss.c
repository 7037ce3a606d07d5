#include "rss.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"

uint64_t wl_rss_kib(void) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    wl_fail_system("cannot open /proc/self/statm: %s", strerror(errno));
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    wl_fail_system("cannot read /proc/self/statm");
  buf[n] = '\0';
  /* Fields: size resident shared text lib data dt, in pages. */
  char *end;
  strtoull(buf, &end, 10);
  unsigned long long resident_pages = strtoull(end, &end, 10);
  return (uint64_t)resident_pages * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
}
