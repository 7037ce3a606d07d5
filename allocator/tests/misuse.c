/* Deliberate misuse of the malloc API, one kind per argument, run under
 * segalloc by secure_test.sh, which expects segalloc to stop each one. */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PURGED_BLOCKS 200
#define PURGED_FREED 168 /* whole OS pages of 256-byte blocks, and a half */
static char *purged_blocks[PURGED_BLOCKS];
static int purged_from, purged_to;

/* Another thread with a heap of its own (a second heap starts segalloc's
 * background thread) frees blocks [purged_from, purged_to). */
static void *purged_free_thread(void *arg) {
  (void)arg;
  free(malloc(16));
  for (int i = purged_from; i < purged_to; i++) free(purged_blocks[i]);
  return NULL;
}

static void purged_free_remotely(int from, int to) {
  purged_from = from;
  purged_to = to;
  pthread_t t;
  pthread_create(&t, NULL, purged_free_thread, NULL);
  pthread_join(t, NULL);
}

/* Whether the OS page holding p has left RSS. */
static int purged_gone(const void *p) {
  long os = sysconf(_SC_PAGESIZE);
  unsigned char v = 1;
  return mincore((void *)((uintptr_t)p & ~(uintptr_t)(os - 1)), (size_t)os, &v) == 0 && !(v & 1);
}

/* Remote frees into a page of this idle thread, then purged by the
 * background thread, are on no list; freeing one again must still be
 * caught. */
static int double_free_purged(void) {
  for (int i = 0; i < PURGED_BLOCKS; i++) purged_blocks[i] = malloc(256);
  purged_free_remotely(0, PURGED_FREED);
  for (int waited = 0; !purged_gone(purged_blocks[0]); waited += 10) {
    if (waited > 3000) {
      fprintf(stderr, "misuse: the freed blocks were not purged within 3 s\n");
      return 4;
    }
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  }
  purged_free_remotely(0, 1);
  return 0;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  char *keep = malloc(64); /* a neighbour whose data must survive */
  memset(keep, 0x5a, 64);
  char *p = malloc(64);
  if (!strcmp(what, "double-free")) {
    free(p);
    free(p);
  } else if (!strcmp(what, "double-free-large")) {
    char *large = malloc(300 * 1024);
    free(large);
    free(large);
  } else if (!strcmp(what, "foreign")) {
    char *foreign = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    free(foreign + 4096);
  } else if (!strcmp(what, "interior")) {
    free(p + 8);
  } else if (!strcmp(what, "free-span")) {
    /* 8 MiB on in p's 32 MiB segment: slices no page has used yet. */
    free(p + (8 << 20));
  } else if (!strcmp(what, "stale-span")) {
    /* A 20-slice large page (too big for the heap to keep) freed, then a
     * medium page of 4 blocks of about 100 KiB made where it began: the old
     * page's later slices, inside a free span now, still name the page
     * that starts there, and 11 strides on (about 17 slices) is a block
     * boundary of that page by its arithmetic, past its last block. */
    char *old = malloc((20 << 16) - 4096);
    uintptr_t old_page = (uintptr_t)old & ~(uintptr_t)0xffff; /* big blocks start inside their first slice */
    free(old);
    char *young = malloc(100 * 1024);
    if (((uintptr_t)young & ~(uintptr_t)0xffff) != old_page) {
      fprintf(stderr, "misuse: the medium page did not start where the large one did\n");
      return 5;
    }
    free(young + 11 * malloc_usable_size(young));
  } else if (!strcmp(what, "double-free-purged")) {
    int rc = double_free_purged();
    if (rc) return rc;
  } else if (!strcmp(what, "ok")) {
    free(p);
  } else {
    fprintf(stderr, "usage: misuse double-free|double-free-large|double-free-purged|foreign|interior|free-span|stale-span|ok\n");
    return 2;
  }
  for (int i = 0; i < 64; i++)
    if (keep[i] != 0x5a) return 3;
  free(keep);
  puts("misuse: survived");
  return 0;
}
