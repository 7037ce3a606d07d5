/* What the kernel says about this process, read without allocating so the
 * reading does not disturb the allocator being measured. */
#ifndef TST_PROC_H
#define TST_PROC_H

#include <stddef.h>

/* Resident set size from /proc/self/statm, in bytes. */
size_t tst_rss_bytes(void);

void tst_sleep_ms(unsigned ms);

#define TST_MIB ((size_t)1 << 20)

#endif
