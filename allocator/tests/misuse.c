/* Deliberate misuse of the malloc API, one kind per argument, run under
 * segalloc by secure_test.sh, which expects segalloc to stop each one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
  } else if (!strcmp(what, "ok")) {
    free(p);
  } else {
    fprintf(stderr, "usage: misuse double-free|double-free-large|foreign|interior|free-span|ok\n");
    return 2;
  }
  for (int i = 0; i < 64; i++)
    if (keep[i] != 0x5a) return 3;
  free(keep);
  puts("misuse: survived");
  return 0;
}
