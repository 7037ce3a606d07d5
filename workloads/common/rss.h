/* Resident set size of this process, from /proc/self/statm. Read with plain
 * system calls into a stack buffer: sampling RSS must not itself allocate. */
#ifndef WL_RSS_H
#define WL_RSS_H

#include <stdint.h>

/* KiB resident now; exits if /proc cannot be read. */
uint64_t wl_rss_kib(void);

#endif
